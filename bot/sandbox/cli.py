"""``python -m bot sandbox``: try Hearth in one command, with no Discord account."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from bot.logs import configure_logging

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2


DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                        help=f"port on 127.0.0.1 for the web page (default {DEFAULT_PORT})")
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="folder for the sandbox's config and database (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep that folder when the sandbox stops (a temporary one is removed otherwise)")


def main(args: argparse.Namespace) -> int:
    # The terminal shows the URL and problems; INFO lines would bury the URL.
    configure_logging("WARNING")
    logging.getLogger("discord.client").addFilter(_no_voice_warning)
    if args.data is not None:
        folder: Path = args.data.resolve()
        if (folder / "hearth.sqlite3").exists():
            print(f"sandbox error: {folder} already holds a sandbox database; every run seeds a new community, "
                  "so choose an empty folder or remove it", file=sys.stderr)
            return EXIT_USAGE
        folder.mkdir(parents=True, exist_ok=True)
        temporary = False
    else:
        folder = Path(tempfile.mkdtemp(prefix="hearth-sandbox-"))
        temporary = True
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(serve(args.port, folder))
        return EXIT_OK
    finally:
        if args.keep or not temporary:
            print(f"sandbox data kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _no_voice_warning(record: logging.LogRecord) -> bool:
    # The sandbox has no voice; discord.py's "PyNaCl is not installed" warning is only noise here.
    return "voice will NOT be supported" not in record.getMessage()


async def serve(port: int, folder: Path) -> int:
    # Imported here so `--help` and the other commands stay fast.
    from bot.sandbox.app import Sandbox

    sandbox = Sandbox(folder, port=port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        try:
            await sandbox.start()
        except OSError as exc:
            print(f"sandbox error: cannot listen on 127.0.0.1:{port} ({exc.strerror}); try --port {port + 1}",
                  file=sys.stderr)
            return EXIT_USAGE
        print(f"Hearth sandbox running: {sandbox.url}  (Ctrl-C to stop)", flush=True)
        await stop.wait()
        print("stopping...", flush=True)
        await sandbox.stop()
        return EXIT_OK
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
