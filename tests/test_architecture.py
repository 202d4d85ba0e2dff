"""The layering rules of the README's Architecture section, checked on the source so they cannot drift."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Data tables and the emulator may be long; everything else becomes a package past about 500 lines.
LONG_ALLOWED = {"bot/crisis/patterns.py"}
LONG_ALLOWED_UNDER = ("bot/sandbox/emulator/",)
MAX_LINES = 520


def modules(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (REPO / root).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_services_and_repositories_never_import_discord() -> None:
    offenders = [
        rel(p) for p in modules("bot/services", "bot/repositories", "bot/crisis")
        if any(n == "discord" or n.startswith("discord.") for n in imported(p))
    ]
    assert offenders == []


def test_cogs_never_reach_past_the_services_into_repositories() -> None:
    offenders = [rel(p) for p in modules("cogs") if any(n.startswith("bot.repositories") for n in imported(p))]
    assert offenders == []


def test_sql_lives_in_repositories() -> None:
    sql = re.compile(r"""["'](?:SELECT|INSERT|UPDATE|DELETE FROM|CREATE TABLE)\b""")
    offenders = [rel(p) for p in modules("bot/services", "cogs") if sql.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_cogs_never_talk_to_the_scheduler_except_to_register_their_work() -> None:
    calls = re.compile(r"scheduler\.(?!register\b|unregister\b|[A-Z_]+\b)\w+")
    offenders = [f"{rel(p)}: {m.group(0)}" for p in modules("cogs") for m in calls.finditer(p.read_text())]
    assert offenders == []


def test_no_module_grows_past_about_500_lines() -> None:
    long = [
        f"{rel(p)} ({n} lines)" for p in modules("bot", "cogs")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and rel(p) not in LONG_ALLOWED and not rel(p).startswith(LONG_ALLOWED_UNDER)
    ]
    assert long == []


def test_docstrings_point_only_to_files_that_exist() -> None:
    mentioned = re.compile(
        r"(?<![\w./])((?:bot|cogs|tests|bench|deploy|migrations|\.notes)/[\w./-]+\.(?:py|md|sql|toml))"
    )
    missing = []
    for p in modules("bot", "cogs"):
        doc = ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or ""
        missing += [f"{rel(p)} -> {m}" for m in mentioned.findall(doc) if not (REPO / m).exists()]
    assert missing == []


def test_matplotlib_is_imported_only_when_the_first_chart_is_drawn() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, bot.app, bot.runtime, bot.wiring\n"
        "from bot.app import EXTENSIONS\n"
        "import importlib\n"
        "for name in EXTENSIONS: importlib.import_module(name)\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at start'\n"
        "from cogs.checkins._chart import render_progress_png\n"
        "assert 'matplotlib' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_brand_colour_is_defined_once() -> None:
    """Embeds use ``bot.ui.BRAND_COLOUR``; a feature's own colour is a status (red, amber) or a celebration."""
    brand = re.compile(r"from_rgb\(\s*224\s*,\s*142\s*,\s*69\s*\)|0x[eE]08[eE]45")
    places = [rel(p) for p in modules("bot", "cogs") if brand.search(p.read_text(encoding="utf-8"))]
    assert places == ["bot/ui.py"]
