"""The command line as an operator uses it: real processes, real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

VALID = """
[discord]
guild_id = 1
[database]
path = "hearth.sqlite3"
[roles]
participant = 2
facilitator = 3
staff = 4
on_call = 5
[channels]
checkins = 6
celebrations = 7
staff_alerts = 8
groups_category = 9
"""


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=environment, cwd=REPO, timeout=60
    )


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for name in ("run", "migrate", "check-config"):
        assert name in result.stdout
    assert run_cli("run", "--help").returncode == 0


def test_check_config_prints_a_summary_without_the_token(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(VALID)
    result = run_cli("check-config", "--config", str(config), env={"DISCORD_TOKEN": "super-secret-token"})
    assert result.returncode == 0, result.stderr
    assert "configuration OK" in result.stdout
    assert "$DISCORD_TOKEN (set)" in result.stdout
    assert "super-secret-token" not in result.stdout + result.stderr


def test_bad_config_is_exit_2_one_line_per_problem_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(VALID.replace("staff = 4", 'staff = "abc"').replace("[database]", "[database]\npth = 1"))
    result = run_cli("check-config", "--config", str(config))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "config error: database.pth: unknown key (check the spelling against config.example.toml)",
        'config error: roles.staff: expected a Discord ID (integer), got "abc"',
    ]
    assert "Traceback" not in result.stderr


def test_missing_file_and_bad_toml_are_exit_2(tmp_path: Path) -> None:
    missing = run_cli("run", "--config", str(tmp_path / "absent.toml"))
    assert missing.returncode == 2 and "config file not found" in missing.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[discord")
    result = run_cli("migrate", "--config", str(broken))
    assert result.returncode == 2 and "invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_token_says_exactly_that(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(VALID)
    result = run_cli("run", "--config", str(config))
    assert result.returncode == 2
    assert "environment variable DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_applies_then_is_a_noop(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(VALID)
    first = run_cli("migrate", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert "migrated from version 0" in first.stdout
    assert (tmp_path / "hearth.sqlite3").exists()
    second = run_cli("migrate", "--config", str(config))
    assert second.returncode == 0 and "nothing to do" in second.stdout


def test_usage_error_is_exit_2() -> None:
    assert run_cli("frobnicate").returncode == 2
