"""Telegram updates through the app, messages checked at the fake Bot API."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from tests.support.fake_platform import FakePlatform
from tests.support.helpers import TELEGRAM_SECRET, telegram_text_update
from tests.support.nlu import shared_understander

HEADER = "X-Telegram-Bot-Api-Secret-Token"


def post(app: Flask, update: dict | bytes, secret: str | None = TELEGRAM_SECRET):
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[HEADER] = secret
    return app.test_client().post("/webhook/telegram", data=body, headers=headers)


def send_messages(platform: FakePlatform) -> list[dict]:
    return [c.json for c in platform.requests_to("/sendMessage")]


def test_greeting_is_answered_with_inline_buttons(app, platform) -> None:
    assert post(app, telegram_text_update("สวัสดีครับ")).status_code == 200

    [message] = send_messages(platform)
    assert message["chat_id"] == "42"
    assert "ยินดีต้อนรับ" in message["text"]
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert {"text": "ช่วยเหลือ", "callback_data": "cmd:help"} in buttons


def test_start_command_greets(app, platform) -> None:
    post(app, telegram_text_update("/start"))
    assert "ยินดีต้อนรับ" in send_messages(platform)[0]["text"]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TELEGRAM_SECRET + "x"])
def test_wrong_or_missing_secret_is_403_and_nothing_sent(app, platform, secret) -> None:
    assert post(app, telegram_text_update("สวัสดี"), secret).status_code == 403
    assert platform.calls == []


def test_same_update_twice_sends_one_message(app, platform) -> None:
    update = telegram_text_update("สวัสดี", update_id=777)
    assert post(app, update).status_code == 200
    assert post(app, update).status_code == 200
    assert len(send_messages(platform)) == 1


def test_button_press_is_answered_and_the_spinner_stopped(app, platform) -> None:
    update = {
        "update_id": 5,
        "callback_query": {
            "id": "cbq-1",
            "from": {"id": 42, "is_bot": False, "first_name": "สมชาย"},
            "message": {"message_id": 9, "date": 1, "chat": {"id": 42, "type": "private"}},
            "data": "cmd:help",
        },
    }
    assert post(app, update).status_code == 200
    assert platform.requests_to("/answerCallbackQuery")[0].json == {"callback_query_id": "cbq-1"}
    assert "วิธีใช้งาน" in send_messages(platform)[0]["text"]


def test_group_messages_and_edits_are_ignored(app, platform) -> None:
    group = telegram_text_update("สวัสดี", update_id=8)
    group["message"]["chat"]["type"] = "group"
    edited = {"update_id": 9, "edited_message": telegram_text_update("x")["message"]}
    assert post(app, group).status_code == 200
    assert post(app, edited).status_code == 200
    assert platform.calls == []


@pytest.mark.parametrize("body", [b"nope", b"{}", b'{"update_id": "1"}', b"[1]"])
def test_malformed_update_is_400(app, platform, body) -> None:
    response = post(app, body)
    assert response.status_code == 400
    assert platform.calls == []


def test_html_in_user_text_cannot_break_the_reply(app, platform) -> None:
    post(app, telegram_text_update("<b>สวัสดี</b> & <script>"))
    text = send_messages(platform)[0]["text"]
    assert "<script>" not in text


def test_telegram_without_its_secrets_is_off(tmp_path, database_url, platform, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_app
    from bot.jobs import InlineDispatcher, Jobs
    from bot.services import build_services
    from tests.support.helpers import make_settings

    settings = make_settings(tmp_path, database_url, platform.url, TELEGRAM_BOT_TOKEN="")
    services = build_services(settings, understander=shared_understander(), clock=clock)
    app = create_app(services=services, dispatcher=InlineDispatcher(Jobs(services)))
    assert post(app, telegram_text_update("สวัสดี")).status_code == 404
    assert platform.calls == []
    services.db.dispose()
