#!/usr/bin/env python3
"""PyTorch's side of samples/PyTorchInterop (PyTorch 1.13, e.g. Debian's python3-torch).

  interop.py export DIR   PyTorch -> RnnGen: trains two small models on synthetic data and writes, per model,
                          DIR/<case>.safetensors: its state_dict, test inputs, lengths and PyTorch's outputs.
  interop.py check FILE.. RnnGen -> PyTorch: loads each file written by the C# program (weights, test inputs,
                          lengths, RnnGen's outputs) into nn.LSTM/nn.GRU + nn.Linear and compares the outputs;
                          exit status 1 when any differs by more than the file's tolerance.

Each file's metadata holds the model as JSON ("spec"): cell (lstm|gru), input, hidden, layers, bidirectional,
last_only (many-to-one: Linear on the top layer's h_n, as RnnGen's ReturnSequences = false), out, steps, name
(the recurrent module's attribute, hence its state_dict prefix). Ragged batches go through pack_padded_sequence;
padded steps of a sequence output are zeroed, as RnnGen writes them. The files are written with struct + json
(the safetensors package is not needed).
"""
import json, struct, sys
import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.float32:
            dtype = "F32"
        elif t.dtype in (torch.int32, torch.int64):
            t, dtype = t.to(torch.int32), "I32"
        else:
            raise ValueError(f"{name}: {t.dtype}")
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    types = {"F32": np.float32, "I32": np.int32}
    tensors = {}
    for name, h in header.items():
        start, end = h["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype=types[h["dtype"]]).reshape(h["shape"]).copy())
    return tensors, metadata


class Net(nn.Module):
    """nn.LSTM or nn.GRU (batch_first) + nn.Linear, over ragged sequences."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        cell = {"lstm": nn.LSTM, "gru": nn.GRU}[spec["cell"]]
        self.add_module(spec["name"], cell(spec["input"], spec["hidden"], num_layers=spec["layers"],
                                           bidirectional=spec["bidirectional"], batch_first=True))
        directions = 2 if spec["bidirectional"] else 1
        self.fc = nn.Linear(spec["hidden"] * directions, spec["out"])

    def forward(self, x, lengths):
        rnn = getattr(self, self.spec["name"])
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, state = rnn(packed)
        if self.spec["last_only"]:
            h_n = state[0] if self.spec["cell"] == "lstm" else state
            # The top layer's final state: forward at the last valid step, then backward at step 0 (PyTorch's h_n).
            top = torch.cat([h_n[-2], h_n[-1]], dim=1) if self.spec["bidirectional"] else h_n[-1]
            return self.fc(top)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        mask = (torch.arange(x.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1)
        return self.fc(out) * mask


def ragged_lengths(rows, steps, generator):
    lengths = torch.randint(3, steps + 1, (rows,), generator=generator)
    lengths[0] = steps
    return lengths


def export(directory):
    """PyTorch -> RnnGen: train, then save state_dict + test data + PyTorch's outputs."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    cases = {
        # Many-to-many: a 2-layer LSTM; targets per step: the running sum of feature 0 (scaled) and feature 1 one step late.
        "torch_lstm2_sequence": dict(cell="lstm", input=3, hidden=16, layers=2, bidirectional=False, last_only=False, out=2, steps=12, name="rnn"),
        # Many-to-one: a bidirectional GRU; class: which of features 0..2 has the largest sum (3 = none above 0).
        "torch_bigru_last": dict(cell="gru", input=3, hidden=12, layers=1, bidirectional=True, last_only=True, out=4, steps=12, name="rnn"),
    }
    for case, spec in cases.items():
        net = Net(spec)
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
        steps, rows = spec["steps"], 32
        for it in range(150):
            x = torch.randn(rows, steps, spec["input"], generator=g)
            lengths = ragged_lengths(rows, steps, g)
            mask = (torch.arange(steps)[None, :] < lengths[:, None]).float()
            x = x * mask.unsqueeze(-1)
            y = net(x, lengths)
            if spec["last_only"]:
                sums = x.sum(dim=1)
                target = torch.where(sums.max(dim=1).values > 0, sums.argmax(dim=1), torch.full((rows,), 3))
                loss = nn.functional.cross_entropy(y, target)
            else:
                late = torch.cat([torch.zeros(rows, 1), x[:, :-1, 1]], dim=1)
                target = torch.stack([0.3 * x[:, :, 0].cumsum(dim=1), late], dim=-1) * mask.unsqueeze(-1)
                loss = ((y - target) ** 2).sum() / (mask.sum() * spec["out"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        net.eval()
        rows = 8
        x = torch.randn(rows, steps, spec["input"], generator=g)
        lengths = ragged_lengths(rows, steps, g)
        x = x * (torch.arange(steps)[None, :] < lengths[:, None]).float().unsqueeze(-1)
        with torch.no_grad():
            y = net(x, lengths)
        tensors = dict(net.state_dict())
        tensors.update({"test.input": x, "test.lengths": lengths, "test.output": y})
        write_safetensors(f"{directory}/{case}.safetensors", tensors,
                          {"spec": json.dumps(spec), "torch": torch.__version__, "final_training_loss": f"{loss.item():.4f}"})
        print(f"  PyTorch {torch.__version__}: trained {case} (150 Adam steps, final loss {loss.item():.4f}); "
              f"wrote {directory}/{case}.safetensors")


def check(paths):
    """RnnGen -> PyTorch: load RnnGen's weights into nn modules and compare with RnnGen's outputs."""
    ok = True
    for path in paths:
        tensors, metadata = read_safetensors(path)
        spec = json.loads(metadata["spec"])
        tolerance = float(metadata.get("tolerance", "1e-5"))
        net = Net(spec)
        weights = {k: v for k, v in tensors.items() if not k.startswith("test.")}
        net.load_state_dict(weights, strict=True)   # every name and shape must match nn.Module's state_dict
        net.eval()
        with torch.no_grad():
            y = net(tensors["test.input"], tensors["test.lengths"].long())
        difference = (y - tensors["test.output"]).abs().max().item()
        passed = difference <= tolerance
        ok &= passed
        print(f"  PyTorch {torch.__version__}: {path}: {len(weights)} tensors loaded with load_state_dict(strict=True); "
              f"max |PyTorch - RnnGen| = {difference:.2e} (limit {tolerance:g}) {'OK' if passed else 'FAILED'}")
    return ok


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "export":
        export(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "check":
        sys.exit(0 if check(sys.argv[2:]) else 1)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
