"""`TicketDesk` on SQLAlchemy: tickets for one citizen, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.clock import thai_date
from bot.db import upsert_insert
from bot.models import TicketEventRow, TicketRow, TicketSequence
from complaints.desk import NewTicket
from complaints.thai_calendar import fiscal_year_be
from complaints.tickets import Status, Ticket, TicketCode, TimelineEntry, due_date


class SqlTicketDesk:
    def __init__(self, session: Session, dialect: str, owner_ref: str) -> None:
        self.session = session
        self.dialect = dialect
        self.owner_ref = owner_ref

    def open(self, new: NewTicket, received_at: datetime, sla_days: int) -> Ticket:
        received_on = thai_date(received_at)
        code = self._next_code(fiscal_year_be(received_on))
        row = TicketRow(
            year_be=code.year_be,
            sequence=code.sequence,
            owner_ref=self.owner_ref,
            category=new.category,
            description=new.description,
            place=new.place,
            latitude=new.latitude,
            longitude=new.longitude,
            status=Status.RECEIVED.value,
            received_at=received_at,
            received_on=received_on,
            due_on=due_date(received_on, sla_days),
        )
        self.session.add(row)
        self.session.flush()
        self.session.add(
            TicketEventRow(ticket_id=row.id, at=received_at, status=Status.RECEIVED.value)
        )
        self.session.flush()
        return self._ticket(row)

    def mine(self, limit: int = 10) -> list[Ticket]:
        rows = self.session.scalars(
            select(TicketRow)
            .where(TicketRow.owner_ref == self.owner_ref)
            .order_by(TicketRow.id.desc())
            .limit(limit)
        )
        return [self._ticket(row) for row in rows]

    def lookup(self, code: TicketCode) -> Ticket | None:
        row = self.session.scalars(
            select(TicketRow).where(
                TicketRow.year_be == code.year_be,
                TicketRow.sequence == code.sequence,
                TicketRow.owner_ref == self.owner_ref,
            )
        ).one_or_none()
        return None if row is None else self._ticket(row)

    def _next_code(self, year_be: int) -> TicketCode:
        """The year's next sequence number. The UPDATE takes the row lock (PostgreSQL) or
        runs under the writer lock (SQLite), so concurrent receipts never share a code."""
        self.session.execute(
            upsert_insert(self.dialect)(TicketSequence)
            .values(year_be=year_be, last=0)
            .on_conflict_do_nothing(index_elements=["year_be"])
        )
        sequence = self.session.execute(
            update(TicketSequence)
            .where(TicketSequence.year_be == year_be)
            .values(last=TicketSequence.last + 1)
            .returning(TicketSequence.last)
        ).scalar_one()
        return TicketCode(year_be, sequence)

    def _ticket(self, row: TicketRow) -> Ticket:
        events = self.session.scalars(
            select(TicketEventRow)
            .where(TicketEventRow.ticket_id == row.id)
            .order_by(TicketEventRow.id)
        )
        return Ticket(
            code=TicketCode(row.year_be, row.sequence),
            category=row.category,
            description=row.description,
            received_on=row.received_on,
            due_on=row.due_on,
            status=Status(row.status),
            place=row.place,
            timeline=tuple(TimelineEntry(e.at, Status(e.status), e.public_note) for e in events),
            extended_to=row.extended_to,
        )
