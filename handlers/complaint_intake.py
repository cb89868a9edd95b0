"""The general-complaint intake: a guided flow from a description to a filed ticket and
its receipt (code, due date, how to follow it).

Steps: description → category → place → photos → contact (optional, after a privacy
notice) → summary to confirm, edit or cancel. "ย้อนกลับ" goes back a step and "ยกเลิก"
cancels at every step; photos may arrive at any step. What the flow has collected lives in
the conversation state until the ticket is filed; the sweep clears it if abandoned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from complaints.desk import NewTicket
from complaints.photos import MAX_PHOTOS, PhotoRejected, StoredPhoto
from complaints.thai_calendar import thai_date
from complaints.tickets import Contact
from handlers import texts_th as th
from handlers.basic import Menu, OfficeInfo
from handlers.clarify import RESUME, Clarify
from handlers.commands import Command, bare_word, payload_number
from handlers.contract import IDLE, NOTIFY_ON_EXPIRY, ConversationState, Outcome, Turn
from handlers.messages import Card, Choice, MessageKind, Reply
from handlers.notices import category_label
from handlers.typed_answers import (
    PHOTO_PROBLEMS,
    clean,
    name_only,
    phone_in,
    says_cancel,
    typed_yes_no,
    without_phone,
)
from nlu.categories import BY_SLUG, TAXONOMY, CategorySuggestion
from nlu.entities import EntityKind
from nlu.tokens import tokenize
from nlu.understand import CORRUPTION, IntentGuess, Understanding

FLOW = "complaint"
GENERAL = "complaint_general"
PREFIX = "cx:"
CATEGORY_PAGE = 10
MIN_DESCRIPTION_CHARS = 10
MIN_PARTIAL_CHARS = 3
MAX_DESCRIPTION_CHARS = 2000
MAX_PLACE_CHARS = 300
MAX_NAME_CHARS = 100
SOCIAL_MAX_CHARS = 20
_MISCONDUCT = re.compile(
    r"เงิน|จ่าย|ใต้โต๊ะ|สินบน|เรียก|โกง|ทุจริต|ค่าน้ำร้อน|ค่าน้ำชา|ค่าดำเนินการ|หัวคิว|เส้นสาย|ฮั้ว"
)
MAX_CATEGORY_ANSWER = 30
# Everyday words for a category whose name people do not type ("ขยะ", not "ความสะอาด").
_CATEGORY_WORDS = {
    "ขยะ": "cleanliness",
    "ไฟถนน": "lighting",
    "ไฟส่องสว่าง": "lighting",
    "ไฟทาง": "lighting",
    "ประปา": "water_supply",
    "น้ำไม่ไหล": "water_supply",
    "ท่อ": "drainage",
    "กลิ่น": "nuisance",
    "ควัน": "nuisance",
    "หมา": "stray_animals",
    "สุนัข": "stray_animals",
    "แมว": "stray_animals",
    "เหตุรำคาญ": "nuisance",
    "ฝุ่น": "pm25",
    "อื่น": "other",
}


class Step(StrEnum):
    DESCRIBE = "describe"
    CATEGORY = "category"
    PLACE = "place"
    PHOTOS = "photos"
    CONTACT = "contact"
    CONTACT_NAME = "contact_name"
    CONTACT_PHONE = "contact_phone"
    CONFIRM = "confirm"
    EDIT = "edit"


ORDER = (Step.DESCRIBE, Step.CATEGORY, Step.PLACE, Step.PHOTOS, Step.CONTACT, Step.CONFIRM)
# Steps whose typed text is kept as part of the complaint (the description step asks on
# its own); buttons and short answers elsewhere are not worth a false alarm.
_FREE_TEXT_STEPS = frozenset({Step.CATEGORY, Step.PLACE})
EDITABLE = {
    Step.DESCRIBE: th.LABEL_EDIT_DESCRIPTION,
    Step.CATEGORY: th.LABEL_EDIT_CATEGORY,
    Step.PLACE: th.LABEL_EDIT_PLACE,
    Step.PHOTOS: th.LABEL_EDIT_PHOTOS,
    Step.CONTACT: th.LABEL_EDIT_CONTACT,
}

CONFIRM = f"{PREFIX}confirm"
EDIT = f"{PREFIX}edit"
EDIT_STEP = f"{PREFIX}edit:"
CATEGORY = f"{PREFIX}cat:"
CATEGORY_PAGE_PAYLOAD = f"{PREFIX}cats:"
NO_PLACE = f"{PREFIX}noplace"
PHOTOS_DONE = f"{PREFIX}photos_done"
CONTACT_YES = f"{PREFIX}contact_yes"
CONTACT_NO = f"{PREFIX}contact_no"
SKIP_PHONE = f"{PREFIX}skip_phone"
SKIP_NAME = f"{PREFIX}skip_name"

_YES = {
    "ใช่", "ยืนยัน", "ตกลง", "ส่ง", "ส่งเลย", "ok", "okay", "โอเค", "ได้", "ได้เลย", "ถูกต้อง",
    "ยืนยันส่งเรื่อง", "เอา", "เอาเลย", "ต้องการ", "ให้", "ให้ติดต่อ", "ติดต่อได้", "yes", "จ้ะ",
}  # fmt: skip
_NO = {"ไม่", "ไม่ใช่", "ไม่ต้อง", "ไม่ต้องติดต่อ", "ไม่ประสงค์", "ไม่ให้", "ไม่เอา", "no"}
_DONE = {"ไม่", "ไม่มีค่ะ", "เสร็จ", "เสร็จแล้ว", "ไม่มี", "ไม่มีรูป", "ข้าม", "ต่อไป", "ไม่ส่ง", "พอแล้ว", "ครบแล้ว"}
_SKIP = {"ข้าม", "ไม่มี", "ไม่ให้", "ไม่สะดวก"}
_ANSWERS = (
    _YES
    | _NO
    | _DONE
    | _SKIP
    | {
        bare_word(label)
        for label in (
            th.LABEL_CONTACT_NO,
            th.LABEL_NO_PHOTO,
            th.LABEL_NO_PLACE,
            th.LABEL_SKIP,
            th.LABEL_CONTACT_YES,
        )
    }
)
# Words that ask to complain without saying about what: "ขอร้องเรียนหน่อยค่ะ" is no description.
_GENERIC = re.compile(
    r"ขอ|อยาก|ต้องการ|จะ|ร้องเรียน|ร้องทุกข์|แจ้ง|เรื่อง|ปัญหา|หน่อย|ได้ไหม|ได้มั้ย|ยังไง|อย่างไร"
    r"|ทำไง|ที่ไหน|ครับ|ค่ะ|คะ|คับ|นะ|จ้า|ด้วย|[\s\d\W]"
)


class SuggestsCategories(Protocol):
    def suggest_categories(self, text: str, limit: int = 3) -> list[CategorySuggestion]: ...


def says_something(text: str) -> bool:
    """More than "ขอร้องเรียนค่ะ": a start of a description worth keeping."""
    return len(_GENERIC.sub("", text)) >= MIN_PARTIAL_CHARS


def describes_a_problem(text: str) -> bool:
    """Whether a message already says what is wrong (so the flow need not ask for it)."""
    return len(_GENERIC.sub("", text)) >= MIN_DESCRIPTION_CHARS


@dataclass
class Draft:
    """The complaint being written, as stored in the conversation state (JSON)."""

    description: str = ""
    category: str = ""
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    photos: list[dict[str, Any]] = field(default_factory=list)
    contact: str = ""  # "yes", "no" or "" (not asked yet)
    name: str = ""
    phone: str = ""
    editing: bool = False
    notify_to: str = ""
    """The chat id, kept so the sweep can say so if the draft times out unsent."""

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Draft:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known, notify_to=str(data.get(NOTIFY_ON_EXPIRY) or ""))

    def data(self) -> dict[str, Any]:
        stored = {k: v for k, v in self.__dict__.items() if k != "notify_to"}
        return {**stored, NOTIFY_ON_EXPIRY: self.notify_to}

    def stored_photos(self) -> tuple[StoredPhoto, ...]:
        return tuple(
            StoredPhoto(p["key"], p["content_type"], int(p["size_bytes"])) for p in self.photos
        )

    def new_ticket(self) -> NewTicket:
        contact = Contact(clean(self.name), self.phone) if self.contact == "yes" else None
        return NewTicket(
            category=self.category or "other",
            description=clean(self.description),
            place=clean(self.place),
            latitude=self.latitude,
            longitude=self.longitude,
            contact=contact if contact and (contact.name or contact.phone) else None,
            photos=self.stored_photos(),
        )


class ComplaintFlow:
    """Owns every message while a complaint is being written."""

    flow = FLOW
    commands = frozenset({Command.BACK, Command.CANCEL, Command.COMPLAIN})
    takes_photos = True  # the pipeline fetches a photo for this flow before its turn

    def __init__(
        self, office: OfficeInfo, menu: Menu, categories: SuggestsCategories, sla_days: int
    ) -> None:
        self.office = office
        self.menu = menu
        self.categories = categories
        self.sla_days = sla_days

    # ---- entry and the generic commands --------------------------------------------------

    def start(self, turn: Turn, description: str = "") -> Outcome:
        intro = Reply(text=th.COMPLAINT_INTRO)
        draft = Draft(
            description=clean(description)[:MAX_DESCRIPTION_CHARS],
            notify_to=turn.message.user_id,
        )
        if describes_a_problem(description):
            return self._ask(Step.CATEGORY, draft, turn, before=(intro,))
        if says_something(description):  # "ถนนพัง": kept, and asked to say a little more
            more = Reply(text=th.DESCRIPTION_TOO_SHORT)
            return self._ask(Step.DESCRIBE, draft, turn, before=(intro, more))
        return self._ask(Step.DESCRIBE, replace(draft, description=""), turn, before=(intro,))

    def handle(self, turn: Turn) -> Outcome:
        step = _step(turn.state.step)
        draft = Draft.of(turn.state.data)
        message = turn.message
        if message.postback == Command.CANCEL.value or says_cancel(turn, _ANSWERS):
            self._discard(turn, draft)
            return Outcome((self.menu.reply(th.CANCELLED),), IDLE)
        if message.postback == Command.BACK.value:
            return self._back(step, draft, turn)
        if message.postback == Command.COMPLAIN.value:  # already writing one: carry on
            return self._ask(step, draft, turn)
        if message.kind is MessageKind.IMAGE and step is not Step.PHOTOS:
            return self._photo_between_steps(step, draft, turn)
        u = turn.understanding
        if u is not None and any(e.kind is EntityKind.RECEIPT_CODE for e in u.entities):
            # a corruption receipt code must never sit in a general ticket staff can read
            return self._ask(step, draft, turn, before=(Reply(text=th.RECEIPT_CODE_NOT_HERE),))
        if message.kind is MessageKind.TEXT and step is not Step.CONFIRM and _social(turn):
            return self._ask(step, draft, turn, before=(Reply(text=th.SOCIAL_ACK),))
        if step in _FREE_TEXT_STEPS and u is not None and _reads_as_corruption(u):
            # a bribe written as the place, or as more details: the safety rule first
            return self._safety_question(draft, turn)
        handler = {
            Step.DESCRIBE: self._on_description,
            Step.CATEGORY: self._on_category,
            Step.PLACE: self._on_place,
            Step.PHOTOS: self._on_photos,
            Step.CONTACT: self._on_contact,
            Step.CONTACT_NAME: self._on_name,
            Step.CONTACT_PHONE: self._on_phone,
            Step.CONFIRM: self._on_confirm,
            Step.EDIT: self._on_edit,
        }[step]
        return handler(draft, turn)

    def resume(self, turn: Turn) -> Reply:
        """Where the citizen was, after an answer given beside the flow."""
        step = _step(turn.state.step)
        question = self._question(step, Draft.of(turn.state.data), turn)
        return replace(question, text=f"{th.COMPLAINT_RESUME}\n{question.text}")

    def help(self, turn: Turn) -> Outcome:
        step = _step(turn.state.step)
        draft = Draft.of(turn.state.data)
        return self._ask(step, draft, turn, before=(Reply(text=th.COMPLAINT_HELP),))

    def _back(self, step: Step, draft: Draft, turn: Turn) -> Outcome:
        if draft.editing or step is Step.EDIT:
            return self._ask(Step.CONFIRM, replace(draft, editing=False), turn)
        if step in (Step.CONTACT_NAME, Step.CONTACT_PHONE):
            return self._ask(Step.CONTACT, draft, turn)
        if step is Step.DESCRIBE:
            return self._ask(Step.DESCRIBE, draft, turn, before=(Reply(text=th.FIRST_STEP),))
        return self._ask(ORDER[ORDER.index(step) - 1], draft, turn)

    def _next(
        self, after: Step, draft: Draft, turn: Turn, before: tuple[Reply, ...] = ()
    ) -> Outcome:
        if draft.editing:
            return self._ask(Step.CONFIRM, replace(draft, editing=False), turn, before=before)
        return self._ask(ORDER[ORDER.index(after) + 1], draft, turn, before=before)

    # ---- each step -----------------------------------------------------------------------

    def _on_description(self, draft: Draft, turn: Turn) -> Outcome:
        text = turn.message.text.strip() if turn.message.kind is MessageKind.TEXT else ""
        if not text:
            return self._ask(
                Step.DESCRIBE, draft, turn, before=(Reply(text=th.DESCRIPTION_NOT_TEXT),)
            )
        u = turn.understanding
        if u is not None and (u.corruption_signal or u.intent.intent == CORRUPTION):
            return self._safety_question(draft, turn)
        # "ถนนพัง" then "หน้าบ้าน เป็นหลุมลึก": kept and joined, never thrown away
        unfinished = draft.description and len(draft.description) < MIN_DESCRIPTION_CHARS
        joined = f"{draft.description} {text}" if unfinished and not draft.editing else text
        if text == draft.description:  # the same message sent twice
            joined = text
        if len(joined) > MAX_DESCRIPTION_CHARS:
            cut = Reply(text=th.DESCRIPTION_CUT.format(max=MAX_DESCRIPTION_CHARS))
            draft = replace(draft, description=joined[:MAX_DESCRIPTION_CHARS])
            return self._next(Step.DESCRIBE, draft, turn, before=(cut,))
        draft = replace(draft, description=joined[:MAX_DESCRIPTION_CHARS])
        if len(joined) < MIN_DESCRIPTION_CHARS:
            return self._ask(
                Step.DESCRIBE, draft, turn, before=(Reply(text=th.DESCRIPTION_TOO_SHORT),)
            )
        return self._next(Step.DESCRIBE, draft, turn)

    def _on_category(self, draft: Draft, turn: Turn) -> Outcome:
        payload = turn.message.postback
        if payload.startswith(CATEGORY_PAGE_PAYLOAD):
            page = payload_number(payload.removeprefix(CATEGORY_PAGE_PAYLOAD)) or 0
            return Outcome((_all_categories(page),), _state(Step.CATEGORY, draft))
        slug = payload.removeprefix(CATEGORY) if payload.startswith(CATEGORY) else ""
        if not slug and turn.message.kind is MessageKind.TEXT:
            slug = _category_named(turn.message.text)
        text = turn.message.text.strip() if turn.message.kind is MessageKind.TEXT else ""
        if slug in BY_SLUG:
            if not payload and describes_a_problem(text):  # "ถนนหน้าวัดมีหลุม": keep the words
                more = f"{draft.description} {text}"[:MAX_DESCRIPTION_CHARS]
                draft = replace(draft, description=more)
            return self._next(Step.CATEGORY, replace(draft, category=slug), turn)
        if describes_a_problem(text) and text not in draft.description:  # more details: keep
            more = f"{draft.description} {text}"[:MAX_DESCRIPTION_CHARS]
            added = Reply(text=th.DESCRIPTION_ADDED)
            return self._ask(Step.CATEGORY, replace(draft, description=more), turn, before=(added,))
        return Outcome(
            (Reply(text=th.CATEGORY_PRESS_A_BUTTON), _all_categories(0)),
            _state(Step.CATEGORY, draft),
        )

    def _on_place(self, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        if message.kind is MessageKind.LOCATION and message.location is not None:
            loc = message.location
            draft = replace(
                draft,
                latitude=loc.latitude,
                longitude=loc.longitude,
                place=loc.address[:MAX_PLACE_CHARS],
            )
            return self._next(Step.PLACE, draft, turn)
        if message.postback == NO_PLACE or (
            message.kind is MessageKind.TEXT and bare_word(message.text) in _SKIP
        ):
            draft = replace(draft, place="", latitude=None, longitude=None)
            return self._next(Step.PLACE, draft, turn)
        if message.kind is MessageKind.TEXT and message.text.strip():
            draft = replace(draft, place=message.text.strip()[:MAX_PLACE_CHARS])
            return self._next(Step.PLACE, replace(draft, latitude=None, longitude=None), turn)
        return self._ask(Step.PLACE, draft, turn, before=(Reply(text=th.PLACE_NOT_UNDERSTOOD),))

    def _on_photos(self, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        if message.kind is MessageKind.IMAGE:
            notice, draft = self._receive_photo(draft, turn)
            if len(draft.photos) >= MAX_PHOTOS:
                full = Reply(text=th.PHOTO_LIMIT_REACHED.format(max=MAX_PHOTOS))
                return self._next(Step.PHOTOS, draft, turn, before=(full,))
            buttons = self._question(Step.PHOTOS, draft, turn).quick_replies
            return Outcome((replace(notice, quick_replies=buttons),), _state(Step.PHOTOS, draft))
        done = message.postback == PHOTOS_DONE or (
            message.kind is MessageKind.TEXT and bare_word(message.text) in _DONE
        )
        if done:
            return self._next(Step.PHOTOS, draft, turn)
        return self._ask(Step.PHOTOS, draft, turn, before=(Reply(text=th.PHOTO_WAITING),))

    def _on_contact(self, draft: Draft, turn: Turn) -> Outcome:
        if phone_in(turn):  # "ได้ค่ะ 0812345678": details given are a yes
            return self._on_name(replace(draft, contact="yes"), turn)
        answer = _yes_no(turn, CONTACT_YES, CONTACT_NO)
        if answer is True:
            return self._ask(Step.CONTACT_NAME, replace(draft, contact="yes"), turn)
        if answer is False:
            draft = replace(draft, contact="no", name="", phone="")
            return self._next(Step.CONTACT, draft, turn)
        hint = Reply(text=th.CONTACT_PRESS_A_BUTTON)
        return self._ask(Step.CONTACT, draft, turn, before=(hint,))

    def _on_name(self, draft: Draft, turn: Turn) -> Outcome:
        text = turn.message.text.strip() if turn.message.kind is MessageKind.TEXT else ""
        if turn.message.postback == SKIP_NAME or (text and bare_word(text) in _SKIP):
            return self._ask(Step.CONTACT_PHONE, replace(draft, name=""), turn)
        if not text:
            return self._ask(Step.CONTACT_NAME, draft, turn)
        phone = phone_in(turn)
        if phone:  # "ป้าแดง 08 1234 5678 ค่ะ": both at once
            name = name_only(without_phone(turn))
            draft = replace(draft, name=name[:MAX_NAME_CHARS] or draft.name, phone=phone)
            if not draft.name:  # "โทร 0812345678 ได้เลย": the number, but no name yet
                return self._ask(Step.CONTACT_NAME, draft, turn)
            return self._next(Step.CONTACT, draft, turn)
        name = name_only(text)[:MAX_NAME_CHARS]
        if draft.phone:  # the number came first
            return self._next(Step.CONTACT, replace(draft, name=name), turn)
        return self._ask(Step.CONTACT_PHONE, replace(draft, name=name), turn)

    def _on_phone(self, draft: Draft, turn: Turn) -> Outcome:
        if turn.message.postback == SKIP_PHONE or (
            turn.message.kind is MessageKind.TEXT and bare_word(turn.message.text) in _SKIP
        ):
            return self._next(Step.CONTACT, replace(draft, phone=""), turn)
        phone = phone_in(turn)
        if not phone:
            return self._ask(
                Step.CONTACT_PHONE, draft, turn, before=(Reply(text=th.PHONE_NOT_UNDERSTOOD),)
            )
        return self._next(Step.CONTACT, replace(draft, phone=phone), turn)

    def _on_confirm(self, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        typed = bare_word(message.text) if message.kind is MessageKind.TEXT else ""
        if message.postback == CONFIRM or (
            typed and typed_yes_no(message.text, _YES, _NO, whole=True)
        ):
            return self._file(draft, turn)
        if message.postback == EDIT or typed in {"แก้ไข", "แก้"}:
            return self._ask(Step.EDIT, draft, turn)
        return Outcome(
            (Reply(text=th.CONFIRM_WAITING, quick_replies=_confirm_choices()),),
            _state(Step.CONFIRM, draft),
        )

    def _on_edit(self, draft: Draft, turn: Turn) -> Outcome:
        payload = turn.message.postback
        target = payload.removeprefix(EDIT_STEP) if payload.startswith(EDIT_STEP) else ""
        if not target and turn.message.kind is MessageKind.TEXT:
            typed = bare_word(turn.message.text)
            target = next((s.value for s, label in EDITABLE.items() if label == typed), "")
        if target not in {s.value for s in EDITABLE}:
            return self._ask(Step.EDIT, draft, turn)
        return self._ask(Step(target), replace(draft, editing=True), turn)

    def _safety_question(self, draft: Draft, turn: Turn) -> Outcome:
        """The safety rule: a possible corruption report is never filed as a general one
        without asking. The draft waits in the question's state: "no" gives the text back
        to this step as its answer (`RESUME`), "yes" leaves the draft behind."""
        u = turn.understanding
        assert u is not None
        as_general = replace(u, intent=IntentGuess(GENERAL, 1.0), corruption_signal=True)
        step = _step(turn.state.step) if turn.state.flow == FLOW else Step.DESCRIBE
        waiting = {"flow": FLOW, "step": step.value, "data": draft.data()}
        asked = Clarify().handle(replace(turn, understanding=as_general), keep={RESUME: waiting})
        data = {**asked.state.data, NOTIFY_ON_EXPIRY: draft.notify_to}
        return replace(asked, state=replace(asked.state, data=data))

    # ---- photos --------------------------------------------------------------------------

    def _photo_between_steps(self, step: Step, draft: Draft, turn: Turn) -> Outcome:
        """A photo sent before (or after) the photo step is kept, and the question stands."""
        notice, draft = self._receive_photo(draft, turn)
        return self._ask(step, draft, turn, before=(notice,))

    def _receive_photo(self, draft: Draft, turn: Turn) -> tuple[Reply, Draft]:
        if len(draft.photos) >= MAX_PHOTOS:
            return Reply(text=th.PHOTO_TOO_MANY.format(max=MAX_PHOTOS)), draft
        inbox = turn.ports.photos
        media_id = turn.message.media_id
        if inbox is None or not media_id:
            return Reply(text=th.PHOTO_UNAVAILABLE), draft
        try:
            photo = inbox.receive(media_id)
        except PhotoRejected as rejected:
            return Reply(text=PHOTO_PROBLEMS[rejected.problem]), draft
        photos = [
            *draft.photos,
            {"key": photo.key, "content_type": photo.content_type, "size_bytes": photo.size_bytes},
        ]
        left = MAX_PHOTOS - len(photos)
        notice = th.PHOTO_RECEIVED.format(count=len(photos), left=left)
        return Reply(text=notice), replace(draft, photos=photos)

    def _discard(self, turn: Turn, draft: Draft) -> None:
        if turn.ports.photos is not None and draft.photos:
            turn.ports.photos.discard([p["key"] for p in draft.photos])

    # ---- filing --------------------------------------------------------------------------

    def _file(self, draft: Draft, turn: Turn) -> Outcome:
        desk = turn.ports.desk
        if desk is None or not draft.description:
            unavailable = self.office.fill(th.COMPLAINT_UNAVAILABLE)
            return Outcome((Reply(text=unavailable),), _state(Step.CONFIRM, draft))
        ticket = desk.open(draft.new_ticket(), turn.message.received_at, self.sla_days)
        receipt = th.RECEIPT.format(
            code=ticket.code,
            category=category_label(ticket.category),
            received=thai_date(ticket.received_on),
            due=thai_date(ticket.due_on),
            days=self.sla_days,
        )
        follow = (
            Choice(th.LABEL_MY_TICKETS, Command.MY_TICKETS.value),
            Choice(th.LABEL_MENU, Command.MENU.value),
        )
        return Outcome((Reply(text=receipt, quick_replies=follow),), IDLE)

    # ---- questions -----------------------------------------------------------------------

    def _ask(self, step: Step, draft: Draft, turn: Turn, before: tuple[Reply, ...] = ()) -> Outcome:
        return Outcome((*before, self._question(step, draft, turn)), _state(step, draft))

    def _question(self, step: Step, draft: Draft, turn: Turn) -> Reply:
        back = Choice(th.LABEL_BACK, Command.BACK.value)
        cancel = Choice(th.LABEL_CANCEL, Command.CANCEL.value)
        if step is Step.DESCRIBE:
            return Reply(text=th.ASK_DESCRIPTION, quick_replies=(cancel,))
        if step is Step.CATEGORY:
            suggested = self.categories.suggest_categories(draft.description, 3)
            return Reply(
                text=th.ASK_CATEGORY,
                quick_replies=(
                    *(Choice(s.category.name, f"{CATEGORY}{s.category.slug}") for s in suggested),
                    Choice(th.LABEL_OTHER_CATEGORIES, f"{CATEGORY_PAGE_PAYLOAD}0"),
                    back,
                ),
            )
        if step is Step.PLACE:
            text = th.ASK_PLACE
            if turn.message.channel == "telegram":
                text = f"{text}\n{th.ASK_PLACE_TELEGRAM_HINT}"
            return Reply(
                text=text,
                quick_replies=(
                    Choice(th.LABEL_SEND_LOCATION, action="location"),
                    Choice(th.LABEL_NO_PLACE, NO_PLACE),
                    back,
                ),
            )
        if step is Step.PHOTOS:
            done = th.LABEL_PHOTOS_DONE if draft.photos else th.LABEL_NO_PHOTO
            return Reply(
                text=th.ASK_PHOTOS.format(max=MAX_PHOTOS),
                quick_replies=(
                    Choice(th.LABEL_TAKE_PHOTO, action="camera"),
                    Choice(th.LABEL_PICK_PHOTO, action="camera_roll"),
                    Choice(done, PHOTOS_DONE),
                    back,
                ),
            )
        if step is Step.CONTACT:
            return Reply(
                text=th.ASK_CONTACT,
                quick_replies=(
                    Choice(th.LABEL_CONTACT_YES, CONTACT_YES),
                    Choice(th.LABEL_CONTACT_NO, CONTACT_NO),
                    Choice(th.LABEL_PRIVACY, Command.PRIVACY.value),
                    back,
                ),
            )
        if step is Step.CONTACT_NAME:
            return Reply(
                text=th.ASK_CONTACT_NAME,
                quick_replies=(Choice(th.LABEL_SKIP, SKIP_NAME), back, cancel),
            )
        if step is Step.CONTACT_PHONE:
            return Reply(
                text=th.ASK_CONTACT_PHONE,
                quick_replies=(Choice(th.LABEL_SKIP, SKIP_PHONE), back, cancel),
            )
        if step is Step.EDIT:
            return Reply(
                text=th.ASK_WHAT_TO_EDIT,
                quick_replies=(
                    *(Choice(label, f"{EDIT_STEP}{s.value}") for s, label in EDITABLE.items()),
                    back,
                ),
            )
        return self._summary(draft)

    def _summary(self, draft: Draft) -> Reply:
        if draft.latitude is not None and draft.longitude is not None:
            place = draft.place or th.PLACE_PIN
            place = f"{place} ({draft.latitude:.5f}, {draft.longitude:.5f})"
        else:
            place = draft.place or th.PLACE_NONE
        contact = th.CONTACT_NONE
        if draft.contact == "yes" and (draft.name or draft.phone):
            contact = " ".join(part for part in (draft.name, draft.phone) if part)
        card = Card(
            title=th.SUMMARY_TITLE,
            facts=(
                (th.FACT_DESCRIPTION, draft.description),
                (th.FACT_CATEGORY, category_label(draft.category)),
                (th.FACT_PLACE, place),
                (th.FACT_PHOTOS, th.PHOTOS_COUNT.format(count=len(draft.photos))),
                (th.FACT_CONTACT, contact),
            ),
        )
        return Reply(text=th.SUMMARY_ASK, cards=(card,), quick_replies=_confirm_choices())


def draft_photo_keys(state: ConversationState) -> list[str]:
    """The photos a half-written complaint holds (for erasure to delete with it)."""
    if state.flow != FLOW:
        return []
    return [str(p["key"]) for p in Draft.of(state.data).photos if "key" in p]


class ComplaintIntake:
    """Starts the flow from the menu, the typed word, or a message understood as a
    general complaint, reusing that message as the description when it is one."""

    name = "complaint_intake"

    def __init__(self, flow: ComplaintFlow) -> None:
        self.flow = flow

    def matches(self, turn: Turn) -> bool:
        message = turn.message
        if message.kind is MessageKind.POSTBACK:
            return message.postback == Command.COMPLAIN.value or message.postback.startswith(PREFIX)
        return turn.intent == GENERAL

    def handle(self, turn: Turn) -> Outcome:
        if turn.message.postback.startswith(PREFIX):
            # a button from a finished or expired complaint: never file it twice
            stale = Reply(
                text=th.COMPLAINT_STALE_BUTTON,
                quick_replies=(
                    Choice(th.LABEL_MY_TICKETS, Command.MY_TICKETS.value),
                    Choice(th.LABEL_COMPLAIN, Command.COMPLAIN.value),
                ),
            )
            return Outcome((stale,), IDLE)
        text = turn.message.text.strip() if turn.message.kind is MessageKind.TEXT else ""
        return self.flow.start(turn, text)


def _reads_as_corruption(u: Understanding) -> bool:
    """A place or an extra detail that is itself a corruption report ("เจ้าหน้าที่บอกต้อง
    จ่ายใต้โต๊ะ"). Stricter than the description's rule: the model reads a landmark such as
    "ใกล้บ้านนายก" as corruption, so the words of misconduct must be there too."""
    return u.intent.intent == CORRUPTION and _MISCONDUCT.search(u.text) is not None


def _social(turn: Turn) -> bool:
    """A short thanks or hello in the middle of a step: acknowledged, not taken as data."""
    u = turn.understanding
    return (
        u is not None
        and u.intent.intent in ("thanks", "greeting")
        and not u.unsure
        and len(turn.message.text) <= SOCIAL_MAX_CHARS
    )


def _state(step: Step, draft: Draft) -> ConversationState:
    return ConversationState(FLOW, step=step.value, data=draft.data())


def _step(value: str | None) -> Step:
    try:
        return Step(value or Step.DESCRIBE)
    except ValueError:
        return Step.DESCRIBE  # a step from an older version: start over the questions


def _confirm_choices() -> tuple[Choice, ...]:
    return (
        Choice(th.LABEL_CONFIRM, CONFIRM),
        Choice(th.LABEL_EDIT, EDIT),
        Choice(th.LABEL_CANCEL, Command.CANCEL.value),
    )


def _all_categories(page: int) -> Reply:
    start = page * CATEGORY_PAGE if 0 <= page * CATEGORY_PAGE < len(TAXONOMY) else 0
    shown = TAXONOMY[start : start + CATEGORY_PAGE]
    more = start + CATEGORY_PAGE < len(TAXONOMY)
    next_page = page + 1 if more else 0
    return Reply(
        text=th.ASK_CATEGORY_ALL,
        quick_replies=(
            *(Choice(c.name, f"{CATEGORY}{c.slug}") for c in shown),
            Choice(
                th.LABEL_MORE_CATEGORIES if more else th.KB_CATALOGUE_FIRST,
                f"{CATEGORY_PAGE_PAYLOAD}{next_page}",
            ),
            Choice(th.LABEL_BACK, Command.BACK.value),
        ),
    )


def _category_named(text: str) -> str:
    """The category a short typed answer names: "ถนน", "เรื่องถนนค่ะ" (the longest name
    found wins, so "ทางเท้า" is not read as a shorter name inside it)."""
    typed = bare_word(text)
    if len(typed) > MAX_CATEGORY_ANSWER:
        return ""
    if typed.startswith(("ไม่ใช่", "ไม่ได้")):  # "ไม่ใช่ถนนนะ" names what it is not
        return ""
    if typed.startswith(("ไม่รู้", "ไม่ทราบ", "ไม่แน่ใจ")):
        return "other"
    named = [c for c in TAXONOMY if c.name.lower() in typed or typed == c.slug]
    if named:
        return max(named, key=lambda c: len(c.name)).slug
    words = set(tokenize(typed))  # whole words: "ความหมาย" holds no "หมา"
    said = [word for word in _CATEGORY_WORDS if word in words or word == typed]
    return _CATEGORY_WORDS[max(said, key=len)] if said else ""


def _yes_no(turn: Turn, yes_payload: str, no_payload: str) -> bool | None:
    message = turn.message
    if message.postback == yes_payload:
        return True
    if message.postback == no_payload:
        return False
    if message.kind is MessageKind.TEXT:
        if bare_word(message.text) == bare_word(th.LABEL_CONTACT_YES):
            return True
        return typed_yes_no(message.text, _YES, _NO)
    return None
