"""Text features of the crisis model: cleaned words, hashed TF-IDF n-grams, and the sentence embedding.

Training (:mod:`bot.crisis.train`) and inference (:mod:`bot.crisis.model`) build features with the same
functions, so a score at run time is exactly the one cross-validation measured.

* Words: lowercase, accents and apostrophes dropped, inner leetspeak and masks undone, letters repeated 3+ times
  collapsed to 2, chat obfuscations mapped ("kms" -> "kill myself", plus the shorthand of
  :mod:`bot.crisis.normalize`). Word 1-2-grams of those words.
* Characters: 2-5-grams inside word boundaries of the lowercased raw text (spelling variants, emoji, Spanish).
* Both are hashed (scikit-learn's ``HashingVectorizer``: stateless, so nothing but the IDF weights is stored),
  weighted by sublinear TF times IDF and L2-normalised, each block on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from bot.crisis.normalize import _WORD_MAP

__all__ = ["HASH_BITS", "TextVectorizer", "clean_text", "words"]

HASH_BITS = 18  # 262,144 buckets per block; collisions among the ~100k n-grams of the corpus are rare

_APOSTROPHES = dict.fromkeys(map(ord, "'\u2018\u2019\u02bc\u0060\u00b4"))
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
                       "|": "l"})
_INNER_LEET = re.compile(r"(?<=[a-z])[013457@$!|]+(?=[a-z])")
_INNER_MASK = re.compile(r"(?<=[a-z])[*#]+(?=[a-z])")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_SPLIT = re.compile(r"[^a-z0-9]+")
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
    """The cleaned words of ``text`` in order."""
    out: list[str] = []
    for token in text.split():
        out.extend(_clean_token(token))
    return out


def clean_text(text: str) -> str:
    return " ".join(words(text))


Matrix = npt.NDArray[np.float32]


def _word_hasher() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=1 << HASH_BITS, alternate_sign=False, norm=None,
        lowercase=False, preprocessor=clean_text, token_pattern=r"[a-z0-9]+", dtype=np.float32,
    )


def _char_hasher() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=1 << HASH_BITS, alternate_sign=False, norm=None,
        lowercase=True, dtype=np.float32,
    )


class TextVectorizer:
    """Hashed word and character n-grams, sublinear TF x IDF, each block L2-normalised; IDF from training."""

    __slots__ = ("_char", "_word", "idf")

    def __init__(self, idf: Matrix | None = None) -> None:
        self._word = _word_hasher()
        self._char = _char_hasher()
        self.idf = idf  # length 2 * 2**HASH_BITS: word block, then character block

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        return sp.hstack([self._word.transform(texts), self._char.transform(texts)], format="csr")

    def fit(self, texts: Sequence[str]) -> TextVectorizer:
        """Smooth IDF as scikit-learn's TfidfTransformer computes it: ln((1 + n) / (1 + df)) + 1."""
        counts = self.counts(texts)
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
        idf[df == 0] = 0.0  # a bucket never seen in training carries no weight
        self.idf = idf.astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.idf is None:
            raise RuntimeError("TextVectorizer used before fit")
        x = self.counts(texts)
        x.data = (np.log(x.data) + 1.0).astype(np.float32)  # sublinear tf
        x.data *= self.idf[x.indices]  # TF x IDF on the stored entries only (stays sparse)
        half = 1 << HASH_BITS
        word = l2_normalize(x[:, :half])
        char = l2_normalize(x[:, half:])
        return sp.hstack([word, char], format="csr", dtype=np.float32)
