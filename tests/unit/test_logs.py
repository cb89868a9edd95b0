"""Logs are JSON, carry a request id and never a raw user id or message text."""

from __future__ import annotations

import json
import logging

from bot.logs import JsonFormatter, UserHasher, log


def test_user_refs_are_keyed_stable_and_do_not_contain_the_id() -> None:
    hasher = UserHasher("k" * 32)
    ref = hasher.ref("line", "U1234567890abcdef")
    assert ref == hasher.ref("line", "U1234567890abcdef")
    assert ref != UserHasher("other-key" * 4).ref("line", "U1234567890abcdef")
    assert ref != hasher.ref("telegram", "U1234567890abcdef")
    assert "U1234567890abcdef" not in ref


def test_exception_values_are_not_logged_only_their_type(caplog) -> None:  # type: ignore[no-untyped-def]
    logger = logging.getLogger("t")
    try:
        raise ValueError("เบอร์ 0812345678")
    except ValueError:
        record = logger.makeRecord("t", logging.ERROR, __file__, 1, "failed", (), None)
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "0812345678" not in line
    assert json.loads(line)["error"] == "ValueError"


def test_structured_fields_are_in_the_json(caplog) -> None:  # type: ignore[no-untyped-def]
    logger = logging.getLogger("siang.test")
    with caplog.at_level(logging.INFO, logger="siang.test"):
        log(logger, logging.INFO, "event handled", event_id=7)
    entry = json.loads(JsonFormatter().format(caplog.records[0]))
    assert entry["event_id"] == 7 and entry["msg"] == "event handled" and "request_id" in entry


def test_handling_a_message_logs_no_text_or_user_id(app, platform, caplog) -> None:  # type: ignore[no-untyped-def]
    from tests.support.helpers import line_body, line_signature, line_text_event

    user = "U" + "f" * 32
    body = line_body(line_text_event("เบอร์ผม 0812345678 ชื่อสมชาย", user=user))
    with caplog.at_level(logging.DEBUG):
        app.test_client().post(
            "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
        )
    formatter = JsonFormatter()
    everything = "\n".join(formatter.format(r) for r in caplog.records)
    assert "event handled" in everything
    for secret in (user, "0812345678", "สมชาย", "reply-token-1"):
        assert secret not in everything
