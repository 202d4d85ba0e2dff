"""Safe-messaging guard rails on every text a person in distress may read."""

from __future__ import annotations

import re

import pytest

from cogs.crisis import _embeds

PERSON_FACING = {
    "PERSON_MESSAGE": _embeds.PERSON_MESSAGE,
    "PERSON_MESSAGE_CONTACTING": _embeds.PERSON_MESSAGE_CONTACTING,
    "PERSON_FOLLOWUP": _embeds.PERSON_FOLLOWUP,
    "PRIVATE_THREAD_INTRO": _embeds.PRIVATE_THREAD_INTRO,
    "HELP_NOW_MESSAGE": _embeds.HELP_NOW_MESSAGE,
}

# Promises of secrecy, method words, and blame have no place in these messages.
FORBIDDEN = re.compile(
    r"\b(secret|confidential|between us|won'?t tell|nobody will know|pills?|overdose|gun|rope|hang|jump|"
    r"knife|cut|why did you|you should have)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("name", sorted(PERSON_FACING))
def test_no_secrecy_no_methods_no_blame(name: str) -> None:
    assert not FORBIDDEN.search(PERSON_FACING[name]), name


def test_the_person_is_told_staff_know_and_given_one_clear_action() -> None:
    text = _embeds.person_message(staff_reached=True)
    assert "staff member" in text and "has been told" in text
    assert "988" in text
    assert len(text) < 400  # brief


def test_until_an_alert_reached_staff_the_person_hears_staff_are_being_contacted() -> None:
    text = _embeds.person_message(staff_reached=False)
    assert "staff member" in text and "contacting" in text and "has been told" not in text
    assert "988" in text
    assert len(text) < 400


def test_when_nobody_was_reached_the_follow_up_says_use_the_resources_now() -> None:
    text = _embeds.PERSON_FOLLOWUP
    assert "now" in text and "988" in text and "has been told" not in text
    assert len(text) < 400


def test_private_thread_intro_says_nothing_about_what_they_wrote_and_who_can_see_it() -> None:
    text = _embeds.PRIVATE_THREAD_INTRO.format(mention="<@1>")
    assert "message" not in text.replace("direct message", "")
    assert "Only you and the on-call staff team can see it" in text
