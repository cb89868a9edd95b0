"""The normaliser: one canonical form for every matcher, original text untouched elsewhere."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlu.normalise import fix_keyboard_layout, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ไฟดับ ๓ ต้น", "ไฟดับ 3 ต้น"),
        ("ไฟดับ ３ ต้น", "ไฟดับ 3 ต้น"),
        ("ถนน\u200bพัง", "ถนนพัง"),
        ("ถนน\ufeffพัง\u200d", "ถนนพัง"),
        ("ถนนพัง\x00\x07ค่ะ", "ถนนพัง ค่ะ"),
        ("ช่วยด้วยยยยย", "ช่วยด้วย"),
        ("มากๆๆๆๆ", "มากๆ"),
        ("มาก ๆ ๆ ๆ", "มาก ๆ"),
        ("ตลกมาก 55555555", "ตลกมาก 555"),
        ("  ถนน   พัง \n ค่ะ  ", "ถนน พัง ค่ะ"),
        ("เเปลก", "แปลก"),  # two sara e typed for sara ae
        ("Hello ADMIN", "hello admin"),
        ("soooo good", "soo good"),
    ],
)
def test_normalise_produces_the_canonical_form(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "variant",
    [
        "น\u0e4d\u0e49\u0e32ท\u0e48วม",  # sara am typed as nikhahit, tone mark, sara aa
        "น\u0e33\u0e49ท\u0e48วม",  # tone mark typed after sara am
    ],
)
def test_thai_typed_in_another_order_normalises_to_the_standard_spelling(variant: str) -> None:
    assert normalise(variant) == "น้ำท่วม"


def test_phone_numbers_are_not_taken_for_laughter() -> None:
    assert normalise("โทร 081-555-5555") == "โทร 081-555-5555"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("l;ylfu", "สวัสดี"),
        ("-v[86I8iy[", "ขอบคุณครับ"),
        ("5oory'", "ถนนพัง"),
        ("pdg]bd", "ยกเลิก"),
    ],
)
def test_thai_typed_on_the_english_layout_is_read_as_thai(typed: str, meant: str) -> None:
    assert normalise(typed) == meant


@pytest.mark.parametrize(
    "english", ["hello", "thank you", "admin", "status update", "GC-2570-00042", "ok", "test"]
)
def test_real_english_and_codes_are_left_alone(english: str) -> None:
    assert fix_keyboard_layout(english) == english


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_normalise_is_idempotent_and_never_raises(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@pytest.mark.parametrize("word", ["clo", "CLO", "wx", "dkd"])
def test_latin_words_without_a_layout_tell_are_not_reread_as_thai(word: str) -> None:
    assert fix_keyboard_layout(word) == word
