"""Evaluate the crisis detector on a labelled CSV.

Usage: ``python -m bot.crisis.evaluate PATH.csv [--predictions OUT.csv]``

The CSV needs columns ``text`` and ``label`` (``imminent``/``concern``/``none``);
extra columns are ignored. Prints precision and recall per label, risk recall
(imminent or concern flagged as either), imminent recall, the false-alarm rate on
``none`` and the confusion matrix.
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
    predicted = [detector.assess(text).severity.value for text, _ in rows]
    gold = [label for _, label in rows]
    print(format_report(compute_metrics(gold, predicted)))
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
