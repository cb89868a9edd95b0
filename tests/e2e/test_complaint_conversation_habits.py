"""How villagers actually answer (found by chatting with the bot as they would): typed
yeses, phones given unasked, stars typed instead of tapped, emergencies, second thoughts."""

from __future__ import annotations

from datetime import date

from flask import Flask

from bot.services import Services
from bot.ticket_office import TicketOffice
from complaints.lifecycle import StatusUpdate
from complaints.tickets import Status, TicketCode
from handlers import texts_th as th
from tests.e2e.test_complaint_dialog import POTHOLE, tickets, walk_to_summary
from tests.e2e.test_complaint_followup import the_ticket
from tests.support.dialog import Chat, LineChat
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import FakeClock


def to_contact_question(chat: Chat) -> None:
    said = chat.say(POTHOLE)
    chat.tap(said.payload("ถนน"))
    chat.say("หมู่ 3")
    chat.say("ไม่มีรูป")


def resolved(services: Services, clock: FakeClock) -> None:
    office = TicketOffice(services.db, services.outbox, clock, sla_days=15)
    office.update(TicketCode(2570, 1), StatusUpdate(Status.RESOLVED, "somchai", "ซ่อมแล้ว"))


def test_a_typed_yes_at_the_summary_files_and_never_cancels(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    walk_to_summary(chat)
    said = chat.say("เอาค่ะ")
    assert "GC-2570-00001" in said
    assert len(tickets(services)) == 1


def test_typed_answers_at_the_contact_question(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    to_contact_question(chat)
    assert th.CONTACT_PRESS_A_BUTTON in chat.say("อะไรนะคะ")  # a hint, not the same text again
    said = chat.say("ป้าแดง 08 1234 5678 ค่ะ")  # details given straight away mean yes
    assert th.SUMMARY_ASK in said
    chat.say("ยืนยันค่ะ 🙏")
    row = the_ticket(services)
    assert (row.contact_name, row.contact_phone) == ("ป้าแดง", "0812345678")


def test_emergencies_get_the_hotlines_first(
    app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say("ไฟไหม้บ้านข้างๆ ค่ะ")
    assert said.text.startswith(th.EMERGENCY_HOTLINES)
    assert "199" in said and "1669" in said


def test_keeping_ones_data_carries_on_with_the_draft(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say(POTHOLE)
    chat.tap(said.payload("ถนน"))
    asked = chat.say("ลบข้อมูลของฉัน")
    assert asked.buttons[th.LABEL_ERASE_KEEP]  # the question keeps its own buttons
    said = chat.tap(asked.payload(th.LABEL_ERASE_KEEP))
    assert th.ERASE_KEPT in said and th.COMPLAINT_RESUME in said
    said = chat.say("หน้าตลาด")  # the place question was still open
    assert "รูปถ่าย" in said


def test_a_question_beside_the_draft_reminds_where_the_citizen_was(
    app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say(POTHOLE)
    said = chat.say("เรื่องของฉัน")
    assert th.MY_TICKETS_NONE in said and th.COMPLAINT_RESUME in said
    assert "ถนน" in said.buttons  # the category question's buttons are back


def test_stars_typed_instead_of_tapped_rate_the_result(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    chat.tap(walk_to_summary(chat).payload(th.LABEL_CONFIRM))
    resolved(services, clock)
    said = chat.say("๕ ดาวครับ")
    assert "★★★★★" in said
    assert (the_ticket(services).status, the_ticket(services).rating) == ("closed", 5)


def test_not_fixed_typed_reopens_instead_of_filing_again(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    chat.tap(walk_to_summary(chat).payload(th.LABEL_CONFIRM))
    resolved(services, clock)
    said = chat.say("ยังไม่ได้แก้เลยจ้า หลุมยังอยู่")
    assert "GC-2570-00001" in said and "เปิดเรื่อง" in said
    assert len(tickets(services)) == 1
    assert the_ticket(services).status == "in_progress"


def test_a_short_first_description_is_kept_and_completed(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    chat.say("ร้องเรียน")
    assert th.DESCRIPTION_TOO_SHORT in chat.say("ถนนพัง")
    said = chat.say("หน้าบ้านเป็นหลุมลึก รถล้มสองคัน")
    assert th.ASK_CATEGORY in said
    said = chat.say("เมื่อคืนมีคนเจ็บด้วยค่ะ")  # more detail at the category question
    assert th.DESCRIPTION_ADDED in said
    chat.say("ถนนค่ะ")
    chat.say("หมู่ 4")
    chat.say("ไม่มีรูป")
    chat.say("ไม่ต้องค่ะ")
    chat.say("ยืนยัน")
    assert the_ticket(services).description == ("ถนนพัง หน้าบ้านเป็นหลุมลึก รถล้มสองคัน เมื่อคืนมีคนเจ็บด้วยค่ะ")


def test_everyday_words_pick_a_category_and_others_get_a_hint(
    app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    chat = LineChat(app, platform, clock)
    chat.say("มีกองอะไรไม่รู้ทิ้งไว้หน้าบ้านหลายวันแล้วค่ะ")
    assert th.CATEGORY_PRESS_A_BUTTON in chat.say("อะไรนะ")
    assert "เกิดขึ้นที่ไหนคะ" in chat.say("ขยะค่ะ")


def test_a_bribe_written_as_the_place_gets_the_safety_question_and_no_keeps_the_draft(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say("ไฟส่องสว่างดับทั้งซอยค่ะ มืดมาก")
    chat.tap(said.payload("แสงสว่าง"))
    place = "หน้า อบต. เจ้าหน้าที่บอกต้องจ่ายใต้โต๊ะ 500 ถึงจะมาซ่อม"
    said = chat.say(place)
    assert th.CORRUPTION_QUESTION in said
    assert tickets(services) == []
    said = chat.tap(said.payload(th.CHOICE_NO))  # "not corruption": the draft carries on
    assert "รูปถ่าย" in said  # the place was taken as the answer, next question
    chat.say("ไม่มีรูป")
    chat.say("ไม่ต้องค่ะ")
    chat.say("ยืนยัน")
    row = the_ticket(services)
    assert (row.description, row.category, row.place) == (
        "ไฟส่องสว่างดับทั้งซอยค่ะ มืดมาก",
        "lighting",
        place,
    )


def test_yes_but_at_the_summary_files_nothing(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    walk_to_summary(chat)
    assert th.CONFIRM_WAITING in chat.say("ได้ค่ะ แต่ขอแก้สถานที่ก่อน")
    assert tickets(services) == []


def test_a_lone_number_or_a_new_complaint_does_not_touch_a_waiting_result(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    chat.tap(walk_to_summary(chat).payload(th.LABEL_CONFIRM))
    resolved(services, clock)
    chat.say("2")
    said = chat.say("ไฟถนนซอย 5 ดับมาสามวันแล้ว ยังไม่ได้ซ่อม")
    assert the_ticket(services).status == "resolved"
    assert th.COMPLAINT_INTRO in said  # a new complaint, not a reopened old one


def test_going_back_to_the_description_replaces_it(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    chat.say(POTHOLE)
    chat.say("ย้อนกลับ")
    chat.say("ไฟถนนดับทั้งซอยเลยค่ะ")
    said = chat.say("แสงสว่าง")
    chat.say("ซอย 5")
    chat.say("ไม่มีรูป")
    chat.say("ไม่ต้องค่ะ")
    chat.say("ยืนยัน")
    assert the_ticket(services).description == "ไฟถนนดับทั้งซอยเลยค่ะ"
    assert "เกิดขึ้นที่ไหนคะ" in said


def test_a_number_without_a_name_asks_for_the_name(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    to_contact_question(chat)
    assert th.ASK_CONTACT_NAME in chat.say("โทร 0812345678 ได้เลย")
    assert th.SUMMARY_ASK in chat.say("ลุงมี")
    chat.say("ยืนยัน")
    row = the_ticket(services)
    assert (row.contact_name, row.contact_phone) == ("ลุงมี", "0812345678")


def test_no_one_hurt_is_no_emergency(app: Flask, platform: FakePlatform, clock: FakeClock) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say("กิ่งไม้หักขวางถนน ไม่มีคนบาดเจ็บค่ะ")
    assert th.EMERGENCY_HOTLINES not in said


def test_staff_notices_reach_the_dev_chat_at_the_next_turn(
    app: Flask, clock: FakeClock, services: Services
) -> None:
    client = app.test_client()

    def say(**body: str) -> str:
        response = client.post("/dev/chat/messages", json={"user": "web-7", **body})
        return "\n".join(r["text"] for r in response.get_json()["replies"])

    say(text=POTHOLE)
    say(postback="cx:cat:road")
    say(text="หมู่ 1")
    say(postback="cx:photos_done")
    say(postback="cx:contact_no")
    assert "GC-2570-00001" in say(postback="cx:confirm")
    TicketOffice(services.db, services.outbox, clock, sla_days=15).update(
        TicketCode(2570, 1), StatusUpdate(Status.IN_PROGRESS, "somchai", "ช่างเข้าตรวจแล้ว")
    )
    assert services.outbox.due_users() == []
    assert "ช่างเข้าตรวจแล้ว" in say(text="สวัสดีค่ะ")


def test_a_short_first_message_is_kept(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    assert th.DESCRIPTION_TOO_SHORT in chat.say("ถนนพัง")
    chat.say("หน้าบ้าน เป็นหลุมลึก")
    chat.say("ถนน")
    chat.say("ไม่ระบุสถานที่")
    chat.say("ไม่")  # no photos
    chat.say("ไม่ต้องค่ะ")
    chat.say("ยืนยัน")
    assert the_ticket(services).description == "ถนนพัง หน้าบ้าน เป็นหลุมลึก"


def test_typed_privacy_and_thanks_mid_complaint_are_answered_and_the_step_stays(
    app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    chat = LineChat(app, platform, clock)
    chat.say(POTHOLE)
    said = chat.say("ความเป็นส่วนตัว")
    assert "ความเป็นส่วนตัวของคุณ" in said and th.COMPLAINT_RESUME in said
    said = chat.say("ขอบคุณนะคะ")
    assert th.SOCIAL_ACK in said and th.ASK_CATEGORY in said


def test_a_landmark_is_a_place_and_a_service_question_is_answered_beside(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say(POTHOLE)
    chat.tap(said.payload("ถนน"))
    said = chat.say("ขอถังขยะต้องทำยังไงคะ")  # a question, not the place
    assert th.COMPLAINT_RESUME in said and "เกิดขึ้นที่ไหนคะ" in said
    said = chat.say("ซอยข้างตลาด ใกล้บ้านนายก")  # a landmark, not a corruption report
    assert "รูปถ่าย" in said
    chat.say("ไม่")
    chat.say("ไม่ต้องค่ะ")
    chat.say("ยืนยัน")
    assert the_ticket(services).place == "ซอยข้างตลาด ใกล้บ้านนายก"


def test_names_are_kept_without_the_words_around_them(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    to_contact_question(chat)
    chat.say("ให้ติดต่อกลับ")
    chat.say("ผมชื่อสมชายครับ")
    chat.say("0812345678")
    chat.say("ยืนยัน")
    assert the_ticket(services).contact_name == "สมชาย"


def test_stars_typed_while_writing_another_complaint_rate_the_result(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    chat.tap(walk_to_summary(chat).payload(th.LABEL_CONFIRM))
    resolved(services, clock)
    chat.say("ไฟถนนหน้าโรงเรียนดับมาสองคืนแล้วค่ะ มืดมาก")
    said = chat.say("สองดาว")
    assert th.RATING_LOW in said  # its own "not fixed" button is the one shown
    assert the_ticket(services).rating == 2
    said = chat.say("แสงสว่าง")  # the draft is still open at its category question
    assert "เกิดขึ้นที่ไหนคะ" in said


def test_a_date_given_ahead_of_the_deadline_is_no_apology_for_lateness(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    chat.tap(walk_to_summary(chat).payload(th.LABEL_CONFIRM))
    office = TicketOffice(services.db, services.outbox, clock, sla_days=15)
    office.update(
        TicketCode(2570, 1),
        StatusUpdate(None, "somchai", "รอท่อจากผู้รับเหมา", expected_on=date(2027, 1, 15)),
    )
    notice = chat.unread()
    assert "คาดว่าจะแล้วเสร็จภายใน 15 ม.ค. 2570" in notice
    assert "ล่าช้า" not in notice
