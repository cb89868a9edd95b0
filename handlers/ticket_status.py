"""Following one's own complaints: "เรื่องของฉัน", a ticket code, the 1-5 rating of the
result and "not fixed", which reopens the ticket.

Codes belong to their owner: someone else's code gets the same answer as one that does
not exist, so a guessed code reveals nothing.
"""

from __future__ import annotations

import re
from datetime import date

from complaints.thai_calendar import thai_date, thai_day
from complaints.tickets import EventKind, Status, Ticket, TicketCode
from handlers import texts_th as th
from handlers.commands import (
    NOT_FIXED_PREFIX,
    RATE_PREFIX,
    Command,
    bare_word,
    not_fixed_payload,
    payload_number,
)
from handlers.contract import Outcome, Turn
from handlers.messages import Card, Choice, MessageKind, Reply
from handlers.notices import category_label, rating_choices
from nlu.entities import EntityKind

SHOW_PREFIX = "ticket:"
TICKET_BUTTONS = (SHOW_PREFIX, RATE_PREFIX, NOT_FIXED_PREFIX)
MY_TICKETS_SHOWN = 10  # a LINE carousel holds at most 12 bubbles
STARS = "★"
LOW_RATING = 2


def show_payload(code: TicketCode) -> str:
    return f"{SHOW_PREFIX}{code}"


class TicketStatus:
    name = "ticket_status"

    def __init__(self, sla_days: int) -> None:
        self.sla_days = sla_days

    def matches(self, turn: Turn) -> bool:
        message = turn.message
        if message.kind is MessageKind.POSTBACK:
            return message.postback == Command.MY_TICKETS.value or message.postback.startswith(
                TICKET_BUTTONS
            )
        return turn.intent == "ticket_status" or _typed_code(turn) is not None

    def handle(self, turn: Turn) -> Outcome:
        desk = turn.ports.desk
        if desk is None:
            return Outcome((Reply(text=th.STATUS_UNAVAILABLE),))
        payload = turn.message.postback
        if payload.startswith(RATE_PREFIX):
            return self.rate(turn, payload.removeprefix(RATE_PREFIX))
        if payload.startswith(NOT_FIXED_PREFIX):
            return self.reopen(turn, payload.removeprefix(NOT_FIXED_PREFIX))
        code = _code(payload.removeprefix(SHOW_PREFIX)) if payload.startswith(SHOW_PREFIX) else None
        code = code or _typed_code(turn)
        if code is not None:
            ticket = desk.lookup(code)
            if ticket is None:
                return Outcome((_not_found(code),))
            return Outcome((self._detail(ticket, turn),))
        return Outcome((self._list(desk.mine(MY_TICKETS_SHOWN), turn),))

    def _list(self, tickets: list[Ticket], turn: Turn) -> Reply:
        if not tickets:
            return Reply(
                text=th.MY_TICKETS_NONE,
                quick_replies=(Choice(th.LABEL_COMPLAIN, Command.COMPLAIN.value),),
            )
        today = thai_day(turn.now)
        cards = tuple(
            Card(
                title=str(t.code),
                body=category_label(t.category),
                facts=_facts(t, today),
                buttons=(Choice(th.LABEL_SHOW_TICKET, show_payload(t.code)),),
            )
            for t in tickets
        )
        return Reply(text=th.MY_TICKETS_INTRO.format(count=len(tickets)), cards=cards)

    def _detail(self, ticket: Ticket, turn: Turn) -> Reply:
        today = thai_day(turn.now)
        lines = [th.TIMELINE_TITLE]
        for entry in ticket.timeline:
            if entry.kind is EventKind.NOTE and not entry.public_note:
                continue  # a staff-only note: not even its date is the citizen's business
            day = thai_date(thai_day(entry.at))
            if entry.kind is EventKind.EXPLANATION:
                expected = thai_date(entry.expected_on) if entry.expected_on else "-"
                lines.append(
                    th.TIMELINE_EXPLANATION.format(
                        date=day, note=entry.public_note, expected=expected
                    )
                )
                continue
            if entry.kind is EventKind.RATING:
                lines.append(th.TIMELINE_RATED.format(date=day, stars=STARS * (ticket.rating or 0)))
                continue
            lines.append(th.TIMELINE_LINE.format(date=day, status=th.STATUS_LABELS[entry.status]))
            if entry.public_note:
                lines.append(th.TIMELINE_NOTE.format(note=entry.public_note))
        card = Card(
            title=str(ticket.code),
            body=category_label(ticket.category),
            facts=_facts(ticket, today),
        )
        waiting_for_rating = ticket.status is Status.RESOLVED
        return Reply(
            text="\n".join(lines) + (f"\n\n{th.ASK_RATING}" if waiting_for_rating else ""),
            cards=(card,),
            quick_replies=rating_choices(str(ticket.code)) if waiting_for_rating else (),
        )

    def rate(self, turn: Turn, rest: str) -> Outcome:
        code_text, _, stars_text = rest.rpartition(":")
        code = _code(code_text)
        stars = payload_number(stars_text) or 0
        desk = turn.ports.desk
        if code is None or not 1 <= stars <= 5 or desk is None:
            return Outcome((Reply(text=th.FALLBACK),))
        rated = desk.rate(code, stars, turn.message.received_at)
        if rated is None:
            return Outcome((Reply(text=th.RATING_NOT_OPEN.format(code=code)),))
        thanks = th.RATING_THANKS.format(stars=STARS * stars, code=code)
        if stars <= LOW_RATING:  # what went wrong matters more than the thanks
            follow = (Choice(th.LABEL_NOT_FIXED, not_fixed_payload(str(code))),)
            return Outcome((Reply(text=f"{thanks}\n{th.RATING_LOW}", quick_replies=follow),))
        return Outcome((Reply(text=thanks),))

    def reopen(self, turn: Turn, code_text: str) -> Outcome:
        code = _code(code_text)
        desk = turn.ports.desk
        if code is None or desk is None:
            return Outcome((Reply(text=th.FALLBACK),))
        reopened = desk.reopen(code, turn.message.received_at, self.sla_days)
        if reopened is None:
            return Outcome((Reply(text=th.REOPEN_NOT_POSSIBLE.format(code=code)),))
        expected = thai_date(reopened.expected_on())
        return Outcome((Reply(text=th.REOPENED.format(code=code, expected=expected)),))


def _facts(ticket: Ticket, today: date) -> tuple[tuple[str, str], ...]:
    expected = thai_date(ticket.expected_on())
    if ticket.overdue(today):
        expected = th.OVERDUE_MARK.format(date=expected)
    return (
        (th.FACT_STATUS, th.STATUS_LABELS[ticket.status]),
        (th.FACT_RECEIVED, thai_date(ticket.received_on)),
        (th.FACT_ELAPSED, th.DAYS.format(days=ticket.days_elapsed(today))),
        (th.FACT_DUE, expected if ticket.status.open else "-"),
    )


def _code(text: str) -> TicketCode | None:
    try:
        return TicketCode.parse(text.strip().upper())
    except ValueError:
        return None


def _typed_code(turn: Turn) -> TicketCode | None:
    u = turn.understanding
    for entity in u.entities if u else ():
        if entity.kind is EntityKind.TICKET_CODE:
            return _code(entity.value)
    return None


def _not_found(code: TicketCode) -> Reply:
    return Reply(
        text=th.TICKET_NOT_FOUND.format(code=code),
        quick_replies=(Choice(th.LABEL_MY_TICKETS, Command.MY_TICKETS.value),),
    )


# "5", "5 ดาวครับ", "ให้ 4 คะแนนค่ะ" (on the normalised text: Thai digits are ASCII by then)
# (a lone "2" is no rating: it may answer anything)
_TYPED_STARS = re.compile(r"^(?:ให้\s*)?([1-5])\s*(?:ดาว|คะแนน|★)\s*(?:ค่ะ|คะ|ครับ|คับ|จ้า|นะ)?$")
_NOT_FIXED = re.compile(
    r"(?:ปัญหา|เรื่องนี้|มัน)?ยังไม่(?:ได้)?(?:รับการ)?(?:แก้ไข|แก้|ซ่อม)(?:เลย|นะ)?"
    r"|ยังไม่เรียบร้อย|ยังไม่หาย|ยังเหมือนเดิม"
)
_TYPED_ANSWER_MAX_CHARS = 40
_VERDICT_LEFTOVER_CHARS = 16
"""What may remain beside the verdict ("จ้า หลุมยังอยู่"): more is a new message."""


_THAI_NUMBERS = {"หนึ่ง": "1", "สอง": "2", "สาม": "3", "สี่": "4", "ห้า": "5"}
_STAR_EMOJI = re.compile(r"^[⭐★🌟]{1,5}$")


def _stars_as_digits(text: str) -> str:
    """ "สองดาว" → "2ดาว", "⭐⭐⭐" → "3 ดาว"."""
    if _STAR_EMOJI.match(text):
        return f"{len(text)} ดาว"
    for word, digit in _THAI_NUMBERS.items():
        text = text.replace(f"{word}ดาว", f"{digit}ดาว").replace(f"{word} ดาว", f"{digit} ดาว")
    return text


class TypedResultAnswer:
    """A typed answer to a result notice: stars, or "ยังไม่ได้แก้เลย". Asked before the
    clarifying question and the intents, only when this citizen has a result waiting, so
    "ยังไม่ได้แก้" reopens their ticket instead of filing the same problem twice."""

    name = "typed_result_answer"

    def __init__(self, status: TicketStatus) -> None:
        self.status = status

    def matches(self, turn: Turn) -> bool:
        return self._answer(turn) is not None

    def handle(self, turn: Turn) -> Outcome:
        answer = self._answer(turn)
        assert answer is not None
        ticket, stars = answer
        if stars is not None:
            return self.status.rate(turn, f"{ticket.code}:{stars}")
        return self.status.reopen(turn, str(ticket.code))

    @staticmethod
    def _answer(turn: Turn) -> tuple[Ticket, int | None] | None:
        u, desk = turn.understanding, turn.ports.desk
        if u is None or desk is None or u.corruption_signal:
            return None  # a report about an official goes to the safety question
        if len(u.text) > _TYPED_ANSWER_MAX_CHARS:
            return None
        stars = _TYPED_STARS.match(_stars_as_digits(u.text.strip()))
        verdict = _NOT_FIXED.search(u.text) if stars is None else None
        if stars is None and verdict is None:
            return None  # most messages stop here, before any query
        if verdict is not None:
            leftover = bare_word(u.text.replace(verdict.group(), " "))
            if len(leftover.replace(" ", "")) > _VERDICT_LEFTOVER_CHARS:
                return None  # "ไฟถนนซอย 5 ดับมาสามวันแล้ว ยังไม่ได้ซ่อม" is a new complaint
        for ticket in desk.mine(3):
            # only a result still waiting for the verdict: "ยังไม่ได้แก้" about a problem
            # closed weeks ago is more likely a new complaint than this ticket's answer
            if ticket.status is Status.RESOLVED:
                return ticket, int(stars.group(1)) if stars else None
        return None
