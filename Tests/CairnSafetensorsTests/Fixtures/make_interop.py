#!/usr/bin/env python3
"""Interop fixture between Cairn's safetensors reader/writer and the real `safetensors` library.

    python3 make_interop.py                 # (re)writes interop.safetensors next to this script
    python3 make_interop.py --check FILE    # loads FILE (written by Cairn) with safetensors and checks it holds
                                            # exactly the tensors and metadata below

`swift test --filter CairnSafetensorsTests` reads interop.safetensors (PythonInteropTests) and writes the same
tensors with SafetensorsWriter to $TMPDIR/cairn-safetensors-interop.safetensors, which `--check` verifies. The
check is documented, not run by the Swift tests (they must pass without Python).

Last run with torch 2.13.0+cpu, safetensors 0.8.0, numpy 2.4.6. The values are written out below (no random
numbers), so the file is byte-for-byte reproducible; the metadata has a single key because safetensors writes
several keys in hash-map order.
"""

import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

F16_BITS = [0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xC000, 0x7BFF, 0x7C00, 0xFC00, 0x7E00]
BF16_BITS = [0x3F80, 0xC040, 0x0001, 0x7F80, 0x7FC0, 0x8000, 0x4049]
METADATA = {"source": "make_interop.py"}


def from_bits(bits, dtype):
    return torch.from_numpy(np.array(bits, dtype=np.uint16).view(np.int16)).view(dtype)


def tensors():
    return {
        "f32": torch.tensor([[1.5, -2.25, 3.0], [0.0, -0.0, 1e-40]], dtype=torch.float32),
        "f16": from_bits(F16_BITS, torch.float16),
        "bf16": from_bits(BF16_BITS, torch.bfloat16),
        "f64": torch.tensor([1.0 / 3.0, -1e300, 2.5], dtype=torch.float64),
        "i64": torch.tensor([-(2**62), 0, 2**40 + 7], dtype=torch.int64),
        "i32": torch.tensor([[-1, 2], [2**31 - 1, -(2**31)]], dtype=torch.int32),
        "u8": torch.arange(10, dtype=torch.uint8),
        "empty": torch.zeros((0, 4), dtype=torch.float32),
        "scalar": torch.tensor(42.5, dtype=torch.float32),
        "nested.name.with.dots": torch.tensor([7.0, 8.0], dtype=torch.float32),
    }


def same_bits(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return torch.equal(a.reshape(-1).view(torch.uint8), b.reshape(-1).view(torch.uint8))


def check(path, cairn_written=True):
    loaded = load_file(path)
    expected = tensors()
    problems = []
    if sorted(loaded) != sorted(expected):
        problems.append(f"names {sorted(loaded)} != {sorted(expected)}")
    for name, tensor in expected.items():
        if name in loaded and not same_bits(loaded[name], tensor):
            problems.append(f"{name}: {loaded[name]} != {tensor}")
    with safe_open(path, "pt") as handle:
        if handle.metadata() != METADATA:
            problems.append(f"metadata {handle.metadata()} != {METADATA}")
    with open(path, "rb") as handle:
        header_length = int.from_bytes(handle.read(8), "little")
    if cairn_written and (8 + header_length) % 64 != 0:
        problems.append(f"data buffer starts at {8 + header_length}, not a multiple of 64")
    if problems:
        sys.exit("check failed:\n  " + "\n  ".join(problems))
    print(f"{path}: {len(loaded)} tensors and metadata as expected; data starts at {8 + header_length}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    elif len(sys.argv) == 1:
        path = __file__.rsplit("/", 1)[0] + "/interop.safetensors" if "/" in __file__ else "interop.safetensors"
        save_file(tensors(), path, metadata=METADATA)
        check(path, cairn_written=False)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
