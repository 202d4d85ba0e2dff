"""Evaluate the crisis detector on a labelled CSV.

Usage: ``python -m bot.crisis.evaluate PATH.csv [--predictions OUT.csv]``

The CSV needs columns ``text`` and ``label`` (``imminent``/``concern``/``none``);
extra columns are ignored. Prints precision and recall per label, risk recall
(imminent or concern flagged as either), imminent recall, the false-alarm rate on
``none`` and the confusion matrix; then, from the model's calibrated probabilities, ROC AUC for risk (risk vs
none) and for imminent (imminent vs the rest), and the model's risk recall at false-alarm rates of 1/3/5/10%
(the threshold set on this file's own ``none`` rows: a ceiling, not an operating point).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.crisis.detector import CrisisDetector

__all__ = ["LABELS", "Metrics", "compute_metrics", "main"]

LABELS: tuple[str, ...] = ("imminent", "concern", "none")


class EvaluateError(Exception):
    """Bad input file; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Metrics:
    n: int
    confusion: dict[str, dict[str, int]]  # confusion[gold][predicted]
    precision: dict[str, float]
    recall: dict[str, float]
    risk_recall: float
    imminent_recall: float
    false_alarm_rate: float


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def compute_metrics(gold: Sequence[str], predicted: Sequence[str]) -> Metrics:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    confusion = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    precision: dict[str, float] = {}
    recall: dict[str, float] = {}
    for label in LABELS:
        tp = confusion[label][label]
        precision[label] = _ratio(tp, sum(confusion[g][label] for g in LABELS))
        recall[label] = _ratio(tp, sum(confusion[label].values()))
    risk_total = sum(sum(confusion[g].values()) for g in ("imminent", "concern"))
    risk_hit = sum(confusion[g][p] for g in ("imminent", "concern") for p in ("imminent", "concern"))
    none_total = sum(confusion["none"].values())
    none_flagged = confusion["none"]["imminent"] + confusion["none"]["concern"]
    return Metrics(
        n=len(gold),
        confusion=confusion,
        precision=precision,
        recall=recall,
        risk_recall=_ratio(risk_hit, risk_total),
        imminent_recall=recall["imminent"],
        false_alarm_rate=_ratio(none_flagged, none_total),
    )


def read_labelled(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise EvaluateError(f"file not found: {path}")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        missing = [c for c in ("text", "label") if c not in fields]
        if missing:
            raise EvaluateError(f"{path}: missing column(s) {', '.join(missing)}; need text,label")
        rows: list[tuple[str, str]] = []
        for lineno, row in enumerate(reader, start=2):
            label = (row.get("label") or "").strip().lower()
            if label not in LABELS:
                raise EvaluateError(
                    f"{path}:{lineno}: label {label!r} is not one of {', '.join(LABELS)}"
                )
            rows.append((row.get("text") or "", label))
    return rows


@dataclass(frozen=True, slots=True)
class Ranking:
    risk_auc: float | None  # None when a class is missing from the file
    imminent_auc: float | None
    recall_at_fa: dict[float, float]  # false-alarm rate on none -> risk recall of the model's score


FA_RATES: tuple[float, ...] = (0.01, 0.03, 0.05, 0.10)


def compute_ranking(gold: Sequence[str], p_risk: Sequence[float], p_imminent: Sequence[float]) -> Ranking:
    from sklearn.metrics import roc_auc_score

    risk = [g != "none" for g in gold]
    imminent = [g == "imminent" for g in gold]
    risk_auc = float(roc_auc_score(risk, p_risk)) if 0 < sum(risk) < len(risk) else None
    imm_auc = float(roc_auc_score(imminent, p_imminent)) if 0 < sum(imminent) < len(imminent) else None
    none_scores = sorted((p for p, r in zip(p_risk, risk, strict=True) if not r), reverse=True)
    risk_scores = [p for p, r in zip(p_risk, risk, strict=True) if r]
    at: dict[float, float] = {}
    if none_scores and risk_scores:
        for rate in FA_RATES:
            allowed = int(rate * len(none_scores) + 1e-9)
            # flag scores strictly above the (allowed+1)-th highest none score: at most `allowed` false alarms
            cut = none_scores[allowed] if allowed < len(none_scores) else -1.0
            at[rate] = sum(1 for p in risk_scores if p > cut) / len(risk_scores)
    return Ranking(risk_auc, imm_auc, at)


def format_ranking(r: Ranking) -> str:
    def auc(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    lines = ["", f"ROC AUC (model probability): risk {auc(r.risk_auc)}, imminent {auc(r.imminent_auc)}"]
    if r.recall_at_fa:
        lines.append("model risk recall at a false-alarm rate on none of:")
        lines.append("  " + "  ".join(f"{rate:.0%}: {rec:.3f}" for rate, rec in r.recall_at_fa.items()))
    return "\n".join(lines)


def format_report(m: Metrics) -> str:
    lines = [f"messages: {m.n}", "", f"{'label':<10}{'precision':>10}{'recall':>10}{'support':>10}"]
    for label in LABELS:
        support = sum(m.confusion[label].values())
        lines.append(f"{label:<10}{m.precision[label]:>10.3f}{m.recall[label]:>10.3f}{support:>10}")
    lines += [
        "",
        f"risk recall (imminent+concern flagged as either): {m.risk_recall:.3f}",
        f"imminent recall: {m.imminent_recall:.3f}",
        f"false-alarm rate on none: {m.false_alarm_rate:.3f}",
        "",
        "confusion matrix (rows = gold, columns = predicted):",
        f"{'':<10}" + "".join(f"{p:>10}" for p in LABELS),
    ]
    for g in LABELS:
        lines.append(f"{g:<10}" + "".join(f"{m.confusion[g][p]:>10}" for p in LABELS))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.crisis.evaluate",
        description="Evaluate the crisis detector on a CSV with columns text,label "
        "(labels imminent/concern/none; extra columns ignored).",
    )
    parser.add_argument("path", type=Path, help="CSV file with columns text,label")
    parser.add_argument("--predictions", type=Path, metavar="OUT.csv",
                        help="write every row with its predicted label (columns text,label,predicted)")
    args = parser.parse_args(argv)
    try:
        rows = read_labelled(args.path)
    except EvaluateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        print(f"error: cannot read {args.path}: {exc.__class__.__name__}", file=sys.stderr)
        return 2
    detector = CrisisDetector()
    texts = [text for text, _ in rows]
    predicted: list[str] = []
    p_risk: list[float] = []
    p_imminent: list[float] = []
    for start in range(0, len(texts), 32):
        batch = texts[start:start + 32]
        predicted += [a.severity.value for a in detector.assess_batch(batch)]
        pr, pi, _emb = detector.model.probabilities(batch)
        p_risk += pr.tolist()
        p_imminent += (pr * pi).tolist()
    gold = [label for _, label in rows]
    print(format_report(compute_metrics(gold, predicted)))
    print(format_ranking(compute_ranking(gold, p_risk, p_imminent)))
    if args.predictions is not None:
        try:
            with args.predictions.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["text", "label", "predicted"])
                for (text, label), pred in zip(rows, predicted, strict=True):
                    writer.writerow([text, label, pred])
        except OSError as exc:
            print(f"error: cannot write {args.predictions}: {exc.__class__.__name__}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
