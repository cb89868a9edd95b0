"""The complaint centre's side of general tickets: find them, read them whole, work them.

A staff change is checked by `complaints.lifecycle`, written to the ticket and its timeline,
and its notice to the complainant is queued in the outbox in the same transaction, so the
change and the notice are stored together or not at all.
"""

from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.clock import THAI_TIME, Clock, thai_date
from bot.db import Database
from bot.logs import log
from bot.models import TicketEventRow, TicketRow
from bot.outbox import HELD_CHANNELS, Outbox
from bot.ticket_desk import ticket_from_row
from complaints.lifecycle import StatusUpdate, decide
from complaints.notices import TicketNotice
from complaints.tickets import Status, Ticket, TicketCode, due_date
from handlers.notices import render

logger = logging.getLogger("siang.tickets")

OPEN_STATUSES = tuple(s.value for s in Status if s.open)
MAX_PAGE = 500


class TicketNotFound(LookupError):
    def __init__(self, code: TicketCode) -> None:
        super().__init__(f"no ticket {code}")
        self.code = code


@dataclass(frozen=True)
class TicketFilter:
    """Which tickets to list. Dates are Thai calendar days, both ends included."""

    statuses: tuple[Status, ...] = ()
    category: str | None = None
    overdue: bool = False
    """Still open past the date the complainant was promised (`Ticket.overdue`)."""
    received_from: date | None = None
    received_to: date | None = None
    limit: int = 50
    offset: int = 0


def expected_date() -> ColumnElement[date]:
    """The date the complainant was promised, in SQL (`Ticket.expected_on`)."""
    return func.coalesce(TicketRow.extended_to, TicketRow.due_on)


def thai_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), THAI_TIME)


class TicketOffice:
    def __init__(self, db: Database, outbox: Outbox, clock: Clock, sla_days: int) -> None:
        """`sla_days`: a reopened ticket has that long again, as when the citizen reopens it."""
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.sla_days = sla_days

    def list(self, filters: TicketFilter | None = None) -> builtins.list[Ticket]:
        """Tickets matching `filters`, newest first, one page."""
        filters = filters or TicketFilter()
        if not 1 <= filters.limit <= MAX_PAGE:
            raise ValueError(f"the page size must be from 1 to {MAX_PAGE}")
        if filters.offset < 0:
            raise ValueError("the offset cannot be negative")
        query = (
            select(TicketRow)
            .where(*self._conditions(filters))
            .order_by(TicketRow.id.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        )
        with self.db.transaction() as s:
            rows = s.scalars(query)
            return [ticket_from_row(s, row) for row in rows]

    def show(self, code: TicketCode) -> Ticket:
        """Everything about a ticket, internal notes and contact included."""
        with self.db.transaction() as s:
            return ticket_from_row(s, self._row(s, code))

    def update(self, code: TicketCode, change: StatusUpdate) -> Ticket:
        """Apply a staff change; raises `TicketNotFound` or a `ValueError` that says why not.

        The complainant's notice goes only while the ticket still has a chat link: an
        erased ticket's complainant can no longer be reached, by design."""
        now = self.clock.now()
        today = thai_date(now)
        with self.db.transaction() as s:
            row = self._row(s, code, lock=True)
            before = Status(row.status)
            decision = decide(ticket_from_row(s, row), change, today)
            if decision.status_changed:
                row.status, row.status_changed_at = decision.status.value, now
                if decision.status is Status.RESOLVED:
                    row.finished_at = now
                elif not before.open and decision.status.open:  # reopened: a new result to come
                    row.finished_at = None
                    row.rating = row.rated_at = None
                    row.extended_to = due_date(today, self.sla_days)
            if decision.expected_on is not None:
                row.extended_to = decision.expected_on
            s.add(
                TicketEventRow(
                    ticket_id=row.id,
                    at=now,
                    kind=decision.kind.value,
                    status=decision.status.value,
                    actor=decision.actor,
                    public_note=decision.public_note,
                    internal_note=decision.internal_note,
                    expected_on=decision.expected_on,
                )
            )
            s.flush()
            notified = decision.notice is not None and queue_notice(
                self.outbox, s, row, decision.notice
            )
            owner_ref, channel = row.owner_ref, row.notify_channel
            ticket = ticket_from_row(s, row)
        log(
            logger,
            logging.INFO,
            "ticket updated",
            code=str(code),
            status=decision.status.value,
            kind=decision.kind.value,
            notice=decision.notice.kind.value if decision.notice else None,
            notified=notified,
        )
        if notified and channel not in HELD_CHANNELS:
            self._deliver(owner_ref)
        return ticket

    def _deliver(self, owner_ref: str) -> None:
        """Best effort: whatever is not sent now, the worker's sweep sends."""
        try:
            self.outbox.deliver_for_user(owner_ref)
        except Exception as exc:
            log(logger, logging.WARNING, "notice delivery deferred", error=type(exc).__name__)

    @staticmethod
    def _row(s: Session, code: TicketCode, *, lock: bool = False) -> TicketRow:
        query = select(TicketRow).where(
            TicketRow.year_be == code.year_be, TicketRow.sequence == code.sequence
        )
        row = s.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise TicketNotFound(code)
        return row

    def _conditions(self, f: TicketFilter) -> builtins.list[ColumnElement[bool]]:
        conditions: builtins.list[ColumnElement[bool]] = []
        statuses = {s.value for s in f.statuses}
        if f.overdue:
            statuses = statuses & set(OPEN_STATUSES) if statuses else set(OPEN_STATUSES)
            today = thai_date(self.clock.now())
            # due_on <= the expected date always (extensions only postpone), so the first
            # condition is implied; it lets the database range-scan ix_ticket_open_due
            conditions += [TicketRow.due_on < today, expected_date() < today]
        if statuses or f.overdue:
            conditions.append(TicketRow.status.in_(sorted(statuses)))
        if f.category:
            conditions.append(TicketRow.category == f.category)
        if f.received_from:
            conditions.append(TicketRow.received_at >= thai_midnight(f.received_from))
        if f.received_to:
            next_day = f.received_to + timedelta(days=1)
            conditions.append(TicketRow.received_at < thai_midnight(next_day))
        return conditions


def queue_notice(outbox: Outbox, s: Session, row: TicketRow, notice: TicketNotice) -> bool:
    """Queue a notice to the ticket's complainant in this transaction. False when the
    ticket has no chat link any more (erased) and nobody can be told."""
    if not (row.notify_channel and row.notify_recipient):
        return False
    outbox.add(
        s,
        channel=row.notify_channel,
        user_ref=row.owner_ref,
        recipient=row.notify_recipient,
        replies=(render(notice),),
    )
    return True
