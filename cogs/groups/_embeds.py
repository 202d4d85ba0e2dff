"""How group information is shown (always ephemeral: membership is private)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.services.checkins import PulseReport
from bot.services.groups import GroupInfo, GroupSummary, session_label
from bot.text import neutralize_mentions, truncate
from bot.ui import BRAND_COLOUR

COLOUR = BRAND_COLOUR
FIELD_MAX = 1024


def _mentions(ids: Sequence[int], empty: str) -> str:
    if not ids:
        return empty
    return truncate(", ".join(f"<@{i}>" for i in ids), FIELD_MAX)


LIST_PAGE = 25


def list_embed(summaries: list[GroupSummary], *, staff: bool, page: int = 1) -> discord.Embed:
    """One page of LIST_PAGE groups; the footer says how to see the next (nothing is silently left out)."""
    title = "All groups" if staff else "Your groups"
    embed = discord.Embed(title=title, colour=COLOUR)
    if not summaries:
        embed.description = (
            "There are no groups yet. Create one with `/group create`." if staff
            else "You are not in a group yet. Ask to join one with `/group join`."
        )
        return embed
    pages = (len(summaries) + LIST_PAGE - 1) // LIST_PAGE
    page = min(max(page, 1), pages)
    lines = []
    for s in summaries[(page - 1) * LIST_PAGE: page * LIST_PAGE]:
        g = s.group
        where = f"<#{g.channel_id}>" if g.channel_id else "(channel missing)"
        state = " — archived" if g.archived else (" — locked" if g.locked else "")
        count = f" · {s.member_count} member{'s' if s.member_count != 1 else ''}" if staff else ""
        lines.append(f"**{g.name}** {where}{count}{state}")
    embed.description = truncate("\n".join(lines), 4096)
    if pages > 1:
        more = f" — next: /group list page:{page + 1}" if page < pages else ""
        embed.set_footer(text=f"Page {page} of {pages} ({len(summaries)} groups){more}")
    return embed


def info_embed(info: GroupInfo, health: list[str], upcoming: list[str]) -> discord.Embed:
    g = info.group
    embed = discord.Embed(title=g.name, colour=COLOUR)
    status = "archived" if g.archived else ("locked (read-only)" if g.locked else "open")
    embed.description = (
        f"Channel: {f'<#{g.channel_id}>' if g.channel_id else 'missing'} · Time zone: {g.timezone} · "
        f"Status: {status} · Slowmode: {g.slowmode_seconds}s"
    )
    embed.add_field(name=f"Members ({len(info.member_ids)})", value=_mentions(info.member_ids, "none yet"),
                    inline=False)
    embed.add_field(name="Facilitators", value=_mentions(info.facilitator_ids, "none"), inline=False)
    schedule = "\n".join(session_label(s) for s in info.sessions) or "no weekly sessions"
    if info.skipped:
        schedule += "\nSkipped: " + ", ".join(d.isoformat() for d in info.skipped)
    if upcoming:
        schedule += "\nNext: " + "; ".join(upcoming)
    embed.add_field(name="Schedule", value=truncate(schedule, FIELD_MAX), inline=False)
    embed.add_field(name="Health", value=truncate("\n".join(health), FIELD_MAX), inline=False)
    return embed


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def pulse_text(report: PulseReport) -> str:
    name = neutralize_mentions(report.group.name)
    lines = [f"**Pulse — {name}** (only you can see this)"]
    if report.sharing_checked_in:
        lines.append("Checked in today: " + ", ".join(f"<@{u}>" for u in report.sharing_checked_in))
    else:
        lines.append("Checked in today: nobody who shares with the group yet.")
    if report.sharing_not_yet:
        lines.append("Not yet today: " + ", ".join(f"<@{u}>" for u in report.sharing_not_yet))
    if report.not_sharing:
        lines.append(f"_{report.not_sharing} member(s) don't share check-ins with the group and aren't listed._")
    shown = [p for p in report.trend if p.average is not None]
    if shown:
        lines.append(f"\n**Average mood, last {_days(report.days)}** (no names):")
        lines.extend(f"{p.day:%a %b %d}: {p.average:.1f} ({p.count} check-ins)" for p in shown)
    else:
        lines.append(
            f"\nAverage mood: not shown — fewer than 3 members checked in on each of the last {_days(report.days)}."
        )
    if report.silent:
        lines.append(f"\n**No check-in for {_days(report.silent_days)} or more** — maybe a gentle hello:")
        for uid, last in report.silent:
            when = f"last {last:%b %d}" if last else "no check-ins yet"
            lines.append(f"• <@{uid}> ({when})")
    return truncate("\n".join(lines), 2000)
