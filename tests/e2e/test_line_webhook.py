"""Signed LINE payloads through the app, replies checked at the fake LINE API."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import func, select

from bot.models import InboundEvent
from bot.services import Services
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import FIXTURES, line_body, line_signature, line_text_event
from tests.support.nlu import shared_understander

FIXTURE = FIXTURES / "line" / "v3_webhook.json"


def post(app: Flask, body: bytes, signature: str | None = None, header: str = "X-Line-Signature"):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[header] = signature
    return app.test_client().post("/webhook/line", data=body, headers=headers)


def count_events(services: Services) -> int:
    with services.db.transaction() as s:
        return s.execute(select(func.count()).select_from(InboundEvent)).scalar_one()


def texts(platform: FakePlatform) -> list[str]:
    return [m.get("text", "") for m in platform.delivered_line_messages()]


def test_known_signature_vector_from_line_docs() -> None:
    assert line_signature(b"bodybodybodybody", "channel_secret") == (
        "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="
    )


def test_greeting_text_gets_a_reply_with_the_reply_token(app, platform) -> None:
    response = post(app, body := line_body(line_text_event("สวัสดีค่ะ")), line_signature(body))

    assert response.status_code == 200
    replies = platform.requests_to("/v2/bot/message/reply")
    assert len(replies) == 1
    assert replies[0].json["replyToken"] == "reply-token-1"
    message = replies[0].json["messages"][0]
    assert "ยินดีต้อนรับ" in message["text"]
    labels = [i["action"]["label"] for i in message["quickReply"]["items"]]
    assert "ช่วยเหลือ" in labels
    assert platform.requests_to("/v2/bot/message/push") == []


def test_signature_header_name_is_case_insensitive(app, platform) -> None:
    body = line_body(line_text_event("สวัสดี"))
    response = post(app, body, line_signature(body), header="x-line-signature")
    assert response.status_code == 200
    assert len(platform.requests_to("/v2/bot/message/reply")) == 1


@pytest.mark.parametrize("signature", [None, "", "bm90LWEtc2lnbmF0dXJl", "%%%"])
def test_missing_or_wrong_signature_is_400_and_nothing_recorded(
    app, platform, services, signature
) -> None:
    response = post(app, line_body(line_text_event("สวัสดี")), signature)

    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid signature"}
    assert count_events(services) == 0
    assert platform.calls == []


def test_signature_of_another_secret_is_rejected(app, services) -> None:
    body = line_body(line_text_event("สวัสดี"))
    assert post(app, body, line_signature(body, "someone-elses-secret")).status_code == 400
    assert count_events(services) == 0


def test_body_changed_after_signing_is_rejected(app, services) -> None:
    body = line_body(line_text_event("สวัสดี"))
    signature = line_signature(body)
    assert post(app, body.replace("สวัสดี".encode(), "ยกเลิก".encode()), signature).status_code == 400


def test_empty_events_connectivity_check_is_200(app, platform) -> None:
    body = b'{"destination":"U0","events":[]}'
    assert post(app, body, line_signature(body)).status_code == 200
    assert platform.calls == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"events": "nope"}',
        b'{"events": [1, 2]}',
        "ไทย".encode(),
        b"\xff\xfe\x00",
    ],
)
def test_malformed_signed_body_is_400_without_a_stack_trace(app, services, body) -> None:
    response = post(app, body, line_signature(body))
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert count_events(services) == 0


def test_huge_body_is_refused_before_it_is_read(app, services) -> None:
    body = line_body(line_text_event("ก" * 2_000_000))
    response = post(app, body, line_signature(body))
    assert response.status_code == 413
    assert count_events(services) == 0


def test_standby_and_unknown_events_are_ignored_without_error(app, platform, services) -> None:
    standby = line_text_event("สวัสดี", event_id="E-standby") | {"mode": "standby"}
    unknown = {
        "type": "somethingNew",
        "mode": "active",
        "timestamp": 1,
        "webhookEventId": "E-u",
        "source": {"type": "user", "userId": "U1"},
    }
    body = line_body(standby, unknown)
    assert post(app, body, line_signature(body)).status_code == 200
    assert platform.calls == []
    assert count_events(services) == 0


def test_redelivered_event_gets_one_reply(app, platform, services) -> None:
    first = line_body(line_text_event("สวัสดี", event_id="01JSAMEEVENT"))
    again = line_body(line_text_event("สวัสดี", event_id="01JSAMEEVENT", redelivery=True))

    assert post(app, first, line_signature(first)).status_code == 200
    assert post(app, again, line_signature(again)).status_code == 200

    assert len(platform.requests_to("/v2/bot/message/reply")) == 1
    assert platform.requests_to("/v2/bot/message/push") == []
    assert count_events(services) == 1


def test_line_sdk_fixture_as_sent_is_accepted(app, platform) -> None:
    """All 28 events share one webhookEventId: LINE's own rule makes 27 of them duplicates."""
    body = FIXTURE.read_bytes()
    response = post(app, body, line_signature(body))

    assert response.status_code == 200
    sent = platform.requests_to("/v2/bot/message/reply") + platform.requests_to(
        "/v2/bot/message/push"
    )
    assert len(sent) == 1  # the first event (text "Hello, world") and nothing twice


def test_line_sdk_fixture_with_distinct_ids_answers_what_deserves_an_answer(app, platform) -> None:
    payload = json.loads(FIXTURE.read_text())
    for index, event in enumerate(payload["events"]):
        event["webhookEventId"] = f"01JFIXTURE{index:016d}"
        event["replyToken"] = f"token-{index}"
    body = json.dumps(payload).encode()

    response = post(app, body, line_signature(body))

    assert response.status_code == 200
    answered = {c.json["replyToken"] for c in platform.requests_to("/v2/bot/message/reply")}
    by_index = {
        i: (e["type"], e.get("message", {}).get("type"), e["source"]["type"])
        for i, e in enumerate(payload["events"])
    }
    expected = {
        f"token-{i}"
        for i, (etype, mtype, source) in by_index.items()
        if source == "user" and (etype in {"follow", "postback"} or (etype == "message"))
    }
    assert answered == expected
    # unfollow, beacon, unsend, memberJoined, group and room messages: no answer
    assert "token-7" not in answered  # unfollow has no token anyway
    assert "token-14" not in answered  # text in a group
    assert platform.requests_to("/v2/bot/message/push") == []


def test_sticker_gets_a_friendly_answer(app, platform) -> None:
    event = line_text_event("x") | {
        "message": {"id": "2", "type": "sticker", "packageId": "1", "stickerId": "1"}
    }
    body = line_body(event)
    post(app, body, line_signature(body))
    assert "สติกเกอร์" in texts(platform)[0]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "'; DROP TABLE inbound_events; --", "ก" * 4999, "\u200b\u200b"],
)
def test_odd_text_is_answered_politely_and_stored_safely(app, platform, services, text) -> None:
    body = line_body(line_text_event(text))
    assert post(app, body, line_signature(body)).status_code == 200
    assert len(texts(platform)) == 1
    polite_answers = ("ขออภัย", "ดูเหมือนข้อความจะว่าง", "ขอถามให้แน่ใจ")
    assert texts(platform)[0].startswith(polite_answers)
    assert count_events(services) == 1


def test_channel_without_secrets_is_off(tmp_path, database_url, platform, clock) -> None:
    from bot.app import create_app
    from bot.jobs import InlineDispatcher, Jobs
    from bot.services import build_services
    from tests.support.helpers import make_settings

    settings = make_settings(tmp_path, database_url, platform.url, LINE_CHANNEL_SECRET="")
    services = build_services(settings, understander=shared_understander(), clock=clock)
    app = create_app(services=services, dispatcher=InlineDispatcher(Jobs(services)))
    body = line_body(line_text_event("สวัสดี"))
    assert post(app, body, line_signature(body)).status_code == 404
    services.db.dispose()
