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
import sys

import cairn_logits


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
        from transformers import AutoModelForCausalLM
    except ImportError as error:
        print(f"skipped: {error}")
        return 3
    base = AutoModelForCausalLM.from_pretrained(args.base, torch_dtype=torch.float32, attn_implementation="eager")
    model = PeftModel.from_pretrained(base, args.adapter)
    ids = cairn_logits.random_ids(torch, base.config.vocab_size, args.tokens)
    reference = cairn_logits.reference_logits(torch, model, ids)
    cairn = cairn_logits.cairn_logits(args.cairn, [args.adapter, "--base-model", args.base], ids)
    return cairn_logits.compare(reference, cairn, f"peft, adapter {args.adapter} on {args.base}, {args.tokens} tokens")

if __name__ == "__main__":
    sys.exit(main())
