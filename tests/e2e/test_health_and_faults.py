"""Health check, a database that is down, and an acknowledged event surviving a crash."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, OperationalError

from bot.app import create_app
from bot.intake import Intake
from bot.jobs import InlineDispatcher
from bot.models import EventStatus, InboundEvent
from bot.services import build_services
from bot.spool import Spool
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
    assert response.get_json() == {"status": "ok", "database": "ok", "spooled": 0}


def test_database_down_the_event_is_spooled_acknowledged_and_recorded_later(
    tmp_path: Path, platform, services, jobs
) -> None:
    down = make_settings(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/x", platform.url)
    app = create_app(services=build_services(down, web=True), dispatcher=DroppingDispatcher())
    client = app.test_client()
    body = line_body(line_text_event("สวัสดี"))

    response = client.post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    response_again = client.post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )

    assert response.status_code == 200 and response_again.status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "error", "database": "unreachable", "spooled": 2}

    # the database is back: the same instance directory's spool is drained
    intake = Intake(services.pipeline, InlineDispatcher(jobs), Spool(down.instance_dir / "spool"))
    assert intake.drain_spool() == 2
    assert intake.spool.backlog() == 0
    with services.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(InboundEvent)).scalar_one() == 1
    assert len(platform.delivered_line_messages()) == 1  # recorded once, answered once


def test_database_and_spool_both_failing_is_a_clear_503(tmp_path: Path, platform) -> None:
    (tmp_path / "instance").write_text("not a directory")  # the spool cannot be created
    down = make_settings(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/x", platform.url)
    app = create_app(services=build_services(down, web=True), dispatcher=DroppingDispatcher())
    body = line_body(line_text_event("สวัสดี"))

    response = app.test_client().post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )

    assert response.status_code == 503  # not acknowledged: LINE may deliver it again
    assert response.headers["Retry-After"] == "5"
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_spool_drain_stops_while_the_database_is_still_down(tmp_path: Path, platform) -> None:
    down = make_settings(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/x", platform.url)
    services = build_services(down, web=True)
    spool = Spool(tmp_path / "spool")
    spool.put("line", line_body(line_text_event("สวัสดี")), services.clock.now())
    intake = Intake(services.pipeline, DroppingDispatcher(), spool)

    assert intake.drain_spool() == 0
    assert spool.backlog() == 1  # kept for the next try


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


def test_a_database_that_stops_answering_mid_query_still_gets_a_200(
    services, platform, monkeypatch
) -> None:
    """Server-side timeouts do not fire when the network itself stalls: the deadline does."""
    released = threading.Event()

    def stuck(*args, **kwargs):  # type: ignore[no-untyped-def]
        released.wait(timeout=30)
        raise OperationalError("select", {}, Exception("connection lost"))

    monkeypatch.setattr(services.pipeline, "record_many", stuck)
    app = create_app(services=services, dispatcher=DroppingDispatcher())
    body = line_body(line_text_event("สวัสดี"))
    try:
        response = app.test_client().post(
            "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
        )
    finally:
        released.set()
    assert response.status_code == 200
    assert Spool(services.settings.instance_dir / "spool").backlog() == 1


def test_data_the_database_refuses_is_a_400_not_a_spooled_body(services, monkeypatch) -> None:
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise DataError("insert", {}, Exception("value too long"))

    monkeypatch.setattr(services.pipeline, "record_many", refuse)  # the group commit
    monkeypatch.setattr(services.pipeline, "record", refuse)  # then each body alone
    app = create_app(services=services, dispatcher=DroppingDispatcher())
    body = line_body(line_text_event("สวัสดี"))
    response = app.test_client().post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    assert response.status_code == 400
    assert Spool(services.settings.instance_dir / "spool").backlog() == 0


def test_an_unreadable_spooled_body_is_set_aside_and_the_rest_drained(
    tmp_path: Path, services, jobs, platform, clock
) -> None:
    spool = Spool(tmp_path / "spool")
    spool.put("line", b"{broken", clock.now())
    original_time = clock.now()
    spool.put("line", line_body(line_text_event("สวัสดี")), original_time)
    clock.advance(minutes=10)

    drained = Intake(services.pipeline, InlineDispatcher(jobs), spool).drain_spool()

    assert drained == 1
    assert [p.suffix for p in (tmp_path / "spool").iterdir()] == [".bad"]
    with services.db.transaction() as s:
        recorded = s.execute(select(InboundEvent)).scalar_one()
        assert recorded.received_at == original_time  # the reply token is known to be old
    assert len(platform.requests_to("/v2/bot/message/push")) == 1


def test_one_broken_event_does_not_stop_the_sweep_for_others(
    services, jobs, platform, clock, monkeypatch
) -> None:
    from bot.channels import line

    for number, user in enumerate(("U" + "1" * 32, "U" + "2" * 32)):
        body = line_body(line_text_event("สวัสดี", user=user, event_id=f"E{number}"))
        services.pipeline.record("line", line.parse_webhook(body, clock.now()))
    real = jobs.process_event
    calls: list[int] = []

    def first_one_explodes(event_id: int) -> None:
        calls.append(event_id)
        if len(calls) == 1:
            raise RuntimeError("bug")
        real(event_id)

    monkeypatch.setattr(jobs, "process_event", first_one_explodes)
    clock.advance(seconds=40)
    jobs.sweep()

    assert len(calls) == 2
    assert len(platform.delivered_line_messages()) == 1


def test_set_aside_bodies_are_deleted_after_a_week(tmp_path: Path, services, jobs) -> None:
    import os
    import time

    spool = Spool(tmp_path / "spool")
    spool.put("line", b"{broken", services.clock.now())
    intake = Intake(services.pipeline, InlineDispatcher(jobs), spool)
    intake.drain_spool()
    [bad] = list((tmp_path / "spool").glob("*.bad"))
    intake.drain_spool()
    assert bad.exists()  # kept for a while, to look into

    week_ago = time.time() - 8 * 24 * 3600
    os.utime(bad, (week_ago, week_ago))
    intake.drain_spool()
    assert not bad.exists()
