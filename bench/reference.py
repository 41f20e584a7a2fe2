"""PyTorch on the same machine, for scale: `python3 bench/reference.py <arch> <side> <batch> <threads>`.

With `--profile` it instead profiles training steps with torch.profiler (as bench/step_profile.ts
does for this engine): per phase (forward, backward, optimizer) the ATen ops called (all, and
those called directly by the phase or the autograd engine), the phase's wall time, and the time
inside ATen ops (their self CPU times: kernels and the ops' own dispatch); the rest is Python,
the autograd engine and the profiler itself, which adds its own cost to every op, so times are
higher than in an unprofiled step.

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


WARM_UP_STEPS = 3


def median_seconds(step, runs):
    """Median wall time of a step after warm-up steps (as many as bench/model.ts runs), and CPU
    time per step (all threads)."""
    for _ in range(WARM_UP_STEPS):
        step()
    times = []
    cpu = time.process_time()
    for _ in range(runs):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return statistics.median(times), (time.process_time() - cpu) / runs


def profile(steps=3):
    """Ops and time per phase of a training step, from torch.profiler."""
    from torch.profiler import ProfilerActivity, record_function

    def step():
        model.train()
        optimizer.zero_grad()
        with record_function("phase:forward"):
            p = torch.sigmoid(model(x)).clamp(1e-7, 1 - 1e-7)
            loss = torch.nn.functional.binary_cross_entropy(p, y, reduction="sum") / batch
        with record_function("phase:backward"):
            loss.backward()
        with record_function("phase:optimizer"):
            optimizer.step()

    step()  # warm-up
    with torch.profiler.profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    events = prof.events()
    phases = {}
    for phase in ("forward", "backward", "optimizer"):
        roots = [e for e in events if e.name == f"phase:{phase}"]
        all_ops = top_ops = 0
        op_us = 0.0
        # (event, whether an ATen op encloses it)
        stack = [(c, False) for r in roots for c in r.cpu_children]
        while stack:
            e, inside_op = stack.pop()
            is_op = e.name.startswith("aten::")
            if is_op:
                all_ops += 1
                top_ops += 0 if inside_op else 1
                op_us += e.self_cpu_time_total
            stack.extend((c, inside_op or is_op) for c in e.cpu_children)
        phases[phase] = {
            "aten_ops": round(all_ops / steps),
            "top_level_ops": round(top_ops / steps),
            "wall_ms": round(sum(r.cpu_time_total for r in roots) / steps / 1000, 1),
            "in_ops_ms": round(op_us / steps / 1000, 1),
        }
    return phases


if "--profile" in sys.argv:
    print(json.dumps({
        "bench": "step-profile-reference",
        "framework": f"pytorch {torch.__version__}",
        "model": arch,
        "side": side,
        "batch": batch,
        "threads": threads,
        "phases": profile(),
    }))
    sys.exit(0)

infer, infer_cpu = median_seconds(infer_step, 5)
train, train_cpu = median_seconds(train_step, 3)
print(json.dumps({
    "bench": "model-reference",
    "framework": f"pytorch {torch.__version__}",
    "model": arch,
    "side": side,
    "batch": batch,
    "threads": threads,
    "infer_images_per_s": round(batch / infer, 2),
    "train_images_per_s": round(batch / train, 2),
    "train_step_s": round(train, 2),
    "train_cpu_s_per_step": round(train_cpu, 2),
    "infer_cpu_s_per_batch": round(infer_cpu, 2),
}))
