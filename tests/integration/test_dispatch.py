"""Waking the worker: queue messages leave after the 200, in batches; late records are woken."""

from __future__ import annotations

import time

from huey import MemoryHuey

from bot.channels import line
from bot.intake import Intake
from bot.spool import Spool
from bot.worker import QueueDispatcher, register_tasks
from tests.support.helpers import line_body, line_text_event


class RecordingDispatcher:
    def __init__(self) -> None:
        self.dispatched: list[int] = []

    def dispatch(self, event_ids) -> None:  # type: ignore[no-untyped-def]
        self.dispatched.extend(event_ids)


def wait_until(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_dispatch_returns_at_once_and_sends_batches(jobs) -> None:
    huey = MemoryHuey("test-dispatch", immediate=False)
    tasks = register_tasks(huey, lambda: jobs)
    dispatcher = QueueDispatcher(tasks)

    dispatcher.dispatch([1, 2, 3])
    dispatcher.dispatch([4])

    assert wait_until(lambda: sum(len(t.args[0]) for t in huey.pending()) == 4)
    batches = [t.args[0] for t in huey.pending()]
    assert sorted(i for batch in batches for i in batch) == [1, 2, 3, 4]
    assert len(batches) <= 2  # ids waiting together travel together


def test_replaying_a_body_whose_record_committed_late_still_wakes_the_worker(
    services, tmp_path
) -> None:
    body = line_body(line_text_event("สวัสดี", event_id="E-late"))
    [event_id] = services.pipeline.record("line", line.parse_webhook(body, services.clock.now()))
    dispatcher = RecordingDispatcher()
    spool = Spool(tmp_path / "spool")
    spool.put("line", body, services.clock.now())  # the same body, spooled at the deadline

    Intake(services.pipeline, dispatcher, spool).drain_spool()

    assert dispatcher.dispatched == [event_id]


def test_bodies_arriving_together_share_one_commit_and_each_gets_its_ids(services) -> None:
    from concurrent.futures import wait

    from bot.recorder import GroupRecorder

    recorder = GroupRecorder(services.pipeline)
    bodies = [
        line.parse_webhook(
            line_body(line_text_event("สวัสดี", event_id=f"G{i}")), services.clock.now()
        )
        for i in range(20)
    ]
    futures = [recorder.submit("line", events) for events in bodies]
    futures.append(recorder.submit("line", bodies[0]))  # a redelivery inside the same group
    wait(futures, timeout=10)

    ids = [f.result() for f in futures]
    assert all(len(i) == 1 for i in ids[:20])
    assert len({i[0] for i in ids[:20]}) == 20
    assert ids[20] == []  # the duplicate got nothing new


def test_one_refused_body_does_not_fail_the_others_in_its_group(services, monkeypatch) -> None:
    from sqlalchemy.exc import DataError

    from bot.recorder import GroupRecorder

    real_record_many = services.pipeline.record_many

    def record_many_refuses(bodies):  # type: ignore[no-untyped-def]
        raise DataError("insert", {}, Exception("value too long"))

    def record_refuses_one(channel, events):  # type: ignore[no-untyped-def]
        if events[0].event_key == "BAD":
            raise DataError("insert", {}, Exception("value too long"))
        return real_record_many([(channel, events)])[0]

    monkeypatch.setattr(services.pipeline, "record_many", record_many_refuses)
    monkeypatch.setattr(services.pipeline, "record", record_refuses_one)
    recorder = GroupRecorder(services.pipeline)
    good = line.parse_webhook(
        line_body(line_text_event("ก", event_id="GOOD")), services.clock.now()
    )
    bad = line.parse_webhook(line_body(line_text_event("ข", event_id="BAD")), services.clock.now())

    good_future, bad_future = recorder.submit("line", good), recorder.submit("line", bad)

    assert len(good_future.result(timeout=10)) == 1
    assert isinstance(bad_future.exception(timeout=10), DataError)


def test_one_failing_event_does_not_hold_back_the_rest_of_its_batch(jobs, monkeypatch) -> None:
    handled: list[int] = []

    def process(event_id: int) -> None:
        if event_id == 2:
            raise RuntimeError("bug")
        handled.append(event_id)

    monkeypatch.setattr(jobs, "process_event", process)
    huey = MemoryHuey("test-batch", immediate=True)
    tasks = register_tasks(huey, lambda: jobs)

    tasks.process_events([1, 2, 3, 4])

    assert handled == [1, 3, 4]


def test_sqlite_writer_lock_is_given_back_after_the_real_commit_and_on_invalidate(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from sqlalchemy import text

    from bot.db import Database

    db = Database.from_url(f"sqlite:///{tmp_path / 'x.db'}", fail_fast=True)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with db.engine.connect() as conn:  # commit, then begin again on the same connection
        conn.execute(text("INSERT INTO t VALUES (0)"))
        conn.commit()
        conn.execute(text("DELETE FROM t"))
        conn.commit()
    other = sqlite3.connect(tmp_path / "x.db", timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # SQLite itself is free: our lock left after COMMIT
    other.execute("ROLLBACK")

    try:
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.invalidate()  # the connection dies mid-transaction
    except Exception:
        pass
    with db.engine.begin() as conn:  # would wait and fail 'database is locked' if leaked
        conn.execute(text("INSERT INTO t VALUES (2)"))
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    other.close()
    db.dispose()
