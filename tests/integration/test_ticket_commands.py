"""`siang tickets list | show | update`, as the complaint centre's staff run them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot import cli
from bot.clock import thai_date
from bot.services import Services
from complaints.lifecycle import StatusUpdate
from complaints.tickets import Status
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import app_env
from tests.support.tickets import (
    CITIZEN,
    ROAD,
    line_texts_to,
    open_ticket,
    ticket_office,
    ticket_row,
)

SECRET_NOTE = "ผู้ร้องขอไม่เปิดเผยชื่อต่อผู้รับเหมา"


@pytest.fixture
def siang(tmp_path: Path, database_url: str, platform: FakePlatform):  # type: ignore[no-untyped-def]
    env = {**app_env(tmp_path, database_url, platform.url), "USER": "somsri"}

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli.main, ["tickets", *args], env=env)

    return run


def test_list_is_a_thai_table_newest_first(services: Services, siang) -> None:  # type: ignore[no-untyped-def]
    first = open_ticket(services)
    second = open_ticket(services, new=ROAD.__class__(category="lighting", description="ไฟดับ"))
    ticket_office(services).update(second, StatusUpdate(Status.FORWARDED, actor="somchai"))

    result = siang("list")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["รหัส", "สถานะ", "ประเภท", "รับเรื่อง", "กำหนด", "วัน"]
    assert lines[1].startswith(str(second)) and "ส่งต่อหน่วยงานที่รับผิดชอบ" in lines[1]
    assert "แสงสว่าง" in lines[1] and "25 พ.ย. 2569" in lines[1]
    assert lines[2].startswith(str(first)) and "10 ธ.ค. 2569" in lines[2]
    assert lines[-1] == "2 เรื่อง"
    assert ROAD.description not in result.stdout


def test_list_filters_and_speaks_json(services: Services, siang) -> None:  # type: ignore[no-untyped-def]
    first = open_ticket(services)
    open_ticket(services, new=ROAD.__class__(category="lighting", description="ไฟดับ"))

    result = siang("list", "--category", "ถนน", "--status", "received", "--json")

    assert result.exit_code == 0, result.output
    [ticket] = json.loads(result.stdout)
    assert ticket["code"] == str(first) and ticket["status"] == "received"
    assert (ticket["received_on"], ticket["due_on"]) == ("2026-11-25", "2026-12-10")
    assert set(ticket) >= {"category", "expected_on", "days_elapsed", "overdue"}


def test_show_has_everything_with_the_timeline(services: Services, siang) -> None:  # type: ignore[no-untyped-def]
    code = open_ticket(services)
    ticket_office(services).update(
        code,
        StatusUpdate(
            Status.IN_PROGRESS, actor="somchai", public_note="รับทราบ", internal_note=SECRET_NOTE
        ),
    )

    text = siang("show", str(code))
    data = siang("show", str(code).lower(), "--json")

    assert text.exit_code == 0, text.output
    for expected in (ROAD.description, "สมชาย ใจดี 0812345678", "กำลังดำเนินการ", SECRET_NOTE):
        assert expected in text.stdout
    assert "(somchai)" in text.stdout and "แจ้งผู้ร้อง: รับทราบ" in text.stdout
    ticket = json.loads(data.stdout)
    assert ticket["contact"] == {"name": "สมชาย ใจดี", "phone": "0812345678"}
    assert [e["actor"] for e in ticket["timeline"]] == ["citizen", "somchai"]
    assert ticket["timeline"][1]["internal_note"] == SECRET_NOTE


def test_update_tells_the_citizen_and_says_what_it_did(
    services: Services,
    siang,  # type: ignore[no-untyped-def]
    platform: FakePlatform,
) -> None:
    code = open_ticket(services)
    later = max(thai_date(datetime.now(UTC)), ticket_row(services, code).due_on)
    expected = later + timedelta(days=20)

    result = siang(
        "update",
        str(code),
        "--status",
        "in_progress",
        "--public-note",
        "รอผู้รับจ้างเข้าพื้นที่",
        "--note",
        SECRET_NOTE,
        "--expected-date",
        expected.isoformat(),
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{code}: กำลังดำเนินการ")
    ticket = ticket_office(services).show(code)
    assert ticket.status is Status.IN_PROGRESS and ticket.extended_to == expected
    assert ticket.timeline[-1].actor == "somsri"  # $USER
    [text] = line_texts_to(platform, CITIZEN)
    assert "รอผู้รับจ้างเข้าพื้นที่" in text and SECRET_NOTE not in text


def test_update_takes_the_status_in_thai_and_a_name(services: Services, siang) -> None:  # type: ignore[no-untyped-def]
    code = open_ticket(services)
    result = siang("update", str(code), "--status", "ส่งต่อหน่วยงานที่รับผิดชอบ", "--by", "นายช่าง")
    assert result.exit_code == 0, result.output
    assert ticket_office(services).show(code).timeline[-1].actor == "นายช่าง"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "GC-25"), "siang: not a ticket code: 'GC-25' (for example GC-2570-00042)"),
        (("show", "GC-2570-00099"), "siang: no ticket GC-2570-00099"),
        (
            ("update", "GC-2570-00001", "--status", "closed"),
            "siang: a ticket cannot go from received to closed",
        ),
        (
            ("update", "GC-2570-00001", "--status", "rejected"),
            "siang: rejecting a ticket needs a public note with the reason",
        ),
        (("update", "GC-2570-00001", "--status", "done"), "siang: unknown status 'done'"),
        (("update", "GC-2570-00001"), "siang: nothing to change"),
        (
            ("update", "GC-2570-00001", "--expected-date", "2569-12-31", "--public-note", "x"),
            "siang: --expected-date is a Christian-era date: 2569 BE is 2026",
        ),
        (("list", "--from", "31/12/2026"), "siang: --from must be YYYY-MM-DD"),
    ],
)
def test_a_mistake_is_one_clear_line_and_exit_2(
    services: Services,
    siang,  # type: ignore[no-untyped-def]
    args: tuple[str, ...],
    message: str,
) -> None:
    open_ticket(services)

    result = siang(*args)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
