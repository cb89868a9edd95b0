"""The monthly count of knowledge entries asked about, as the office reports E-Service use."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from flask import Flask

from bot import cli
from bot.services import Services
from bot.tallies import month_of, tallies_for
from tests.support.helpers import FakeClock, line_body, line_signature, line_text_event


def ask(app: Flask, text: str, event_id: str) -> None:
    body = line_body(line_text_event(text, event_id=event_id, reply_token=f"t-{event_id}"))
    response = app.test_client().post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    assert response.status_code == 200


def test_each_answer_counts_once_for_its_entry_and_month(app: Flask, services: Services) -> None:
    ask(app, "ขอถังขยะต้องทำยังไงคะ", "E1")
    ask(app, "ขอถังขยะต้องทำยังไงคะ", "E1")  # redelivered: handled and counted once
    ask(app, "ต้องใช้เอกสารอะไรบ้าง", "E2")  # a follow-up: not counted again
    ask(app, "ขอรับถังขยะอีกใบค่ะ", "E3")  # asked afresh: counted
    ask(app, "ให้ของขวัญเจ้าหน้าที่ได้ไหม", "E4")

    month = month_of(services.clock.now())
    assert tallies_for(services.db, month, prefix="knowledge:") == [
        ("knowledge:eservice.garbage-bin", 2),
        ("knowledge:info.no-gift-policy", 1),
    ]


def test_the_month_is_the_thai_calendar_month() -> None:
    # 20:00 UTC on 31 October is 03:00 on 1 November in Thailand
    assert month_of(datetime(2026, 10, 31, 20, 0, tzinfo=UTC)) == "2026-11"


def test_staff_get_the_month_as_csv(app: Flask, services: Services, monkeypatch) -> None:
    ask(app, "ขอถังขยะต้องทำยังไงคะ", "E1")
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("SIANG_SECRET_KEY", services.settings.secret_key)
    month = month_of(FakeClock().now())
    result = CliRunner().invoke(cli.main, ["kb", "usage", "--month", month])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "month,entry,answers",
        f"{month},eservice.garbage-bin,1",
    ]
