"""Ask instead of guessing, and never file a possible corruption report elsewhere unasked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.router import Router
from handlers.basic import OfficeInfo
from handlers.contract import IDLE, ConversationState
from handlers.messages import IncomingMessage, MessageKind
from handlers.registry import build_registry
from tests.support.nlu import ScriptedUnderstander, scripted

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
UNSURE = "ขยะเยอะมากช่วยด้วย"
SIGNAL = "เจ้าหน้าที่ขอค่าน้ำชาก่อนซ่อมถนน"

SCRIPT = {
    UNSURE: scripted("complaint_general", 0.45, "service_info", 0.40),
    SIGNAL: scripted(
        "complaint_general", 0.80, "complaint_corruption", 0.15, corruption_signal=True
    ),
    "ขอถามหน่อย": scripted("other", 0.40, "greeting", 0.35),
}


def router() -> Router:
    registry = build_registry(OfficeInfo("อบต.ทดสอบ", "053-000000"))
    return Router(registry, ScriptedUnderstander(SCRIPT), idle_timeout=timedelta(minutes=30))


def text(value: str) -> IncomingMessage:
    return IncomingMessage("dev", "u1", MessageKind.TEXT, NOW, text=value)


def tap(payload: str) -> IncomingMessage:
    return IncomingMessage("dev", "u1", MessageKind.POSTBACK, NOW, postback=payload)


def test_an_unsure_guess_is_a_question_with_the_top_choices() -> None:
    outcome = router().route(text(UNSURE), IDLE, NOW)
    reply = outcome.replies[0]
    assert reply.text.startswith("ขอถามให้แน่ใจ")
    assert [q.payload for q in reply.quick_replies] == [
        "intent:complaint_general",
        "intent:service_info",
        "intent:other",
    ]
    assert outcome.state.flow == "clarify" and outcome.state.data["text"] == UNSURE


def test_the_choice_handles_the_original_message_as_that_intent() -> None:
    asked = router().route(text(UNSURE), IDLE, NOW).state
    outcome = router().route(tap("intent:service_info"), asked, NOW)
    assert "ข้อมูลบริการ" in outcome.replies[0].text
    assert outcome.state == IDLE


def test_unsure_between_small_talk_intents_just_answers() -> None:
    outcome = router().route(text("ขอถามหน่อย"), IDLE, NOW)
    assert outcome.state == IDLE
    assert not outcome.replies[0].text.startswith("ขอถามให้แน่ใจ")


def test_a_new_message_instead_of_a_choice_is_handled_afresh() -> None:
    asked = router().route(text(UNSURE), IDLE, NOW).state
    outcome = router().route(text("สวัสดีค่ะ"), asked, NOW)
    assert "ยินดีต้อนรับ" in outcome.replies[0].text
    assert outcome.state == IDLE


def test_corruption_signals_on_another_track_ask_about_the_confidential_channel() -> None:
    outcome = router().route(text(SIGNAL), IDLE, NOW)
    reply = outcome.replies[0]
    assert "ทุจริต" in reply.text
    assert [q.payload for q in reply.quick_replies] == [
        "intent:complaint_corruption",
        "intent:complaint_general",
    ]


def test_choosing_the_confidential_channel_goes_to_the_corruption_track() -> None:
    asked = router().route(text(SIGNAL), IDLE, NOW).state
    outcome = router().route(tap("intent:complaint_corruption"), asked, NOW)
    assert "1205" in outcome.replies[0].text


def test_declining_the_confidential_channel_goes_to_the_general_track_without_asking_again() -> (
    None
):
    asked = router().route(text(SIGNAL), IDLE, NOW).state
    outcome = router().route(tap("intent:complaint_general"), asked, NOW)
    assert "ร้องเรียน" in outcome.replies[0].text
    assert "1205" not in outcome.replies[0].text


def test_a_choice_tapped_long_after_the_question_still_works() -> None:
    outcome = router().route(tap("intent:complaint_corruption"), IDLE, NOW)
    assert "1205" in outcome.replies[0].text


def test_a_choice_does_not_break_into_another_open_flow() -> None:
    open_flow = ConversationState(flow="nonexistent-now", step="x", updated_at=NOW)
    outcome = router().route(tap("intent:not-an-intent"), open_flow, NOW)
    assert outcome.replies[0].text.startswith("ขออภัย")


def test_a_button_from_an_older_question_cannot_skip_the_safety_question() -> None:
    older = router().route(text(UNSURE), IDLE, NOW).state
    newer = ConversationState("clarify", step="unsure", data={"text": SIGNAL}, updated_at=NOW)
    assert older.step == "unsure"
    outcome = router().route(tap("intent:complaint_general"), newer, NOW)
    assert outcome.replies[0].text.startswith("ข้อความนี้อาจเกี่ยวกับการทุจริต")


def test_a_typed_yes_to_the_safety_question_chooses_the_confidential_channel() -> None:
    asked = router().route(text(SIGNAL), IDLE, NOW).state
    assert "1205" in router().route(text("ใช่ค่ะ"), asked, NOW).replies[0].text


def test_a_typed_no_to_the_safety_question_keeps_the_classified_track() -> None:
    asked = router().route(text(SIGNAL), IDLE, NOW).state
    reply = router().route(text("ไม่ใช่ครับ"), asked, NOW).replies[0]
    assert "ร้องเรียน" in reply.text and "1205" not in reply.text


def test_the_understanding_never_shows_the_text_or_personal_numbers_in_its_repr() -> None:
    from tests.support.nlu import shared_understander

    understood = shared_understander().understand("เจ้าหน้าที่เรียกเงิน โทรหาผม 081-234-5678", NOW.date())
    shown = repr(understood)
    assert "0812345678" not in shown and "234-5678" not in shown and "โทรหาผม" not in shown


def test_a_polite_particle_alone_is_a_yes_to_the_safety_question() -> None:
    asked = router().route(text(SIGNAL), IDLE, NOW).state
    assert "1205" in router().route(text("ครับ"), asked, NOW).replies[0].text


def test_an_unclear_short_reply_gets_the_safety_question_again() -> None:
    asked = router().route(text(SIGNAL), IDLE, NOW).state
    outcome = router().route(text("ไม่แน่ใจ"), asked, NOW)
    assert outcome.replies[0].text.startswith("ขอโทษค่ะ ขอถามอีกครั้ง")
    assert outcome.state == asked
    assert [q.payload for q in outcome.replies[0].quick_replies] == [
        "intent:complaint_corruption",
        "intent:complaint_general",
    ]


def test_cancel_while_a_question_is_open_says_it_was_cancelled() -> None:
    asked = router().route(text(SIGNAL), IDLE, NOW).state
    outcome = router().route(text("ยกเลิก"), asked, NOW)
    assert outcome.replies[0].text == "ยกเลิกเรื่องที่ค้างไว้แล้วค่ะ"
    assert outcome.state == IDLE
