"""Following a corruption report by its receipt code, and adding information to it.

"ติดตามเรื่องทุจริต" asks for the code; the code gives the status, the dates and the
officers' public notes, never the report. "เพิ่มข้อมูลเรื่องทุจริต" asks for the code, then
the text to seal into the case. A receipt code typed while nothing is open comes here first,
before the clarifying question or the ticket status could keep or echo it.

A wrong code gets the same answer as an unknown one, tries are limited per chat and time
(the desk counts them), and the code is never echoed in full: a case is named by its last
four digits at most. While the citizen writes what to add, the code waits in the state only
as a `DraftVault` token.
"""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum

from complaints.corruption import CaseStatus, ChannelClosed, ReceiptCode, TooManyAttempts
from complaints.thai_calendar import thai_date, thai_day
from handlers import texts_th as th
from handlers.basic import Menu
from handlers.commands import Command
from handlers.contract import IDLE, ConversationState, Outcome, Turn
from handlers.corruption_report import VAULT_KEY, channel_closed
from handlers.messages import Card, Choice, MessageKind, Reply
from nlu.entities import EntityKind
from nlu.understand import CORRUPTION

FOLLOW_FLOW = "corruption_follow"
MAX_ADDITION_CHARS = 3000
MIN_DIGITS_OF_A_TRY = 6
"""A message with this many digits but no valid code was an attempt at one: say how a
code looks. Fewer, and it is some other message, handled afresh."""
_FOLLOW_REQUEST_CHARS = 60

# "อยากติดตามเรื่องทุจริตที่แจ้งไว้", "ขอดูสถานะเบาะแสค่ะ": a request to follow, not a report
_FOLLOW_REQUEST = re.compile(
    r"^\s*(?:ขอ|อยาก|ต้องการ|จะ)?\s*(?:ติดตาม|ตามเรื่อง|ดูสถานะ|เช็คสถานะ|เช็กสถานะ|สอบถามสถานะ)"
    r".*(?:ทุจริต|เบาะแส)"
)
_ADD_REQUEST = re.compile(r"เพิ่มข้อมูล|เพิ่มเติม|แจ้งเพิ่ม|ส่งเพิ่ม")
_FORGOT = re.compile(r"ลืม|หาย|จำไม่ได้|ไม่มีรหัส|ไม่ได้จด|ไม่ได้เก็บ")
_DIGIT = re.compile(r"[0-9๐-๙]")


class Step(StrEnum):
    CODE = "code"  # waiting for a code to follow
    ADD_CODE = "add_code"  # waiting for the code of the case to add to
    ADD_TEXT = "add_text"  # waiting for what to add (the code locked in the state)
    SHOWN = "shown"  # a case's status was just shown: its add button needs no code again


def last_four(code: ReceiptCode) -> str:
    """How a case may be named back to its holder: never the whole code."""
    return code.grouped()[-4:]


class CorruptionFollowFlow:
    """Waits for a receipt code (or for the text to add to a case)."""

    flow = FOLLOW_FLOW
    commands = frozenset(
        {Command.FOLLOW_CORRUPTION, Command.ADD_TO_CORRUPTION, Command.REPORT_CORRUPTION}
    )
    confidential = True  # that a chat follows a corruption case stays out of logs

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def ask_code(self, *, to_add: bool = False) -> Outcome:
        if to_add:
            return Outcome(
                (_ask(th.CF_ASK_CODE_TO_ADD),), ConversationState(FOLLOW_FLOW, Step.ADD_CODE)
            )
        return Outcome((_ask(th.CF_ASK_CODE),), ConversationState(FOLLOW_FLOW, Step.CODE))

    def handle(self, turn: Turn) -> Outcome | None:
        message = turn.message
        if message.postback == Command.FOLLOW_CORRUPTION.value:
            return self.ask_code()
        step = _step(turn.state.step)
        if message.postback == Command.ADD_TO_CORRUPTION.value:
            shown = self._shown_code(turn) if step is Step.SHOWN else None
            if shown is not None:  # the code was checked a moment ago: straight to the text
                return Outcome((_ask(th.CF_ASK_ADD_TEXT),), replace(turn.state, step=Step.ADD_TEXT))
            return self.ask_code(to_add=True)
        if message.postback == Command.REPORT_CORRUPTION.value:
            return None  # a new report instead: the intake starts it afresh
        if step is Step.SHOWN:
            return None  # anything else after the status is a fresh message
        if step is Step.ADD_TEXT:
            return self._on_addition(turn)
        if message.kind is not MessageKind.TEXT:
            return None
        code = receipt_code_in(turn)
        if code is None:
            return self._no_code(turn, step)
        if step is Step.ADD_CODE:
            return self.check_before_adding(turn, code)
        return self.follow(turn, code)

    def help(self, turn: Turn) -> Outcome:
        step = _step(turn.state.step)
        text = th.CF_HELP_ADD if step is Step.ADD_TEXT else th.CF_HELP
        return Outcome((_ask(text),), turn.state)

    def resume(self, turn: Turn) -> Reply:
        if _step(turn.state.step) is Step.ADD_TEXT:
            return _ask(th.CF_ASK_ADD_TEXT)
        return _ask(f"{th.CF_RESUME}\n{th.CF_ASK_CODE}")

    # ---- answers -------------------------------------------------------------------------

    def follow(self, turn: Turn, code: ReceiptCode) -> Outcome:
        integrity = turn.ports.integrity
        if integrity is None:
            return Outcome((self.menu.reply(th.CR_UNAVAILABLE),), IDLE)
        try:
            case = integrity.follow(code, turn.message.received_at)
        except TooManyAttempts:
            return _too_many(self.menu)
        if case is None:  # wrong or unknown: one answer, and another try may be typed
            return _not_found(Step.CODE)
        vault = turn.ports.vault
        if vault is None:
            return Outcome((_status(case, code, turn),), IDLE)
        shown = ConversationState(
            FOLLOW_FLOW, Step.SHOWN, {VAULT_KEY: vault.lock({"code": code.digits})}
        )
        return Outcome((_status(case, code, turn),), shown)

    @staticmethod
    def _shown_code(turn: Turn) -> ReceiptCode | None:
        vault, token = turn.ports.vault, turn.state.data.get(VAULT_KEY)
        opened = vault.unlock(token) if vault is not None and isinstance(token, str) else None
        return ReceiptCode.parse(str(opened.get("code", ""))) if opened else None

    def check_before_adding(self, turn: Turn, code: ReceiptCode) -> Outcome:
        """The code is checked before the citizen writes what to add, so nobody types a
        long text only to hear that the code was wrong."""
        integrity, vault = turn.ports.integrity, turn.ports.vault
        if integrity is None or vault is None:
            return Outcome((self.menu.reply(th.CR_UNAVAILABLE),), IDLE)
        try:
            case = integrity.follow(code, turn.message.received_at)
        except TooManyAttempts:
            return _too_many(self.menu)
        if case is None:
            return _not_found(Step.ADD_CODE)
        locked = vault.lock({"code": code.digits})
        state = ConversationState(FOLLOW_FLOW, Step.ADD_TEXT, {VAULT_KEY: locked})
        return Outcome((_ask(th.CF_ASK_ADD_TEXT),), state)

    def _on_addition(self, turn: Turn) -> Outcome:
        integrity, vault = turn.ports.integrity, turn.ports.vault
        token = turn.state.data.get(VAULT_KEY)
        opened = vault.unlock(token) if vault is not None and isinstance(token, str) else None
        code = ReceiptCode.parse(str(opened.get("code", ""))) if opened else None
        if integrity is None or code is None:
            return Outcome((self.menu.reply(th.CR_DRAFT_LOST),), IDLE)
        text = turn.message.text.strip() if turn.message.kind is MessageKind.TEXT else ""
        if not text:
            return Outcome((_ask(th.CF_ADD_NOT_TEXT),), turn.state)
        try:
            added = integrity.add(code, text[:MAX_ADDITION_CHARS], turn.message.received_at)
        except TooManyAttempts:
            return _too_many(self.menu)
        except ChannelClosed:
            return Outcome((self.menu.reply(th.NOT_YET_CORRUPTION),), IDLE)
        if not added:
            return _not_found(Step.ADD_CODE)
        done = Reply(
            text=th.CF_ADDED,
            quick_replies=(
                Choice(th.LABEL_FOLLOW_CORRUPTION, Command.FOLLOW_CORRUPTION.value),
                Choice(th.LABEL_MENU, Command.MENU.value),
            ),
        )
        return Outcome((done,), IDLE)

    def _no_code(self, turn: Turn, step: Step) -> Outcome | None:
        text = turn.message.text
        if _FORGOT.search(text):
            return Outcome((self.menu.reply(th.CF_FORGOT),), IDLE)
        if len(_DIGIT.findall(text)) >= MIN_DIGITS_OF_A_TRY:
            return Outcome((_ask(th.CF_CODE_HINT),), ConversationState(FOLLOW_FLOW, step))
        return None  # another question: handled as a fresh message


class CorruptionFollow:
    """Starts following or adding to a case: the commands, a typed request to follow, and
    any message typed while idle that holds a receipt code (never left to a handler that
    might keep it in a question's state or echo it)."""

    name = "corruption_follow"

    def __init__(self, flow: CorruptionFollowFlow) -> None:
        self.flow = flow

    def matches(self, turn: Turn) -> bool:
        message = turn.message
        if message.kind is MessageKind.POSTBACK:
            return message.postback in {
                Command.FOLLOW_CORRUPTION.value,
                Command.ADD_TO_CORRUPTION.value,
            }
        if message.kind is not MessageKind.TEXT or not turn.state.idle:
            return False
        return receipt_code_in(turn) is not None or _asks_to_follow(turn)

    def handle(self, turn: Turn) -> Outcome:
        message = turn.message
        integrity = turn.ports.integrity
        if integrity is None or not integrity.is_open():  # no officer: no case to follow
            return channel_closed(self.flow.menu)
        if message.postback == Command.ADD_TO_CORRUPTION.value:
            return self.flow.ask_code(to_add=True)
        if message.postback == Command.FOLLOW_CORRUPTION.value:
            return self.flow.ask_code()
        code = receipt_code_in(turn)
        adding = _ADD_REQUEST.search(message.text) is not None
        if code is None:
            return self.flow.ask_code(to_add=adding)
        if adding:  # "เพิ่มข้อมูล 1234 5678 9012 3456": the case to add to
            return self.flow.check_before_adding(turn, code)
        return self.flow.follow(turn, code)


def receipt_code_in(turn: Turn) -> ReceiptCode | None:
    """The receipt code a typed message holds: the entity the understander found, or the
    whole message read as one."""
    u = turn.understanding
    for entity in u.entities if u else ():
        if entity.kind is EntityKind.RECEIPT_CODE:
            return ReceiptCode.parse(entity.value)
    if turn.message.kind is not MessageKind.TEXT:
        return None
    return ReceiptCode.parse(u.text if u and u.text else turn.message.text)


def _asks_to_follow(turn: Turn) -> bool:
    u = turn.understanding
    text = turn.message.text
    return (
        u is not None
        and (u.intent.intent == CORRUPTION or u.corruption_signal)
        and len(text) <= _FOLLOW_REQUEST_CHARS
        and _FOLLOW_REQUEST.search(u.text or text) is not None
    )


def _status(case: CaseStatus, code: ReceiptCode, turn: Turn) -> Reply:
    today = thai_day(turn.now)
    expected = thai_date(case.expected_on)
    if case.status.open and today > case.expected_on:
        expected = th.OVERDUE_MARK.format(date=expected)
    facts = [
        (th.FACT_STATUS, th.STATUS_LABELS[case.status]),
        (th.CF_FACT_RECEIVED, thai_date(case.received_on)),
        (th.CF_FACT_DUE, thai_date(case.due_on)),
    ]
    if case.expected_on != case.due_on or (case.status.open and today > case.due_on):
        facts.append((th.CF_FACT_EXPECTED, expected))
    lines = [th.TIMELINE_TITLE]
    for event in case.timeline:
        lines.append(
            th.TIMELINE_LINE.format(date=thai_date(event.on), status=th.STATUS_LABELS[event.status])
        )
        if event.public_note:
            lines.append(th.TIMELINE_NOTE.format(note=event.public_note))
    card = Card(title=th.CF_CASE_TITLE.format(last4=last_four(code)), facts=tuple(facts))
    return Reply(
        text="\n".join(lines),
        cards=(card,),
        quick_replies=(
            Choice(th.LABEL_ADD_TO_CORRUPTION, Command.ADD_TO_CORRUPTION.value),
            Choice(th.LABEL_MENU, Command.MENU.value),
        ),
    )


def _ask(text: str) -> Reply:
    return Reply(text=text, quick_replies=(Choice(th.LABEL_CANCEL, Command.CANCEL.value),))


def _not_found(step: Step) -> Outcome:
    """The one answer for a wrong and an unknown code; another try may be typed."""
    return Outcome((_ask(th.CF_NOT_FOUND),), ConversationState(FOLLOW_FLOW, step))


def _too_many(menu: Menu) -> Outcome:
    return Outcome((menu.reply(th.CF_TOO_MANY),), IDLE)


def _step(value: str | None) -> Step:
    try:
        return Step(value or Step.CODE)
    except ValueError:
        return Step.CODE
