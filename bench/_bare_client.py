"""The reference for ``bench_gateway``: a bare ``discord.Client`` with Hearth's intents and an empty ``on_message``.

Run as ``python -m bench._bare_client --intents N --api-base URL --gateway-url URL --token-env NAME`` (the
benchmark passes Hearth's intents value and the emulator's endpoints). It imports nothing of Hearth: no
database, no cogs, no scheduler, no detector; discord.py's defaults otherwise, but without the message cache
(``max_messages=None``, as Hearth runs).
Logs "bare client ready" once connected; SIGTERM closes it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

import discord
import yarl

log = logging.getLogger("bench.bare")


class BareClient(discord.Client):
    async def on_ready(self) -> None:
        log.info("bare client ready")

    async def on_message(self, message: discord.Message, /) -> None:
        return


async def run(args: argparse.Namespace) -> None:
    discord.http.Route.BASE = args.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(args.gateway_url)
    # No message cache, as Hearth (bot/app.py): the comparison is then Hearth's own work per message, nothing else.
    client = BareClient(intents=discord.Intents._from_value(args.intents), max_messages=None)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: loop.create_task(client.close()))
    async with client:
        await client.start(os.environ[args.token_env])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--intents", type=int, required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--gateway-url", required=True)
    parser.add_argument("--token-env", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
