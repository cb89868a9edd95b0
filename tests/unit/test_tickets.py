"""The complaint domain's rules: codes, fiscal years, the 15-day clock, status changes."""

from __future__ import annotations

from datetime import date

import pytest

from complaints.thai_calendar import fiscal_year_be, thai_date
from complaints.tickets import (
    Status,
    Ticket,
    TicketCode,
    TransitionError,
    check_transition,
    due_date,
)
from nlu.entities import EntityKind, extract_entities


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 9, 30), 2569),
        (date(2026, 10, 1), 2570),
        (date(2026, 11, 25), 2570),
        (date(2027, 1, 1), 2570),
    ],
)
def test_the_fiscal_year_starts_in_october_in_the_buddhist_era(day: date, year: int) -> None:
    assert fiscal_year_be(day) == year


def test_dates_are_written_in_the_buddhist_era() -> None:
    assert thai_date(date(2026, 12, 10)) == "10 ธ.ค. 2569"
    assert thai_date(date(2026, 12, 10), full=True) == "10 ธันวาคม 2569"


def test_codes_are_written_with_a_five_digit_sequence() -> None:
    assert str(TicketCode(2570, 42)) == "GC-2570-00042"
    assert str(TicketCode(2570, 123456)) == "GC-2570-123456"
    assert TicketCode.first_of(date(2026, 10, 1)) == TicketCode(2570, 1)


def test_a_code_as_citizens_type_it_comes_back_as_the_same_ticket() -> None:
    [entity] = extract_entities("ติดตามเรื่อง gc ๒๕๗๐ ๔๒ ค่ะ", date(2026, 11, 25))
    assert entity.kind is EntityKind.TICKET_CODE
    assert TicketCode.parse(entity.value) == TicketCode(2570, 42)


@pytest.mark.parametrize("text", ["GC-2570-42", "gc-2570-00042", "GC-1999-00001", "X"])
def test_anything_but_the_canonical_form_is_not_parsed(text: str) -> None:
    with pytest.raises(ValueError, match="not a ticket code"):
        TicketCode.parse(text)


def test_acting_is_due_fifteen_calendar_days_after_receipt() -> None:
    assert due_date(date(2026, 11, 25), 15) == date(2026, 12, 10)
    with pytest.raises(ValueError):
        due_date(date(2026, 11, 25), 0)


def ticket(**changes: object) -> Ticket:
    base: dict[str, object] = {
        "code": TicketCode(2570, 1),
        "category": "lighting",
        "description": "ไฟทางดับ",
        "received_on": date(2026, 11, 25),
        "due_on": date(2026, 12, 10),
    }
    return Ticket(**{**base, **changes})  # type: ignore[arg-type]


def test_the_explanation_is_due_on_the_fifteenth_day_of_an_open_ticket() -> None:
    assert not ticket().explanation_due(date(2026, 12, 9))
    assert ticket().explanation_due(date(2026, 12, 10))
    assert not ticket(status=Status.RESOLVED).explanation_due(date(2026, 12, 10))
    assert not ticket(extended_to=date(2026, 12, 31)).explanation_due(date(2026, 12, 20))


def test_a_ticket_is_overdue_after_the_date_the_complainant_was_promised() -> None:
    assert not ticket().overdue(date(2026, 12, 10))
    assert ticket().overdue(date(2026, 12, 11))
    assert not ticket(extended_to=date(2026, 12, 31)).overdue(date(2026, 12, 20))


def test_days_elapsed_counts_from_receipt() -> None:
    assert ticket().days_elapsed(date(2026, 12, 1)) == 6
    assert ticket().days_elapsed(date(2026, 11, 1)) == 0


def test_not_fixed_reopens_a_resolved_ticket_but_rejected_is_final() -> None:
    check_transition(Status.RESOLVED, Status.IN_PROGRESS)
    with pytest.raises(TransitionError):
        check_transition(Status.REJECTED, Status.IN_PROGRESS)
    with pytest.raises(TransitionError):
        check_transition(Status.RECEIVED, Status.CLOSED)
