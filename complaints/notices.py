"""What a complainant or the staff must be told, as values; handlers/notices.py words them.

The office documents require telling the complainant in writing of receipt, progress and
result, and explaining why when the office cannot act in time. A notice names only the
ticket and what changed: never the description or anyone's personal data, so it can be
logged and queued without leaking either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from complaints.tickets import Status, TicketCode


class NoticeKind(StrEnum):
    STATUS_CHANGED = "status_changed"  # in progress, forwarded, closed
    RESULT = "result"  # resolved: asks for a 1-5 rating or "not fixed"
    REJECTED = "rejected"  # with the reason
    EXPLANATION = "explanation"  # late: the reason and the new expected date
    PROGRESS = "progress"  # a note without a status change


@dataclass(frozen=True)
class TicketNotice:
    """A notice to the complainant about their ticket."""

    kind: NoticeKind
    code: TicketCode
    status: Status
    """The ticket's status after the change."""
    public_note: str = ""
    """The staff's words to the complainant: the reason, the result, the progress."""
    expected_on: date | None = None
    """EXPLANATION only: the new date the office promises."""
    late: bool = True
    """EXPLANATION only: the due date has come (False: the office warns ahead of it)."""


@dataclass(frozen=True)
class StaffNotice:
    """A reminder to the complaint centre that a ticket's expected date is near or past."""

    code: TicketCode
    category: str
    expected_on: date
    days_left: int
    """Days from today to the expected date; 0 is today, negative is overdue."""
