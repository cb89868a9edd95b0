"""Small test helpers: a settable clock, signed LINE bodies, settings for a test run."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings

LINE_SECRET = "test-channel-secret"
TELEGRAM_SECRET = "test-telegram-secret-token"
SECRET_KEY = "test-secret-key-0123456789abcdef"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


def line_signature(body: bytes, secret: str = LINE_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def clean_environ() -> dict[str, str]:
    """This process's environment without Siang's settings, for a `siang` subprocess."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SIANG_", "DATABASE_URL"))}


KNOWLEDGE_FIXTURE = FIXTURES / "knowledge"


def app_env(tmp_path: Path, database_url: str, platform_url: str, **extra: str) -> dict[str, str]:
    """Settings for a test run: both channels on, pointed at the fake platform."""
    return {
        "SIANG_ENV": "test",
        "SIANG_INSTANCE_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SIANG_SECRET_KEY": SECRET_KEY,
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": "test-line-token",
        "LINE_API_ENDPOINT": platform_url,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_ENDPOINT": platform_url,
        "SIANG_HTTP_TIMEOUT_SECONDS": "1",
        "SIANG_KNOWLEDGE_DIR": str(KNOWLEDGE_FIXTURE),
        "SIANG_ARGON2_COST": "min",  # the real cost is measured, not waited for, in tests
        **extra,
    }


def make_settings(tmp_path: Path, database_url: str, platform_url: str, **extra: str) -> Settings:
    env = app_env(tmp_path, database_url, platform_url, **extra)
    return load_settings(env, dotenv_path=tmp_path / "no.env")


def line_text_event(
    text: str,
    *,
    user: str = "U" + "a" * 32,
    event_id: str = "01JTESTEVENT0000000000000A",
    reply_token: str = "reply-token-1",
    timestamp_ms: int = 1_764_039_600_000,
    redelivery: bool = False,
) -> dict[str, Any]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": timestamp_ms,
        "source": {"type": "user", "userId": user},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": redelivery},
        "replyToken": reply_token,
        "message": {"id": "1", "type": "text", "text": text, "quoteToken": "q"},
    }


def line_body(*events: dict[str, Any], destination: str = "U" + "0" * 32) -> bytes:
    return json.dumps(
        {"destination": destination, "events": list(events)}, ensure_ascii=False
    ).encode()


def telegram_text_update(text: str, *, update_id: int = 1000, chat_id: int = 42) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_764_039_600,
            "chat": {"id": chat_id, "type": "private", "first_name": "สมชาย"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "สมชาย"},
            "text": text,
        },
    }
