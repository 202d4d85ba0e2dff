"""Dev-only: merge the writers' files into tests/bot/crisis/corpus/corpus.csv, without duplicates.

    python dev/build_corpus.py

Reads ``tests/bot/crisis/corpus/writer*.csv``, ``checkins.csv`` (from ``dev/checkin_corpus.py``),
``shortchat.csv`` (short everyday chat and short risk messages, written for the detector's known blind spot) and
``retired_blind*.csv`` (blind sets whose first-run numbers are recorded in the README and which are training data
since), columns ``text,label,category,voice,source``, and writes ``corpus.csv`` with the same columns. Removed, and
counted in the printout:

* rows with an empty text or a label other than imminent / concern / none;
* exact duplicates (after folding case and whitespace) and near-duplicates: MiniLM cosine > 0.95 to a row kept
  before it (the first writer's row wins);
* rows near-identical (cosine > 0.95) to any message of an evaluation set — the shared dev set and every
  ``blind*_messages.csv`` except blind1, which is training data — so no evaluation message leaks into training.
  Only similarities are computed; the evaluation texts are never printed or written.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.crisis.embedding import SentenceEncoder
from bot.crisis.train import embed

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "bot" / "crisis" / "corpus"
EVAL_SETS = [ROOT.parent / "shared" / "crisis-data" / "dev_messages.csv"] + [
    p for p in sorted((ROOT / "tests" / "bot" / "crisis").glob("blind*_messages.csv")) if p.name != "blind_messages.csv"
]
COLUMNS = ("text", "label", "category", "voice", "source")
NEAR = 0.95


def main() -> int:
    rows: list[dict[str, str]] = []
    dropped: Counter[str] = Counter()
    seen: set[str] = set()
    inputs = [*sorted(CORPUS.glob("writer*.csv")), CORPUS / "checkins.csv", CORPUS / "shortchat.csv",
              *sorted(CORPUS.glob("retired_blind*.csv"))]
    for path in inputs:
        with path.open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                text = (r.get("text") or "").strip()
                label = (r.get("label") or "").strip().lower()
                if not text or label not in ("imminent", "concern", "none"):
                    dropped["malformed"] += 1
                    continue
                key = " ".join(text.lower().split())
                if key in seen:
                    dropped["exact duplicate"] += 1
                    continue
                seen.add(key)
                rows.append({c: (r.get(c) or "").strip() for c in COLUMNS} | {"text": text, "label": label,
                                                                             "source": path.stem})
    encoder = SentenceEncoder()
    vectors = embed([r["text"] for r in rows], encoder)
    eval_texts: list[str] = []
    for path in EVAL_SETS:
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as fh:
                eval_texts += [r["text"] for r in csv.DictReader(fh)]
    eval_vectors = embed(eval_texts, encoder, cache=None)
    near_eval = (vectors @ eval_vectors.T).max(axis=1) > NEAR if len(eval_texts) else np.zeros(len(rows), bool)
    keep: list[int] = []
    for i in range(len(rows)):
        if near_eval[i]:
            dropped["near an evaluation message"] += 1
            continue
        if keep and float((vectors[keep] @ vectors[i]).max()) > NEAR:
            dropped["near-duplicate"] += 1
            continue
        keep.append(i)
    with (CORPUS / "corpus.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[i] for i in keep)
    kept = [rows[i] for i in keep]
    print(f"kept {len(kept)} of {len(rows) + sum(dropped.values())}; dropped {dict(dropped)}")
    print("labels:", dict(Counter(r["label"] for r in kept)))
    print("by writer:", dict(sorted(Counter(r["source"] for r in kept).items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
