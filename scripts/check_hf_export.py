#!/usr/bin/env python3
"""Checks that a model folder written by `cairn export` (or by `cairn train`) loads in Hugging Face transformers and
gives the same logits as Cairn.

    python3 scripts/check_hf_export.py OUT_DIR [--cairn .build/release/cairn] [--tokens 32]

It loads OUT_DIR with `transformers.AutoModelForCausalLM` (float32, eager attention), runs a fixed random token
sequence through it, asks `cairn logits` for the same sequence, and compares: exit 0 when the largest difference is
within 1e-4 of the logits' scale, 1 when not, 3 when transformers (or torch) is not installed.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--cairn", default=".build/release/cairn")
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()
    try:
        import torch
        from safetensors.numpy import load_file
        from transformers import AutoModelForCausalLM
    except ImportError as error:
        print(f"skipped: {error}")
        return 3
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32, attn_implementation="eager")
    model.eval()
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (1, args.tokens), generator=generator)
    with torch.no_grad():
        reference = model(input_ids=ids).logits[0].numpy()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "logits.safetensors")
        subprocess.run([args.cairn, "logits", args.model, "--tokens", " ".join(map(str, ids[0].tolist())),
                        "--output", path], check=True)
        cairn = load_file(path)["logits"]
    scale = float(abs(reference).max())
    difference = float(abs(cairn - reference).max())
    ok = difference <= 1e-4 * max(scale, 1.0)
    print(f"{'OK' if ok else 'MISMATCH'}: max |cairn - transformers| = {difference:.3e} (logit scale {scale:.3f}), "
          f"{args.tokens} tokens, transformers loaded {args.model}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
