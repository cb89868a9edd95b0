"""The confidential corruption track, citizen side, as dialogs through the real router and
registry: the report from intro to receipt, the closed channel, following and adding by
receipt code. Every turn checks that the state holds nothing but the vault token."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.router import Router
from complaints.corruption import CaseEvent, ReceiptCode, ReportContent
from complaints.tickets import Status
from handlers import texts_th as th
from handlers.basic import OfficeInfo
from handlers.contract import IDLE, ConversationState, Outcome, Ports
from handlers.messages import IncomingMessage, Location, MessageKind
from handlers.registry import MAX_MENU_ENTRIES, build_registry
from tests.support.fake_integrity import FakeIntegrityDesk, FakePhotoInbox, FakeVault
from tests.support.nlu import ScriptedUnderstander, scripted, shared_understander

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
OFFICE = OfficeInfo("อบต.ทดสอบ", "053-000000")
MARKER = "ลับสุดยอด7731"
WHAT = f"ปลัดเรียกเงินห้าพันบาทก่อนออกใบอนุญาตก่อสร้าง {MARKER}"
SIGNAL = "เจ้าหน้าที่ขอค่าน้ำชาก่อนซ่อมถนนหน้าบ้าน"
SCRIPT = {
    SIGNAL: scripted(
        "complaint_general", 0.80, "complaint_corruption", 0.15, corruption_signal=True
    ),
}
GROUPED = re.compile(r"\b[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{4}\b")


def make_router(*, integrity: bool = True) -> Router:
    registry = build_registry(OFFICE, categories=shared_understander(), integrity=integrity)
    return Router(registry, ScriptedUnderstander(SCRIPT), idle_timeout=timedelta(minutes=30))


ROUTER = make_router()


@dataclass
class Dialog:
    """One citizen's chat: each message goes through the router with the fakes as ports.
    Every turn asserts that a corruption flow's state holds the vault token alone and
    none of the secrets the test registered."""

    desk: FakeIntegrityDesk | None = field(default_factory=FakeIntegrityDesk)
    router: Router = ROUTER
    vault: FakeVault = field(default_factory=FakeVault)
    inbox: FakePhotoInbox = field(default_factory=FakePhotoInbox)
    state: ConversationState = IDLE
    now: datetime = NOW
    secrets: list[str] = field(default_factory=lambda: [MARKER])
    history: list[Outcome] = field(default_factory=list)

    @property
    def ports(self) -> Ports:
        return Ports(integrity=self.desk, vault=self.vault, photos=self.inbox)

    def say(self, text: str) -> Outcome:
        return self.send(IncomingMessage("line", "u1", MessageKind.TEXT, self.now, text=text))

    def tap(self, payload: str) -> Outcome:
        message = IncomingMessage("line", "u1", MessageKind.POSTBACK, self.now, postback=payload)
        return self.send(message)

    def photo(self, media_id: str) -> Outcome:
        message = IncomingMessage("line", "u1", MessageKind.IMAGE, self.now, media_id=media_id)
        return self.send(message)

    def send(self, message: IncomingMessage) -> Outcome:
        outcome = self.router.route(message, self.state, self.now, self.ports)
        self.state = outcome.state
        self.history.append(outcome)
        if outcome.state.flow in ("corruption", "corruption_follow"):
            assert set(outcome.state.data) <= {"vault"}, outcome.state.data
            for secret in self.secrets:
                assert secret not in repr(outcome.state), secret
        assert not outcome.tallies
        return outcome


def said(outcome: Outcome) -> str:
    return "\n".join(r.text for r in outcome.replies)


def buttons(outcome: Outcome) -> dict[str, str]:
    return {c.label: c.payload for c in outcome.replies[-1].quick_replies}


def facts(outcome: Outcome) -> dict[str, str]:
    return dict(outcome.replies[-1].cards[0].facts)


def to_summary(chat: Dialog, *, what: str = WHAT) -> Outcome:
    chat.tap("cmd:corruption")
    chat.tap("cr:start")
    assert chat.state.step == "what"
    chat.say(what)
    assert chat.state.step == "who"
    chat.say("ไม่ทราบ")
    chat.tap("cr:unknown")
    assert chat.state.step == "where"
    chat.say("ที่ทำการ อบต. ห้องกองช่าง")
    chat.say("ผมไปยื่นขออนุญาตเองค่ะ")
    assert chat.state.step == "evidence"
    chat.say("ไม่มี")
    assert chat.state.step == "identity"
    chat.tap("cr:anonymous")
    assert chat.state.step == "notify"
    summary = chat.tap("cr:notify_no")
    assert chat.state.step == "confirm"
    return summary


# ---- the report ----------------------------------------------------------------------------


def test_an_anonymous_report_from_the_menu_to_the_receipt() -> None:
    chat = Dialog()
    intro = chat.tap("cmd:corruption")
    assert "เข้ารหัส" in said(intro) and "ไม่ต้องบอกชื่อ" in said(intro)
    assert "รหัสรับเรื่อง" in said(intro)
    assert chat.state.flow == "corruption" and chat.state.step == "intro"
    assert buttons(intro)[th.LABEL_CR_START] == "cr:start"

    summary = to_summary(chat)
    card = facts(summary)
    assert card[th.CR_FACT_WHAT] == WHAT
    assert card[th.CR_FACT_WHO] == th.CR_NOT_GIVEN
    assert card[th.CR_FACT_WHEN] == th.CR_NOT_GIVEN
    assert card[th.CR_FACT_IDENTITY] == th.CR_ANONYMOUS
    assert card[th.CR_FACT_NOTIFY] == th.CR_NOTIFY_OFF
    assert list(buttons(summary).values()) == ["cr:confirm", "cr:edit", "cmd:cancel"]

    receipt = chat.tap("cr:confirm")
    assert chat.state == IDLE
    assert chat.desk is not None
    case = chat.desk.only_case()
    assert case.content == ReportContent(
        what=WHAT,
        where="ที่ทำการ อบต. ห้องกองช่าง",
        how_known="ผมไปยื่นขออนุญาตเองค่ะ",
    )
    assert case.content.anonymous and not case.notify and case.sla_days == 15
    assert "แสดงครั้งเดียว" in said(receipt) and "ติดตามเรื่องทุจริต" in said(receipt)
    assert "15 วัน" in said(receipt)


def test_the_receipt_code_is_shown_grouped_once_and_kept_nowhere_else() -> None:
    chat = Dialog()
    to_summary(chat)
    receipt = chat.tap("cr:confirm")
    assert chat.desk is not None
    digits = next(iter(chat.desk.cases))
    grouped = ReceiptCode(digits).grouped()
    assert GROUPED.findall(said(receipt)) == [grouped]
    shown = [o for o in chat.history if grouped in said(o) or digits in said(o)]
    assert shown == [receipt]
    assert all(digits not in repr(o.state) and grouped not in repr(o.state) for o in chat.history)
    assert receipt.state == IDLE


def test_an_identified_report_with_progress_by_chat() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)  # typed at the intro: taken as what happened
    assert chat.state.step == "who"
    chat.say("ปลัดสมชาย กองช่าง และผู้รับเหมา หจก.รุ่งเรือง")
    chat.say("ต้นเดือนพฤศจิกายน")
    chat.say("ห้องกองช่าง")
    chat.say("เห็นกับตา")
    chat.tap("cr:evidence_done")
    chat.tap("cr:named")
    assert chat.state.step == "name"
    chat.say("สมหญิงค่ะ")
    assert chat.state.step == "contact"
    chat.say("081 234 5678")
    assert chat.state.step == "notify"
    summary = chat.say("ได้ค่ะ")
    assert facts(summary)[th.CR_FACT_IDENTITY] == "สมหญิง 0812345678"
    assert facts(summary)[th.CR_FACT_NOTIFY] == th.CR_NOTIFY_ON
    chat.secrets.append("สมหญิง")
    receipt = chat.say("ยืนยันค่ะ 🙏")
    assert chat.desk is not None
    case = chat.desk.only_case()
    assert case.content.who == "ปลัดสมชาย กองช่าง และผู้รับเหมา หจก.รุ่งเรือง"
    assert (case.content.name, case.content.contact) == ("สมหญิง", "0812345678")
    assert case.notify
    assert th.CR_RECEIPT_NOTIFY_ON in said(receipt)


def test_name_and_phone_typed_at_the_identity_question_are_both_taken() -> None:
    chat = Dialog()
    to_summary(chat)
    chat.tap("cr:edit")
    chat.tap("cr:edit:identity")
    summary = chat.say("สมชาย 0812345678")
    assert chat.state.step == "confirm"
    assert facts(summary)[th.CR_FACT_IDENTITY] == "สมชาย 0812345678"


def test_a_named_report_with_nothing_given_stays_anonymous() -> None:
    chat = Dialog()
    to_summary(chat)
    chat.tap("cr:edit")
    chat.tap("cr:edit:identity")
    chat.tap("cr:named")
    chat.tap("cr:skip_name")
    summary = chat.tap("cr:skip_contact")
    assert facts(summary)[th.CR_FACT_IDENTITY] == th.CR_ANONYMOUS
    chat.tap("cr:confirm")
    assert chat.desk is not None and chat.desk.only_case().content.anonymous


def test_the_safety_question_yes_reuses_the_original_message_as_what_happened() -> None:
    chat = Dialog()
    asked = chat.say(SIGNAL)
    assert chat.state.flow == "clarify"
    assert buttons(asked)[th.CHOICE_LABELS["complaint_corruption"]] == "intent:complaint_corruption"
    chat.secrets.append(SIGNAL)
    started = chat.tap("intent:complaint_corruption")
    assert "เข้ารหัส" in said(started) and th.CR_WHAT_KEPT in said(started)
    assert chat.state.flow == "corruption" and chat.state.step == "who"
    for answer in ("ไม่ทราบ", "ไม่ทราบ", "ไม่ทราบ", "ไม่ทราบ", "ไม่มี"):
        chat.say(answer)
    chat.tap("cr:anonymous")
    chat.tap("cr:notify_no")
    chat.tap("cr:confirm")
    assert chat.desk is not None and chat.desk.only_case().content.what == SIGNAL


def test_a_bribe_written_into_a_general_complaint_moves_to_the_confidential_track() -> None:
    bribe = "นายกอบต.รับเงินใต้โต๊ะจากผู้รับเหมาสร้างถนน"
    chat = Dialog(secrets=[])
    chat.say("ร้องเรียน")
    assert chat.state.flow == "complaint"
    chat.say(bribe)
    assert chat.state.flow == "clarify"
    chat.tap("intent:complaint_corruption")
    assert chat.state.flow == "corruption" and chat.state.step == "who"
    chat.secrets.append(bribe)  # from here on, only in the vault


def test_a_request_without_details_asks_what_happened() -> None:
    chat = Dialog()
    intro = chat.say("อยากแจ้งทุจริตค่ะ")
    assert chat.state.step == "intro"
    assert th.CR_ASK_START in said(intro)
    chat.say("เริ่มแจ้งค่ะ")
    assert chat.state.step == "what"
    short = chat.say("ปลัดโกง")
    assert chat.state.step == "what" and th.CR_WHAT_TOO_SHORT in said(short)
    chat.say("เงินค่าก่อสร้างศาลา")  # joined to the short start
    assert chat.state.step == "who"
    chat.say("ไม่ทราบ")
    chat.say("ไม่ทราบ")
    chat.say("ไม่ทราบ")
    chat.say("ไม่ทราบ")
    chat.say("ไม่มี")
    chat.say("ไม่ระบุตัวตน")
    summary = chat.say("ไม่ต้องค่ะ")
    assert facts(summary)[th.CR_FACT_WHAT] == "ปลัดโกง เงินค่าก่อสร้างศาลา"


def test_evidence_photos_are_sealed_at_once_and_only_their_keys_are_kept() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    early = chat.photo("m0")  # a photo before the evidence step is kept too
    assert chat.state.step == "who" and "ชิ้นที่ 1" in said(early)
    for answer in ("ไม่ทราบ", "ไม่ทราบ", "ไม่ทราบ", "ไม่ทราบ"):
        chat.say(answer)
    assert chat.state.step == "evidence"
    second = chat.photo("m1")
    assert "ชิ้นที่ 2" in said(second) and chat.state.step == "evidence"
    assert th.LABEL_CR_CLEAR_EVIDENCE in buttons(second)
    rejected = chat.photo("too-big")
    assert th.PHOTO_TOO_LARGE in said(rejected)
    note = chat.say("มีคลิปเสียงตอนเรียกเงินเก็บไว้ในมือถือ")
    assert th.CR_EVIDENCE_NOTE_KEPT in said(note)
    chat.tap("cr:evidence_done")
    chat.tap("cr:anonymous")
    summary = chat.tap("cr:notify_no")
    assert facts(summary)[th.CR_FACT_EVIDENCE].startswith("2 รูป")
    chat.tap("cr:confirm")

    assert chat.desk is not None
    case = chat.desk.only_case()
    assert [chat.desk.sealed[k] for k in case.evidence] == ["photo-m0.jpg", "photo-m1.jpg"]
    assert "คลิปเสียง" in case.content.how_known
    # the photo keys never reached the state in clear (only the sealed keys, locked)
    assert all("photo-m" not in repr(o.state) for o in chat.history)


def test_at_most_five_pieces_of_evidence() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    for answer in ("ไม่ทราบ", "ไม่ทราบ", "ไม่ทราบ", "ไม่ทราบ"):
        chat.say(answer)
    for n in range(4):
        chat.photo(f"m{n}")
    full = chat.photo("m4")
    assert th.CR_EVIDENCE_FULL.format(max=5) in said(full)
    assert chat.state.step == "identity"
    extra = chat.photo("m5")
    assert th.CR_EVIDENCE_TOO_MANY.format(max=5) in said(extra)
    assert chat.inbox.received == [f"photo-m{n}.jpg" for n in range(5)]


def test_a_file_gets_the_images_only_answer_and_the_question_again() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    clip = IncomingMessage("line", "u1", MessageKind.UNSUPPORTED, NOW)
    outcome = chat.send(clip)
    assert th.CR_EVIDENCE_ONLY_IMAGES in said(outcome) and chat.state.step == "who"


def test_edit_one_part_then_back_to_the_summary() -> None:
    chat = Dialog()
    to_summary(chat)
    editing = chat.tap("cr:edit")
    assert chat.state.step == "edit"
    assert "cr:edit:who" in buttons(editing).values()
    chat.tap("cr:edit:who")
    assert chat.state.step == "who"
    summary = chat.say("นายช่างโยธา")
    assert chat.state.step == "confirm"
    assert facts(summary)[th.CR_FACT_WHO] == "นายช่างโยธา"
    chat.say("แก้ไข")
    chat.say(th.CR_FACT_WHEN)  # the part named by typing its label
    assert chat.state.step == "when"
    chat.say("ย้อนกลับ")  # back while editing: the summary, unchanged
    assert chat.state.step == "confirm"


def test_a_confirmation_with_a_but_does_not_send() -> None:
    chat = Dialog()
    to_summary(chat)
    waiting = chat.say("ได้ค่ะ แต่ขอแก้ก่อน")
    assert th.CR_CONFIRM_WAITING in said(waiting) and chat.state.step == "confirm"
    assert chat.desk is not None and not chat.desk.cases


def test_typed_answers_with_particles_and_emoji() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say("เริ่มเลยค่ะ")
    chat.say(WHAT)
    chat.say("ไม่รู้ค่ะ")
    chat.say("ไม่แน่ใจ")
    chat.say("ไม่ทราบครับ")
    chat.say("ข้าม")
    chat.say("ไม่มีค่ะ")
    assert chat.state.step == "identity"
    chat.say("ไม่ประสงค์ออกนามค่ะ")
    assert chat.state.step == "notify"
    chat.say("ไม่ต้อง ติดตามเอง")
    assert chat.state.step == "confirm"
    chat.say("ok 👍")
    assert chat.state == IDLE and chat.desk is not None and len(chat.desk.cases) == 1


def test_cancel_discards_the_sealed_evidence_and_the_draft() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    chat.photo("m0")
    assert chat.desk is not None
    sealed = list(chat.desk.sealed)
    cancelled = chat.tap("cmd:cancel")
    assert th.CR_CANCELLED in said(cancelled) and chat.state == IDLE
    assert chat.desk.discarded == sealed and not chat.desk.cases


def test_a_typed_cancel_phrase_cancels() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    chat.photo("m0")
    chat.say("ไม่เอาแล้ว")
    assert chat.state == IDLE
    assert chat.desk is not None and len(chat.desk.discarded) == 1


def test_back_help_and_an_answer_beside_the_flow() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    back = chat.say("ย้อนกลับ")
    assert chat.state.step == "what" and th.CR_ASK_WHAT in said(back)
    chat.say(WHAT)
    helped = chat.say("ช่วยเหลือ")
    assert th.CR_HELP in said(helped) and chat.state.step == "who"
    before = chat.state
    privacy = chat.tap("cmd:privacy")
    assert th.CR_RESUME in privacy.replies[-1].text and th.CR_ASK_WHO in privacy.replies[-1].text
    assert chat.state == before
    again = chat.tap("cmd:corruption")  # the menu entry again: carry on
    assert chat.state.step == "who" and th.CR_ASK_WHO in said(again)
    busy = chat.tap("cmd:corruption_follow")
    assert th.CR_BUSY in said(busy) and chat.state.step == "who"


def test_a_timed_out_report_is_gone() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    chat.now = NOW + timedelta(hours=1)
    outcome = chat.say("ไม่ทราบ")
    assert th.FLOW_TIMED_OUT in said(outcome)
    assert chat.state.flow != "corruption"


def test_a_state_that_does_not_unlock_is_dropped() -> None:
    chat = Dialog(state=ConversationState("corruption", "who", {"vault": "x"}, NOW))
    outcome = chat.say("ไม่ทราบ")
    assert th.CR_DRAFT_LOST in said(outcome) and chat.state == IDLE


def test_a_button_of_a_sent_report_never_files_twice() -> None:
    chat = Dialog()
    to_summary(chat)
    chat.tap("cr:confirm")
    stale = chat.tap("cr:confirm")
    assert th.CR_STALE_BUTTON in said(stale)
    assert chat.desk is not None and len(chat.desk.cases) == 1


# ---- the closed channel ------------------------------------------------------------------


@pytest.mark.parametrize("desk", [FakeIntegrityDesk(open_=False), None])
def test_a_closed_channel_points_to_the_national_channels(
    desk: FakeIntegrityDesk | None,
) -> None:
    chat = Dialog(desk=desk)
    starts = (
        chat.tap("cmd:corruption"),
        chat.say("แจ้งเบาะแสการทุจริต"),
        chat.say(WHAT),
        chat.say("ติดตามเรื่องทุจริต"),  # nothing to follow either: no code is asked for
    )
    for start in starts:
        assert "1205" in said(start) and "1206" in said(start)
        assert chat.state == IDLE
        assert "cmd:corruption" not in buttons(start).values()


def test_the_track_answers_honestly_where_it_is_not_registered() -> None:
    chat = Dialog(router=make_router(integrity=False))
    for outcome in (chat.say("แจ้งทุจริต"), chat.say("ติดตามเรื่องทุจริต")):
        assert th.NOT_YET_CORRUPTION in said(outcome) and chat.state == IDLE
    assert chat.desk is not None and not chat.desk.cases


def test_the_menu_lists_the_track_only_when_registered() -> None:
    with_track = build_registry(OFFICE, categories=shared_understander(), integrity=True).menu
    without = build_registry(OFFICE, categories=shared_understander()).menu
    assert with_track is not None and without is not None
    payloads = [e.payload for e in with_track.entries]
    assert "cmd:corruption" in payloads and "cmd:corruption_follow" in payloads
    assert "cmd:corruption" not in [e.payload for e in without.entries]
    assert len(with_track.entries) <= MAX_MENU_ENTRIES
    assert all(len(e.label) <= 20 for e in with_track.entries)  # LINE's label limit


# ---- following and adding by receipt code ------------------------------------------------


def filed(desk: FakeIntegrityDesk) -> ReceiptCode:
    code = desk.file(ReportContent(what=WHAT), (), NOW, 15, notify=False)
    case = desk.cases[code.digits]
    case.status = Status.IN_PROGRESS
    case.timeline.append(
        CaseEvent(NOW.date() + timedelta(days=2), Status.IN_PROGRESS, "ตั้งกรรมการสอบข้อเท็จจริงแล้ว")
    )
    return code


def test_follow_with_the_right_code_shows_status_dates_and_public_notes() -> None:
    chat = Dialog()
    assert chat.desk is not None
    code = filed(chat.desk)
    chat.secrets.append(code.digits)
    asked = chat.say("ติดตามเรื่องทุจริต")
    assert th.CF_ASK_CODE in said(asked) and chat.state.flow == "corruption_follow"
    answer = chat.say(code.grouped())
    assert chat.state.step == "shown" and list(chat.state.data) == ["vault"]  # code sealed
    text = said(answer)
    assert "กำลังดำเนินการ" in text and "ตั้งกรรมการสอบข้อเท็จจริงแล้ว" in text
    card = facts(answer)
    assert card[th.CF_FACT_RECEIVED] == "25 พ.ย. 2569"
    assert card[th.CF_FACT_DUE] == "10 ธ.ค. 2569"
    title = answer.replies[-1].cards[0].title
    assert title.endswith(code.digits[-4:])
    everything = repr(answer.replies)
    assert code.digits not in everything and code.grouped() not in everything
    assert code.digits[:12] not in everything.replace(" ", "")
    assert WHAT not in everything  # the report itself is never shown back


def test_a_wrong_code_and_an_unknown_code_get_the_same_answer() -> None:
    chat = Dialog()
    assert chat.desk is not None
    code = filed(chat.desk)
    wrong = code.digits[:-1] + str((int(code.digits[-1]) + 1) % 10)
    unknown = "1234567890123456" if code.digits != "1234567890123456" else "6543210987654321"
    chat.tap("cmd:corruption_follow")
    first = chat.say(wrong)
    second = chat.say(unknown)
    assert th.CF_NOT_FOUND in said(first)
    assert first.replies == second.replies and first.state == second.state
    assert wrong not in repr(first.replies) and unknown not in repr(second.replies)
    found = chat.say(code.digits)  # another try in the same question
    assert "กำลังดำเนินการ" in said(found)


def test_too_many_tries_get_the_rate_limited_answer() -> None:
    chat = Dialog(desk=FakeIntegrityDesk(max_attempts=2))
    chat.tap("cmd:corruption_follow")
    chat.say("1111 2222 3333 4444")
    chat.say("1111 2222 3333 4445")
    limited = chat.say("1111 2222 3333 4446")
    assert th.CF_TOO_MANY in said(limited) and chat.state == IDLE


def test_a_receipt_code_typed_while_idle_is_followed_not_echoed() -> None:
    chat = Dialog()
    typed = "รหัส 5555 6666 7777 8888 ค่ะ"
    chat.secrets.append("5555")
    outcome = chat.say(typed)
    assert th.CF_NOT_FOUND in said(outcome)
    assert chat.state.flow == "corruption_follow"
    assert "5555" not in repr(outcome.replies) and "8888" not in repr(outcome.replies)


def test_a_code_typed_in_answer_to_a_clarifying_question_is_followed() -> None:
    chat = Dialog()
    chat.say(SIGNAL)
    assert chat.state.flow == "clarify"
    assert chat.desk is not None
    code = filed(chat.desk)
    answer = chat.say(code.grouped())
    assert "กำลังดำเนินการ" in said(answer)


def test_not_a_code_while_waiting_is_a_hint_or_a_fresh_message() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption_follow")
    hint = chat.say("1234 5678")
    assert th.CF_CODE_HINT in said(hint) and chat.state.flow == "corruption_follow"
    forgot = chat.say("ลืมรหัสค่ะ")
    assert th.CF_FORGOT in said(forgot) and chat.state == IDLE
    chat.tap("cmd:corruption_follow")
    fresh = chat.say("สวัสดีค่ะ")
    assert "ยินดีต้อนรับ" in said(fresh) and chat.state == IDLE


def test_add_information_to_a_case_by_its_code() -> None:
    chat = Dialog()
    assert chat.desk is not None
    code = filed(chat.desk)
    chat.secrets.append(code.digits)
    asked = chat.say("เพิ่มข้อมูลเรื่องทุจริต")
    assert th.CF_ASK_CODE_TO_ADD in said(asked)
    chat.say(code.grouped())
    assert chat.state.step == "add_text" and set(chat.state.data) == {"vault"}
    addition = f"มีผู้รับเหมาอีกรายถูกเรียกเงินเหมือนกัน {MARKER}"
    done = chat.say(addition)
    assert th.CF_ADDED in said(done) and chat.state == IDLE
    assert chat.desk.cases[code.digits].additions == [addition]


def test_adding_with_a_wrong_code_asks_again_before_any_text() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption_add")
    wrong = chat.say("9999 8888 7777 6666")
    assert th.CF_NOT_FOUND in said(wrong) and chat.state.step == "add_code"


def test_a_typed_request_to_follow_asks_for_the_code() -> None:
    chat = Dialog()
    asked = chat.say("อยากติดตามเรื่องทุจริตที่แจ้งไว้ค่ะ")
    assert th.CF_ASK_CODE in said(asked) and chat.state.flow == "corruption_follow"


def test_a_channel_closed_at_sending_discards_the_evidence_and_points_elsewhere() -> None:
    chat = Dialog()
    to_summary(chat)
    chat.tap("cr:edit")
    chat.tap("cr:edit:evidence")
    chat.photo("m0")
    assert chat.desk is not None
    sealed = list(chat.desk.sealed)
    chat.tap("cr:evidence_done")
    chat.desk.open = False  # the last officer's key was revoked meanwhile
    closed = chat.tap("cr:confirm")
    assert "1205" in said(closed) and chat.state == IDLE
    assert chat.desk.discarded == sealed and not chat.desk.cases


def test_a_location_pin_answers_where() -> None:
    chat = Dialog()
    chat.tap("cmd:corruption")
    chat.say(WHAT)
    chat.say("ไม่ทราบ")
    chat.say("ไม่ทราบ")
    pin = Location(18.79, 98.98, "ที่ทำการ อบต.ทดสอบ")
    chat.send(IncomingMessage("line", "u1", MessageKind.LOCATION, NOW, location=pin))
    assert chat.state.step == "how"
    chat.say("ไม่ทราบ")
    chat.say("ไม่มี")
    chat.tap("cr:anonymous")
    summary = chat.tap("cr:notify_no")
    assert facts(summary)[th.CR_FACT_WHERE] == "ที่ทำการ อบต.ทดสอบ (18.79000, 98.98000)"


def test_the_flows_are_confidential_and_the_report_takes_photos() -> None:
    report, follow = ROUTER.registry.flow("corruption"), ROUTER.registry.flow("corruption_follow")
    assert getattr(report, "confidential", False) and getattr(follow, "confidential", False)
    assert getattr(report, "takes_photos", False) and not getattr(follow, "takes_photos", False)
