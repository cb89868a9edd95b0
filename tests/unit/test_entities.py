"""Entities: ticket and receipt codes, phone numbers, national ids and dates in raw Thai text."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlu.entities import (
    Entity,
    EntityKind,
    extract_entities,
    is_valid_national_id,
    receipt_codes,
    ticket_codes,
)

TODAY = date(2026, 11, 25)  # a Wednesday
VALID_ID = "1101700987655"
VALID_ID_GROUPED = "1-1017-00987-65-5"
BAD_CHECKSUM_ID = "1101700987654"


def found(text: str, today: date = TODAY) -> list[tuple[EntityKind, str]]:
    return [(entity.kind, entity.value) for entity in extract_entities(text, today)]


def only(text: str, kind: EntityKind) -> str:
    entities = extract_entities(text, TODAY)
    assert [entity.kind for entity in entities] == [kind], entities
    return entities[0].value


# --- ticket codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ขอติดตามเรื่อง gc 2570 42 หน่อยค่ะ",
        "เลขเรื่อง GC-2570-00042 ค่ะ",
        "GC257000042",
        "เรื่อง GC-๒๕๗๐-๐๐๐๔๒ ถึงไหนแล้วคะ",
        "gc-2570-0042 ครับ",
        "Gc.2570.42",
        "gc_2570_42",
        "เรื่องเลขที่ จีซี 2570 42",
        "ＧＣ－２５７０－４２",
        "GC-2570-0000042",
    ],
)
def test_ticket_codes_in_any_written_form_become_canonical(text: str) -> None:
    assert only(text, EntityKind.TICKET_CODE) == "GC-2570-00042"


def test_ticket_sequences_longer_than_five_digits_are_kept_whole() -> None:
    assert only("ติดตาม GC-2571-1234567", EntityKind.TICKET_CODE) == "GC-2571-1234567"


@pytest.mark.parametrize(
    "text",
    ["เรื่อง GC-2700-00042", "GC-2549-00042", "GC-2570-12345678", "GC-2570 อะไรนะ", "ABCGC-2570-42"],
)
def test_not_a_ticket_code(text: str) -> None:
    assert ticket_codes(text) == ()


def test_ticket_year_bounds_are_inclusive() -> None:
    assert ticket_codes("GC-2550-1 และ GC-2650-2") == ("GC-2550-00001", "GC-2650-00002")


def test_ticket_digits_are_not_read_as_a_phone() -> None:
    assert found("เรื่อง GC25700812345 ค่ะ") == [(EntityKind.TICKET_CODE, "GC-2570-812345")]


def test_digits_after_an_out_of_range_ticket_year_are_not_a_phone() -> None:
    assert found("GC-2700-0812345678") == []


# --- receipt codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "เลขรับแจ้ง 1234567890123456 ค่ะ",
        "เลขรับแจ้ง 1234-5678-9012-3456 ค่ะ",
        "เลขรับแจ้ง 1234 5678 9012 3456 ค่ะ",
        "เลขรับแจ้ง ๑๒๓๔ ๕๖๗๘ ๙๐๑๒ ๓๔๕๖",
    ],
)
def test_receipt_codes_are_sixteen_digits_without_separators(text: str) -> None:
    assert only(text, EntityKind.RECEIPT_CODE) == "1234567890123456"


def test_a_sixteen_digit_code_starting_like_a_phone_is_a_receipt_not_a_phone() -> None:
    assert found("ติดตาม 0812345678901234") == [(EntityKind.RECEIPT_CODE, "0812345678901234")]


@pytest.mark.parametrize("text", ["123456789012345", "12345678901234567", "1234-5678-9012-345"])
def test_fifteen_or_seventeen_digits_are_not_a_receipt(text: str) -> None:
    assert found(text) == []


def test_receipt_codes_lists_only_receipts() -> None:
    text = "GC-2570-1 กับ 1234-5678-9012-3456 โทร 0812345678"
    assert receipt_codes(text) == ("1234567890123456",)


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("โทรกลับที่ 081-234-5678 นะคะ", "0812345678"),
        ("เบอร์ 081 234 5678", "0812345678"),
        ("เบอร์0812345678ค่ะ", "0812345678"),
        ("เบอร์ 08-1234-5678", "0812345678"),
        ("เบอร์ 081-2345678", "0812345678"),
        ("เบอร์ 061.234.5678", "0612345678"),
        ("ติดต่อ 099 999 9999", "0999999999"),
        ("สำนักงาน 02-123-4567", "021234567"),
        ("อบต. 053-123456", "053123456"),
        ("อบต. 053-123-456", "053123456"),
        ("call +66 81 234 5678", "0812345678"),
        ("call +66812345678", "0812345678"),
        ("call 66812345678", "0812345678"),
        ("call +66 2 123 4567", "021234567"),
        ("โทร ๐๘๑-๒๓๔-๕๖๗๘", "0812345678"),
        ("โทร ０８１２３４５６７８", "0812345678"),
    ],
)
def test_phone_numbers_become_digits_starting_with_zero(text: str, phone: str) -> None:
    assert only(text, EntityKind.PHONE) == phone


@pytest.mark.parametrize(
    "text",
    [
        "081234567",  # mobile one digit short
        "08123456789",  # mobile one digit long
        "0112345678",  # no such prefix
        "081234567890",  # twelve digits
        "1081234567",  # glued to a digit before
        "5-081-234-5678",  # glued through a dash
    ],
)
def test_not_a_phone(text: str) -> None:
    assert found(text) == []


def test_zero_width_spaces_inside_a_phone_are_tolerated_and_kept_in_the_span() -> None:
    text = "โทร 081\u200b234\u200b5678"
    (entity,) = extract_entities(text, TODAY)
    assert entity.value == "0812345678"
    assert text[entity.start : entity.end] == "081\u200b234\u200b5678"


# --- national ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"เลขบัตรประชาชน {VALID_ID} ค่ะ",
        f"เลขบัตร {VALID_ID_GROUPED}",
        "เลขบัตร 1 1017 00987 65 5",
        "เลขบัตร ๑๑๐๑๗๐๐๙๘๗๖๕๕",
    ],
)
def test_national_ids_with_a_valid_checksum_become_thirteen_digits(text: str) -> None:
    assert only(text, EntityKind.NATIONAL_ID) == VALID_ID


@pytest.mark.parametrize(
    "text",
    [
        f"เลขบัตร {BAD_CHECKSUM_ID}",  # bad checksum
        "เลขบัตร 1-1017-00987-65-4",  # bad checksum, grouped
        "เลขบัตร 110170098765",  # 12 digits
        f"เลขบัตร {VALID_ID}1",  # 14 digits
    ],
)
def test_not_a_national_id_and_not_anything_else(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        (VALID_ID, True),
        ("3100100456786", True),
        ("๑๑๐๑๗๐๐๙๘๗๖๕๕", True),
        (BAD_CHECKSUM_ID, False),
        (VALID_ID[:12], False),
        (VALID_ID + "0", False),
        (VALID_ID_GROUPED, False),
        ("", False),
    ],
)
def test_is_valid_national_id(digits: str, valid: bool) -> None:
    assert is_valid_national_id(digits) is valid


# --- relative dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("วันนี้", "2026-11-25"),
        ("เมื่อวาน", "2026-11-24"),
        ("เมื่อวานนี้", "2026-11-24"),
        ("วานนี้", "2026-11-24"),
        ("เมื่อคืน", "2026-11-24"),
        ("เมื่อคืนนี้", "2026-11-24"),
        ("เมื่อวานซืน", "2026-11-23"),
        ("พรุ่งนี้", "2026-11-26"),
        ("มะรืน", "2026-11-27"),
        ("มะรืนนี้", "2026-11-27"),
    ],
)
def test_relative_day_words(phrase: str, day: str) -> None:
    assert only(f"ไฟดับ{phrase}ค่ะ", EntityKind.DATE) == day


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("3 วันก่อน", "2026-11-22"),
        ("๓ วันที่แล้ว", "2026-11-22"),
        ("3 วันที่ผ่านมา", "2026-11-22"),
        ("เมื่อ 3 วันก่อน", "2026-11-22"),
        ("เมื่อสามวันก่อน", "2026-11-22"),
        ("หนึ่งวันก่อน", "2026-11-24"),
        ("สิบวันก่อน", "2026-11-15"),
        ("สิบเอ็ดวันที่แล้ว", "2026-11-14"),
        ("ยี่สิบวันที่ผ่านมา", "2026-11-05"),
        ("10 วันก่อน", "2026-11-15"),
    ],
)
def test_some_days_ago(phrase: str, day: str) -> None:
    assert only(f"ถนนพังตั้งแต่{phrase}", EntityKind.DATE) == day


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("อาทิตย์ที่แล้ว", "2026-11-18"),
        ("อาทิตย์ก่อน", "2026-11-18"),
        ("สัปดาห์ที่แล้ว", "2026-11-18"),
        ("สัปดาห์ก่อน", "2026-11-18"),
        ("เมื่ออาทิตย์ที่แล้ว", "2026-11-18"),
        ("2 อาทิตย์ก่อน", "2026-11-11"),
        ("สองสัปดาห์ที่แล้ว", "2026-11-11"),
        ("3 สัปดาห์ที่ผ่านมา", "2026-11-04"),
    ],
)
def test_weeks_ago(phrase: str, day: str) -> None:
    assert only(f"แจ้งไปตั้งแต่{phrase}แล้ว", EntityKind.DATE) == day


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("เดือนที่แล้ว", "2026-10-25"),
        ("เดือนก่อน", "2026-10-25"),
        ("3 เดือนก่อน", "2026-08-25"),
        ("สองเดือนที่แล้ว", "2026-09-25"),
        ("12 เดือนก่อน", "2025-11-25"),
    ],
)
def test_months_ago(phrase: str, day: str) -> None:
    assert only(f"ขยะไม่มีคนเก็บตั้งแต่{phrase}", EntityKind.DATE) == day


def test_a_month_ago_clamps_to_the_end_of_a_shorter_month() -> None:
    assert found("เดือนที่แล้ว", today=date(2026, 3, 31)) == [(EntityKind.DATE, "2026-02-28")]


@pytest.mark.parametrize("phrase", ["สองสามวันก่อน", "สองสามเดือนก่อน", "หลายเดือนก่อน", "2-3 เดือนก่อน"])
def test_vague_counts_are_not_dates(phrase: str) -> None:
    assert found(f"เกิดเหตุ{phrase}") == []


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("วันจันทร์ที่แล้ว", "2026-11-23"),
        ("วันจันทร์ที่ผ่านมา", "2026-11-23"),
        ("เมื่อวันจันทร์", "2026-11-23"),
        ("จันทร์ที่แล้ว", "2026-11-23"),
        ("วันอังคารที่แล้ว", "2026-11-24"),
        ("วันพุธที่แล้ว", "2026-11-18"),
        ("เมื่อวันพฤหัส", "2026-11-19"),
        ("วันพฤหัสบดีที่แล้ว", "2026-11-19"),
        ("วันศุกร์ที่ผ่านมา", "2026-11-20"),
        ("เมื่อวันเสาร์", "2026-11-21"),
        ("วันอาทิตย์ที่แล้ว", "2026-11-22"),
    ],
)
def test_past_weekdays_are_the_latest_such_day_before_today(phrase: str, day: str) -> None:
    assert only(f"มีคนมาทิ้งขยะ{phrase}", EntityKind.DATE) == day


def test_a_bare_weekday_is_not_a_date() -> None:
    assert found("นัดวันจันทร์นะคะ") == []


# --- absolute dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("เกิดเหตุ 25/11/2569", "2026-11-25"),
        ("เกิดเหตุ 25-11-2569", "2026-11-25"),
        ("เกิดเหตุ 1.12.2568", "2025-12-01"),
        ("เกิดเหตุ 25/11/69", "2026-11-25"),
        ("เกิดเหตุ 3/4/2026", "2026-04-03"),
        ("เกิดเหตุ ๒๕/๑๑/๒๕๖๙", "2026-11-25"),
        ("เกิดเหตุวันที่ 05/01/2570", "2027-01-05"),
    ],
)
def test_numeric_dates_with_a_year(text: str, day: str) -> None:
    assert only(text, EntityKind.DATE) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("แจ้งเมื่อ 25/11", "2026-11-25"),
        ("แจ้งเมื่อ 1/11", "2026-11-01"),
        ("แจ้งเมื่อ 26/11", "2025-11-26"),
    ],
)
def test_day_slash_month_is_the_latest_such_day_not_after_today(text: str, day: str) -> None:
    assert only(text, EntityKind.DATE) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("น้ำท่วมเมื่อ 25 พ.ย. 69", "2026-11-25"),
        ("น้ำท่วมเมื่อ 25 พฤศจิกายน 2569", "2026-11-25"),
        ("น้ำท่วมเมื่อ ๒๕ พ.ย. ๖๙", "2026-11-25"),
        ("น้ำท่วมเมื่อ 1 ม.ค. 2569", "2026-01-01"),
        ("น้ำท่วมเมื่อ 1 มค 2569", "2026-01-01"),
        ("น้ำท่วมเมื่อ 1 ม. ค. 2569", "2026-01-01"),
        ("น้ำท่วมเมื่อ 1 มกราคม พ.ศ. 2569", "2026-01-01"),
        ("น้ำท่วมเมื่อ 14 ก.พ. 2569", "2026-02-14"),
        ("น้ำท่วมเมื่อ 5 มี.ค. 2569", "2026-03-05"),
        ("น้ำท่วมเมื่อ 13 เมษายน 2569", "2026-04-13"),
        ("น้ำท่วมเมื่อ 1 พ.ค. 2569", "2026-05-01"),
        ("น้ำท่วมเมื่อ 2 มิ.ย. 2569", "2026-06-02"),
        ("น้ำท่วมเมื่อ 12 กรกฎาคม 2569", "2026-07-12"),
        ("น้ำท่วมเมื่อ 12 ส.ค. 2569", "2026-08-12"),
        ("น้ำท่วมเมื่อ 9 กันยายน 2569", "2026-09-09"),
        ("น้ำท่วมเมื่อ 23 ต.ค. 2569", "2026-10-23"),
        ("น้ำท่วมเมื่อ 5 ธันวาคม 2025", "2025-12-05"),
        ("น้ำท่วมเมื่อ 5 ธันวา 68", "2025-12-05"),
    ],
)
def test_dates_with_thai_month_names_and_a_year(text: str, day: str) -> None:
    assert only(text, EntityKind.DATE) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("ไฟถนนดับตั้งแต่วันที่ 3 ธ.ค.", "2025-12-03"),
        ("ไฟถนนดับตั้งแต่ 3ธค", "2025-12-03"),
        ("ไฟถนนดับตั้งแต่ 20 พ.ย.", "2026-11-20"),
        ("ไฟถนนดับตั้งแต่ 25 พฤศจิกายน", "2026-11-25"),
    ],
)
def test_a_month_name_without_a_year_is_the_latest_such_day_not_after_today(
    text: str, day: str
) -> None:
    assert only(text, EntityKind.DATE) == day


def test_a_december_date_said_in_january_is_last_december() -> None:
    assert found("25 ธ.ค.", today=date(2027, 1, 10)) == [(EntityKind.DATE, "2026-12-25")]


def test_29_february_without_a_year_is_the_latest_leap_day() -> None:
    assert found("29 ก.พ.") == [(EntityKind.DATE, "2024-02-29")]


def test_a_time_after_the_month_is_not_read_as_a_year() -> None:
    (entity,) = extract_entities("นัดวันที่ 3 ธ.ค. 10 โมง", TODAY)
    assert (entity.value, entity.start) == ("2025-12-03", 3)
    assert "นัดวันที่ 3 ธ.ค. 10 โมง"[entity.start : entity.end] == "วันที่ 3 ธ.ค."


@pytest.mark.parametrize(
    "text",
    [
        "เกิดเหตุ 31/02/2569",
        "เกิดเหตุ 31 เม.ย. 2569",
        "เกิดเหตุ 32/1",
        "เกิดเหตุ 12/13",
        "ประชุม 14.30 น.",
        "ประชุม 9.05 น.",
        "บ้านเลขที่ 12/3 หมู่ 4",
        "วันที่ 5 มีคนมาทิ้งขยะ",
    ],
)
def test_not_a_date(text: str) -> None:
    assert found(text) == []


def test_phone_numbers_are_not_read_as_dates() -> None:
    assert found("โทร 02-123-4567") == [(EntityKind.PHONE, "021234567")]


def test_a_datetime_for_today_still_gives_plain_dates() -> None:
    assert found("เมื่อวาน", today=datetime(2026, 11, 25, 23, 59)) == [
        (EntityKind.DATE, "2026-11-24")
    ]


# --- spans, order, masking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("ขอติดตามเรื่อง gc 2570 42 หน่อยค่ะ", "gc 2570 42"),
        ("เบอร์ผม ๐๘๑-๒๓๔-๕๖๗๘ นะครับ", "๐๘๑-๒๓๔-๕๖๗๘"),
        (f"บัตร {VALID_ID_GROUPED} ค่ะ", VALID_ID_GROUPED),
        ("เมื่อวันที่ 3 ธ.ค. 2568 ค่ะ", "เมื่อวันที่ 3 ธ.ค. 2568"),
        ("ติดตาม G\u200bC-2570-42 ค่ะ", "G\u200bC-2570-42"),
    ],
)
def test_offsets_slice_the_matched_text_from_the_raw_input(text: str, span: str) -> None:
    (entity,) = extract_entities(text, TODAY)
    assert text[entity.start : entity.end] == span


def test_entities_come_sorted_by_position_without_overlaps() -> None:
    text = (
        f"เมื่อวานแจ้งเรื่อง GC-2570-00042 ไปแล้ว เลขบัตร {VALID_ID} "
        "เบอร์ 081-234-5678 เลขรับแจ้ง 1234 5678 9012 3456 วันที่ 3 ธ.ค."
    )
    entities = extract_entities(text, TODAY)
    assert [entity.kind for entity in entities] == [
        EntityKind.DATE,
        EntityKind.TICKET_CODE,
        EntityKind.NATIONAL_ID,
        EntityKind.PHONE,
        EntityKind.RECEIPT_CODE,
        EntityKind.DATE,
    ]
    assert all(a.end <= b.start for a, b in pairwise(entities))


@pytest.mark.parametrize(
    ("entity", "masked"),
    [
        (Entity(EntityKind.NATIONAL_ID, VALID_ID, 0, 13), "1-1017-xxxxx-xx-5"),
        (Entity(EntityKind.PHONE, "0812345678", 0, 10), "08x-xxx-x678"),
        (Entity(EntityKind.PHONE, "021234567", 0, 9), "02-xxx-x567"),
        (Entity(EntityKind.TICKET_CODE, "GC-2570-00042", 0, 13), "GC-2570-00042"),
        (Entity(EntityKind.DATE, "2026-11-25", 0, 6), "2026-11-25"),
    ],
)
def test_masked_hides_personal_values_only(entity: Entity, masked: str) -> None:
    assert entity.masked() == masked


@pytest.mark.parametrize(
    ("kind", "personal"),
    [
        (EntityKind.PHONE, True),
        (EntityKind.NATIONAL_ID, True),
        (EntityKind.TICKET_CODE, False),
        (EntityKind.RECEIPT_CODE, False),
        (EntityKind.DATE, False),
    ],
)
def test_personal_kinds(kind: EntityKind, personal: bool) -> None:
    assert Entity(kind, "x", 0, 1).personal is personal


def test_repr_and_str_never_contain_a_full_phone_or_id() -> None:
    entities = extract_entities(f"เบอร์ 0812345678 บัตร {VALID_ID}", TODAY)
    for shown in (repr(entities), str(entities), f"{entities[0]}", f"{entities[1]!r}"):
        assert "0812345678" not in shown
        assert VALID_ID not in shown
    assert "08x-xxx-x678" in repr(entities[0])


def test_repr_of_a_code_shows_its_value() -> None:
    assert "GC-2570-00042" in repr(Entity(EntityKind.TICKET_CODE, "GC-2570-00042", 0, 13))


def test_to_dict() -> None:
    (entity,) = extract_entities("โทร 0812345678", TODAY)
    assert entity.to_dict() == {"type": "phone", "value": "0812345678", "start": 4, "end": 14}


def test_text_without_entities_gives_an_empty_tuple() -> None:
    assert extract_entities("สวัสดีค่ะ อยากสอบถามเรื่องภาษีที่ดิน", TODAY) == ()


# --- never breaks ----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "GC",
        "gc-",
        "จีซี",
        "-",
        "/",
        ".",
        " ",
        "+66",
        "\u200b",
        "๐",
        "๙",
        "０",
        "วันที่",
        "เมื่อ",
        "วัน",
        "อาทิตย์",
        "เดือน",
        "ก่อน",
        "ที่แล้ว",
        "สองสาม",
        "ธ.ค.",
        "พ.ย.",
        "มีนาคม",
        "พ.ศ.",
        "น.",
        "จันทร์",
    ]
)
_TEXT = st.lists(
    st.one_of(
        _PIECES,
        st.text(alphabet="0123456789", min_size=1, max_size=17),
        st.text(alphabet=st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B), max_size=5),
        st.text(max_size=5),
    ),
    max_size=25,
).map("".join)


@given(text=_TEXT, today=st.dates())
def test_extraction_never_raises_and_gives_sorted_disjoint_spans_in_bounds(
    text: str, today: date
) -> None:
    entities = extract_entities(text, today)
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text)
        assert entity.masked()
    assert all(a.end <= b.start for a, b in pairwise(entities))
