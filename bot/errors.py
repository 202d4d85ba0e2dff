"""Errors that are meant for the person who caused them, and incident codes for the rest."""

from __future__ import annotations

import secrets

from bot.text import neutralize_mentions


class DomainError(Exception):
    """A user-facing refusal or validation problem. ``str(exc)`` is shown to the person as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A value that is not allowed. The message names the field and what is allowed."""

    def __init__(self, field: str, allowed: str, *, got: str | None = None) -> None:
        # The rejected value is the person's own text: it must never ping anyone.
        shown = f" (got {neutralize_mentions(got)})" if got is not None else ""
        super().__init__(f"**{field}**: {allowed}{shown}.")
        self.field = field
        self.allowed = allowed


class NotAllowed(DomainError):
    """The caller's role does not permit this action."""


class NotFound(DomainError):
    pass


def new_incident_code() -> str:
    """A short code a person can quote to staff; the same code is in the log line."""
    return "E-" + secrets.token_hex(3).upper()
