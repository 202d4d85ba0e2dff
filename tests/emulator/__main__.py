"""Run the emulator as a stand-alone local Discord, to try the bot without a Discord account.

    python -m tests.emulator --port 8080 --write-config config.toml
    DISCORD_TOKEN=test-token python -m bot run --config config.toml     # in another terminal

The guild is seeded like the tests' (roles, channels, a participant, a facilitator, staff).
There is no Discord client UI: drive it from a Python shell with the Emulator API, or
just watch the bot log in, sync its commands and run its scheduler.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from bot.sandbox.emulator import Emulator
from tests.harness import config_text, seed_guild


async def serve(port: int, config: Path | None, database: Path) -> None:
    emu = Emulator(port=port)
    await emu.start()
    seed = seed_guild(emu)
    if config is not None:
        text = config_text(emu, seed, database, token_env="DISCORD_TOKEN")
        await asyncio.to_thread(config.write_text, text, encoding="utf-8")
        print(f"wrote {config}")
    print(f"emulated Discord on {emu.http_base} (guild {emu.guild_id}); token: {emu.token}")
    print(f"seeded people: participant={seed.participant} facilitator={seed.facilitator} staff={seed.staff}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080)")
    parser.add_argument("--write-config", type=Path, metavar="PATH", help="write a Hearth config pointing here")
    parser.add_argument("--database", type=Path, default=Path("hearth.sqlite3"), help="database path for that config")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.write_config, args.database.resolve()))


if __name__ == "__main__":
    main()
