"""Every extension unloads and reloads cleanly against the emulator, and keeps working."""

from __future__ import annotations

from bot.app import EXTENSIONS
from tests.cogs.test_crisis import IMMINENT, wait_alert
from tests.harness import Harness


async def test_every_extension_unloads_and_reloads(hearth: Harness) -> None:
    bot = hearth.running
    names_before = set(bot.scheduler.names)
    routes_before = list(bot.router.names)
    for extension in reversed(EXTENSIONS):
        await bot.unload_extension(extension)
    assert bot.scheduler.names == ()
    assert bot.router.names == []
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    assert set(bot.scheduler.names) == names_before
    assert bot.router.names == routes_before
    for extension in EXTENSIONS:
        await bot.reload_extension(extension)
    assert set(bot.scheduler.names) == names_before
    # Still works end to end after the reloads: screening, the outbox timer, the alert.
    await hearth.emu.send_message(hearth.seed.checkins, hearth.seed.participant, IMMINENT)
    await wait_alert(hearth)
