"""Questions about the office's services, answered from its own catalogue and manual.

A clear match is answered with a card (the short answer, the key facts, a button to the
online form or the full manual); a follow-up such as "ต้องใช้เอกสารอะไรบ้าง" is answered
from the entry just discussed; a weak match offers the top entries to choose from; no
match says so and offers the catalogue or a person.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol

from handlers import texts_th as th
from handlers.basic import OfficeInfo
from handlers.commands import Command, payload_number
from handlers.contract import ConversationState, Outcome, Turn
from handlers.messages import Card, Choice, MessageKind, Reply
from knowledge import search
from knowledge.content import Entry, Kind
from knowledge.search import Hit
from knowledge.store import Loaded
from nlu.normalise import normalise

FLOW = "service_context"
ENTRY_PREFIX = "kb:"
ASPECT_PREFIX = "kbq:"
PAGE_PREFIX = "kbp:"
TALLY_PREFIX = "knowledge:"
KNOWLEDGE_BUTTONS = (ENTRY_PREFIX, PAGE_PREFIX)
"""Buttons answered even while another flow (a complaint) is open."""

# A match is clear when the search is confident of it and well ahead of the next one.
CLEAR_CONFIDENCE = 0.5
CLEAR_LEAD = 0.2
# Below this the nearest entries are a guess: say nothing was found, and offer them too.
NOT_FOUND_CONFIDENCE = 0.15
# A follow-up that names something is about that instead when this sure of it.
SWITCH_CONFIDENCE = 0.3
CHOICES = 3
CATALOGUE_PAGE = 12  # LINE shows at most 13 quick replies: 12 entries and "more"

# Checked in this order: "นานเท่าไร" is about time before "เท่าไร" is about money.
ASPECT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "time",
        (
            "กี่วัน",
            "กี่เดือน",
            "นานไหม",
            "นานมั้ย",
            "นานเท่า",
            "ใช้เวลา",
            "ระยะเวลา",
            "เมื่อไหร่จะได้",
            "เมื่อไรจะได้",
            "กี่อาทิตย์",
        ),
    ),
    ("fees", ("ค่าธรรมเนียม", "กี่บาท", "เท่าไร", "เท่าไหร่", "เสียเงิน", "ค่าใช้จ่าย", "ฟรี", "ราคา", "จ่ายกี่")),
    ("documents", ("เอกสาร", "หลักฐาน", "ใช้อะไรบ้าง", "เตรียมอะไร", "ต้องเตรียม", "สำเนา")),
    ("steps", ("ขั้นตอน", "ทำยังไง", "ทำอย่างไร", "ยื่นยังไง", "ยื่นอย่างไร", "วิธี")),
    ("who", ("ใครยื่น", "มีสิทธิ์", "มีสิทธิ", "คุณสมบัติ", "หลักเกณฑ์", "เงื่อนไข", "ใครได้")),
    ("where", ("ที่ไหน", "ยื่นที่", "ติดต่อที่", "กี่โมง", "วันไหน", "สถานที่")),
    ("online", ("ออนไลน์", "ลิงก์", "ลิ้งค์", "link", "แบบฟอร์ม", "เว็บ")),
)


class KnowledgeSource(Protocol):
    def current(self) -> Loaded: ...


def normalised_text(turn: Turn) -> str:
    """The message as the router normalised it, once, at the edge."""
    return turn.understanding.text if turn.understanding else normalise(turn.message.text)


def detect_aspect(normalised: str) -> str | None:
    for aspect, words in ASPECT_WORDS:
        if any(word in normalised for word in words):
            return aspect
    return None


# Verbs that come with any aspect question ("ยื่นที่ไหน", "จ่ายกี่บาท") and name no topic.
GENERIC_WORDS = frozenset(
    ["ยื่น", "จ่าย", "เอา", "ไป", "ทำ", "เสีย", "ต้อง", "ขอ", "ใช้", "ได้", "ติดต่อ", "เตรียม"]
)


def names_a_topic(normalised: str) -> bool:
    """Whether a question says what it is about beyond its aspect ("ภาษีป้ายจ่ายที่ไหน" does,
    "จ่ายที่ไหน" does not)."""
    topic = search.content_words(without_aspect_words(normalised))
    return any(w not in GENERIC_WORDS for w in topic)


def without_aspect_words(normalised: str) -> str:
    """What a follow-up says besides its aspect: "ขออนุญาตสร้างบ้านกี่วัน" → "ขออนุญาตสร้างบ้าน"."""
    for _, words in ASPECT_WORDS:
        for word in words:
            normalised = normalised.replace(word, " ")
    return normalised


def is_clear(hits: list[Hit]) -> bool:
    if not hits or hits[0].confidence < CLEAR_CONFIDENCE:
        return False
    return len(hits) == 1 or hits[0].confidence - hits[1].confidence >= CLEAR_LEAD


class ServiceInfo:
    """Outside a flow: service questions, a chosen entry, and the catalogue."""

    name = "service_info"

    def __init__(self, knowledge: KnowledgeSource, office: OfficeInfo) -> None:
        self.knowledge = knowledge
        self.office = office

    def matches(self, turn: Turn) -> bool:
        message = turn.message
        if message.kind is MessageKind.POSTBACK:
            return message.postback == Command.SERVICES.value or message.postback.startswith(
                (ENTRY_PREFIX, PAGE_PREFIX)
            )
        return turn.intent == "service_info"

    def handle(self, turn: Turn) -> Outcome:
        loaded = self.knowledge.current()
        message = turn.message
        if message.postback == Command.SERVICES.value:
            return Outcome((catalogue(loaded),))
        if message.postback.startswith(PAGE_PREFIX):
            page = message.postback.removeprefix(PAGE_PREFIX)
            return Outcome((catalogue(loaded, payload_number(page) or 0),))
        if message.postback.startswith(ENTRY_PREFIX):
            entry = loaded.content.entry(message.postback.removeprefix(ENTRY_PREFIX))
            return answer(entry) if entry else Outcome((Reply(text=th.KB_GONE),))
        text = normalised_text(turn)
        aspect = detect_aspect(text)
        if aspect and not names_a_topic(text):
            return Outcome((catalogue(loaded, text=th.KB_WHICH_SERVICE),))
        hits = loaded.index.search(text)
        if is_clear(hits):
            entry = loaded.content.entry(hits[0].entry_id)
            assert entry is not None
            return answer(entry, aspect)
        if hits and max(h.confidence for h in hits) >= NOT_FOUND_CONFIDENCE:
            return Outcome((choose_from(loaded, hits[:CHOICES]),))
        return Outcome((self._not_found(loaded, hits[:CHOICES]),))

    def _not_found(self, loaded: Loaded, near: list[Hit]) -> Reply:
        """Nothing matches well: say so, offer what came nearest, the catalogue, a person."""
        nearest = choose_from(loaded, near).quick_replies if near else ()
        return Reply(
            text=self.office.fill(th.KB_NOT_FOUND),
            quick_replies=(
                *nearest,
                Choice(th.LABEL_SERVICES, Command.SERVICES.value),
                Choice(th.LABEL_CONTACT, Command.CONTACT.value),
            ),
        )


class FollowUp:
    """After an answer: questions about the same entry ("กี่วัน", "เอกสารอะไรบ้าง").

    A soft flow: it only remembers which entry was discussed, so it expires silently and
    commands (cancel, menu, help) act as if nothing were open."""

    flow = FLOW
    soft = True

    def __init__(self, knowledge: KnowledgeSource) -> None:
        self.knowledge = knowledge

    def handle(self, turn: Turn) -> Outcome | None:
        loaded = self.knowledge.current()
        entry = loaded.content.entry(str(turn.state.data.get("entry", "")))
        if entry is None:
            return None
        message = turn.message
        if message.kind is MessageKind.POSTBACK and message.postback.startswith(ASPECT_PREFIX):
            asked = message.postback.removeprefix(ASPECT_PREFIX)
            return answer(entry, asked, with_card=False) if asked in th.KB_ASPECTS else None
        if message.kind is not MessageKind.TEXT:
            return None
        text = normalised_text(turn)
        aspect = detect_aspect(text)
        if aspect is None:
            return None
        # "ภาษีต้องจ่ายกี่บาท" after the garbage bin is about something else
        if names_a_topic(text):
            hits = loaded.index.search(without_aspect_words(text), limit=1)
            if hits and hits[0].entry_id != entry.id and hits[0].confidence >= SWITCH_CONFIDENCE:
                return None
        return answer(entry, aspect, with_card=False)

    def help(self, turn: Turn) -> Outcome:
        return Outcome((Reply(text=th.KB_FOLLOW_UP),), turn.state)


# --- replies ----------------------------------------------------------------------------


def answer(entry: Entry, aspect: str | None = None, *, with_card: bool = True) -> Outcome:
    """The card for an entry and, when asked, one aspect of it (a follow-up gets only the
    aspect), with the context kept for further follow-ups."""
    choices = follow_up_choices(entry)
    if entry.kind is Kind.INFO:
        aspect = None  # an info card is the whole answer: nothing to break down
    replies = []
    if with_card:
        replies.append(Reply(cards=(card(entry),), quick_replies=() if aspect else choices))
    if aspect is not None:
        replies.append(Reply(text=aspect_text(entry, aspect), quick_replies=choices))
    state = ConversationState(flow=FLOW, step="answered", data={"entry": entry.id})
    # the monthly report counts entries asked about, not each follow-up on them
    tallies = (f"{TALLY_PREFIX}{entry.id}",) if with_card else ()
    return Outcome(tuple(replies), state, tallies=tallies)


def card(entry: Entry) -> Card:
    buttons = []
    if entry.form_url:
        buttons.append(Choice(th.KB_APPLY_ONLINE, url=entry.form_url))
    if entry.manual_url:
        buttons.append(Choice(th.KB_FULL_MANUAL, url=entry.manual_url))
    if entry.url:
        buttons.append(Choice(th.KB_MORE, url=entry.url))
    body = entry.body if entry.kind is Kind.INFO else entry.summary
    return Card(title=entry.title, body=body, facts=_facts(entry), buttons=tuple(buttons))


def _facts(entry: Entry) -> tuple[tuple[str, str], ...]:
    if entry.kind is Kind.INFO:
        return tuple((f.label, f.value) for f in entry.facts)
    facts = [("ระยะเวลา", entry.duration), ("ค่าธรรมเนียม", _fee_summary(entry))]
    if entry.kind is Kind.MANUAL:
        count = len(entry.documents)
        facts.append(("เอกสาร", f"{count} รายการ" if count else th.KB_NO_DOCUMENTS))
        facts.append(("ยื่นที่", entry.where))
    else:
        facts.insert(0, ("ผู้ยื่น", entry.who))
    return tuple(facts)


def _fee_summary(entry: Entry) -> str:
    if entry.kind is Kind.ESERVICE:
        return entry.fee or th.KB_NO_FEE
    if not entry.fees:
        return th.KB_NO_FEE
    first = entry.fees[0].amount
    return first if len(entry.fees) == 1 else f"{first} และอื่นๆ"


def follow_up_choices(entry: Entry) -> tuple[Choice, ...]:
    if entry.kind is Kind.INFO:
        return (Choice(th.LABEL_SERVICES, Command.SERVICES.value),)
    aspects = ("documents", "time", "fees", "steps", "who")
    return (
        *(Choice(th.KB_ASPECTS[a], f"{ASPECT_PREFIX}{a}") for a in aspects),
        Choice(th.LABEL_SERVICES, Command.SERVICES.value),
    )


def aspect_text(entry: Entry, aspect: str) -> str:
    heading = f"{entry.title} – {th.KB_ASPECTS.get(aspect, '')}"
    lines = _aspect_lines(entry, aspect)
    if not lines:
        label = th.KB_ASPECTS.get(aspect, "")
        return th.KB_NO_DETAIL.format(title=entry.title, aspect=label)
    return "\n".join([heading, *lines])


def _aspect_lines(entry: Entry, aspect: str) -> list[str]:
    manual = entry.kind is Kind.MANUAL
    if aspect == "documents":
        if manual:
            return [
                f"• {d.name} ({d.copies} ฉบับ) ออกโดย {d.issued_by}" for d in entry.documents
            ] or [th.KB_NO_DOCUMENTS]
        return [f"• {a}" for a in entry.attachments] or [th.KB_NO_DOCUMENTS]
    if aspect == "time":
        total = entry.total_time and f"รวม {entry.total_time}"
        lines = [total or entry.time] if entry.duration else []
        return lines + [f"• {s.step}: {s.time} ({s.unit})" for s in entry.steps]
    if aspect == "fees":
        if manual:
            return [f"• {f.item}: {f.amount}" for f in entry.fees] or [th.KB_NO_FEE]
        return [entry.fee or th.KB_NO_FEE] if entry.kind is Kind.ESERVICE else []
    if aspect == "steps":
        if manual:
            return [f"{n}. {s.step} ({s.time}, {s.unit})" for n, s in enumerate(entry.steps, 1)]
        return [line for line in (entry.how, entry.next_steps) if line]
    if aspect == "who":
        return [f"• {c}" for c in entry.criteria] if manual else [entry.who] if entry.who else []
    if aspect == "where":
        if manual:
            return [entry.where, entry.when]
        return [f"ยื่นออนไลน์ได้ที่ {entry.form_url}"] if entry.form_url else []
    if aspect == "online":
        return [f"ยื่นออนไลน์ได้ที่ {entry.form_url}"] if entry.form_url else []
    return []


def choose_from(loaded: Loaded, hits: list[Hit]) -> Reply:
    entries = [loaded.content.entry(h.entry_id) for h in hits]
    return Reply(
        text=th.KB_WHICH_ONE,
        quick_replies=tuple(
            Choice(e.label, f"{ENTRY_PREFIX}{e.id}") for e in entries if e is not None
        ),
    )


def catalogue(loaded: Loaded, page: int = 0, text: str = th.KB_CATALOGUE) -> Reply:
    """Every entry, a page of quick replies at a time (E-Services first)."""
    order = {Kind.ESERVICE: 0, Kind.MANUAL: 1, Kind.INFO: 2}
    entries = sorted(loaded.content.entries, key=lambda e: (order[e.kind], e.label))
    pages = max(1, -(-len(entries) // CATALOGUE_PAGE))
    page = page % pages
    shown = entries[page * CATALOGUE_PAGE : (page + 1) * CATALOGUE_PAGE]
    choices = [Choice(e.label, f"{ENTRY_PREFIX}{e.id}") for e in shown]
    if pages > 1:
        last = page == pages - 1
        label = th.KB_CATALOGUE_FIRST if last else th.KB_CATALOGUE_MORE
        choices.append(Choice(label, f"{PAGE_PREFIX}{(page + 1) % pages}"))
    return Reply(text=text, quick_replies=tuple(choices))


_QUESTION = re.compile(r"ไหม|มั้ย|อะไร|ยังไง|อย่างไร|ที่ไหน|เมื่อไร|เมื่อไหร่|กี่|หรือเปล่า|\?")
QUESTION_CONFIDENCE = 0.8


class ServiceQuestion:
    """A clear question about a service asked in the middle of another task ("จ่ายภาษี
    ที่ดินได้ที่ไหนคะ" while giving a complaint's place): answered, and the task goes on.
    Only confident, question-shaped messages: a place such as "หน้าที่ว่าการอำเภอ" is not."""

    name = "service_question"

    def __init__(self, answers: ServiceInfo) -> None:
        self.answers = answers

    def matches(self, turn: Turn) -> bool:
        u = turn.understanding
        return (
            u is not None
            and u.intent.intent == "service_info"
            and not u.unsure
            and u.intent.confidence >= QUESTION_CONFIDENCE
            and _QUESTION.search(u.text) is not None
        )

    def handle(self, turn: Turn) -> Outcome:
        """The answer's card, without follow-up buttons: the task's question comes next
        and its buttons are the ones to show; the task's state stays."""
        outcome = self.answers.handle(turn)
        replies = tuple(replace(r, quick_replies=()) for r in outcome.replies)
        return replace(outcome, replies=replies, state=turn.state)
