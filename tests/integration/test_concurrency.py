"""Two processes at once: an event is recorded once and acted on once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import func, select

from bot.channels import line
from bot.clock import SystemClock
from bot.jobs import Jobs
from bot.models import ConversationStateRow, EventStatus, InboundEvent, OutboxMessage
from bot.services import build_services
from bot.settings import Settings
from tests.support.helpers import line_body, line_text_event


def _handle_in_child(settings: Settings, event_id: int, barrier) -> None:  # type: ignore[no-untyped-def]
    services = build_services(settings)
    jobs = Jobs(services)
    barrier.wait(timeout=30)
    jobs.process_event(event_id)
    services.db.dispose()


def _record_in_child(settings: Settings, body: bytes, barrier, results) -> None:  # type: ignore[no-untyped-def]
    services = build_services(settings)
    events = line.parse_webhook(body, SystemClock().now())
    barrier.wait(timeout=30)
    results.put(services.pipeline.record("line", events))
    services.db.dispose()


def _run_pair(target, args_for) -> None:  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=target, args=args_for(ctx, barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0


def test_two_processes_handling_the_same_event_act_once(
    settings: Settings, platform, tmp_path: Path
) -> None:
    services = build_services(settings)  # the real clock: children use it too
    body = line_body(line_text_event("สวัสดี"))
    [event_id] = services.pipeline.record("line", line.parse_webhook(body, services.clock.now()))

    _run_pair(_handle_in_child, lambda ctx, barrier: (settings, event_id, barrier))

    with services.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 1
        event = s.get(InboundEvent, event_id)
        assert event is not None and event.status == EventStatus.DONE
        assert s.execute(select(func.count()).select_from(ConversationStateRow)).scalar_one() == 1
    sent = platform.requests_to("/v2/bot/message/reply") + platform.requests_to(
        "/v2/bot/message/push"
    )
    assert len(sent) == 1
    services.db.dispose()


def test_two_processes_recording_the_same_delivery_keep_one(settings: Settings) -> None:
    body = line_body(line_text_event("สวัสดี", event_id="01JRACE"))
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()

    _run_pair(_record_in_child, lambda c, barrier: (settings, body, barrier, results))

    recorded = [results.get(timeout=10), results.get(timeout=10)]
    assert sorted(len(r) for r in recorded) == [0, 1]
    services = build_services(settings)
    with services.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(InboundEvent)).scalar_one() == 1
    services.db.dispose()


def test_sqlite_writers_in_two_processes_take_turns(tmp_path: Path, sqlite_template) -> None:  # type: ignore[no-untyped-def]
    """The writer lock file queues writers of both processes; no 'database is locked'."""
    import shutil

    from bot.db import Database

    shutil.copy(sqlite_template, tmp_path / "siang.db")
    url = f"sqlite:///{tmp_path / 'siang.db'}"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_write_many, args=(url, n, barrier)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    db = Database.from_url(url)
    with db.transaction() as s:
        assert s.execute(select(func.count()).select_from(ConversationStateRow)).scalar_one() == 400
    db.dispose()


def _write_many(url: str, n: int, barrier) -> None:  # type: ignore[no-untyped-def]
    from bot.db import Database

    db = Database.from_url(url, fail_fast=True)
    barrier.wait(timeout=30)
    for i in range(200):
        with db.transaction() as s:
            s.add(ConversationStateRow(channel="dev", user_ref=f"{n}-{i}", data={}))
    db.dispose()
