"""Service questions, as (citizen says, bot replies) turns through the real router."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.router import Router
from handlers.basic import OfficeInfo
from handlers.contract import IDLE, ConversationState, Outcome
from handlers.messages import IncomingMessage, MessageKind
from handlers.registry import build_registry
from knowledge.store import KnowledgeBase
from tests.support.helpers import KNOWLEDGE_FIXTURE
from tests.support.nlu import shared_understander

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def router() -> Router:
    registry = build_registry(
        OfficeInfo("อบต.ทดสอบ", "0-5300-0000"), knowledge=KnowledgeBase(KNOWLEDGE_FIXTURE)
    )
    return Router(registry, shared_understander(), idle_timeout=timedelta(minutes=30))


class Chat:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.state = IDLE

    def say(self, text: str) -> Outcome:
        return self._send(IncomingMessage("dev", "u1", MessageKind.TEXT, NOW, text=text))

    def tap(self, payload: str) -> Outcome:
        return self._send(IncomingMessage("dev", "u1", MessageKind.POSTBACK, NOW, postback=payload))

    def _send(self, message: IncomingMessage) -> Outcome:
        outcome = self.router.route(message, self.state, NOW)
        self.state = outcome.state
        return outcome


def test_a_clear_question_is_answered_with_a_card_and_a_link_to_the_form(router: Router) -> None:
    outcome = Chat(router).say("ขอถังขยะต้องทำยังไงคะ")
    [card] = outcome.replies[0].cards
    assert card.title == "ขอรับถังขยะ"
    assert ("ระยะเวลา", "ภายใน 7 วันทำการ") in card.facts
    assert card.buttons[0].url == "https://test-sao.example/forms/garbage-bin"
    assert outcome.tallies == ("knowledge:eservice.garbage-bin",)


def test_follow_ups_are_answered_from_the_entry_just_discussed(router: Router) -> None:
    chat = Chat(router)
    chat.say("ขอถังขยะต้องทำยังไงคะ")
    documents = chat.say("ต้องใช้เอกสารอะไรบ้าง").replies[0].text
    assert documents.startswith("ขอรับถังขยะ – เอกสารที่ต้องใช้") and "รูปถ่ายหน้าบ้าน" in documents
    assert "ภายใน 7 วันทำการ" in chat.say("กี่วันคะ").replies[0].text
    assert "ไม่มีค่าธรรมเนียม" in chat.say("ค่าธรรมเนียมเท่าไหร่").replies[0].text


def test_follow_up_buttons_answer_one_aspect_of_the_manual(router: Router) -> None:
    chat = Chat(router)
    chat.tap("kb:manual.building-permit")
    steps = chat.tap("kbq:steps").replies[0].text.splitlines()
    assert steps[1:] == [
        "1. ยื่นคำขอและตรวจเอกสาร (1 วัน, กองช่าง)",
        "2. ตรวจสถานที่และพิจารณาแบบ (40 วัน, กองช่าง)",
        "3. ลงนามใบอนุญาต (4 วัน, นายก อบต.)",
    ]
    fees = chat.tap("kbq:fees").replies[0].text
    assert "ค่าธรรมเนียมใบอนุญาตก่อสร้าง: 20 บาท" in fees


def test_a_follow_up_about_another_entry_answers_that_entry(router: Router) -> None:
    chat = Chat(router)
    chat.say("ขอถังขยะต้องทำยังไงคะ")
    replies = chat.say("ขออนุญาตสร้างบ้านใช้เวลากี่วัน").replies
    assert replies[0].cards[0].title == "ขออนุญาตก่อสร้างอาคาร"
    answer = replies[1].text
    assert answer.startswith("ขออนุญาตก่อสร้างอาคาร – ระยะเวลา") and "รวม 45 วัน" in answer
    assert chat.state.data == {"entry": "manual.building-permit"}


def test_something_else_after_an_answer_is_handled_as_a_new_message(router: Router) -> None:
    chat = Chat(router)
    chat.say("ขอถังขยะต้องทำยังไงคะ")
    assert "ยินดีต้อนรับ" in chat.say("สวัสดีค่ะ").replies[0].text
    assert chat.state == IDLE


def test_a_weak_match_offers_the_top_entries_to_choose_from(router: Router) -> None:
    reply = Chat(router).say("อบต.มีบริการอะไรบ้าง").replies[0]
    assert reply.text == "หมายถึงเรื่องไหนคะ เลือกได้เลยค่ะ"
    assert [q.payload for q in reply.quick_replies][:2] == [
        "kb:info.no-gift-policy",
        "kb:eservice.garbage-bin",
    ]


def test_an_aspect_asked_with_no_topic_asks_which_service(router: Router) -> None:
    reply = Chat(router).say("ค่าธรรมเนียมเท่าไหร่").replies[0]
    assert reply.text.startswith("สอบถามเรื่องบริการไหนคะ")
    assert reply.quick_replies[0].payload == "kb:eservice.garbage-bin"


def test_no_match_says_so_and_offers_the_catalogue_or_a_person(router: Router) -> None:
    chat = Chat(router)  # a service question with nothing in common with the catalogue
    chat.state = ConversationState("clarify", "unsure", {"text": "zzz qqq"}, NOW)
    reply = chat.tap("intent:service_info").replies[0]
    assert reply.text.startswith("ขออภัยค่ะ ยังไม่พบข้อมูลเรื่องนี้ในคู่มือบริการของอบต.ทดสอบ")
    assert [q.payload for q in reply.quick_replies] == ["cmd:services", "cmd:contact"]


def test_the_catalogue_lists_every_entry(router: Router) -> None:
    reply = Chat(router).say("บริการ").replies[0]
    assert [q.payload for q in reply.quick_replies] == [
        "kb:eservice.garbage-bin",
        "kb:manual.building-permit",
        "kb:info.no-gift-policy",
    ]


def test_the_menu_offers_the_services_first(router: Router) -> None:
    menu = Chat(router).say("เมนู").replies[0]
    assert menu.quick_replies[0].payload == "cmd:services"


def test_an_info_entry_shows_its_body_and_facts(router: Router) -> None:
    [card] = Chat(router).say("ให้ของขวัญเจ้าหน้าที่ได้ไหม").replies[0].cards
    assert card.body.startswith("อบต.ทดสอบ ประกาศนโยบายไม่รับของขวัญ")
    assert card.facts == (("แจ้งเบาะแส", "โทร 0-5300-0000"),)


def test_an_entry_removed_since_the_button_was_sent_is_explained(router: Router) -> None:
    reply = Chat(router).tap("kb:eservice.removed").replies[0]
    assert reply.text.startswith("ขออภัยค่ะ ข้อมูลเรื่องนี้ถูกปรับปรุงหรือนำออกแล้ว")


def test_a_follow_up_context_for_a_removed_entry_lets_the_message_through(router: Router) -> None:
    chat = Chat(router)
    chat.state = ConversationState("service_info", "answered", {"entry": "gone"}, NOW)
    assert "ยินดีต้อนรับ" in chat.say("สวัสดีครับ").replies[0].text


def test_a_tap_on_an_unknown_aspect_is_handled_as_a_fresh_message(router: Router) -> None:
    chat = Chat(router)
    chat.say("ขอถังขยะต้องทำยังไงคะ")
    outcome = chat.tap("kbq:nonsense")
    assert outcome.replies[0].text.startswith("ขออภัยค่ะ ฉันยังไม่เข้าใจ")
    assert outcome.tallies == ()


def test_a_follow_up_naming_another_topic_is_not_answered_from_this_entry(router: Router) -> None:
    chat = Chat(router)
    chat.say("ขอถังขยะต้องทำยังไงคะ")
    replies = chat.say("สร้างบ้านต้องจ่ายค่าธรรมเนียมกี่บาท").replies
    assert not any("ขอรับถังขยะ" in r.text for r in replies)


def test_follow_ups_do_not_count_again_for_the_monthly_report(router: Router) -> None:
    chat = Chat(router)
    assert chat.say("ขอถังขยะต้องทำยังไงคะ").tallies == ("knowledge:eservice.garbage-bin",)
    assert chat.say("ต้องใช้เอกสารอะไรบ้าง").tallies == ()


def test_an_answer_is_context_not_a_task(router: Router) -> None:
    chat = Chat(router)
    chat.say("ขอถังขยะต้องทำยังไงคะ")
    later = router.route(
        IncomingMessage("dev", "u1", MessageKind.TEXT, NOW, text="สวัสดีค่ะ"),
        chat.state,
        NOW + timedelta(hours=2),
    )
    assert not later.replies[0].text.startswith("เรื่องที่ทำค้างไว้หมดเวลา")
    assert chat.say("ยกเลิก").replies[0].text == "ตอนนี้ไม่มีเรื่องที่ค้างอยู่ค่ะ"


def test_the_catalogue_pages_when_there_are_more_entries_than_buttons() -> None:
    from handlers.service_info import catalogue
    from knowledge.store import KnowledgeBase

    loaded = KnowledgeBase().current()  # the 22 sample entries
    first = catalogue(loaded)
    assert len(first.quick_replies) == 13 and first.quick_replies[-1].payload == "kbp:1"
    second = catalogue(loaded, 1)
    shown = {q.payload for q in first.quick_replies[:12]} | {
        q.payload for q in second.quick_replies if q.payload.startswith("kb:")
    }
    assert len(shown) == len(loaded.content.entries)
    assert all(len(q.label) <= 20 for q in first.quick_replies + second.quick_replies)


def test_an_info_entry_is_answered_by_its_card_alone(router: Router) -> None:
    replies = Chat(router).say("นโยบายไม่รับของขวัญ ติดต่อที่ไหน").replies
    assert len(replies) == 1 and replies[0].cards


def test_a_bare_where_question_after_an_answer_stays_with_that_entry(router: Router) -> None:
    chat = Chat(router)
    chat.tap("kb:manual.building-permit")
    answer = chat.say("ยื่นที่ไหนคะ").replies[0].text
    assert answer.startswith("ขออนุญาตก่อสร้างอาคาร – สถานที่และเวลายื่น")
    assert "กองช่าง อบต.ทดสอบ" in answer
