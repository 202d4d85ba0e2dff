"""GroupsService against a real SQLite file: rules, permissions, contract, reminders, data rights."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.config import parse_settings
from bot.db import Database, migrate
from bot.delivery import Delivered, DeliveryFailed
from bot.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.permissions import HearthRole, Person
from bot.repositories.groups import GroupRow, SessionRow
from bot.services.group_sessions import SessionReminders, session_start
from bot.services.groups import (
    GroupsService,
    name_key,
    parse_date,
    parse_time,
    parse_weekday,
    slugify,
)
from bot.wiring import build_services
from tests.helpers import minimal

STAFF = Person(1, frozenset({HearthRole.STAFF}))
FACILITATOR = Person(2, frozenset({HearthRole.FACILITATOR}))
OTHER_FACILITATOR = Person(3, frozenset({HearthRole.FACILITATOR}))
PARTICIPANT = Person(10, frozenset({HearthRole.PARTICIPANT}))
PARTICIPANT2 = Person(11, frozenset({HearthRole.PARTICIPANT}))
NOBODY = Person(99, frozenset())
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday, EST


@dataclass
class World:
    db: Database
    clock: ManualClock
    service: GroupsService


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "groups.sqlite3")
    await migrate(db)
    clock = ManualClock(START)
    services = build_services(parse_settings(minimal()), db, clock)
    try:
        yield World(db, clock, services.groups)
    finally:
        await db.close()


async def make_group(w: World, name: str = "Tuesday Evening", facilitator: int | None = 2, **kw: object) -> GroupRow:
    plan = await w.service.plan_group(STAFF, name=name, facilitator_id=facilitator, **kw)  # type: ignore[arg-type]
    base = sum(ord(c) * (i + 1) for i, c in enumerate(name))
    return await w.service.register_group(plan, actor_id=STAFF.user_id, channel_id=100 + base, role_id=200 + base,
                                          voice_channel_id=None)


def test_slugify_and_names() -> None:
    assert slugify("Tuesday Evening — Substance Use!") == "tuesday-evening-substance-use"
    assert slugify("Café Group") == "cafe-group"
    assert slugify("🌱🌱") == "group"
    assert len(slugify("a " * 200)) <= 100 and not slugify("a " * 200).endswith("-")
    assert name_key("Young  Adults") == name_key("young adults")
    assert parse_weekday("Mon") == 0 and parse_weekday("sunday") == 6
    assert parse_time("9:05") == "09:05"
    assert parse_date("2026-07-04") == date(2026, 7, 4)
    for bad in (lambda: parse_weekday("funday"), lambda: parse_time("24:00"), lambda: parse_date("04/07/2026")):
        with pytest.raises(InvalidInput):
            bad()


async def test_plan_validates_everything_before_discord(world: World) -> None:
    with pytest.raises(NotAllowed):
        await world.service.plan_group(FACILITATOR, name="Mine")
    with pytest.raises(InvalidInput, match="name"):
        await world.service.plan_group(STAFF, name="x")
    with pytest.raises(InvalidInput, match="topic"):
        await world.service.plan_group(STAFF, name="Group", topic="t" * 1025)
    with pytest.raises(InvalidInput, match="timezone"):
        await world.service.plan_group(STAFF, name="Group", timezone="Nowhere/Else")
    with pytest.raises(InvalidInput, match="name"):
        await world.service.plan_group(STAFF, name="@everyone group")
    plan = await world.service.plan_group(STAFF, name="Young Adults", timezone="america/chicago")
    assert plan.timezone == "America/Chicago" and plan.slug == "young-adults"
    await make_group(world, "Young Adults")
    with pytest.raises(InvalidInput, match="ignoring case"):
        await world.service.plan_group(STAFF, name="YOUNG ADULTS")
    # A name taken between plan and register (race) is refused at register.
    with pytest.raises(InvalidInput):
        await world.service.register_group(plan, actor_id=1, channel_id=5, role_id=6, voice_channel_id=None)


async def test_membership_permissions_and_contract(world: World) -> None:
    s = world.service
    group = await make_group(world)
    other = await make_group(world, "Other Group", facilitator=3)
    with pytest.raises(NotAllowed):
        await s.add_member(PARTICIPANT, group, PARTICIPANT2.user_id)
    with pytest.raises(NotAllowed):
        await s.add_member(OTHER_FACILITATOR, group, PARTICIPANT.user_id)
    assert await s.add_member(FACILITATOR, group, PARTICIPANT.user_id)
    assert not await s.add_member(STAFF, group, PARTICIPANT.user_id)
    with pytest.raises(DomainError, match="already a member"):
        await s.check_add(STAFF, group, PARTICIPANT)
    with pytest.raises(InvalidInput, match="neither the participant nor the facilitator role"):
        await s.check_add(STAFF, group, Person(777, frozenset()))
    with pytest.raises(InvalidInput, match="not a bot"):
        await s.check_add(STAFF, group, Person(778, frozenset({HearthRole.PARTICIPANT})), is_bot=True)
    world.clock.advance(days=1)
    assert await s.add_member(OTHER_FACILITATOR, other, PARTICIPANT.user_id)
    refs = await s.groups_of_member(PARTICIPANT.user_id)
    assert [r.name for r in refs] == ["Tuesday Evening", "Other Group"]  # oldest membership first
    assert (await s.group_by_channel(group.channel_id or 0)) == refs[0]
    assert await s.group_by_channel(424242) is None
    assert await s.facilitators_of_group(group.id) == [FACILITATOR.user_id]
    assert await s.members_of_group(group.id) == [PARTICIPANT.user_id]
    world.clock.advance(days=1)
    assert await s.remove_member(FACILITATOR, group, PARTICIPANT.user_id)
    assert await s.add_member(FACILITATOR, group, PARTICIPANT.user_id)  # rejoin: a new period
    periods = [m for m in await s.memberships_of(PARTICIPANT.user_id) if m.group_id == group.id]
    assert len(periods) == 2 and periods[0].left_at == START + timedelta(days=2) and periods[1].left_at is None
    # Membership is visible only to members, the group's facilitators and staff.
    assert await s.can_view(PARTICIPANT, group) and await s.can_view(FACILITATOR, group)
    assert not await s.can_view(PARTICIPANT2, group) and not await s.can_view(OTHER_FACILITATOR, group)
    with pytest.raises(NotAllowed):
        await s.info(PARTICIPANT, group)
    listed = await s.list_for(PARTICIPANT2)
    assert listed == []
    staff_list = await s.list_for(STAFF)
    assert {x.group.name: x.member_count for x in staff_list} == {"Tuesday Evening": 1, "Other Group": 1}
    with pytest.raises(NotFound):
        await s.find("No such group")


async def test_facilitator_changes_are_checked_before_discord(world: World) -> None:
    s = world.service
    group = await make_group(world)  # facilitated by FACILITATOR
    with pytest.raises(NotAllowed):
        await s.check_facilitator_change(FACILITATOR, group, OTHER_FACILITATOR.user_id, add=True)
    with pytest.raises(InvalidInput, match="not a bot"):
        await s.check_facilitator_change(STAFF, group, 555, add=True, is_bot=True)
    with pytest.raises(DomainError, match="already facilitates"):
        await s.check_facilitator_change(STAFF, group, FACILITATOR.user_id, add=True)
    with pytest.raises(DomainError, match="does not facilitate"):
        await s.check_facilitator_change(STAFF, group, OTHER_FACILITATOR.user_id, add=False)
    await s.check_facilitator_change(STAFF, group, OTHER_FACILITATOR.user_id, add=True)
    await s.check_facilitator_change(STAFF, group, FACILITATOR.user_id, add=False)
    await s.archive(STAFF, group)
    with pytest.raises(DomainError):
        await s.check_facilitator_change(STAFF, await s.get(group.id), OTHER_FACILITATOR.user_id, add=True)


async def test_join_requests_decided_once(world: World) -> None:
    s = world.service
    group = await make_group(world)
    with pytest.raises(NotAllowed):
        await s.request_join(NOBODY, group)
    request, facilitators = await s.request_join(PARTICIPANT, group)
    assert facilitators == [FACILITATOR.user_id]
    with pytest.raises(DomainError, match="already asked"):
        await s.request_join(PARTICIPANT, group)
    with pytest.raises(NotAllowed):
        await s.decide(PARTICIPANT, request.id, approve=True)
    with pytest.raises(NotAllowed):
        await s.decide(OTHER_FACILITATOR, request.id, approve=True)
    decision = await s.decide(FACILITATOR, request.id, approve=True)
    assert decision.approved and decision.newly_added
    with pytest.raises(DomainError, match="already answered"):
        await s.decide(STAFF, request.id, approve=False)
    assert await s.members_of_group(group.id) == [PARTICIPANT.user_id]


async def test_group_by_channel_answers_other_channels_without_the_database(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every message outside a group channel asks this (bot.routing): a set lookup, no query; group channels,
    new ones and ones a repair recreated, are still found."""
    s = world.service
    first = await make_group(world)
    assert (await s.group_by_channel(first.channel_id or 0)) is not None  # loads the channel set
    queries: list[str] = []
    real_fetch_one = world.db.fetch_one

    async def counting_fetch_one(sql: str, params: tuple[object, ...] = ()) -> object:
        queries.append(sql)
        return await real_fetch_one(sql, params)

    monkeypatch.setattr(world.db, "fetch_one", counting_fetch_one)
    assert await s.group_by_channel(424242) is None
    assert queries == []
    second = await make_group(world, "Other Group", facilitator=3)  # created after the set was loaded
    assert (ref := await s.group_by_channel(second.channel_id or 0)) is not None and ref.id == second.id
    await s.set_discord_ids(first.id, channel_id=5151, voice_channel_id=5252)  # /group repair recreated them
    assert (await s.group_by_channel(5151)) == (await s.group_by_channel(5252)) == s.ref(await s.get(first.id))
    await s.archive(STAFF, second)
    assert (ref := await s.group_by_channel(second.channel_id or 0)) is not None and ref.archived


async def test_archive_ends_memberships_and_blocks_changes(world: World) -> None:
    s = world.service
    group = await make_group(world)
    await s.add_member(STAFF, group, PARTICIPANT.user_id)
    with pytest.raises(NotAllowed):
        await s.archive(FACILITATOR, group)
    assert await s.archive(STAFF, group) == [PARTICIPANT.user_id]
    archived = await s.get(group.id)
    assert archived.archived
    assert await s.groups_of_member(PARTICIPANT.user_id) == []
    assert (await s.group_by_channel(group.channel_id or 0)) is not None  # archived or not
    with pytest.raises(DomainError, match="archived"):
        await s.add_member(STAFF, archived, PARTICIPANT2.user_id)


async def test_moderation_is_audited(world: World) -> None:
    s = world.service
    group = await make_group(world)
    await s.add_member(STAFF, group, PARTICIPANT.user_id)
    with pytest.raises(InvalidInput, match="minutes"):
        await s.check_timeout(FACILITATOR, group, PARTICIPANT, 0, "r")
    with pytest.raises(InvalidInput, match="reason"):
        await s.check_timeout(FACILITATOR, group, PARTICIPANT, 5, "   ")
    with pytest.raises(DomainError, match="not a member"):
        await s.check_timeout(FACILITATOR, group, PARTICIPANT2, 5, "r")
    reason = await s.check_timeout(FACILITATOR, group, PARTICIPANT, 5, "  spam ")
    await s.record_moderation(FACILITATOR, group, "timeout", target_id=PARTICIPANT.user_id, reason=reason,
                              detail={"minutes": 5})
    await s.record_moderation(FACILITATOR, group, "lock")
    assert (await s.get(group.id)).locked
    entries = [e for e in await s.moderation_log(group.id) if e.action in ("timeout", "lock")]
    assert [(e.action, e.actor_id, e.target_id, e.reason) for e in entries] == [
        ("timeout", 2, 10, "spam"), ("lock", 2, None, None)]
    assert entries[0].at == START


async def test_data_rights_remove_memberships_and_requests_not_the_group(world: World) -> None:
    s = world.service
    group = await make_group(world)
    await s.add_member(STAFF, group, PARTICIPANT.user_id)
    request, _ = await s.request_join(PARTICIPANT2, group)
    await s.note_request_message(request.id, FACILITATOR.user_id, 555, 556)
    exported = await s.export_user_data(PARTICIPANT.user_id)
    assert exported["memberships"][0]["group_name"] == "Tuesday Evening"
    assert (await s.export_user_data(PARTICIPANT2.user_id))["join_requests"][0]["status"] == "pending"
    result = await s.delete_user_data(PARTICIPANT2.user_id)
    assert result.rows_deleted == 2  # the request and its message copy
    assert await s.delete_user_data(PARTICIPANT.user_id)
    assert await s.memberships_of(PARTICIPANT.user_id) == []
    assert (await s.find("Tuesday Evening")).id == group.id
    assert await s.facilitators_of_group(group.id) == [FACILITATOR.user_id]


# ----------------------------------------------------------------------------- reminders

class FakeSender:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.fail: DeliveryFailed | None = None

    async def post_reminder(self, channel_id: int, text: str) -> Delivered:
        if self.fail is not None:
            raise self.fail
        self.sent.append((channel_id, text))
        return Delivered(channel_id, len(self.sent))


def test_session_start_is_dst_correct() -> None:
    zone = ZoneInfo("America/New_York")
    session = SessionRow(1, 1, 0, "18:00", 90, START)
    assert session_start(session, date(2026, 3, 2), zone) == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    assert session_start(session, date(2026, 3, 9), zone) == datetime(2026, 3, 9, 22, 0, tzinfo=UTC)
    early = SessionRow(2, 1, 6, "02:30", 60, START)  # does not exist on 2026-03-08 in New York
    assert session_start(early, date(2026, 3, 8), zone) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


async def test_reminders_never_twice_skip_and_late(world: World) -> None:
    s = world.service
    group = await make_group(world)
    await s.add_session(FACILITATOR, group, weekday="monday", start="18:00", duration_minutes=None)
    sender = FakeSender()
    work = SessionReminders(world.db, world.clock, sender, 60)
    assert await work.next_due() == datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    await work.run_due(datetime(2026, 3, 2, 22, 0, tzinfo=UTC))
    await work.run_due(datetime(2026, 3, 2, 22, 1, tzinfo=UTC))
    assert len(sender.sent) == 1 and "in 60 minutes" in sender.sent[0][1]
    await s.skip_date(FACILITATOR, group, on="2026-03-09")
    world.clock.set(datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
    assert await work.next_due() == datetime(2026, 3, 16, 21, 0, tzinfo=UTC)
    await work.run_due(datetime(2026, 3, 9, 21, 30, tzinfo=UTC))
    assert len(sender.sent) == 1
    # Permanent failure: recorded, not retried.
    sender.fail = DeliveryFailed("http 403", permanent=True)
    await work.run_due(datetime(2026, 3, 16, 21, 0, tzinfo=UTC))
    sender.fail = None
    await work.run_due(datetime(2026, 3, 16, 21, 1, tzinfo=UTC))
    assert len(sender.sent) == 1
    # Transient failure: released and retried; late wording once the session has started.
    sender.fail = DeliveryFailed("http 503")
    await work.run_due(datetime(2026, 3, 23, 21, 0, tzinfo=UTC))
    sender.fail = None
    await work.run_due(datetime(2026, 3, 23, 22, 15, tzinfo=UTC))
    assert len(sender.sent) == 2 and "started at 18:00" in sender.sent[1][1] and "until 19:30" in sender.sent[1][1]


async def test_no_reminder_for_a_session_added_after_its_reminder_time(world: World) -> None:
    s = world.service
    group = await make_group(world)
    world.clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))  # 17:30: reminder for 18:00 would be 17:00
    await s.add_session(FACILITATOR, group, weekday="monday", start="18:00", duration_minutes=60)
    sender = FakeSender()
    work = SessionReminders(world.db, world.clock, sender, 60)
    await work.run_due(world.clock.now())
    assert sender.sent == []
    assert await work.next_due() == datetime(2026, 3, 9, 21, 0, tzinfo=UTC)
