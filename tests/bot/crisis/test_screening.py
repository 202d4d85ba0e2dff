"""The async screener (bot/crisis/screening.py): batching, conversation context, failures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.crisis import Assessment, CrisisDetector, Severity
from bot.crisis.screening import CONTEXT_CATEGORY, Screener

T0 = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)


class Recording(CrisisDetector):
    """Flags a text containing every word of ``trigger`` (so only the joined context can match)."""

    def __init__(self, trigger: Sequence[str] = ("letters", "tonight", "goodbye")) -> None:
        super().__init__(use_model=False)
        self.trigger = trigger
        self.batches: list[int] = []

    def assess_batch(self, texts: Sequence[str]) -> list[Assessment]:
        self.batches.append(len(texts))
        return [
            Assessment(Severity.IMMINENT, ("goodbye",)) if all(w in t for w in self.trigger)
            else Assessment(Severity.NONE, ())
            for t in texts
        ]


async def test_a_goodbye_split_over_three_messages_is_caught() -> None:
    screener = Screener(Recording())
    first = await screener.screen_message("wrote the letters", author_id=1, channel_id=9, at=T0)
    second = await screener.screen_message("its tonight", author_id=1, channel_id=9, at=T0 + timedelta(minutes=2))
    third = await screener.screen_message("goodbye", author_id=1, channel_id=9, at=T0 + timedelta(minutes=3))
    assert not first.is_risk and not second.is_risk
    assert third.severity is Severity.IMMINENT and third.categories == ("goodbye", CONTEXT_CATEGORY)


async def test_context_is_per_author_channel_and_window() -> None:
    screener = Screener(Recording())
    await screener.screen_message("wrote the letters", author_id=1, channel_id=9, at=T0)
    await screener.screen_message("its tonight", author_id=1, channel_id=9, at=T0)
    # Another author, another channel, or too late: no context joins.
    assert not (await screener.screen_message("goodbye", author_id=2, channel_id=9, at=T0)).is_risk
    assert not (await screener.screen_message("goodbye", author_id=1, channel_id=8, at=T0)).is_risk
    late = T0 + timedelta(minutes=11)
    assert not (await screener.screen_message("goodbye", author_id=1, channel_id=9, at=late)).is_risk


async def test_only_the_last_messages_are_context() -> None:
    screener = Screener(Recording(), context_messages=3)
    for i, text in enumerate(["wrote the letters", "x", "y", "its tonight"]):
        await screener.screen_message(text, author_id=1, channel_id=9, at=T0 + timedelta(seconds=i))
    # "letters" is now 3 messages back: only 2 earlier messages join the new one.
    assert not (await screener.screen_message("goodbye", author_id=1, channel_id=9, at=T0)).is_risk


async def test_waiting_messages_are_batched() -> None:
    detector = Recording()
    screener = Screener(detector, batch_size=32)
    results = await asyncio.gather(*(screener.assess(f"message {i}") for i in range(40)))
    assert len(results) == 40
    assert max(detector.batches) <= 32 and len(detector.batches) < 40
    assert sum(detector.batches) == 40


async def test_a_detector_failure_reaches_the_caller() -> None:
    class Broken(CrisisDetector):
        def assess_batch(self, texts: Sequence[str]) -> list[Assessment]:
            raise RuntimeError("model crashed")

    screener = Screener(Broken(use_model=False))
    with pytest.raises(RuntimeError, match="model crashed"):
        await screener.assess("hello")
    await screener.close()


async def test_the_real_detector_through_the_screener() -> None:
    screener = Screener(CrisisDetector())
    flagged, calm = await asyncio.gather(
        screener.assess("took every pill in the bottle 20 minutes ago, bye"), screener.assess("good morning fam")
    )
    assert flagged.severity is Severity.IMMINENT
    assert not calm.is_risk
    await screener.close()


async def test_messages_arriving_together_still_see_each_other() -> None:
    screener = Screener(Recording())
    results = await asyncio.gather(
        screener.screen_message("wrote the letters", author_id=1, channel_id=9, at=T0),
        screener.screen_message("its tonight", author_id=1, channel_id=9, at=T0),
        screener.screen_message("goodbye", author_id=1, channel_id=9, at=T0),
    )
    assert [r.is_risk for r in results] == [False, False, True]


class Ordered(CrisisDetector):
    """Records the texts of each batch in order; the first batch waits until released (a batch in progress)."""

    def __init__(self) -> None:
        super().__init__(use_model=False)
        self.batches: list[list[str]] = []
        self.release = threading.Event()

    def assess_batch(self, texts: Sequence[str]) -> list[Assessment]:
        if not self.batches:
            self.release.wait(5)
        self.batches.append(list(texts))
        return [Assessment(Severity.NONE, ()) for _ in texts]


async def test_a_message_a_rule_could_flag_is_scored_before_a_backlog_of_ordinary_chat() -> None:
    detector = Ordered()
    screener = Screener(detector, batch_size=8)
    first = asyncio.ensure_future(screener.assess("morning all"))
    await asyncio.sleep(0.05)  # the first batch is being scored
    backlog = [asyncio.ensure_future(screener.assess(f"mood {i % 10} slept ok, coffee first")) for i in range(40)]
    crisis = asyncio.ensure_future(screener.assess("i am going to kill myself tonight"))
    await asyncio.sleep(0)
    detector.release.set()
    await asyncio.gather(first, crisis, *backlog)
    assert detector.batches[1][0] == "i am going to kill myself tonight"  # the very next batch, not the sixth
    everything = ["morning all", "i am going to kill myself tonight"]
    everything += [f"mood {i % 10} slept ok, coffee first" for i in range(40)]
    assert sorted(t for batch in detector.batches for t in batch) == sorted(everything)


def test_may_be_urgent_is_true_for_rule_material_and_false_for_ordinary_chat() -> None:
    detector = CrisisDetector(use_model=False)
    assert detector.may_be_urgent("i am going to kill myself tonight")
    assert not detector.may_be_urgent("mood 6 cravings 2 slept 7h")
    assert not detector.may_be_urgent("see you all at group on tuesday")
