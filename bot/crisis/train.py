"""Train the crisis model (:mod:`bot.crisis.model`) and write ``bot/crisis/risk_model.npz``.

Usage (from the repository root): ``python -m bot.crisis.train [--out PATH] [--check]``

Training data is the repository's OWN labelled messages (:func:`load_training_rows`): the chat corpus
``tests/bot/crisis/corpus/corpus.csv`` (the writers' files, and the retired blind sets 3 to 5, whose first-run
numbers are kept in the README), ``heldout_messages.csv``, ``blind_messages.csv`` (tuned on in the past, so training
data now) and the case tables of ``test_detector.py``. Never the shared dev set, never a blind set
(``blind2_messages.csv`` and ``blind6_messages.csv`` onwards): those only measure, and a training row whose text is
also in one of them is left out (:func:`evaluation_texts`).

Steps, all with scikit-learn (no hand-written optimiser):

1. Features: hashed TF-IDF word 1-2-grams and character 2-5-grams plus the MiniLM embedding
   (:mod:`bot.crisis.features`, :mod:`bot.crisis.embedding`).
2. Leave-one-source-out cross-validation (each writer of the corpus, and each older file, is held out in turn):
   out-of-fold decision values of both stages on messages written by a writer the fold never saw.
3. Platt calibration of each stage on those out-of-fold values.
4. Thresholds and the rule veto floor chosen on the out-of-fold probabilities together with the rules' own
   results (:func:`choose_operating_point`): the highest risk recall with at most ``MAX_FA_NONE`` false alarms on
   ``none``; the imminent threshold keeps ``IMMINENT_RECALL`` of imminent rows imminent.
5. Final stages fitted on all rows; a small category head over the embedding for "similar to" labels.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut

from bot.crisis.embedding import SentenceEncoder
from bot.crisis.features import TextVectorizer
from bot.crisis.model import ARTEFACT_PATH, FORMAT_VERSION, from_arrays

__all__ = ["Row", "evaluation_texts", "load_training_rows", "main", "train"]

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO / "tests" / "bot" / "crisis"
CACHE = REPO / ".cache" / "crisis-embeddings.npz"

C_RISK = 10.0
C_IMMINENT = 10.0
C_GATE = 4.0
GATE_RECALL = 0.995
EMB_SCALE = 0.5
MAX_FA_NONE = 0.05
IMMINENT_RECALL = 0.95
VETO_FLOORS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)

Array = npt.NDArray[np.float64]

# Coarse kinds of risk for the "similar to" head, from the fine categories of the data files.
KINDS = ("plan or means", "overdose or dangerous use", "goodbye", "self-harm", "passive wish to die",
         "worry about someone else")


def kind_of(category: str, label: str) -> str:
    c = category.lower()
    if any(k in c for k in ("third", "worry", "friend", "reported")):
        return KINDS[5]
    if any(k in c for k in ("overdose", "relapse", "withdraw", "mix", "supply", "medical", "refusing", "od_")):
        return KINDS[1]
    if any(k in c for k in ("bye", "giving", "affairs", "letter", "farewell", "settling")):
        return KINDS[2]
    if any(k in c for k in ("self_harm", "selfharm", "cut", "burn", "sh_")):
        return KINDS[3]
    if any(k in c for k in ("passive", "burden", "hopeless", "humour", "humor", "wish")):
        return KINDS[4]
    return KINDS[0] if label == "imminent" else KINDS[4]


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: str
    category: str
    source: str


def _read_csv(path: Path, source: str) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            Row(r["text"], r["label"].strip().lower(), (r.get("category") or "").strip(), r.get("source") or source)
            for r in csv.DictReader(fh)
        ]


def load_training_rows(data_dir: Path = DATA_DIR) -> list[Row]:
    """All training rows, first occurrence of a text wins. The source is the writer (for leave-one-out)."""
    spec = importlib.util.spec_from_file_location("_hearth_detector_tables", data_dir / "test_detector.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {data_dir / 'test_detector.py'}")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    rows = _read_csv(data_dir / "corpus" / "corpus.csv", "corpus")
    rows += _read_csv(data_dir / "heldout_messages.csv", "heldout")
    rows += _read_csv(data_dir / "blind_messages.csv", "blind1")
    for label, cases in (
        ("imminent", tables.IMMINENT_CASES + tables.GENERALISATION_IMMINENT),
        ("concern", tables.CONCERN_CASES + tables.GENERALISATION_CONCERN),
        ("none", tables.NONE_CASES + tables.GENERALISATION_NONE),
    ):
        rows += [Row(t, label, "", "tables") for t in cases]
    measured = evaluation_texts(data_dir)
    seen: set[str] = set()
    out: list[Row] = []
    for row in rows:
        if row.label not in ("imminent", "concern", "none"):
            raise ValueError(f"bad label {row.label!r} from {row.source}")
        if row.text.strip() and row.text not in seen and _key(row.text) not in measured:
            seen.add(row.text)
            out.append(row)
    return out


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def evaluation_texts(data_dir: Path = DATA_DIR) -> set[str]:
    """Texts of the sets that only measure (the shared dev set and every blind set but blind1), compared ignoring
    case and spacing: a training file that happens to hold one of them (a common short phrase) never trains on it."""
    paths = [REPO.parent / "shared" / "crisis-data" / "dev_messages.csv"]
    paths += [p for p in sorted(data_dir.glob("blind*_messages.csv")) if p.name != "blind_messages.csv"]
    texts: set[str] = set()
    for path in paths:
        if path.is_file():
            texts.update(_key(row.text) for row in _read_csv(path, path.stem))
    return texts


def embed(texts: Sequence[str], encoder: SentenceEncoder, cache: Path | None = CACHE) -> npt.NDArray[np.float32]:
    """Embeddings of ``texts``, from a local cache keyed by the text's sha1 when one exists (dev speed only)."""
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    known: dict[str, npt.NDArray[np.float32]] = {}
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as npz:
            known = dict(zip(npz["keys"].tolist(), npz["vectors"], strict=True))
    missing = [i for i, k in enumerate(keys) if k not in known]
    for start in range(0, len(missing), 64):
        chunk = missing[start:start + 64]
        for i, v in zip(chunk, encoder.encode([texts[i] for i in chunk]), strict=True):
            known[keys[i]] = v
    if cache is not None and missing:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, keys=np.array(list(known)), vectors=np.array(list(known.values()), dtype=np.float32))
    return np.array([known[k] for k in keys], dtype=np.float32)


def _design(x_text: sp.csr_matrix, emb: npt.NDArray[np.float32]) -> sp.csr_matrix:
    return sp.hstack([x_text, sp.csr_matrix(emb * EMB_SCALE)], format="csr")


def _fit(x: sp.csr_matrix, y: npt.NDArray[np.int64], c: float) -> LogisticRegression:
    clf = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0)
    return clf.fit(x, y)


def _platt(decision: Array, y: npt.NDArray[np.int64]) -> tuple[float, float]:
    cal = LogisticRegression(C=1e4, solver="lbfgs").fit(decision[:, None], y)
    return float(cal.coef_[0, 0]), float(cal.intercept_[0])


def _sigmoid(z: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    t_risk: float
    t_imminent: float
    veto_floor: float
    risk_recall: float
    imminent_recall: float
    false_alarms: float


def combine(
    p_risk: Array, p_imm: Array, rules: Sequence[int], t_risk: float, t_imm: float, veto: float
) -> list[int]:
    """The detector's decision table (see CrisisDetector.assess), on arrays."""
    out = []
    for pr, pi, rl in zip(p_risk, p_imm, rules, strict=True):
        model = 0 if pr < t_risk else 2 if pi >= t_imm else 1
        out.append(max(model, rl if pr >= veto else 0))
    return out


def choose_operating_point(
    p_risk: Array, p_imm: Array, rules: Sequence[int], labels: Sequence[str]
) -> OperatingPoint:
    gold = np.array([{"none": 0, "concern": 1, "imminent": 2}[lab] for lab in labels])
    imminent_rows = p_imm[gold == 2]
    t_imm = float(np.quantile(imminent_rows, 1.0 - IMMINENT_RECALL)) if len(imminent_rows) else 0.5
    best: OperatingPoint | None = None
    candidates = np.unique(np.quantile(p_risk, np.linspace(0.0, 1.0, 801)))
    for veto in VETO_FLOORS:
        for t in candidates[::-1]:  # from strict to lenient; stop at the budget
            pred = np.array(combine(p_risk, p_imm, rules, float(t), t_imm, veto))
            fa = float(np.mean(pred[gold == 0] > 0))
            if fa > MAX_FA_NONE:
                break
            point = OperatingPoint(
                t_risk=float(t), t_imminent=t_imm, veto_floor=veto,
                risk_recall=float(np.mean(pred[gold > 0] > 0)),
                imminent_recall=float(np.mean(pred[gold == 2] == 2)), false_alarms=fa,
            )
            if best is None or (point.risk_recall, point.imminent_recall) > (best.risk_recall, best.imminent_recall):
                best = point
    if best is None:
        raise RuntimeError("no operating point meets the false-alarm budget")
    return best


def train(
    rows: Sequence[Row], encoder: SentenceEncoder | None = None, cache: Path | None = CACHE
) -> tuple[dict[str, npt.NDArray[np.generic]], str]:
    """Returns (the arrays of the artefact, a short cross-validation report)."""
    from bot.crisis.detector import CrisisDetector

    encoder = encoder or SentenceEncoder()
    texts = [r.text for r in rows]
    labels = [r.label for r in rows]
    emb = embed(texts, encoder, cache)
    y_risk = np.array([lab != "none" for lab in labels], dtype=np.int64)
    y_imm = np.array([lab == "imminent" for lab in labels], dtype=np.int64)
    groups = np.array([r.source for r in rows])

    oof_risk = np.zeros(len(rows))
    oof_imm = np.zeros(len(rows))
    oof_gate = np.zeros(len(rows))
    for train_idx, test_idx in LeaveOneGroupOut().split(texts, groups=groups):
        vec = TextVectorizer().fit([texts[i] for i in train_idx])
        x_text = vec.transform(texts)
        oof_gate[test_idx] = _fit(x_text[train_idx], y_risk[train_idx], C_GATE).decision_function(x_text[test_idx])
        x = _design(x_text, emb)
        oof_risk[test_idx] = _fit(x[train_idx], y_risk[train_idx], C_RISK).decision_function(x[test_idx])
        risky = train_idx[y_risk[train_idx] == 1]
        oof_imm[test_idx] = _fit(x[risky], y_imm[risky], C_IMMINENT).decision_function(x[test_idx])
    platt_risk = _platt(oof_risk, y_risk)
    risky_all = y_risk == 1
    platt_imm = _platt(oof_imm[risky_all], y_imm[risky_all])
    p_risk = _sigmoid(platt_risk[0] * oof_risk + platt_risk[1])
    p_imm = _sigmoid(platt_imm[0] * oof_imm + platt_imm[1])
    # The gate passes GATE_RECALL of risk rows of unseen writers; below it, the full model is not run.
    gate_threshold = float(np.quantile(oof_gate[y_risk == 1], 1.0 - GATE_RECALL))
    gated = oof_gate < gate_threshold
    p_risk_gated = np.where(gated, 0.0, p_risk)
    rules_detector = CrisisDetector(use_model=False)
    rules = [rules_detector.assess_rules(t).severity.rank for t in texts]
    rule_flag = np.array(rules) > 0
    point = choose_operating_point(np.where(rule_flag, p_risk, p_risk_gated), p_imm, rules, labels)

    vec = TextVectorizer().fit(texts)
    x_text = vec.transform(texts)
    gate = _fit(x_text, y_risk, C_GATE)
    x = _design(x_text, emb)
    risk = _fit(x, y_risk, C_RISK)
    imm = _fit(x[risky_all], y_imm[risky_all], C_IMMINENT)
    kinds = [kind_of(r.category, r.label) for r in rows]
    kind_index = np.array([KINDS.index(k) for k in kinds])
    cat = LogisticRegression(C=2.0, max_iter=2000).fit(emb[risky_all], kind_index[risky_all])
    cat_weights = np.zeros((len(KINDS), emb.shape[1]), dtype=np.float32)
    cat_bias = np.full(len(KINDS), -1e3, dtype=np.float32)  # a kind absent from training is never chosen
    for row, k in enumerate(cat.classes_):
        cat_weights[k] = cat.coef_[row]
        cat_bias[k] = cat.intercept_[row]

    assert vec.idf is not None
    n_text = vec.idf.shape[0]
    arrays: dict[str, npt.NDArray[np.generic]] = {
        "version": np.array(FORMAT_VERSION),
        "idf_index": np.flatnonzero(vec.idf).astype(np.int32),
        "idf_value": vec.idf[vec.idf != 0].astype(np.float32),
        "thresholds": np.array([point.t_risk, point.t_imminent]),
        "veto_floor": np.array(point.veto_floor),
        "categories": np.array(KINDS),
        "cat_weights": cat_weights,
        "cat_bias": cat_bias,
        "training_rows": np.array(len(rows)),
    }
    for name, clf in (("gate", gate), ("risk", risk), ("imminent", imm)):
        coef = clf.coef_[0]
        text_w = coef[:n_text]
        keep = np.flatnonzero(text_w)
        arrays[f"{name}_index"] = keep.astype(np.int32)
        arrays[f"{name}_value"] = text_w[keep].astype(np.float32)
        emb_w = coef[n_text:] * EMB_SCALE if len(coef) > n_text else np.zeros(emb.shape[1])
        arrays[f"{name}_emb"] = emb_w.astype(np.float32)
        arrays[f"{name}_intercept"] = np.array(float(clf.intercept_[0]))
    arrays["gate_platt"] = np.array([1.0, -gate_threshold])  # passes when decision >= threshold
    arrays["risk_platt"] = np.array(platt_risk)
    arrays["imminent_platt"] = np.array(platt_imm)

    by_source = sorted(set(groups.tolist()))
    report = (
        f"{len(rows)} rows from {len(by_source)} sources ({', '.join(by_source)}); leave-one-source-out CV, "
        f"rules + model: risk recall {point.risk_recall:.3f}, imminent recall {point.imminent_recall:.3f}, "
        f"false alarms on none {point.false_alarms:.3f}; thresholds p_risk {point.t_risk:.4f}, "
        f"p_imminent {point.t_imminent:.4f}, rule veto floor {point.veto_floor}; the n-gram gate skips the "
        f"encoder for {float(np.mean(gated[y_risk == 0])):.0%} of none rows and "
        f"{float(np.mean(gated[y_risk == 1])):.1%} of risk rows (out of fold)"
    )
    return arrays, report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.crisis.train", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ARTEFACT_PATH)
    parser.add_argument("--no-cache", action="store_true", help="compute every embedding afresh")
    args = parser.parse_args(argv)
    rows = load_training_rows()
    arrays, report = train(rows, cache=None if args.no_cache else CACHE)
    from_arrays(arrays)  # refuses a malformed artefact before it is written
    np.savez_compressed(args.out, **arrays)  # type: ignore[arg-type]
    print(report)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
