"""Benchmark: how long `python -m bot sandbox` takes until the page is shown and usable.

Launches the real command as a child process on a free port and measures, from launch: the printed URL, the
page (GET /) answering 200, and the page's data (the personas and, as Alice, her channel list) answering,
which is when a browser shows the community. Prints numbers; asserts nothing.
Usage: python -m bench.bench_sandbox [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def one_run() -> tuple[float, float, float]:
    port = free_port()
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--port", str(port), cwd=REPO, env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    try:
        while b"sandbox running" not in await process.stdout.readline():
            pass
        printed = time.perf_counter() - started
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/") as page:
                assert page.status == 200
                await page.read()
            shown = time.perf_counter() - started
            async with http.get(base + "/sandbox/api/personas") as r:
                personas = await r.json()
            alice = next(p for p in personas if p["name"] == "Alice")
            async with http.get(base + "/sandbox/api/channels", params={"persona": str(alice["id"])}) as r:
                assert r.status == 200
                await r.read()
            usable = time.perf_counter() - started
        return printed, shown, usable
    finally:
        process.terminate()
        await process.wait()


async def main(runs: int) -> None:
    results = [await one_run() for _ in range(runs)]
    for label, i in (("URL printed", 0), ("page shown (GET / 200)", 1), ("community usable (personas, channels)", 2)):
        values = [r[i] for r in results]
        print(f"{label}: median {statistics.median(values):.2f} s (runs: {', '.join(f'{v:.2f}' for v in values)})")
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    asyncio.run(main(parser.parse_args().runs))
