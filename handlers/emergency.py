"""Emergencies are not complaints: a message about a fire, a drowning or an injury gets the
national hotlines first, whatever else the bot then does with it (a chat is read by staff
in office hours, not in the next minute)."""

from __future__ import annotations

import re

from handlers import texts_th as th
from handlers.messages import Reply

_EMERGENCY = re.compile(
    r"ไฟไหม้|ไฟลุก|ไหม้บ้าน|จมน้ำ|อุบัติเหตุ|รถชน|คนเจ็บ|บาดเจ็บ|หมดสติ|ไม่หายใจ"
    r"|เลือดออก|ถูกทำร้าย|ทำร้ายร่างกาย|ปล้น|งูกัด|งูเห่า|ไฟดูด|ไฟช็อต|ไฟฟ้าช็อต|แก๊สรั่ว|ตึกถล่ม"
)


_NEGATED = re.compile(r"ไม่มี\s*(?:คน)?\s*$|ไม่\s*$")


def emergency_reply(text: str) -> Reply | None:
    """The hotlines, if the message sounds like an emergency ("ไม่มีคนบาดเจ็บ" does not)."""
    for found in _EMERGENCY.finditer(text):
        if not _NEGATED.search(text[max(0, found.start() - 12) : found.start()]):
            return Reply(text=th.EMERGENCY_HOTLINES)
    return None
