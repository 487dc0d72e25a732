#!/usr/bin/env python3
"""Checks that a LoRA adapter folder written by Cairn (`cairn train` with peft_config, or `cairn export --to peft`)
loads with Hugging Face PEFT and gives the same logits as Cairn.

    python3 scripts/check_peft_export.py ADAPTER_DIR --base BASE_MODEL_DIR [--cairn .build/release/cairn]

It loads BASE with transformers (float32, eager attention), applies the adapter with
`peft.PeftModel.from_pretrained`, runs a fixed random token sequence, asks `cairn logits ADAPTER --base-model BASE`
for the same sequence, and compares: exit 0 when the largest difference is within 1e-4 of the logits' scale, 1 when
not, 3 when torch, transformers or peft is not installed.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("adapter")
    parser.add_argument("--base", required=True)
    parser.add_argument("--cairn", default=".build/release/cairn")
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()
    try:
        import torch
        from peft import PeftModel
        from safetensors.numpy import load_file
        from transformers import AutoModelForCausalLM
    except ImportError as error:
        print(f"skipped: {error}")
        return 3
    base = AutoModelForCausalLM.from_pretrained(args.base, torch_dtype=torch.float32, attn_implementation="eager")
    model = PeftModel.from_pretrained(base, args.adapter)
    model.eval()
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, base.config.vocab_size, (1, args.tokens), generator=generator)
    with torch.no_grad():
        reference = model(input_ids=ids).logits[0].numpy()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "logits.safetensors")
        subprocess.run([args.cairn, "logits", args.adapter, "--base-model", args.base, "--tokens",
                        " ".join(map(str, ids[0].tolist())), "--output", path], check=True)
        cairn = load_file(path)["logits"]
    scale = float(abs(reference).max())
    difference = float(abs(cairn - reference).max())
    ok = difference <= 1e-4 * max(scale, 1.0)
    print(f"{'OK' if ok else 'MISMATCH'}: max |cairn - peft| = {difference:.3e} (logit scale {scale:.3f}), "
          f"{args.tokens} tokens, adapter {args.adapter} on {args.base}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
