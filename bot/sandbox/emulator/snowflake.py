"""Time-based snowflake ids, shaped like Discord's (ms since the Discord epoch << 22 | counter)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

DISCORD_EPOCH_MS = 1420070400000

_counter = itertools.count()


def wall_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_now: Callable[[], dt.datetime] = wall_now


def use_clock(now: Callable[[], dt.datetime] | None) -> None:
    """Stamp new ids and timestamps with this clock (the sandbox's, which jumps forward) or, with None,
    wall time again. Ids stay unique and ordered as long as that clock never goes back."""
    global _now
    _now = now or wall_now


def new_snowflake() -> int:
    """A fresh, strictly increasing snowflake for the current time."""
    ms = int(_now().timestamp() * 1000) - DISCORD_EPOCH_MS
    # The low 22 bits are worker/process/increment in real Discord; a global counter keeps ids unique and ordered.
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def snowflake_time(snowflake: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=dt.UTC)


def iso_now() -> str:
    """Discord-style ISO-8601 timestamp with microseconds and +00:00 offset."""
    return _now().isoformat()
