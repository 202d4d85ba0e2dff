"""Per-person settings, starting with the time zone every person's day is computed in."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.clock import Clock
from bot.db import Database
from bot.errors import InvalidInput
from bot.privacy import DeletionResult
from bot.repositories import user_settings
from bot.signals import UserSignal


@dataclass(frozen=True, slots=True)
class TimezoneChoice:
    name: str
    is_default: bool


class PeopleService:
    CACHE_LIMIT = 100_000
    feature = "settings"
    tables = ("user_settings",)

    def __init__(self, db: Database, clock: Clock, community_timezone: str) -> None:
        self._db = db
        self._clock = clock
        self.community_timezone = community_timezone
        self._zones: list[str] | None = None
        self._stored: dict[int, str | None] = {}  # user_id -> stored zone name (None: default)
        self.timezone_changed = UserSignal("timezone_changed")

    # ----------------------------------------------------------------- time zones
    def _all_zones(self) -> list[str]:
        if self._zones is None:
            # Legacy aliases such as "US/Eastern" still resolve, but suggesting canonical
            # Area/City names keeps the list short and unambiguous.
            self._zones = sorted(
                z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
            )
        return self._zones

    def suggest_timezones(self, query: str, limit: int = 25) -> list[str]:
        zones = self._all_zones()
        query = query.strip().replace(" ", "_")
        if not query:
            preferred = [
                "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
            ]
            return preferred[:limit]
        lowered = query.lower()
        contains = [z for z in zones if lowered in z.lower()]
        close = difflib.get_close_matches(query, zones, n=limit, cutoff=0.5)
        close += [z for z in difflib.get_close_matches(lowered, [z.lower() for z in zones], n=limit, cutoff=0.5)]
        by_lower = {z.lower(): z for z in zones}
        result: list[str] = []
        for name in contains + close:
            canonical = by_lower.get(name.lower(), name)
            if canonical not in result:
                result.append(canonical)
        return result[:limit]

    def validate_timezone(self, name: str) -> str:
        candidate = name.strip()
        by_lower = {z.lower(): z for z in self._all_zones()}
        canonical = by_lower.get(candidate.lower().replace(" ", "_"), candidate)
        try:
            ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):
            suggestions = self.suggest_timezones(candidate, limit=3)
            hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
            raise InvalidInput(
                "timezone", f"use an IANA time zone name such as America/New_York.{hint}",
                got=f"`{candidate[:60]}`",
            ) from None
        return canonical

    async def set_timezone(self, user_id: int, name: str) -> str:
        canonical = self.validate_timezone(name)
        self._stored.pop(user_id, None)
        await user_settings.set_timezone(self._db, user_id, canonical, self._clock.now())
        self._stored[user_id] = canonical
        await self.timezone_changed.emit(user_id)
        return canonical

    async def _stored_timezone(self, user_id: int) -> str | None:
        # Every check-in, reminder and milestone asks for a person's zone; user_settings is
        # written only through this service, so a read-through cache stays exact.
        if user_id in self._stored:
            return self._stored[user_id]
        stored = await user_settings.get_timezone(self._db, user_id)
        if len(self._stored) >= self.CACHE_LIMIT:
            self._stored.clear()
        self._stored[user_id] = stored
        return stored

    async def timezone_name(self, user_id: int) -> TimezoneChoice:
        stored = await self._stored_timezone(user_id)
        if stored is None:
            return TimezoneChoice(self.community_timezone, is_default=True)
        return TimezoneChoice(stored, is_default=False)

    async def zone(self, user_id: int) -> ZoneInfo:
        return ZoneInfo((await self.timezone_name(user_id)).name)

    async def zones_for(self, user_ids: list[int]) -> dict[int, ZoneInfo]:
        stored = await user_settings.timezones_for(self._db, user_ids)
        default = ZoneInfo(self.community_timezone)
        return {uid: ZoneInfo(stored[uid]) if uid in stored else default for uid in user_ids}

    async def local_now(self, user_id: int) -> datetime:
        return self._clock.now().astimezone(await self.zone(user_id))

    async def local_today(self, user_id: int) -> date:
        return (await self.local_now(user_id)).date()

    # ----------------------------------------------------------------- data rights
    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {"settings": await user_settings.export(self._db, user_id)}

    async def delete_user_data(self, user_id: int) -> DeletionResult:
        self._stored.pop(user_id, None)
        try:
            return DeletionResult(self.feature, await user_settings.delete(self._db, user_id))
        finally:
            self._stored.pop(user_id, None)
