"""Derive cheap substring gates from regular expressions.

For a compiled pattern, :func:`required_literals` returns strings such that every
match of the pattern contains at least one of them (or ``None`` when no such set
is found). Checking ``any(s in text for s in gate)`` before running the regex is
then exact: it never changes a result, it only skips work.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# The stdlib regex parser (re._parser / re._constants in Python 3.11+); untyped in typeshed.
_sp: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

__all__ = ["required_literals"]

_MAX_SET = 40
Alts = frozenset[str] | None


def _score(alts: Alts) -> float:
    if not alts:
        return -1.0
    return min(len(a) for a in alts) - 0.05 * len(alts)


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


def required_literals(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which occurs in every match of ``rx``; None if none found."""
    parsed = _sp.parse(rx.pattern, rx.flags)
    alts = _seq(list(parsed))
    if not alts or min(len(a) for a in alts) < 2:
        return None
    return tuple(sorted(alts, key=len))
