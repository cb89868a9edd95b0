"""Tickets in the database: codes per fiscal year, owners, and concurrent receipts."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from bot.services import Services
from bot.ticket_desk import SqlTicketDesk
from complaints.desk import NewTicket
from complaints.tickets import Status, TicketCode

RECEIVED = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ROAD = NewTicket(category="road", description="ถนนหน้าบ้านเป็นหลุม", place="หมู่ 3")


def open_ticket(services: Services, owner: str, at: datetime = RECEIVED) -> TicketCode:
    with services.db.transaction() as s:
        return SqlTicketDesk(s, services.db.dialect, owner).open(ROAD, at, sla_days=15).code


def test_codes_count_up_within_the_fiscal_year_and_restart_in_october(services: Services) -> None:
    assert open_ticket(services, "u1") == TicketCode(2570, 1)
    assert open_ticket(services, "u2") == TicketCode(2570, 2)
    next_year = datetime(2027, 10, 1, 3, 0, tzinfo=UTC)
    assert str(open_ticket(services, "u1", next_year)) == "GC-2571-00001"


def test_a_new_ticket_is_received_with_its_due_date_and_timeline(services: Services) -> None:
    with services.db.transaction() as s:
        ticket = SqlTicketDesk(s, services.db.dialect, "u1").open(ROAD, RECEIVED, sla_days=15)
    assert ticket.status is Status.RECEIVED
    assert (ticket.received_on, ticket.due_on) == (date(2026, 11, 25), date(2026, 12, 10))
    assert [e.status for e in ticket.timeline] == [Status.RECEIVED]


def test_the_day_of_receipt_is_the_thai_date(services: Services) -> None:
    late_evening_utc = datetime(2026, 9, 30, 18, 0, tzinfo=UTC)  # 1 October 01:00 in Thailand
    assert open_ticket(services, "u1", late_evening_utc).year_be == 2570


def test_a_citizen_sees_only_their_own_tickets(services: Services) -> None:
    mine = open_ticket(services, "u1")
    theirs = open_ticket(services, "u2")
    with services.db.transaction() as s:
        desk = SqlTicketDesk(s, services.db.dialect, "u1")
        assert [t.code for t in desk.mine()] == [mine]
        assert desk.lookup(mine) is not None
        assert desk.lookup(theirs) is None  # someone else's code reveals nothing


def test_concurrent_receipts_never_share_a_code(services: Services) -> None:
    codes: list[TicketCode] = []
    errors: list[BaseException] = []

    def receive(owner: str) -> None:
        try:
            codes.append(open_ticket(services, owner))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=receive, args=(f"u{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(c.sequence for c in codes) == list(range(1, 9))
