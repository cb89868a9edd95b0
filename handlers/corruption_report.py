"""The confidential corruption report: a guided flow from what happened to a sealed report
and its receipt code, which is shown once and is the only key to the case.

Steps: intro (how the report is protected; anonymous by default) → what → who → when →
where → how the person knows → evidence (photos, sealed the moment they arrive) → identity
(anonymous, or a name and a contact) → progress by chat (opt-in) → a summary to confirm,
edit one part or cancel. "ย้อนกลับ" goes back a step and "ยกเลิก" cancels at every step.

Nothing of the report is kept in clear. The draft lives in the conversation state only as a
`DraftVault` token (the state's data holds that token and nothing else), unlocked each
turn and gone at submit, cancel and timeout. Photos are sealed to the integrity officers as
they arrive; only the sealed evidence keys travel in the draft. Until an integrity officer
has a key the channel is closed, and the citizen is pointed to the national channels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from complaints.corruption import ChannelClosed, ReportContent
from complaints.photos import PhotoRejected
from handlers import texts_th as th
from handlers.basic import Menu
from handlers.commands import Command, bare_word, payload_number
from handlers.contract import IDLE, ConversationState, Outcome, Turn
from handlers.messages import Card, Choice, MessageKind, Reply
from handlers.typed_answers import (
    PHOTO_PROBLEMS,
    clean,
    name_only,
    phone_in,
    says_cancel,
    typed_yes_no,
    without_phone,
)
from nlu.understand import CORRUPTION

FLOW = "corruption"
PREFIX = "cr:"
VAULT_KEY = "vault"
"""The only key of the flow's state data: the locked draft."""

MAX_EVIDENCE = 5
MIN_WHAT_CHARS = 10
MAX_WHAT_CHARS = 3000
MAX_PART_CHARS = 500
MAX_NAME_CHARS = 100
MAX_CONTACT_CHARS = 200
CARD_VALUE_CHARS = 300

START = f"{PREFIX}start"
UNKNOWN = f"{PREFIX}unknown"
EVIDENCE_DONE = f"{PREFIX}evidence_done"
EVIDENCE_CLEAR = f"{PREFIX}evidence_clear"
ANONYMOUS = f"{PREFIX}anonymous"
NAMED = f"{PREFIX}named"
SKIP_NAME = f"{PREFIX}skip_name"
SKIP_CONTACT = f"{PREFIX}skip_contact"
NOTIFY_YES = f"{PREFIX}notify_yes"
NOTIFY_NO = f"{PREFIX}notify_no"
CONFIRM = f"{PREFIX}confirm"
EDIT = f"{PREFIX}edit"
EDIT_STEP = f"{PREFIX}edit:"
EXCLUDE = f"{PREFIX}ex:"
CONFLICT_DONE = f"{PREFIX}ex_done"
MAX_OFFICER_BUTTONS = 10

CORRUPTION_COMMANDS = frozenset(
    {Command.REPORT_CORRUPTION, Command.FOLLOW_CORRUPTION, Command.ADD_TO_CORRUPTION}
)


class Step(StrEnum):
    INTRO = "intro"
    WHAT = "what"
    WHO = "who"
    CONFLICT = "conflict"  # integrity officers the reporter keeps from reading it
    WHEN = "when"
    WHERE = "where"
    HOW = "how"
    EVIDENCE = "evidence"
    IDENTITY = "identity"
    NAME = "name"
    CONTACT = "contact"
    NOTIFY = "notify"
    CONFIRM = "confirm"
    EDIT = "edit"


ORDER = (
    Step.INTRO,
    Step.WHAT,
    Step.WHO,
    Step.CONFLICT,
    Step.WHEN,
    Step.WHERE,
    Step.HOW,
    Step.EVIDENCE,
    Step.IDENTITY,
    Step.NOTIFY,
    Step.CONFIRM,
)
# The parts that may be answered "ไม่ทราบ": the draft field each fills.
_PARTS = {Step.WHO: "who", Step.WHEN: "when", Step.WHERE: "where", Step.HOW: "how_known"}
_PART_QUESTIONS = {
    Step.WHO: th.CR_ASK_WHO,
    Step.WHEN: th.CR_ASK_WHEN,
    Step.WHERE: th.CR_ASK_WHERE,
    Step.HOW: th.CR_ASK_HOW,
}
EDITABLE = {
    Step.WHAT: th.CR_FACT_WHAT,
    Step.WHO: th.CR_FACT_WHO,
    Step.CONFLICT: th.CR_FACT_CONFLICT,
    Step.WHEN: th.CR_FACT_WHEN,
    Step.WHERE: th.CR_FACT_WHERE,
    Step.HOW: th.CR_FACT_HOW,
    Step.EVIDENCE: th.CR_FACT_EVIDENCE,
    Step.IDENTITY: th.CR_FACT_IDENTITY,
    Step.NOTIFY: th.CR_FACT_NOTIFY,
}

_YES = {
    "ใช่", "ยืนยัน", "ตกลง", "ส่ง", "ส่งเลย", "ok", "okay", "โอเค", "ได้", "ได้เลย", "ถูกต้อง",
    "เอา", "เอาเลย", "ต้องการ", "ให้", "ให้แจ้ง", "แจ้ง", "yes", "จ้ะ", "ยืนยันส่งเบาะแส",
    "ยืนยันส่ง", "แจ้งทางแชตนี้", "ให้แจ้งความคืบหน้าทางแชตนี้", "แจ้งความคืบหน้า", "ทางแชต",
    "ระบุ", "ระบุชื่อ",
}  # fmt: skip
_NO = {
    "ไม่", "ไม่ใช่", "ไม่ต้อง", "ไม่ประสงค์", "ไม่ให้", "ไม่เอา", "no", "ไม่ต้องแจ้ง",
    "ไม่ระบุ", "ติดตามเอง",
}  # fmt: skip
_START_WORDS = {"เริ่ม", "เริ่มแจ้ง", "เริ่มเลย", "พร้อม", "พร้อมแล้ว", "start"}
_UNKNOWN_WORDS = {
    "ไม่ทราบ", "ไม่รู้", "ไม่แน่ใจ", "ไม่รู้จัก", "จำไม่ได้", "ข้าม", "ไม่มี", "ไม่ระบุ", "-",
}  # fmt: skip
_DONE = {
    "เสร็จ", "เสร็จแล้ว", "ไม่มี", "ไม่มีรูป", "ไม่มีหลักฐาน", "ข้าม", "ต่อไป", "ไม่ส่ง",
    "พอแล้ว", "ครบแล้ว", "หมดแล้ว",
}  # fmt: skip
_ANONYMOUS_WORDS = {
    "ไม่ระบุตัวตน", "ไม่ระบุชื่อ", "ไม่ประสงค์ออกนาม", "นิรนาม", "ไม่บอกชื่อ", "ไม่เปิดเผยตัวตน",
    "ไม่ระบุ",
}  # fmt: skip
_NAMED_WORDS = {"ระบุชื่อและติดต่อ", "ระบุชื่อ", "ระบุตัวตน", "บอกชื่อ", "ให้ติดต่อ"}
_ANSWERS = _YES | _NO | _UNKNOWN_WORDS | _DONE | _ANONYMOUS_WORDS | _START_WORDS
# Words that ask to report without saying what happened: "ขอแจ้งเบาะแสทุจริตค่ะ".
_GENERIC = re.compile(
    r"ขอ|อยาก|ต้องการ|จะ|แจ้ง|เรื่อง|ร้องเรียน|เบาะแส|การ|ทุจริต|คอร์รัปชั่น|คอรัปชั่น"
    r"|คอร์รัปชัน|คอรัปชัน|ประพฤติมิชอบ|ลับ|หน่อย|ได้ไหม|ได้มั้ย|ยังไง|อย่างไร|ทำไง|ที่ไหน"
    r"|ช่วย|ครับ|ค่ะ|คะ|คับ|นะ|จ้า|ด้วย|[\s\d\W]"
)


def describes_what_happened(text: str) -> bool:
    """Whether a message already tells what happened (so the flow need not ask)."""
    return len(_GENERIC.sub("", text)) >= MIN_WHAT_CHARS


@dataclass
class Draft:
    """The report being written, as locked in the vault (never stored in clear)."""

    what: str = ""
    who: str = ""
    when: str = ""
    where: str = ""
    how_known: str = ""
    evidence: list[str] = field(default_factory=list)
    """Keys of evidence already sealed to the officers."""
    evidence_note: str = ""
    exclude: list[str] = field(default_factory=list)
    """Integrity officers with a conflict of interest: the report is not sealed to them."""
    named: bool = False
    name: str = ""
    contact: str = ""
    notify: bool = False
    editing: bool = False

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Draft:
        texts = {
            k: str(data.get(k) or "")
            for k in (
                "what",
                "who",
                "when",
                "where",
                "how_known",
                "evidence_note",
                "name",
                "contact",
            )
        }
        evidence, exclude = data.get("evidence"), data.get("exclude")
        return cls(
            **texts,
            evidence=[str(k) for k in evidence] if isinstance(evidence, list) else [],
            exclude=[str(n) for n in exclude] if isinstance(exclude, list) else [],
            named=bool(data.get("named")),
            notify=bool(data.get("notify")),
            editing=bool(data.get("editing")),
        )

    def data(self) -> dict[str, Any]:
        return asdict(self)

    def content(self) -> ReportContent:
        how = self.how_known
        if self.evidence_note:
            note = th.CR_EVIDENCE_NOTE.format(note=self.evidence_note)
            how = f"{how}\n{note}" if how else note
        return ReportContent(
            what=clean(self.what),
            who=clean(self.who),
            when=clean(self.when),
            where=clean(self.where),
            how_known=clean(how),
            name=clean(self.name) if self.named else "",
            contact=clean(self.contact) if self.named else "",
        )


class CorruptionFlow:
    """Owns every message while a corruption report is being written."""

    flow = FLOW
    commands = frozenset({Command.BACK, Command.CANCEL, Command.COMPLAIN, *CORRUPTION_COMMANDS})
    takes_photos = True  # the pipeline fetches a photo for this flow before its turn
    confidential = True  # the flow's name stays out of logs: reporting is itself a secret

    def __init__(self, menu: Menu, sla_days: int) -> None:
        self.menu = menu
        self.sla_days = sla_days

    # ---- entry, the closed channel and the generic commands ------------------------------

    def start(self, turn: Turn, what: str = "") -> Outcome:
        integrity, vault = turn.ports.integrity, turn.ports.vault
        if integrity is None or vault is None or not integrity.is_open():
            return self.closed()
        draft = Draft(what=clean(what)[:MAX_WHAT_CHARS])
        if draft.what:  # the message that brought the citizen here says what happened
            notice = Reply(text=f"{th.CR_INTRO}\n\n{th.CR_WHAT_KEPT}")
            return self._ask(Step.WHO, draft, turn, before=(notice,))
        return self._ask(Step.INTRO, draft, turn)

    def closed(self) -> Outcome:
        return channel_closed(self.menu)

    def handle(self, turn: Turn) -> Outcome:
        draft = self._unlock(turn)
        if draft is None or turn.ports.integrity is None:
            return self._lost()
        try:
            return self._dispatch(_step(turn.state.step), draft, turn)
        except ChannelClosed:
            self._discard(turn, draft)
            return self.closed()

    def resume(self, turn: Turn) -> Reply:
        """Where the citizen was, after an answer given beside the flow."""
        draft = self._unlock(turn)
        if draft is None:
            return Reply(text=th.CR_DRAFT_LOST)
        question = self._question(_step(turn.state.step), draft, turn)
        return replace(question, text=f"{th.CR_RESUME}\n{question.text}")

    def help(self, turn: Turn) -> Outcome:
        draft = self._unlock(turn)
        if draft is None:
            return self._lost()
        step = _step(turn.state.step)
        return self._ask(step, draft, turn, before=(Reply(text=th.CR_HELP),))

    def _dispatch(self, step: Step, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        if message.postback == Command.CANCEL.value or says_cancel(turn, _ANSWERS):
            self._discard(turn, draft)
            return Outcome((self.menu.reply(th.CR_CANCELLED),), IDLE)
        if message.postback == Command.BACK.value:
            return self._back(step, draft, turn)
        if message.postback == Command.REPORT_CORRUPTION.value:  # already writing: carry on
            return self._ask(step, draft, turn)
        if message.postback in {
            Command.COMPLAIN.value,
            Command.FOLLOW_CORRUPTION.value,
            Command.ADD_TO_CORRUPTION.value,
        }:
            return self._ask(step, draft, turn, before=(Reply(text=th.CR_BUSY),))
        if message.kind is MessageKind.FILE:  # a document: evidence, at any step
            notice, draft = self._receive(draft, turn, document=True)
            return self._ask(step, draft, turn, before=(notice,))
        if message.kind is MessageKind.IMAGE:
            if step is Step.EVIDENCE:
                return self._on_evidence(draft, turn)
            notice, draft = self._receive(draft, turn)  # evidence is welcome at any step
            return self._ask(step, draft, turn, before=(notice,))
        if message.kind is MessageKind.UNSUPPORTED:  # a file, a clip: say what to do
            return self._ask(step, draft, turn, before=(Reply(text=th.CR_EVIDENCE_ONLY_IMAGES),))
        if step in _PARTS:
            return self._on_part(step, draft, turn)
        handler = {
            Step.CONFLICT: self._on_conflict,
            Step.INTRO: self._on_intro,
            Step.WHAT: self._on_what,
            Step.EVIDENCE: self._on_evidence,
            Step.IDENTITY: self._on_identity,
            Step.NAME: self._on_name,
            Step.CONTACT: self._on_contact,
            Step.NOTIFY: self._on_notify,
            Step.CONFIRM: self._on_confirm,
            Step.EDIT: self._on_edit,
        }[step]
        return handler(draft, turn)

    def _back(self, step: Step, draft: Draft, turn: Turn) -> Outcome:
        if draft.editing or step is Step.EDIT:
            return self._ask(Step.CONFIRM, replace(draft, editing=False), turn)
        if step is Step.NAME:
            return self._ask(Step.IDENTITY, draft, turn)
        if step is Step.CONTACT:
            return self._ask(Step.NAME, draft, turn)
        if step is Step.INTRO:
            return self._ask(Step.INTRO, draft, turn, before=(Reply(text=th.FIRST_STEP),))
        previous = ORDER[ORDER.index(step) - 1]
        if previous is Step.CONFLICT and not self._may_exclude(turn):
            previous = Step.WHO
        return self._ask(previous, draft, turn)

    def _next(
        self, after: Step, draft: Draft, turn: Turn, before: tuple[Reply, ...] = ()
    ) -> Outcome:
        if draft.editing:
            return self._ask(Step.CONFIRM, replace(draft, editing=False), turn, before=before)
        return self._ask(ORDER[ORDER.index(after) + 1], draft, turn, before=before)

    def _lost(self) -> Outcome:
        """A token this vault cannot open (altered, or from before a key change): the draft
        is gone, and nothing of it can be shown."""
        return Outcome((self.menu.reply(th.CR_DRAFT_LOST),), IDLE)

    # ---- each step -----------------------------------------------------------------------

    def _on_intro(self, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        typed = bare_word(message.text) if message.kind is MessageKind.TEXT else ""
        if (
            message.postback == START
            or typed in _START_WORDS
            or typed_yes_no(typed, _YES, _NO) is True
        ):
            return self._ask(Step.WHAT, draft, turn)
        if typed:  # they just tell what happened
            return self._on_what(draft, turn)
        return self._ask(Step.INTRO, draft, turn)

    def _on_what(self, draft: Draft, turn: Turn) -> Outcome:
        text = _text(turn)
        if not text:
            return self._ask(Step.WHAT, draft, turn, before=(Reply(text=th.CR_ANSWER_AS_TEXT),))
        # "ปลัดเรียกเงิน" then "ตอนขออนุญาตก่อสร้าง 5,000 บาท": kept and joined
        unfinished = draft.what and len(draft.what) < MIN_WHAT_CHARS and not draft.editing
        joined = f"{draft.what} {text}" if unfinished else text
        draft = replace(draft, what=joined[:MAX_WHAT_CHARS])
        if len(joined) < MIN_WHAT_CHARS:
            return self._ask(Step.WHAT, draft, turn, before=(Reply(text=th.CR_WHAT_TOO_SHORT),))
        return self._next(Step.WHAT, draft, turn)

    def _on_part(self, step: Step, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        if message.postback == UNKNOWN or (
            _text(turn) and bare_word(message.text) in _UNKNOWN_WORDS
        ):
            return self._next(step, _with_part(draft, step, ""), turn)
        if step is Step.WHERE and message.kind is MessageKind.LOCATION and message.location:
            loc = message.location
            place = f"{loc.address} ({loc.latitude:.5f}, {loc.longitude:.5f})".strip()
            return self._next(step, replace(draft, where=place[:MAX_PART_CHARS]), turn)
        text = _text(turn)
        if not text:
            return self._ask(step, draft, turn, before=(Reply(text=th.CR_ANSWER_AS_TEXT),))
        return self._next(step, _with_part(draft, step, text[:MAX_PART_CHARS]), turn)

    def _on_evidence(self, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        if message.kind is MessageKind.IMAGE:
            notice, draft = self._receive(draft, turn)
            if len(draft.evidence) >= MAX_EVIDENCE:
                full = Reply(text=th.CR_EVIDENCE_FULL.format(max=MAX_EVIDENCE))
                return self._next(Step.EVIDENCE, draft, turn, before=(notice, full))
            buttons = self._question(Step.EVIDENCE, draft, turn).quick_replies
            return Outcome(
                (replace(notice, quick_replies=buttons),),
                self._state(Step.EVIDENCE, draft, turn),
            )
        if message.postback == EVIDENCE_CLEAR:
            self._discard(turn, draft)
            draft = replace(draft, evidence=[], evidence_note="")
            cleared = Reply(text=th.CR_EVIDENCE_CLEARED)
            return self._ask(Step.EVIDENCE, draft, turn, before=(cleared,))
        text = _text(turn)
        if message.postback == EVIDENCE_DONE or (text and bare_word(text) in _DONE):
            return self._next(Step.EVIDENCE, draft, turn)
        if len(text) >= MIN_WHAT_CHARS:  # "มีคลิปเสียงในมือถือ": what the evidence is, kept
            note = f"{draft.evidence_note} {text}".strip()[:MAX_PART_CHARS]
            kept = Reply(text=th.CR_EVIDENCE_NOTE_KEPT)
            return self._ask(
                Step.EVIDENCE, replace(draft, evidence_note=note), turn, before=(kept,)
            )
        return self._ask(Step.EVIDENCE, draft, turn, before=(Reply(text=th.CR_EVIDENCE_WAITING),))

    def _on_identity(self, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        typed = bare_word(message.text) if message.kind is MessageKind.TEXT else ""
        if phone_in(turn):  # "สมชาย 081 234 5678": details given are a yes
            return self._on_name(replace(draft, named=True), turn)
        if message.postback == ANONYMOUS or typed in _ANONYMOUS_WORDS:
            return self._next(Step.IDENTITY, _anonymous(draft), turn)
        if message.postback == NAMED or typed in _NAMED_WORDS:
            return self._ask(Step.NAME, replace(draft, named=True), turn)
        answer = typed_yes_no(typed, _YES, _NO) if typed else None
        if answer is True:
            return self._ask(Step.NAME, replace(draft, named=True), turn)
        if answer is False:
            return self._next(Step.IDENTITY, _anonymous(draft), turn)
        hint = Reply(text=th.CR_IDENTITY_PRESS)
        return self._ask(Step.IDENTITY, draft, turn, before=(hint,))

    def _on_name(self, draft: Draft, turn: Turn) -> Outcome:
        text = _text(turn)
        if turn.message.postback == SKIP_NAME or (text and bare_word(text) in _UNKNOWN_WORDS):
            return self._ask(Step.CONTACT, replace(draft, name=""), turn)
        if not text:
            return self._ask(Step.NAME, draft, turn)
        phone = phone_in(turn)
        if phone:  # a name and a number at once
            rest = without_phone(turn)
            name = name_only(rest)[:MAX_NAME_CHARS]
            return self._next(Step.IDENTITY, replace(draft, name=name, contact=phone), turn)
        name = name_only(text)[:MAX_NAME_CHARS] or text[:MAX_NAME_CHARS]
        return self._ask(Step.CONTACT, replace(draft, name=name), turn)

    def _on_contact(self, draft: Draft, turn: Turn) -> Outcome:
        text = _text(turn)
        if turn.message.postback == SKIP_CONTACT or (text and bare_word(text) in _UNKNOWN_WORDS):
            draft = replace(draft, contact="")
            if not draft.name:
                draft = _anonymous(draft)  # nothing given after all
            return self._next(Step.IDENTITY, draft, turn)
        if not text:
            return self._ask(Step.CONTACT, draft, turn)
        contact = phone_in(turn) or text[:MAX_CONTACT_CHARS]
        return self._next(Step.IDENTITY, replace(draft, contact=contact), turn)

    def _may_exclude(self, turn: Turn) -> bool:
        """Only when another officer would still read it: with one officer, excluding them
        would leave nobody (the national channels are for that case)."""
        integrity = turn.ports.integrity
        return integrity is not None and len(integrity.officer_names()) > 1

    def _on_conflict(self, draft: Draft, turn: Turn) -> Outcome:
        payload = turn.message.postback
        names = turn.ports.integrity.officer_names() if turn.ports.integrity else ()
        typed = bare_word(turn.message.text) if turn.message.kind is MessageKind.TEXT else ""
        if payload == CONFLICT_DONE or typed in _DONE | _NO | {"ไม่มี", "ไม่ทราบ"}:
            return self._next(Step.CONFLICT, draft, turn)
        chosen = typed
        if payload.startswith(EXCLUDE):  # by position: a Thai name may not fit Telegram's 64 bytes
            index = payload_number(payload.removeprefix(EXCLUDE))
            chosen = names[index] if index is not None and index < len(names) else ""
        if chosen not in names:
            hint = Reply(text=th.CR_CONFLICT_PRESS)
            return self._ask(Step.CONFLICT, draft, turn, before=(hint,))
        if chosen not in draft.exclude and len(names) - len(draft.exclude) <= 1:
            # everyone is involved: nobody here could read it safely
            return self._ask(Step.CONFLICT, draft, turn, before=(Reply(text=th.CR_CONFLICT_ALL),))
        excluded = [n for n in draft.exclude if n != chosen]
        if chosen not in draft.exclude:
            excluded.append(chosen)
        return self._ask(Step.CONFLICT, replace(draft, exclude=excluded), turn)

    def _on_notify(self, draft: Draft, turn: Turn) -> Outcome:
        message = turn.message
        answer: bool | None = None
        if message.postback in (NOTIFY_YES, NOTIFY_NO):
            answer = message.postback == NOTIFY_YES
        elif message.kind is MessageKind.TEXT:
            answer = typed_yes_no(message.text, _YES, _NO)
        if answer is None:
            hint = Reply(text=th.CR_NOTIFY_PRESS)
            return self._ask(Step.NOTIFY, draft, turn, before=(hint,))
        return self._next(Step.NOTIFY, replace(draft, notify=answer), turn)

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
            (Reply(text=th.CR_CONFIRM_WAITING, quick_replies=_confirm_choices()),),
            self._state(Step.CONFIRM, draft, turn),
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

    # ---- evidence ------------------------------------------------------------------------

    def _receive(self, draft: Draft, turn: Turn, *, document: bool = False) -> tuple[Reply, Draft]:
        """Download a photo and seal it to the officers at once: the clear copy is gone
        before the turn ends, and only the sealed key goes into the draft."""
        if len(draft.evidence) >= MAX_EVIDENCE:
            return Reply(text=th.CR_EVIDENCE_TOO_MANY.format(max=MAX_EVIDENCE)), draft
        inbox, integrity = turn.ports.photos, turn.ports.integrity
        media_id = turn.message.media_id
        if inbox is None or integrity is None or not media_id:
            return Reply(text=th.PHOTO_UNAVAILABLE), draft
        try:
            photo = inbox.receive_file(media_id) if document else inbox.receive(media_id)
        except PhotoRejected as rejected:
            return Reply(text=PHOTO_PROBLEMS[rejected.problem]), draft
        try:
            key = integrity.seal_evidence(photo.key)
        except ChannelClosed:
            inbox.discard([photo.key])
            raise
        evidence = [*draft.evidence, key]
        left = MAX_EVIDENCE - len(evidence)
        notice = th.CR_EVIDENCE_RECEIVED.format(count=len(evidence), left=left)
        return Reply(text=notice), replace(draft, evidence=evidence)

    def _discard(self, turn: Turn, draft: Draft) -> None:
        if turn.ports.integrity is not None and draft.evidence:
            turn.ports.integrity.discard_evidence(tuple(draft.evidence))

    # ---- filing --------------------------------------------------------------------------

    def _file(self, draft: Draft, turn: Turn) -> Outcome:
        integrity = turn.ports.integrity
        if integrity is None or not draft.what:
            unavailable = Reply(text=th.CR_UNAVAILABLE, quick_replies=_confirm_choices())
            return Outcome((unavailable,), self._state(Step.CONFIRM, draft, turn))
        code = integrity.file(
            draft.content(),
            tuple(draft.evidence),
            turn.message.received_at,
            self.sla_days,
            notify=draft.notify,
            exclude=tuple(draft.exclude),
        )
        receipt = "\n".join(
            (
                th.CR_RECEIPT.format(code=code.grouped(), days=self.sla_days),
                th.CR_RECEIPT_NOTIFY_ON if draft.notify else th.CR_RECEIPT_NOTIFY_OFF,
                th.CR_RECEIPT_PRIVATE,
            )
        )
        follow = (
            Choice(th.LABEL_FOLLOW_CORRUPTION, Command.FOLLOW_CORRUPTION.value),
            Choice(th.LABEL_MENU, Command.MENU.value),
        )
        return Outcome((Reply(text=receipt, quick_replies=follow),), IDLE)

    # ---- the state and the questions -----------------------------------------------------

    def _unlock(self, turn: Turn) -> Draft | None:
        vault, token = turn.ports.vault, turn.state.data.get(VAULT_KEY)
        if vault is None or not isinstance(token, str):
            return None
        opened = vault.unlock(token)
        return Draft.of(opened) if opened is not None else None

    def _state(self, step: Step, draft: Draft, turn: Turn) -> ConversationState:
        vault = turn.ports.vault
        if vault is None:  # checked at the start of every turn that gets here
            raise ChannelClosed("no draft vault")
        return ConversationState(FLOW, step=step.value, data={VAULT_KEY: vault.lock(draft.data())})

    def _ask(self, step: Step, draft: Draft, turn: Turn, before: tuple[Reply, ...] = ()) -> Outcome:
        if step is Step.CONFLICT and not self._may_exclude(turn):
            step = Step.CONFIRM if draft.editing else Step.WHEN
        return Outcome((*before, self._question(step, draft, turn)), self._state(step, draft, turn))

    def _question(self, step: Step, draft: Draft, turn: Turn) -> Reply:
        back = Choice(th.LABEL_BACK, Command.BACK.value)
        cancel = Choice(th.LABEL_CANCEL, Command.CANCEL.value)
        if step is Step.INTRO:
            return Reply(
                text=f"{th.CR_INTRO}\n\n{th.CR_ASK_START}",
                quick_replies=(Choice(th.LABEL_CR_START, START), cancel),
            )
        if step is Step.WHAT:
            return Reply(text=th.CR_ASK_WHAT, quick_replies=(back, cancel))
        if step is Step.CONFLICT:
            names = turn.ports.integrity.officer_names() if turn.ports.integrity else ()
            chosen = th.CR_CONFLICT_CHOSEN.format(names=", ".join(draft.exclude))
            return Reply(
                text=f"{th.CR_ASK_CONFLICT}\n{chosen}" if draft.exclude else th.CR_ASK_CONFLICT,
                quick_replies=(
                    *(
                        Choice(f"✓ {n}" if n in draft.exclude else n, f"{EXCLUDE}{i}")
                        for i, n in enumerate(names[:MAX_OFFICER_BUTTONS])
                    ),
                    Choice(th.LABEL_CR_CONFLICT_DONE, CONFLICT_DONE),
                    back,
                ),
            )
        if step in _PART_QUESTIONS:
            buttons: tuple[Choice, ...] = (Choice(th.LABEL_CR_UNKNOWN, UNKNOWN),)
            if step is Step.WHERE:
                buttons = (*buttons, Choice(th.LABEL_SEND_LOCATION, action="location"))
            return Reply(text=_PART_QUESTIONS[step], quick_replies=(*buttons, back, cancel))
        if step is Step.EVIDENCE:
            done = th.LABEL_PHOTOS_DONE if draft.evidence else th.LABEL_CR_NO_EVIDENCE
            clear = (Choice(th.LABEL_CR_CLEAR_EVIDENCE, EVIDENCE_CLEAR),) if draft.evidence else ()
            return Reply(
                text=th.CR_ASK_EVIDENCE.format(max=MAX_EVIDENCE),
                quick_replies=(
                    Choice(th.LABEL_TAKE_PHOTO, action="camera"),
                    Choice(th.LABEL_PICK_PHOTO, action="camera_roll"),
                    Choice(done, EVIDENCE_DONE),
                    *clear,
                    back,
                ),
            )
        if step is Step.IDENTITY:
            return Reply(
                text=th.CR_ASK_IDENTITY,
                quick_replies=(
                    Choice(th.LABEL_CR_ANONYMOUS, ANONYMOUS),  # the default, first
                    Choice(th.LABEL_CR_NAMED, NAMED),
                    back,
                ),
            )
        if step is Step.NAME:
            return Reply(
                text=th.CR_ASK_NAME,
                quick_replies=(Choice(th.LABEL_SKIP, SKIP_NAME), back, cancel),
            )
        if step is Step.CONTACT:
            return Reply(
                text=th.CR_ASK_CONTACT,
                quick_replies=(Choice(th.LABEL_SKIP, SKIP_CONTACT), back, cancel),
            )
        if step is Step.NOTIFY:
            return Reply(
                text=th.CR_ASK_NOTIFY,
                quick_replies=(
                    Choice(th.LABEL_CR_NOTIFY_YES, NOTIFY_YES),
                    Choice(th.LABEL_CR_NOTIFY_NO, NOTIFY_NO),
                    back,
                ),
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
        evidence = th.CR_EVIDENCE_COUNT.format(count=len(draft.evidence))
        if draft.evidence_note:
            evidence = f"{evidence} · {draft.evidence_note}"
        identity = th.CR_ANONYMOUS
        if draft.named and (draft.name or draft.contact):
            identity = " ".join(part for part in (draft.name, draft.contact) if part)
        card = Card(
            title=th.CR_SUMMARY_TITLE,
            facts=tuple(
                (label, _shortened(value or th.CR_NOT_GIVEN))
                for label, value in (
                    (th.CR_FACT_WHAT, draft.what),
                    (th.CR_FACT_WHO, draft.who),
                    (th.CR_FACT_WHEN, draft.when),
                    (th.CR_FACT_WHERE, draft.where),
                    (th.CR_FACT_HOW, draft.how_known),
                    (th.CR_FACT_EVIDENCE, evidence),
                    (th.CR_FACT_IDENTITY, identity),
                    (th.CR_FACT_CONFLICT, ", ".join(draft.exclude) or th.CR_CONFLICT_NONE),
                    (th.CR_FACT_NOTIFY, th.CR_NOTIFY_ON if draft.notify else th.CR_NOTIFY_OFF),
                )
            ),
        )
        return Reply(text=th.CR_SUMMARY_ASK, cards=(card,), quick_replies=_confirm_choices())


class CorruptionIntake:
    """Starts the report from the menu, the typed words or a message understood as a
    corruption report (also the safety question's "yes", which brings the original
    message), reusing that message as what happened when it says so."""

    name = "corruption_intake"

    def __init__(self, flow: CorruptionFlow) -> None:
        self.flow = flow

    def matches(self, turn: Turn) -> bool:
        message = turn.message
        if message.kind is MessageKind.POSTBACK:
            return (
                message.postback == Command.REPORT_CORRUPTION.value
                or message.postback.startswith(PREFIX)
            )
        return turn.intent == CORRUPTION

    def handle(self, turn: Turn) -> Outcome:
        if turn.message.postback.startswith(PREFIX):
            # a button from a sent, cancelled or expired report: never file it twice
            stale = Reply(
                text=th.CR_STALE_BUTTON,
                quick_replies=(
                    Choice(th.LABEL_REPORT_CORRUPTION, Command.REPORT_CORRUPTION.value),
                    Choice(th.LABEL_FOLLOW_CORRUPTION, Command.FOLLOW_CORRUPTION.value),
                ),
            )
            return Outcome((stale,), IDLE)
        text = turn.message.text.strip() if turn.message.kind is MessageKind.TEXT else ""
        return self.flow.start(turn, text if describes_what_happened(text) else "")


def channel_closed(menu: Menu) -> Outcome:
    """No officer could read a report: point to the national channels instead, with the
    menu's other entries (its corruption ones would only lead back here)."""
    buttons = tuple(c for c in menu.choices() if c.payload not in CORRUPTION_COMMANDS)
    return Outcome((Reply(text=th.NOT_YET_CORRUPTION, quick_replies=buttons),), IDLE)


class CorruptionUnavailable:
    """Without the track registered, its commands and buttons still get an honest answer
    pointing to the national channels (the typed words are commands in every build)."""

    name = "corruption_unavailable"

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        payload = turn.message.postback
        if turn.message.kind is not MessageKind.POSTBACK or not payload:
            return False
        return payload in CORRUPTION_COMMANDS or payload.startswith(PREFIX)

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((self.menu.reply(th.NOT_YET_CORRUPTION),), IDLE)


# ---- typed answers ---------------------------------------------------------------------


def _text(turn: Turn) -> str:
    return turn.message.text.strip() if turn.message.kind is MessageKind.TEXT else ""


def _with_part(draft: Draft, step: Step, value: str) -> Draft:
    changed = replace(draft)
    setattr(changed, _PARTS[step], value)
    return changed


def _anonymous(draft: Draft) -> Draft:
    return replace(draft, named=False, name="", contact="")


def _shortened(value: str) -> str:
    return value if len(value) <= CARD_VALUE_CHARS else value[: CARD_VALUE_CHARS - 1] + "…"


def _step(value: str | None) -> Step:
    try:
        return Step(value or Step.INTRO)
    except ValueError:
        return Step.INTRO  # a step from an older version: start over the questions


def _confirm_choices() -> tuple[Choice, ...]:
    return (
        Choice(th.LABEL_CR_CONFIRM, CONFIRM),
        Choice(th.LABEL_EDIT, EDIT),
        Choice(th.LABEL_CANCEL, Command.CANCEL.value),
    )
