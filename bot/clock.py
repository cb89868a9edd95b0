"""The clock port: inject it so time-based rules are testable without sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


THAI_TIME = timezone(timedelta(hours=7), "ICT")  # Thailand keeps no daylight saving time


def thai_date(moment: datetime) -> date:
    """The calendar date in Thailand: "เมื่อวาน" and the monthly reports count from it."""
    return moment.astimezone(THAI_TIME).date()
