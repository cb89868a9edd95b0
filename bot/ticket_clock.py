"""The 15-day clock: what happens to general tickets as days pass, run by the worker's sweep.

"Today" is the Thai date of the injected clock; a ticket's expected date is the date its
complainant was promised (`extended_to`, else `due_on`). Each rule is safe to run twice at
once (two workers, two threads): it acts under a row lock or a conditional UPDATE and checks
the rule again on the row it holds.

- **Staff reminder**: an open ticket whose expected date is at most
  `SIANG_SLA_REMIND_DAYS` days away (or past) and whose staff were not yet reminded of that
  date (`reminded_for`) → one reminder to `SIANG_STAFF_CHAT` if set, and a log line.
- **Explanation**: an open ticket on or after its expected date (`Ticket.explanation_due`)
  → the complainant is told it is late and given a new date, today +
  `SIANG_EXPLANATION_EXTENSION_DAYS`, stored as `extended_to` with a timeline row (kind
  explanation, actor "system"); nothing more until the new date comes. A date staff gave
  with `siang tickets update --expected-date` postpones it the same way.
- **Auto-close**: a result (resolved) the complainant has not rated within
  `SIANG_AUTO_CLOSE_DAYS` days → closed, actor "system", and they are told.
- **Retention** (PDPA): a ticket closed or rejected more than
  `SIANG_PERSONAL_DATA_RETENTION_DAYS` days ago → its name, phone, chat link and photos are
  erased, 500 at a time; the anonymised ticket stays in the statistics.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from bot.clock import THAI_TIME, Clock, thai_date
from bot.db import Database, rowcount
from bot.logs import log
from bot.models import TicketEventRow, TicketRow
from bot.outbox import Outbox
from bot.services import Services
from bot.settings import Settings, StaffChat
from bot.ticket_desk import erase_row_personal_data, ticket_from_row
from bot.ticket_office import OPEN_STATUSES, expected_date, queue_notice
from complaints.lifecycle import SYSTEM, auto_close_notice, late_explanation
from complaints.notices import StaffNotice
from complaints.tickets import EventKind, Status, TicketCode
from handlers.notices import render_staff

logger = logging.getLogger("siang.ticket_clock")

BATCH = 500
# Rules that message people keep to the day, Thai time. The late explanation goes at the
# close of office hours on the promised date: the office has that whole day to act, and a
# "your complaint is late" push at 00:01 would be wrong twice over.
NOTICE_HOURS = (time(8, 0), time(20, 0))
EXPLANATION_HOURS = (time(16, 30), time(20, 0))
RETENTION_EVERY = timedelta(hours=1)  # its index range holds every erased ticket: not per minute
STAFF_USER_REF = "staff"
"""The outbox queue of staff reminders (kept in order like a citizen's messages)."""
FINISHED = (Status.CLOSED.value, Status.REJECTED.value)


@dataclass(frozen=True)
class ClockPolicy:
    remind_days: int = 3
    extension_days: int = 15
    auto_close_days: int = 14
    retention_days: int = 365
    staff_chat: StaffChat | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ClockPolicy:
        return cls(
            remind_days=settings.sla_remind_days,
            extension_days=settings.explanation_extension_days,
            auto_close_days=settings.auto_close_days,
            retention_days=settings.personal_data_retention_days,
            staff_chat=settings.staff_chat,
        )


@dataclass
class ClockRun:
    """How many tickets each rule acted on in one run."""

    reminded: int = 0
    explained: int = 0
    closed: int = 0
    erased: int = 0

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


class TicketClock:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        clock: Clock,
        policy: ClockPolicy,
        delete_photos: Callable[[list[str]], object],
    ) -> None:
        """`delete_photos` removes photo files (by storage key) whose rows were erased."""
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.policy = policy
        self.delete_photos = delete_photos
        self._retention_ran_at: datetime | None = None

    def run(self) -> ClockRun:
        """Every rule once; one failing rule never stops the others (nor the sweep)."""
        result = ClockRun()
        local = self.clock.now().astimezone(THAI_TIME).time()
        steps: dict[str, Callable[[], int]] = {}
        if _within(local, NOTICE_HOURS):
            steps.update(reminded=self.remind_staff, closed=self.auto_close)
        if _within(local, EXPLANATION_HOURS):
            steps["explained"] = self.explain_late
        steps["erased"] = self.purge_personal_data
        for name, step in steps.items():
            try:
                setattr(result, name, step())
            except Exception:
                logger.exception("ticket clock step failed", extra={"fields": {"step": name}})
        if result:
            log(logger, logging.INFO, "ticket clock", **vars(result))
        return result

    def remind_staff(self) -> int:
        today = thai_date(self.clock.now())
        horizon = today + timedelta(days=self.policy.remind_days)
        expected = expected_date()
        due = (
            select(
                TicketRow.id,
                TicketRow.year_be,
                TicketRow.sequence,
                TicketRow.category,
                expected.label("expected"),
            )
            .where(
                TicketRow.status.in_(OPEN_STATUSES),
                TicketRow.due_on <= horizon,  # implied by the next; lets ix_ticket_open_due range
                expected <= horizon,
                or_(TicketRow.reminded_for.is_(None), TicketRow.reminded_for != expected),
            )
            .order_by(TicketRow.due_on, TicketRow.id)
            .limit(BATCH)
        )
        reminded = 0
        while True:
            with self.db.transaction() as s:
                batch = s.execute(due).all()
                notices = [
                    StaffNotice(
                        TicketCode(r.year_be, r.sequence),
                        r.category,
                        r.expected,
                        (r.expected - today).days,
                    )
                    for r in batch
                    if self._claim_reminder(s, r.id, r.expected)
                ]
                for notice in notices:
                    self._queue_staff(s, notice)
            for notice in notices:
                log(
                    logger,
                    logging.INFO,
                    "ticket reminder",
                    code=str(notice.code),
                    expected_on=notice.expected_on.isoformat(),
                    days_left=notice.days_left,
                    staff_chat=self.policy.staff_chat is not None,
                )
            reminded += len(notices)
            if len(batch) < BATCH or not notices:
                return reminded

    @staticmethod
    def _claim_reminder(s: Session, ticket_id: int, expected_on: date) -> bool:
        """Mark the reminder of this date as given; False if someone else just did, or the
        ticket moved on (closed, or a new date) since it was listed."""
        expected = expected_date()
        claimed = s.execute(
            update(TicketRow)
            .where(
                TicketRow.id == ticket_id,
                TicketRow.status.in_(OPEN_STATUSES),
                expected == expected_on,
                or_(TicketRow.reminded_for.is_(None), TicketRow.reminded_for != expected_on),
            )
            .values(reminded_for=expected_on)
            .execution_options(synchronize_session=False)
        )
        return rowcount(claimed) == 1

    def _queue_staff(self, s: Session, notice: StaffNotice) -> None:
        chat = self.policy.staff_chat
        if chat is not None:
            self.outbox.add(
                s,
                channel=chat.channel,
                user_ref=STAFF_USER_REF,
                recipient=chat.recipient,
                replies=(render_staff(notice),),
            )

    def explain_late(self) -> int:
        now = self.clock.now()
        today = thai_date(now)
        late = (
            select(TicketRow.id)
            .where(
                TicketRow.status.in_(OPEN_STATUSES),
                TicketRow.due_on <= today,  # implied by the next; lets ix_ticket_open_due range
                expected_date() <= today,
            )
            .order_by(TicketRow.due_on, TicketRow.id)
            .limit(BATCH)
        )
        return self._each_locked(late, lambda ticket_id: self._explain(ticket_id, now, today))

    def _explain(self, ticket_id: int, now: datetime, today: date) -> int:
        with self.db.transaction() as s:
            row = self._locked(s, ticket_id)
            if row is None:
                return 0
            notice = late_explanation(ticket_from_row(s, row), today, self.policy.extension_days)
            if notice is None:
                return 0  # another run explained it a moment ago
            row.extended_to = notice.expected_on
            self._system_event(s, row, now, EventKind.EXPLANATION, notice.expected_on)
            notified = queue_notice(self.outbox, s, row, notice)
        assert notice.expected_on is not None
        log(
            logger,
            logging.INFO,
            "ticket late: explained",
            code=str(notice.code),
            expected_on=notice.expected_on.isoformat(),
            notified=notified,
        )
        return 1

    def auto_close(self) -> int:
        now = self.clock.now()
        cutoff = now - timedelta(days=self.policy.auto_close_days)
        unrated = (
            select(TicketRow.id)
            .where(TicketRow.status == Status.RESOLVED.value, TicketRow.status_changed_at < cutoff)
            .order_by(TicketRow.status_changed_at, TicketRow.id)
            .limit(BATCH)
        )
        return self._each_locked(unrated, lambda ticket_id: self._close(ticket_id, now, cutoff))

    @staticmethod
    def _isolated(act: Callable[[int], int], ticket_id: int) -> int:
        """One broken ticket is logged and skipped; the others are still served."""
        try:
            return act(ticket_id)
        except Exception:
            logger.exception("ticket clock failed on a ticket", extra={"fields": {"id": ticket_id}})
            return 0

    def _each_locked(self, ids_query: Select[int], act: Callable[[int], int]) -> int:
        """Act on the tickets the query finds, a batch of ids at a time, each in its own
        transaction (`act` locks the row and checks again); stop when a batch changes
        nothing, so tickets another run took are not fetched for ever."""
        total = 0
        while True:
            with self.db.transaction() as s:
                ids = list(s.scalars(ids_query))
            done = sum(self._isolated(act, ticket_id) for ticket_id in ids)
            total += done
            if len(ids) < BATCH or not done:
                return total

    def _close(self, ticket_id: int, now: datetime, cutoff: datetime) -> int:
        with self.db.transaction() as s:
            row = self._locked(s, ticket_id)
            resolved_at = row.status_changed_at if row else None
            if row is None or row.status != Status.RESOLVED.value:
                return 0
            if resolved_at is None or resolved_at >= cutoff:
                return 0
            notice = auto_close_notice(ticket_from_row(s, row))
            row.status, row.status_changed_at = Status.CLOSED.value, now
            self._system_event(s, row, now, EventKind.STATUS)
            notified = queue_notice(self.outbox, s, row, notice)
        log(logger, logging.INFO, "ticket closed unrated", code=str(notice.code), notified=notified)
        return 1

    def purge_personal_data(self) -> int:
        now = self.clock.now()
        if self._retention_ran_at is not None and now - self._retention_ran_at < RETENTION_EVERY:
            return 0
        cutoff = now - timedelta(days=self.policy.retention_days)
        expired = (
            select(TicketRow)
            .where(
                TicketRow.status.in_(FINISHED),
                TicketRow.status_changed_at < cutoff,
                TicketRow.personal_data_erased_at.is_(None),
            )
            .order_by(TicketRow.status_changed_at, TicketRow.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        erased = 0
        while True:
            photo_keys: list[str] = []
            with self.db.transaction() as s:
                rows = list(s.scalars(expired))
                for row in rows:
                    erase_row_personal_data(s, row, now, photo_keys)
            if photo_keys:  # after the commit: a rolled-back erasure keeps its photos
                self._delete_photos(photo_keys)
            erased += len(rows)
            if len(rows) < BATCH:
                break
        self._retention_ran_at = now
        if erased:
            log(logger, logging.INFO, "ticket personal data purged", tickets=erased)
        return erased

    def _delete_photos(self, keys: list[str]) -> None:
        try:
            self.delete_photos(keys)
        except Exception as exc:  # the rows are gone: the orphan-photo sweep deletes the files
            log(logger, logging.WARNING, "photo deletion failed", error=type(exc).__name__)

    @staticmethod
    def _locked(s: Session, ticket_id: int) -> TicketRow | None:
        return s.scalars(
            select(TicketRow).where(TicketRow.id == ticket_id).with_for_update()
        ).one_or_none()

    @staticmethod
    def _system_event(
        s: Session,
        row: TicketRow,
        at: datetime,
        kind: EventKind,
        expected_on: date | None = None,
    ) -> None:
        s.add(
            TicketEventRow(
                ticket_id=row.id,
                at=at,
                kind=kind.value,
                status=row.status,
                actor=SYSTEM,
                expected_on=expected_on,
            )
        )


def _within(moment: time, hours: tuple[time, time]) -> bool:
    return hours[0] <= moment < hours[1]


def build_ticket_clock(services: Services) -> TicketClock:
    return TicketClock(
        services.db,
        services.outbox,
        services.clock,
        ClockPolicy.from_settings(services.settings),
        delete_photos=services.media.delete,
    )
