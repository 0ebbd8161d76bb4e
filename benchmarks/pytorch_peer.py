#!/usr/bin/env python3
"""PyTorch peer of benchmarks/RnnGen.Compare: times the benchmark shapes with torch.nn.LSTM/GRU/RNN.

Each model is just the recurrent layer, batch_first=True, float32, input size = hidden size (input 24
for the small bidirectional LSTM), default initialisation (seed 0). Work per timed call:
  forward shapes:   with torch.no_grad(): out, _ = rnn(x)
  streaming step:   with torch.no_grad(): out, (h, c) = rnn(x, (h, c)) for x of one step, the state fed back
  training shapes:  rnn.zero_grad(); x.grad = None; out, _ = rnn(x); mse_loss(out, target).backward()
                    x requires grad, so PyTorch also computes dLoss/dInput, as RnnGen's Backward does.

FLOP count (matrix products only, pointwise gate math ignored), the same formula RnnGen.Compare uses:
  forward = T * B * D * (2 * G * H * (I + H)),  G = 4 (LSTM), 3 (GRU), 1 (RNN), D = 2 when bidirectional
  training step = 3 * forward  (forward products + input-gradient products + weight-gradient products)

--export-onnx DIR also writes torch.onnx.export's model of every inference shape to DIR/<key>.onnx
(opset 14; graph input "input" [B,T,I], output "output" [B,T,D*H]; the streaming shape also takes
"h0", "c0" [1,B,H] and returns "hn", "cn"), which RnnGen.Compare --onnx-dir DIR times with ONNX Runtime.

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

# key, cell, nonlinearity, input, hidden, batch, steps, directions, work
# (the same keys and shapes as benchmarks/Shared/BenchModels.cs; work: "forward", "step" or "train")
SHAPES = [
    ("lstm_h256_b1_t150_fwd", "LSTM", None, 256, 256, 1, 150, 1, "forward"),
    ("lstm_h512_b1_t25_fwd", "LSTM", None, 512, 512, 1, 25, 1, "forward"),
    ("lstm_h512_b4_t25_fwd", "LSTM", None, 512, 512, 4, 25, 1, "forward"),
    ("gru_h1024_b1_t100_fwd", "GRU", None, 1024, 1024, 1, 100, 1, "forward"),
    ("rnn_relu_h64_b1_t96_fwd", "RNN", "relu", 64, 64, 1, 96, 1, "forward"),
    ("bilstm_i24_h32_b1_t63_fwd", "LSTM", None, 24, 32, 1, 63, 2, "forward"),
    ("lstm_h256_b1_step", "LSTM", None, 256, 256, 1, 1, 1, "step"),
    ("lstm_h512_b64_t25_train", "LSTM", None, 512, 512, 64, 25, 1, "train"),
    ("lstm_h256_b32_t150_train", "LSTM", None, 256, 256, 32, 150, 1, "train"),
    ("gru_h512_b32_t50_train", "GRU", None, 512, 512, 32, 50, 1, "train"),
]


def flops(cell, inputs, hidden, batch, steps, directions, work):
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[cell]
    forward = steps * batch * directions * 2.0 * gates * hidden * (inputs + hidden)
    return 3 * forward if work == "train" else forward


def title(cell, inputs, hidden, batch, steps, directions, work):
    name = ("Bi" if directions == 2 else "") + cell
    size = "" if inputs == hidden else " I=%d" % inputs
    return "%s%s H=%d B=%d %s" % (name, size, hidden, batch, "one step" if work == "step" else "T=%d" % steps)


def export_onnx(torch, rnn, cell, inputs, hidden, batch, steps, work, path):
    """torch.onnx.export of the layer alone, with the graph names RnnGen.Compare's ONNX Runtime peer binds."""
    class Layer(torch.nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            return self.rnn(x)[0]

    class StreamingLayer(torch.nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, x, h, c):
            y, (h2, c2) = self.rnn(x, (h, c))
            return y, h2, c2

    if work == "step":
        args = (torch.zeros(batch, 1, inputs), torch.zeros(1, batch, hidden), torch.zeros(1, batch, hidden))
        torch.onnx.export(StreamingLayer(rnn), args, path, opset_version=14,
                          input_names=["input", "h0", "c0"], output_names=["output", "hn", "cn"])
    else:
        torch.onnx.export(Layer(rnn), (torch.zeros(batch, steps, inputs),), path, opset_version=14,
                          input_names=["input"], output_names=["output"])


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
    p.add_argument("--export-onnx", default=None, metavar="DIR", help="also write torch.onnx.export's model of each inference shape to DIR/<key>.onnx")
    p.add_argument("--export-only", action="store_true", help="with --export-onnx: export the models, time nothing")
    args = p.parse_args()
    if args.export_only and not args.export_onnx:
        p.error("--export-only needs --export-onnx DIR")

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
    for key, cell, nonlinearity, inputs, hidden, batch, steps, directions, work in shapes:
        bidirectional = directions == 2
        if cell == "LSTM":
            rnn = torch.nn.LSTM(inputs, hidden, batch_first=True, bidirectional=bidirectional)
        elif cell == "GRU":
            rnn = torch.nn.GRU(inputs, hidden, batch_first=True, bidirectional=bidirectional)
        else:
            rnn = torch.nn.RNN(inputs, hidden, nonlinearity=nonlinearity, batch_first=True, bidirectional=bidirectional)
        gen = torch.Generator().manual_seed(11)
        if work == "train":
            x = torch.rand(batch, steps, inputs, generator=gen) * 2 - 1
            target = torch.rand(batch, steps, directions * hidden, generator=gen) * 2 - 1
            x.requires_grad_(True)

            def run(rnn=rnn, x=x, target=target):
                rnn.zero_grad()
                x.grad = None
                out, _ = rnn(x)
                F.mse_loss(out, target).backward()
        elif work == "step":
            x = torch.rand(batch, 1, inputs, generator=gen) * 2 - 1
            state = [(torch.zeros(1, batch, hidden), torch.zeros(1, batch, hidden))]

            def run(rnn=rnn, x=x, state=state):
                with torch.no_grad():
                    _, state[0] = rnn(x, state[0])
        else:
            x = torch.rand(batch, steps, inputs, generator=gen) * 2 - 1

            def run(rnn=rnn, x=x):
                with torch.no_grad():
                    rnn(x)

        if args.export_onnx and work != "train":
            os.makedirs(args.export_onnx, exist_ok=True)
            export_onnx(torch, rnn, cell, inputs, hidden, batch, steps, work, os.path.join(args.export_onnx, key + ".onnx"))
        if args.export_only:
            continue

        shape = (cell, inputs, hidden, batch, steps, directions, work)
        print("PyTorch %-28s %-9s ... " % (title(*shape), {"train": "TrainStep", "step": "Step"}.get(work, "Forward")),
              end="", file=sys.stderr, flush=True)
        median, best, reps, warmups, cores = measure(run, args)
        print("%.4f ms (median of %d, %.2f cores, %.1f GFLOP/s)"
              % (median, reps, cores, flops(*shape) / (median * 1e-3) / 1e9), file=sys.stderr, flush=True)
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

    if args.export_only:
        return
    text = "".join("# %s: %s\n" % m for m in meta) + "".join(r + "\n" for r in rows)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
