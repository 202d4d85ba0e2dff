"""Every table is either covered by a feature's export/delete hook or explains why not."""

from __future__ import annotations

from pathlib import Path

from bot.clock import ManualClock
from bot.config import parse_settings
from bot.db import Database, migrate
from bot.wiring import build_services
from tests.helpers import minimal

# Tables that hold nothing about a person, with the reason.
NO_PERSONAL_DATA: dict[str, str] = {
    "schema_version": "migration bookkeeping",
    "instance_lease": "which process runs the bot (host and pid), no user ids",
    "command_sync": "hashes of the application commands last synced to Discord",
}


async def test_every_table_is_claimed_by_a_data_hook(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await migrate(db)
        services = build_services(parse_settings(minimal()), db, ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
        rows = await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = {r["name"] for r in rows}
        claimed = services.data_rights.tables
        unclaimed = tables - claimed - NO_PERSONAL_DATA.keys()
        assert not unclaimed, f"tables not covered by any export/delete hook: {sorted(unclaimed)}"
        assert not (claimed - tables), f"hooks claim tables that do not exist: {sorted(claimed - tables)}"
    finally:
        await db.close()


async def test_export_and_delete_round_trip(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await migrate(db)
        services = build_services(parse_settings(minimal()), db, ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
        await services.people.set_timezone(42, "Europe/Berlin")
        await services.audit.record(feature="groups", action="timeout", actor_id=7, target_id=42)
        exported = (await services.data_rights.export(42)).as_json_dict()
        assert exported["features"]["settings"]["settings"]["timezone"] == "Europe/Berlin"
        assert len(exported["features"]["audit_log"]["entries"]) == 1
        results = await services.data_rights.delete(42)
        assert (await services.people.timezone_name(42)).is_default
        kept = [s for r in results for s in r.kept]
        assert any("audit record" in s for s in kept)
    finally:
        await db.close()


async def test_deleted_text_is_gone_from_the_database_files(tmp_path: Path) -> None:
    """Issue 12 §3: after a delete, the note is in neither hearth.sqlite3 nor hearth.sqlite3-wal."""
    from datetime import UTC, datetime

    from bot.permissions import RoleMap
    from bot.services.checkins import CheckinInput

    path = tmp_path / "hearth.sqlite3"
    db = await Database.open(path)
    reader = await db.open_lane()  # another connection reading, as the crisis lane does in the bot
    try:
        await migrate(db)
        settings = parse_settings(minimal())
        services = build_services(settings, db, ManualClock(datetime(2026, 1, 1, 15, tzinfo=UTC)))
        person = RoleMap(settings.roles).person(42, [settings.roles.participant])
        marker = "quetzal-7731 my private note about the custody hearing"
        await services.checkins.record(person, CheckinInput(5, None, None, marker), source="modal")
        await reader.fetch_value("SELECT COUNT(*) FROM checkins")
        assert marker.encode() in path.read_bytes() + (tmp_path / "hearth.sqlite3-wal").read_bytes()
        await services.data_rights.delete(42)
        wal = tmp_path / "hearth.sqlite3-wal"
        on_disk = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert b"quetzal-7731" not in on_disk
    finally:
        await db.close()


async def test_a_failing_hook_does_not_stop_the_others(tmp_path: Path) -> None:
    """Issue 12 §1: each hook isolated; the failure is reported, the rest still deleted."""
    from datetime import UTC, datetime

    from bot.privacy import DeletionResult

    class Broken:
        feature = "broken"
        tables = ()

        async def export_user_data(self, user_id: int) -> dict[str, object]:
            return {}

        async def delete_user_data(self, user_id: int) -> DeletionResult:
            raise RuntimeError("disk on fire")

    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await migrate(db)
        services = build_services(parse_settings(minimal()), db, ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
        services.data_rights._hooks = {"broken": Broken(), **services.data_rights._hooks}  # type: ignore[dict-item]
        await services.people.set_timezone(42, "Europe/Berlin")
        results = await services.data_rights.delete(42)
        assert [r.feature for r in results if r.failed] == ["broken"]
        assert (await services.people.timezone_name(42)).is_default  # later hooks still ran
    finally:
        await db.close()


async def test_services_wake_their_own_work(tmp_path: Path) -> None:
    """Issue 11 §2: a service that writes something due re-arms its own timer; no caller pokes the scheduler."""
    from datetime import UTC, datetime

    from bot.permissions import RoleMap
    from bot.scheduler import Scheduler
    from bot.services.group_sessions import SessionReminders
    from bot.services.milestones import WORK_NAME as MILESTONES
    from bot.services.reminders import WORK_NAME as REMINDERS

    class Recording(Scheduler):
        def __init__(self, clock: ManualClock) -> None:
            super().__init__(clock)
            self.poked: list[str | None] = []

        def poke(self, name: str | None = None) -> None:
            self.poked.append(name)

    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await migrate(db)
        settings = parse_settings(minimal())
        clock = ManualClock(datetime(2026, 1, 1, 15, tzinfo=UTC))
        scheduler = Recording(clock)
        services = build_services(settings, db, clock, scheduler)
        await services.checkins.reminders.set_time(42, "20:00")
        assert scheduler.poked[-1] == REMINDERS
        await services.milestones.set_counter(42, "2025-12-01")
        assert scheduler.poked[-1] == MILESTONES
        staff = RoleMap(settings.roles).person(1, [settings.roles.staff])
        plan = await services.groups.plan_group(staff, name="Tuesday Evening", facilitator_id=None)
        group = await services.groups.register_group(plan, actor_id=1, channel_id=100, role_id=200,
                                                     voice_channel_id=None)
        await services.groups.add_session(staff, group, weekday="tuesday", start="18:00", duration_minutes=None)
        assert scheduler.poked[-1] == SessionReminders.NAME
    finally:
        await db.close()
