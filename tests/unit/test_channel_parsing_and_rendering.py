"""LINE and Telegram adapters: parsing real payloads and rendering within platform limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.channels import line, telegram
from bot.channels.base import MalformedPayload
from handlers.messages import (
    ACTION_CAMERA,
    ACTION_CAMERA_ROLL,
    ACTION_LOCATION,
    Card,
    Choice,
    MessageKind,
    Reply,
)
from tests.support.helpers import FIXTURES, line_body, line_text_event

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_line_fixture_parses_only_one_to_one_events_worth_handling() -> None:
    body = (FIXTURES / "line" / "v3_webhook.json").read_bytes()
    kinds = [e.message.kind for e in line.parse_webhook(body, NOW)]
    assert MessageKind.TEXT in kinds and MessageKind.FOLLOW in kinds
    assert MessageKind.POSTBACK in kinds and MessageKind.LOCATION in kinds
    assert kinds.count(MessageKind.UNSUPPORTED) == 2  # video, audio
    assert kinds.count(MessageKind.FILE) == 1  # a document: evidence for a corruption report
    assert all(e.message.user_id.startswith("U") for e in line.parse_webhook(body, NOW))


def test_line_event_timestamp_and_reply_token_are_kept() -> None:
    [event] = line.parse_webhook(line_body(line_text_event("ก", timestamp_ms=1_000)), NOW)
    assert event.event_ts == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert event.reply_token == "reply-token-1"


def test_line_event_without_webhook_event_id_gets_a_stable_key() -> None:
    raw = line_text_event("ก")
    del raw["webhookEventId"]
    first = line.parse_webhook(line_body(raw), NOW)[0].event_key
    assert first == line.parse_webhook(line_body(raw), NOW)[0].event_key
    assert len(first) <= 64


def test_line_location_is_parsed() -> None:
    raw = line_text_event("x") | {
        "message": {
            "id": "1",
            "type": "location",
            "title": "บ้าน",
            "latitude": 18.79,
            "longitude": 98.98,
        }
    }
    [event] = line.parse_webhook(line_body(raw), NOW)
    assert event.message.location is not None
    assert event.message.location.latitude == pytest.approx(18.79)


def test_line_location_with_garbage_coordinates_is_unsupported_not_a_crash() -> None:
    raw = line_text_event("x") | {"message": {"id": "1", "type": "location", "latitude": "north"}}
    [event] = line.parse_webhook(line_body(raw), NOW)
    assert event.message.kind is MessageKind.UNSUPPORTED


@pytest.mark.parametrize("body", [b"", b"null", b'{"events": {}}', b'{"events":[null]}'])
def test_line_malformed_bodies_raise_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        line.parse_webhook(body, NOW)


def test_line_render_respects_limits() -> None:
    many = tuple(
        Choice(label=f"ตัวเลือกที่ยาวมากเกินยี่สิบตัวอักษร {i}", payload="p" * 400) for i in range(20)
    )
    [message] = line.render(Reply(text="ก" * 6000, quick_replies=many))
    assert len(message["text"]) == 5000
    items = message["quickReply"]["items"]
    assert len(items) == 13
    assert all(len(i["action"]["label"]) <= 20 for i in items)
    assert all(len(i["action"]["data"]) <= 300 for i in items)


def test_line_card_becomes_flex_with_buttons_and_alt_text() -> None:
    card = Card(
        title="ขออนุญาตก่อสร้างอาคาร",
        body="ยื่นที่กองช่าง",
        facts=(("ระยะเวลา", "45 วัน"),),
        buttons=(
            Choice("กรอกแบบฟอร์ม", url="https://example.go.th/form"),
            Choice("เอกสาร", payload="kb:docs"),
        ),
    )
    messages = line.render(Reply(text="ข้อมูลค่ะ", cards=(card,)))
    assert [m["type"] for m in messages] == ["text", "flex"]
    flex = messages[1]
    assert flex["altText"] == "ขออนุญาตก่อสร้างอาคาร"
    actions = [b["action"] for b in flex["contents"]["footer"]["contents"]]
    assert actions[0] == {
        "type": "uri",
        "label": "กรอกแบบฟอร์ม",
        "uri": "https://example.go.th/form",
    }
    assert actions[1]["type"] == "postback" and actions[1]["data"] == "kb:docs"


def test_line_units_never_exceed_five_messages() -> None:
    sender = line.LineSender("t", "http://127.0.0.1:9", 1)
    card = Card(title="t")
    replies = [Reply(text=str(i), cards=(card,)) for i in range(4)]  # 8 LINE messages
    units = sender.units(replies)
    assert [sum(len(line.render(r)) for r in u) for u in units] == [4, 4]


def test_telegram_render_escapes_and_keeps_callback_data_short() -> None:
    reply = Reply(text="<ก & ข>", quick_replies=(Choice("ยาว", payload="x" * 100),))
    rendered = telegram.render(reply)
    assert rendered["text"] == "&lt;ก &amp; ข&gt;"
    data = rendered["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64


def test_telegram_photo_takes_the_largest_size() -> None:
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": 5, "type": "private"},
            "photo": [{"file_id": "small"}, {"file_id": "large"}],
        },
    }
    [event] = telegram.parse_update(json.dumps(update).encode(), NOW)
    assert event.message.kind is MessageKind.IMAGE and event.message.media_id == "large"


def test_telegram_block_is_an_unfollow() -> None:
    update = {
        "update_id": 2,
        "my_chat_member": {
            "chat": {"id": 5, "type": "private"},
            "date": 1,
            "new_chat_member": {"status": "kicked"},
        },
    }
    [event] = telegram.parse_update(json.dumps(update).encode(), NOW)
    assert event.message.kind is MessageKind.UNFOLLOW


ASK_FOR_PLACE_AND_PHOTO = (
    Choice("ส่งตำแหน่ง", action=ACTION_LOCATION),
    Choice("ถ่ายรูป", action=ACTION_CAMERA),
    Choice("เลือกรูปจากเครื่อง", action=ACTION_CAMERA_ROLL),
)


def test_line_renders_location_and_camera_quick_replies_with_labels_only() -> None:
    reply = Reply(text="ส่งรูปได้ค่ะ", quick_replies=(*ASK_FOR_PLACE_AND_PHOTO, Choice("ข้าม", "skip")))
    [message] = line.render(reply)
    actions = [item["action"] for item in message["quickReply"]["items"]]
    assert actions[:3] == [
        {"type": "location", "label": "ส่งตำแหน่ง"},
        {"type": "camera", "label": "ถ่ายรูป"},
        {"type": "cameraRoll", "label": "เลือกรูปจากเครื่อง"},
    ]
    assert actions[3]["type"] == "postback" and actions[3]["data"] == "skip"


def test_line_leaves_app_actions_out_of_flex_buttons() -> None:
    card = Card(
        title="แจ้งเรื่อง", buttons=(Choice("ถ่ายรูป", action=ACTION_CAMERA), Choice("ต่อ", "next"))
    )
    [flex] = line.render(Reply(cards=(card,)))
    [button] = flex["contents"]["footer"]["contents"]
    assert button["action"]["data"] == "next" and button["style"] == "primary"


def test_telegram_drops_buttons_it_cannot_show() -> None:
    reply = Reply(text="ส่งรูปได้ค่ะ", quick_replies=(*ASK_FOR_PLACE_AND_PHOTO, Choice("ข้าม", "skip")))
    rows = telegram.render(reply)["reply_markup"]["inline_keyboard"]
    assert rows == [[{"text": "ข้าม", "callback_data": "skip"}]]


def test_telegram_reply_whose_only_buttons_are_dropped_is_plain_text() -> None:
    card = Card(title="แจ้งเรื่อง", buttons=(Choice("ส่งตำแหน่ง", action=ACTION_LOCATION),))
    rendered = telegram.render(
        Reply(text="ส่งรูปได้ค่ะ", cards=(card,), quick_replies=ASK_FOR_PLACE_AND_PHOTO)
    )
    assert rendered["text"] == "ส่งรูปได้ค่ะ\n\n<b>แจ้งเรื่อง</b>"
    assert "reply_markup" not in rendered


def test_button_actions_survive_the_outbox_and_old_rows_still_load() -> None:
    reply = Reply(text="t", quick_replies=(*ASK_FOR_PLACE_AND_PHOTO, Choice("ข้าม", "skip")))
    stored = json.loads(json.dumps(reply.to_dict()))
    assert Reply.from_dict(stored) == reply
    assert "action" not in stored["quick_replies"][3]  # plain buttons are stored as before
    old_row = {"text": "t", "quick_replies": [{"label": "ข้าม", "payload": "skip", "url": ""}]}
    assert Reply.from_dict(old_row).quick_replies == (Choice("ข้าม", "skip"),)


def test_telegram_long_text_full_of_html_characters_goes_as_plain_text() -> None:
    from bot.channels import telegram as tg
    from handlers.messages import Card, Reply

    text = "ท่อแตก & น้ำรั่ว <ด่วน> " * 300  # escaping would grow it past 4,096 characters
    message = tg.render(Reply(text="สรุป", cards=(Card("สรุปเรื่อง", facts=(("รายละเอียด", text),)),)))
    assert "parse_mode" not in message  # no HTML to be cut mid-entity
    assert len(message["text"]) <= 4096 and message["text"].endswith("…")
    assert "&amp;" not in message["text"]


def test_documents_arrive_as_files_with_their_media_id_on_both_channels() -> None:
    import json as _json
    from datetime import UTC, datetime

    from bot.channels import line as line_channel
    from bot.channels import telegram as telegram_channel
    from handlers.messages import MessageKind as Kind

    now = datetime(2026, 11, 25, tzinfo=UTC)
    line_event = {
        "type": "message",
        "mode": "active",
        "timestamp": 1,
        "source": {"type": "user", "userId": "U" + "a" * 32},
        "webhookEventId": "01FILE",
        "message": {"id": "325708", "type": "file", "fileName": "a.pdf", "fileSize": 3},
    }
    [line_file] = line_channel.parse_webhook(_json.dumps({"events": [line_event]}).encode(), now)
    update = {
        "update_id": 7,
        "message": {
            "message_id": 7,
            "date": 1,
            "chat": {"id": 42, "type": "private"},
            "document": {"file_id": "BQAC-doc", "file_name": "a.pdf"},
        },
    }
    [tg_file] = telegram_channel.parse_update(_json.dumps(update).encode(), now)
    assert (line_file.message.kind, line_file.message.media_id) == (Kind.FILE, "325708")
    assert (tg_file.message.kind, tg_file.message.media_id) == (Kind.FILE, "BQAC-doc")
