"""Filing a general complaint by chat, as transcripts (citizen says / bot replies), through
the real webhooks, worker pipeline and database, on LINE and on Telegram."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from bot.jobs import Jobs
from bot.models import ConversationStateRow, TicketPhoto, TicketRow
from bot.services import Services
from handlers import texts_th as th
from tests.support.dialog import Chat, LineChat, Said, TelegramChat
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import FakeClock

POTHOLE = "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอเตอร์ไซค์ล้มไปสองคันแล้วค่ะ"
CODE = re.compile(r"GC-2570-\d{5}")


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(params=["line", "telegram"])
def chat(
    request: pytest.FixtureRequest, app: Flask, platform: FakePlatform, clock: FakeClock
) -> Chat:
    if request.param == "line":
        return LineChat(app, platform, clock)
    return TelegramChat(app, platform, clock)


def tickets(services: Services) -> list[TicketRow]:
    with services.db.transaction() as s:
        rows = list(s.scalars(select(TicketRow).order_by(TicketRow.id)))
        s.expunge_all()
    return rows


def photo_files(services: Services) -> list[str]:
    folder = services.settings.instance_dir / "media"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def walk_to_summary(chat: Chat) -> Said:
    """Describe → category → typed place → no photo → no contact: the summary."""
    said = chat.say(POTHOLE)
    said = chat.tap(said.payload("ถนน"))
    said = chat.say("หน้าบ้านเลขที่ 12 หมู่ 3")
    said = chat.tap(said.payload(th.LABEL_NO_PHOTO))
    return chat.tap(said.payload(th.LABEL_CONTACT_NO))


def test_a_complaint_from_first_message_to_receipt(
    chat: Chat, services: Services, platform: FakePlatform
) -> None:
    platform.media["photo-1"] = (jpeg(), "image/jpeg")

    said = chat.say(POTHOLE)  # already a description: not asked again
    assert th.ASK_CATEGORY in said
    assert th.PRIVACY_FIRST_CONTACT in said  # the first contact hears how data is used
    assert "ถนน" in said.buttons

    said = chat.tap(said.payload("ถนน"))
    assert "เกิดขึ้นที่ไหนคะ" in said
    if chat.channel == "line":
        assert said.buttons[th.LABEL_SEND_LOCATION] == "action:location"
        said = chat.send_location(14.0208, 100.5250, "ซอยวัดใหม่ หมู่ 3")
    else:  # Telegram keyboards cannot ask for a location: the hint says how to send one
        assert th.LABEL_SEND_LOCATION not in said.buttons
        assert th.ASK_PLACE_TELEGRAM_HINT in said
        said = chat.send_location(14.0208, 100.5250)
    assert "รูปถ่าย" in said

    said = chat.send_photo("photo-1")
    assert th.PHOTO_RECEIVED.format(count=1, left=2) in said
    said = chat.tap(th_payload(said, th.LABEL_PHOTOS_DONE))
    assert "ติดต่อกลับ" in said and "ลบข้อมูลของฉัน" in said  # the privacy notice first

    said = chat.tap(said.payload(th.LABEL_CONTACT_YES))
    assert th.ASK_CONTACT_NAME in said
    said = chat.say("สมศรี ใจดี")
    assert th.ASK_CONTACT_PHONE in said
    said = chat.say("081-234-5678")
    assert th.SUMMARY_ASK in said
    assert "สมศรี ใจดี" in said.text or chat.channel == "line"  # LINE: the facts are in Flex

    said = chat.tap(said.payload(th.LABEL_CONFIRM))
    assert "รับเรื่องเรียบร้อยแล้วค่ะ" in said
    assert "GC-2570-00001" in said
    assert "10 ธ.ค. 2569" in said  # 25 Nov 2569 + 15 days, in Thai with the BE year
    assert "เรื่องของฉัน" in said

    [row] = tickets(services)
    assert (row.category, row.channel, row.status) == ("road", chat.channel, "received")
    assert row.description == POTHOLE
    assert (row.latitude, row.longitude) == (14.0208, 100.5250)
    assert (row.contact_name, row.contact_phone) == ("สมศรี ใจดี", "0812345678")
    assert row.notify_recipient  # notices can reach this chat
    with services.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(TicketPhoto)) == 1
    assert len(photo_files(services)) == 1


def th_payload(said: Said, label: str) -> str:
    return said.payload(label)


def test_my_tickets_and_a_code_show_status_and_timeline(chat: Chat, services: Services) -> None:
    said = chat.tap(walk_to_summary(chat).payload(th.LABEL_CONFIRM))
    code = CODE.search(said.text)
    assert code is not None

    listing = chat.say("เรื่องของฉัน")
    assert code.group() in listing
    assert "รับเรื่องแล้ว" in listing
    assert "10 ธ.ค. 2569" in listing or chat.channel == "line"  # LINE: in the card facts

    detail = chat.say(f"ขอติดตามเรื่อง {code.group()} ค่ะ")
    assert th.TIMELINE_TITLE in detail
    assert "25 พ.ย. 2569 รับเรื่องแล้ว" in detail


def test_someone_elses_code_reveals_nothing(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    owner = LineChat(app, platform, clock, user="U" + "1" * 32)
    said = owner.tap(walk_to_summary(owner).payload(th.LABEL_CONFIRM))
    code = CODE.search(said.text)
    assert code is not None

    stranger = LineChat(app, platform, clock, user="U" + "2" * 32)
    stranger.say("สวัสดีค่ะ")  # past the first-contact notice, so the answers compare alike
    theirs = stranger.say(code.group())
    unknown = stranger.say("GC-2570-09999")
    assert th.TICKET_NOT_FOUND.format(code=code.group()) in theirs
    assert theirs.text.replace(code.group(), "X") == unknown.text.replace("GC-2570-09999", "X")
    assert POTHOLE not in theirs and "หมู่ 3" not in theirs


def test_back_goes_one_step_back_and_keeps_what_was_given(chat: Chat) -> None:
    said = chat.say(POTHOLE)
    said = chat.tap(said.payload("ถนน"))
    said = chat.say("ย้อนกลับ")
    assert th.ASK_CATEGORY in said  # the category question again
    said = chat.tap(said.payload(th.LABEL_OTHER_CATEGORIES))
    said = chat.tap(said.payload("แสงสว่าง"))
    said = chat.say("หน้าวัด")
    said = chat.tap(said.payload(th.LABEL_NO_PHOTO))
    said = chat.tap(said.payload(th.LABEL_CONTACT_NO))
    assert "แสงสว่าง" in said.text or chat.channel == "line"
    assert th.SUMMARY_ASK in said


def test_back_on_the_first_question_says_so(chat: Chat) -> None:
    chat.say("ร้องเรียน")
    said = chat.say("ย้อนกลับ")
    assert th.FIRST_STEP in said
    assert th.ASK_DESCRIPTION in said


def test_edit_from_the_summary_changes_one_part_and_returns(chat: Chat, services: Services) -> None:
    summary = walk_to_summary(chat)
    said = chat.tap(summary.payload(th.LABEL_EDIT))
    assert th.ASK_WHAT_TO_EDIT in said
    said = chat.tap(said.payload(th.LABEL_EDIT_PLACE))
    said = chat.say("ปากซอยเทศบาล 7")
    assert th.SUMMARY_ASK in said  # straight back to the summary, not the next steps
    chat.tap(said.payload(th.LABEL_CONFIRM))
    [row] = tickets(services)
    assert row.place == "ปากซอยเทศบาล 7"


def test_cancel_at_any_step_files_nothing_and_drops_the_photos(
    chat: Chat, services: Services, platform: FakePlatform
) -> None:
    platform.media["photo-2"] = (jpeg("blue"), "image/jpeg")
    said = chat.say(POTHOLE)
    said = chat.tap(said.payload("ถนน"))
    chat.say("หน้าโรงเรียน")
    chat.send_photo("photo-2")
    assert len(photo_files(services)) == 1
    said = chat.say("ยกเลิก")
    assert th.CANCELLED in said
    assert tickets(services) == []
    assert photo_files(services) == []


def test_an_idle_complaint_expires_and_the_citizen_is_told(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    said = chat.say(POTHOLE)
    chat.tap(said.payload("ถนน"))
    clock.advance(minutes=services.settings.idle_timeout_minutes + 1)
    said = chat.say("หน้าบ้านเลขที่ 12")
    assert th.FLOW_TIMED_OUT in said
    assert tickets(services) == []


def test_an_abandoned_complaint_is_reported_unsent_by_the_sweep(
    chat: Chat, services: Services, clock: FakeClock, jobs: Jobs
) -> None:
    said = chat.say(POTHOLE)
    chat.tap(said.payload("ถนน"))
    clock.advance(minutes=services.settings.idle_timeout_minutes + 1)
    jobs.sweep()
    assert chat.unread().text == ""  # a reply may still be on its way: a short grace
    clock.advance(minutes=5)
    jobs.sweep()
    jobs.sweep()  # once only
    pushed = chat.unread()
    assert pushed.text.count(th.UNSENT_TIMED_OUT) == 1
    assert POTHOLE not in every_state(services)  # the draft and chat id are gone
    said = chat.say("สวัสดีค่ะ")
    assert th.FLOW_TIMED_OUT not in said  # told already, not again


def every_state(services: Services) -> str:
    with services.db.transaction() as s:
        return str(list(s.execute(select(ConversationStateRow.data, ConversationStateRow.flow))))


def test_confirming_twice_files_one_ticket(chat: Chat, services: Services) -> None:
    confirm = walk_to_summary(chat).payload(th.LABEL_CONFIRM)
    first = chat.tap(confirm)
    again = chat.tap(confirm)  # a double tap, or the old button later
    assert "GC-2570-00001" in first
    assert th.COMPLAINT_STALE_BUTTON in again
    assert len(tickets(services)) == 1


def test_a_possible_corruption_report_is_asked_about_before_filing(
    chat: Chat, services: Services
) -> None:
    chat.say("ร้องเรียน")
    said = chat.say("เจ้าหน้าที่กองช่างเรียกเงินใต้โต๊ะ 5000 บาทถึงจะมาซ่อมถนนให้")
    assert th.CORRUPTION_QUESTION in said
    said = chat.tap(said.payload(th.CHOICE_NO))
    assert th.ASK_CATEGORY in said  # "no": the same text carries on as a general complaint
    assert tickets(services) == []


def test_photos_that_are_not_images_are_refused_politely(
    chat: Chat, platform: FakePlatform, services: Services
) -> None:
    platform.media["fake-photo"] = (b"%PDF-1.4 not an image", "image/jpeg")
    said = chat.say(POTHOLE)
    said = chat.tap(said.payload("ถนน"))
    chat.say("หน้าบ้าน")
    said = chat.send_photo("fake-photo")
    assert th.PHOTO_NOT_AN_IMAGE in said
    assert photo_files(services) == []


def test_stickers_and_odd_input_inside_the_flow_get_the_question_again(
    app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say(POTHOLE)
    chat.tap(said.payload("ถนน"))
    said = chat.tap("cx:cat:not-a-category")  # a forged or outdated button
    said = chat.say("'; DROP TABLE tickets; --")  # any text is a place: stored as text
    assert "รูปถ่าย" in said
    said = chat.say("🙂🙂🙂")
    assert th.PHOTO_WAITING in said


def test_the_privacy_notice_comes_once(chat: Chat) -> None:
    assert th.PRIVACY_FIRST_CONTACT in chat.say("สวัสดีค่ะ")
    assert th.PRIVACY_FIRST_CONTACT not in chat.say("เมนู")


def test_a_photo_outside_a_complaint_is_never_fetched(
    chat: Chat, services: Services, platform: FakePlatform
) -> None:
    platform.media["stray"] = (jpeg(), "image/jpeg")
    chat.send_photo("stray")  # idle: nothing asks for photos
    chat.say("ขอถังขยะต้องทำยังไงคะ")  # an answer that keeps its context open
    chat.send_photo("stray")
    assert platform.requests_to("/stray/content") + platform.requests_to("/getFile") == []
    assert photo_files(services) == []


def test_a_fourth_photo_is_refused_and_not_kept(
    chat: Chat, services: Services, platform: FakePlatform
) -> None:
    for n in range(4):
        platform.media[f"p{n}"] = (jpeg(), "image/jpeg")
    said = chat.say(POTHOLE)
    said = chat.tap(said.payload("ถนน"))
    chat.say("หน้าตลาด")
    for n in range(3):
        said = chat.send_photo(f"p{n}")
    assert th.PHOTO_LIMIT_REACHED.format(max=3) in said  # and on to the contact question
    said = chat.send_photo("p3")  # fetched ahead of the turn, then not taken: deleted
    assert th.PHOTO_TOO_MANY.format(max=3) in said
    assert len(photo_files(services)) == 3
