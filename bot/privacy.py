"""Data rights: every feature registers how to export and delete one person's data.

Modelled on Red's per-cog ``red_delete_data_for_user``: the registry knows nothing about
features; each feature's service registers a ``UserDataHook`` in ``main()``. ``/privacy
export`` collects every hook's export; ``/privacy delete`` runs every hook's delete and
reports, per feature, what was removed and what was kept and why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.clock import Clock
from bot.errors import new_incident_code

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """A message the bot posted about the person (a shared check-in, a public celebration)."""

    channel_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class DeletionResult:
    feature: str
    rows_deleted: int
    # Plain-language sentences shown to the person: what was kept and why.
    kept: tuple[str, ...] = ()
    # Messages the bot posted about the person; the privacy extension deletes them from Discord.
    posts: tuple[PostedMessage, ...] = ()
    # Discord roles Hearth gave the person (group roles); the privacy extension removes them.
    roles: tuple[int, ...] = ()
    # The hook raised: nothing of this feature is known to be deleted (logged with an incident code).
    failed: bool = False


class UserDataHook(Protocol):
    @property
    def feature(self) -> str:
        """A short stable name such as ``checkins``; the key in the export."""
        ...

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table holding data about people that this hook exports and deletes (or
        explains keeping). tests/bot/test_data_rights.py fails if a table is unclaimed."""
        ...

    async def export_user_data(self, user_id: int) -> dict[str, Any]: ...

    async def delete_user_data(self, user_id: int) -> DeletionResult: ...


@dataclass(frozen=True, slots=True)
class DataExport:
    user_id: int
    generated_at: datetime
    features: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json_dict(self) -> dict[str, Any]:
        return {
            "user_id": str(self.user_id),
            "generated_at": self.generated_at.isoformat(),
            "about": "Everything Hearth stores about you, by feature. Times are UTC.",
            "features": self.features,
        }


class DataRights:
    """``compact``, when given, runs after a deletion so deleted text leaves the database files at once
    (``Database.compact``: a WAL checkpoint that truncates the write-ahead log)."""

    def __init__(self, clock: Clock, *, compact: Callable[[], Awaitable[None]] | None = None) -> None:
        self._clock = clock
        self._compact = compact
        # Called with the person and the features whose deletion failed (the retry queue, see wiring).
        self.on_failed: Callable[[int, list[str]], Awaitable[None]] | None = None
        # Called with each hook's result as soon as it succeeded: the Discord-side cleanup queue (see wiring), so a
        # message about the person is remembered for removal even when it is found only by a retried hook.
        self.on_deleted: Callable[[int, DeletionResult], Awaitable[None]] | None = None
        self._hooks: dict[str, UserDataHook] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def register(self, hook: UserDataHook) -> None:
        if hook.feature in self._hooks:
            raise ValueError(f"a data hook for {hook.feature!r} is already registered")
        self._hooks[hook.feature] = hook

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self._hooks)

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(t for hook in self._hooks.values() for t in hook.tables)

    async def delete_feature(self, user_id: int, feature: str) -> DeletionResult:
        """Run one feature's deletion again (the retry of a failure), under the person's lock; raises if it fails."""
        hook = self._hooks[feature]
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            result = await hook.delete_user_data(user_id)
            if self.on_deleted is not None:
                await self.on_deleted(user_id, result)
            if self._compact is not None:
                await self._compact()
        if not lock.locked():
            self._locks.pop(user_id, None)
        return result

    async def export(self, user_id: int) -> DataExport:
        features = {name: await hook.export_user_data(user_id) for name, hook in self._hooks.items()}
        log.info("exported data for user %s (%d features)", user_id, len(features))
        return DataExport(user_id=user_id, generated_at=self._clock.now(), features=features)

    async def delete(self, user_id: int) -> list[DeletionResult]:
        """Run every hook, each isolated (one failing never stops the others), one deletion per person at a time.

        A failed hook is returned as ``DeletionResult(feature, 0, failed=True)`` and logged with an incident code.
        """
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            results = []
            for name, hook in self._hooks.items():
                try:
                    result = await hook.delete_user_data(user_id)
                    if self.on_deleted is not None:
                        await self.on_deleted(user_id, result)
                    results.append(result)
                except Exception:
                    log.exception("deleting %s data of user %s failed [%s]", name, user_id, new_incident_code())
                    results.append(DeletionResult(name, 0, failed=True))
            if self._compact is not None:
                try:
                    await self._compact()
                except Exception:
                    log.exception("compacting the database after deleting user %s failed [%s]", user_id,
                                  new_incident_code())
        failed = [r.feature for r in results if r.failed]
        if failed and self.on_failed is not None:
            try:
                await self.on_failed(user_id, failed)
            except Exception:
                log.exception("could not queue the retry of a failed deletion for user %s [%s]", user_id,
                              new_incident_code())
        if not lock.locked():
            self._locks.pop(user_id, None)
        log.info(
            "deleted data for user %s: %s",
            user_id,
            ", ".join(f"{r.feature}={'FAILED' if r.failed else r.rows_deleted}" for r in results),
        )
        return results
