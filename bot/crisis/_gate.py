"""Derive cheap substring gates from regular expressions.

For a compiled pattern, :func:`required_literals` returns strings such that every
match of the pattern contains at least one of them (or ``None`` when no such set
is found). Checking ``any(s in text for s in gate)`` before running the regex is
then exact: it never changes a result, it only skips work.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

# The stdlib regex parser (re._parser / re._constants in Python 3.11+); untyped in typeshed.
_sp: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

__all__ = ["Gate", "GateIndex", "LiteralFinder", "gate_open", "required_gate", "required_literals"]

# A gate in disjunctive form: the pattern can match only if, for at least one alternative, every literal set
# in it has a member in the text. ``((A, B), (C,))`` means "(one of A and one of B) or one of C".
Gate = tuple[tuple[frozenset[str], ...], ...]

_MAX_SET = 40
Alts = frozenset[str] | None

# Words so frequent in chat that a gate made of them skips almost nothing.
_COMMON: frozenset[str] = frozenset(
    """
    a about after again all also am an and any are as at back be because been before being but by can cant
    could day days did do dont down even every for from get go going good got had has have he her here him his
    how i if im in into is it its just know last like little make me more much my myself never new no not now
    of off on one only or other our out over really right said say see she so some someone something still
    take than that the their them then there they thing think this time to today told tomorrow tonight too
    took up us very want was way we well were what when will with without would you your
    """.split()
)


def _cost(lit: str) -> float:
    """Rough chance that ``lit`` occurs in a chat message: short and common strings are likely."""
    if not lit.isascii():
        return 0.01  # emoji and accented letters are specific
    base = {1: 100.0, 2: 1.0, 3: 0.3, 4: 0.1, 5: 0.03}.get(len(lit), 0.01)
    return base * (5.0 if lit.strip() in _COMMON else 1.0)


def _score(alts: Alts) -> float:
    if not alts:
        return float("-inf")
    return -sum(_cost(a) for a in alts)


def _better(a: Alts, b: Alts) -> Alts:
    return a if _score(a) >= _score(b) else b


def _seq(items: Any) -> Alts:
    best: Alts = None
    run: list[str] = []

    def flush() -> None:
        nonlocal best, run
        if run:
            best = _better(best, frozenset({"".join(run)}))
        run = []

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is _c.SUBPATTERN:
            best = _better(best, _seq(av[-1]))
        elif op is _c.BRANCH:
            alts: set[str] = set()
            ok = True
            for branch in av[1]:
                sub = _seq(branch)
                if not sub:
                    ok = False
                    break
                alts |= sub
            if ok and len(alts) <= _MAX_SET:
                best = _better(best, frozenset(alts))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, body = av
            if lo >= 1:
                best = _better(best, _seq(body))
        # AT, IN, ANY, ASSERT, ASSERT_NOT, NOT_LITERAL, GROUPREF...: no requirement used
    flush()
    return best


def _usable(alts: Alts) -> bool:
    """A set is worth checking when none of its members is a single ASCII character."""
    if not alts:
        return False
    return all(len(a) >= 2 or not a.isascii() for a in alts)


def required_literals(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which occurs in every match of ``rx``; None if none found."""
    parsed = _sp.parse(rx.pattern, rx.flags)
    alts = _seq(list(parsed))
    if not alts or not _usable(alts):
        return None
    return tuple(sorted(alts, key=len))


_MAX_CLAUSES = 3
_MAX_ALTERNATIVES = 1000
Conj = tuple[frozenset[str], ...]


def _dnf(items: Any) -> list[Conj] | None:
    """Alternatives (each a conjunction of literal sets) one of which every match of ``items`` satisfies.

    Each element of a sequence (a literal run, a group, an alternation, a repeat of at least one) is part of
    every match, so all of their requirements hold at once; an alternation multiplies the alternatives. An empty
    conjunction means "no requirement found". When the product grows past a cap, the alternation is folded into
    one literal set instead (the union of its branches' requirements, as :func:`required_literals` does).
    """
    alts: list[Conj] = [()]
    run: list[str] = []

    def add(sets: Conj) -> None:
        nonlocal alts
        alts = [conj + sets for conj in alts]

    for op, av in [*list(items), (None, None)]:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            add((frozenset({"".join(run)}),))
            run = []
        sub: list[Conj] | None = None
        if op is _c.SUBPATTERN:
            sub = _dnf(av[-1])
        elif op is _c.BRANCH:
            sub = []
            for branch in av[1]:
                part = _dnf(branch)
                if part is None:
                    sub = None
                    break
                sub.extend(part)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            body = list(av[2])
            if len(body) == 1 and body[0][0] is _c.LITERAL:
                # "su+" : the first copy of the letter continues the literal run, which then ends ("su" in "suuu")
                run.append(chr(body[0][1]))
                add((frozenset({"".join(run)}),))
                run = []
                continue
            sub = _dnf(body)
        else:
            continue  # AT, IN, ANY, lookarounds, optional repeats...: nothing required
        if sub is not None and any(not conj for conj in sub):
            continue  # one way through the element needs nothing
        if sub is not None and len(alts) * len(sub) <= _MAX_ALTERNATIVES:
            alts = [a + b for a in alts for b in sub]
            continue
        folded = _seq([(op, av)])
        if folded and _usable(folded):
            add((folded,))
    return alts


def required_gate(rx: re.Pattern[str]) -> Gate | None:
    """A :data:`Gate` that every match of ``rx`` satisfies; None when no useful gate is found."""
    alts = _dnf(_sp.parse(rx.pattern, rx.flags))
    if alts is None:
        return None
    gate: list[Conj] = []
    for conj in alts:
        usable = sorted({s for s in conj if _usable(s)}, key=lambda s: -_score(s))[:_MAX_CLAUSES]
        if not usable:
            return None
        gate.append(tuple(usable))
    return tuple(dict.fromkeys(gate))


def gate_open(gate: Gate, present: frozenset[str] | set[str]) -> bool:
    """True when the literals in ``present`` satisfy ``gate`` (the pattern might match)."""
    return any(all(not s.isdisjoint(present) for s in conj) for conj in gate)


class GateIndex:
    """Which of many gated items a set of present literals opens, without testing every gate.

    ``open_items(present)`` returns the same indices as ``[i for i, g in enumerate(gates) if g is None or
    gate_open(g, present)]``: an item is looked at only when one of its literal sets was hit.
    """

    def __init__(self, gates: Sequence[Gate | None]) -> None:
        set_ids: dict[frozenset[str], int] = {}
        self._conjs: list[tuple[frozenset[int], ...]] = []
        self._always: frozenset[int] = frozenset(i for i, g in enumerate(gates) if g is None)
        lit_sets: dict[str, set[int]] = {}
        set_items: dict[int, set[int]] = {}
        for i, gate in enumerate(gates):
            conjs: list[frozenset[int]] = []
            for conj in gate or ():
                ids = frozenset(set_ids.setdefault(s, len(set_ids)) for s in conj)
                conjs.append(ids)
                for sid in ids:
                    set_items.setdefault(sid, set()).add(i)
            self._conjs.append(tuple(conjs))
        for s, sid in set_ids.items():
            for lit in s:
                lit_sets.setdefault(lit, set()).add(sid)
        self._lit_sets = {lit: frozenset(ids) for lit, ids in lit_sets.items()}
        self._set_items = {sid: frozenset(items) for sid, items in set_items.items()}
        self.literals: frozenset[str] = frozenset(self._lit_sets)
        self._cache: dict[frozenset[str], tuple[int, ...]] = {}

    def open_items(self, present: frozenset[str]) -> tuple[int, ...]:
        found = self._cache.get(present)
        if found is None:
            found = self._open_items(present)
            if len(self._cache) >= 8192:
                self._cache.clear()
            self._cache[present] = found
        return found

    def _open_items(self, present: frozenset[str]) -> tuple[int, ...]:
        hit: set[int] = set()
        for lit in present:
            hit |= self._lit_sets.get(lit, frozenset())
        candidates = set(self._always)
        for sid in hit:
            candidates |= self._set_items[sid]
        conjs = self._conjs
        return tuple(i for i in sorted(candidates) if i in self._always or any(c <= hit for c in conjs[i]))


class LiteralFinder:
    """Finds which members of a fixed set of literals occur in a text, in one regex pass.

    The literals are compiled into a trie-shaped regex inside a lookahead, so it is tried at every position and
    returns the longest literal starting there (greedy optional suffixes, at most one child per character).
    Every shorter literal starting at the same position is a prefix of that one; :meth:`expand` adds those back
    from a precomputed table, so ``expand(longest(text))`` equals ``{lit for lit in literals if lit in text}``.
    """

    def __init__(self, literals: Iterable[str]) -> None:
        lits = frozenset(literals)
        trie: dict[str, Any] = {}
        for lit in lits:
            node = trie
            for ch in lit:
                node = node.setdefault(ch, {})
            node[""] = {}

        def emit(node: dict[str, Any]) -> str:
            kids = sorted(ch for ch in node if ch)
            if not kids:
                return ""
            alts = [re.escape(ch) + emit(node[ch]) for ch in kids]
            body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
            return f"(?:{body})?" if "" in node else body

        body = emit(trie) if lits else "(?!)"
        self._findall = re.compile("(?=(" + body + "))").findall
        self._prefixes: dict[str, frozenset[str]] = {
            lit: frozenset(lit[:i] for i in range(1, len(lit) + 1) if lit[:i] in lits) for lit in lits
        }

    def longest(self, text: str) -> frozenset[str]:
        """The longest literal starting at each position where one starts."""
        return frozenset(self._findall(text))

    def expand(self, longest: Iterable[str]) -> frozenset[str]:
        """All literals present, given :meth:`longest` of the same text."""
        return frozenset().union(*(self._prefixes[lit] for lit in longest))

    def __call__(self, text: str) -> frozenset[str]:
        return self.expand(self.longest(text))
