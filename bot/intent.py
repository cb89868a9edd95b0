"""The intent classifier port and the keyword classifier that stands in until the Thai NLU."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from handlers.messages import IntentResult

INTENTS = (
    "greeting",
    "service_info",
    "complaint_general",
    "complaint_corruption",
    "ticket_status",
    "human",
    "cancel",
    "thanks",
    "other",
)


class IntentClassifier(Protocol):
    def classify(self, text: str) -> IntentResult: ...


# Order matters: the first intent whose keyword appears wins, so the corruption track is
# checked before the general one (a corruption report must never be taken as general).
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "complaint_corruption",
        (
            "ทุจริต",
            "คอร์รัปชัน",
            "คอรัปชั่น",
            "สินบน",
            "ใต้โต๊ะ",
            "ฮั้ว",
            "เงินทอน",
            "ประพฤติมิชอบ",
            "เรียกรับเงิน",
            "corruption",
            "bribe",
        ),
    ),
    ("cancel", ("ยกเลิก", "ไม่เอาแล้ว", "cancel")),
    ("human", ("เจ้าหน้าที่", "คุยกับคน", "แอดมิน", "admin", "ติดต่อคน")),
    ("ticket_status", ("ติดตามเรื่อง", "สถานะ", "เรื่องของฉัน", "ถึงไหน", "ความคืบหน้า")),
    (
        "complaint_general",
        (
            "ร้องเรียน",
            "ร้องทุกข์",
            "แจ้งปัญหา",
            "แจ้งเหตุ",
            "ไฟดับ",
            "ไฟไม่ติด",
            "ถนนพัง",
            "น้ำไม่ไหล",
            "น้ำท่วม",
            "ขยะ",
            "เสียงดัง",
            "complain",
        ),
    ),
    (
        "service_info",
        (
            "ขออนุญาต",
            "ใบอนุญาต",
            "เอกสาร",
            "ค่าธรรมเนียม",
            "ภาษี",
            "เบี้ยยังชีพ",
            "ลงทะเบียน",
            "คำร้อง",
            "แบบฟอร์ม",
            "เวลาทำการ",
            "เปิดกี่โมง",
            "ต้องทำยังไง",
            "ทำอย่างไร",
        ),
    ),
    ("thanks", ("ขอบคุณ", "ขอบใจ", "thank", "thx")),
    ("greeting", ("สวัสดี", "หวัดดี", "ดีครับ", "ดีค่ะ", "hello", "hi", "hey")),
)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")


def light_normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_THAI_DIGITS)
    return _INVISIBLE.sub("", text).lower().strip()


def _has_keyword(text: str, keyword: str) -> bool:
    if keyword.isascii():  # English words need word boundaries ("hi" is not in "this")
        return re.search(rf"\b{re.escape(keyword)}\b", text) is not None
    return keyword in text


class KeywordClassifier:
    """Deterministic keyword matching. Confidence says only 'matched' or 'did not'."""

    def classify(self, text: str) -> IntentResult:
        normalised = light_normalise(text)
        hits = [
            intent for intent, words in _KEYWORDS if any(_has_keyword(normalised, w) for w in words)
        ]
        if not hits:
            return IntentResult(intent="other", confidence=0.5, runner_up=None)
        return IntentResult(
            intent=hits[0], confidence=0.9, runner_up=hits[1] if len(hits) > 1 else None
        )
