"""Staff work tickets: each change is one timeline row and at most one notice, sent to the
complainant's chat; internal notes stay with staff; erased tickets tell nobody."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.clock import thai_date
from bot.jobs import Jobs
from bot.models import TicketEventRow
from bot.services import Services
from bot.ticket_desk import SqlTicketDesk
from bot.ticket_office import TicketFilter, TicketNotFound
from complaints.lifecycle import ReasonRequired, StatusUpdate
from complaints.tickets import EventKind, Status, TicketCode, TransitionError
from tests.support.fake_platform import FakePlatform, Fault
from tests.support.helpers import FakeClock
from tests.support.tickets import (
    CITIZEN,
    OWNER,
    ROAD,
    line_messages_to,
    line_texts_to,
    new_photo,
    open_ticket,
    outbox_rows,
    ticket_office,
    ticket_row,
)

SECRET_NOTE = "ผู้ร้องเคยร้องเรื่องเดียวกันปีที่แล้ว"


def test_an_update_writes_the_timeline_and_tells_the_complainant_once(
    services: Services, platform: FakePlatform, clock: FakeClock
) -> None:
    code = open_ticket(services)
    clock.advance(days=1)

    ticket = ticket_office(services).update(
        code,
        StatusUpdate(
            Status.IN_PROGRESS,
            actor="somchai",
            public_note="ช่างจะเข้าซ่อมภายในสัปดาห์นี้",
            internal_note=SECRET_NOTE,
        ),
    )

    assert ticket.status is Status.IN_PROGRESS
    last = ticket.timeline[-1]
    assert (last.kind, last.status, last.actor) == (
        EventKind.STATUS,
        Status.IN_PROGRESS,
        "somchai",
    )
    assert (last.public_note, last.internal_note) == ("ช่างจะเข้าซ่อมภายในสัปดาห์นี้", SECRET_NOTE)
    assert ticket_row(services, code).status_changed_at == clock.now()
    assert len(outbox_rows(services, OWNER)) == 1
    [text] = line_texts_to(platform, CITIZEN)
    assert str(code) in text and "กำลังดำเนินการ" in text
    assert "ช่างจะเข้าซ่อมภายในสัปดาห์นี้" in text


def test_the_internal_note_never_reaches_the_citizen(
    services: Services, jobs: Jobs, platform: FakePlatform, clock: FakeClock
) -> None:
    platform.fail("/v2/bot/message/push", Fault(status=500))  # so the queued row can be read
    code = open_ticket(services)

    ticket_office(services).update(
        code, StatusUpdate(Status.FORWARDED, actor="somchai", internal_note=SECRET_NOTE)
    )
    [queued] = outbox_rows(services, OWNER)
    assert SECRET_NOTE not in json.dumps(queued.payload, ensure_ascii=False)
    clock.advance(minutes=5)
    jobs.deliver(OWNER)

    [message] = line_messages_to(platform, CITIZEN)
    assert str(code) in message["text"]
    assert SECRET_NOTE not in json.dumps(message, ensure_ascii=False)


def test_a_notice_that_could_not_be_sent_goes_with_the_sweep(
    services: Services, jobs: Jobs, platform: FakePlatform, clock: FakeClock
) -> None:
    platform.fail("/v2/bot/message/push", Fault(status=503))
    code = open_ticket(services)

    ticket_office(services).update(code, StatusUpdate(Status.IN_PROGRESS, actor="somchai"))
    assert line_texts_to(platform, CITIZEN) == []

    clock.advance(minutes=5)
    jobs.sweep()
    [text] = line_texts_to(platform, CITIZEN)
    assert str(code) in text


def test_a_result_asks_the_citizen_for_a_rating(
    services: Services, platform: FakePlatform, clock: FakeClock
) -> None:
    code = open_ticket(services)

    ticket = ticket_office(services).update(
        code, StatusUpdate(Status.RESOLVED, actor="somchai", public_note="ซ่อมถนนเรียบร้อย")
    )

    assert ticket.status is Status.RESOLVED
    assert ticket_row(services, code).finished_at == clock.now()
    [message] = line_messages_to(platform, CITIZEN)
    assert "ผลการดำเนินการ: ซ่อมถนนเรียบร้อย" in message["text"]
    data = [item["action"]["data"] for item in message["quickReply"]["items"]]
    assert data == [
        *(f"rate:{code}:{n}" for n in (5, 4, 3, 2, 1)),
        f"notfixed:{code}",
    ]


def test_reopening_a_result_clears_it_and_gives_a_fresh_due_date(
    services: Services, clock: FakeClock
) -> None:
    code = open_ticket(services)
    office = ticket_office(services)
    office.update(code, StatusUpdate(Status.RESOLVED, actor="somchai"))
    office.update(code, StatusUpdate(Status.CLOSED, actor="somchai"))
    clock.advance(days=30)

    ticket = office.update(code, StatusUpdate(Status.IN_PROGRESS, actor="somchai"))

    row = ticket_row(services, code)
    assert row.finished_at is None and row.rating is None
    assert ticket.expected_on() == thai_date(clock.now()) + timedelta(days=15)


@pytest.mark.parametrize(
    ("steps", "target"),
    [
        ((), Status.CLOSED),
        ((Status.REJECTED,), Status.IN_PROGRESS),
        ((Status.IN_PROGRESS,), Status.IN_PROGRESS),
    ],
)
def test_a_forbidden_transition_changes_nothing(
    services: Services, steps: tuple[Status, ...], target: Status
) -> None:
    code = open_ticket(services)
    office = ticket_office(services)
    for step in steps:
        office.update(code, StatusUpdate(step, actor="somchai", public_note="เหตุผล"))
    before = office.show(code)
    queued = len(outbox_rows(services))

    with pytest.raises(TransitionError):
        office.update(code, StatusUpdate(target, actor="somchai", public_note="x"))

    assert office.show(code) == before
    assert len(outbox_rows(services)) == queued


def test_rejecting_without_a_reason_is_refused(services: Services) -> None:
    code = open_ticket(services)
    with pytest.raises(ReasonRequired):
        ticket_office(services).update(code, StatusUpdate(Status.REJECTED, actor="somchai"))
    assert ticket_row(services, code).status == Status.RECEIVED
    assert outbox_rows(services) == []


def test_an_erased_ticket_is_worked_on_without_notices(
    services: Services, platform: FakePlatform, clock: FakeClock
) -> None:
    code = open_ticket(services)
    with services.db.transaction() as s:
        SqlTicketDesk(s, services.db.dialect, OWNER).erase_personal_data(clock.now())

    ticket = ticket_office(services).update(
        code, StatusUpdate(Status.IN_PROGRESS, actor="somchai", public_note="เริ่มซ่อมแล้ว")
    )

    assert ticket.status is Status.IN_PROGRESS and ticket.timeline[-1].actor == "somchai"
    assert outbox_rows(services) == []
    assert platform.requests_to("/v2/bot/message/push") == []


def test_a_staff_date_is_explained_to_the_complainant_at_once(
    services: Services, platform: FakePlatform
) -> None:
    code = open_ticket(services)

    ticket = ticket_office(services).update(
        code,
        StatusUpdate(None, actor="somchai", public_note="รอผู้รับจ้าง", expected_on=date(2026, 12, 31)),
    )

    assert ticket.status is Status.RECEIVED and ticket.extended_to == date(2026, 12, 31)
    last = ticket.timeline[-1]
    assert (last.kind, last.expected_on) == (EventKind.EXPLANATION, date(2026, 12, 31))
    [text] = line_texts_to(platform, CITIZEN)
    assert "เหตุผล: รอผู้รับจ้าง" in text and "31 ธ.ค. 2569" in text


def test_a_note_only_for_staff_tells_nobody(services: Services) -> None:
    code = open_ticket(services)

    ticket = ticket_office(services).update(
        code, StatusUpdate(None, actor="somchai", internal_note=SECRET_NOTE)
    )

    assert ticket.status is Status.RECEIVED and ticket.timeline[-1].kind is EventKind.NOTE
    assert outbox_rows(services) == []


def test_a_progress_note_is_sent_on_telegram_too(
    services: Services, platform: FakePlatform
) -> None:
    code = open_ticket(services, channel="telegram", recipient="42")

    ticket_office(services).update(
        code, StatusUpdate(None, actor="somchai", public_note="ช่างสำรวจพื้นที่แล้ว")
    )

    [text] = platform.delivered_telegram_texts()
    assert "ช่างสำรวจพื้นที่แล้ว" in text and str(code) in text


def test_an_unknown_ticket_is_not_found(services: Services) -> None:
    office = ticket_office(services)
    with pytest.raises(TicketNotFound, match="no ticket GC-2570-00099"):
        office.show(TicketCode(2570, 99))
    with pytest.raises(TicketNotFound):
        office.update(TicketCode(2570, 99), StatusUpdate(Status.IN_PROGRESS, actor="somchai"))


def test_staff_see_everything(services: Services) -> None:
    code = open_ticket(services, new=replace(ROAD, photos=(new_photo(), new_photo())))
    office = ticket_office(services)
    office.update(code, StatusUpdate(Status.IN_PROGRESS, actor="somchai", internal_note="ด่วน"))

    ticket = office.show(code)

    assert ticket.contact is not None and ticket.contact.phone == "0812345678"
    assert ticket.photo_count == 2
    assert ticket.description == ROAD.description
    assert [e.internal_note for e in ticket.timeline] == ["", "ด่วน"]


def test_the_list_filters_and_pages_newest_first(services: Services, clock: FakeClock) -> None:
    office = ticket_office(services)
    first = open_ticket(services)  # 25 Nov
    clock.advance(days=1)
    second = open_ticket(services, new=replace(ROAD, category="lighting"))  # 26 Nov
    clock.advance(days=1)
    third = open_ticket(services)  # 27 Nov
    office.update(second, StatusUpdate(Status.IN_PROGRESS, actor="somchai"))
    office.update(third, StatusUpdate(Status.REJECTED, actor="somchai", public_note="ซ้ำ"))

    def codes(**filters: object) -> list[TicketCode]:
        return [t.code for t in office.list(TicketFilter(**filters))]  # type: ignore[arg-type]

    assert codes() == [third, second, first]
    assert codes(limit=2) == [third, second]
    assert codes(limit=2, offset=2) == [first]
    assert codes(statuses=(Status.RECEIVED, Status.IN_PROGRESS)) == [second, first]
    assert codes(category="road") == [third, first]
    assert codes(received_from=date(2026, 11, 26)) == [third, second]
    assert codes(received_to=date(2026, 11, 26)) == [second, first]
    assert codes(received_from=date(2026, 11, 26), received_to=date(2026, 11, 26)) == [second]

    assert codes(overdue=True) == []
    clock.current = clock.current.replace(year=2026, month=12, day=11)  # first was due 10 Dec
    assert codes(overdue=True) == [first]
    clock.current = clock.current.replace(day=12)  # second was due 11 Dec; third is rejected
    assert codes(overdue=True) == [second, first]
    assert codes(overdue=True, statuses=(Status.IN_PROGRESS, Status.REJECTED)) == [second]


def test_a_received_day_is_the_thai_date(services: Services, clock: FakeClock) -> None:
    clock.current = clock.current.replace(hour=18)  # 26 Nov 01:00 in Thailand
    code = open_ticket(services)
    office = ticket_office(services)
    assert [t.code for t in office.list(TicketFilter(received_from=date(2026, 11, 26)))] == [code]
    assert office.list(TicketFilter(received_to=date(2026, 11, 25))) == []


def test_a_page_is_bounded(services: Services) -> None:
    with pytest.raises(ValueError, match="page size"):
        ticket_office(services).list(TicketFilter(limit=501))


def test_the_timeline_row_is_written_even_when_delivery_breaks(
    services: Services, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = open_ticket(services)

    def broken(user_ref: str) -> bool:
        raise RuntimeError("database went away after the commit")

    monkeypatch.setattr(services.outbox, "deliver_for_user", broken)
    ticket_office(services).update(code, StatusUpdate(Status.IN_PROGRESS, actor="somchai"))

    with services.db.transaction() as s:
        kinds = list(s.scalars(select(TicketEventRow.status).order_by(TicketEventRow.id)))
    assert kinds == ["received", "in_progress"]
    assert len(outbox_rows(services, OWNER)) == 1  # waits for the sweep
