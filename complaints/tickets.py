"""General-complaint tickets: their codes, statuses, timeline and the 15-day clock.

The office documents require acting on a complaint within 15 days or explaining why to the
complainant, telling them of receipt, progress and result, and letting them follow the case
themselves. These are the rules; storage and messages live elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from complaints.thai_calendar import fiscal_year_be

CODE_PREFIX = "GC"
SEQUENCE_DIGITS = 5
_CODE = re.compile(r"^GC-(\d{4})-(\d{5,7})$")


@dataclass(frozen=True, order=True)
class TicketCode:
    """`GC-<fiscal year BE>-<sequence>`, for example GC-2570-00042. The sequence restarts
    each fiscal year, as the office's complaint register does."""

    year_be: int
    sequence: int

    def __post_init__(self) -> None:
        if not 2500 <= self.year_be <= 2700 or self.sequence < 1:
            raise ValueError(f"not a ticket code: {self.year_be}-{self.sequence}")

    def __str__(self) -> str:
        return f"{CODE_PREFIX}-{self.year_be}-{self.sequence:0{SEQUENCE_DIGITS}d}"

    @classmethod
    def parse(cls, text: str) -> TicketCode:
        """The canonical form (`nlu.entities` canonicalises what citizens type)."""
        match = _CODE.match(text)
        if match is None:
            raise ValueError(f"not a ticket code: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def first_of(cls, day: date) -> TicketCode:
        return cls(fiscal_year_be(day), 1)


class Status(StrEnum):
    RECEIVED = "received"  # รับเรื่องแล้ว
    IN_PROGRESS = "in_progress"  # กำลังดำเนินการ
    FORWARDED = "forwarded"  # ส่งต่อหน่วยงานที่รับผิดชอบ
    RESOLVED = "resolved"  # ดำเนินการแล้ว, waiting for the citizen's rating
    CLOSED = "closed"  # ปิดเรื่อง
    REJECTED = "rejected"  # ไม่อยู่ในอำนาจหน้าที่ / ไม่รับเรื่อง, with the reason

    @property
    def open(self) -> bool:
        return self not in {Status.RESOLVED, Status.CLOSED, Status.REJECTED}


# What staff (or the citizen's "not fixed") may move a ticket to from each status.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset(
        {Status.IN_PROGRESS, Status.FORWARDED, Status.RESOLVED, Status.REJECTED}
    ),
    Status.IN_PROGRESS: frozenset({Status.FORWARDED, Status.RESOLVED, Status.REJECTED}),
    Status.FORWARDED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),  # "not fixed" reopens
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
    Status.REJECTED: frozenset(),
}


class TransitionError(ValueError):
    pass


def check_transition(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        raise TransitionError(f"a ticket cannot go from {current} to {target}")


def due_date(received: date, sla_days: int) -> date:
    """Acting is due `sla_days` calendar days after receipt ("ภายใน 15 วัน" in the office's
    own rules counts calendar days)."""
    if sla_days < 1:
        raise ValueError("sla_days must be at least 1")
    return received + timedelta(days=sla_days)


class EventKind(StrEnum):
    STATUS = "status"  # a status change (receipt included)
    EXPLANATION = "explanation"  # why it is late, and the new expected date
    RATING = "rating"  # the complainant's 1-5 rating of the result
    NOTE = "note"  # a progress note without a status change


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    status: Status
    public_note: str = ""
    """What the complainant is told."""
    kind: EventKind = EventKind.STATUS
    actor: str = ""
    """Who: a staff name, "citizen" or "system"."""
    internal_note: str = ""
    """Staff only: never shown or sent to the complainant."""
    expected_on: date | None = None


@dataclass(frozen=True)
class Contact:
    """Contact details the complainant chose to give, with consent. Personal data."""

    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Ticket:
    code: TicketCode
    category: str
    description: str
    received_on: date
    due_on: date
    status: Status = Status.RECEIVED
    place: str = ""
    timeline: tuple[TimelineEntry, ...] = field(default=())
    extended_to: date | None = None
    """A new expected date the office gave when it could not act in time."""
    channel: str = ""
    latitude: float | None = None
    longitude: float | None = None
    rating: int | None = None
    contact: Contact | None = None
    photo_count: int = 0

    def days_elapsed(self, today: date) -> int:
        return max(0, (today - self.received_on).days)

    def expected_on(self) -> date:
        return self.extended_to or self.due_on

    def overdue(self, today: date) -> bool:
        """Still open past the date the complainant was promised."""
        return self.status.open and today > self.expected_on()

    def explanation_due(self, today: date) -> bool:
        """The rule: still open on the date promised (the 15th day, or the new date the
        office explained), so the complainant must hear why and until when."""
        return self.status.open and today >= self.expected_on()
