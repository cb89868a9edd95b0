"""Conversation state lives in the database: it survives a restart, expires, and keeps order."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels import line
from bot.jobs import Jobs
from bot.models import ConversationStateRow
from bot.services import Services, build_services
from handlers.basic import OfficeInfo
from handlers.registry import build_registry
from tests.support.flows import EchoFlow
from tests.support.helpers import FakeClock, line_body, line_text_event
from tests.support.nlu import shared_understander


def with_echo_flow(settings, clock: FakeClock) -> Services:  # type: ignore[no-untyped-def]
    registry = build_registry(OfficeInfo("อบต.ทดสอบ"), extra_flows=[EchoFlow()])
    return build_services(
        settings, understander=shared_understander(), clock=clock, registry=registry
    )


def say(services: Services, text: str, event_id: str) -> None:
    events = line.parse_webhook(
        line_body(line_text_event(text, event_id=event_id, reply_token=f"t-{event_id}")),
        services.clock.now(),
    )
    jobs = Jobs(services)
    for new_id in services.pipeline.record("line", events):
        jobs.process_event(new_id)


def open_echo_flow(services: Services) -> None:
    with services.db.transaction() as s:
        s.add(
            ConversationStateRow(
                channel="line",
                user_ref=services.pipeline.hasher.ref("line", "U" + "a" * 32),
                flow="echo",
                step="listening",
                data={"count": 0},
                updated_at=services.clock.now(),
                privacy_noticed_at=services.clock.now(),  # a returning user
            )
        )


def texts(platform) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["text"] for m in platform.delivered_line_messages()]


def test_a_flow_carries_on_after_a_restart(settings, platform, clock) -> None:
    first = with_echo_flow(settings, clock)
    open_echo_flow(first)
    say(first, "ถนนพัง", "E1")
    first.db.dispose()

    restarted = with_echo_flow(settings, clock)  # a new process: nothing in memory
    say(restarted, "หน้าบ้านเลขที่ 5", "E2")

    assert texts(platform) == ["echo 1: ถนนพัง", "echo 2: หน้าบ้านเลขที่ 5"]
    restarted.db.dispose()


def test_an_idle_flow_expires_and_the_citizen_is_told(settings, platform, clock) -> None:
    services = with_echo_flow(settings, clock)
    open_echo_flow(services)
    clock.advance(minutes=31)

    say(services, "สวัสดี", "E1")

    assert texts(platform)[0].startswith("เรื่องที่ทำค้างไว้หมดเวลาแล้ว")
    assert "ยินดีต้อนรับ" in texts(platform)[1]
    with services.db.transaction() as s:
        assert s.execute(select(ConversationStateRow.flow)).scalar_one() is None
    services.db.dispose()


def stored_state(services: Services) -> ConversationStateRow:
    with services.db.transaction() as s:
        row = s.execute(select(ConversationStateRow)).scalar_one()
        s.expunge(row)
        return row


def test_the_sweep_forgets_what_an_abandoned_flow_held(settings, platform, clock) -> None:
    services = with_echo_flow(settings, clock)
    open_echo_flow(services)
    clock.advance(minutes=36)  # the idle timeout and the sweep's grace for queued replies

    Jobs(services).sweep()

    row = stored_state(services)
    assert row.data == {} and row.step is None
    say(services, "สวัสดี", "E1")  # and the citizen still hears that it timed out
    assert texts(platform)[0].startswith("เรื่องที่ทำค้างไว้หมดเวลาแล้ว")
    services.db.dispose()


def test_the_sweep_leaves_a_flow_that_is_still_open_alone(settings, platform, clock) -> None:
    services = with_echo_flow(settings, clock)
    open_echo_flow(services)
    clock.advance(minutes=29)

    Jobs(services).sweep()

    assert stored_state(services).data == {"count": 0}
    services.db.dispose()


def test_events_that_arrive_out_of_order_are_handled_oldest_first(services, jobs, platform) -> None:
    newer = line_text_event("ขอบคุณค่ะ", event_id="E-new", reply_token="t2", timestamp_ms=2_000)
    older = line_text_event("สวัสดีค่ะ", event_id="E-old", reply_token="t1", timestamp_ms=1_000)
    ids = services.pipeline.record(
        "line", line.parse_webhook(line_body(newer), services.clock.now())
    )
    ids += services.pipeline.record(
        "line", line.parse_webhook(line_body(older), services.clock.now())
    )

    jobs.process_event(ids[0])  # the newer event's task runs first

    replies = platform.requests_to("/v2/bot/message/reply")
    assert [r.json["replyToken"] for r in replies] == ["t1", "t2"]
    assert "ยินดีต้อนรับ" in texts(platform)[0] and "ยินดีค่ะ" in texts(platform)[1]
