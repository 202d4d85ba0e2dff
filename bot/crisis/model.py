"""Learned backstop for the rule-based crisis detector: two logistic-regression heads over sparse text features.

Pure Python at run time, offline, no model download. The weights live in ``model_weights.json`` beside this
module (installed as package data) and are written by ``python -m bot.crisis.train`` from the project's own
labelled messages. The detector uses the model only to *raise* a rule result (``final = max(rules, model)``).

Features (see :func:`message_features`; training and inference share it, so the score is an exact dot product):

* each distinct word of the message (after a light cleanup: lowercase, accents and apostrophes dropped, inner
  leetspeak and masks undone, letters repeated 3+ times collapsed to 2, a handful of obfuscations mapped, e.g.
  "kms" -> "kill myself", plus the chat shorthand of :mod:`bot.crisis.normalize`);
* each distinct pair of neighbouring words (``"took all"``).

Two heads: ``risk`` (imminent or concern vs none) and ``imminent`` (imminent vs the rest). Each head's score is
bias + sum of the weights of the features present (a dict lookup per feature, cached per word); a head fires when
its score reaches the threshold chosen by cross-validation in training (stored as a logit).

Character 3-5-grams within words were tried and dropped: in 5-fold cross-validation at <= 4% false alarms on
``none`` they gave risk recall 0.36 against 0.47 for words and word pairs alone (they fit spelling noise).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from bot.crisis.normalize import _WORD_MAP

__all__ = ["WEIGHTS_PATH", "CrisisModel", "ModelScore", "load_model", "message_features", "words"]

WEIGHTS_PATH = Path(__file__).with_name("model_weights.json")
FORMAT_VERSION = 1
GATE_MIN_WEIGHT = 0.4

_APOSTROPHES = dict.fromkeys(map(ord, "'\u2018\u2019\u02bc\u0060\u00b4"))
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
                       "|": "l"})
_INNER_LEET = re.compile(r"(?<=[a-z])[013457@$!|]+(?=[a-z])")
_INNER_MASK = re.compile(r"(?<=[a-z])[*#]+(?=[a-z])")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_SPLIT = re.compile(r"[^a-z0-9]+")
# Obfuscations and slang the rules also know (normalize.py), one word -> words.
_MAP: dict[str, tuple[str, ...]] = {
    **{k: tuple(v.split()) for k, v in _WORD_MAP.items()},
    "kms": ("kill", "myself"), "kys": ("kill", "yourself"), "ctb": ("kill", "myself"),
    "unalive": ("kill",), "unaliving": ("killing",), "unalived": ("killed",), "od": ("overdose",),
    "odd": ("overdosed",), "oding": ("overdosing",), "sewerslide": ("suicide",), "sooside": ("suicide",),
    "selfharm": ("self", "harm"), "sh": ("self", "harm"),
}


def _clean_token(token: str) -> tuple[str, ...]:
    t = token.lower()
    if not t.isascii():
        t = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch))
    t = t.translate(_APOSTROPHES)
    if _INNER_LEET.search(t) is not None:
        t = _INNER_LEET.sub(lambda m: m.group(0).translate(_LEET), t)
    t = _INNER_MASK.sub("", t)
    t = _RUN3.sub(r"\1\1", t)
    out: list[str] = []
    for w in _SPLIT.split(t):
        if w:
            out.extend(_MAP.get(w, (w,)))
    return tuple(out)


def words(text: str) -> list[str]:
    """The cleaned words of ``text`` in order (uncached; the model caches per token)."""
    out: list[str] = []
    for token in text.split():
        out.extend(_clean_token(token))
    return out


def message_features(text: str) -> dict[str, int]:
    """Binary features of a message: each distinct word and each distinct pair of neighbouring words, once."""
    ws = words(text)
    counts = dict.fromkeys(ws, 1)
    for a, b in pairwise(ws):
        counts[f"{a} {b}"] = 1
    return counts


@dataclass(frozen=True, slots=True)
class ModelScore:
    risk: float  # logit of the risk head
    imminent: float  # logit of the imminent head
    level: int  # 0 none, 1 concern, 2 imminent


class CrisisModel:
    """Scores messages with the stored weights. Keeps only a bounded per-token cache of cleaned words."""

    __slots__ = ("_bias", "_stems", "_thr_imm", "_thr_risk", "_tokens", "_weights")

    _CACHE_SIZE = 65536

    def __init__(
        self,
        features: dict[str, tuple[float, float]],
        bias: tuple[float, float],
        thresholds: tuple[float, float],
    ) -> None:
        self._weights = features
        # Gate (speed, not exact): the model is consulted only for messages holding at least one "stem", a word
        # whose own weight in either head is >= GATE_MIN_WEIGHT (~240 words: pills, tonight, goodbye, rope,
        # garage, gone, last, over, wish, suicide, quiero...). On the training rows and the dev set no model flag
        # is lost at 0.4 (6 of 457 at 0.6); about a third of ordinary chat skips the model.
        self._stems = frozenset(f for f, w in features.items() if " " not in f and max(w) >= GATE_MIN_WEIGHT)
        self._bias = bias
        self._thr_risk, self._thr_imm = thresholds
        self._tokens: dict[str, tuple[tuple[str, ...], bool]] = {}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CrisisModel:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"model weights: unsupported version {data.get('version')!r}")
        raw = data["features"]
        bias = data["bias"]
        thr = data["thresholds"]
        if not isinstance(raw, dict) or not isinstance(bias, list) or not isinstance(thr, dict):
            raise ValueError("model weights: malformed file")
        features = {str(k): (float(v[0]), float(v[1])) for k, v in raw.items()}
        return cls(features, (float(bias[0]), float(bias[1])), (float(thr["risk"]), float(thr["imminent"])))

    def _words(self, text: str) -> tuple[list[str], bool]:
        """(cleaned words, whether any is a gate stem); cached per whitespace token."""
        known = self._tokens
        out: list[str] = []
        stem = False
        for token in text.split():
            hit = known.get(token)
            if hit is None:
                if len(known) >= self._CACHE_SIZE:
                    known.clear()
                ws = _clean_token(token)
                hit = known[token] = (ws, not self._stems.isdisjoint(ws))
            out.extend(hit[0])
            stem = stem or hit[1]
        return out, stem

    def score(self, text: str, *, gate: bool = True) -> ModelScore:
        """The heads' logits and the level; with ``gate``, a message without a stem is level 0 unscored."""
        ws, stem = self._words(text)
        r, i = self._bias
        if gate and not stem:
            return ModelScore(r, i, 0)
        get = self._weights.get
        for f in {*ws, *map(" ".join, pairwise(ws))}:
            w = get(f)
            if w is not None:
                r += w[0]
                i += w[1]
        # Weights and thresholds sit on a 1e-4 grid; the tolerance makes the result independent of summation order.
        level = 2 if i >= self._thr_imm - 1e-9 else 1 if r >= self._thr_risk - 1e-9 else 0
        return ModelScore(r, i, level)

    def level(self, text: str, *, gate: bool = True) -> int:
        return self.score(text, gate=gate).level


def load_model(path: Path = WEIGHTS_PATH) -> CrisisModel:
    with path.open(encoding="utf-8") as fh:
        return CrisisModel.from_json(json.load(fh))
