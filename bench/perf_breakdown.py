"""Where a training step's CPU time goes, from `perf` samples of bench/step_profile.ts.

`bash bench/perf_step.sh <arch> <side> <batch> [threads] [steps]` records the timed steps of
bench/step_profile.ts with `perf record -g` (software clock, so it works in VMs without hardware
counters) and runs this on `perf script` output. Each sample is put in one class by its thread and
call stack:

- kernels: TensorFlow's op kernels (under `KernelAndDeviceOp::Run` on the calling thread, and all
  work of TensorFlow's worker threads, oneDNN's included);
- worker threads waiting: TensorFlow's thread pool spinning or parked between kernels;
- TensorFlow eager runtime: `TFE_Execute` and below, outside the kernels (op and attribute
  handling, kernel lookup, device placement, tensor-handle bookkeeping);
- binding: tfjs-node's N-API binding outside `TFE_Execute` (tensor creation from JavaScript
  values, deletion and freeing, reads);
- JavaScript: everything else on the main thread (TensorFlow.js' engine and gradient tape, the
  layers, V8's compiler and garbage collector).

Usage: perf_breakdown.py <perf script output> <sampling Hz> <steps> [process id].
Prints one JSON line: CPU milliseconds per step in each class.
"""
import collections
import json
import sys

SAMPLE_HZ = float(sys.argv[2]) if len(sys.argv) > 2 else 997.0
steps = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
# the main thread (JavaScript's) has the process id as its thread id
main_tid = int(sys.argv[4]) if len(sys.argv) > 4 else None
counts = collections.Counter()


WAITING = ("WorkerLoop", "Spin", "futex", "sched_yield", "WaitForWork", "nanosleep", "syscall",
           "EventCount", "PopBack", "finish_task_switch", "schedule")


def classify(tid, frames):
    text = "\n".join(frames)
    leaf = frames[0] if frames else ""
    if tid != main_tid:
        # oneDNN's generated kernels have no symbols and no frame pointer: a sample in them shows
        # one frame in anonymous memory (listed in the perf map, or unknown)
        in_jit = "perf-" in leaf or leaf.startswith("[unknown]") or " [unknown] ([unknown])" in leaf
        if "libtensorflow" not in text and not in_jit:
            return "other threads (Deno, V8)"
        if any(k in leaf for k in WAITING):
            return "worker threads waiting"
        return "kernels"
    if "KernelAndDeviceOp::Run" in text:
        return "kernels"
    if "TFE_" in text or "tensorflow::" in text:
        return "TensorFlow eager runtime"
    if "tfjs_binding.node" in text:
        return "binding"
    if "JS:" not in text:
        # a leaf without a usable stack (libc, the kernel): cannot be placed
        return "main thread, unattributed (malloc/free, system calls)"
    return "JavaScript"


def main():
    global main_tid
    samples = []
    tid, frames = None, []
    for line in open(sys.argv[1], errors="replace"):
        if not line.strip():
            if tid is not None:
                samples.append((tid, frames))
            tid, frames = None, []
        elif not line[0].isspace():
            tid = int(line.split()[0])
        else:
            frames.append(line.strip())
    if tid is not None:
        samples.append((tid, frames))
    if main_tid is None:
        with_js = collections.Counter(t for t, f in samples if any("JS:" in x for x in f))
        main_tid = with_js.most_common(1)[0][0] if with_js else samples[0][0]
    for t, f in samples:
        counts[classify(t, f)] += 1
    ms = {k: round(v / SAMPLE_HZ * 1000 / steps, 1) for k, v in counts.most_common()}
    main_ms = round(sum(1 for t, f in samples if t == main_tid) / SAMPLE_HZ * 1000 / steps, 1)
    print(json.dumps({"bench": "perf-breakdown", "cpu_ms_per_step": ms, "main_thread_ms_per_step": main_ms}))


main()
