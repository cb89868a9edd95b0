"""After filing: the result's rating, "not fixed" reopening the ticket, and PDPA erasure
that leaves no personal data anywhere in the database while the ticket stays counted."""

from __future__ import annotations

import io

from flask import Flask
from PIL import Image
from sqlalchemy import MetaData, select, update

from bot.models import TicketEventRow, TicketRow
from bot.services import Services
from bot.ticket_office import TicketOffice
from complaints.lifecycle import StatusUpdate
from complaints.tickets import Status, TicketCode
from handlers import texts_th as th
from handlers.commands import not_fixed_payload, rate_payload
from tests.support.dialog import Chat, LineChat, TelegramChat
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import FakeClock

NAME = "ประภาพรรณ ทดสอบลบ"
PHONE = "0891112233"
DESCRIPTION = "น้ำประปาไม่ไหลมาสามวันแล้วค่ะ บ้านเลขที่ 99 หมู่ 4"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(out, "JPEG")
    return out.getvalue()


def file_with_contact(chat: Chat, platform: FakePlatform) -> str:
    platform.media["erase-photo"] = (jpeg(), "image/jpeg")
    said = chat.say(DESCRIPTION)
    said = chat.tap(said.payload("ประปา") if "ประปา" in said.buttons else "cx:cat:water_supply")
    said = chat.say(f"บ้านเลขที่ 99 หมู่ 4 โทรเรียกได้ที่ {PHONE}")
    chat.send_photo("erase-photo")
    said = chat.tap("cx:photos_done")
    said = chat.tap("cx:contact_yes")
    chat.say(NAME)
    said = chat.say(PHONE)
    said = chat.tap("cx:confirm")
    assert "GC-2570-00001" in said, said
    return "GC-2570-00001"


def resolve(services: Services, note: str = "ซ่อมท่อประปาเรียบร้อยแล้ว") -> None:
    """What staff do with `siang tickets update --status resolved` (tested on its own)."""
    now = services.clock.now()
    with services.db.transaction() as s:
        ticket = s.scalars(select(TicketRow)).one()
        s.execute(
            update(TicketRow)
            .where(TicketRow.id == ticket.id)
            .values(status="resolved", finished_at=now, status_changed_at=now)
        )
        s.add(
            TicketEventRow(
                ticket_id=ticket.id, at=now, status="resolved", actor="staff", public_note=note
            )
        )


def the_ticket(services: Services) -> TicketRow:
    with services.db.transaction() as s:
        row = s.scalars(select(TicketRow)).one()
        s.expunge(row)
    return row


def test_a_rating_closes_the_resolved_ticket(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    code = file_with_contact(chat, platform)
    early = chat.tap(rate_payload(code, 5))
    assert th.RATING_NOT_OPEN.format(code=code) in early  # nothing to rate yet

    resolve(services)
    detail = chat.say(code)
    assert "ซ่อมท่อประปาเรียบร้อยแล้ว" in detail
    assert detail.buttons["5 ★"] == rate_payload(code, 5)

    said = chat.tap(rate_payload(code, 4))
    assert th.RATING_THANKS.format(stars="★★★★", code=code) in said
    row = the_ticket(services)
    assert (row.status, row.rating) == ("closed", 4)
    again = chat.tap(rate_payload(code, 1))  # the old button, tapped again
    assert th.RATING_NOT_OPEN.format(code=code) in again
    assert the_ticket(services).rating == 4


def test_staff_progress_and_result_reach_the_chat_and_the_rating_closes_it(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = TelegramChat(app, platform, clock)
    code = file_with_contact(chat, platform)
    office = TicketOffice(services.db, services.outbox, clock, sla_days=15)
    ticket_code = TicketCode.parse(code)

    office.update(ticket_code, StatusUpdate(Status.IN_PROGRESS, "somchai", "ช่างนัดเข้าตรวจพรุ่งนี้"))
    progress = chat.unread()
    assert code in progress and "ช่างนัดเข้าตรวจพรุ่งนี้" in progress

    office.update(
        ticket_code,
        StatusUpdate(Status.RESOLVED, "somchai", "เปลี่ยนท่อแล้ว", internal_note="ค่าท่อ 350 บาท"),
    )
    result = chat.unread()
    assert "เปลี่ยนท่อแล้ว" in result and "ค่าท่อ" not in result  # internal notes stay inside
    said = chat.tap(result.payload("4"))
    assert th.RATING_THANKS.format(stars="★★★★", code=code) in said
    assert (the_ticket(services).status, the_ticket(services).rating) == ("closed", 4)


def test_not_fixed_reopens_with_a_fresh_deadline(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = TelegramChat(app, platform, clock)
    code = file_with_contact(chat, platform)
    clock.advance(days=20)
    resolve(services)
    said = chat.tap(not_fixed_payload(code))
    assert th.REOPENED.format(code=code, expected="30 ธ.ค. 2569") in said  # 15 Dec + 15 days
    row = the_ticket(services)
    assert (row.status, row.finished_at, row.extended_to.isoformat()) == (
        "in_progress",
        None,
        "2026-12-30",
    )
    assert th.REOPEN_NOT_POSSIBLE.format(code=code) in chat.tap(not_fixed_payload(code))


def test_someone_else_cannot_rate_or_reopen_a_ticket(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    code = file_with_contact(LineChat(app, platform, clock), platform)
    resolve(services)
    stranger = LineChat(app, platform, clock, user="U" + "7" * 32)
    assert th.RATING_NOT_OPEN.format(code=code) in stranger.tap(rate_payload(code, 1))
    assert th.REOPEN_NOT_POSSIBLE.format(code=code) in stranger.tap(not_fixed_payload(code))
    assert the_ticket(services).status == "resolved"


def every_value_in_the_database(services: Services) -> str:
    """A dump of every row of every table, as one string to search."""
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    parts: list[str] = []
    with services.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(table.select()):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_erasure_leaves_no_personal_data_behind_and_keeps_the_ticket_counted(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    user = "U" + "e" * 32
    chat = LineChat(app, platform, clock, user=user)
    file_with_contact(chat, platform)
    dump = every_value_in_the_database(services)
    assert NAME in dump and PHONE in dump and user in dump  # the test can see them

    said = chat.say("ลบข้อมูลของฉัน")
    assert th.ERASE_ASK in said
    said = chat.tap(said.payload(th.LABEL_ERASE_CONFIRM))
    assert th.ERASED.format(count=1) in said

    dump = every_value_in_the_database(services)
    for personal in (NAME, PHONE, user, "erase-photo"):
        assert personal not in dump
    photos = services.settings.instance_dir / "media"
    assert not [p for p in photos.rglob("*") if p.is_file()]
    row = the_ticket(services)
    assert row.personal_data_erased_at == clock.now()
    assert row.description == DESCRIPTION and row.category  # still in the statistics
    assert row.place == "บ้านเลขที่ 99 หมู่ 4 โทรเรียกได้ที่ [ลบแล้ว]"  # numbers typed anywhere
    assert "GC-2570-00001" not in chat.say("เรื่องของฉัน")  # no longer linked to this chat


def test_erasure_during_a_complaint_drops_the_draft_too(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say(DESCRIPTION)
    chat.tap("cx:cat:water_supply")
    said = chat.say("ลบข้อมูลของฉัน")
    said = chat.tap(said.payload(th.LABEL_ERASE_CONFIRM))
    assert th.ERASED_NOTHING in said
    assert DESCRIPTION not in every_value_in_the_database(services)


def test_an_old_erase_button_erases_nothing(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    confirm = chat.say("ลบข้อมูลของฉัน").payload(th.LABEL_ERASE_CONFIRM)
    clock.advance(minutes=11)
    file_with_contact(chat, platform)  # filed after the question was asked
    said = chat.tap(confirm)
    assert th.ERASE_EXPIRED in said
    assert the_ticket(services).contact_name == NAME
    forged = chat.tap("cmd:erase_confirm|99999999999")  # a time in the future
    assert th.ERASE_EXPIRED in forged
    assert the_ticket(services).contact_name == NAME


def test_erasure_removes_pins_and_staff_notes_too(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    said = chat.say(DESCRIPTION)
    chat.tap("cx:cat:water_supply")
    chat.send_location(14.1234, 100.5678, "บ้านเลขที่ 99")
    chat.tap("cx:photos_done")
    chat.tap("cx:contact_no")
    chat.tap("cx:confirm")
    office = TicketOffice(services.db, services.outbox, clock, sla_days=15)
    office.update(
        TicketCode.parse("GC-2570-00001"),
        StatusUpdate(
            Status.IN_PROGRESS,
            "somchai",
            f"โทรนัดแล้วที่เบอร์ {PHONE}",
            internal_note=f"คุณ{NAME} บ้านหลังสีฟ้า",
        ),
    )
    said = chat.say("ลบข้อมูลของฉัน")
    chat.tap(said.payload(th.LABEL_ERASE_CONFIRM))
    dump = every_value_in_the_database(services)
    for personal in ("14.1234", "100.5678", PHONE, NAME):
        assert personal not in dump


def test_payloads_with_odd_digits_get_a_polite_answer(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = TelegramChat(app, platform, clock)
    for payload in ("rate:GC-2570-00001:²", "rate:GC-2570-00001:99", "ticket:../../etc"):
        assert chat.tap(payload).text  # an answer, not a crash and a retry
    chat.say(DESCRIPTION)
    assert th.ASK_CATEGORY_ALL in chat.tap("cx:cats:²")


def test_a_rating_button_tapped_while_writing_another_complaint_keeps_the_draft(
    app: Flask, platform: FakePlatform, clock: FakeClock, services: Services
) -> None:
    chat = LineChat(app, platform, clock)
    code = file_with_contact(chat, platform)
    resolve(services)
    said = chat.say("ไฟถนนหน้าโรงเรียนดับมาสองคืนแล้วค่ะ มืดมาก")
    assert th.ASK_CATEGORY in said
    rated = chat.tap(rate_payload(code, 5))
    assert th.RATING_THANKS.format(stars="★★★★★", code=code) in rated
    said = chat.tap(said.payload("แสงสว่าง"))  # the new complaint carries on
    assert "เกิดขึ้นที่ไหนคะ" in said
