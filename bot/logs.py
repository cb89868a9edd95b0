"""Structured logs without personal data: user ids only as keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
import uuid
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class UserHasher:
    """Keyed hash of a channel user id: stable per office, useless without the secret."""

    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"siang-user-ref:" + secret_key.encode()).digest()

    def ref(self, channel: str, user_id: str) -> str:
        digest = hmac.new(self._key, f"{channel}:{user_id}".encode(), hashlib.sha256)
        return digest.hexdigest()

    @staticmethod
    def short(user_ref: str) -> str:
        return user_ref[:12]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the type only: values may hold text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def new_request_id() -> str:
    rid = uuid.uuid4().hex[:16]
    request_id.set(rid)
    return rid


def log(logger: logging.Logger, level: int, msg: str, **fields: Any) -> None:
    logger.log(level, msg, extra={"fields": fields})
