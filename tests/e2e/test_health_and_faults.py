"""Health check, a database that is down, and an acknowledged event surviving a crash."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from bot.app import create_app
from bot.models import EventStatus, InboundEvent
from bot.services import build_services
from tests.support.helpers import line_body, line_signature, line_text_event, make_settings


class DroppingDispatcher:
    """The queue took the event and then the worker machine died: nothing was processed."""

    def __init__(self) -> None:
        self.dropped: list[int] = []

    def dispatch(self, event_ids) -> None:  # type: ignore[no-untyped-def]
        self.dropped.extend(event_ids)


def test_healthz_checks_the_database(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_database_down_is_a_clear_503_not_a_500(tmp_path: Path, platform) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"  # nothing listens on port 1
    settings = make_settings(tmp_path, url, platform.url)
    app = create_app(services=build_services(settings, web=True), dispatcher=DroppingDispatcher())
    client = app.test_client()

    assert client.get("/healthz").status_code == 503
    body = line_body(line_text_event("สวัสดี"))
    response = client.post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    assert response.status_code == 503  # not acknowledged: LINE may deliver it again
    assert response.headers["Retry-After"] == "5"
    assert "Traceback" not in response.get_data(as_text=True)


def test_event_acknowledged_before_a_crash_is_processed_after_restart(
    services, jobs, platform, clock
) -> None:
    dispatcher = DroppingDispatcher()
    app = create_app(services=services, dispatcher=dispatcher)
    body = line_body(line_text_event("สวัสดี"))
    response = app.test_client().post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    assert response.status_code == 200 and len(dispatcher.dropped) == 1
    assert platform.calls == []  # the request itself never waits on LINE

    clock.advance(seconds=40)  # the restarted worker's sweep finds it
    jobs.sweep()

    with services.db.transaction() as s:
        event = s.execute(select(InboundEvent)).scalar_one()
        assert event.status == EventStatus.DONE
        assert event.message is None and event.reply_token is None  # no text kept
    assert len(platform.requests_to("/v2/bot/message/reply")) == 1


def test_a_handler_crash_is_retried_then_answered_with_an_apology(
    services, jobs, platform, clock, monkeypatch
) -> None:
    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setattr(services.router, "route", explode)
    app = create_app(services=services, dispatcher=DroppingDispatcher())
    body = line_body(line_text_event("สวัสดี"))
    app.test_client().post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    for _ in range(3):
        clock.advance(seconds=31)
        jobs.sweep()

    texts = [m["text"] for m in platform.delivered_line_messages()]
    assert texts == ["ขออภัยค่ะ ระบบขัดข้องชั่วคราว รบกวนลองใหม่อีกครั้งในภายหลังนะคะ"]
    with services.db.transaction() as s:
        assert s.execute(select(InboundEvent.status)).scalar_one() == EventStatus.FAILED
