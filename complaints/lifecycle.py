"""The rules for changing a ticket, and which notice each change owes the complainant.

Staff move a ticket along `complaints.tickets.TRANSITIONS`, add progress notes, or promise a
new date when the office cannot act in time; the 15-day clock explains lateness and closes
results nobody rated. Every rejection of a change is an `UpdateRejected` (or the tickets'
`TransitionError`) with a one-line English message for the staff's tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from complaints.notices import NoticeKind, TicketNotice
from complaints.tickets import EventKind, Status, Ticket, check_transition

MAX_ACTOR = 80  # the timeline's actor column
MAX_PUBLIC_NOTE = 1000  # one short chat message, well under LINE's 5,000 characters
MAX_INTERNAL_NOTE = 4000
SYSTEM = "system"
"""The actor of what the clock does by itself."""


class UpdateRejected(ValueError):
    """A staff change the rules do not allow."""


class NothingToUpdate(UpdateRejected):
    pass


class ReasonRequired(UpdateRejected):
    pass


class BadExpectedDate(UpdateRejected):
    pass


class BadActor(UpdateRejected):
    pass


class NoteTooLong(UpdateRejected):
    pass


@dataclass(frozen=True)
class StatusUpdate:
    """A staff change: a new status (None: a note only), what the complainant is told, what
    stays with staff, and, when the office cannot act in time, the new date it promises."""

    target: Status | None
    actor: str
    public_note: str = ""
    internal_note: str = ""
    expected_on: date | None = None


@dataclass(frozen=True)
class Decision:
    """A validated change: the timeline row to write and the notice to send, if any."""

    status: Status
    status_changed: bool
    kind: EventKind
    actor: str
    public_note: str
    internal_note: str
    expected_on: date | None
    notice: TicketNotice | None


def decide(ticket: Ticket, change: StatusUpdate, today: date) -> Decision:
    """Validate a staff change against the rules and say what it writes and tells.

    - the status may only move along TRANSITIONS;
    - rejecting needs a public note: the complainant is told why;
    - an expected date needs a public note (the reason for the delay), a ticket still being
      worked on, and a day after today and after the due date (a postponement);
    - a change with no status, no note and no date changes nothing and is refused.
    """
    actor = change.actor.strip()
    public_note, internal_note = change.public_note.strip(), change.internal_note.strip()
    if not actor:
        raise BadActor("say who makes the change")
    if len(actor) > MAX_ACTOR:
        raise BadActor(f"the name of who makes the change is longer than {MAX_ACTOR} characters")
    if len(public_note) > MAX_PUBLIC_NOTE:
        raise NoteTooLong(f"the public note is longer than {MAX_PUBLIC_NOTE} characters")
    if len(internal_note) > MAX_INTERNAL_NOTE:
        raise NoteTooLong(f"the internal note is longer than {MAX_INTERNAL_NOTE} characters")
    if change.target is None and not (public_note or internal_note or change.expected_on):
        raise NothingToUpdate("nothing to change: give a status, a note or an expected date")
    if change.target is not None:
        check_transition(ticket.status, change.target)
    status = change.target or ticket.status
    if change.target is Status.REJECTED and not public_note:
        raise ReasonRequired("rejecting a ticket needs a public note with the reason")
    if change.expected_on is not None:
        _check_expected_date(ticket, status, change.expected_on, public_note, today)
    kind, notice_kind = _kinds(change, public_note)
    notice = (
        None
        if notice_kind is None
        else TicketNotice(
            notice_kind,
            ticket.code,
            status,
            public_note,
            change.expected_on,
            late=today >= ticket.expected_on(),
        )
    )
    return Decision(
        status=status,
        status_changed=change.target is not None,
        kind=kind,
        actor=actor,
        public_note=public_note,
        internal_note=internal_note,
        expected_on=change.expected_on,
        notice=notice,
    )


def _check_expected_date(
    ticket: Ticket, status: Status, expected_on: date, public_note: str, today: date
) -> None:
    if not public_note:
        raise ReasonRequired(
            "a new expected date needs a public note with the reason for the delay"
        )
    if not status.open:
        raise BadExpectedDate("an expected date is only for a ticket still being worked on")
    if expected_on <= today:
        raise BadExpectedDate(f"the expected date must be after today ({today.isoformat()})")
    if expected_on <= ticket.due_on:
        raise BadExpectedDate(
            f"the expected date must be after the due date ({ticket.due_on.isoformat()}): "
            "it promises a later date; for an earlier one add a public note"
        )


def _kinds(change: StatusUpdate, public_note: str) -> tuple[EventKind, NoticeKind | None]:
    if change.expected_on is not None:
        return EventKind.EXPLANATION, NoticeKind.EXPLANATION
    if change.target is Status.RESOLVED:
        return EventKind.STATUS, NoticeKind.RESULT
    if change.target is Status.REJECTED:
        return EventKind.STATUS, NoticeKind.REJECTED
    if change.target is not None:
        return EventKind.STATUS, NoticeKind.STATUS_CHANGED
    return EventKind.NOTE, NoticeKind.PROGRESS if public_note else None


def late_explanation(ticket: Ticket, today: date, extension_days: int) -> TicketNotice | None:
    """The clock's rule: a ticket still open on the date it was promised for
    (`Ticket.explanation_due`) gets an explanation and a new date `extension_days` later.
    The caller stores that date as the ticket's `extended_to`, so the next explanation is
    due only when the new date comes."""
    if not ticket.explanation_due(today):
        return None
    new_date = today + timedelta(days=extension_days)
    return TicketNotice(NoticeKind.EXPLANATION, ticket.code, ticket.status, "", new_date)


def auto_close_notice(ticket: Ticket) -> TicketNotice:
    """A result the complainant did not rate in time is closed, and they are told so."""
    check_transition(ticket.status, Status.CLOSED)
    return TicketNotice(NoticeKind.STATUS_CHANGED, ticket.code, Status.CLOSED)
