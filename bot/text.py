"""Helpers for text that the bot repeats back to people."""

from __future__ import annotations

import re

_ZWSP = "\u200b"
_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")


def neutralize_mentions(text: str) -> str:
    """Make @everyone, @here and <@id>/<@&id>/<#id> inert even without allowed_mentions.

    allowed_mentions=none already stops pings; this second layer keeps repeated text from
    *looking* like a ping, and survives if the text is ever re-posted elsewhere.
    """
    text = text.replace("@everyone", f"@{_ZWSP}everyone").replace("@here", f"@{_ZWSP}here")
    return _MENTION.sub(lambda m: f"<{m.group(1)}{_ZWSP}{m.group(2)}>", text)


_MASKED_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?\s*\)")


def unmask_links(text: str) -> str:
    """``[label](url)`` becomes ``label (<url>)``: peers' words never hide where a link goes."""
    return _MASKED_LINK.sub(lambda m: f"{m.group(1)} (<{m.group(2)}>)" if m.group(2) else m.group(1), text)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


_MARKDOWN = re.compile(r"[*_`~|>\[\]()#]")


def has_markdown_or_mentions(text: str) -> bool:
    return bool(_MARKDOWN.search(text) or "@" in text or _MENTION.search(text))
