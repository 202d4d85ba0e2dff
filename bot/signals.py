"""In-process notifications from one service to others, connected in ``bot.wiring``.

A check-in, a membership change or a new time zone matters to other features
(milestones plan celebrations, reminders move to the new zone). The service that owns
the change emits a ``UserSignal``; it does not know who listens. A failing listener is
logged with an incident code and does not undo or fail the change that was made: the
listener's own scheduled sweep is the safety net.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.errors import new_incident_code

log = logging.getLogger(__name__)

UserListener = Callable[[int], Awaitable[object]]


class UserSignal:
    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[UserListener] = []

    def connect(self, listener: UserListener) -> None:
        self._listeners.append(listener)

    async def emit(self, user_id: int) -> None:
        for listener in self._listeners:
            try:
                await listener(user_id)
            except Exception:
                log.exception(
                    "listener %s of %s failed for user %s [%s]",
                    getattr(listener, "__qualname__", listener), self.name, user_id, new_incident_code(),
                )
