#!/usr/bin/env python3
"""Writes python_written.safetensors, the golden file of SafeTensorsGoldenTests, with nothing but the
standard library, as the reference writer lays a file out (huggingface/safetensors `serialize`):
an 8-byte little-endian header length; compact JSON with __metadata__ first; padding with spaces to
a multiple of 8; the tensors' little-endian bytes back to back in header order. Strings are written
as UTF-8 with JSON's minimal escapes (json.dumps(ensure_ascii=False), as serde_json does).
The C# test writes the same tensors and metadata and expects the same bytes.
Run: python3 make_golden.py OUT_DIR
"""
import json, os, struct, sys

TENSORS = [
    ("fc.weight", "F32", [2, 3], struct.pack("<6f", 1.5, -2.25, 0.0, 3.0e-8, 1.0e30, -0.0)),
    ("ids", "I32", [4], struct.pack("<4i", 0, -1, 2147483647, -2147483648)),
    ("empty", "F32", [0, 5], b""),
    ("scalar", "F32", [], struct.pack("<f", 7.0)),
    ("\u00fcn\u00ef \"code\"\\name\n\u0001", "F32", [1], struct.pack("<f", 0.1)),
]
METADATA = {"format": "pt", "note": "\u00fcn\u00efcode \"quoted\" \\ \t \u0001 \u007f /"}


def main(out_dir):
    header, offset = {"__metadata__": METADATA}, 0
    for name, dtype, shape, data in TENSORS:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(out_dir, "python_written.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, data in TENSORS:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
