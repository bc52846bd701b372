"""Configuration from the environment or `.env`; a wrong value stops start-up with one line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from practice.messages import WorkingHours, parse_working_hours
from reminders.housekeeping import ChorePolicy

TELEGRAM_API = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting is missing or wrong; str() is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    # Exactly PTB's base_url: the token is appended after it. A self-hosted Bot API server
    # is e.g. http://127.0.0.1:8081/bot
    telegram_api_base_url: str = TELEGRAM_API
    database_url: str = "sqlite+aiosqlite:///aftercare.db"
    therapist_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    practice_timezone: str = "UTC"
    log_level: str = "INFO"
    # How long an invite link stays usable.
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    # The dispatcher's safety tick (it is also woken at the next due time), and how long a
    # claimed reminder stays with one process before another may send it.
    dispatch_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    dispatch_lease_seconds: float = Field(default=300.0, ge=1, le=86400)
    # Telegram's limit for one bot is about 30 messages a second; pacing a hair under it keeps
    # the two clocks from disagreeing into 429s (bench/dispatch.py: 0 429s at 29, hundreds at
    # 30). Only a self-hosted Bot API server or a benchmark has reason to change it.
    telegram_rate_limit: float = Field(default=29.0, gt=0)
    # Paid broadcasts (Bot API sendMessage's allow_paid_broadcast): Telegram lets such sends
    # past 30 a second, up to 1,000, and charges Stars for them. On, the dispatcher's sends ask
    # for it; TELEGRAM_RATE_LIMIT is then the rate paid for (at most 1,000).
    telegram_paid_broadcast: bool = False
    # The HTTP client the bot talks to Telegram with: aiohttp (bot/runtime/transport.py, several
    # times the sends a second of PTB's own) or httpx (PTB's HTTPXRequest), the way back.
    telegram_transport: Literal["aiohttp", "httpx"] = "aiohttp"
    # When each therapist's morning digest arrives, in the practice's time zone.
    digest_time: time = time(8, 0)
    # How long a therapist's clinical notes are kept after the client's last session, also
    # after a client's /forgetme (health records law: commonly 7–10 years for adults); then
    # the whole record is deleted, the therapist told a month before (reminders/retention.py).
    record_retention_years: int = Field(default=7, ge=1, le=100)
    # Daily backups: where (default: a `backups` folder beside the SQLite file, or in the
    # working directory for PostgreSQL), how many are kept (0: no automatic backups, also none
    # before a migration), and when, in the practice's time zone (the retention purge follows).
    backup_dir: Path | None = None
    backup_keep: int = Field(default=14, ge=0, le=1000)
    backup_time: time = time(3, 0)
    # How long after a referral the therapist is asked whether the client went.
    referral_follow_up_days: int = Field(default=14, ge=1, le=365)
    # A booked visit's length unless the therapist says otherwise, and how long before it the
    # client is reminded (earlier if that falls in their quiet hours).
    visit_minutes: int = Field(default=60, ge=10, le=480)
    visit_reminder_hours: int = Field(default=24, ge=1, le=168)
    # The therapist's working hours in the practice's time zone, e.g. 09:00-18:00: a client
    # whose messages the therapist muted outside them has those delivered when they next
    # begin (practice/messages.py). Unset: no muting, every message goes at once.
    working_hours: str | None = None

    # --- spoken notes (speech/, bot/therapist/voice.py) ---
    # The engine a therapist's voice message is transcribed with: PocketSphinx (its English
    # model is in its wheel), or faster-whisper with a CTranslate2 model the operator puts in
    # WHISPER_MODEL_DIR (`pip install 'aftercare[whisper]'`).
    transcriber: Literal["pocketsphinx", "whisper"] = "pocketsphinx"
    whisper_model_dir: Path | None = None

    # --- watching it (bot/runtime/health.py, bot/runtime/watch.py) ---
    # GET /healthz answers on this port (none when unset; 0 picks a free one), on HEALTH_HOST:
    # the loopback by default, since a monitor on the same machine is all it needs.
    health_port: int | None = Field(default=None, ge=0, le=65535)
    health_host: str = "127.0.0.1"
    # Telegram user ids told (with counts only, never a client or a message) when deliveries
    # keep failing, the outbox falls behind or a backup fails. Each must have sent the bot
    # /start once: Telegram lets a bot write only to those who did.
    operator_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)

    # --- webhook mode (bot/runtime/webhook.py): Telegram POSTs updates instead of being polled.
    # WEBHOOK_URL is the public https address Telegram posts to (a proxy in front forwards it
    # to WEBHOOK_LISTEN, host:port, where the bot listens); unset means long polling.
    # WEBHOOK_SECRET comes back in every POST's X-Telegram-Bot-Api-Secret-Token header.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1:8080"

    @field_validator("therapist_ids", "operator_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            bad = [p for p in parts if not p.isdigit()]
            if bad:
                raise ValueError(
                    f"must be comma-separated numeric Telegram user ids, got {bad[0]!r}"
                )
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        # The shape BotFather gives ("123456789:AA…"): the bot's id, a colon, the secret.
        # Checked here, so a pasted fragment is named at once instead of as a refusal later;
        # the value itself is never repeated (it is a secret).
        token = value.get_secret_value().strip() if value is not None else ""
        if token and not TOKEN_SHAPE.fullmatch(token):
            raise ValueError(
                "does not look like a bot token: it is the bot's number, a colon, then letters, "
                "digits, - and _ (copy it whole from @BotFather)"
            )
        return value

    @field_validator("health_port", mode="before")
    @classmethod
    def _empty_port(cls, value: object) -> object:
        # `HEALTH_PORT=` as .env.example has it means no endpoint, not a bad number.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("working_hours")
    @classmethod
    def _check_working_hours(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # `WORKING_HOURS=` as .env.example has it: none
        parse_working_hours(value)
        return value.strip()

    @field_validator("practice_timezone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin"
            ) from None
        # tzdata's names without a region are old ones, some of them a clock that never
        # changes for summer ("EST" is New York's winter all year): the digest and backups
        # would come an hour off half the year.
        if "/" not in value and value != "UTC":
            raise ValueError(
                f"{value!r} is an old zone name (some keep no summer time); use the name of "
                "a place, such as America/New_York or Europe/Berlin"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
        return level

    @field_validator("telegram_api_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _check_webhook_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None  # `WEBHOOK_URL=` as .env.example has it: polling
        parts = urlsplit(value.strip())
        # Telegram posts to https only; plain http is for the loopback (tests, the demo).
        local = parts.scheme == "http" and parts.hostname == "127.0.0.1"
        if not parts.hostname or (parts.scheme != "https" and not local):
            raise ValueError(
                f"must be an https URL that Telegram can reach (http only on 127.0.0.1), "
                f"got {value!r}"
            )
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else ""
        if not secret:
            if info.data.get("webhook_url"):
                raise ValueError(
                    "is required with WEBHOOK_URL (1-256 characters: A-Z, a-z, 0-9, _ and -)"
                )
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            # The value itself is never repeated: it is a secret.
            found = f"{len(secret)} characters" if len(secret) > 256 else "another character"
            raise ValueError(
                f"must be 1-256 characters of A-Z, a-z, 0-9, _ and - (as Telegram requires), "
                f"got {found}"
            )
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _check_webhook_listen(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError(f"must be host:port, such as 127.0.0.1:8080, got {value!r}")
        return value.strip()

    @property
    def webhook(self) -> Webhook | None:
        """Where to listen and what to tell Telegram, when the bot runs in webhook mode."""
        if self.webhook_url is None or self.webhook_secret is None:
            return None
        host, _, port = self.webhook_listen.rpartition(":")
        return Webhook(
            url=self.webhook_url,
            secret=self.webhook_secret.get_secret_value(),
            host=host.strip("[]"),
            port=int(port),
        )

    @property
    def hours(self) -> WorkingHours | None:
        """The working hours, when set (WORKING_HOURS)."""
        return parse_working_hours(self.working_hours) if self.working_hours else None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.practice_timezone)

    @property
    def backups(self) -> Path:
        if self.backup_dir is not None:
            return self.backup_dir
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).parent / "backups"
        return Path("backups")

    @property
    def token(self) -> str | None:
        if self.telegram_bot_token is None:
            return None
        return self.telegram_bot_token.get_secret_value().strip() or None


TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str = field(repr=False)
    host: str
    port: int


def load_settings(**overrides: Any) -> Settings:  # any field's value: pydantic checks it
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(problem_line(exc.errors()[0])) from None


def problem_line(error: ErrorDetails) -> str:
    """One setting pydantic refused, in the one line an operator reads: "DIGEST_TIME must be
    a time of day like 08:00, not '25:00'" rather than pydantic's "Input should be …"."""
    variable = str(error["loc"][0]).upper() if error["loc"] else "configuration"
    # A secret (the token, the webhook's secret, a database URL's password) is never repeated.
    return f"Configuration error: {variable} {_in_words(error, echo=not is_secret(variable))}"


def is_secret(variable: str) -> bool:
    """A setting whose value is never repeated: one typed SecretStr, or the database URL
    (it may carry a password)."""
    if variable == "DATABASE_URL":
        return True
    field = Settings.model_fields.get(variable.lower())
    return field is not None and SecretStr in (field.annotation, *get_args(field.annotation))


def _in_words(error: ErrorDetails, *, echo: bool) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    value = error.get("input")
    shown = echo and isinstance(value, str | int | float) and value != ""
    given = f", not {value!r}" if shown else ""
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    words = {
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_parsing": "must be a number",
        "bool_parsing": "must be true or false",
        "time_parsing": "must be a time of day like 08:00",
        "time_type": "must be a time of day like 08:00",
        "literal_error": f"must be one of {ctx.get('expected')}",
        "string_too_long": f"must be at most {ctx.get('max_length')} characters",
        "string_too_short": f"must be at least {ctx.get('min_length')} characters",
    }.get(kind)
    if words is None:  # a kind not worded here: pydantic's own words, which name the rule
        return str(error["msg"])
    return words + given


NO_TOKEN = "Configuration error: TELEGRAM_BOT_TOKEN is not set (see .env.example)"  # noqa: S105 -- a message, not a secret
NO_THERAPISTS = "Warning: THERAPIST_IDS is empty, so the bot will serve nobody."


def chore_policy(settings: Settings) -> ChorePolicy:
    """What the daily chores (backup, retention purge) go by, from the configuration."""
    return ChorePolicy(
        zone=settings.practice_timezone,
        backup_time=settings.backup_time,
        backups=settings.backups,
        backup_keep=settings.backup_keep,
        retention_years=settings.record_retention_years,
        notice_at=settings.digest_time,
    )
