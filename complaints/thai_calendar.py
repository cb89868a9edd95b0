"""Dates as Thai offices count and write them: the fiscal year and Buddhist-era dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BE_OFFSET = 543
THAI_TIME = timezone(timedelta(hours=7), "ICT")  # Thailand keeps no daylight saving time
FISCAL_YEAR_START_MONTH = 10  # the Thai government's fiscal year starts on 1 October

MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip


def fiscal_year_be(day: date) -> int:
    """The Buddhist-era fiscal year a day belongs to: 1 October 2026 starts FY 2570."""
    year = day.year + BE_OFFSET
    return year + 1 if day.month >= FISCAL_YEAR_START_MONTH else year


def thai_date(day: date, *, full: bool = False) -> str:
    """ "25 พ.ย. 2569", or "25 พฤศจิกายน 2569" with `full`."""
    months = MONTHS_FULL if full else MONTHS_SHORT
    return f"{day.day} {months[day.month - 1]} {day.year + BE_OFFSET}"


def thai_day(moment: datetime) -> date:
    """The calendar date in Thailand: deadlines and monthly reports count from it."""
    return moment.astimezone(THAI_TIME).date()
