"""The rules of a staff change to a ticket, and the notice each change owes the complainant."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from complaints.lifecycle import (
    BadActor,
    BadExpectedDate,
    NoteTooLong,
    NothingToUpdate,
    ReasonRequired,
    StatusUpdate,
    UpdateRejected,
    auto_close_notice,
    decide,
    late_explanation,
)
from complaints.notices import NoticeKind
from complaints.tickets import EventKind, Status, Ticket, TicketCode, TransitionError

TODAY = date(2026, 11, 28)
TICKET = Ticket(
    code=TicketCode(2570, 42),
    category="road",
    description="ถนนหน้าบ้านเป็นหลุม",
    received_on=date(2026, 11, 25),
    due_on=date(2026, 12, 10),
)


def ticket(status: Status = Status.RECEIVED, **changes: object) -> Ticket:
    return replace(TICKET, status=status, **changes)  # type: ignore[arg-type]


def change(target: Status | None, **fields: object) -> StatusUpdate:
    return StatusUpdate(target, **{"actor": "somchai", **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "target", "kind"),
    [
        (Status.RECEIVED, Status.IN_PROGRESS, NoticeKind.STATUS_CHANGED),
        (Status.IN_PROGRESS, Status.FORWARDED, NoticeKind.STATUS_CHANGED),
        (Status.FORWARDED, Status.RESOLVED, NoticeKind.RESULT),
        (Status.RESOLVED, Status.CLOSED, NoticeKind.STATUS_CHANGED),
        (Status.CLOSED, Status.IN_PROGRESS, NoticeKind.STATUS_CHANGED),
    ],
)
def test_a_status_change_tells_the_complainant(
    current: Status, target: Status, kind: NoticeKind
) -> None:
    decision = decide(ticket(current), change(target, public_note="ช่างเข้าพื้นที่แล้ว"), TODAY)
    assert decision.status is target and decision.status_changed
    assert decision.kind is EventKind.STATUS
    assert decision.notice is not None
    assert (decision.notice.kind, decision.notice.status) == (kind, target)
    assert decision.notice.code == TICKET.code
    assert decision.notice.public_note == "ช่างเข้าพื้นที่แล้ว"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.RECEIVED, Status.CLOSED),
        (Status.RESOLVED, Status.FORWARDED),
        (Status.REJECTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.RECEIVED),
    ],
)
def test_a_forbidden_transition_is_refused(current: Status, target: Status) -> None:
    with pytest.raises(TransitionError, match=f"from {current} to {target}"):
        decide(ticket(current), change(target, public_note="x"), TODAY)


def test_rejecting_needs_a_public_reason() -> None:
    with pytest.raises(ReasonRequired, match="reason"):
        decide(ticket(), change(Status.REJECTED, internal_note="not ours"), TODAY)
    decision = decide(
        ticket(), change(Status.REJECTED, public_note="อยู่ในความรับผิดชอบของกรมทางหลวง"), TODAY
    )
    assert decision.notice is not None and decision.notice.kind is NoticeKind.REJECTED


def test_a_new_expected_date_is_an_explanation_with_the_reason() -> None:
    decision = decide(
        ticket(Status.IN_PROGRESS),
        change(None, public_note="รอวัสดุจากผู้รับจ้าง", expected_on=date(2026, 12, 24)),
        TODAY,
    )
    assert decision.kind is EventKind.EXPLANATION and not decision.status_changed
    assert decision.status is Status.IN_PROGRESS
    assert decision.expected_on == date(2026, 12, 24)
    assert decision.notice is not None
    assert decision.notice.kind is NoticeKind.EXPLANATION
    assert decision.notice.expected_on == date(2026, 12, 24)
    assert decision.notice.public_note == "รอวัสดุจากผู้รับจ้าง"


def test_a_status_change_with_a_new_date_is_one_explanation() -> None:
    decision = decide(
        ticket(),
        change(Status.FORWARDED, public_note="ส่งต่อการประปา", expected_on=date(2026, 12, 30)),
        TODAY,
    )
    assert decision.status is Status.FORWARDED and decision.status_changed
    assert decision.notice is not None and decision.notice.kind is NoticeKind.EXPLANATION
    assert decision.notice.status is Status.FORWARDED


def test_a_new_expected_date_needs_the_reason() -> None:
    with pytest.raises(ReasonRequired, match="reason for the delay"):
        decide(ticket(), change(None, expected_on=date(2026, 12, 24)), TODAY)


@pytest.mark.parametrize(
    "expected_on",
    [TODAY, date(2026, 11, 1), date(2026, 12, 10), date(2026, 12, 5)],
    ids=["today", "past", "the due date", "before the due date"],
)
def test_a_new_expected_date_must_postpone(expected_on: date) -> None:
    with pytest.raises(BadExpectedDate, match="must be after"):
        decide(ticket(), change(None, public_note="รอ", expected_on=expected_on), TODAY)


def test_a_finished_ticket_gets_no_expected_date() -> None:
    with pytest.raises(BadExpectedDate, match="still being worked on"):
        decide(
            ticket(Status.IN_PROGRESS),
            change(Status.RESOLVED, public_note="ซ่อมแล้ว", expected_on=date(2026, 12, 24)),
            TODAY,
        )


def test_a_public_note_alone_is_progress_and_an_internal_one_tells_nobody() -> None:
    progress = decide(ticket(Status.IN_PROGRESS), change(None, public_note="  สำรวจแล้ว "), TODAY)
    assert progress.kind is EventKind.NOTE and not progress.status_changed
    assert progress.notice is not None and progress.notice.kind is NoticeKind.PROGRESS
    assert progress.public_note == "สำรวจแล้ว"
    internal = decide(ticket(Status.IN_PROGRESS), change(None, internal_note="โทรหาช่าง"), TODAY)
    assert internal.kind is EventKind.NOTE and internal.notice is None
    assert internal.internal_note == "โทรหาช่าง"


def test_the_internal_note_never_goes_into_the_notice() -> None:
    decision = decide(ticket(), change(Status.IN_PROGRESS, internal_note="ผู้ร้องเป็นญาตินายก"), TODAY)
    assert decision.notice is not None
    assert "ญาติ" not in repr(decision.notice)


def test_a_change_of_nothing_is_refused() -> None:
    with pytest.raises(NothingToUpdate):
        decide(ticket(), change(None, public_note="  "), TODAY)


def test_every_change_says_who_made_it() -> None:
    with pytest.raises(BadActor):
        decide(ticket(), StatusUpdate(Status.IN_PROGRESS, actor=" "), TODAY)
    with pytest.raises(BadActor):
        decide(ticket(), StatusUpdate(Status.IN_PROGRESS, actor="x" * 81), TODAY)
    assert decide(ticket(), change(Status.IN_PROGRESS, actor=" somchai "), TODAY).actor == "somchai"


def test_notes_have_a_length_limit() -> None:
    with pytest.raises(NoteTooLong, match="public"):
        decide(ticket(), change(Status.IN_PROGRESS, public_note="ก" * 1001), TODAY)
    with pytest.raises(NoteTooLong, match="internal"):
        decide(ticket(), change(Status.IN_PROGRESS, internal_note="ก" * 4001), TODAY)


@pytest.mark.parametrize(
    "bad",
    [
        change(None),
        change(Status.REJECTED),
        change(None, expected_on=date(2026, 12, 24)),
        change(None, public_note="x", expected_on=TODAY),
        StatusUpdate(Status.IN_PROGRESS, actor=""),
    ],
)
def test_refusals_are_value_errors_in_one_line_of_english(bad: StatusUpdate) -> None:
    with pytest.raises(UpdateRejected) as refused:
        decide(ticket(), bad, TODAY)
    assert isinstance(refused.value, ValueError)
    message = str(refused.value)
    assert "\n" not in message and not re.search(r"[\u0E00-\u0E7F]", message)


def test_the_clock_explains_on_the_due_date_and_promises_a_new_one() -> None:
    assert late_explanation(ticket(), date(2026, 12, 9), 15) is None
    notice = late_explanation(ticket(), date(2026, 12, 10), 15)
    assert notice is not None
    assert notice.kind is NoticeKind.EXPLANATION and notice.public_note == ""
    assert notice.expected_on == date(2026, 12, 25)


def test_the_clock_waits_for_a_date_already_explained() -> None:
    explained = ticket(Status.IN_PROGRESS, extended_to=date(2026, 12, 25))
    assert late_explanation(explained, date(2026, 12, 24), 15) is None
    again = late_explanation(explained, date(2026, 12, 25), 15)
    assert again is not None and again.expected_on == date(2027, 1, 9)


def test_a_finished_ticket_is_never_late() -> None:
    for status in (Status.RESOLVED, Status.CLOSED, Status.REJECTED):
        assert late_explanation(ticket(status), date(2027, 1, 1), 15) is None


def test_an_unrated_result_closes_with_a_notice() -> None:
    notice = auto_close_notice(ticket(Status.RESOLVED))
    assert (notice.kind, notice.status) == (NoticeKind.STATUS_CHANGED, Status.CLOSED)
    with pytest.raises(TransitionError):
        auto_close_notice(ticket(Status.RECEIVED))
