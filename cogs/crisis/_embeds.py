"""Wording and embeds for crisis escalation.

Safe-messaging rules for everything a person in distress reads: acknowledge, keep it
brief and warm, give one clear action, never quote their words, never mention methods,
never promise secrecy, and say plainly that a staff member has been told, but only once an alert
reached one (until then: staff are being contacted).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.config import CrisisResource
from bot.services.crisis import Incident, IncidentFigures, Match, OutboxItem
from bot.text import neutralize_mentions
from bot.ui import BRAND_COLOUR

WARM = BRAND_COLOUR
RED = discord.Colour.from_rgb(200, 40, 40)
AMBER = discord.Colour.from_rgb(230, 160, 30)
GREEN = discord.Colour.from_rgb(60, 160, 90)
GREY = discord.Colour.from_rgb(130, 130, 130)

STATUS_WORDS = {
    "open": "Open — not yet acknowledged",
    "acknowledged": "Acknowledged",
    "resolved": "Resolved",
    "false_alarm": "Closed as a false alarm",
}
ORIGIN_WORDS = {
    "detector": "Detected in a message",
    "manual": "Escalated by hand",
    "peer": "A peer is worried",
    "self": "The person asked for support",
}
SOURCE_WORDS = {
    "checkin_message": "check-in channel",
    "checkin_note": "check-in note",
    "group_message": "group channel",
    "dm": "direct message to Hearth",
    "modal": "a form in Hearth",
    "encouragement": "an encouragement message",
    "manual": "message escalated by staff",
    "help_now": "/help-now",
    "peer": "message flagged by a peer",
    "drill": "a drill (/incident drill)",
}


def ts(moment: datetime, style: str = "f") -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


# ------------------------------------------------------------------ for the person


_PERSON_OPENING = (
    "Hi — I saw your message and I'm glad you shared it. You don't have to carry this alone. "
)
_PERSON_DANGER = "\n\n**If you might be in danger right now, please call or text 988** (or call 911)."
# Only once an alert has actually reached someone on staff.
PERSON_MESSAGE = (
    _PERSON_OPENING + "A staff member from the program has been told and will reach out to you." + _PERSON_DANGER
)
# Until then: true whatever happens next.
PERSON_MESSAGE_CONTACTING = (
    _PERSON_OPENING + "I'm contacting a staff member from the program now so they can reach out to you."
    + _PERSON_DANGER
)
# Every way of reaching staff has failed for now: do not leave them waiting for a call.
PERSON_FOLLOWUP = (
    "Hi — I'm sorry, I haven't been able to reach a staff member for you yet, and I don't want you to wait. "
    "**Please use one of the services below now — call or text 988, or call 911.** They're free and answer "
    "around the clock. I'll keep trying the staff team."
)


def person_message(staff_reached: bool) -> str:
    """What the person is told: "has been told" only once an alert reached someone."""
    return PERSON_MESSAGE if staff_reached else PERSON_MESSAGE_CONTACTING


VIA_WORDS = {
    "dm": "by DM", "ephemeral": "in a reply only they could see", "thread": "in a private thread (DMs closed)",
    "channel": "as a note in the channel",
}

PRIVATE_THREAD_INTRO = (
    "{mention} I couldn't send you a direct message, so I opened this private thread. "
    "Only you and the on-call staff team can see it."
)

HELP_NOW_MESSAGE = (
    "You don't have to go through this alone. **If you might be in danger right now, call or text 988** "
    "(or call 911). These services are free and answer around the clock:"
)

DM_GUIDANCE = (
    "Hi, I'm Hearth, the helper bot for our program's peer-support community. I can't chat here, "
    "but I can help with a few things:\n"
    "• `/checkin` — your daily check-in\n"
    "• `/help` — everything I can do for you\n"
    "• `/help-now` — support options right away, any time\n\n"
    "If you need a person, your facilitators and the staff team are there for you."
)


def resources_embed(resources: Sequence[CrisisResource]) -> discord.Embed:
    embed = discord.Embed(title="Support, any time", colour=WARM)
    for resource in resources:
        value = resource.how + (f"\n*{resource.when}*" if resource.when else "")
        embed.add_field(name=resource.name, value=value, inline=False)
    return embed


# ------------------------------------------------------------------ for staff


def severity_word(severity: str) -> str:
    return "IMMINENT" if severity == "imminent" else "Concern"


def alert_content(on_call_role: int, incident: Incident) -> str:
    if incident.drill:
        return (
            f"**DRILL** <@&{on_call_role}> practice crisis alert — **{severity_word(incident.severity)}** "
            f"(incident #{incident.id}). No participant is involved; please acknowledge as you would a real alert."
        )
    if incident.origin == "self":
        return f"<@&{on_call_role}> A participant asked to talk to someone (incident #{incident.id})."
    return (
        f"<@&{on_call_role}> Crisis alert — **{severity_word(incident.severity)}** "
        f"(incident #{incident.id}). Please acknowledge."
    )


def degraded_alert(
    on_call_role: int, *, user_id: int, severity: str, source: str, excerpt: str | None, code: str,
    at: datetime,
) -> tuple[str, discord.Embed]:
    """The alert sent while the incident could not be written (database unavailable): no number, no buttons."""
    content = (
        f"<@&{on_call_role}> Crisis alert — **{severity_word(severity)}**. Hearth's database is not answering, "
        "so this alert has no incident number or buttons yet: please reach the person now."
    )
    embed = discord.Embed(title=f"{severity_word(severity)} — not yet recorded", colour=RED, timestamp=at)
    embed.add_field(name="Person", value=f"<@{user_id}>", inline=True)
    embed.add_field(name="Where", value=SOURCE_WORDS.get(source, source), inline=True)
    embed.add_field(name="When", value=f"{ts(at)} ({ts(at, 'R')})", inline=True)
    if excerpt:
        embed.add_field(name="Excerpt", value=excerpt[:1024], inline=False)
    embed.add_field(
        name="Status",
        value="Sent without a database record (degraded). It will be recorded, and this message becomes the "
              "full alert with Acknowledge / Resolve buttons, as soon as the database answers.",
        inline=False,
    )
    embed.set_footer(text=f"degraded alert · code {code}")
    return content, embed


LATE_SCREENING = timedelta(minutes=5)


def age_words(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def alert_embed(incident: Incident) -> discord.Embed:
    colour = {
        "open": RED if incident.severity == "imminent" else AMBER,
        "acknowledged": AMBER,
        "resolved": GREEN,
        "false_alarm": GREY,
    }[incident.status]
    title = f"{'DRILL · ' if incident.drill else ''}{severity_word(incident.severity)} — incident #{incident.id}"
    embed = discord.Embed(title=title, colour=colour, timestamp=incident.opened_at)
    person = f"none — a drill started by <@{incident.user_id}>" if incident.drill else f"<@{incident.user_id}>"
    embed.add_field(name="Person", value=person, inline=True)
    embed.add_field(name="Severity", value=severity_word(incident.severity), inline=True)
    embed.add_field(name="How", value=ORIGIN_WORDS.get(incident.origin, incident.origin), inline=True)
    where = SOURCE_WORDS.get(incident.source, incident.source)
    if incident.jump_url:
        where = f"[{where}]({incident.jump_url})"
    embed.add_field(name="Where (newest)", value=where, inline=True)
    embed.add_field(name="When", value=f"{ts(incident.opened_at)} ({ts(incident.opened_at, 'R')})", inline=True)
    if incident.linked_incident_id is not None:
        embed.add_field(name="Follows", value=f"incident #{incident.linked_incident_id} (closed)", inline=True)
    if incident.posted_at is not None and incident.opened_at - incident.posted_at >= LATE_SCREENING:
        embed.add_field(
            name="Written",
            value=f"{ts(incident.posted_at)} ({age_words(incident.opened_at - incident.posted_at)} before this "
                  "alert: posted while Hearth was offline, screened when it started)",
            inline=False,
        )
    if incident.match_count > 1:
        embed.add_field(
            name="Messages", value=f"{incident.match_count}, last {ts(incident.last_seen_at, 'R')}", inline=True
        )
    if incident.categories:
        embed.add_field(name="Categories", value=", ".join(incident.categories)[:1024], inline=False)
    if incident.excerpt:
        embed.add_field(name="Excerpt", value=incident.excerpt[:1024], inline=False)
    embed.add_field(name="Status", value=status_line(incident), inline=False)
    person_bits = []
    if incident.person_notified_at:
        how = VIA_WORDS.get(incident.person_notice_via or "", incident.person_notice_via or "")
        person_bits.append(f"resources sent {how} {ts(incident.person_notified_at, 't')}")
    if incident.safe_at:
        person_bits.append(f"said they are safe right now {ts(incident.safe_at, 't')}")
    if incident.person_notice_via == "undeliverable" and incident.person_notified_at is None:
        person_bits.append(
            "**could not be sent the resources privately** (direct messages and the channel both refused) — "
            "please reach out to them directly"
        )
    if incident.talk_requested_at:
        talk = f"asked to talk to someone {ts(incident.talk_requested_at, 't')}"
        if incident.talk_thread_id:
            talk += f" — <#{incident.talk_thread_id}>"
        person_bits.append(talk)
    if person_bits:
        embed.add_field(name="The person", value="\n".join(person_bits)[:1024], inline=False)
    embed.set_footer(text=f"Hearth incident #{incident.id}")
    return embed


def status_line(incident: Incident) -> str:
    line = STATUS_WORDS.get(incident.status, incident.status)
    if incident.acknowledged_by and incident.acknowledged_at:
        line += f"\nAcknowledged by <@{incident.acknowledged_by}> {ts(incident.acknowledged_at)}"
    if incident.status == "acknowledged" and incident.held_by and incident.held_since:
        line += f"\nHeld by <@{incident.held_by}> since {ts(incident.held_since)}"
    if incident.closed_by and incident.closed_at:
        line += f"\nClosed by <@{incident.closed_by}> {ts(incident.closed_at)}"
    if incident.status == "open" and incident.escalations:
        line += f"\nEscalated {incident.escalations} time(s)"
    return line


def alert_dm_content(incident: Incident) -> str:
    return (
        f"Hearth: crisis alert — **{severity_word(incident.severity)}** (incident #{incident.id}). "
        "The staff alerts channel refused this alert, so it is being sent to every on-call and staff member "
        "directly. Please acknowledge below."
    )


def reposted_content(on_call_role: int, incident: Incident) -> str:
    if incident.status == "open":
        return (
            f"<@&{on_call_role}> Crisis alert — **{severity_word(incident.severity)}** (incident #{incident.id}), "
            "posted again because the original alert message was deleted. Please acknowledge."
        )
    return f"Incident #{incident.id}, posted again because the original alert message was deleted."


SUPPORT_THREAD_GREETING = (
    "{mention}, this is a private space with the on-call staff team. Someone will be with you here as soon as "
    "they can."
)


def repeat_content(on_call_role: int, escalation_roles: Sequence[int], incident: Incident, round_no: int,
                   max_rounds: int) -> str:
    pings = " ".join([f"<@&{on_call_role}>", *(f"<@&{r}>" for r in escalation_roles)])
    return (
        f"{pings} Incident #{incident.id} (**{severity_word(incident.severity)}**) has not been acknowledged — "
        f"escalation {round_no} of {max_rounds}. Please acknowledge on the alert above."
    )


def upgrade_content(on_call_role: int, incident: Incident) -> str:
    return f"<@&{on_call_role}> Incident #{incident.id} is now **IMMINENT**. Please acknowledge."


def staff_dm_content(incident: Incident, alert_url: str | None) -> str:
    where = f" Alert: {alert_url}" if alert_url else ""
    return (
        f"Hearth: crisis incident #{incident.id} (**{severity_word(incident.severity)}**) has not been "
        f"acknowledged by on-call staff. Please check the staff alerts channel now.{where}"
    )


def reminder_content(incident: Incident) -> str:
    holder = incident.held_by or incident.acknowledged_by
    who = f"<@{holder}>" if holder else "On-call staff"
    return (
        f"{who} reminder: incident #{incident.id} was acknowledged and is still open. "
        "Please resolve it (or close it as a false alarm) when follow-up is done."
    )


def talk_content(on_call_role: int, incident: Incident) -> str:
    if incident.talk_thread_id:
        where = f"A private thread is open: <#{incident.talk_thread_id}>."
    else:
        where = (
            f"A private thread could not be opened (yet); please send <@{incident.user_id}> a direct message."
        )
    return f"<@&{on_call_role}> <@{incident.user_id}> would like to talk to someone (incident #{incident.id}). {where}"


def peer_concern_content(incident: Incident, group_name: str | None) -> str:
    where = f" ([message]({incident.jump_url}))" if incident.jump_url else ""
    group = f" in **{group_name}**" if group_name else ""
    return (
        f"Hearth: a group member is worried about <@{incident.user_id}>{group}{where}. "
        "This is a concern passed on to facilitators, not an emergency alert; the person who raised it is "
        "not named. Please check in with them. If you think they may be in danger, use "
        "**Escalate to staff** on the message (right-click → Apps)."
    )


def incident_line(incident: Incident) -> str:
    return (
        f"**#{incident.id}** {severity_word(incident.severity)} · {STATUS_WORDS.get(incident.status, incident.status)}"
        f" · <@{incident.user_id}> · {ts(incident.opened_at, 'd')} · {ORIGIN_WORDS.get(incident.origin, '')}"
        f" · {incident.match_count} msg" + (" · **no staff member reached yet**" if incident.unreached_since else "")
    )


def detail_embed(incident: Incident, matches: Sequence[Match], outbox: Sequence[OutboxItem],
                 audit: Sequence[Any]) -> discord.Embed:
    embed = alert_embed(incident)
    if incident.reported_by:
        embed.add_field(name="Reported by", value=f"<@{incident.reported_by}>", inline=True)
    sent = sum(1 for o in outbox if o.sent_at)
    waiting = sum(1 for o in outbox if o.sent_at is None and o.cancelled_at is None)
    embed.add_field(name="Messages sent", value=f"{sent} sent, {waiting} waiting", inline=True)
    delivery = delivery_lines(incident, outbox)
    if delivery:
        embed.add_field(name="Delivery problems", value="\n".join(delivery)[:1024], inline=False)
    trail = []
    for entry in audit[-15:]:
        actor = f"<@{entry.actor_id}>" if entry.actor_id else "Hearth"
        note = f": {neutralize_mentions(entry.reason[:150])}" if entry.reason else ""
        trail.append(f"{ts(entry.at, 'f')} — {entry.action.replace('_', ' ')} by {actor}{note}")
    if trail:
        embed.add_field(name="Audit trail", value="\n".join(trail)[:1024], inline=False)
    if matches:
        lines = [f"{ts(m.at, 'f')} {m.severity} ({m.source})" for m in matches[-10:]]
        embed.add_field(name="Matches", value="\n".join(lines)[:1024], inline=False)
    return embed


KIND_WORDS = {
    "alert": "alert in the staff alerts channel",
    "alert_dm": "alert by DM",
    "alert_edit": "alert update",
    "repeat": "escalation ping",
    "staff_dm": "tier-2 DM",
    "upgrade": "severity upgrade ping",
    "talk": "asked-to-talk ping",
    "reminder": "resolve reminder",
    "peer_concern": "note to a facilitator",
    "person_notice": "resources to the person",
    "person_followup": "follow-up to the person",
    "support_thread": "private support thread",
}


def delivery_lines(incident: Incident, outbox: Sequence[OutboxItem]) -> list[str]:
    """Which destinations refused and why, and whether anyone on staff has been reached."""
    lines: list[str] = []
    if incident.unreached_since is not None:
        lines.append(
            f"**NO staff member has been reached** since {ts(incident.unreached_since)}: every destination "
            "refused; Hearth keeps retrying all of them."
        )
    for item in outbox:
        if item.failed_at is None:
            continue
        kind = KIND_WORDS.get(item.kind, item.kind)
        to = f" to <@{item.target_id}>" if item.target_id else ""
        state = "sent later" if item.sent_at else ("stopped" if item.cancelled_at else "retrying")
        lines.append(f"{kind}{to}: refused {ts(item.failed_at, 't')} — {item.failure} ({state})")
    return lines


def _minutes(value: timedelta | None) -> str:
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def figures_lines(title: str, f: IncidentFigures) -> list[str]:
    if f.total == 0:
        return [f"**{title}**: none in the last {f.days} days."]
    severities = ", ".join(f"{n} {severity_word(s).lower()}" for s, n in sorted(f.by_severity.items()))
    statuses = ", ".join(f"{n} {STATUS_WORDS.get(s, s).lower()}" for s, n in sorted(f.by_status.items()))
    return [
        f"**{title}** (last {f.days} days): {f.total} — {severities}",
        f"Outcome: {statuses}",
        f"Time to acknowledge: median {_minutes(f.ack_p50)}, 90th percentile {_minutes(f.ack_p90)}, "
        f"longest {_minutes(f.ack_longest)}",
        f"Reached an escalation (not acknowledged in time): {f.escalated}",
        f"Pages beyond Discord: {f.pages_sent} delivered, {f.pages_refused} refused, {f.pages_waiting} waiting",
    ]


def stats_text(real: IncidentFigures, drills: IncidentFigures) -> str:
    lines = [*figures_lines("Real incidents", real), "", *figures_lines("Drills", drills)]
    lines.append("\nCounts and times only: no names, no message text.")
    return "\n".join(lines)
