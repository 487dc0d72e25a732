#!/usr/bin/env python3
"""Writes Cairn's demo SFT dataset: arithmetic.jsonl and its spec demo.yaml, next to this script.

A small, exactly learnable set for the tiny Qwen3 demo (hidden 256, 4 layers, byte tokenizer): single-digit
addition and multiplication facts in two phrasings each, and a short fixed lookup table (capitals, opposites).
Questions and answers are short, so a rendered sample (qwen3_nothink template, byte tokenizer) stays within
64 tokens; only the answer and its <|im_end|> carry loss.

Deterministic, standard library only: the same files on every run. Run: python3 make_demo_dataset.py
"""

import json
import os

CAPITALS = [
    ("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"),
    ("Egypt", "Cairo"), ("Peru", "Lima"), ("Kenya", "Nairobi"), ("Chile", "Santiago"),
    ("Greece", "Athens"), ("Norway", "Oslo"), ("Cuba", "Havana"), ("Iran", "Tehran"),
    ("India", "New Delhi"), ("China", "Beijing"), ("Canada", "Ottawa"), ("Poland", "Warsaw"),
]
OPPOSITES = [
    ("hot", "cold"), ("big", "small"), ("fast", "slow"), ("up", "down"), ("day", "night"),
    ("old", "new"), ("open", "closed"), ("light", "dark"), ("early", "late"), ("full", "empty"),
    ("left", "right"), ("wet", "dry"),
]

# Tokens the qwen3_nothink template adds around a user question and an assistant answer with the byte
# tokenizer: <|im_start|> "user\n" ... <|im_end|> "\n" <|im_start|> "assistant\n" <think> "\n\n" </think> "\n\n"
# ... <|im_end|> "\n".
TEMPLATE_TOKENS = 1 + 5 + 1 + 1 + 1 + 10 + 1 + 2 + 1 + 2 + 1 + 1
MAX_TOKENS = 64


def facts():
    """(question, answer, kind) triples in a fixed order."""
    items = []
    for a in range(10):
        for b in range(10):
            items.append((f"What is {a} plus {b}?", str(a + b), "addition"))
            items.append((f"{a}+{b}=?", str(a + b), "addition"))
    for a in range(10):
        for b in range(10):
            items.append((f"What is {a} times {b}?", str(a * b), "multiplication"))
            items.append((f"{a}*{b}=?", str(a * b), "multiplication"))
    for country, capital in CAPITALS:
        items.append((f"Capital of {country}?", capital, "lookup"))
    for word, opposite in OPPOSITES:
        items.append((f"Opposite of {word}?", opposite, "lookup"))
    return items


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    items = facts()
    longest = 0
    with open(os.path.join(here, "arithmetic.jsonl"), "w", encoding="utf-8", newline="\n") as handle:
        for question, answer, _ in items:
            record = {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            longest = max(longest, TEMPLATE_TOKENS + len(question.encode()) + len(answer.encode()))
    assert longest <= MAX_TOKENS, f"a sample renders to {longest} tokens, more than {MAX_TOKENS}"
    with open(os.path.join(here, "demo.yaml"), "w", encoding="utf-8", newline="\n") as handle:
        handle.write(
            "# Cairn's demo SFT data (LlamaFactory-style dataset spec), written by make_demo_dataset.py.\n"
            "# Paths are relative to this file's folder.\n"
            "arithmetic:\n"
            "  path: arithmetic.jsonl\n"
            "  converter: messages\n"
        )
    counts = {}
    for _, _, kind in items:
        counts[kind] = counts.get(kind, 0) + 1
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    print(f"wrote {len(items)} samples ({summary}); longest rendered sample {longest} tokens (byte tokenizer)")


if __name__ == "__main__":
    main()
