"""Reference numbers for the optimizer, schedule and clipping tests, from PyTorch 1.13 (Debian python3-torch).

Run:  /usr/bin/python3 tests/RnnGen.Tests/Runtime/optimizer_reference.py
It rewrites optimizer_reference.json beside this script; the tests read that file, so they pass on a
fresh clone without Python. Float32 values are written as their shortest float32 decimal (C# parses
them straight to float, exactly); learning rates and metrics as Python doubles (shortest repr, exact).

Inputs are random float32 tensors (seeded) stored in the file, so C# steps from the same bits.
Optimizers run with foreach=False: torch 1.13's default single-tensor path on the CPU.
"""
import json
import math
import os
import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore")
torch.manual_seed(8)

# Sizes chosen so that every tensor hits a different mix of vector body and scalar tail
# (40 = 5 x 8, 21 = 2 x 8 + 5, 3 = tail only; with 4-wide vectors 40 = 10 x 4, 21 = 5 x 4 + 1).
SHAPES = [("rnn.weight_ih_l0", (8, 5)), ("rnn.bias_ih_l0", (21,)), ("fc.weight", (3, 1))]
STEPS = 6
# Gradient magnitudes vary from step to step, so the AMSGrad maximum and the running averages matter.
SCALES = [1.0, 0.05, 3.0, 0.5, 0.01, 1.5]

INITIAL = [0.5 * torch.randn(shape) for _, shape in SHAPES]
GRADIENTS = []
for scale in SCALES:
    grads = [scale * torch.randn(shape) for _, shape in SHAPES]
    grads[0].view(-1)[7] = 0.0  # an element that never gets a gradient (0 / (0 + eps) paths)
    GRADIENTS.append(grads)


def f32(values):
    """Shortest float32 decimals, as a JSON array literal."""
    return [Raw(str(np.float32(v))) for v in values]


class Raw(str):
    pass


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors]).tolist()


def new_parameters():
    return [t.clone().requires_grad_() for t in INITIAL]


OPTIMIZERS = [
    ("SGD lr=0.1", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("SGD lr=0.1 weight_decay=0.1", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.1)),
    ("SGD lr=0.1 momentum=0.9", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("SGD lr=0.1 momentum=0.9 dampening=0.5", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD lr=0.05 momentum=0.5 dampening=0.1 weight_decay=0.05", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, dampening=0.1, weight_decay=0.05)),
    ("SGD lr=0.1 momentum=0.9 nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD lr=0.1 momentum=0.9 weight_decay=0.01 nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)),
    ("Adagrad defaults", lambda p: torch.optim.Adagrad(p)),
    ("Adagrad lr=0.1 lr_decay=0.05", lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.05)),
    ("Adagrad lr=0.1 initial_accumulator_value=0.5", lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.5)),
    ("Adagrad lr=0.1 weight_decay=0.1", lambda p: torch.optim.Adagrad(p, lr=0.1, weight_decay=0.1)),
    ("Adagrad lr=0.1 lr_decay=0.01 weight_decay=0.05 initial_accumulator_value=0.1 eps=1e-6", lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1, eps=1e-6)),
    ("RMSprop defaults", lambda p: torch.optim.RMSprop(p)),
    ("RMSprop lr=0.01 alpha=0.9 eps=1e-6", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6)),
    ("RMSprop centered", lambda p: torch.optim.RMSprop(p, centered=True)),
    ("RMSprop momentum=0.9", lambda p: torch.optim.RMSprop(p, momentum=0.9)),
    ("RMSprop lr=0.005 momentum=0.8 centered weight_decay=0.1", lambda p: torch.optim.RMSprop(p, lr=0.005, momentum=0.8, centered=True, weight_decay=0.1)),
    ("Adam defaults", lambda p: torch.optim.Adam(p)),
    ("Adam lr=0.01 betas=(0.8,0.99) eps=1e-6 weight_decay=0.1", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam amsgrad", lambda p: torch.optim.Adam(p, amsgrad=True)),
    ("Adam lr=0.01 weight_decay=0.05 amsgrad", lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.05, amsgrad=True)),
    ("AdamW defaults", lambda p: torch.optim.AdamW(p)),
    ("AdamW lr=0.01 weight_decay=0.1", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    ("AdamW lr=0.01 betas=(0.85,0.995) weight_decay=0.1 amsgrad", lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.85, 0.995), weight_decay=0.1, amsgrad=True)),
    ("AdamW weight_decay=0", lambda p: torch.optim.AdamW(p, weight_decay=0)),
]


def run_optimizer(make, make_schedule=None):
    params = new_parameters()
    opt = make(params)
    for group in opt.param_groups:
        if "foreach" in group:
            group["foreach"] = False
    schedule = make_schedule(opt) if make_schedule else None
    steps = []
    for grads in GRADIENTS:
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.step()
        if schedule:
            schedule.step()
        steps.append(f32(flat(params)))
    state = {}
    step = None
    for (name, _), p in zip(SHAPES, params):
        for key, value in opt.state[p].items():
            if key == "step":
                step = int(float(value))
            elif value is not None:  # SGD without momentum keeps a None buffer
                state[key + "/" + name] = f32(value.reshape(-1).tolist())
    return {"steps": steps, "state": state, "step": step}


def lr_sequence(make, epochs, metrics=None, lr=0.1):
    """Learning rate after construction, then after each scheduler step (torch's get_last_lr)."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr)
    schedule = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for epoch in range(epochs):
        opt.step()
        if metrics is None:
            schedule.step()
        else:
            schedule.step(metrics[epoch])
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


S = torch.optim.lr_scheduler
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.91, 0.905, 0.92, 0.93, 0.8, 0.81, 0.795, 0.85, 0.84, 0.83,
                   0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
RISING_METRICS = [0.1, 0.2, 0.22, 0.3, 0.31, 0.32, 0.5, 0.5, 0.54, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
FLAT_METRICS = [2.0] * 25

SCHEDULES = [
    ("StepLR step_size=3 gamma=0.5", lambda o: S.StepLR(o, step_size=3, gamma=0.5), 12, None),
    ("StepLR step_size=2", lambda o: S.StepLR(o, step_size=2), 9, None),
    ("CosineAnnealingLR T_max=10 eta_min=0.001", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 35, None),
    ("CosineAnnealingLR T_max=7", lambda o: S.CosineAnnealingLR(o, T_max=7), 16, None),
    ("LinearLR defaults", lambda o: S.LinearLR(o), 8, None),
    ("LinearLR start_factor=0.25 total_iters=4", lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4), 8, None),
    ("LinearLR start_factor=1 end_factor=0.1 total_iters=6", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=6), 9, None),
    ("SequentialLR LinearLR(0.1, 1, 5) then CosineAnnealingLR(15, 1e-4) at 5",
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                                  S.CosineAnnealingLR(o, T_max=15, eta_min=1e-4)], milestones=[5]), 25, None),
    ("SequentialLR LinearLR(0.5, 1, 2), StepLR(2, 0.5), CosineAnnealingLR(6) at 3, 7",
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=2), S.StepLR(o, step_size=2, gamma=0.5),
                                  S.CosineAnnealingLR(o, T_max=6)], milestones=[3, 7]), 16, None),
    ("ChainedScheduler LinearLR(0.5, 1, 4), StepLR(3, 0.5)",
     lambda o: S.ChainedScheduler([S.LinearLR(o, start_factor=0.5, total_iters=4), S.StepLR(o, step_size=3, gamma=0.5)]), 12, None),
    ("ReduceLROnPlateau min factor=0.5 patience=2 threshold=0.01 cooldown=1 min_lr=0.02",
     lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=0.02),
     len(PLATEAU_METRICS), PLATEAU_METRICS),
    ("ReduceLROnPlateau max abs threshold=0.05 factor=0.3 patience=1",
     lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs"),
     len(RISING_METRICS), RISING_METRICS),
    ("ReduceLROnPlateau defaults", lambda o: S.ReduceLROnPlateau(o), len(FLAT_METRICS), FLAT_METRICS),
    ("ReduceLROnPlateau min_lr=0.0999999 eps=1e-8",
     lambda o: S.ReduceLROnPlateau(o, patience=0, min_lr=0.0999999, eps=1e-8), 4, [1.0, 1.0, 1.0, 1.0]),
]

# Optimizer and schedule together: the schedule's double learning rate reaches the update.
COMBINED = [
    ("Adam lr=0.01 + SequentialLR LinearLR(0.2, 1, 3) then CosineAnnealingLR(3, 1e-3) at 3",
     lambda p: torch.optim.Adam(p, lr=0.01),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.2, total_iters=3), S.CosineAnnealingLR(o, T_max=3, eta_min=1e-3)], milestones=[3])),
    ("SGD lr=0.1 momentum=0.9 + StepLR step_size=2 gamma=0.3",
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
     lambda o: S.StepLR(o, step_size=2, gamma=0.3)),
]


def clipping():
    out = {}
    grads = GRADIENTS[0]
    for name, value in (("value 0.5", 0.5), ("value 2", 2.0)):
        params = [torch.zeros_like(g).requires_grad_() for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_value_(params, value)
        out[name] = f32(flat([p.grad for p in params]))
    # One norm over several sets: the first two tensors form one set, the last another.
    for name, max_norm in (("norm 1", 1.0), ("norm 100", 100.0)):
        params = [torch.zeros_like(g).requires_grad_() for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        out[name] = {"norm": Raw(str(np.float32(norm.item()))), "gradients": f32(flat([p.grad for p in params]))}
    return out


def dump(value, indent=0):
    """JSON with one line per array, float32 values kept as written."""
    pad = "  " * indent
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        items = [pad + "  " + json.dumps(k) + ": " + dump(v, indent + 1) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and isinstance(value[0], (dict, list)) and not isinstance(value[0], Raw):
        return "[\n" + ",\n".join(pad + "  " + dump(v, indent + 1) for v in value) + "\n" + pad + "]"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v, indent + 1) for v in value) + "]"
    if isinstance(value, float):
        assert math.isfinite(value)
        return repr(value)
    return json.dumps(value)


document = {
    "generator": "tests/RnnGen.Tests/Runtime/optimizer_reference.py",
    "torch": torch.__version__,
    "tensors": [{"name": n, "shape": list(s)} for n, s in SHAPES],
    "initial": f32(flat(INITIAL)),
    "gradients": [f32(flat(g)) for g in GRADIENTS],
    "optimizers": {name: run_optimizer(make) for name, make in OPTIMIZERS},
    "combined": {name: run_optimizer(make, sched) for name, make, sched in COMBINED},
    "schedules": {name: {"lrs": lr_sequence(make, epochs, metrics), **({"metrics": metrics} if metrics else {})}
                  for name, make, epochs, metrics in SCHEDULES},
    "clipping": clipping(),
}

text = dump(document) + "\n"
parsed = json.loads(text)
for a, b in zip(parsed["initial"], flat(INITIAL)):
    assert np.float32(a) == np.float32(b)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizer_reference.json")
with open(path, "w") as f:
    f.write(text)
print("wrote", path, len(text), "bytes")
