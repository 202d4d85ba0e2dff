from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, parse_settings, read_token
from tests.helpers import minimal

REPO = Path(__file__).resolve().parents[2]




def problems(data: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_settings(data)
    return info.value.problems


def test_example_config_is_valid_and_documents_every_section() -> None:
    settings = load_settings(REPO / "config.example.toml")
    assert settings.community.timezone == "America/New_York"
    assert settings.crisis.ack_timeout_minutes.imminent == 5
    example = tomllib.loads((REPO / "config.example.toml").read_text())
    for section in type(settings).model_fields:
        assert section in example, f"config.example.toml does not document [{section}]"


def test_defaults_apply() -> None:
    settings = parse_settings(minimal())
    assert settings.discord.token_env == "DISCORD_TOKEN"
    assert settings.crisis.cooldown_minutes == 30
    assert next(r.name for r in settings.crisis.resources) == "988 Suicide & Crisis Lifeline"
    assert settings.milestones.announce_hour == 9


def test_wrong_type_names_the_key_path() -> None:
    data = minimal()
    data["roles"] = {"participant": 2, "facilitator": 3, "staff": "abc", "on_call": 5}
    assert problems(data) == ['roles.staff: expected a Discord ID (integer), got "abc"']


def test_unknown_key_is_an_error() -> None:
    data = minimal()
    data["crisis"] = {"ack_timout_minutes": {"imminent": 1}}
    assert problems(data) == [
        "crisis.ack_timout_minutes: unknown key (check the spelling against config.example.toml)"
    ]


def test_missing_keys_are_each_reported() -> None:
    data = minimal()
    del data["channels"]
    data["roles"] = {"participant": 2}
    found = problems(data)
    assert "channels: required key is missing" in found
    assert "roles.staff: required key is missing" in found
    assert len(found) == 4


def test_bad_timezone_and_urls() -> None:
    data = minimal()
    data["community"] = {"timezone": "Mars/Olympus"}
    data["discord"] = {"guild_id": 1, "api_base": "ftp://x", "gateway_url": "http://x"}
    found = problems(data)
    assert any(p.startswith('community.timezone: unknown time zone "Mars/Olympus"') for p in found)
    assert any(p.startswith("discord.api_base: expected an http(s) URL") for p in found)
    assert any(p.startswith("discord.gateway_url: expected a ws(s) URL") for p in found)


def test_numeric_range_error_shows_value() -> None:
    data = minimal()
    data["checkins"] = {"quiet_hour": 25}
    (problem,) = problems(data)
    assert problem.startswith("checkins.quiet_hour: ") and problem.endswith("got 25")


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[discord\nguild_id = 1")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(broken)


def test_relative_database_path_is_relative_to_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        "[discord]\nguild_id = 1\n[database]\npath = 'data/h.sqlite3'\n"
        "[roles]\nparticipant = 2\nfacilitator = 3\nstaff = 4\non_call = 5\n"
        "[channels]\ncheckins = 6\ncelebrations = 7\nstaff_alerts = 8\ngroups_category = 9\n"
    )
    assert load_settings(path).database.path == tmp_path / "data" / "h.sqlite3"


def test_token_comes_only_from_the_named_environment_variable() -> None:
    data = minimal()
    data["discord"] = {"guild_id": 1, "token_env": "HEARTH_TOKEN"}
    settings = parse_settings(data)
    assert read_token(settings, {"HEARTH_TOKEN": " abc "}) == "abc"
    with pytest.raises(ConfigError, match="environment variable HEARTH_TOKEN is not set"):
        read_token(settings, {"DISCORD_TOKEN": "x"})
