"""What many tests need: the smallest valid configuration and the visible text of what the bot sent."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def minimal() -> dict[str, object]:
    """The smallest configuration ``parse_settings`` accepts: one guild, the four roles, the four channels."""
    return {
        "discord": {"guild_id": 1},
        "roles": {"participant": 2, "facilitator": 3, "staff": 4, "on_call": 5},
        "channels": {"checkins": 6, "celebrations": 7, "staff_alerts": 8, "groups_category": 9},
    }


def message_text(message: JSON) -> str:
    """Everything a person reads in one message: content, and each embed's title, description, fields, footer."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


def reply_text(handle: Any) -> str:
    """Everything an interaction's replies say (its response and every follow-up)."""
    return "\n".join(message_text(m) for m in handle.all_messages())
