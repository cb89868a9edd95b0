"""The clock port: inject it so time-based rules are testable without sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol

from complaints.thai_calendar import THAI_TIME, thai_day

__all__ = ["THAI_TIME", "Clock", "SystemClock", "thai_date"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def thai_date(moment: datetime) -> date:
    """The calendar date in Thailand: "เมื่อวาน" and the monthly reports count from it."""
    return thai_day(moment)
