"""The int8 ONNX MiniLM encoder (bot/crisis/embedding.py) against the upstream fp32 model, and its safeguards."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.crisis.embedding import DIMENSION, EmbeddingError, SentenceEncoder, model_file

REFERENCE = Path(__file__).with_name("minilm_reference.json")


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_matches_the_upstream_fp32_model(encoder: SentenceEncoder) -> None:
    """Cosine >= 0.99 per sentence against vectors computed once from the fp32 weights (dev/minilm_reference.py)."""
    doc = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = encoder.encode(doc["sentences"])
    ref = np.array(doc["vectors"], dtype=np.float32)
    cosines = (ours * ref).sum(axis=1) / np.linalg.norm(ref, axis=1)
    assert ours.shape == (len(doc["sentences"]), DIMENSION)
    assert cosines.min() >= 0.99, {s: round(float(c), 4) for s, c in zip(doc["sentences"], cosines, strict=True)}


def test_vectors_are_unit_length_and_batch_independent(encoder: SentenceEncoder) -> None:
    texts = ["hi", "i took all my pills like twenty minutes ago and i feel weird", ""]
    batch = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(batch, alone, atol=2e-3)  # padding must not change a text's vector
    assert encoder.encode([]).shape == (0, DIMENSION)


def test_a_different_model_file_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(model_file().read_bytes()[:-1] + b"\x00")
    with pytest.raises(EmbeddingError, match="sha256"):
        SentenceEncoder(fake)
    with pytest.raises(EmbeddingError, match="not found"):
        SentenceEncoder(tmp_path / "missing.onnx")
