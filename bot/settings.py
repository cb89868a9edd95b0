"""Settings, read once from the environment (and an optional .env) by the composition root."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values


class ConfigError(Exception):
    """A setting is missing or wrong. The message is one line a person can act on."""


@dataclass(frozen=True)
class StaffChat:
    """Where staff reminders go: a LINE group, room or user, or a Telegram chat."""

    channel: str
    recipient: str


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    secret_key: str
    environment: str = "production"
    queue_url: str | None = None
    line_channel_secret: str | None = None
    line_channel_access_token: str | None = None
    line_api_endpoint: str = "https://api.line.me"
    line_data_api_endpoint: str = "https://api-data.line.me"  # rich menu images, media
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_endpoint: str = "https://api.telegram.org"
    public_url: str | None = None
    office_name: str = ""  # empty: the name in the content's office.yaml
    office_phone: str = ""
    idle_timeout_minutes: int = 30
    max_body_bytes: int = 1_000_000
    http_timeout_seconds: float = 5.0
    inbound_retention_days: int = 7
    knowledge_dir: Path | None = None  # None: the sample content shipped in knowledge/content
    media_dir: Path | None = None  # None: instance_dir/media/photos
    max_photo_bytes: int = 10_000_000
    sla_days: int | None = None  # None: the content's office.yaml (services.sla_days)
    sla_remind_days: int = 3
    explanation_extension_days: int = 15
    auto_close_days: int = 14
    personal_data_retention_days: int = 365
    staff_chat: StaffChat | None = None
    argon2_cost: str = "moderate"
    """How hard new integrity officers' passphrase keys are (see `bot.integrity_desk.COSTS`)."""

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def photo_dir(self) -> Path:
        return self.media_dir or self.instance_dir / "media" / "photos"

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_channel_access_token)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token and self.telegram_webhook_secret)

    def require(self, *names: str) -> None:
        """Fail with one clear line when a command needs a secret that is not set."""
        missing = [n for n in names if not getattr(self, n.lower())]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} is not set: put it in the environment or in .env"
            )


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be above zero, got {raw!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value <= 0:
        raise ConfigError(f"{name} must be above zero, got {value}")
    return value


def _int_between(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _int(env, name, default)
    if not low <= value <= high:
        raise ConfigError(f"{name} must be from {low} to {high}, got {value}")
    return value


_STAFF_CHAT_IDS = {
    "line": (re.compile(r"[UCR][0-9a-f]{32}"), "a LINE user, group or room id (U…, C…, R…)"),
    "telegram": (re.compile(r"-?[0-9]{1,20}"), "a Telegram chat id (a number)"),
}


def _staff_chat(env: Mapping[str, str]) -> StaffChat | None:
    """SIANG_STAFF_CHAT is `line:<group, room or user id>` or `telegram:<chat id>`."""
    raw = (env.get("SIANG_STAFF_CHAT") or "").strip()
    if not raw:
        return None
    channel, _, recipient = raw.partition(":")
    if channel not in _STAFF_CHAT_IDS:
        raise ConfigError(f"SIANG_STAFF_CHAT must be line:<id> or telegram:<chat id>, got {raw!r}")
    pattern, what = _STAFF_CHAT_IDS[channel]
    if not pattern.fullmatch(recipient):
        raise ConfigError(f"SIANG_STAFF_CHAT: {recipient!r} is not {what}")
    needs = {
        "line": ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"),
        "telegram": ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"),
    }[channel]
    if not all(env.get(name) for name in needs):
        raise ConfigError(f"SIANG_STAFF_CHAT is a {channel} chat but {channel} is not set up")
    return StaffChat(channel, recipient)


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None
) -> Settings:
    """Environment wins over .env. Secrets never have defaults, except the embedded dev key."""
    file_values = {
        k: v for k, v in dotenv_values(dotenv_path or Path.cwd() / ".env").items() if v is not None
    }
    env: dict[str, str] = {**file_values, **(os.environ if environ is None else environ)}

    environment = env.get("SIANG_ENV", "production").strip().lower()
    if environment not in {"production", "development", "test"}:
        raise ConfigError(f"SIANG_ENV must be production, development or test, got {environment!r}")
    instance_dir = Path(env.get("SIANG_INSTANCE_DIR") or Path.cwd() / "instance").resolve()
    database_url = env.get("DATABASE_URL") or ""
    embedded = not database_url
    if embedded:
        database_url = f"sqlite:///{instance_dir / 'siang.db'}"
    if database_url.startswith("postgres://"):  # the scheme many hosts hand out
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    secret_key = env.get("SIANG_SECRET_KEY") or ""
    if not secret_key:
        if not embedded or environment == "production":
            raise ConfigError(
                "SIANG_SECRET_KEY is not set: generate one with "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        secret_key = _embedded_secret(instance_dir)
    if len(secret_key) < 16:
        raise ConfigError("SIANG_SECRET_KEY is too short: use at least 32 random characters")

    line_api = (env.get("LINE_API_ENDPOINT") or "https://api.line.me").rstrip("/")
    return Settings(
        instance_dir=instance_dir,
        database_url=database_url,
        secret_key=secret_key,
        environment=environment,
        queue_url=env.get("SIANG_QUEUE_URL") or env.get("REDIS_URL") or None,
        line_channel_secret=env.get("LINE_CHANNEL_SECRET") or None,
        line_channel_access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN") or None,
        line_api_endpoint=line_api,
        # a custom API endpoint (a local fake, a proxy) serves the data API too unless told
        line_data_api_endpoint=(
            env.get("LINE_DATA_API_ENDPOINT")
            or (line_api if env.get("LINE_API_ENDPOINT") else "https://api-data.line.me")
        ).rstrip("/"),
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
        telegram_api_endpoint=(
            env.get("TELEGRAM_API_ENDPOINT") or "https://api.telegram.org"
        ).rstrip("/"),
        public_url=(env.get("SIANG_PUBLIC_URL") or "").rstrip("/") or None,
        office_name=env.get("SIANG_OFFICE_NAME") or "",
        office_phone=env.get("SIANG_OFFICE_PHONE") or "",
        idle_timeout_minutes=_int(env, "SIANG_IDLE_TIMEOUT_MINUTES", 30),
        max_body_bytes=_int(env, "SIANG_MAX_BODY_BYTES", 1_000_000),
        inbound_retention_days=_int(env, "SIANG_INBOUND_RETENTION_DAYS", 7),
        http_timeout_seconds=_float(env, "SIANG_HTTP_TIMEOUT_SECONDS", 5.0),
        knowledge_dir=(
            Path(env["SIANG_KNOWLEDGE_DIR"]).resolve() if env.get("SIANG_KNOWLEDGE_DIR") else None
        ),
        media_dir=Path(env["SIANG_MEDIA_DIR"]).resolve() if env.get("SIANG_MEDIA_DIR") else None,
        max_photo_bytes=_positive_int(env, "SIANG_MAX_PHOTO_BYTES", 10_000_000),
        sla_days=(
            _int_between(env, "SIANG_SLA_DAYS", 15, 1, 90) if env.get("SIANG_SLA_DAYS") else None
        ),
        sla_remind_days=_int_between(env, "SIANG_SLA_REMIND_DAYS", 3, 0, 90),
        explanation_extension_days=_int_between(env, "SIANG_EXPLANATION_EXTENSION_DAYS", 15, 1, 90),
        auto_close_days=_int_between(env, "SIANG_AUTO_CLOSE_DAYS", 14, 1, 365),
        personal_data_retention_days=_int_between(
            env, "SIANG_PERSONAL_DATA_RETENTION_DAYS", 365, 1, 3650
        ),
        staff_chat=_staff_chat(env),
        argon2_cost=_argon2_cost(env, environment),
    )


ARGON2_COSTS = ("moderate", "interactive", "min")


def _argon2_cost(env: Mapping[str, str], environment: str) -> str:
    """SIANG_ARGON2_COST: moderate (the default), interactive, or min (tests only: fast and
    worthless against guessing)."""
    cost = (env.get("SIANG_ARGON2_COST") or "moderate").strip().lower()
    if cost not in ARGON2_COSTS:
        raise ConfigError(
            f"SIANG_ARGON2_COST must be one of {', '.join(ARGON2_COSTS)}, got {cost!r}"
        )
    if cost == "min" and environment != "test":
        raise ConfigError("SIANG_ARGON2_COST=min is for tests only (SIANG_ENV=test)")
    return cost


def _embedded_secret(instance_dir: Path) -> str:
    """Generated once for the embedded default only, so a local try-out needs no setup."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
