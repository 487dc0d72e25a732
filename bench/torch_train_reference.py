#!/usr/bin/env python3
"""PyTorch eager reference for `cairn bench train`: the same Qwen3 shapes, AdamW, random tokens.

Prints one JSON line: {"shape": ..., "tokens_per_second": ..., "seconds_per_step": ...} (median step). Exits 3 when torch or
transformers is not importable, so the Swift benchmark reports "n/a" instead of a figure it did not measure.

    python3 bench/torch_train_reference.py --shape small --steps 6 --threads 2
"""
import argparse
import json
import sys
import time

SHAPES = {
    "tiny": dict(vocab_size=2048, hidden_size=256, intermediate_size=768, num_hidden_layers=4,
                 num_attention_heads=4, num_key_value_heads=2, batch=8, seq=256),
    "small": dict(vocab_size=8192, hidden_size=512, intermediate_size=1536, num_hidden_layers=8,
                  num_attention_heads=8, num_key_value_heads=4, batch=4, seq=256),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=sorted(SHAPES), required=True)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    try:
        import torch
        from transformers import Qwen3Config, Qwen3ForCausalLM
    except ImportError:
        return 3
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    spec = dict(SHAPES[args.shape])
    batch, seq = spec.pop("batch"), spec.pop("seq")
    config = Qwen3Config(**spec, head_dim=spec["hidden_size"] // spec["num_attention_heads"],
                         max_position_embeddings=seq, tie_word_embeddings=False, rope_theta=1e6)
    model = Qwen3ForCausalLM(config).float()
    model.config._attn_implementation = "sdpa"
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    tokens = torch.randint(0, spec["vocab_size"], (batch, seq + 1))
    inputs, labels = tokens[:, :-1], tokens[:, 1:]

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(input_ids=inputs).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, spec["vocab_size"]), labels.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    seconds = sorted(times)[len(times) // 2]  # the median step, as `cairn bench train` reports
    print(json.dumps({"shape": args.shape, "seconds_per_step": seconds,
                      "tokens_per_second": batch * seq / seconds, "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
