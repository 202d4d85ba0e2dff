"""Command line: ``python -m bot {run,migrate,check-config} --config PATH`` and
``python -m bot sandbox [--port N] [--data DIR] [--keep]`` (also ``hearth``).

Exit codes: 0 success; 2 configuration or usage error (one line per problem, no
traceback); 1 runtime failure.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings, read_token
from bot.db import Database, MigrationError, migrate
from bot.logs import configure_logging
from bot.sandbox.cli import add_arguments as add_sandbox_arguments
from bot.sandbox.cli import main as sandbox_main

if TYPE_CHECKING:
    from bot.app import HearthBot
    from bot.lease import InstanceLease

log = logging.getLogger("bot")

EXIT_OK, EXIT_RUNTIME, EXIT_CONFIG = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth",
        description="Hearth: daily check-ins, milestones, groups and crisis escalation for a peer-support server.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary in (
        ("run", "connect to Discord and run the bot (applies migrations first)"),
        ("migrate", "apply database migrations and exit"),
        ("check-config", "validate the configuration and print a short summary (never the token)"),
        ("health", "exit 0 if the running bot is connected (its health.liveness_file is fresh), 1 otherwise"),
        ("doctor", "connect, check roles, channels and permissions (the crisis path first), print what is wrong"),
        ("sync", "send the slash commands to Discord now (run does it by itself only when they changed)"),
        ("backup", "write a consistent copy of the database (safe while the bot runs), encrypted if configured"),
        ("restore", "replace the database with a backup (the bot must be stopped); deletions since are replayed"),
    ):
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument(
            "--config", type=Path, default=Path("config.toml"), metavar="PATH",
            help="path to the TOML configuration (default: config.toml)",
        )
        if name == "backup":
            sub.add_argument("--out", type=Path, metavar="FILE",
                             help="where to write it (default: backup.directory/hearth-<time>.sqlite3[.enc])")
        if name == "restore":
            sub.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
        if name == "health":
            sub.add_argument(
                "--max-age", type=float, default=120.0, metavar="SECONDS",
                help="how old the liveness file may be (default 120; the bot rewrites it every 30 s)",
            )
        if name == "run":
            about_setup = "connect with the bot token and write config.toml, choosing roles and channels by name"
            setup = commands.add_parser("setup", help=about_setup, description=about_setup)
            setup.add_argument("--config", type=Path, default=Path("config.toml"), metavar="PATH",
                               help="where to write the configuration (default: config.toml)")
            setup.add_argument("--guild", type=int, metavar="ID", help="the server's ID (default: ask)")
            setup.add_argument("--create-missing", action="store_true",
                               help="don't ask: use roles and channels with the usual names, create the rest")
            setup.add_argument("--api-base", help=argparse.SUPPRESS)  # a Discord-compatible server (tests)
            setup.add_argument("--gateway-url", help=argparse.SUPPRESS)
            about = "try Hearth without Discord: a local demo community and a web page to act in it"
            add_sandbox_arguments(commands.add_parser("sandbox", help=about, description=about))
    return parser


EXAMPLE_IDS = {
    "discord.guild_id": 123456789012345678,
    "roles.participant": 223456789012345678, "roles.facilitator": 323456789012345678,
    "roles.staff": 423456789012345678, "roles.on_call": 523456789012345678,
    "channels.checkins": 623456789012345678, "channels.celebrations": 723456789012345678,
    "channels.staff_alerts": 823456789012345678, "channels.groups_category": 923456789012345678,
}


def example_keys(settings: Settings) -> list[str]:
    """Config keys that still hold the placeholder IDs from config.example.toml."""
    found = []
    for key, value in EXAMPLE_IDS.items():
        section, name = key.split(".")
        if getattr(getattr(settings, section), name) == value:
            found.append(key)
    return found


def _fail(problems: Sequence[str]) -> int:
    for problem in problems:
        print(f"config error: {problem}", file=sys.stderr)
    return EXIT_CONFIG


def summary(settings: Settings, token_present: bool) -> str:
    d = settings.discord
    lines = [
        "configuration OK",
        f"  guild:            {d.guild_id}",
        f"  token from:       ${d.token_env} ({'set' if token_present else 'NOT SET'})",
        f"  REST base:        {d.api_base or 'Discord (default)'}",
        f"  gateway:          {d.gateway_url or 'Discord (default)'}",
        f"  database:         {settings.database.path}",
        f"  community zone:   {settings.community.timezone}",
        f"  roles:            participant={settings.roles.participant} facilitator={settings.roles.facilitator} "
        f"staff={settings.roles.staff} on_call={settings.roles.on_call}",
        f"  channels:         checkins={settings.channels.checkins} celebrations={settings.channels.celebrations} "
        f"staff_alerts={settings.channels.staff_alerts} groups_category={settings.channels.groups_category}",
        f"  crisis resources: {len(settings.crisis.resources)}",
    ]
    return "\n".join(lines)


async def _migrate(settings: Settings) -> int:
    db = await Database.open(settings.database.path)
    try:
        report = await migrate(db)
    finally:
        await db.close()
    if report.applied:
        print(f"database {settings.database.path}: migrated from version {report.before} to {report.after}")
    else:
        print(f"database {settings.database.path}: already at version {report.after}, nothing to do")
    return EXIT_OK


async def run_bot(settings: Settings, token: str) -> int:
    # Imported here so `check-config` and `--help` stay fast.
    from bot.lease import InstanceLease, LeaseHeld
    from bot.runtime import build_bot

    clock = SystemClock()
    try:
        if settings.database.path.exists():  # before migrating: never change the schema under a running bot
            probe = await Database.open(settings.database.path)
            try:
                await InstanceLease(probe, clock).check()
            finally:
                await probe.close()
    except LeaseHeld as exc:
        print(f"error: {exc} (database {settings.database.path})", file=sys.stderr)
        return EXIT_RUNTIME
    bot = await build_bot(settings, clock)
    lease = InstanceLease(bot.db, clock)
    try:
        try:
            await lease.acquire()
        except LeaseHeld as exc:
            print(f"error: {exc} (database {settings.database.path})", file=sys.stderr)
            return EXIT_RUNTIME
        heartbeat = asyncio.get_running_loop().create_task(_keep_lease(lease, bot), name="hearth: instance lease")
        try:
            code = await _run_connected(bot, settings, token)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            await lease.release()
        if code != EXIT_OK:
            return code
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
        if leftover:
            log.warning("%d task(s) still pending at shutdown: %s", len(leftover),
                        ", ".join(sorted({t.get_coro().__qualname__ for t in leftover})))  # type: ignore[union-attr]
        log.info("shut down cleanly")
        return EXIT_OK
    finally:
        await bot.db.close()


async def _keep_lease(lease: InstanceLease, bot: discord.Client) -> None:
    """Refresh the heartbeat; if another instance took the lease over (ours expired), stop this one."""
    every = lease.ttl.total_seconds() / 3
    while True:
        await asyncio.sleep(every)
        try:
            still_ours = await lease.renew()
        except Exception as exc:  # a busy database: try again next time, well inside the lease's lifetime
            log.warning("could not refresh the instance lease (%s)", type(exc).__name__)
            continue
        if not still_ours:
            log.error("another instance took over this database's lease; shutting down")
            await bot.close()
            return


async def _run_connected(bot: HearthBot, settings: Settings, token: str) -> int:
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, functools.partial(_request_close, bot, sig, closing))
    try:
        async with bot:
            if await _login_until_reachable(bot, token):
                await bot.connect(reconnect=True)  # gateway drops and network errors: discord.py retries
    except discord.LoginFailure:
        print(
            f"config error: discord.token_env: Discord rejected the token in ${settings.discord.token_env} "
            "(401 Unauthorized); copy a fresh token from the Developer Portal",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        print(
            "config error: the bot needs the Server Members and Message Content intents; enable them "
            "under Bot > Privileged Gateway Intents in the Developer Portal",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await asyncio.gather(*closing, return_exceptions=True)
    return EXIT_OK


NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)
FIRST_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 300.0


def describe_network_error(exc: BaseException) -> str:
    """One line: which host could not be reached and why (no traceback)."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"{exc.host}: TLS certificate not accepted ({exc.certificate_error})"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"{exc.host}: name not found (DNS)"
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error.strerror or type(exc.os_error).__name__
        return f"{exc.host}:{exc.port}: {cause}"
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"TLS error ({type(exc).__name__})"
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


async def _login_until_reachable(bot: discord.Client, token: str) -> bool:
    """Log in; while Discord cannot be reached (DNS, refused, TLS, timeouts), say so in one line and try again
    with backoff, as discord.py does for gateway drops. A rejected token still ends the run (LoginFailure)."""
    delay = FIRST_RETRY_SECONDS
    while not bot.is_closed():  # a signal while waiting closes the bot: stop trying
        try:
            await bot.login(token)
            return True
        except NETWORK_ERRORS as exc:
            log.error("cannot reach Discord: %s; trying again in %d s", describe_network_error(exc), delay)
            await bot.http.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
    return False


def _passphrase(settings: Settings) -> str | None:
    name = settings.backup.passphrase_env
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise ConfigError([f"backup.passphrase_env: the environment variable ${name} is not set"])
    return value


def backup_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.backup import BackupError, default_name, restore, take_backup

    clock = SystemClock()
    try:
        passphrase = _passphrase(settings)
        if args.command == "backup":
            out = args.out or settings.backup.directory / default_name(clock.now(), bool(passphrase))
            info = take_backup(settings.database.path, out, passphrase=passphrase)
            how = "encrypted" if info.encrypted else "not encrypted"
            print(f"backup written: {info.path} ({info.size} bytes, {how})")
            return EXIT_OK
        if not args.file.exists():
            print(f"error: {args.file}: no such backup file", file=sys.stderr)
            return EXIT_CONFIG
        report = asyncio.run(restore(settings, args.file, clock, passphrase=passphrase))
    except ConfigError as exc:
        return _fail(exc.problems)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except MigrationError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except OSError as exc:  # a folder that cannot be written, a full disk: the path and the reason
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or type(exc).__name__}", file=sys.stderr)
        return EXIT_RUNTIME
    except sqlite3.Error as exc:
        print(f"database error: {settings.database.path}: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except KeyboardInterrupt:
        return EXIT_RUNTIME
    kept = f"; the previous database is kept as {report.previous_kept_as}" if report.previous_kept_as else ""
    print(
        f"restored {report.restored_from} (schema version {report.schema_version}) into {settings.database.path}"
        f"{kept}; deleted again: {report.deletions_replayed} person(s) who had asked for deletion"
    )
    return EXIT_OK


async def doctor(settings: Settings, token: str) -> int:
    """Connect, take the same snapshot as the startup self-check, print the findings. Exit 0 when the crisis
    path is sound (other findings are printed as warnings), 1 when it is not, 2 when Discord cannot be used."""
    from bot.app import configure_endpoints, hearth_intents
    from bot.selfcheck import findings, report_text, snapshot_of

    configure_endpoints(settings.discord)
    client = discord.Client(intents=hearth_intents())
    found: list[Any] = []
    ready = asyncio.Event()
    failed: list[str] = []

    @client.event
    async def on_ready() -> None:
        try:
            found.extend(findings(snapshot_of(client.get_guild(settings.discord.guild_id), settings)))
            ready.set()
        except Exception as exc:  # said in one line below, never a traceback
            failed.append(type(exc).__name__)
        finally:
            await client.close()

    async def check() -> None:
        await client.login(token)
        try:
            await client.connect(reconnect=False)  # a check: fail at once rather than retry
        except discord.ConnectionClosed as exc:
            if exc.code == 4014:
                raise discord.PrivilegedIntentsRequired(exc.shard_id) from None
            if not ready.is_set():  # closing after the findings are in is no failure
                raise

    try:
        async with client:
            await asyncio.wait_for(check(), timeout=120)
    except discord.LoginFailure:
        print(f"config error: discord.token_env: Discord rejected the token in ${settings.discord.token_env}",
              file=sys.stderr)
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        print("config error: enable the Server Members and Message Content intents in the Developer Portal",
              file=sys.stderr)
        return EXIT_CONFIG
    except (*NETWORK_ERRORS, discord.GatewayNotFound, discord.ConnectionClosed) as exc:
        print(f"error: cannot reach Discord: {describe_network_error(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    except discord.HTTPException as exc:  # not Discord at discord.api_base, or Discord failing
        reason = f" {exc.response.reason}" if exc.response.reason else ""
        print(f"error: Discord answered HTTP {exc.status}{reason}; check discord.api_base, or try again later",
              file=sys.stderr)
        return EXIT_CONFIG
    if not ready.is_set():
        why = f" ({failed[0]})" if failed else ""
        print(f"error: connected, but the server's setup could not be read{why}", file=sys.stderr)
        return EXIT_CONFIG
    print(report_text(found))
    return EXIT_RUNTIME if any(f.crisis for f in found) else EXIT_OK


async def sync_commands(settings: Settings, token: str) -> int:
    """Load every extension and overwrite the application commands in Discord, whether or not they changed."""
    from bot.clock import SystemClock
    from bot.runtime import build_bot

    bot = await build_bot(settings, SystemClock(), force_sync=True)
    try:
        await asyncio.wait_for(bot.login(token), timeout=120)  # login runs setup_hook, which syncs
    except discord.LoginFailure:
        print(f"config error: discord.token_env: Discord rejected the token in ${settings.discord.token_env}",
              file=sys.stderr)
        return EXIT_CONFIG
    except NETWORK_ERRORS as exc:
        print(f"error: cannot reach Discord: {describe_network_error(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    except discord.HTTPException as exc:
        print(f"error: Discord answered HTTP {exc.status} while syncing commands; try again later", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        await bot.close()
        await bot.db.close()
    print("slash commands synced")
    return EXIT_OK


def check_health(settings: Settings, max_age: float) -> int:
    path = settings.health.liveness_file
    if path is None:
        print("config error: health.liveness_file: not set; set it so the bot writes a liveness file",
              file=sys.stderr)
        return EXIT_CONFIG
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        print(f"unhealthy: {path} does not exist (the bot has not connected yet, or is not running)")
        return EXIT_RUNTIME
    if age > max_age:
        print(f"unhealthy: {path} is {age:.0f} s old (more than {max_age:.0f} s): the bot is not connected")
        return EXIT_RUNTIME
    print(f"healthy: connected {age:.0f} s ago")
    return EXIT_OK


def _request_close(bot: discord.Client, sig: signal.Signals, closing: list[asyncio.Task[None]]) -> None:
    log.info("received %s, shutting down", sig.name)
    closing.append(asyncio.get_running_loop().create_task(bot.close()))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        return sandbox_main(args)
    if args.command == "setup":
        from bot.setup_wizard import run_setup

        configure_logging("WARNING")
        try:
            return asyncio.run(run_setup(
                args.config, guild_id=args.guild, create_missing=args.create_missing, api_base=args.api_base,
                gateway_url=args.gateway_url,
            ))
        except (KeyboardInterrupt, EOFError):
            print("setup stopped; nothing was written", file=sys.stderr)
            return EXIT_CONFIG
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return _fail(exc.problems)
    configure_logging(settings.logging.level)

    if args.command == "health":
        return check_health(settings, args.max_age)
    if args.command in ("backup", "restore"):
        return backup_command(settings, args)

    if args.command == "check-config":
        try:
            read_token(settings)
            token_present = True
        except ConfigError:
            token_present = False
        print(summary(settings, token_present))
        return EXIT_OK

    try:
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        placeholders = example_keys(settings)
        if placeholders:
            print(
                f"config error: {', '.join(placeholders)} still hold the example IDs from config.example.toml;"
                " run `python -m bot setup` to choose them by name (README: Discord setup), or try Hearth locally"
                " with `python -m bot sandbox` (README: Try it)",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        token = read_token(settings)
        if args.command == "run" and settings.backup.enabled:
            _passphrase(settings)  # fail now, not at the first daily backup
        if args.command == "doctor":
            return asyncio.run(doctor(settings, token))
        if args.command == "sync":
            return asyncio.run(sync_commands(settings, token))
        return asyncio.run(run_bot(settings, token))
    except ConfigError as exc:
        return _fail(exc.problems)
    except MigrationError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except KeyboardInterrupt:  # a doctor stopped half-way has not found the crisis path sound
        return EXIT_CONFIG if args.command == "doctor" else EXIT_OK
    except Exception:
        log.exception("Hearth stopped because of an unexpected error")
        return EXIT_RUNTIME
