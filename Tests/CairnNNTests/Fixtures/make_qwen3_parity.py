#!/usr/bin/env python3
"""Make the Hugging Face parity fixtures for Cairn's Qwen3 decoder (see README.md beside this file).

Run from anywhere:  python3 make_qwen3_parity.py
                    python3 make_qwen3_parity.py --float64-check   (prints how far float32 is from float64)
It rewrites, next to itself:
  qwen3-tiny/                  config.json + model.safetensors (float32, save_pretrained, tied: no lm_head.weight)
  qwen3-tiny-bf16-sharded/     the same weights in bfloat16, 2 shards + model.safetensors.index.json
  qwen3-tiny-f16/              the same weights in float16, one file
  inputs.safetensors           input_ids [2, 16] I64, targets [2, 16] I64 (already shifted, -100 = ignored)
  expected.safetensors         logits, loss, grad.<name>, step<k>.{loss,lr,grad_norm,param.<name>} for k = 1, 2, 3
  expected-bf16.safetensors    float32 logits of the bf16-rounded weights on the same inputs

Generated with (the versions this script was last run with; it warns when yours differ):
  torch 2.13.0+cpu, transformers 5.24.0, safetensors 0.8.0, numpy 2.4.6, Python 3.11.7
Everything is seeded and runs on one CPU thread, so re-running with those versions rewrites identical bytes.
"""

import copy
import json
import math
import os
import shutil
import sys

import numpy
import safetensors
import torch
import transformers
from safetensors.torch import save_file
from transformers import Qwen3Config, Qwen3ForCausalLM, get_cosine_schedule_with_warmup

PINNED_VERSIONS = {
    "torch": "2.13.0+cpu",
    "transformers": "5.24.0",
    "safetensors": "0.8.0",
    "numpy": "2.4.6",
}

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240607
BATCH, SEQ = 2, 16
IGNORE_INDEX = -100

# Three AdamW steps, as the brief fixes them.
LEARNING_RATE = 1e-2
BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY = 0.1
MAX_GRAD_NORM = 1.0
WARMUP_STEPS = 1
TRAINING_STEPS = 3


def installed_versions():
    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "safetensors": safetensors.__version__,
        "numpy": numpy.__version__,
    }


def make_config():
    return Qwen3Config(
        vocab_size=256,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        hidden_act="silu",
        max_position_embeddings=128,
        initializer_range=0.02,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        attention_bias=False,
        attention_dropout=0.0,
        use_cache=False,
    )


def make_model(config):
    """The model's own init (normal(0, initializer_range) for Linear/Embedding, ones for RMSNorm) under a seed,
    then RMSNorm weights moved away from 1 so that a missing or misplaced norm weight shows in every output."""
    torch.manual_seed(SEED)
    model = Qwen3ForCausalLM._from_config(config, attn_implementation="eager", dtype=torch.float32)
    generator = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "norm" in name:
                parameter.copy_(1.0 + 0.25 * torch.randn(parameter.shape, generator=generator))
    assert model.lm_head.weight is model.model.embed_tokens.weight, "embeddings must be tied"
    return model


def make_inputs(vocab_size):
    generator = torch.Generator().manual_seed(SEED + 2)
    input_ids = torch.randint(0, vocab_size, (BATCH, SEQ), generator=generator, dtype=torch.int64)
    targets = torch.full((BATCH, SEQ), IGNORE_INDEX, dtype=torch.int64)
    targets[:, :-1] = input_ids[:, 1:]  # targets[:, i] is the token after position i
    targets[0, :3] = IGNORE_INDEX       # a "prompt" of 3 positions in row 0
    targets[1, :5] = IGNORE_INDEX       # and of 5 in row 1
    return input_ids, targets


def mean_token_loss(logits, targets):
    """Sum of per-token cross-entropy over non-ignored targets divided by their count."""
    flat_logits = logits.reshape(-1, logits.shape[-1]).float()
    flat_targets = targets.reshape(-1)
    total = torch.nn.functional.cross_entropy(
        flat_logits, flat_targets, ignore_index=IGNORE_INDEX, reduction="sum")
    return total / (flat_targets != IGNORE_INDEX).sum()


def scalar(value):
    return torch.tensor(float(value), dtype=torch.float32)


def save_folder(model, folder, dtype, **kwargs):
    """save_pretrained of a copy in `dtype`: converting the model itself back and forth would also round its
    float buffers (RoPE's inv_freq) and change every later output."""
    path = os.path.join(HERE, folder)
    shutil.rmtree(path, ignore_errors=True)
    copy.deepcopy(model).to(dtype).save_pretrained(path, **kwargs)
    return path


def check_saved_folders(input_ids, logits, bf16_logits):
    """Reload every saved folder with from_pretrained: float32 reproduces the logits bit for bit, bf16 weights
    widened to float32 reproduce expected-bf16, f16 weights stay close."""
    def reload(folder):
        model = Qwen3ForCausalLM.from_pretrained(os.path.join(HERE, folder), attn_implementation="eager",
                                                 dtype=torch.float32)
        model.eval()
        with torch.no_grad():
            return model(input_ids=input_ids).logits
    assert torch.equal(reload("qwen3-tiny"), logits), "qwen3-tiny does not reproduce the logits"
    assert torch.equal(reload("qwen3-tiny-bf16-sharded"), bf16_logits), "bf16 folder does not reproduce expected-bf16"
    f16_difference = (reload("qwen3-tiny-f16") - logits).abs().max().item()
    assert f16_difference < 1e-2, f"f16 logits differ by {f16_difference}"
    print(f"reloaded folders: float32 exact, bf16 exact against expected-bf16, f16 max |diff| {f16_difference:.2e}")


def float64_check():
    """Recompute everything in float64 and print how far the float32 fixtures are from it: a correct
    implementation with other reduction orders lands about this far away (see README.md, tolerances)."""
    from safetensors.torch import load_file
    torch.set_num_threads(1)
    expected = load_file(os.path.join(HERE, "expected.safetensors"))
    config = make_config()
    model = make_model(config).double()
    input_ids, targets = make_inputs(config.vocab_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, betas=BETAS, eps=EPS,
                                  weight_decay=WEIGHT_DECAY)
    scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=WARMUP_STEPS,
                                                num_training_steps=TRAINING_STEPS)

    def worst(prefix):
        return max(((p - expected[prefix + n].double()).abs().max().item(), n) for n, p in model.named_parameters())

    for step in range(1, TRAINING_STEPS + 1):
        optimizer.zero_grad(set_to_none=True)
        logits = model(input_ids=input_ids).logits
        loss = mean_token_loss(logits, targets)
        loss.backward()
        if step == 1:
            print(f"logits max |diff| {(logits - expected['logits'].double()).abs().max().item():.3g}")
            gradient = max(((p.grad - expected["grad." + n].double()).abs().max().item(), n)
                           for n, p in model.named_parameters())
            print(f"grad max |diff| {gradient[0]:.3g} ({gradient[1]})")
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        optimizer.step()
        scheduler.step()
        parameter = worst(f"step{step}.param.")
        print(f"step {step}: loss |diff| {abs(loss.item() - expected[f'step{step}.loss'].item()):.3g}, "
              f"grad_norm |diff| {abs(grad_norm.item() - expected[f'step{step}.grad_norm'].item()):.3g}, "
              f"param max |diff| {parameter[0]:.3g} ({parameter[1]})")


def main():
    versions = installed_versions()
    for package, pinned in PINNED_VERSIONS.items():
        if versions[package] != pinned:
            print(f"warning: {package} {versions[package]} differs from {pinned}: bytes may differ", file=sys.stderr)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    config = make_config()
    model = make_model(config)
    names = [name for name, _ in model.named_parameters()]
    initial = {name: parameter.detach().clone() for name, parameter in model.named_parameters()}

    # Weights: float32 as save_pretrained writes them, then bf16 sharded and f16 single-file copies.
    save_folder(model, "qwen3-tiny", torch.float32)
    sharded = save_folder(model, "qwen3-tiny-bf16-sharded", torch.bfloat16, max_shard_size="100KB")
    save_folder(model, "qwen3-tiny-f16", torch.float16)
    shard_files = sorted(f for f in os.listdir(sharded) if f.endswith(".safetensors"))
    assert len(shard_files) == 2, f"expected 2 bf16 shards, got {shard_files}"

    input_ids, targets = make_inputs(config.vocab_size)
    save_file({"input_ids": input_ids, "targets": targets}, os.path.join(HERE, "inputs.safetensors"),
              metadata={"ignore_index": str(IGNORE_INDEX)})

    expected = {}

    # Float32 logits of the bf16-rounded weights (the Swift loader converts BF16 → F32 exactly).
    bf16_model = make_model(config)
    with torch.no_grad():
        for name, parameter in bf16_model.named_parameters():
            parameter.copy_(initial[name].to(torch.bfloat16).to(torch.float32))
        bf16_model.eval()
        bf16_logits = bf16_model(input_ids=input_ids).logits.contiguous()
    save_file({"logits": bf16_logits}, os.path.join(HERE, "expected-bf16.safetensors"),
              metadata={"weights": "qwen3-tiny weights rounded to bfloat16 (round to nearest even), computed in float32"})

    # Three optimizer steps; step 1's forward and backward are also the plain logits/loss/grad fixtures.
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, betas=BETAS, eps=EPS,
                                  weight_decay=WEIGHT_DECAY)
    scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=WARMUP_STEPS,
                                                num_training_steps=TRAINING_STEPS)
    for step in range(1, TRAINING_STEPS + 1):
        optimizer.zero_grad(set_to_none=True)
        logits = model(input_ids=input_ids).logits
        loss = mean_token_loss(logits, targets)
        loss.backward()
        if step == 1:
            expected["logits"] = logits.detach().contiguous().clone()
            expected["loss"] = loss.detach().reshape([]).clone()
            for name, parameter in model.named_parameters():
                expected[f"grad.{name}"] = parameter.grad.detach().clone()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        learning_rate = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        expected[f"step{step}.loss"] = loss.detach().reshape([]).clone()
        expected[f"step{step}.lr"] = scalar(learning_rate)
        expected[f"step{step}.grad_norm"] = grad_norm.detach().reshape([]).float().clone()
        for name, parameter in model.named_parameters():
            expected[f"step{step}.param.{name}"] = parameter.detach().clone()
        print(f"step {step}: loss {loss.item():.6f} lr {learning_rate:.6g} grad_norm {grad_norm.item():.6f}")

    # One metadata entry: safetensors writes __metadata__ from a hash map, so several keys come out in a
    # different order on every run and the file would not be byte-for-byte reproducible.
    description = {
        "parameters": names,
        "versions": versions,
        "optimizer": {"kind": "torch.optim.AdamW", "lr": LEARNING_RATE, "betas": list(BETAS), "eps": EPS,
                      "weight_decay": WEIGHT_DECAY, "max_grad_norm": MAX_GRAD_NORM,
                      "schedule": "get_cosine_schedule_with_warmup", "num_warmup_steps": WARMUP_STEPS,
                      "num_training_steps": TRAINING_STEPS},
    }
    metadata = {"fixture": json.dumps(description, sort_keys=True)}
    save_file(expected, os.path.join(HERE, "expected.safetensors"), metadata=metadata)

    check_saved_folders(input_ids, expected["logits"], bf16_logits)

    total = 0
    for root, _, files in os.walk(HERE):
        for file in files:
            if file.endswith((".safetensors", ".json")):
                os.chmod(os.path.join(root, file), 0o644)  # safetensors writes 0600
                total += os.path.getsize(os.path.join(root, file))
    print(f"loss {expected['loss'].item():.6f} (ln 256 = {math.log(256):.6f}); fixture bytes {total}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--float64-check"]:
        float64_check()
    elif sys.argv[1:]:
        sys.exit("usage: make_qwen3_parity.py [--float64-check]")
    else:
        main()
