"""`TicketDesk` on SQLAlchemy: tickets for one citizen, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clock import thai_date
from bot.db import upsert_insert
from bot.models import TicketEventRow, TicketPhoto, TicketRow, TicketSequence
from complaints.desk import Erasure, NewTicket
from complaints.thai_calendar import fiscal_year_be
from complaints.tickets import (
    Contact,
    EventKind,
    Status,
    Ticket,
    TicketCode,
    TimelineEntry,
    due_date,
)
from nlu.entities import redact_personal

CITIZEN = "citizen"


class SqlTicketDesk:
    def __init__(
        self,
        session: Session,
        dialect: str,
        owner_ref: str,
        *,
        channel: str = "",
        recipient: str | None = None,
    ) -> None:
        """`recipient` is the raw chat id notices are pushed to; it is stored only on the
        citizen's own tickets and erased with their other personal data."""
        self.session = session
        self.dialect = dialect
        self.owner_ref = owner_ref
        self.channel = channel
        self.recipient = recipient

    def open(self, new: NewTicket, received_at: datetime, sla_days: int) -> Ticket:
        received_on = thai_date(received_at)
        code = self._next_code(fiscal_year_be(received_on))
        row = TicketRow(
            year_be=code.year_be,
            sequence=code.sequence,
            owner_ref=self.owner_ref,
            channel=self.channel,
            category=new.category,
            description=new.description,
            place=new.place,
            latitude=new.latitude,
            longitude=new.longitude,
            status=Status.RECEIVED.value,
            received_at=received_at,
            received_on=received_on,
            due_on=due_date(received_on, sla_days),
            status_changed_at=received_at,
            contact_name=(new.contact.name or None) if new.contact else None,
            contact_phone=(new.contact.phone or None) if new.contact else None,
            notify_channel=self.channel if self.recipient else None,
            notify_recipient=self.recipient,
        )
        self.session.add(row)
        self.session.flush()
        self.session.add(
            TicketEventRow(
                ticket_id=row.id,
                at=received_at,
                kind=EventKind.STATUS.value,
                status=Status.RECEIVED.value,
                actor=CITIZEN,
            )
        )
        for photo in new.photos:
            self.session.add(
                TicketPhoto(
                    ticket_id=row.id,
                    storage_key=photo.key,
                    content_type=photo.content_type,
                    size_bytes=photo.size_bytes,
                    created_at=received_at,
                )
            )
        self.session.flush()
        return ticket_from_row(self.session, row)

    def mine(self, limit: int = 10) -> list[Ticket]:
        rows = self.session.scalars(
            select(TicketRow)
            .where(TicketRow.owner_ref == self.owner_ref)
            .order_by(TicketRow.id.desc())
            .limit(limit)
        )
        return [ticket_from_row(self.session, row) for row in rows]

    def lookup(self, code: TicketCode) -> Ticket | None:
        row = self._own_row(code)
        return None if row is None else ticket_from_row(self.session, row)

    def rate(self, code: TicketCode, stars: int, at: datetime) -> Ticket | None:
        if not 1 <= stars <= 5:
            raise ValueError("a rating is 1 to 5 stars")
        row = self._own_row(code, lock=True)
        if row is None or row.status != Status.RESOLVED.value:
            return None
        row.rating, row.rated_at = stars, at
        row.status, row.status_changed_at = Status.CLOSED.value, at
        self._event(row, at, EventKind.RATING, Status.CLOSED)
        return ticket_from_row(self.session, row)

    def reopen(self, code: TicketCode, at: datetime, sla_days: int) -> Ticket | None:
        row = self._own_row(code, lock=True)
        if row is None or not _reopenable(row, at):
            return None
        row.status, row.status_changed_at = Status.IN_PROGRESS.value, at
        row.finished_at = None
        row.rating = row.rated_at = None
        row.extended_to = due_date(thai_date(at), sla_days)
        row.reminded_for = None
        self._event(row, at, EventKind.STATUS, Status.IN_PROGRESS)
        return ticket_from_row(self.session, row)

    def erase_personal_data(self, at: datetime) -> Erasure:
        rows = list(
            self.session.scalars(
                select(TicketRow).where(TicketRow.owner_ref == self.owner_ref).with_for_update()
            )
        )
        photo_keys: list[str] = []
        for row in rows:
            erase_row_personal_data(self.session, row, at, photo_keys)
        return Erasure(len(rows), tuple(photo_keys))

    def _own_row(self, code: TicketCode, *, lock: bool = False) -> TicketRow | None:
        query = select(TicketRow).where(
            TicketRow.year_be == code.year_be,
            TicketRow.sequence == code.sequence,
            TicketRow.owner_ref == self.owner_ref,
        )
        return self.session.scalars(query.with_for_update() if lock else query).one_or_none()

    def _event(self, row: TicketRow, at: datetime, kind: EventKind, status: Status) -> None:
        self.session.add(
            TicketEventRow(
                ticket_id=row.id, at=at, kind=kind.value, status=status.value, actor=CITIZEN
            )
        )
        self.session.flush()

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


REOPEN_WINDOW = timedelta(days=30)
"""How long after closing "not fixed" still reopens a ticket; later, it is a new complaint."""


def _reopenable(row: TicketRow, at: datetime) -> bool:
    status = Status(row.status)
    if status is Status.RESOLVED:
        return True
    changed = row.status_changed_at
    return status is Status.CLOSED and changed is not None and at - changed <= REOPEN_WINDOW


REDACTED = "[ลบแล้ว]"
ERASED_OWNER = ""
"""The owner of an anonymised ticket: nobody's "my tickets" lists it any more."""


def erase_row_personal_data(
    session: Session, row: TicketRow, at: datetime, photo_keys: list[str]
) -> None:
    """Remove a ticket's personal data, keep what the statistics need (category, dates,
    status, rating, the redacted text). The photo rows go at once; their keys are appended
    to `photo_keys` so the caller deletes the files."""
    row.contact_name = row.contact_phone = None
    row.description = redact_personal(row.description, REDACTED)
    row.place = redact_personal(row.place, REDACTED)
    row.latitude = row.longitude = None  # a pin is often the complainant's home
    events = session.scalars(select(TicketEventRow).where(TicketEventRow.ticket_id == row.id))
    for event in events:
        event.public_note = redact_personal(event.public_note, REDACTED)
        event.internal_note = ""  # staff notes may name the person in ways no pattern finds
    row.notify_channel = row.notify_recipient = None
    row.owner_ref = ERASED_OWNER
    row.personal_data_erased_at = at
    photos = list(session.scalars(select(TicketPhoto).where(TicketPhoto.ticket_id == row.id)))
    for photo in photos:
        photo_keys.append(photo.storage_key)
        session.delete(photo)
    session.flush()


def ticket_from_row(session: Session, row: TicketRow) -> Ticket:
    """The domain ticket with its timeline (staff notes included: callers decide what to
    show) and how many photos it has."""
    events = session.scalars(
        select(TicketEventRow).where(TicketEventRow.ticket_id == row.id).order_by(TicketEventRow.id)
    )
    photos = session.scalar(
        select(func.count()).select_from(TicketPhoto).where(TicketPhoto.ticket_id == row.id)
    )
    contact = (
        Contact(row.contact_name or "", row.contact_phone or "")
        if row.contact_name or row.contact_phone
        else None
    )
    return Ticket(
        code=TicketCode(row.year_be, row.sequence),
        category=row.category,
        description=row.description,
        received_on=row.received_on,
        due_on=row.due_on,
        status=Status(row.status),
        place=row.place,
        timeline=tuple(
            TimelineEntry(
                at=e.at,
                status=Status(e.status),
                public_note=e.public_note,
                kind=EventKind(e.kind),
                actor=e.actor,
                internal_note=e.internal_note,
                expected_on=e.expected_on,
            )
            for e in events
        ),
        extended_to=row.extended_to,
        channel=row.channel,
        latitude=row.latitude,
        longitude=row.longitude,
        rating=row.rating,
        contact=contact,
        photo_count=photos or 0,
    )
