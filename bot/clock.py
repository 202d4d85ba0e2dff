"""Clocks. Every service takes one, so tests move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, always timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; used by tests and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now


class OffsetClock:
    """Wall time plus an offset that only grows: time flows on its own and jumps forward when told
    (``python -m bot sandbox``'s clock control)."""

    def __init__(self, wall: Callable[[], datetime] | None = None) -> None:
        self._wall = wall or SystemClock().now
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._wall() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._offset += delta
        return self.now()

    def jump_to(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        return self.advance(max(moment - self.now(), timedelta(0)))


def to_db(moment: datetime) -> str:
    """Serialise an aware datetime as UTC ISO-8601 (sortable as text)."""
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"naive datetime in the database: {value!r}")
    return parsed.astimezone(UTC)


def maybe_from_db(value: str | None) -> datetime | None:
    return None if value is None else from_db(value)
