"""The deploy recipes (deploy/) stay in sync with the CLI, and `python -m bot health` tells the truth."""

from __future__ import annotations

import json
import os
import re
import shlex
import time
from pathlib import Path

import pytest

from bot.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def bot_commands() -> list[list[str]]:
    """Every `python -m bot ...` command the Dockerfile and the systemd unit run, as argument lists."""
    found: list[list[str]] = []
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        match = re.search(r"\b(CMD|HEALTHCHECK.*CMD)\s+(\[.*\])\s*$", line)
        if match:
            found.append(json.loads(match.group(2)))
    for line in (DEPLOY / "hearth.service").read_text().splitlines():
        if line.startswith(("ExecStart=", "ExecStartPre=")):
            found.append(shlex.split(line.split("=", 1)[1]))
    return found


def test_every_command_the_recipes_run_exists_and_parses() -> None:
    commands = bot_commands()
    assert len(commands) == 4  # Dockerfile CMD and HEALTHCHECK, systemd ExecStartPre and ExecStart
    for argv in commands:
        assert argv[0].endswith("python") and argv[1:3] == ["-m", "bot"], argv
        build_parser().parse_args(argv[3:])  # SystemExit (exit 2) on an unknown command or flag


def test_the_dockerfile_copies_what_exists_and_compose_builds_it() -> None:
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), source
    compose = (DEPLOY / "compose.yaml").read_text()
    assert "dockerfile: deploy/Dockerfile" in compose and "context: .." in compose
    unit = (DEPLOY / "hearth.service").read_text()
    assert "EnvironmentFile=" in unit and "RestartPreventExitStatus=2" in unit and "DynamicUser=yes" in unit


def write_config(tmp_path: Path, *, liveness: bool) -> Path:
    config = tmp_path / "config.toml"
    text = (REPO / "config.example.toml").read_text()
    if liveness:
        text = text.replace('# liveness_file = "alive"', 'liveness_file = "alive"')
    config.write_text(text, encoding="utf-8")
    return config


def test_health_says_whether_the_liveness_file_is_fresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, liveness=True)
    assert main(["health", "--config", str(config)]) == 1
    assert "does not exist" in capsys.readouterr().out
    alive = tmp_path / "alive"
    alive.write_text("now\n")
    assert main(["health", "--config", str(config)]) == 0
    old = time.time() - 600
    os.utime(alive, (old, old))
    assert main(["health", "--config", str(config), "--max-age", "120"]) == 1
    assert "not connected" in capsys.readouterr().out


def test_health_without_a_liveness_file_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, liveness=False)
    assert main(["health", "--config", str(config)]) == 2
    assert "health.liveness_file" in capsys.readouterr().err
