"""Text normalisation for the crisis detector.

Turns a raw chat message into a canonical lowercase form that the patterns in
:mod:`bot.crisis.patterns` are written against: Unicode NFKC, accents and
zero-width characters stripped, apostrophes dropped ("don't" -> "dont"),
leetspeak and asterisk obfuscation undone ("k!ll", "s*icide", "su1c1de"),
repeated letters collapsed ("diiiie" -> "die"), spaced letters joined
("k i l l  m y s e l f" -> "kill myself"), common typos fixed ("sucide") and
slang mapped to plain words ("kms" -> "kill myself", "sewer slide" -> "suicide").

Everything is precompiled at import time; :func:`normalize` is pure.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.crisis._gate import GateIndex, LiteralFinder, required_gate

__all__ = ["KEY_WORDS", "has_foreign_space", "normalize", "token_view"]

# Words the patterns care about; used to resolve obfuscated or stretched tokens.
KEY_WORDS: frozenset[str] = frozenset(
    """
    suicide suicidal kill killing killed die dying died dead death myself self harm hurt hurting
    overdose overdosed cut cutting pills alive live living end ending life hang hanging noose gun
    jump jumping bridge goodbye bye want wanna need to me my i im it all wake exist burden
    unalive unaliving worthless hopeless sleep forever gone done tonight never wish dont
    suicidio suicidarme matarme morir muerte vivir
    """.split()
)

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u034f\u180e]")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
_QUOTES = re.compile("[\u201c\u201d\u00ab\u00bb\"]")

# Leetspeak between letters ("k!ll", "su1c1de", "d13") and a leading "$"/"@".
_LEET_MAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                           "$": "s", "!": "i", "|": "l", "€": "e"})
_LEET_INNER = re.compile(r"(?<=[a-z])[013457@$!|€]+(?=[a-z])")
_LEET_LEAD = re.compile(r"(?<![\w@$])[@$](?=[a-z]{2,})")
_LEET_TAIL = re.compile(r"(?<=[a-z]{2})[3](?![\w])")  # "d13" -> "die" (after inner pass: "di3")

# Tokens with masking characters inside ("s*icide", "k**l", "d#e", "su_cide").
_MASKED = re.compile(r"\b[a-z]*[a-z][*#_.\-]+[a-z*#_.\-]*[a-z]\b|\b[a-z]+[*#]+\B|\b[*#]+[a-z]+\b")
_MASK_RUN = re.compile(r"[*#_.\-]+")

# Runs of single letters separated by spaces or dots: "k i l l  m y s e l f", "k.m.s".
_SPACED = re.compile(r"(?<![a-z0-9])(?:[a-z](?:[ .\-_]{1,3})){2,}[a-z](?![a-z0-9])")
_SPACED_SEP = re.compile(r"[ .\-_]+")
_SEGMENT_WORDS: frozenset[str] = KEY_WORDS | frozenset(
    "a am an and be going gonna just go so to of off up will can now do is rn am sui cide my self".split()
)

# Three or more of the same letter: "diiiie", "killlll", "sooo".
_SLANG: frozenset[str] = frozenset({"kms", "kys", "ctb", "od"})

_STRETCH_TOKEN = re.compile(r"\b\w*([a-z])\1\1\w*\b")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_RUN2 = re.compile(r"([a-z])\1+")

_WS = re.compile(r"[ \t\r\f\v]+")

# Ordered (pattern, replacement) pairs applied after the character-level passes.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        # typos and variants of "suicide"/"suicidal"
        (r"\bsu+[iy]{0,2}[cs]{1,2}[iy]{0,2}d(?:e|ie)?(?:s|d)?\b", "suicide"),
        (r"\bsu+[iy]{0,2}[cs]{1,2}[iy]{0,2}d(?:i?al|ial|el|le)(?:ly)?\b", "suicidal"),
        (r"\bsui?[cs]i?de\b", "suicide"),
        (r"\b(?:sewer\s*slide|sewerslide|sooside|suey\s*side|suicide\s*mouse|s\s*word|commit\s+sudoku|"
         r"toaster\s+bath)\b", "suicide"),
        (r"\bselfharm(?:ing)?\b|\bself\s*-\s*harm\b|\bs/h\b|\bsh\s+(?=(?:urges?|again|scars?|relapse|thoughts?)\b)",
         "self harm "),
        # slang for killing oneself
        (r"\bkms+\b|\bk\s*m\s*s\b", "kill myself"),
        (r"\bkys\b", "kill yourself"),
        (r"\bctb\b|\bcatch(?:ing)?\s+the\s+bus\b(?=\s+(?:tonight|soon|today|tomorrow|for real|early)\b)",
         "kill myself"),
        (r"\bun\s*-?\s*alive\s+(my\s*self|me)\b", "kill myself"),
        (r"\bun\s*-?\s*aliving\s+(my\s*self|me)\b", "killing myself"),
        (r"\bun\s*-?\s*alive(?:d)?\b", "kill"),
        (r"\bun\s*-?\s*aliving\b", "killing"),
        (r"\bself\s*-?\s*delet(?:e|ing)\b", "kill myself"),
        (r"\bend\s+me\b", "kill myself"),
        (r"\bkill\s*myself\b|\bkillmyself\b|\bkill\s+my\s+self\b|\bkil\s+myself\b|\bkil\s*my\s*self\b",
         "kill myself"),
        (r"\bkilling\s+my\s*self\b", "killing myself"),
        (r"\bmy\s+self\b", "myself"),
        # overdose shorthand ("od'd" already lost its apostrophe: handled before that pass)
        (r"\bods\b", "overdoses"),
        (r"\bod\b", "overdose"),
        (r"\bo\.d\.?(?=\s|$)", "overdose"),
        # chat shorthand that needs context (single words are in _WORD_MAP)
        (r"\bi\s+am\b|\bi\s+m\b", "im"),
        (r"\bi\s+have\b", "ive"),
        (r"\bill\b(?=\s+(?:be|do|just|never|always|die|end|kill|take|jump|finally|go|make|miss|probably|"
         r"not|definitely|actually)\b)", "i will"),
        (r"\by\s*all\b|\bya+ll\b", "yall"),
        (r"\bright\s+now\b", "right now"),
        (r"\bw/(?=\s)|\bw\b(?=\s+\w)", "with"),
        (r"\bb/c\b", "because"),
        (r"\bcan\s+not\b", "cant"),
        (r"\bdo\s+not\b", "dont"),
        (r"\bwill\s+not\b", "wont"),
        (r"\bdie+d\b", "died"),
    )
)

# Substring gates: a rewrite runs only when the text holds the literals its gate needs (exact, only faster).
_REWRITE_INDEX = GateIndex([required_gate(rx) for rx, _rep in _REWRITES])
_REWRITE_FINDER = LiteralFinder(_REWRITE_INDEX.literals)
_HAS_RUN3 = re.compile(r"([a-z])\1\1")
_HAS_SPACED = re.compile(r"(?<![a-z0-9])[a-z][ .\-_]{1,3}[a-z][ .\-_]{1,3}[a-z](?![a-z0-9])")

# Single-word chat shorthand, applied in one pass.
_WORD_MAP: dict[str, str] = {
    "gonna": "going to", "gunna": "going to", "gona": "going to",
    "wanna": "want to", "wana": "want to", "tryna": "trying to", "trynna": "trying to", "gotta": "got to",
    "u": "you", "ur": "your", "rn": "right now",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmw": "tomorrow", "tomoz": "tomorrow", "tomorow": "tomorrow",
    "tommorow": "tomorrow", "tommorrow": "tomorrow", "2morrow": "tomorrow", "2moro": "tomorrow",
    "tonite": "tonight", "2nite": "tonight", "2night": "tonight", "tn": "tonight",
    "idk": "i dont know", "em": "them", "ppl": "people", "msg": "message",
    "pls": "please", "plz": "please", "plss": "please", "plzz": "please",
    "cuz": "because", "cause": "because", "bc": "because", "cannot": "cant",
    "thru": "through", "kno": "know", "knw": "know", "gud": "good", "wit": "with",
}
_WORD_RX = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, _WORD_MAP), key=len, reverse=True)) + r")\b")


def _word_sub(m: re.Match[str]) -> str:
    return _WORD_MAP[m.group(0)]


# "od'd", "od'ing" must be rewritten before apostrophes are dropped ("odd" is a real word).
_OD_APOS = re.compile(r"\bod(?:['\u2019]?d|['\u2019]ed|['\u2019]?ing)\b")
_OD_ING = re.compile(r"\bod[' \u2019]?ing\b")
_OD_START = re.compile(r"\bod")  # both patterns above start with it


class _CombiningTable(dict[int, int | None]):
    """``str.translate`` table that deletes combining marks; filled in lazily, one code point at a time."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_COMBINING = _CombiningTable()
_DROP_APOSTROPHES = dict.fromkeys(map(ord, "'\u2018\u2019\u02bc\u0060\u00b4"))
_LEET_CHARS = re.compile("[013457@$!|€]")
_MASK_CHARS = re.compile(r"[*#_.\-]")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed if decomposed.isascii() else decomposed.translate(_DROP_COMBINING)


def _rewrite(t: str) -> str:
    """Apply :data:`_REWRITES` in order, each only when its gate is open on the text as it is at that point."""
    todo = _REWRITE_INDEX.open_items(_REWRITE_FINDER(t))
    pos = 0
    while pos < len(todo):
        k = todo[pos]
        rx, rep = _REWRITES[k]
        new = rx.sub(rep, t)
        if new != t:
            t = new
            todo = tuple(j for j in _REWRITE_INDEX.open_items(_REWRITE_FINDER(t)) if j > k)
            pos = 0
        else:
            pos += 1
    return t


@lru_cache(maxsize=4096)
def _unmask(token: str) -> str:
    """Resolve a masked token ("s*icide") to a key word when exactly one fits."""
    parts = _MASK_RUN.split(token)
    body = "[a-z]{1,3}".join(re.escape(p) for p in parts)
    if token[:1] in "*#":
        body = "[a-z]{1,3}" + body
    if token[-1:] in "*#":
        body = body + "[a-z]{1,3}"
    rx = re.compile(body)
    fits = sorted(w for w in KEY_WORDS if rx.fullmatch(w))
    if fits:
        return fits[0]
    return token


def _unmask_sub(m: re.Match[str]) -> str:
    token = m.group(0)
    if "-" in token and "*" not in token and "#" not in token and "_" not in token:
        # ordinary hyphenated words ("drop-dead", "goodbye-ish") stay as they are
        return token.replace("-", " ")
    if "." in token and "*" not in token and "#" not in token and "_" not in token:
        return token  # sentence punctuation between words ("life.today")
    return _unmask(token)


@lru_cache(maxsize=4096)
def _segment(joined: str) -> str | None:
    """Split a run of glued words ("killmyself") into known words, or None."""
    n = len(joined)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        prefix = best[i]
        if prefix is None:
            continue
        for j in range(i + 1, min(n, i + 9) + 1):
            word = joined[i:j]
            if word in _SEGMENT_WORDS:
                cand = [*prefix, word]
                current = best[j]
                if current is None or len(cand) < len(current):
                    best[j] = cand
    result = best[n]
    if result is None:
        return None
    return " ".join(result)


def _spaced_sub(m: re.Match[str]) -> str:
    joined = _SPACED_SEP.sub("", m.group(0))
    if len(joined) < 3:
        return m.group(0)
    seg = _segment(joined)
    if seg is not None:
        return seg
    if joined in KEY_WORDS or joined in _SLANG:
        return joined
    return m.group(0)


def _stretch_sub(m: re.Match[str]) -> str:
    token = m.group(0)
    two = _RUN3.sub(r"\1\1", token)
    one = _RUN3.sub(r"\1", token)
    for cand in (one, two, _RUN2.sub(r"\1", token)):
        if cand in KEY_WORDS:
            return cand
    return one


def _char_level_a(text: str) -> str:
    """Unicode clean-up, case, quotes, "od'd", apostrophes, leetspeak and masks (each step stays within a word)."""
    if text.isascii():
        # NFKC, zero-width removal and accent stripping leave ASCII unchanged; the only ASCII quote is '"'.
        t = text.lower()
        if '"' in t:
            t = t.replace('"', " ")
    else:
        t = unicodedata.normalize("NFKC", text)
        t = _ZERO_WIDTH.sub("", t)
        t = t.lower()
        t = _strip_accents(t)
        t = _QUOTES.sub(" ", t)
    if _OD_START.search(t) is not None:
        t = _OD_ING.sub("overdosing", t)
        t = _OD_APOS.sub("overdosed", t)
    if _APOSTROPHES.search(t) is not None:
        t = t.translate(_DROP_APOSTROPHES)
    if _LEET_CHARS.search(t) is not None:
        t = _LEET_INNER.sub(lambda m: m.group(0).translate(_LEET_MAP), t)
        t = _LEET_LEAD.sub(lambda m: m.group(0).translate(_LEET_MAP), t)
        t = _LEET_TAIL.sub("e", t)
    if _MASK_CHARS.search(t) is not None:
        t = _MASKED.sub(_unmask_sub, t)
    return t


def _char_level_b(t: str) -> str:
    """Spaced letters, stretched letters and whitespace runs."""
    if _HAS_SPACED.search(t) is not None:
        t = _SPACED.sub(_spaced_sub, t)
    if _HAS_RUN3.search(t) is not None:
        t = _STRETCH_TOKEN.sub(_stretch_sub, t)
    return _WS.sub(" ", t)


def normalize(text: str) -> str:
    """Return the canonical form of ``text`` used for pattern matching."""
    t = _char_level_b(_char_level_a(text))
    t = _WORD_RX.sub(_word_sub, t)
    return _rewrite(t).strip()


# ---------------------------------------------------------------------------------------------------------------
# Word-by-word view, used by the detector's fast path (see ``token_view``).
#
# For most chat, every step of :func:`normalize` up to the word map acts inside one whitespace-separated token,
# and the word map and rewrites do not fire. Then ``normalize(text)`` is the tokens' own normal forms joined by
# whitespace (after the word map), and the detector can answer from per-token facts (cached per token) without
# normalising the text.
# ``token_view`` returns a token's normal form only when it can prove that for the token:
#
# * Unicode steps: every non-ASCII character is inert (NFKC/NFKD-stable, not combining, no case mapping, not
#   whitespace, zero-width or a quote) and the token is NFKC/NFKD-normalised as a whole (no composition inside
#   it). ASCII whitespace never composes, so NFKC/NFKD/lower/accent stripping of the whole text then change
#   nothing but ASCII case, exactly as they do token by token. Texts with non-ASCII whitespace are not split here
#   (``has_foreign_space``); the caller takes the full path for them.
# * "od'd"/"od ing" (the only character step whose pattern can span whitespace) needs ``\bod`` inside a token.
# * Apostrophes, leetspeak, masks, stretched letters: patterns with no whitespace in them, bounded by \b or
#   letter lookarounds, which see the same thing at a token edge as at whitespace.
# * Spaced letters: every letter of a spaced run is isolated (no [a-z0-9] on either side). A token whose
#   form before that step holds an isolated letter is refused, unless it is exactly "i" or "a"; a run made only of
#   "i"/"a" tokens is re-segmented into the same single letters (no other segment word is spelt with i and a
#   only), i.e. unchanged up to whitespace.
# * Word map: whole-word keys without whitespace, replaced by fixed words; applied to the token.
# * Rewrites: ``_TOKEN_REWRITE_RISK`` holds, per rewrite, a condition on one token that every match of the
#   rewrite in the joined text implies (the rewrite itself where it cannot span whitespace; otherwise one word it
#   needs, at a word start, followed by whitespace/end where the rewrite needs that). No token meets it -> no
#   rewrite fires.
_TOKEN_REWRITE_RISK = re.compile(
    "|".join(
        (
            _REWRITES[0][0].pattern,  # suicide typos (no whitespace in the pattern)
            _REWRITES[1][0].pattern,  # suicidal typos
            _REWRITES[2][0].pattern,  # sui?[cs]i?de
            r"\b(?:sewer|sooside|suey|suicide|sword|commit|toaster)|\bs(?:\s|$)",  # sewer slide, s word...
            r"harm|s/h|\bsh(?:\s|$)",  # self harm, s/h, sh urges
            r"\bkms|\bkm?(?:\s|$)",  # kms, k m s
            _REWRITES[6][0].pattern,  # kys
            r"\bctb\b|\bcatch",  # ctb, catch the bus
            r"aliv",  # un alive / unaliving (four rewrites)
            r"delet",  # self delete
            r"\bend(?:\s|$)",  # end me
            r"\bkil",  # kill myself variants, killing my self
            r"\bself\b",  # my self
            _REWRITES[17][0].pattern,  # ods
            _REWRITES[18][0].pattern,  # od
            _REWRITES[19][0].pattern,  # o.d. (lookahead \s|$ sees the same at a token end)
            r"\ba?m\b",  # i am / i m: the second word
            r"\bhave\b",  # i have
            r"\bill\b",  # ill be ...
            r"\by(?:\s|$)|\byaa+ll\b",  # y all, yaall ("yall" -> "yall" changes nothing)
            r"\bright(?:\s|$)",  # right now
            r"\bw/|\bw(?:\s|$)",  # w/, w
            _REWRITES[26][0].pattern,  # b/c
            r"\bnot\b",  # can not / do not / will not: the second word
            _REWRITES[30][0].pattern,  # died
        )
    )
)
if len(_REWRITES) != 31 or _REWRITES[26][1] != "because" or _REWRITES[30][1] != "died":
    raise RuntimeError("_REWRITES changed: update _TOKEN_REWRITE_RISK (one per-token condition per rewrite)")
_ISOLATED_LETTER = re.compile(r"(?<![a-z0-9])[a-z](?![a-z0-9])")
_FOREIGN_SPACE = re.compile(r"[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_NOT_INERT = frozenset("\u201c\u201d\u00ab\u00bb")  # quotes (zero-width characters are checked by their regex)


def has_foreign_space(text: str) -> bool:
    """True when ``text`` holds whitespace outside ASCII (``token_view`` reasoning needs ASCII separators)."""
    return not text.isascii() and _FOREIGN_SPACE.search(text) is not None


@lru_cache(maxsize=2048)
def _inert(ch: str) -> bool:
    return (
        unicodedata.normalize("NFKC", ch) == ch
        and unicodedata.normalize("NFKD", ch) == ch
        and not unicodedata.combining(ch)
        and ch.lower() == ch
        and not ch.isspace()
        and ch not in _NOT_INERT
        and _ZERO_WIDTH.match(ch) is None
    )


def token_view(token: str) -> str | None:
    """The normal form of one whitespace-free ``token`` as it appears inside ``normalize(text)`` of any text
    whose tokens all have a view, or None when the token may interact with its neighbours or be rewritten
    (see the comment above). Pure; the caller may cache it."""
    if not token.isascii():
        if not all(_inert(ch) for ch in token if ord(ch) > 127):
            return None
        if not unicodedata.is_normalized("NFKC", token) or not unicodedata.is_normalized("NFKD", token.lower()):
            return None
    elif '"' in token:
        return None
    if _OD_START.search(token.lower()) is not None:
        return None
    pre = _char_level_a(token)
    if pre not in ("i", "a") and _ISOLATED_LETTER.search(pre) is not None:
        return None
    view = _char_level_b(pre)
    if _WORD_RX.search(view) is not None:
        view = _WORD_RX.sub(_word_sub, view)  # whole words without whitespace: the same inside the text
    if _TOKEN_REWRITE_RISK.search(view) is not None:
        return None
    return view
