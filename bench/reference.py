"""PyTorch on the same machine, for scale: `python3 bench/reference.py <arch> <side> <batch> <threads>`.

A cross-check for `deno task bench --reference`, never a dependency of the project. The same
model (torchvision's DenseNet121 / ResNet50 with a 14-output head), the same batch and side,
Adam with weight decay, sigmoid + binary cross-entropy summed over outputs; random weights
(speed does not depend on their values). Prints one JSON line: images/s for inference and a
training step (median of timed steps after a warm-up), as bench/model.ts does.
"""
import json
import statistics
import sys
import time

import torch
import torchvision

arch, side, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = getattr(torchvision.models, arch)(weights=None, num_classes=14)
x = torch.randn(batch, 3, side, side)
y = (torch.rand(batch, 14) > 0.8).float()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=5e-5)


def train_step():
    model.train()
    optimizer.zero_grad()
    p = torch.sigmoid(model(x)).clamp(1e-7, 1 - 1e-7)
    loss = torch.nn.functional.binary_cross_entropy(p, y, reduction="sum") / batch
    loss.backward()
    optimizer.step()


def infer_step():
    model.eval()
    with torch.no_grad():
        model(x)


def median_seconds(step, runs):
    step()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


infer = median_seconds(infer_step, 5)
train = median_seconds(train_step, 3)
print(json.dumps({
    "bench": "model-reference",
    "framework": f"pytorch {torch.__version__}",
    "model": arch,
    "side": side,
    "batch": batch,
    "threads": threads,
    "infer_images_per_s": round(batch / infer, 2),
    "train_images_per_s": round(batch / train, 2),
}))
