"""Discord-side helpers shared by every cog: replies, error handling, persistent buttons.

Nothing here holds state. The rule it enforces: a ``DomainError`` becomes an ephemeral
reply with its message; anything else is logged with a short incident code and the
person gets a brief ephemeral apology quoting that code. No traceback reaches a user.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar, Concatenate, ParamSpec, Self, TypeVar

import discord
from discord import app_commands

from bot.errors import DomainError, new_incident_code

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
# Hearth's one brand colour (a warm ember orange), on every embed that is not a status colour.
BRAND_COLOUR = discord.Colour.from_rgb(224, 142, 69)
EPHEMERAL_LIMIT = 2000

P = ParamSpec("P")
T = TypeVar("T")


def apology(code: str) -> str:
    return (
        "Sorry, something went wrong on our side and this did not go through. "
        f"If it keeps happening, please tell a staff member the code **{code}**."
    )


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    ephemeral: bool = True,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """Answer an interaction whether or not it was already responded to or deferred."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(content or discord.utils.MISSING, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)


async def report_error(interaction: discord.Interaction[Any], error: BaseException, *, where: str) -> None:
    """Turn any exception from an interaction handler into the right ephemeral reply."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or error
    if isinstance(error, DomainError):
        message = error.message
        log.info("refused %s for user %s: %s", where, interaction.user.id, type(error).__name__)
    elif isinstance(error, app_commands.CheckFailure):
        message = str(error) or "Sorry, you can't use this here."
    else:
        code = new_incident_code()
        log.error(
            "unexpected error in %s for user %s in channel %s [%s]",
            where, interaction.user.id, interaction.channel_id, code, exc_info=error,
        )
        message = apology(code)
    try:
        await reply(interaction, message, ephemeral=True)
    except discord.HTTPException as exc:
        # The interaction may have expired (3 s / 15 min); nothing more can be said to them.
        log.warning("could not deliver error reply for %s to user %s: %s", where, interaction.user.id, exc.status)


def guarded(
    where: str,
) -> Callable[
    [Callable[Concatenate[Any, discord.Interaction[Any], P], Coroutine[Any, Any, None]]],
    Callable[Concatenate[Any, discord.Interaction[Any], P], Coroutine[Any, Any, None]],
]:
    """Wrap a component/modal callback ``(self, interaction, ...)`` with ``report_error``.

    discord.py sends errors from DynamicItem callbacks to a throwaway View whose on_error
    only logs; this keeps the person informed in every case.
    """

    def decorate(
        func: Callable[Concatenate[Any, discord.Interaction[Any], P], Coroutine[Any, Any, None]],
    ) -> Callable[Concatenate[Any, discord.Interaction[Any], P], Coroutine[Any, Any, None]]:
        @functools.wraps(func)
        async def wrapper(self: Any, interaction: discord.Interaction[Any], *args: P.args, **kwargs: P.kwargs) -> None:
            try:
                await func(self, interaction, *args, **kwargs)
            except Exception as exc:
                await report_error(interaction, exc, where=where)

        return wrapper

    return decorate


async def log_task_errors(name: str, coro: Awaitable[T]) -> T | None:
    """Await background work, logging (with an incident code) instead of losing an error."""
    try:
        return await coro
    except Exception:
        log.exception("background task %s failed [%s]", name, new_incident_code())
        return None


class HearthView(discord.ui.View):
    """A View whose errors are reported to the person, never silently logged."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error, where=f"view {type(self).__name__}")


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"(?!)"):
    """A button that keeps working across restarts, custom_id ``hearth:<feature>:<action>:<id>``.

    A subclass is configured in its class line and implements only ``handle``::

        class ResolveButton(PersistentButton, feature="crisis", action="resolve", label="Resolve",
                            style=discord.ButtonStyle.success):
            async def handle(self, interaction: discord.Interaction[Any]) -> None:
                ...  # self.target_id is the <id> from the custom_id

    Register the subclass with ``bot.add_dynamic_items``; discord.py then rebuilds it from any
    clicked custom_id its template matches, also on messages sent before a restart. Errors from
    ``handle`` go through ``report_error`` (discord.py would only log them). Every subclass is
    a concrete button: it states its own feature, action and label.
    """

    custom_id_prefix: ClassVar[str]
    default_label: ClassVar[str]
    button_style: ClassVar[discord.ButtonStyle]
    button_emoji: ClassVar[str | None]

    def __init_subclass__(
        cls,
        *,
        feature: str,
        action: str,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        emoji: str | None = None,
        **kwargs: Any,
    ) -> None:
        if cls.handle is PersistentButton.handle:
            raise TypeError(f"{cls.__name__} must implement handle()")
        cls.custom_id_prefix = f"hearth:{feature}:{action}:"
        cls.default_label = label
        cls.button_style = style
        cls.button_emoji = emoji
        # This base carries a never-matching template; each subclass gets its own.
        super().__init_subclass__(template=re.escape(cls.custom_id_prefix) + r"(?P<id>\d+)", **kwargs)

    def __init__(self, target_id: int, *, label: str | None = None, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=self.default_label if label is None else label,
                style=self.button_style,
                emoji=self.button_emoji,
                disabled=disabled,
                custom_id=f"{self.custom_id_prefix}{target_id}",
            )
        )
        self.target_id = target_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.handle(interaction)
        except Exception as exc:
            await report_error(interaction, exc, where=f"button {type(self).__name__}")

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        """What a click does; ``self.target_id`` is the id from the custom_id."""
        raise NotImplementedError


class HearthModal(discord.ui.Modal):
    # discord.py 2.7 types Modal.on_error without the item argument that BaseView declares.
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error, where=f"modal {type(self).__name__}")
