"""LINE and Telegram API faults: every reply is delivered later, exactly once, in order."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.channels import line, telegram
from bot.jobs import Jobs
from bot.models import OutboxMessage, OutboxStatus
from bot.services import Services
from tests.support.fake_platform import FakePlatform, Fault
from tests.support.helpers import (
    FakeClock,
    line_body,
    line_text_event,
    telegram_text_update,
)


def receive_line(
    services: Services,
    jobs: Jobs,
    text: str,
    event_id: str = "01JEVENT1",
    reply_token: str = "reply-1",
) -> None:
    body = line_body(line_text_event(text, event_id=event_id, reply_token=reply_token))
    events = line.parse_webhook(body, services.clock.now())
    for event_id_ in services.pipeline.record("line", events):
        jobs.process_event(event_id_)


def receive_telegram(services: Services, jobs: Jobs, text: str, update_id: int = 1) -> None:
    body = json.dumps(telegram_text_update(text, update_id=update_id)).encode()
    events = telegram.parse_update(body, services.clock.now())
    for event_id_ in services.pipeline.record("telegram", events):
        jobs.process_event(event_id_)


def outbox_rows(services: Services) -> list[OutboxMessage]:
    with services.db.transaction() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def line_texts(platform: FakePlatform) -> list[str]:
    return [m["text"] for m in platform.delivered_line_messages() if m["type"] == "text"]


def test_reply_failing_with_500_falls_back_to_one_push(services, jobs, platform) -> None:
    platform.fail("/v2/bot/message/reply", Fault(status=500))

    receive_line(services, jobs, "สวัสดี")

    pushes = platform.requests_to("/v2/bot/message/push")
    assert len(pushes) == 1
    assert pushes[0].headers["X-Line-Retry-Key"] == outbox_rows(services)[0].retry_key
    assert len(line_texts(platform)) == 1
    assert outbox_rows(services)[0].status == OutboxStatus.SENT


def test_line_down_the_worker_delivers_later_exactly_once(
    services, jobs, platform, clock: FakeClock
) -> None:
    platform.fail("/v2/bot/message/reply", Fault(status=500))
    platform.fail("/v2/bot/message/push", Fault(status=503, times=3))

    receive_line(services, jobs, "สวัสดี")
    assert line_texts(platform) == []
    row = outbox_rows(services)[0]
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.payload is not None

    for _ in range(6):  # the worker's sweeps, each after the backoff has passed
        clock.advance(minutes=5)
        jobs.sweep()

    assert len(line_texts(platform)) == 1
    keys = {c.headers["X-Line-Retry-Key"] for c in platform.requests_to("/v2/bot/message/push")}
    assert keys == {row.retry_key}  # every retry carried the same key
    sent = outbox_rows(services)[0]
    assert sent.status == OutboxStatus.SENT
    assert sent.payload is None and sent.recipient == ""  # nothing personal kept once sent


def test_push_timing_out_after_line_accepted_it_is_not_sent_twice(
    services, jobs, platform, clock
) -> None:
    platform.fail("/v2/bot/message/reply", Fault(status=500))
    # LINE takes the push but answers after our 1-second timeout
    platform.fail("/v2/bot/message/push", Fault(status=200, delay=1.5, accept=True))

    receive_line(services, jobs, "สวัสดี")
    assert outbox_rows(services)[0].last_error is not None  # we saw a timeout

    clock.advance(minutes=5)
    jobs.sweep()

    assert len(line_texts(platform)) == 1  # the retry got 409: already accepted
    assert outbox_rows(services)[0].status == OutboxStatus.SENT


def test_429_waits_for_the_backoff_before_trying_again(services, jobs, platform, clock) -> None:
    platform.fail("/v2/bot/message/reply", Fault(status=500))
    platform.fail("/v2/bot/message/push", Fault(status=429))

    receive_line(services, jobs, "สวัสดี")
    row = outbox_rows(services)[0]
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at > clock.now()

    jobs.sweep()  # not yet due: nothing is sent
    assert len(platform.requests_to("/v2/bot/message/push")) == 1

    clock.current = row.next_attempt_at + timedelta(seconds=1)
    jobs.sweep()
    assert len(line_texts(platform)) == 1


def test_expired_reply_token_the_answer_arrives_by_push(services, jobs, platform, clock) -> None:
    body = line_body(line_text_event("สวัสดี", reply_token="old-token"))
    events = line.parse_webhook(body, clock.now())
    new_ids = services.pipeline.record("line", events)
    clock.advance(minutes=2)  # the worker was late: the token is no longer valid

    for event_id in new_ids:
        jobs.process_event(event_id)

    assert platform.requests_to("/v2/bot/message/reply") == []
    assert len(platform.requests_to("/v2/bot/message/push")) == 1
    assert "ยินดีต้อนรับ" in line_texts(platform)[0]


def test_reply_token_rejected_by_line_falls_back_to_push(services, jobs, platform) -> None:
    platform.expired_reply_tokens.add("reply-1")

    receive_line(services, jobs, "สวัสดี")

    assert len(platform.requests_to("/v2/bot/message/reply")) == 1
    assert len(platform.requests_to("/v2/bot/message/push")) == 1
    assert len(line_texts(platform)) == 1


def test_permanent_error_is_not_retried(services, jobs, platform, clock) -> None:
    platform.fail("/v2/bot/message/reply", Fault(status=500))
    platform.fail("/v2/bot/message/push", Fault(status=400, body={"message": "bad request"}))

    receive_line(services, jobs, "สวัสดี")
    clock.advance(hours=1)
    jobs.sweep()

    assert len(platform.requests_to("/v2/bot/message/push")) == 1
    row = outbox_rows(services)[0]
    assert row.status == OutboxStatus.FAILED and row.payload is None


def test_a_later_message_never_overtakes_a_waiting_one(services, jobs, platform, clock) -> None:
    platform.fail("/v2/bot/message/reply", Fault(status=500))
    platform.fail("/v2/bot/message/push", Fault(status=500))
    receive_line(services, jobs, "สวัสดี", event_id="E1", reply_token="t1")
    platform.fail("/v2/bot/message/reply", Fault(status=500))
    receive_line(services, jobs, "ขอบคุณค่ะ", event_id="E2", reply_token="t2")

    assert line_texts(platform) == []  # the second waits behind the first

    clock.advance(minutes=5)
    jobs.sweep()
    texts = line_texts(platform)
    assert len(texts) == 2
    assert "ยินดีต้อนรับ" in texts[0] and "ยินดีค่ะ" in texts[1]


def test_telegram_429_honours_retry_after(services, jobs, platform, clock) -> None:
    platform.fail(
        "/sendMessage",
        Fault(
            status=429,
            body={
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 40",
                "parameters": {"retry_after": 40},
            },
        ),
    )

    receive_telegram(services, jobs, "สวัสดี")
    row = outbox_rows(services)[0]
    assert row.next_attempt_at >= clock.now() + timedelta(seconds=40)

    clock.advance(seconds=30)
    jobs.sweep()
    assert platform.delivered_telegram_texts() == []

    clock.advance(seconds=15)
    jobs.sweep()
    assert len(platform.delivered_telegram_texts()) == 1


def test_telegram_timeout_is_retried(services, jobs, platform, clock) -> None:
    platform.fail("/sendMessage", Fault(status=200, delay=1.5))

    receive_telegram(services, jobs, "สวัสดี")
    assert platform.delivered_telegram_texts() == []

    clock.advance(minutes=1)
    jobs.sweep()
    assert len(platform.delivered_telegram_texts()) == 1


def test_delivery_is_given_up_after_the_retry_key_window(services, jobs, platform, clock) -> None:
    platform.fail("/v2/bot/message/reply", Fault(status=500))
    platform.fail("/v2/bot/message/push", Fault(status=500, times=1000))

    receive_line(services, jobs, "สวัสดี")
    for _ in range(30):
        clock.advance(hours=1)
        jobs.sweep()

    row = outbox_rows(services)[0]
    assert row.status == OutboxStatus.FAILED
    assert row.payload is None


def test_a_crash_while_sending_fails_the_row_instead_of_blocking_the_user(
    services, jobs, platform, monkeypatch
) -> None:
    sender = services.senders["line"]

    def crash(delivery):  # type: ignore[no-untyped-def]
        raise RuntimeError("unexpected")

    monkeypatch.setattr(sender, "send", crash)
    receive_line(services, jobs, "สวัสดี", event_id="E1", reply_token="t1")
    monkeypatch.undo()
    receive_line(services, jobs, "ขอบคุณค่ะ", event_id="E2", reply_token="t2")

    rows = outbox_rows(services)
    assert [r.status for r in rows] == [OutboxStatus.FAILED, OutboxStatus.SENT]
    assert "ยินดีค่ะ" in line_texts(platform)[0]


def test_delivery_is_rescheduled_for_the_oldest_waiting_message(
    services, jobs, platform, clock
) -> None:
    """A newer message that is due must not make the worker spin while the oldest waits."""
    platform.fail("/v2/bot/message/reply", Fault(status=500, times=2))
    platform.fail("/v2/bot/message/push", Fault(status=500))
    receive_line(services, jobs, "สวัสดี", event_id="E1", reply_token="t1")
    receive_line(services, jobs, "ขอบคุณค่ะ", event_id="E2", reply_token="t2")
    scheduled: list = []
    jobs_with_queue = Jobs(services, lambda ref, eta: scheduled.append(eta))
    oldest = outbox_rows(services)[0]

    jobs_with_queue.deliver(oldest.user_ref)

    assert scheduled == [oldest.next_attempt_at]
    assert oldest.next_attempt_at > clock.now()
