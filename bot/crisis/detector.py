"""Rule-based crisis detector: pure Python, offline, no model download.

The detector normalises a message (:mod:`bot.crisis.normalize`), splits it into
clauses on sentence punctuation and "but", and runs weighted regular expressions
by category (:mod:`bot.crisis.patterns`). Each match can be cancelled by guards
scoped to its clause: a negation right before it, a story from the distant past,
a joke with no seriousness marker, or resource/media talk. Signals that are not
risks on their own (a time like "tonight", resolve like "already decided", a
means like "pills", a goodbye like "love yall") upgrade an active mention of
suicide to ``imminent``.

The detector never logs, stores or returns the text it is given.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from bot.crisis import patterns as _p
from bot.crisis._gate import required_literals
from bot.crisis.normalize import normalize

__all__ = ["Assessment", "CrisisDetector", "Severity"]


class Severity(enum.StrEnum):
    """How urgent a message is. Compare with :attr:`rank`, not with string order."""

    NONE = "none"
    CONCERN = "concern"
    IMMINENT = "imminent"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK: dict[Severity, int] = {Severity.NONE: 0, Severity.CONCERN: 1, Severity.IMMINENT: 2}
_BY_LEVEL: dict[int, Severity] = {0: Severity.NONE, 1: Severity.CONCERN, 2: Severity.IMMINENT}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of screening one message. Holds no text."""

    severity: Severity
    categories: tuple[str, ...]

    @property
    def is_risk(self) -> bool:
        return self.severity is not Severity.NONE


_NO_RISK = Assessment(Severity.NONE, ())

# An active mention framed as a thought ("thinking about ending it") is ideation, not intent.
_IDEATION_BEFORE = re.compile(
    r"\b(?:think\w*|thought\w*|dream\w*|fantasi\w*|urges?|scared|afraid|intrusive|ideation)\s+"
    r"(?:[a-z]+\s+){0,3}$"
)
_SPANISH = re.compile(
    r"\b(?:quiero|estoy|voy|puedo|tengo|todo|todos|nadie|vida|morir|noche|manana|pastillas|"
    r"cansad[oa]|ya\s+no|por\s+favor|mi\s+hija|mi\s+hijo|me\s+tome)\b"
)
_KEEP_IMMINENT_FOR_THIRD = frozenset({"attempt_in_progress", "overdose"})
_JOKE_GATE: tuple[str, ...] = ("lo", "lm", "ha", "jk", "joking", "kidding", "rofl", "😂", "🤣", "💀", "😭", "😆")
_PAST_GATE = required_literals(_p.PAST)
# (rule, substrings one of which every match contains) - checked before running the regex.
_GATED_RULES: tuple[tuple[_p.Rule, frozenset[str] | None], ...] = tuple(
    (rule, None if (g := required_literals(rule.regex)) is None else frozenset(g)) for rule in _p.RULES
)
# Every gate literal, checked once per message.
_LITERALS: frozenset[str] = frozenset(lit for _r, g in _GATED_RULES if g is not None for lit in g)


class CrisisDetector:
    """Screens chat messages for suicide and self-harm risk.

    Stateless after construction: :meth:`assess` is pure and safe to call from
    many threads at once. Patterns are compiled once at import time.
    """

    __slots__ = ()

    def assess(self, text: str) -> Assessment:
        """Assess one message. Never logs or keeps ``text``."""
        norm = normalize(text)
        if not norm:
            return _NO_RISK
        joke = (
            any(j in norm for j in _JOKE_GATE)
            and _p.JOKE.search(norm) is not None
            and _p.SERIOUS.search(norm) is None
        )

        present = {lit for lit in _LITERALS if lit in norm}
        if not present and all(g is not None for _r, g in _GATED_RULES):
            return _NO_RISK
        levels: dict[str, int] = {}
        signals: dict[str, list[int]] = {}
        concern_at: list[int] = []
        index = 0
        for clause in _p.CLAUSE_SPLIT.split(norm):
            clause = clause.strip()
            if not clause:
                continue
            if _scan_clause(clause, joke, present, levels, signals, index):
                concern_at.append(index)
            index += 1

        # Combinations, within a window of neighbouring clauses so long posts do not pair up
        # words that are paragraphs apart: an active mention plus a time, resolve or means is imminent.
        active = signals.get("sig_active", [])
        if _near(active, signals.get("sig_soon", []), 1):
            levels["timing"] = 2
        if _near(active, signals.get("sig_resolve", []), 2):
            levels["intent"] = 2
        if _near(active, signals.get("sig_means", []), 1):
            levels["means"] = 2
        byes = signals.get("sig_bye", [])
        if byes and (
            _near(byes, active, 2)
            or _near(byes, signals.get("sig_resolve", []), 2)
            or any(b != c and abs(b - c) <= 2 for b in byes for c in byes)
            or len(byes) != len(set(byes))
            or _near(byes, concern_at, 2)
        ):
            levels["goodbye"] = 2

        if not levels:
            return _NO_RISK

        # Someone reporting about another person: concern, unless an attempt is in progress.
        if "third_party" in levels or _p.REPORTER.search(norm) is not None:
            if any(levels.get(c, 0) == 2 for c in _KEEP_IMMINENT_FOR_THIRD):
                levels = {c: v for c, v in levels.items() if v < 2 or c in _KEEP_IMMINENT_FOR_THIRD}
            else:
                levels = {c: min(v, 1) for c, v in levels.items()}
            levels["third_party"] = 1

        top = max(levels.values())
        ordered = sorted(levels, key=lambda c: -levels[c])
        cats = [c for c in ordered if levels[c] == top] + [c for c in ordered if levels[c] != top]
        if _SPANISH.search(norm) is not None:
            cats.append("spanish")
        return Assessment(_BY_LEVEL[top], tuple(cats))


def _near(a: list[int], b: list[int], window: int) -> bool:
    return any(abs(i - j) <= window for i in a for j in b)


def _scan_clause(
    clause: str,
    joke: bool,
    present: set[str],
    levels: dict[str, int],
    signals: dict[str, list[int]],
    index: int,
) -> bool:
    """Scan one clause; record hits in ``levels`` and signal positions in ``signals``.

    Returns True when the clause itself holds a concern-or-higher hit.
    """
    past = (_PAST_GATE is None or any(g in clause for g in _PAST_GATE)) and _p.PAST.search(clause) is not None
    res = _p.RESOURCE.search(clause) is not None
    if "ask" in clause and _p.REPORTED_NO.search(clause) is not None:
        return False
    addressed = "you" in clause and _p.ADDRESSED.search(clause) is not None
    found = False
    for rule, gate in _GATED_RULES:
        if gate is not None and gate.isdisjoint(present):
            continue
        guards = rule.guards
        if (
            (past and "past" in guards)
            or (res and "res" in guards)
            or (joke and "joke" in guards)
            or (addressed and "you" in guards)
        ):
            continue
        for m in rule.regex.finditer(clause):
            start = m.start()
            if "neg" in guards and _p.NEGATION_BEFORE.search(clause, 0, start) is not None:
                continue
            if rule.level == _p.SIGNAL:
                if rule.category == "sig_active" and _IDEATION_BEFORE.search(clause, 0, start) is not None:
                    continue
                signals.setdefault(rule.category, []).append(index)
                if rule.category != "sig_bye":
                    break
                continue
            if levels.get(rule.category, -1) < rule.level:
                levels[rule.category] = rule.level
            found = True
            break
    return found
