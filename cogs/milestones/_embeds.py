"""Text and embeds for milestones: list, replies, celebrations."""

from __future__ import annotations

from datetime import date

import discord

from bot.services.milestones import CounterView, DueCelebration
from bot.text import neutralize_mentions, unmask_links

COLOUR = discord.Colour.from_rgb(245, 183, 66)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def when(d: date) -> str:
    return f"{d.strftime('%A')}, {d.strftime('%B')} {d.day}, {d.year}"


def milestone_phrase(days: int) -> str:
    if days >= 365 and days % 365 == 0:
        return plural(days // 365, "year")
    return plural(days, "day")


def counter_lines(view: CounterView) -> str:
    lines = [
        f"**{view.label}** — {plural(view.days, 'day')} (since {view.start_date.isoformat()})",
        f"Next milestone: **{milestone_phrase(view.next_milestone)}** on {when(view.next_date)}",
    ]
    if view.resets:
        lines.append(f"Days in recovery: {view.days_in_recovery} of the last {plural(view.window_days, 'day')}")
    elif view.days == 0:
        lines.append("Day one starts today.")
    return "\n".join(lines)


def list_embed(views: list[CounterView], visibility: str) -> discord.Embed:
    embed = discord.Embed(title="Your milestone counters", colour=COLOUR)
    embed.description = "\n\n".join(counter_lines(v) for v in views)
    shown = {"private": "by DM, just to you", "group": "in your group's channel",
             "community": "in the community celebrations channel"}[visibility]
    embed.set_footer(text=f"Celebrations are sent {shown}. Change with /settings milestone_visibility.")
    return embed


def set_reply(view: CounterView, created: bool) -> str:
    head = (f"Your **{view.label}** counter is started." if created
            else f"Your **{view.label}** counter now starts on {view.start_date.isoformat()}.")
    return (
        f"{head} That's {plural(view.days, 'day')} so far.\n"
        f"Next milestone: **{milestone_phrase(view.next_milestone)}** on {when(view.next_date)}. "
        "I'll celebrate it with you on the day. 🌱"
    )


def reset_reply(view: CounterView) -> str:
    if view.days == 0:
        start = "Your counter starts again today."
    else:
        start = f"Your counter now starts on {view.start_date.isoformat()} — that's {plural(view.days, 'day')}."
    return (
        f"Thank you for being honest with yourself. Recovery isn't a straight line, and coming back to it "
        f"takes courage.\n{start}\n"
        f"Every day still counts: **{view.days_in_recovery} of the last {plural(view.window_days, 'day')}** "
        f"in recovery. Your earlier days are kept in your private history.\n"
        "If you'd like support, your group and facilitators are here for you."
    )


def _achievement(c: DueCelebration) -> str:
    if c.kind == "counter":
        label = neutralize_mentions(c.label or "recovery")
        return f"**{milestone_phrase(c.milestone)}** ({label})"
    if c.kind == "streak":
        return f"a **{c.milestone}-day** check-in streak"
    group = f" of {neutralize_mentions(c.group_name)}" if c.group_name else ""
    return f"**{plural(c.milestone, 'week')}** as a member{group}"


def _lateness(c: DueCelebration) -> str:
    if c.days_late <= 0:
        return "today"
    if c.days_late == 1:
        return "yesterday"
    return f"on {when(c.local_date)}"


def private_message(c: DueCelebration) -> str:
    if c.days_late > 0:
        return (
            f"🎉 A little late, but no less proud: {_lateness(c)} you reached {_achievement(c)}. "
            "That took real work, one day at a time."
        )
    return f"🎉 Today you reached {_achievement(c)}! That took real work, one day at a time. We're proud of you."


def public_embed(c: DueCelebration, display_name: str, cheers: int) -> discord.Embed:
    name = neutralize_mentions(discord.utils.escape_markdown(display_name))
    if c.days_late > 0:
        text = f"A little late to the party: {_lateness(c)} **{name}** reached {_achievement(c)}! 🎉"
    else:
        text = f"Today **{name}** reached {_achievement(c)}! 🎉"
    embed = discord.Embed(title="A milestone to celebrate", description=text, colour=COLOUR)
    embed.set_footer(text=cheers_text(cheers))
    return embed


def cheers_text(count: int) -> str:
    if count == 0:
        return "Press 🎉 Celebrate to cheer them on."
    return f"🎉 {plural(count, 'cheer')} so far"


def encouragement_dm(author_name: str, text: str) -> str:
    name = neutralize_mentions(discord.utils.escape_markdown(author_name))
    return f"💌 **{name}** sent you encouragement for your milestone:\n>>> {neutralize_mentions(unmask_links(text))}"
