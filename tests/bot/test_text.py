from __future__ import annotations

from bot.text import neutralize_mentions


def test_mentions_are_neutralised() -> None:
    out = neutralize_mentions("hi @everyone and @here <@123> <@!45> <@&67> <#89>")
    assert "@everyone" not in out and "@here" not in out
    for raw in ("<@123>", "<@!45>", "<@&67>", "<#89>"):
        assert raw not in out
    assert "123" in out and "67" in out


def test_plain_text_is_untouched() -> None:
    assert neutralize_mentions("mood 6/10, email me at a@b.c") == "mood 6/10, email me at a@b.c"
