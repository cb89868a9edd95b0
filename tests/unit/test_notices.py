"""Notices worded for the complainant and the staff: Thai, short, and always followable."""

from __future__ import annotations

from datetime import date

import pytest

from complaints.notices import NoticeKind, StaffNotice, TicketNotice
from complaints.tickets import Status, TicketCode
from handlers import texts_th as th
from handlers.commands import Command, not_fixed_payload, rate_payload
from handlers.messages import Reply
from handlers.notices import render, render_staff

CODE = TicketCode(2570, 42)


def notice(kind: NoticeKind, status: Status, note: str = "", expected: date | None = None):  # type: ignore[no-untyped-def]
    return TicketNotice(kind, CODE, status, note, expected)


ALL_KINDS = [
    notice(NoticeKind.STATUS_CHANGED, Status.IN_PROGRESS),
    notice(NoticeKind.STATUS_CHANGED, Status.FORWARDED, "ส่งต่อการประปาส่วนภูมิภาค"),
    notice(NoticeKind.STATUS_CHANGED, Status.CLOSED),
    notice(NoticeKind.RESULT, Status.RESOLVED, "ซ่อมถนนเรียบร้อยแล้ว"),
    notice(NoticeKind.REJECTED, Status.REJECTED, "อยู่ในความรับผิดชอบของกรมทางหลวง"),
    notice(NoticeKind.EXPLANATION, Status.IN_PROGRESS, "", date(2026, 12, 25)),
    notice(NoticeKind.PROGRESS, Status.IN_PROGRESS, "ช่างสำรวจพื้นที่แล้ว"),
]


@pytest.mark.parametrize("item", ALL_KINDS, ids=lambda n: f"{n.kind}-{n.status}")
def test_every_notice_names_the_ticket_and_how_to_follow_it(item: TicketNotice) -> None:
    reply = render(item)
    assert "GC-2570-00042" in reply.text
    assert "พิมพ์ GC-2570-00042 หรือ “เรื่องของฉัน”" in reply.text
    if item.public_note:
        assert item.public_note in reply.text


def test_every_status_has_a_thai_name() -> None:
    assert {s.value for s in Status} == set(th.STATUS_LABELS)
    assert th.STATUS_LABELS[Status.FORWARDED] == "ส่งต่อหน่วยงานที่รับผิดชอบ"


def test_a_status_change_says_the_new_status_in_thai() -> None:
    reply = render(notice(NoticeKind.STATUS_CHANGED, Status.FORWARDED))
    assert "สถานะ: ส่งต่อหน่วยงานที่รับผิดชอบ" in reply.text
    assert [c.payload for c in reply.quick_replies] == [Command.MY_TICKETS.value]


def test_a_result_asks_for_a_rating_with_five_to_one_stars_and_not_fixed() -> None:
    reply = render(notice(NoticeKind.RESULT, Status.RESOLVED, "ซ่อมแล้ว"))
    assert "ดำเนินการแล้ว" in reply.text and "ผลการดำเนินการ: ซ่อมแล้ว" in reply.text
    assert [c.label for c in reply.quick_replies] == [
        "5 ★",
        "4 ★",
        "3 ★",
        "2 ★",
        "1 ★",
        "ยังไม่ได้รับการแก้ไข",
    ]
    assert [c.payload for c in reply.quick_replies] == [
        *(rate_payload("GC-2570-00042", n) for n in (5, 4, 3, 2, 1)),
        not_fixed_payload("GC-2570-00042"),
    ]


def test_a_rejection_gives_the_reason() -> None:
    reply = render(notice(NoticeKind.REJECTED, Status.REJECTED, "เป็นที่ดินเอกชน"))
    assert "ไม่สามารถรับดำเนินการได้" in reply.text and "เหตุผล: เป็นที่ดินเอกชน" in reply.text


def test_a_late_ticket_is_explained_with_the_new_date_in_the_buddhist_era() -> None:
    reply = render(notice(NoticeKind.EXPLANATION, Status.IN_PROGRESS, "", date(2026, 12, 10)))
    assert "ยังดำเนินการไม่แล้วเสร็จภายในกำหนด" in reply.text
    assert "เหตุผล: " + th.NOTICE_STANDARD_REASON in reply.text
    assert "จะแจ้งผลให้ทราบภายใน 10 ธ.ค. 2569" in reply.text


def test_the_staffs_reason_replaces_the_standard_one() -> None:
    reply = render(
        notice(NoticeKind.EXPLANATION, Status.IN_PROGRESS, "รองบประมาณ", date(2027, 1, 9))
    )
    assert "เหตุผล: รองบประมาณ" in reply.text and th.NOTICE_STANDARD_REASON not in reply.text
    assert "9 ม.ค. 2570" in reply.text


def test_an_explanation_without_a_date_is_a_bug() -> None:
    with pytest.raises(ValueError, match="expected date"):
        render(notice(NoticeKind.EXPLANATION, Status.IN_PROGRESS))


def test_a_progress_note_keeps_the_status() -> None:
    reply = render(notice(NoticeKind.PROGRESS, Status.FORWARDED, "ช่างจะเข้าพื้นที่พรุ่งนี้"))
    assert "ช่างจะเข้าพื้นที่พรุ่งนี้" in reply.text and "ส่งต่อหน่วยงานที่รับผิดชอบ" in reply.text


@pytest.mark.parametrize("item", ALL_KINDS, ids=lambda n: f"{n.kind}-{n.status}")
def test_a_notice_survives_the_outbox(item: TicketNotice) -> None:
    reply = render(item)
    assert Reply.from_dict(reply.to_dict()) == reply


@pytest.mark.parametrize(
    ("days_left", "when"),
    [(3, "อีก 3 วัน"), (0, "ครบกำหนดวันนี้"), (-2, "เลยกำหนด 2 วัน")],
)
def test_a_staff_reminder_has_the_code_category_and_date_only(days_left: int, when: str) -> None:
    reply = render_staff(StaffNotice(CODE, "road", date(2026, 12, 10), days_left))
    assert "GC-2570-00042" in reply.text
    assert "ประเภท: ถนน" in reply.text
    assert f"กำหนด: 10 ธ.ค. 2569 ({when})" in reply.text
    assert "siang tickets show GC-2570-00042" in reply.text


def test_an_unknown_category_is_shown_as_stored() -> None:
    reply = render_staff(StaffNotice(CODE, "ป้ายโฆษณา", date(2026, 12, 10), 1))
    assert "ประเภท: ป้ายโฆษณา" in reply.text
