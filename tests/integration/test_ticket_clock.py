"""The 15-day clock, driven by a fake clock: reminders, explanations, auto-close, retention."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import ticket_clock
from bot.clock import THAI_TIME
from bot.jobs import Jobs
from bot.models import TicketEventRow, TicketPhoto, TicketRow
from bot.services import Services
from bot.settings import Settings
from bot.ticket_clock import ClockPolicy, TicketClock, build_ticket_clock
from bot.ticket_desk import SqlTicketDesk
from complaints.lifecycle import StatusUpdate
from complaints.tickets import EventKind, Status, TicketCode
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import FakeClock, make_settings
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

STAFF_GROUP = "C" + "5" * 32
LATE = "ยังดำเนินการไม่แล้วเสร็จภายในกำหนด"
DUE = date(2026, 12, 10)  # a ticket received on the fake clock's first day, 25 Nov 2026


@pytest.fixture
def settings(tmp_path: Path, database_url: str, platform: FakePlatform) -> Settings:
    return make_settings(
        tmp_path, database_url, platform.url, SIANG_STAFF_CHAT=f"line:{STAFF_GROUP}"
    )


def on(clock: FakeClock, day: date, hour: int = 17) -> None:
    """Set the clock to a Thai day and hour."""
    clock.current = datetime.combine(day, time(hour), THAI_TIME)


def explanations(services: Services, code: TicketCode) -> list[TicketEventRow]:
    row = ticket_row(services, code)
    with services.db.transaction() as s:
        return list(
            s.scalars(
                select(TicketEventRow)
                .where(
                    TicketEventRow.ticket_id == row.id,
                    TicketEventRow.kind == EventKind.EXPLANATION.value,
                )
                .order_by(TicketEventRow.id)
            )
        )


def citizen_late_notices(platform: FakePlatform) -> list[str]:
    return [text for text in line_texts_to(platform, CITIZEN) if LATE in text]


def test_staff_are_reminded_days_before_the_due_date_once(
    services: Services,
    jobs: Jobs,
    platform: FakePlatform,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    code = open_ticket(services)
    on(clock, DUE - timedelta(days=4))
    jobs.sweep()
    assert line_texts_to(platform, STAFF_GROUP) == []

    caplog.set_level(logging.INFO, logger="siang.ticket_clock")
    on(clock, DUE - timedelta(days=3))
    jobs.sweep()
    jobs.sweep()
    on(clock, DUE - timedelta(days=2))
    jobs.sweep()

    [reminder] = line_texts_to(platform, STAFF_GROUP)
    assert str(code) in reminder and "ประเภท: ถนน" in reminder
    assert "10 ธ.ค. 2569 (อีก 3 วัน)" in reminder
    assert ROAD.description not in reminder and "0812345678" not in reminder
    assert ticket_row(services, code).reminded_for == DUE
    logged = [r for r in caplog.records if r.getMessage() == "ticket reminder"]
    assert [r.fields for r in logged] == [  # type: ignore[attr-defined]
        {"code": str(code), "expected_on": "2026-12-10", "days_left": 3, "staff_chat": True}
    ]


def test_without_a_staff_chat_a_reminder_is_only_logged_once(
    services: Services, clock: FakeClock
) -> None:
    open_ticket(services)
    quiet = TicketClock(
        services.db, services.outbox, clock, ClockPolicy(), delete_photos=lambda keys: None
    )
    on(clock, DUE)

    assert quiet.remind_staff() == 1
    assert quiet.remind_staff() == 0
    assert outbox_rows(services, "staff") == []


def test_the_due_date_brings_one_explanation_then_another_only_at_the_new_date(
    services: Services, jobs: Jobs, platform: FakePlatform, clock: FakeClock
) -> None:
    code = open_ticket(services)
    on(clock, DUE - timedelta(days=1), hour=19)
    jobs.sweep()
    assert citizen_late_notices(platform) == []

    for hour in (0, 8, 16):  # the office has the whole promised day: nothing until closing
        on(clock, DUE, hour=hour)
        jobs.sweep()
        assert citizen_late_notices(platform) == []

    on(clock, DUE, hour=17)
    jobs.sweep()
    jobs.sweep()

    [late] = citizen_late_notices(platform)
    assert str(code) in late and "จะแจ้งผลให้ทราบภายใน 25 ธ.ค. 2569" in late
    assert ticket_row(services, code).extended_to == date(2026, 12, 25)
    [event] = explanations(services, code)
    assert (event.actor, event.expected_on, event.status) == (
        "system",
        date(2026, 12, 25),
        "received",
    )

    on(clock, date(2026, 12, 24), hour=19)
    jobs.sweep()
    assert len(citizen_late_notices(platform)) == 1

    on(clock, date(2026, 12, 25))
    jobs.sweep()
    assert len(citizen_late_notices(platform)) == 2
    assert "9 ม.ค. 2570" in citizen_late_notices(platform)[1]
    assert len(explanations(services, code)) == 2


def test_two_sweeps_at_once_explain_each_ticket_once(services: Services, clock: FakeClock) -> None:
    codes = [open_ticket(services) for _ in range(6)]
    on(clock, DUE)
    clocks = [build_ticket_clock(services) for _ in range(2)]
    start = threading.Barrier(len(clocks))
    counts: list[int] = []
    errors: list[BaseException] = []

    def run(worker: TicketClock) -> None:
        try:
            start.wait()
            counts.append(worker.explain_late())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in clocks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(counts) == len(codes)
    assert [len(explanations(services, code)) for code in codes] == [1] * len(codes)
    assert len(outbox_rows(services, OWNER)) == len(codes)


def test_a_date_given_by_staff_postpones_the_explanation(
    services: Services, jobs: Jobs, platform: FakePlatform, clock: FakeClock
) -> None:
    code = open_ticket(services)
    on(clock, date(2026, 12, 5))
    ticket_office(services).update(
        code,
        StatusUpdate(
            Status.IN_PROGRESS,
            actor="somchai",
            public_note="รองบประมาณซ่อมถนน",
            expected_on=date(2026, 12, 31),
        ),
    )
    # ahead of the due date: a new date with its reason, no apology for lateness yet
    [told] = [t for t in line_texts_to(platform, CITIZEN) if "คาดว่าจะแล้วเสร็จ" in t]
    assert "รองบประมาณซ่อมถนน" in told and "31 ธ.ค. 2569" in told
    assert citizen_late_notices(platform) == []

    on(clock, DUE)
    jobs.sweep()
    assert citizen_late_notices(platform) == []  # the promised date is not due yet

    on(clock, date(2026, 12, 31))
    jobs.sweep()
    [late] = citizen_late_notices(platform)
    assert "15 ม.ค. 2570" in late


def test_an_erased_ticket_is_still_explained_but_to_nobody(
    services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    code = open_ticket(services)
    with services.db.transaction() as s:
        SqlTicketDesk(s, services.db.dialect, OWNER).erase_personal_data(clock.now())
    on(clock, DUE)

    jobs.sweep()

    assert ticket_row(services, code).extended_to == date(2026, 12, 25)
    assert len(explanations(services, code)) == 1
    assert outbox_rows(services, OWNER) == outbox_rows(services, "") == []


def test_a_result_nobody_rates_is_closed_after_the_days_allowed(
    services: Services, jobs: Jobs, platform: FakePlatform, clock: FakeClock
) -> None:
    code = open_ticket(services)
    ticket_office(services).update(code, StatusUpdate(Status.RESOLVED, actor="somchai"))
    [result] = line_messages_to(platform, CITIZEN)
    assert len(result["quickReply"]["items"]) == 6  # 5 to 1 stars and "not fixed"

    clock.advance(days=14, minutes=-1)
    jobs.sweep()
    assert ticket_row(services, code).status == Status.RESOLVED

    clock.advance(minutes=2)
    jobs.sweep()
    jobs.sweep()

    ticket = ticket_office(services).show(code)
    assert ticket.status is Status.CLOSED
    last = ticket.timeline[-1]
    assert (last.kind, last.status, last.actor) == (EventKind.STATUS, Status.CLOSED, "system")
    texts = line_texts_to(platform, CITIZEN)
    assert len(texts) == 2 and "สถานะ: ปิดเรื่อง" in texts[1]


def test_a_rated_result_is_left_alone(services: Services, jobs: Jobs, clock: FakeClock) -> None:
    code = open_ticket(services)
    ticket_office(services).update(code, StatusUpdate(Status.RESOLVED, actor="somchai"))
    with services.db.transaction() as s:
        SqlTicketDesk(s, services.db.dialect, OWNER).rate(code, 5, clock.now())
    clock.advance(days=30)

    jobs.sweep()

    ticket = ticket_office(services).show(code)
    assert ticket.rating == 5 and ticket.timeline[-1].actor == "citizen"


def test_personal_data_is_erased_a_year_after_the_ticket_ended(
    services: Services, clock: FakeClock
) -> None:
    photos = (new_photo(), new_photo())
    files = [services.media.path_for(p.key) for p in photos]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xd8\xff photo")
    ended = open_ticket(services, new=replace(ROAD, photos=photos))
    still_open = open_ticket(services)
    ticket_office(services).update(
        ended, StatusUpdate(Status.REJECTED, actor="somchai", public_note="ซ้ำกับเรื่องเดิม")
    )

    clock.advance(days=365, minutes=-1)
    assert build_ticket_clock(services).purge_personal_data() == 0
    clock.advance(minutes=2)
    assert build_ticket_clock(services).purge_personal_data() == 1

    row = ticket_row(services, ended)
    assert (row.contact_name, row.contact_phone) == (None, None)
    assert (row.notify_channel, row.notify_recipient, row.owner_ref) == (None, None, "")
    assert row.personal_data_erased_at == clock.now()
    assert row.description == ROAD.description  # kept for the statistics
    with services.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(TicketPhoto)) == 0
    assert not any(path.exists() for path in files)
    assert ticket_row(services, still_open).contact_phone == "0812345678"
    assert build_ticket_clock(services).purge_personal_data() == 0


def test_the_purge_works_in_batches_until_done(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ticket_clock, "BATCH", 2)
    codes = [open_ticket(services) for _ in range(5)]
    office = ticket_office(services)
    for code in codes:
        office.update(code, StatusUpdate(Status.RESOLVED, actor="somchai"))
        office.update(code, StatusUpdate(Status.CLOSED, actor="somchai"))
    clock.advance(days=366)
    deleted: list[list[str]] = []
    purge = TicketClock(services.db, services.outbox, clock, ClockPolicy(), deleted.append)

    assert purge.purge_personal_data() == 5

    with services.db.transaction() as s:
        left = s.scalar(
            select(func.count())
            .select_from(TicketRow)
            .where(TicketRow.personal_data_erased_at.is_(None))
        )
    assert left == 0 and deleted == []  # no photos, nothing to delete


def test_nobody_is_messaged_at_night(
    services: Services, jobs: Jobs, platform: FakePlatform, clock: FakeClock
) -> None:
    open_ticket(services)
    on(clock, DUE, hour=23)
    jobs.sweep()
    assert outbox_rows(services, "staff") == []
    assert citizen_late_notices(platform) == []
    on(clock, DUE + timedelta(days=1), hour=8)
    jobs.sweep()
    assert len(outbox_rows(services, "staff")) == 1  # the reminder waits for the morning
    assert citizen_late_notices(platform) == []  # the explanation for closing time


def test_a_failing_rule_does_not_stop_the_others(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = open_ticket(services)
    worker = build_ticket_clock(services)

    def broken() -> int:
        raise RuntimeError("bug")

    monkeypatch.setattr(worker, "remind_staff", broken)
    on(clock, DUE)

    result = worker.run()

    assert (result.reminded, result.explained) == (0, 1)
    assert len(explanations(services, code)) == 1
