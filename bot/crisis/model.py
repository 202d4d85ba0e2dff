"""The learned crisis model: TF-IDF n-grams plus MiniLM sentence embeddings, two calibrated logistic stages.

A gate comes first: a logistic regression over the n-grams alone (no embedding, ~0.1 ms a message in a batch)
whose threshold is set in cross-validation so that it passes at least 99.5% of risk messages of writers it
never saw. Messages below it are "none" without running the sentence encoder (most ordinary chat); messages the
rules flag always get the full model (the veto needs its probability).

Stage 1 (``risk``) separates imminent-or-concern from none; stage 2 (``imminent``) separates imminent from
concern among risk messages. Each stage is a scikit-learn logistic regression over the concatenation of the
hashed TF-IDF blocks (:class:`bot.crisis.features.TextVectorizer`) and the 384-dim embedding
(:class:`bot.crisis.embedding.SentenceEncoder`), with a Platt sigmoid fitted on out-of-source cross-validation
scores, so ``p_risk`` and ``p_imminent`` are calibrated probabilities. A third, small head over the embedding
alone names the kind of risk a message is most similar to (for staff; never the text).

The weights live in ``risk_model.npz`` beside this module, written by ``python -m bot.crisis.train`` from the
repository's own labelled messages. Thresholds and the rule veto floor come from the same file (chosen by
cross-validation on training data only; see train.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.crisis.embedding import DIMENSION, SentenceEncoder
from bot.crisis.features import HASH_BITS, TextVectorizer

__all__ = ["ARTEFACT_PATH", "FORMAT_VERSION", "Head", "ModelScore", "RiskModel", "load_model"]

ARTEFACT_PATH = Path(__file__).with_name("risk_model.npz")
FORMAT_VERSION = 2
N_TEXT = 2 << HASH_BITS  # word block + character block

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Head:
    """One calibrated logistic stage: weights over [text n-grams | embedding], intercept, Platt (a, b)."""

    text_weights: Vector  # dense, length N_TEXT
    emb_weights: Vector  # length DIMENSION
    intercept: float
    platt: tuple[float, float]

    def decision(self, text_x: object, emb: Vector) -> npt.NDArray[np.float64]:
        from scipy.sparse import csr_matrix

        assert isinstance(text_x, csr_matrix)
        return np.asarray(text_x @ self.text_weights, dtype=np.float64) + emb @ self.emb_weights + self.intercept

    def probability(self, decision: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        a, b = self.platt
        return np.asarray(1.0 / (1.0 + np.exp(-(a * decision + b))))


@dataclass(frozen=True, slots=True)
class ModelScore:
    p_risk: float
    p_imminent: float  # probability of imminent given risk
    level: int  # 0 none, 1 concern, 2 imminent, by the model alone
    similar_to: str  # the kind of risk it is most similar to ("" when level is 0)


class RiskModel:
    """Scores batches of messages. Thread-compatible; the caller serialises calls (one encoder session)."""

    __slots__ = ("_encoder", "cat_bias", "cat_weights", "categories", "gate", "imminent", "risk", "thresholds",
                 "vectorizer", "veto_floor")

    def __init__(
        self,
        vectorizer: TextVectorizer,
        gate: Head,
        risk: Head,
        imminent: Head,
        thresholds: tuple[float, float],
        veto_floor: float,
        categories: tuple[str, ...],
        cat_weights: Vector,
        cat_bias: Vector,
        encoder: SentenceEncoder | None = None,
    ) -> None:
        self.vectorizer = vectorizer
        self.gate = gate  # n-grams only; its Platt pair is (1, -threshold): pass when decision >= threshold
        self.risk = risk
        self.imminent = imminent
        self.thresholds = thresholds  # (p_risk, p_imminent) at which each stage fires
        self.veto_floor = veto_floor  # below this p_risk a rule match alone does not alert (see detector)
        self.categories = categories
        self.cat_weights = cat_weights
        self.cat_bias = cat_bias
        self._encoder = encoder

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = SentenceEncoder()
        return self._encoder

    def probabilities(
        self, texts: Sequence[str], embeddings: Vector | None = None
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], Vector]:
        """(p_risk, p_imminent given risk, embeddings) for each text, from the full model (no gate)."""
        emb = self.encoder.encode(texts) if embeddings is None else embeddings
        x = self.vectorizer.transform(texts)
        p_risk = self.risk.probability(self.risk.decision(x, emb))
        p_imm = self.imminent.probability(self.imminent.decision(x, emb))
        return p_risk, p_imm, emb

    def passes_gate(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        x = self.vectorizer.transform(texts)
        return np.asarray(self.gate.decision(x, np.zeros((len(texts), DIMENSION), np.float32)) >= -self.gate.platt[1])

    def score(self, texts: Sequence[str], *, force: Sequence[bool] | None = None) -> list[ModelScore]:
        """Scores; a text below the gate scores p_risk 0 without the encoder, unless ``force`` says otherwise."""
        if not texts:
            return []
        x = self.vectorizer.transform(texts)
        zeros = np.zeros((len(texts), DIMENSION), np.float32)
        passed = self.gate.decision(x, zeros) >= -self.gate.platt[1]
        if force is not None:
            passed |= np.asarray(force, dtype=bool)
        out = [ModelScore(0.0, 0.0, 0, "")] * len(texts)
        rows = np.flatnonzero(passed)
        if len(rows) == 0:
            return out
        emb = self.encoder.encode([texts[int(i)] for i in rows])
        xs = x[rows]
        p_risk = self.risk.probability(self.risk.decision(xs, emb))
        p_imm = self.imminent.probability(self.imminent.decision(xs, emb))
        kinds = np.argmax(emb @ self.cat_weights.T + self.cat_bias, axis=1)
        t_risk, t_imm = self.thresholds
        for row, pr, pi, kind in zip(rows, p_risk, p_imm, kinds, strict=True):
            level = 0 if pr < t_risk else 2 if pi >= t_imm else 1
            out[row] = ModelScore(float(pr), float(pi), level, self.categories[int(kind)] if level else "")
        return out


def _head(data: dict[str, npt.NDArray[np.generic]], name: str) -> Head:
    weights = np.zeros(N_TEXT, dtype=np.float32)
    weights[data[f"{name}_index"].astype(np.int64)] = data[f"{name}_value"].astype(np.float32)
    platt = data[f"{name}_platt"].astype(np.float64)
    return Head(
        text_weights=weights,
        emb_weights=data[f"{name}_emb"].astype(np.float32),
        intercept=float(data[f"{name}_intercept"]),
        platt=(float(platt[0]), float(platt[1])),
    )


def from_arrays(data: dict[str, npt.NDArray[np.generic]], encoder: SentenceEncoder | None = None) -> RiskModel:
    if int(data["version"]) != FORMAT_VERSION:
        raise ValueError(f"crisis model: unsupported version {int(data['version'])}")
    idf = np.zeros(N_TEXT, dtype=np.float32)
    idf[data["idf_index"].astype(np.int64)] = data["idf_value"].astype(np.float32)
    cat_weights = data["cat_weights"].astype(np.float32)
    if cat_weights.shape[1] != DIMENSION:
        raise ValueError("crisis model: category head has the wrong width")
    thresholds = data["thresholds"].astype(np.float64)
    return RiskModel(
        vectorizer=TextVectorizer(idf),
        gate=_head(data, "gate"),
        risk=_head(data, "risk"),
        imminent=_head(data, "imminent"),
        thresholds=(float(thresholds[0]), float(thresholds[1])),
        veto_floor=float(data["veto_floor"]),
        categories=tuple(str(c) for c in data["categories"]),
        cat_weights=cat_weights,
        cat_bias=data["cat_bias"].astype(np.float32),
        encoder=encoder,
    )


def load_model(path: Path = ARTEFACT_PATH, encoder: SentenceEncoder | None = None) -> RiskModel:
    with np.load(path, allow_pickle=False) as npz:
        return from_arrays({k: npz[k] for k in npz.files}, encoder)
