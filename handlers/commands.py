"""Postback payloads and the global commands available in every state."""

from __future__ import annotations

import enum
import re

from handlers.messages import IncomingMessage, MessageKind

ARGUMENT_SEPARATOR = "|"
"""A command button may carry an argument after it: "cmd:erase_confirm|1764039600"."""


class Command(enum.StrEnum):
    MENU = "cmd:menu"
    HELP = "cmd:help"
    CANCEL = "cmd:cancel"
    PRIVACY = "cmd:privacy"
    CONTACT = "cmd:contact"
    SERVICES = "cmd:services"
    COMPLAIN = "cmd:complain"
    MY_TICKETS = "cmd:tickets"
    ERASE_MY_DATA = "cmd:erase"
    ERASE_CONFIRM = "cmd:erase_confirm"
    ERASE_KEEP = "cmd:erase_keep"
    BACK = "cmd:back"
    REPORT_CORRUPTION = "cmd:corruption"
    FOLLOW_CORRUPTION = "cmd:corruption_follow"
    ADD_TO_CORRUPTION = "cmd:corruption_add"


_WORDS: dict[str, Command] = {
    "เมนู": Command.MENU,
    "menu": Command.MENU,
    "เมนูหลัก": Command.MENU,
    "ช่วยเหลือ": Command.HELP,
    "help": Command.HELP,
    "วิธีใช้": Command.HELP,
    "ยกเลิก": Command.CANCEL,
    "cancel": Command.CANCEL,
    "บริการ": Command.SERVICES,
    "/services": Command.SERVICES,
    "ร้องเรียน": Command.COMPLAIN,
    "แจ้งปัญหา": Command.COMPLAIN,
    "/complain": Command.COMPLAIN,
    "เรื่องของฉัน": Command.MY_TICKETS,
    "ติดตามเรื่อง": Command.MY_TICKETS,
    "/tickets": Command.MY_TICKETS,
    "ลบข้อมูลของฉัน": Command.ERASE_MY_DATA,
    "ติดต่อเจ้าหน้าที่": Command.CONTACT,
    "อยากคุยกับเจ้าหน้าที่": Command.CONTACT,
    "ขอคุยกับเจ้าหน้าที่": Command.CONTACT,
    "ความเป็นส่วนตัว": Command.PRIVACY,
    "นโยบายความเป็นส่วนตัว": Command.PRIVACY,
    "ไม่ลบ": Command.ERASE_KEEP,
    "ไม่ลบข้อมูล": Command.ERASE_KEEP,
    "คุยกับเจ้าหน้าที่": Command.CONTACT,
    "/erase": Command.ERASE_MY_DATA,
    "ย้อนกลับ": Command.BACK,
    "กลับ": Command.BACK,
    "back": Command.BACK,
    "/start": Command.MENU,
    "/menu": Command.MENU,
    "/help": Command.HELP,
    "/cancel": Command.CANCEL,
    # the confidential corruption track (answered honestly even where it is not set up)
    "แจ้งเบาะแสการทุจริต": Command.REPORT_CORRUPTION,
    "แจ้งเบาะแสทุจริต": Command.REPORT_CORRUPTION,
    "แจ้งทุจริต": Command.REPORT_CORRUPTION,
    "ติดตามเรื่องทุจริต": Command.FOLLOW_CORRUPTION,
    "ติดตามทุจริต": Command.FOLLOW_CORRUPTION,
    "ติดตามเบาะแส": Command.FOLLOW_CORRUPTION,
    "เพิ่มข้อมูลเรื่องทุจริต": Command.ADD_TO_CORRUPTION,
    "เพิ่มข้อมูลทุจริต": Command.ADD_TO_CORRUPTION,
    "เพิ่มข้อมูลเบาะแส": Command.ADD_TO_CORRUPTION,
}
# One character or one whole word per repetition: no nested quantifier, no backtracking blow-up.
_TRAILING_POLITE = re.compile(r"(?:ค่ะ|คะ|ครับ|คับ|จ้า|จ้ะ|นะ|หน่อย|[\s!.?])+$")
_LONGEST_COMMAND = 40
# "ขอลบข้อมูลส่วนตัว", "ลบข้อมูลผมด้วยครับ"; not "เจ้าหน้าที่ลบข้อมูลคำร้องของฉัน" (a complaint)
_ERASE_REQUEST = re.compile(
    r"^(?:ขอ|ช่วย|อยาก|ต้องการ|รบกวน)?\s*ลบข้อมูล"
)  # anything longer is a sentence, not a command word


def bare_word(text: str) -> str:
    """Text in lower case without the particles and punctuation people end it with
    ("ยกเลิกค่ะ" → "ยกเลิก"); a particle on its own ("ครับ") is kept as it is."""
    text = text.strip().lower()
    return _TRAILING_POLITE.sub("", text).strip() or text


def parse_command(message: IncomingMessage) -> Command | None:
    """A command from a postback, or from text that is only the command word."""
    if message.kind is MessageKind.POSTBACK:
        command, _, _ = message.postback.partition(ARGUMENT_SEPARATOR)
        try:
            return Command(command)
        except ValueError:
            return None
    if message.kind is not MessageKind.TEXT:
        return None
    if len(message.text.strip()) > _LONGEST_COMMAND:
        return None
    word = bare_word(message.text).split("@", 1)[0]  # Telegram group commands: /help@SiangBot
    if word not in _WORDS and _ERASE_REQUEST.search(word):
        return Command.ERASE_MY_DATA  # "ขอลบข้อมูลส่วนตัว": it asks before erasing anything
    return _WORDS.get(word)


RATE_PREFIX = "rate:"
NOT_FIXED_PREFIX = "notfixed:"


def rate_payload(code: str, stars: int) -> str:
    """The button under a result notice: "rate:GC-2570-00042:5"."""
    return f"{RATE_PREFIX}{code}:{stars}"


def not_fixed_payload(code: str) -> str:
    return f"{NOT_FIXED_PREFIX}{code}"


_SMALL_NUMBER = re.compile(r"[0-9]{1,4}")


def payload_number(text: str) -> int | None:
    """A page or star count from a payload: ASCII digits only ("²" and "๓" pass
    `str.isdigit` but are no number a button of ours sends)."""
    return int(text) if _SMALL_NUMBER.fullmatch(text) else None
