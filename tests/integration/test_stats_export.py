"""`siang stats` on a real database: the one query, the three formats, no personal data."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import event

from bot import cli
from bot.clock import SystemClock
from bot.models import MonthlyTally, TicketRow
from bot.services import Services
from bot.stats_export import collect, office_names, render
from complaints.stats import Period
from tests.support.helpers import FakeClock

MARKER = "MARKER-q7Zx"  # planted in every personal field: must never come out
NOVEMBER = Period.month(2026, 11)
BOM = b"\xef\xbb\xbf"


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# received at (UTC), category, channel, status, due on, finished at (UTC), rating.
# The clock says 25 November 2026 (10:00 in Thailand).
TICKETS: list[tuple[datetime, str, str, str, date, datetime | None, int | None]] = [
    # 1 Nov 00:00 Thai: the first moment of November. Finished 5 Nov: 4 days, in time
    (utc(10, 31, 17), "road", "line", "closed", date(2026, 11, 16), utc(11, 5, 3), 5),
    # 31 Oct 23:59 Thai: October, not counted
    (utc(10, 31, 16, 59), "road", "line", "received", date(2026, 11, 15), None, None),
    # finished 23:00 Thai on the due day 17 Nov: 15 days, in time
    (utc(11, 2, 3), "road", "telegram", "resolved", date(2026, 11, 17), utc(11, 17, 16), None),
    # finished 00:30 Thai on 19 Nov, the day after it was due: 16 days, late
    (utc(11, 3, 3), "lighting", "line", "closed", date(2026, 11, 18), utc(11, 18, 17, 30), 3),
    # open past its due date: overdue
    (utc(11, 10, 3), "lighting", "dev", "in_progress", date(2026, 11, 20), None, None),
    (utc(11, 12, 3), "drainage", "line", "rejected", date(2026, 11, 27), None, None),
    # 30 Nov 23:59 Thai: the last moment of November; not yet due
    (utc(11, 30, 16, 59), "drainage", "line", "received", date(2026, 12, 15), None, None),
    # 1 Dec 00:00 Thai: December, not counted
    (utc(11, 30, 17), "drainage", "line", "received", date(2026, 12, 16), None, None),
]
# In November: 6 received; finished 3 (4, 15 and 16 days: median 15.0, mean 35 / 3 = 11.7),
# 2 of them in time (66.7 %); in progress 2; rejected 1; overdue 1.
# Ratings 5 and 3: mean 4.0, one of two 4-5 = 50.0 %, under the 80 % target.
TOTALS = {
    "received": 6,
    "finished": 3,
    "in_progress": 2,
    "rejected": 1,
    "overdue": 1,
    "finished_within_sla": 2,
    "finished_within_sla_pct": 66.7,
    "median_days_to_finish": 15.0,
    "mean_days_to_finish": 11.7,
}
TALLIES = [
    ("2026-11", "knowledge:eservice.garbage-bin", 7),
    ("2026-11", "knowledge:info.no-gift-policy", 2),
    ("2026-10", "knowledge:eservice.garbage-bin", 99),  # another month
    ("2026-11", "complaints:opened", 5),  # not a knowledge entry
]
SHEETS = ["สรุป", "ตามประเภท", "ตามเดือน", "ตามช่องทาง", "ความพึงพอใจ", "การสอบถามบริการ"]
FIGURE_HEADERS = [
    "รับเรื่อง",
    "ดำเนินการแล้วเสร็จ",
    "อยู่ระหว่างดำเนินการ",
    "ไม่รับเรื่อง",
    "เกินกำหนดและยังไม่เสร็จ",
    "เสร็จทันกำหนด",
    "ร้อยละที่เสร็จทันกำหนด",
    "จำนวนวันที่ใช้ (มัธยฐาน)",
    "จำนวนวันที่ใช้ (เฉลี่ย)",
]


@pytest.fixture
def stored(services: Services) -> Services:
    with services.db.transaction() as s:
        for number, (received_at, category, channel, status, due, finished, rating) in enumerate(
            TICKETS, start=1
        ):
            s.add(
                TicketRow(
                    year_be=2570,
                    sequence=number,
                    owner_ref=f"{MARKER}-owner",
                    channel=channel,
                    category=category,
                    description=f"ถนนพังหน้าบ้าน {MARKER}",
                    place=f"หมู่ 3 {MARKER}",
                    status=status,
                    received_at=received_at,
                    received_on=received_at.date(),  # not read: the export uses received_at
                    due_on=due,
                    finished_at=finished,
                    rating=rating,
                    contact_name=f"สมชาย {MARKER}",
                    contact_phone=MARKER,
                    notify_channel=channel,
                    notify_recipient=f"U{MARKER}",
                )
            )
        for month, name, count in TALLIES:
            s.add(MonthlyTally(month=month, name=name, count=count))
    return services


def export(services: Services, fmt: str) -> bytes:
    names = office_names(services.settings)
    report = collect(services.db, NOVEMBER, services.clock, names.entry_titles)
    return render(report, fmt, names.office)


def csv_sections(data: bytes) -> dict[str, list[list[str]]]:
    """Title -> the header row and data rows under it."""
    assert data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"))))
    sections: dict[str, list[list[str]]] = {}
    while rows:
        end = rows.index([])
        sections[rows[0][0]] = rows[1:end]
        rows = rows[end + 1 :]
    return sections


def test_one_query_reads_only_the_columns_the_figures_need(stored: Services) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(stored.db.engine, "before_cursor_execute", record)
    try:
        collect(stored.db, NOVEMBER, stored.clock)
    finally:
        event.remove(stored.db.engine, "before_cursor_execute", record)
    on_tickets = [s for s in statements if "tickets" in s]
    assert len(on_tickets) == 1
    for column in ("description", "place", "contact_", "notify_", "owner_ref", "tickets.*"):
        assert column not in on_tickets[0]
    assert "received_at >=" in on_tickets[0]  # the range the ix_ticket_received index serves


def test_json_has_the_hand_computed_numbers(stored: Services) -> None:
    document = json.loads(export(stored, "json"))
    assert document["period"] == {"kind": "month", "first": "2026-11-01", "last": "2026-11-30"}
    assert document["as_of"] == "2026-11-25"
    assert document["totals"] == TOTALS
    assert document["by_month"] == [{"month": "2026-11", **TOTALS}]
    by_category = {row["category"]: row for row in document["by_category"]}
    assert list(by_category) == ["drainage", "lighting", "road"]  # 2 each: alphabetical
    # road: 4 and 15 days, both in time
    assert by_category["road"] == {
        "category": "road",
        "label": "ถนน",
        "received": 2,
        "finished": 2,
        "in_progress": 0,
        "rejected": 0,
        "overdue": 0,
        "finished_within_sla": 2,
        "finished_within_sla_pct": 100.0,
        "median_days_to_finish": 9.5,
        "mean_days_to_finish": 9.5,
    }
    assert by_category["drainage"]["median_days_to_finish"] is None
    channels = {row["channel"]: row for row in document["by_channel"]}
    assert list(channels) == ["line", "telegram", "dev"]
    # line: finished 4 (in time) and 16 days (late): median and mean 10.0
    assert [channels["line"][k] for k in ("received", "finished", "in_progress", "rejected")] == [
        4,
        2,
        1,
        1,
    ]
    assert channels["line"]["finished_within_sla_pct"] == 50.0
    assert channels["line"]["median_days_to_finish"] == 10.0
    assert channels["dev"]["overdue"] == 1
    assert document["satisfaction"] == {
        "rated": 2,
        "mean_rating": 4.0,
        "rated_4_or_5": 1,
        "rated_4_or_5_pct": 50.0,
        "target_pct": 80,
        "target_met": False,
    }
    assert document["knowledge_usage"] == [
        {"month": "2026-11", "entry": "eservice.garbage-bin", "title": "ขอรับถังขยะ", "count": 7},
        {
            "month": "2026-11",
            "entry": "info.no-gift-policy",
            "title": "นโยบายไม่รับของขวัญ (No Gift Policy)",
            "count": 2,
        },
    ]


def test_csv_opens_in_excel_and_reads_back_to_the_same_numbers(stored: Services) -> None:
    sections = csv_sections(export(stored, "csv"))
    titles = list(sections)
    assert titles[0] == ("สถิติเรื่องร้องเรียนทั่วไป อบต.ทดสอบ เดือน พ.ย. 2569 (ข้อมูล ณ วันที่ 25 พ.ย. 2569)")
    assert titles[1:] == [
        "แยกตามประเภทเรื่อง",
        "แยกตามเดือนที่รับเรื่อง",
        "แยกตามช่องทาง",
        "ความพึงพอใจของผู้ร้องเรียน",
        "การสอบถามข้อมูลบริการและ E-Service",
    ]
    header, *totals = sections[titles[0]]
    assert header == ["รายการ", "ค่า"]
    assert totals == [
        [label, str(value)] for label, value in zip(FIGURE_HEADERS, TOTALS.values(), strict=True)
    ]

    header, *rows = sections["แยกตามประเภทเรื่อง"]
    assert header == ["ประเภทเรื่อง", *FIGURE_HEADERS]
    assert rows == [
        ["ท่อระบายน้ำ", "2", "0", "1", "1", "0", "0", "0.0", "-", "-"],
        ["แสงสว่าง", "2", "1", "1", "0", "1", "0", "0.0", "16.0", "16.0"],
        ["ถนน", "2", "2", "0", "0", "0", "2", "100.0", "9.5", "9.5"],
        ["รวม", "6", "3", "2", "1", "1", "2", "66.7", "15.0", "11.7"],
    ]
    assert sections["แยกตามเดือนที่รับเรื่อง"][1][0] == "พ.ย. 2569"
    assert [row[0] for row in sections["แยกตามช่องทาง"][1:]] == [
        "LINE",
        "Telegram",
        "ช่องทางทดสอบ",
        "รวม",
    ]
    assert sections["ความพึงพอใจของผู้ร้องเรียน"][1:] == [
        ["ผู้ให้คะแนนความพึงพอใจ", "2"],
        ["คะแนนเฉลี่ย (เต็ม 5)", "4.0"],
        ["ให้คะแนน 4–5", "1"],
        ["ร้อยละที่ให้คะแนน 4–5", "50.0"],
        ["เป้าหมาย (ร้อยละ)", "80"],
        ["ผลเทียบเป้าหมาย", "ยังไม่ผ่านเป้าหมาย"],
    ]
    assert sections["การสอบถามข้อมูลบริการและ E-Service"] == [
        ["เดือน", "รหัสเรื่อง", "ชื่อเรื่อง", "จำนวนครั้งที่สอบถาม"],
        ["พ.ย. 2569", "eservice.garbage-bin", "ขอรับถังขยะ", "7"],
        ["พ.ย. 2569", "info.no-gift-policy", "นโยบายไม่รับของขวัญ (No Gift Policy)", "2"],
    ]


def test_xlsx_has_a_sheet_per_table_with_thai_headers_and_numbers(stored: Services) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(export(stored, "xlsx")))
    assert workbook.sheetnames == SHEETS
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    totals = list(workbook["สรุป"].iter_rows(min_row=2, values_only=True))
    assert totals[0] == ("รายการ", "ค่า")
    assert dict(totals[1:]) == dict(zip(FIGURE_HEADERS, TOTALS.values(), strict=True))
    by_category = list(workbook["ตามประเภท"].iter_rows(min_row=2, values_only=True))
    assert by_category[0] == ("ประเภทเรื่อง", *FIGURE_HEADERS)
    assert by_category[1] == ("ท่อระบายน้ำ", 2, 0, 1, 1, 0, 0, 0.0, "-", "-")
    assert by_category[-1] == ("รวม", 6, 3, 2, 1, 1, 2, 66.7, 15.0, 11.7)
    satisfaction = dict(workbook["ความพึงพอใจ"].iter_rows(min_row=3, values_only=True))
    assert satisfaction["ร้อยละที่ให้คะแนน 4–5"] == 50.0
    knowledge = list(workbook["การสอบถามบริการ"].iter_rows(min_row=3, values_only=True))
    assert knowledge[0] == ("พ.ย. 2569", "eservice.garbage-bin", "ขอรับถังขยะ", 7)


def test_no_personal_data_in_any_format(stored: Services) -> None:
    assert MARKER not in export(stored, "csv").decode("utf-8-sig")
    assert MARKER not in export(stored, "json").decode("utf-8")
    workbook = openpyxl.load_workbook(io.BytesIO(export(stored, "xlsx")))
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    assert cells and not any(MARKER in cell for cell in cells)
    assert "ถนนพังหน้าบ้าน" not in " ".join(cells)


def test_an_empty_period_gives_zeros(services: Services) -> None:
    report = collect(services.db, NOVEMBER, services.clock)
    document = json.loads(render(report, "json"))
    assert document["totals"]["received"] == 0
    assert document["totals"]["mean_days_to_finish"] is None
    assert document["satisfaction"]["target_met"] is None
    sections = csv_sections(render(report, "csv"))
    assert sections["ความพึงพอใจของผู้ร้องเรียน"][-1] == ["ผลเทียบเป้าหมาย", "-"]
    openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


# The command, as staff run it


@pytest.fixture
def command_env(
    stored: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, str]:
    monkeypatch.setattr(SystemClock, "now", lambda _self: FakeClock().now())
    monkeypatch.chdir(tmp_path)
    return {
        "DATABASE_URL": stored.settings.database_url,
        "SIANG_SECRET_KEY": stored.settings.secret_key,
        "SIANG_KNOWLEDGE_DIR": str(stored.settings.knowledge_dir),
        "SIANG_INSTANCE_DIR": str(tmp_path / "instance"),
    }


def siang_stats(env: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(cli.main, ["stats", *args], env=env)


def test_the_command_writes_csv_to_stdout(command_env: dict[str, str]) -> None:
    result = siang_stats(command_env, "--month", "2026-11")
    assert result.exit_code == 0, result.output
    sections = csv_sections(result.stdout_bytes)
    assert sections["แยกตามประเภทเรื่อง"][-1][:2] == ["รวม", "6"]


def test_the_command_writes_json_for_a_range(command_env: dict[str, str], tmp_path: Path) -> None:
    result = siang_stats(
        command_env, "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes)["totals"] == TOTALS
    # the fiscal year 2570 starts on 1 October 2026: the October and December tickets count too
    result = siang_stats(command_env, "--fiscal-year", "2570", "--format", "json", "--output", "f")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "f"
    document = json.loads((tmp_path / "f").read_text(encoding="utf-8"))
    assert document["totals"]["received"] == 8
    assert [m["received"] for m in document["by_month"]][:3] == [1, 6, 1]


def test_the_command_saves_xlsx_in_the_current_folder(
    command_env: dict[str, str], tmp_path: Path
) -> None:
    result = siang_stats(command_env, "--month", "2026-11", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "siang-stats-2026-11.xlsx"
    workbook = openpyxl.load_workbook(tmp_path / "siang-stats-2026-11.xlsx")
    assert workbook.sheetnames == SHEETS


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--month", "2026-11", "--fiscal-year", "2570"],
        ["--month", "2569-11"],
        ["--from", "2026-11-01"],
    ],
)
def test_the_command_explains_a_wrong_period(command_env: dict[str, str], args: list[str]) -> None:
    result = siang_stats(command_env, *args)
    assert result.exit_code == 2
    assert "Error:" in result.output and "--" in result.output.splitlines()[-1]
