"""How people type answers to a flow's questions, shared by the complaint and the
corruption-report flows: yes and no with particles and emoji, cancelling only in so many
words, names without the words around them, phone numbers, and citizen text made safe to
store."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from complaints.photos import PhotoProblem
from handlers import texts_th as th
from handlers.commands import bare_word
from handlers.contract import Turn
from handlers.messages import MessageKind
from nlu.entities import EntityKind

SHORT_CANCEL_CHARS = 30
PARTICLES = frozenset({"ค่ะ", "คะ", "ครับ", "คับ", "จ้า", "จ้ะ", "นะ", "เลย"})
NOT_A_NAME = frozenset({
    "เบอร์", "เบอร์โทร", "โทร", "ติดต่อ", "ติดต่อได้", "ติดต่อได้ที่", "ได้ที่", "ที่", "ได้", "ได้เลย",
    "ค่ะ", "ครับ", "ใช่", "ให้ติดต่อ", "นะ", "เลย", "ชื่อ",
})  # fmt: skip
_NAME_LEAD = re.compile(r"^(?:ผม|กระผม|ดิฉัน|ฉัน|หนู|เรา|ข้า)?\s*(?:ชื่อ|เรียกว่า|เรียก)?\s*")
_NAME_TAIL = re.compile(r"\s*(?:ก็ได้|นะ|ครับ|ค่ะ|คะ|จ้า)+$")
# A message cancels only when it says so: the classifier alone reads "เอาค่ะ" as cancel.
_CANCEL_WORDS = re.compile(r"ยกเลิก|ไม่เอาแล้ว|ไม่แจ้งแล้ว|ไม่ร้องเรียนแล้ว|เลิกแจ้ง|cancel", re.IGNORECASE)
PHOTO_PROBLEMS = {
    PhotoProblem.NOT_AN_IMAGE: th.PHOTO_NOT_AN_IMAGE,
    PhotoProblem.TOO_LARGE: th.PHOTO_TOO_LARGE,
    PhotoProblem.UNAVAILABLE: th.PHOTO_UNAVAILABLE,
}


def clean(text: str) -> str:
    """Citizen text as stored: no control or format characters (a terminal escape in a
    description must not reach `siang tickets show`), new lines kept."""
    kept = (c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf"))
    return "".join(kept).strip()


def typed_yes_no(
    text: str, yes: Collection[str], no: Collection[str], *, whole: bool = False
) -> bool | None:
    """Yes or no from a typed reply, emoji and particles aside: "ยืนยันค่ะ 🙏",
    "ใช่ค่ะ ถูกต้อง", "ok 👍", "ไม่ต้องค่ะ". With `whole`, every word must agree: "ได้ค่ะ
    แต่ขอแก้สถานที่ก่อน" is no yes to a step that cannot be undone."""
    plain = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    words = [w for w in (bare_word(w) for w in plain.split()) if w not in PARTICLES]
    if not words:
        return None
    for answer, vocabulary in ((False, no), (True, yes)):
        if bare_word(" ".join(words)) in vocabulary:
            return answer
        if whole and all(w in vocabulary for w in words):
            return answer
        if not whole and words[0] in vocabulary:
            return answer
    return None


def says_cancel(turn: Turn, answers: Collection[str]) -> bool:
    """ "ไม่เอาแล้ว ยกเลิกเลย": a short message clearly meaning cancel, not one of the
    step's `answers` ("ไม่ต้องติดต่อ" answers a question; it does not cancel)."""
    u = turn.understanding
    if turn.message.kind is not MessageKind.TEXT or bare_word(turn.message.text) in answers:
        return False
    return (
        u is not None
        and u.intent.intent == "cancel"
        and _CANCEL_WORDS.search(turn.message.text) is not None
        and not u.unsure
        and len(turn.message.text) <= SHORT_CANCEL_CHARS
    )


def name_only(text: str) -> str:
    """A name as typed, without particles, spare spaces and the words people put around
    a name or a number ("ผมชื่อ", "เรียกว่า…ก็ได้", "เบอร์", "โทร", "ได้ค่ะ")."""
    text = _NAME_TAIL.sub("", _NAME_LEAD.sub("", bare_word(" ".join(text.split()))))
    words = [w for w in text.split() if w not in NOT_A_NAME]
    return " ".join(bare_word(" ".join(words)).split()) if words else ""


def phone_in(turn: Turn) -> str:
    """The first phone number in the message, canonical ("0812345678"), or ""."""
    u = turn.understanding
    phones = [e for e in (u.entities if u else ()) if e.kind is EntityKind.PHONE]
    return phones[0].value if phones else ""


def without_phone(turn: Turn) -> str:
    """The message with its first phone number taken out (what is left may be a name)."""
    u = turn.understanding
    phone = next((e for e in (u.entities if u else ()) if e.kind is EntityKind.PHONE), None)
    text = turn.message.text
    return text if phone is None else f"{text[: phone.start]} {text[phone.end :]}"
