"""Expected values for OptimizerTests.cs, from PyTorch (1.13, Debian python3-torch).

Run: /usr/bin/python3 tests/RnnGen.Tests/Runtime/optimizer_reference.py
and paste the printed C# arrays into OptimizerTests.cs. Inputs are small dyadic rationals, so
C# builds exactly the same float32 tensors from the same formulas.
"""
import torch

SHAPES = [("layer.weight", (4, 3)), ("layer.bias", (5,))]
STEPS = 3


def initial(i):
    return ((i * 37) % 23 - 11) / 8.0


def gradient(i, step):
    return ((i * 17 + step * 29) % 19 - 9) / 16.0


def tensors(fn):
    out, base = [], 0
    for _, shape in SHAPES:
        n = 1
        for d in shape:
            n *= d
        out.append(torch.tensor([fn(base + j) for j in range(n)], dtype=torch.float32).reshape(shape))
        base += n
    return out


def run(make):
    params = [t.requires_grad_() for t in tensors(initial)]
    opt = make(params)
    for step in range(STEPS):
        for p, g in zip(params, tensors(lambda i: gradient(i, step))):
            p.grad = g
        opt.step()
    return torch.cat([p.detach().flatten() for p in params])


def emit(name, values):
    body = ", ".join("%.9gf" % v for v in values.tolist())
    print("    private static readonly float[] %s = [%s];" % (name, body))


emit("SgdPlain", run(lambda p: torch.optim.SGD(p, lr=0.1)))
emit("SgdMomentum", run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)))
emit("SgdNesterovDecay", run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)))
emit("AdamDefaults", run(lambda p: torch.optim.Adam(p)))
emit("AdamDecay", run(lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)))
emit("AdamWDecay", run(lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)))

# clip_grad_norm_ on the step-0 gradients, once clipping (max 1) and once not (max 100).
for name, max_norm in (("Clipped", 1.0), ("Unclipped", 100.0)):
    grads = tensors(lambda i: gradient(i, 0))
    params = [torch.zeros_like(g).requires_grad_() for g in grads]
    for p, g in zip(params, grads):
        p.grad = g
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    print("    private const float %sNorm = %.9gf;" % (name, norm.item()))
    emit(name + "Gradients", torch.cat([p.grad.flatten() for p in params]))
