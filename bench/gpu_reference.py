"""PyTorch on the same GPU, for `bench/gpu.sh`: `python3 bench/gpu_reference.py <out.json> [--quick]`.

A cross-check, never a dependency: torchvision's DenseNet121 and ResNet50 with a 14-output head,
224 px, batch 16 and 64, Adam with weight decay on sigmoid + binary cross-entropy (as
bench/reference.py on the CPU), random weights. Images/s for inference and a training step, the
median of timed steps after warm-up, each step synchronised. Two precisions: float32 as this
project computes (TF32 off), and PyTorch's default on NVIDIA GPUs (TF32 convolutions).
"""
import json
import statistics
import sys
import time

import torch
import torchvision

out_path = sys.argv[1]
quick = "--quick" in sys.argv
device = "cuda" if torch.cuda.is_available() else "cpu"
side = 32 if quick else 224
batches = [2, 4] if quick else [16, 64]
rows = []


def sync():
    if device == "cuda":
        torch.cuda.synchronize()


def median_seconds(step, runs, warmup=2):
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


for tf32 in (False, True):
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    for arch in ("densenet121", "resnet50"):
        for batch in batches:
            torch.manual_seed(0)
            model = getattr(torchvision.models, arch)(weights=None, num_classes=14).to(device)
            x = torch.randn(batch, 3, side, side, device=device)
            y = (torch.rand(batch, 14, device=device) > 0.8).float()
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

            infer = median_seconds(infer_step, 2 if quick else 10)
            train = median_seconds(train_step, 2 if quick else 10)
            rows.append({
                "model": arch,
                "side": side,
                "batch": batch,
                "precision": "tf32" if tf32 else "float32",
                "infer_images_per_s": round(batch / infer, 1),
                "train_images_per_s": round(batch / train, 1),
            })
            print(json.dumps(rows[-1]), file=sys.stderr)
            del model, optimizer
            if device == "cuda":
                torch.cuda.empty_cache()

report = {
    "framework": f"pytorch {torch.__version__}, torchvision {torchvision.__version__}",
    "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
    "rows": rows,
}
with open(out_path, "w") as f:
    json.dump(report, f, indent=2)
