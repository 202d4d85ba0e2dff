"""Configuration: a TOML file validated into frozen, typed settings.

Every problem is reported with the dotted key path it concerns, one line each, so an
operator can fix a config without reading a traceback. Unknown keys are errors: a typo
such as ``ack_timout_minutes`` must never silently fall back to a default.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)


class ConfigError(Exception):
    """The configuration cannot be used. ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _discord_id(value: object) -> int:
    # TOML integers are 64-bit, so IDs fit; digit strings are accepted because people
    # often paste IDs in quotes. Anything else gets the message the operator needs.
    if isinstance(value, bool):
        raise ValueError(f"expected a Discord ID (integer), got {_show(value)}")
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    raise ValueError(f"expected a Discord ID (integer), got {_show(value)}")


def _timezone_name(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected an IANA time zone name such as America/New_York, got {_show(value)}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {_show(value)}; expected an IANA name such as America/New_York"
        ) from None
    return value


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


DiscordId = Annotated[int, BeforeValidator(_discord_id)]
TimezoneName = Annotated[str, BeforeValidator(_timezone_name)]
PositiveMinutes = Annotated[float, Field(gt=0, le=60 * 24 * 7)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSettings(_Section):
    token_env: str = "DISCORD_TOKEN"
    guild_id: DiscordId
    api_base: str | None = None
    gateway_url: str | None = None

    @field_validator("api_base")
    @classmethod
    def _check_api_base(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL such as http://127.0.0.1:8080/api/v10, got {_show(value)}")
        return value.rstrip("/") if value else value

    @field_validator("gateway_url")
    @classmethod
    def _check_gateway_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("ws://", "wss://")):
            raise ValueError(f"expected a ws(s) URL such as ws://127.0.0.1:8080/gateway, got {_show(value)}")
        return value


class DatabaseSettings(_Section):
    path: Path = Path("hearth.sqlite3")


class PagerDutySettings(_Section):
    routing_key_env: str  # environment variable holding the Events API v2 integration key
    events_url: str = "https://events.pagerduty.com/v2/enqueue"
    from_round: Annotated[int, Field(ge=0, le=50)] = 1


class WebhookPagerSettings(_Section):
    url: str
    secret_env: str  # environment variable holding the HMAC-SHA256 secret
    from_round: Annotated[int, Field(ge=0, le=50)] = 0
    include_excerpt: bool = False


class EmailPagerSettings(_Section):
    host: str
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = True
    username_env: str | None = None  # environment variables holding the SMTP login, if the server needs one
    password_env: str | None = None
    sender: str
    to: Annotated[tuple[str, ...], Field(min_length=1)]
    from_round: Annotated[int, Field(ge=0, le=50)] = 2


class PagingSettings(_Section):
    """Pagers beyond Discord; each joins an incident's escalation at its ``from_round`` (0 = with the alert)."""

    pagerduty: PagerDutySettings | None = None
    webhook: WebhookPagerSettings | None = None
    email: EmailPagerSettings | None = None


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_days(value: str) -> tuple[int, ...]:
    """ "mon-fri", "sat,sun", "daily" → weekday numbers (Monday 0)."""
    text = value.strip().lower()
    if text == "daily":
        return tuple(range(7))
    days: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in _DAYS or last not in _DAYS:
                raise ValueError(f"unknown day in {part!r}; use mon, tue, wed, thu, fri, sat, sun")
            a, b = _DAYS.index(first), _DAYS.index(last)
            days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in _DAYS:
            days.append(_DAYS.index(part))
        else:
            raise ValueError(f"unknown day {part!r}; use mon..sun, a range like mon-fri, a list like sat,sun, or daily")
    return tuple(sorted(set(days)))


class OncallShift(_Section):
    days: str  # "mon-fri", "sat,sun" or "daily"
    start: str  # "09:00" in oncall.timezone
    end: str  # "17:00"; an end at or before the start runs past midnight
    members: tuple[DiscordId, ...] = ()

    @field_validator("days")
    @classmethod
    def _days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _HHMM.match(value.strip()):
            raise ValueError("use 24-hour HH:MM, e.g. 09:00 or 17:30")
        return value.strip()


class OncallSettings(_Section):
    """A weekly on-call rota. With shifts, Hearth keeps roles.on_call equal to whoever is on call now."""

    timezone: str = "America/New_York"
    shifts: tuple[OncallShift, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. America/New_York)") from None
        return value


class BackupSettings(_Section):
    # Where `python -m bot backup` (and the daily backup) writes; relative to the config file's folder.
    directory: Path = Path("backups")
    keep: Annotated[int, Field(ge=1, le=3650)] = 14
    # The running bot takes one backup a day at ``hour`` (community time), and one at start when the last
    # slot was missed while it was stopped; it keeps the newest ``keep`` in ``directory``.
    enabled: bool = Field(default=False, validation_alias=AliasChoices("enabled", "daily"))
    hour: Annotated[int, Field(ge=0, le=23)] = 3
    # Environment variable holding a passphrase: when set, backups are encrypted (Fernet, scrypt-derived key).
    passphrase_env: str | None = None


class HealthSettings(_Section):
    # While connected to Discord, the bot rewrites this file every 30 s; `python -m bot health` checks its age
    # (container health checks). Relative paths resolve against the config file's folder. Unset: no file.
    liveness_file: Path | None = None


class RoleSettings(_Section):
    participant: DiscordId
    facilitator: DiscordId
    staff: DiscordId
    on_call: DiscordId


class ChannelSettings(_Section):
    checkins: DiscordId
    celebrations: DiscordId
    staff_alerts: DiscordId
    groups_category: DiscordId


class CommunitySettings(_Section):
    timezone: TimezoneName = "America/New_York"


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


DEFAULT_GUIDELINES = (
    "Welcome to your group's space. A few things keep it safe for everyone:\n"
    "1. What is shared here stays here. Do not copy, screenshot or repeat others' stories.\n"
    "2. Speak from your own experience; no advice unless someone asks for it.\n"
    "3. Be kind. No judgment about relapses, setbacks or feelings.\n"
    "4. No promotion of drugs, alcohol, or ways to hurt yourself.\n"
    "5. If you are in danger right now, use /help-now or call or text 988. "
    "Your facilitators and the staff team are here for you."
)


class GroupSettings(_Section):
    guidelines: Annotated[str, Field(min_length=1, max_length=2000)] = DEFAULT_GUIDELINES
    reminder_minutes_before: Annotated[int, Field(ge=0, le=24 * 60)] = 60


class CheckinSettings(_Section):
    quiet_hour: Annotated[int, Field(ge=0, le=23)] = 22
    silent_days: Annotated[int, Field(ge=1, le=60)] = 3
    low_mood: Annotated[int, Field(ge=1, le=10)] = 3
    high_craving: Annotated[int, Field(ge=0, le=10)] = 8


class CrisisResource(_Section):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    how: Annotated[str, Field(min_length=1, max_length=200)]
    when: Annotated[str, Field(max_length=100)] = ""


DEFAULT_RESOURCES: tuple[CrisisResource, ...] = (
    CrisisResource(
        name="988 Suicide & Crisis Lifeline", how="Call or text 988, or chat at 988lifeline.org", when="24/7"
    ),
    CrisisResource(name="Crisis Text Line", how="Text HOME to 741741", when="24/7"),
    CrisisResource(name="Emergency services", how="Call 911", when="If you are in immediate danger"),
    CrisisResource(
        name="Massachusetts Behavioral Health Help Line", how="Call or text 833-773-2445", when="24/7"
    ),
)


class AckTimeouts(_Section):
    imminent: PositiveMinutes = 5
    concern: PositiveMinutes = 30


class CrisisSettings(_Section):
    resources: Annotated[tuple[CrisisResource, ...], Field(min_length=1, max_length=10)] = DEFAULT_RESOURCES
    cooldown_minutes: Annotated[float, Field(ge=0, le=24 * 60)] = 30
    include_excerpt: bool = True
    ack_timeout_minutes: AckTimeouts = AckTimeouts()
    escalation_roles: tuple[DiscordId, ...] = ()
    max_repeats: Annotated[int, Field(ge=0, le=50)] = 3
    resolve_reminder_minutes: PositiveMinutes = 120
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 365
    # On start, messages posted while Hearth was down are screened: at most this far back and this many per
    # channel, in at most this many DM channels (the most recently active).
    backlog_hours: Annotated[float, Field(ge=0, le=24 * 14)] = 24
    backlog_messages: Annotated[int, Field(ge=0, le=5000)] = 500
    backlog_dm_channels: Annotated[int, Field(ge=0, le=100_000)] = 200
    # How long writing a new incident is retried while the database is busy or failing before the alert and
    # the person's resources are sent without it (degraded path); the incident is written when it answers.
    db_retry_seconds: Annotated[float, Field(ge=0, le=600)] = 60


def _positive_sorted(values: tuple[int, ...]) -> tuple[int, ...]:
    if any(v <= 0 for v in values):
        raise ValueError("expected positive whole numbers")
    return tuple(sorted(set(values)))


class MilestoneSettings(_Section):
    days: tuple[int, ...] = (1, 7, 14, 30, 60, 90, 180, 270, 365)
    checkin_streaks: tuple[int, ...] = (7, 30, 100, 365)
    group_weeks: tuple[int, ...] = (4, 8, 12)
    announce_hour: Annotated[int, Field(ge=0, le=23)] = 9
    late_grace_days: Annotated[int, Field(ge=0, le=30)] = 2

    _sorted = field_validator("days", "checkin_streaks", "group_weeks")(_positive_sorted)


class Settings(_Section):
    discord: DiscordSettings
    database: DatabaseSettings = DatabaseSettings()
    roles: RoleSettings
    channels: ChannelSettings
    community: CommunitySettings = CommunitySettings()
    logging: LoggingSettings = LoggingSettings()
    groups: GroupSettings = GroupSettings()
    checkins: CheckinSettings = CheckinSettings()
    crisis: CrisisSettings = CrisisSettings()
    milestones: MilestoneSettings = MilestoneSettings()
    health: HealthSettings = HealthSettings()
    backup: BackupSettings = BackupSettings()
    paging: PagingSettings = PagingSettings()
    oncall: OncallSettings = OncallSettings()


def _describe(error: Mapping[str, Any]) -> str:
    path = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "extra_forbidden":
        return f"{path}: unknown key (check the spelling against config.example.toml)"
    if kind == "value_error":
        return f"{path}: {error['ctx']['error']}"
    got = error.get("input")
    message = str(error["msg"])
    if isinstance(got, (str, int, float, bool)):
        return f"{path}: {message[0].lower()}{message[1:]}, got {_show(got)}"
    return f"{path}: {message[0].lower()}{message[1:]}"


def parse_settings(data: Mapping[str, Any], *, base_dir: Path | None = None) -> Settings:
    """Validate a parsed TOML document. Relative database paths resolve against ``base_dir``."""
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_describe(err) for err in exc.errors()]) from None
    if base_dir is not None and not settings.database.path.is_absolute():
        database = settings.database.model_copy(update={"path": base_dir / settings.database.path})
        settings = settings.model_copy(update={"database": database})
    if base_dir is not None and not settings.backup.directory.is_absolute():
        backup = settings.backup.model_copy(update={"directory": base_dir / settings.backup.directory})
        settings = settings.model_copy(update={"backup": backup})
    live = settings.health.liveness_file
    if base_dir is not None and live is not None and not live.is_absolute():
        settings = settings.model_copy(update={"health": HealthSettings(liveness_file=base_dir / live)})
    return settings


def load_settings(path: Path) -> Settings:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found (copy config.example.toml to start)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config file ({exc.strerror})"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: config file is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None
    return parse_settings(data, base_dir=path.resolve().parent)


def read_token(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    name = settings.discord.token_env
    token = env.get(name, "").strip()
    if not token:
        raise ConfigError(
            [f"discord.token_env: environment variable {name} is not set; export the bot token in it"]
        )
    return token
