"""The router: state first, global commands in every state, idle timeout, then intent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.router import Router
from handlers.basic import OfficeInfo
from handlers.contract import IDLE, ConversationState, Outcome
from handlers.messages import IncomingMessage, MessageKind
from handlers.registry import build_registry
from tests.support.flows import EchoFlow
from tests.support.nlu import shared_understander

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def router() -> Router:
    registry = build_registry(OfficeInfo("อบต.ทดสอบ", "053-000000"), extra_flows=[EchoFlow()])
    return Router(registry, shared_understander(), idle_timeout=timedelta(minutes=30))


def text(value: str, received_at: datetime = NOW) -> IncomingMessage:
    return IncomingMessage("dev", "u1", MessageKind.TEXT, received_at, text=value)


def postback(value: str) -> IncomingMessage:
    return IncomingMessage("dev", "u1", MessageKind.POSTBACK, NOW, postback=value)


IN_FLOW = ConversationState(flow="echo", step="listening", data={"count": 1}, updated_at=NOW)


def test_follow_greets_with_the_office_name_and_menu() -> None:
    follow = IncomingMessage("line", "u1", MessageKind.FOLLOW, NOW)
    outcome = router().route(follow, IDLE, NOW)
    assert "อบต.ทดสอบ" in outcome.replies[0].text
    assert [q.label for q in outcome.replies[0].quick_replies] == [
        "ช่วยเหลือ",
        "ติดต่อเจ้าหน้าที่",
        "ความเป็นส่วนตัว",
    ]


@pytest.mark.parametrize("greeting", ["สวัสดี", "สวัสดีค่ะ", "หวัดดีครับ", "Hello", "hi"])
def test_greetings_get_the_greeting(greeting: str) -> None:
    assert "ยินดีต้อนรับ" in router().route(text(greeting), IDLE, NOW).replies[0].text


def test_unknown_text_gets_the_polite_fallback_with_the_menu() -> None:
    reply = router().route(text("วันนี้ฝนจะตกไหม"), IDLE, NOW).replies[0]
    assert reply.text.startswith("ขออภัยค่ะ")
    assert reply.quick_replies


def test_in_a_flow_messages_go_to_the_flow() -> None:
    outcome = router().route(text("ถนนพัง"), IN_FLOW, NOW)
    assert outcome.replies[0].text == "echo 2: ถนนพัง"
    assert outcome.state.flow == "echo" and outcome.state.updated_at == NOW


@pytest.mark.parametrize("word", ["ยกเลิก", "ยกเลิกค่ะ", " ยกเลิก ", "/cancel", "cancel"])
def test_cancel_leaves_the_flow_in_every_state(word: str) -> None:
    outcome = router().route(text(word), IN_FLOW, NOW)
    assert outcome.state == IDLE
    assert outcome.replies[0].text == "ยกเลิกเรื่องที่ค้างไว้แล้วค่ะ"


def test_cancel_button_works_too() -> None:
    assert router().route(postback("cmd:cancel"), IN_FLOW, NOW).state == IDLE


def test_cancel_with_nothing_open_says_so() -> None:
    assert router().route(text("ยกเลิก"), IDLE, NOW).replies[0].text.startswith("ตอนนี้ไม่มี")


def test_menu_inside_a_flow_closes_it_and_says_so() -> None:
    outcome = router().route(text("เมนู"), IN_FLOW, NOW)
    assert outcome.state == IDLE
    assert outcome.replies[0].text.startswith("ยกเลิก")
    assert outcome.replies[1].quick_replies


def test_help_inside_a_flow_is_the_flows_help_and_keeps_the_flow() -> None:
    outcome = router().route(text("ช่วยเหลือ"), IN_FLOW, NOW)
    assert outcome.replies[0].text == "echo help"
    assert outcome.state.flow == "echo"


def test_privacy_button_inside_a_flow_answers_and_keeps_the_flow() -> None:
    outcome = router().route(postback("cmd:privacy"), IN_FLOW, NOW)
    assert "ความเป็นส่วนตัว" in outcome.replies[0].text
    assert outcome.state.flow == "echo"


def test_idle_flow_times_out_and_the_citizen_is_told() -> None:
    later = NOW + timedelta(minutes=31)
    outcome = router().route(text("ถนนพัง", later), IN_FLOW, later)
    assert outcome.replies[0].text.startswith("เรื่องที่ทำค้างไว้หมดเวลาแล้ว")
    assert outcome.state == IDLE  # the message is then handled as a fresh one


def test_a_reply_that_arrived_in_time_still_counts_when_handled_late() -> None:
    sent = NOW + timedelta(minutes=29)
    outcome = router().route(text("ต่อ", sent), IN_FLOW, sent + timedelta(minutes=5))
    assert outcome.replies[0].text.startswith("echo 2")


def test_a_flow_within_the_timeout_continues() -> None:
    outcome = router().route(text("ต่อ", NOW + timedelta(minutes=29)), IN_FLOW, NOW)
    assert outcome.replies[0].text.startswith("echo 2")


def test_a_flow_that_no_longer_exists_is_dropped() -> None:
    stale = ConversationState(flow="removed-in-v2", step="x", updated_at=NOW)
    outcome = router().route(text("สวัสดี"), stale, NOW)
    assert "ยินดีต้อนรับ" in outcome.replies[0].text
    assert outcome.state == IDLE


def test_unfollow_forgets_any_flow_and_says_nothing() -> None:
    unfollow = IncomingMessage("line", "u1", MessageKind.UNFOLLOW, NOW)
    assert router().route(unfollow, IN_FLOW, NOW) == Outcome((), IDLE)


def test_unknown_postback_gets_the_fallback() -> None:
    assert router().route(postback("evil:'; DROP"), IDLE, NOW).replies[0].text.startswith("ขออภัย")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("อยากแจ้งว่ามีการเรียกรับเงินใต้โต๊ะ", "1205"),
        ("ขอร้องเรียนถนนพังหน้าบ้าน", "ร้องเรียน"),
        ("ขออนุญาตก่อสร้างต้องใช้เอกสารอะไร", "ข้อมูลบริการ"),
        ("ติดตามเรื่องที่แจ้งไว้", "ติดตาม"),
    ],
)
def test_features_not_yet_built_are_answered_honestly(message: str, expected: str) -> None:
    assert expected in router().route(text(message), IDLE, NOW).replies[0].text


@pytest.mark.parametrize(
    "report",
    [
        "ร้องเรียนเจ้าหน้าที่เรียกสินบน",
        "จนท.บอกว่าต้องจ่ายค่าน้ำชาสองพันถึงจะออกใบอนุญาตให้",
        "ถนนที่เพิ่งสร้างพังแล้ว ผู้รับเหมาลดสเปก นายกได้เงินทอน",
        "เจ้าหน้าที่เรียกตังค์",
        "จนท.ขอ 500 บาทถึงจะเซ็นให้",
        "ช่างขอค่าขนมก่อนมาตรวจบ้าน",
    ],
)
def test_corruption_reports_never_get_the_general_complaint_answer(report: str) -> None:
    reply = router().route(text(report), IDLE, NOW).replies[0]
    assert "ป.ป.ช." in reply.text or "เรื่องทุจริต" in reply.text
    assert "ช่องทางแชตยังรับเรื่องร้องเรียนไม่ได้" not in reply.text


def test_relative_dates_are_counted_in_thai_time() -> None:
    from bot.router import thai_date

    just_after_midnight_in_bangkok = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    assert thai_date(just_after_midnight_in_bangkok).isoformat() == "2026-11-25"
