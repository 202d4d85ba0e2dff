"""Assembly of a runnable bot: config → database → migrations → services → scheduler → Bot.

``run`` on the command line and the end-to-end tests both go through ``build_bot`` so
the bot under test is wired exactly like the one in production.
"""

from __future__ import annotations

from typing import Any

from bot.app import HearthBot, configure_endpoints
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, migrate
from bot.scheduler import Scheduler
from bot.wiring import build_services


async def build_bot(settings: Settings, clock: Clock, **bot_options: Any) -> HearthBot:
    """Open and migrate the database, then build the bot. The caller closes ``bot.db`` (and with it
    the crisis lane)."""
    db = await Database.open(settings.database.path)
    try:
        await migrate(db)
        scheduler = Scheduler(clock)
        # The crisis lane: its own connection and worker thread; db.close() closes it too.
        crisis_db = await db.open_lane()
        services = build_services(settings, db, clock, scheduler, crisis_db=crisis_db)
    except BaseException:
        await db.close()
        raise
    configure_endpoints(settings.discord)
    return HearthBot(
        settings=settings, db=db, services=services, scheduler=scheduler, clock=clock, **bot_options
    )
