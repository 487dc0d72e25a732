#!/usr/bin/env python3
"""Makes the BPE parity fixture for CairnDataTests/BPETokenizerTests.swift.

Trains a small byte-level BPE with the Hugging Face `tokenizers` library, set up as Qwen2/Qwen3 are (NFC
normalizer, Qwen2's split expression with the Isolated behaviour, then ByteLevel without its own regex; ByteLevel
decoder; special tokens added after the vocabulary, the think tags as non-special added tokens), and records
what the library produces for varied strings. The Swift tests must reproduce the ids exactly.

Writes, next to this script:
  bpe/tokenizer.json   the trained tokenizer
  bpe/expected.json    [{"text", "ids", "decoded", "pieces"}] for 50 chosen and 200 random strings, where
                       `pieces` is the split of the NFC text by Qwen2's expression alone (to test the
                       pre-tokenizer on its own)

Deterministic: the corpus is generated without randomness and training is single-threaded.
Run: RAYON_NUM_THREADS=1 python3 make_bpe_fixture.py   (needs `pip install tokenizers`; made with 0.23.3)
"""

import json
import os
import random
import unicodedata

os.environ.setdefault("RAYON_NUM_THREADS", "1")

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers  # noqa: E402

QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
MERGES = 400
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
ADDED_TOKENS = ["<think>", "</think>"]

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "It's a truth universally acknowledged that we'll need more tokens than we think.",
    "They've said you're right, and I'd agree: don't stop now.",
    "def tokenize(text):\n    return [token for token in text.split()]\n",
    "for i in range(10):\n\tprint(i * i)\n",
    "if (count >= 42 && ready) { total += count; }",
    "The answer is 12345, not 54321 or 3.14159.",
    "What is 7 times 8? It is 56. What is 9 plus 6? It is 15.",
    "<html><body><p>Hello, world!</p></body></html>",
    "你好，世界！今天天气很好。",
    "こんにちは、世界。",
    "Привет, мир! Как дела?",
    "café, naïve, résumé, façade, jalapeño",
    "Emoji: 🎉 🚀 ✨ and more 🎉🎉.",
    "user: hello\nassistant: hi there\nuser: bye\n",
    "   indented line\n\n\nafter blank lines\r\nwindows line\r\n",
]


def corpus():
    lines = []
    for round_index in range(40):
        for sentence_index, sentence in enumerate(SENTENCES):
            lines.append(f"{sentence} ({round_index * 7 + sentence_index})")
    return lines


TEST_STRINGS = [
    "",
    "Hello world",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "I'm here, you're there, they've gone, we'll see, he'd go, it's done, don't",
    "I'M HERE, YOU'RE THERE, WE'LL SEE, IT'S",
    "'ſa and 'Sa and 'sa",
    "12345",
    "3.14159 and 2.71828",
    "x = 42 + 7 * (3 - 1)",
    "2024-01-15T10:30:00Z",
    "١٢٣٤ ⅫⅫ ½¾",
    "a  b   c    d",
    "   leading spaces",
    "trailing spaces   ",
    "tabs\tand\t\ttabs",
    "line1\nline2\n\nline4",
    "a\r\nb\r\n\r\nc",
    "\n\n\nx",
    "x\n\n",
    "  \n  \n  y",
    "\u00a0\u00a0z and a\u3000b and a\u2028b and \u0085x",
    "a\x0b\x0cb \x1c\x1cb",
    "\x00\x01\x7f control",
    "你好，世界！",
    "こんにちは世界",
    "Привет, мир",
    "café naïve résumé",
    "e\u0301 decomposed A\u030a",
    "emoji 🎉🎉 👨\u200d👩\u200d👧 done",
    "العربية",
    "हिन्दी",
    "ǅungla ﬁne ﬂow",
    "Ω≈ç√∫",
    "zero\u200bwidth \ufeffbom",
    "def f(x):\n    return x ** 2\n",
    "if (a && b) { c++; }",
    "<html><body>hi</body></html>",
    "foo_bar-baz.qux",
    "a+b=c;;; !!!???... ~`@#$%^&*()",
    "<|im_start|>user\nWhat is 7 times 8?<|im_end|>\n<|im_start|>assistant\n",
    "<think>\n\n</think>\n\nIt is 56.<|im_end|>\n",
    "x<|endoftext|>y",
    "<|im_end|><|im_end|>",
    "<|im_star not special <think",
    "a<think>b</think>c",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    " " * 40 + "x",
    "What is 9 plus 6? It is 15.",
    "user: hello\nassistant: hi there\n",
]


# Random strings over scalars that exercise every branch of the split expression (as Qwen2SplitterTests does),
# plus special tokens.
RANDOM_POOL = list("aAsStTrReEvVmMlLdDxyz\u00e9\u4f60\u01c5\u017f0189\u0661\u216b\u00bd'''   \n\n\r\t.,!?-_<>|()#@") + [
    "\u00a0", "\u3000", "\u0085", "\u000b", "\u000c", "\u001c", "\u0301", "\U0001f389", "\u200b", "\ufeff", "\u2028",
    "<|im_end|>", "<think>",
]
RANDOM_STRINGS = 200


def random_strings():
    generator = random.Random(20251129)
    strings = []
    for _ in range(RANDOM_STRINGS):
        strings.append("".join(generator.choice(RANDOM_POOL) for _ in range(generator.randrange(40))))
    return strings


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "bpe")
    os.makedirs(out, exist_ok=True)

    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=256 + MERGES,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus(), trainer)
    tokenizer.add_special_tokens(SPECIAL_TOKENS)
    tokenizer.add_tokens(ADDED_TOKENS)
    tokenizer.save(os.path.join(out, "tokenizer.json"))

    split = pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False)
    expected = []
    for text in TEST_STRINGS + random_strings():
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        normalized = unicodedata.normalize("NFC", text)
        expected.append(
            {
                "text": text,
                "ids": ids,
                "decoded": tokenizer.decode(ids, skip_special_tokens=False),
                "pieces": [piece for piece, _ in split.pre_tokenize_str(normalized)],
            }
        )
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(expected, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    print(f"vocab size {tokenizer.get_vocab_size()}, {len(expected)} strings")


if __name__ == "__main__":
    main()
