"""Shared benchmark plumbing: the bot as a real separate process against an in-process emulator.

The benchmark process runs the emulator (and any load generator) on its own event loop; the
bot runs exactly as in production, ``python -m bot run --config PATH`` with the token in an
environment variable, in a child process. On a 2-core machine each side gets a core.
Latencies are taken at the emulator: when it wrote a gateway frame to the bot's websocket,
and when a REST request from the bot arrived (``TimedRequests``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.emulator import Emulator
from tests.harness import Seed, config_text

REPO = Path(__file__).resolve().parents[1]
TOKEN_ENV = "HEARTH_BENCH_TOKEN"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


class TimedRequests(list[Any]):
    """Drop-in for ``Emulator.requests`` that stamps each request's arrival (perf_counter)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []
        self.on_arrival: Callable[[Any, float], None] | None = None

    def append(self, item: Any) -> None:
        now = time.perf_counter()
        super().append(item)
        self.arrived.append(now)
        if self.on_arrival is not None:
            self.on_arrival(item, now)


def time_requests(emu: Emulator) -> TimedRequests:
    timed = TimedRequests()
    timed.extend(emu.requests)
    timed.arrived.extend([0.0] * len(emu.requests))
    emu.requests = timed
    return timed


def watch_gateway_frames(emu: Emulator, marker: str, sent: dict[int, float]) -> None:
    """Record when the frame of each MESSAGE_CREATE whose content contains ``marker`` was written
    to the bot's websocket (``ws.send_str`` returned): message id -> perf_counter."""
    session = emu.gateway.current
    assert session is not None and session.conn is not None, "the bot is not connected"
    ws = session.conn.ws
    original = ws.send_str

    async def send_str(data: str, compress: int | None = None) -> None:
        await original(data, compress)
        if marker in data:
            frame = json.loads(data)
            if frame.get("t") == "MESSAGE_CREATE":
                sent[int(frame["d"]["id"])] = time.perf_counter()

    ws.send_str = send_str  # type: ignore[method-assign]


class BotProcess:
    """``python -m bot run`` in a child process, configured to talk to ``emu``."""

    def __init__(self, emu: Emulator, seed: Seed, workdir: Path, *, extra_config: str = "") -> None:
        self.emu = emu
        self.workdir = workdir
        self.db_path = workdir / "hearth.sqlite3"
        self.config_path = workdir / "config.toml"
        self.log_path = workdir / "bot.log"
        text = config_text(emu, seed, self.db_path, extra_config, token_env=TOKEN_ENV)
        self.config_path.write_text(text, encoding="utf-8")
        self.process: asyncio.subprocess.Process | None = None
        self.launched_at = 0.0

    ready_marker = "scheduler started"

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "bot", "run", "--config", str(self.config_path)]

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def migrate(self) -> None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", "--config", str(self.config_path), cwd=REPO,
            env={**os.environ, TOKEN_ENV: self.emu.token}, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        if await proc.wait() != 0:
            raise RuntimeError("python -m bot migrate failed")

    async def start(self, ready_within: float = 120) -> float:
        """Launch and wait until the scheduler has started; returns seconds from launch to ready."""
        log = self.log_path.open("ab")
        offset = len(self.log())  # the log is appended to across restarts: look only at this launch's lines
        self.launched_at = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            *self.argv(), cwd=REPO, env={**os.environ, TOKEN_ENV: self.emu.token}, stdout=log, stderr=log,
        )
        log.close()
        deadline = time.perf_counter() + ready_within
        while self.ready_marker not in self.log()[offset:]:
            if self.process.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the bot was not ready within {ready_within} s:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.05)
        return time.perf_counter() - self.launched_at

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> int:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout=60)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()

    def save_log(self, path: str) -> None:
        Path(path).write_text(self.log(), encoding="utf-8")

    def problems(self) -> list[str]:
        """ERROR lines and tracebacks in the bot's log (printed by the benchmarks, never asserted)."""
        return [line for line in self.log().splitlines() if " ERROR " in line or line.startswith("Traceback")]


@contextlib.asynccontextmanager
async def stopping(bot: BotProcess) -> Any:
    try:
        yield bot
    finally:
        await bot.stop()
