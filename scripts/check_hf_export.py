#!/usr/bin/env python3
"""Checks that a model folder written by `cairn export` (or by `cairn train`) loads in Hugging Face transformers and
gives the same logits as Cairn.

    python3 scripts/check_hf_export.py OUT_DIR [--cairn .build/release/cairn] [--tokens 32]

It loads OUT_DIR with `transformers.AutoModelForCausalLM` (float32, eager attention), runs a fixed random token
sequence through it, asks `cairn logits` for the same sequence, and compares: exit 0 when the largest difference is
within 1e-4 of the logits' scale, 1 when not, 3 when transformers (or torch) is not installed.
"""
import argparse
import sys

import cairn_logits


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--cairn", default=".build/release/cairn")
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()
    try:
        import torch
        from transformers import AutoModelForCausalLM
    except ImportError as error:
        print(f"skipped: {error}")
        return 3
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32, attn_implementation="eager")
    ids = cairn_logits.random_ids(torch, model.config.vocab_size, args.tokens)
    reference = cairn_logits.reference_logits(torch, model, ids)
    cairn = cairn_logits.cairn_logits(args.cairn, [args.model], ids)
    return cairn_logits.compare(reference, cairn, f"transformers loading {args.model}, {args.tokens} tokens")

if __name__ == "__main__":
    sys.exit(main())
