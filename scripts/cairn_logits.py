"""What check_hf_export.py and check_peft_export.py share: a fixed random token sequence, Cairn's logits for it
(through `cairn logits`), and the comparison with a PyTorch model's logits."""
import os
import subprocess
import tempfile


def random_ids(torch, vocab_size: int, count: int):
    """`count` token ids below `vocab_size`, the same on every run (torch generator seeded with 0)."""
    generator = torch.Generator().manual_seed(0)
    return torch.randint(0, vocab_size, (1, count), generator=generator)


def reference_logits(torch, model, ids):
    """`model`'s logits for `ids`, as a [tokens, vocabulary] numpy array."""
    model.eval()
    with torch.no_grad():
        return model(input_ids=ids).logits[0].numpy()


def cairn_logits(cairn: str, model_arguments: list, ids):
    """Cairn's logits for `ids`: `cairn logits MODEL_ARGUMENTS… --tokens … --output FILE`, read back."""
    from safetensors.numpy import load_file
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "logits.safetensors")
        subprocess.run([cairn, "logits", *model_arguments, "--tokens", " ".join(map(str, ids[0].tolist())),
                        "--output", path], check=True)
        return load_file(path)["logits"]


def compare(reference, cairn, label: str) -> int:
    """Prints the largest difference and returns 0 when it is within 1e-4 of the logits' scale, else 1."""
    scale = float(abs(reference).max())
    difference = float(abs(cairn - reference).max())
    ok = difference <= 1e-4 * max(scale, 1.0)
    print(f"{'OK' if ok else 'MISMATCH'}: max |cairn - {label}| (logit scale {scale:.3f}) = {difference:.3e}")
    return 0 if ok else 1
