#!/usr/bin/env python3
"""Golden values from Hugging Face PEFT for a LoRA adapter on the tiny Qwen3 of `qwen3-tiny/` (see README.md).

Writes `lora/adapter/` (adapter_model.safetensors + adapter_config.json, exactly as PEFT's save_pretrained writes
them) and `lora/expected.safetensors`:
- `logits` [2, 16, 256]: the base model with the adapter, on `inputs.safetensors`' `input_ids`;
- `loss` []: Σ per-token cross-entropy over `targets` ≠ -100 / their count;
- `grad.<peft name>`: ∂loss/∂ every lora_A / lora_B weight (the base is frozen);
- `step1.param.<peft name>`: every adapter weight after one AdamW step (lr 1e-2, betas 0.9/0.999, eps 1e-8,
  weight decay 0.1) after clipping the gradients to norm 1.0; `step1.grad_norm` [] the norm before clipping.

The adapter is r = 4, lora_alpha = 8, lora_dropout = 0, on all seven linear modules, created with PEFT's own
initialisation under a seed and then B filled with small random values (PEFT starts B at zero, which would make
the adapter a no-op and its A gradients zero, testing nothing).

    cd Tests/CairnNNTests/Fixtures && python3 make_lora_parity.py
"""
import os
import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import Qwen3ForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def main() -> None:
    torch.manual_seed(20241129)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    base = Qwen3ForCausalLM.from_pretrained(os.path.join(HERE, "qwen3-tiny"), torch_dtype=torch.float32,
                                            attn_implementation="eager")
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=TARGETS, bias="none",
                        task_type="CAUSAL_LM")
    model = get_peft_model(base, config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.copy_(torch.randn_like(parameter) * 0.02)
    out = os.path.join(HERE, "lora")
    os.makedirs(out, exist_ok=True)
    # A portable pointer to the base, and no generated model card (README.md) in the fixture.
    model.peft_config["default"].base_model_name_or_path = "../../qwen3-tiny"
    model.save_pretrained(os.path.join(out, "adapter"))
    card = os.path.join(out, "adapter", "README.md")
    if os.path.exists(card):
        os.remove(card)

    inputs = load_file(os.path.join(HERE, "inputs.safetensors"))
    ids, targets = inputs["input_ids"].long(), inputs["targets"].long()
    expected = {}
    model.train()
    logits = model(input_ids=ids).logits
    mask = targets != -100
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                             ignore_index=-100, reduction="sum") / mask.sum()
    loss.backward()
    expected["logits"] = logits.detach().contiguous()
    expected["loss"] = loss.detach().reshape([])
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    saved_names = set(load_file(os.path.join(out, "adapter", "adapter_model.safetensors")).keys())

    def peft_name(name: str) -> str:  # "base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight"
        return name.replace(".default", "")

    for name, parameter in trainable:
        assert peft_name(name) in saved_names, name
        expected["grad." + peft_name(name)] = parameter.grad.detach().clone()
    norm = torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
    expected["step1.grad_norm"] = norm.detach().reshape([])
    optimizer = torch.optim.AdamW([p for _, p in trainable], lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    optimizer.step()
    for name, parameter in trainable:
        expected["step1.param." + peft_name(name)] = parameter.detach().clone()
    save_file({k: v.contiguous() for k, v in expected.items()}, os.path.join(out, "expected.safetensors"),
              metadata={"torch": torch.__version__})
    print(f"wrote {out}: {len(trainable)} adapter tensors, loss {loss.item():.6f}, grad norm {norm.item():.6f}")


if __name__ == "__main__":
    main()
