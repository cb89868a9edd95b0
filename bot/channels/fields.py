"""Reading untrusted webhook JSON: wrong types and absurd values become 'absent', never a crash."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

MAX_ID_LENGTH = 64  # LINE user ids are 33 characters; Telegram chat ids fit in 20


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def ident(value: Any) -> str | None:
    """An id given as a string or an integer (not a bool), of sane length."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    result = str(value)
    return result if 0 < len(result) <= MAX_ID_LENGTH else None


def coordinate(value: Any, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and -bound <= number <= bound else None


def epoch(seconds: Any) -> datetime | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
