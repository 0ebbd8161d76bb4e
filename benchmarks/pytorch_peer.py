#!/usr/bin/env python3
"""PyTorch peer of benchmarks/RnnGen.Compare: times the issue-4 shapes with torch.nn.LSTM/GRU/RNN.

Each model is just the recurrent layer, batch_first=True, float32, input size = hidden size,
default initialisation (seed 0). Work per timed call:
  forward shapes:  with torch.no_grad(): out, _ = rnn(x)
  training shapes: rnn.zero_grad(); x.grad = None; out, _ = rnn(x); mse_loss(out, target).backward()
                   x requires grad, so PyTorch also computes dLoss/dInput, as RnnGen's Backward does.

FLOP count (matrix products only, pointwise gate math ignored), the same formula RnnGen.Compare uses:
  forward = T * B * (2 * G * H * (I + H)),  G = 4 (LSTM), 3 (GRU), 1 (RNN), here I = H
  training step = 3 * forward  (forward products + input-gradient products + weight-gradient products)

Methodology (identical to RnnGen.Compare): per shape, warm up for at least --warmup-iters calls and
--warmup-seconds (and, up to 10 s, 35 calls); then time reps = clamp(ceil(--target-seconds / median late warm-up call), --min-reps, --max-reps)
calls one at a time with time.perf_counter and report the median. Process CPU time / wall time over the
timed calls gives the cores actually used.

Threads: torch.set_num_threads(N) and torch.set_num_interop_threads(1); compare.sh also exports
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS = N and pins the process with taskset.

Output (--out): "# name: value" lines, then one tab-separated row per shape:
  key, median_ms, min_ms, reps, warmups, cores
"""
import argparse
import math
import os
import sys
import time

# key, cell, nonlinearity, hidden, batch, steps, training  (same keys as benchmarks/Shared/BenchModels.cs)
SHAPES = [
    ("lstm_h256_b1_t150_fwd", "LSTM", None, 256, 1, 150, False),
    ("lstm_h512_b1_t25_fwd", "LSTM", None, 512, 1, 25, False),
    ("lstm_h512_b4_t25_fwd", "LSTM", None, 512, 4, 25, False),
    ("gru_h1024_b1_t100_fwd", "GRU", None, 1024, 1, 100, False),
    ("rnn_relu_h64_b1_t96_fwd", "RNN", "relu", 64, 1, 96, False),
    ("lstm_h512_b64_t25_train", "LSTM", None, 512, 64, 25, True),
    ("lstm_h256_b32_t150_train", "LSTM", None, 256, 32, 150, True),
    ("gru_h512_b32_t50_train", "GRU", None, 512, 32, 50, True),
]


def flops(cell, hidden, batch, steps, training):
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[cell]
    forward = steps * batch * 2.0 * gates * hidden * (hidden + hidden)
    return 3 * forward if training else forward


# The same warm-up rule as RnnGen.Compare (which needs 35 calls for .NET's tiered JIT), applied here too.
TIER_UP_CALLS = 35
MAX_TIER_UP_SECONDS = 10.0


def measure(run, args):
    start = time.perf_counter()
    warmup_times = []
    while (len(warmup_times) < args.warmup_iters or time.perf_counter() - start < args.warmup_seconds
           or (len(warmup_times) < TIER_UP_CALLS and time.perf_counter() - start < MAX_TIER_UP_SECONDS)):
        t0 = time.perf_counter()
        run()
        warmup_times.append(time.perf_counter() - t0)
    # Calls per timed run from the median warm-up call of the second half (robust to preemption).
    warmups = len(warmup_times)
    late = sorted(warmup_times[warmups // 2:])
    estimate = late[len(late) // 2]
    reps = int(min(max(math.ceil(args.target_seconds / max(estimate, 1e-9)), args.min_reps), max(args.max_reps, args.min_reps)))
    times = []
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1e3)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    times.sort()
    median = times[reps // 2] if reps % 2 else 0.5 * (times[reps // 2 - 1] + times[reps // 2])
    return median, times[0], reps, warmups, cpu / wall


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default=None, help="write the results here (default: stdout)")
    p.add_argument("--shapes", default="", help="comma-separated keys (default: all)")
    p.add_argument("--warmup-iters", type=int, default=3)
    p.add_argument("--warmup-seconds", type=float, default=2.0)
    p.add_argument("--target-seconds", type=float, default=3.0)
    p.add_argument("--min-reps", type=int, default=5)
    p.add_argument("--max-reps", type=int, default=1000)
    args = p.parse_args()

    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(0)

    wanted = [k for k in args.shapes.split(",") if k]
    shapes = [s for s in SHAPES if not wanted or s[0] in wanted]

    meta = [
        ("version", torch.__version__),
        ("threads", "torch.get_num_threads()=%d, OMP_NUM_THREADS=%s, OPENBLAS_NUM_THREADS=%s, MKL_NUM_THREADS=%s"
         % (torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS", "(unset)"),
            os.environ.get("OPENBLAS_NUM_THREADS", "(unset)"), os.environ.get("MKL_NUM_THREADS", "(unset)"))),
        ("oneDNN (mkldnn) available", str(torch.backends.mkldnn.is_available())),
        ("MKL available", str(torch.backends.mkl.is_available())),
        ("build", "; ".join(l.strip().lstrip("- ") for l in torch.__config__.show().splitlines()
                            if "CPU capability" in l or "MKL-DNN" in l or "OpenMP" in l)),
    ]
    rows = []
    for key, cell, nonlinearity, hidden, batch, steps, training in shapes:
        if cell == "LSTM":
            rnn = torch.nn.LSTM(hidden, hidden, batch_first=True)
        elif cell == "GRU":
            rnn = torch.nn.GRU(hidden, hidden, batch_first=True)
        else:
            rnn = torch.nn.RNN(hidden, hidden, nonlinearity=nonlinearity, batch_first=True)
        gen = torch.Generator().manual_seed(11)
        x = torch.rand(batch, steps, hidden, generator=gen) * 2 - 1
        if training:
            target = torch.rand(batch, steps, hidden, generator=gen) * 2 - 1
            x.requires_grad_(True)

            def run(rnn=rnn, x=x, target=target):
                rnn.zero_grad()
                x.grad = None
                out, _ = rnn(x)
                F.mse_loss(out, target).backward()
        else:
            def run(rnn=rnn, x=x):
                with torch.no_grad():
                    rnn(x)

        print("PyTorch %-24s %-9s ... " % ("%s H=%d B=%d T=%d" % (cell, hidden, batch, steps), "TrainStep" if training else "Forward"),
              end="", file=sys.stderr, flush=True)
        median, best, reps, warmups, cores = measure(run, args)
        print("%.3f ms (median of %d, %.2f cores, %.1f GFLOP/s)"
              % (median, reps, cores, flops(cell, hidden, batch, steps, training) / (median * 1e-3) / 1e9), file=sys.stderr, flush=True)
        rows.append("%s\t%.6f\t%.6f\t%d\t%d\t%.4f" % (key, median, best, reps, warmups, cores))

    # Which kernels PyTorch used for the RNNs (oneDNN's mkldnn_rnn_layer, or ATen's addmm/BLAS path).
    try:
        lstm = torch.nn.LSTM(64, 64, batch_first=True)
        xs = torch.rand(2, 4, 64, requires_grad=True)
        with torch.autograd.profiler.profile() as prof:
            lstm(xs)[0].sum().backward()
        names = sorted({e.name for e in prof.function_events if any(s in e.name for s in ("mkldnn", "addmm", "mm", "lstm", "rnn"))})
        meta.append(("ops seen in an LSTM forward+backward", ", ".join(names)))
    except Exception as e:  # profiling is informative only
        meta.append(("ops seen in an LSTM forward+backward", "profiler failed: %s" % e))

    text = "".join("# %s: %s\n" % m for m in meta) + "".join(r + "\n" for r in rows)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
