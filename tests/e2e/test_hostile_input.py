"""Whatever JSON arrives, properly signed, the answer is 200 or 400: never a 500."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.jobs import InlineDispatcher, Jobs
from bot.services import build_services
from handlers.commands import parse_command
from handlers.messages import IncomingMessage, MessageKind
from tests.support.helpers import (
    TELEGRAM_SECRET,
    FakeClock,
    line_signature,
    line_text_event,
    make_settings,
    telegram_text_update,
)
from tests.support.nlu import shared_understander

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory, platform, sqlite_template):  # type: ignore[no-untyped-def]
    import shutil

    tmp = tmp_path_factory.mktemp("hostile")
    shutil.copy(sqlite_template, tmp / "siang.db")
    services = build_services(
        make_settings(tmp, f"sqlite:///{tmp / 'siang.db'}", platform.url),
        clock=FakeClock(),
        understander=shared_understander(),
    )
    app = create_app(services=services, dispatcher=InlineDispatcher(Jobs(services)))
    yield app
    services.db.dispose()


LINE_FIELDS = [
    "type",
    "mode",
    "timestamp",
    "source",
    "webhookEventId",
    "replyToken",
    "message",
    "postback",
    "deliveryContext",
]
MESSAGE_FIELDS = ["type", "text", "id", "latitude", "longitude", "address", "title"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field=st.sampled_from(LINE_FIELDS),
    message_field=st.sampled_from(MESSAGE_FIELDS),
    value=json_values,
    message_value=json_values,
    number=st.integers(0, 10**6),
)
def test_line_events_with_odd_values(
    hostile_app, field, message_field, value, message_value, number
) -> None:  # type: ignore[no-untyped-def]
    event = line_text_event("สวัสดี", event_id=f"fuzz-{number}")
    event[field] = value
    if isinstance(event.get("message"), dict):
        event["message"][message_field] = message_value
    body = json.dumps({"destination": "U0", "events": [event]}).encode()
    response = hostile_app.test_client().post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    assert response.status_code in {200, 400}, response.get_data(as_text=True)


TELEGRAM_PATHS = [
    ("message",),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "date"),
    ("message", "text"),
    ("message", "photo"),
    ("message", "location"),
    ("callback_query",),
    ("my_chat_member",),
    ("update_id",),
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(TELEGRAM_PATHS), value=json_values, number=st.integers(0, 10**6))
def test_telegram_updates_with_odd_values(hostile_app, path, value, number) -> None:  # type: ignore[no-untyped-def]
    update = telegram_text_update("สวัสดี", update_id=number)
    target = update
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    response = hostile_app.test_client().post(
        "/webhook/telegram",
        data=json.dumps(update).encode(),
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert response.status_code in {200, 400}, response.get_data(as_text=True)


def test_callback_queries_of_odd_shapes(hostile_app) -> None:  # type: ignore[no-untyped-def]
    shapes = [
        {"id": "q", "from": "nobody", "message": "x", "data": "cmd:help"},
        {"from": {"id": 1}, "data": "cmd:help"},  # no id
        {"id": {"a": 1}, "from": {"id": 1}, "data": ["cmd:help"]},
        {"id": "q", "message": {"chat": ["private"]}, "from": {"id": True}},
    ]
    for number, query in enumerate(shapes):
        body = json.dumps({"update_id": 900 + number, "callback_query": query}).encode()
        response = hostile_app.test_client().post(
            "/webhook/telegram",
            data=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )
        assert response.status_code in {200, 400}


@pytest.mark.parametrize("update_id", [10**70, -1, True, 1.5])
def test_absurd_update_ids_are_400(hostile_app, update_id) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps(telegram_text_update("x") | {"update_id": update_id}).encode()
    response = hostile_app.test_client().post(
        "/webhook/telegram",
        data=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert response.status_code == 400


def test_a_long_run_of_punctuation_does_not_hang_command_parsing() -> None:
    """The old pattern backtracked exponentially: 50 characters took hours."""
    from datetime import UTC, datetime

    done = threading.Event()
    text = "ช่วยด้วย" + "!" * 60 + " ด่วน"

    def parse() -> None:
        parse_command(IncomingMessage("dev", "u", MessageKind.TEXT, datetime.now(UTC), text=text))
        parse_command(
            IncomingMessage("dev", "u", MessageKind.TEXT, datetime.now(UTC), text="เมนู" + "!" * 30)
        )
        done.set()

    threading.Thread(target=parse, daemon=True).start()
    assert done.wait(timeout=10), "command parsing hung"


@pytest.mark.parametrize("text", ["เมนู!!!", "เมนูค่ะ", "ช่วยเหลือหน่อยนะคะ", "  ยกเลิก ครับ  "])
def test_command_words_with_polite_endings_still_work(text: str) -> None:
    from datetime import UTC, datetime

    message = IncomingMessage("dev", "u", MessageKind.TEXT, datetime.now(UTC), text=text)
    assert parse_command(message) is not None
