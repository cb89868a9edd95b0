"""The confidential corruption track end to end: citizens report, follow and add to a case
through the real LINE and Telegram webhooks, the worker pipeline and the database, while the
integrity officer works the case with `IntegrityOffice`. And what must never be anywhere:
the report in clear, the receipt code, the reporter's chat id, in the database (its files
too) or in the logs; nor can the bot's own secret read a filed report."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PrivateKey
from PIL import Image
from sqlalchemy import func, select

from bot import cli
from bot.draft_vault import SecretBoxDraftVault, vault_key
from bot.integrity_office import PROGRESS_NOTICE, NotAReader
from bot.jobs import Jobs
from bot.models import (
    ConversationStateRow,
    CorruptionAddition,
    CorruptionAdditionKey,
    CorruptionEvent,
    CorruptionEvidence,
    CorruptionEvidenceKey,
    CorruptionReport,
    CorruptionReportKey,
    OutboxMessage,
    TicketRow,
)
from bot.services import Services
from bot.ticket_office import TicketOffice
from complaints import sealing
from complaints.lifecycle import StatusUpdate
from complaints.tickets import Status
from handlers import texts_th as th
from handlers.commands import Command
from tests.support.dialog import Chat, LineChat, Said, TelegramChat
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import FakeClock, app_env
from tests.support.integrity import (
    OFFICER,
    PASSPHRASE,
    captured_logs,
    dump,
    logged_flows,
    open_channel,
    sqlite_files,
    stored_values,
)
from tests.support.tickets import line_texts_to

WHAT = "ปลัดเรียกเงินห้าพันบาทก่อนออกใบอนุญาตก่อสร้างบ้าน"
WHO = "ปลัดสมชาย กองช่าง"
WHEN = "ต้นเดือนพฤศจิกายน"
WHERE = "ห้องกองช่าง ที่ทำการ อบต."
HOW = "ผมไปยื่นขออนุญาตเองครับ"
# complaint_general for the classifier, but "โกง" is a corruption signal: the safety question
GENERAL_SOUNDING = "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถล้มบ่อย สงสัยโกงงบซ่อม"
POTHOLE = "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอเตอร์ไซค์ล้มไปสองคันแล้วค่ะ"
RECEIPT_LINE = re.compile(r"^(\d{4}) (\d{4}) (\d{4}) (\d{4})$", re.MULTILINE)
NATIONAL_CHANNELS = ("1205", "1206")
# the safety question's "yes" (LINE cuts quick-reply labels to 20 characters)
CHOOSE_CORRUPTION = th.CHOICE_LABELS["complaint_corruption"][:16]
CORRUPTION_TABLES = (
    CorruptionReport,
    CorruptionReportKey,
    CorruptionEvidence,
    CorruptionEvidenceKey,
    CorruptionAddition,
    CorruptionAdditionKey,
    CorruptionEvent,
)


# ---- chats, photos and the flow ----------------------------------------------------------


def jpeg(colour: str = "red", comment: str = "") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG", comment=comment.encode())
    return out.getvalue()


ChatMaker = Callable[[int], Chat]


@pytest.fixture(params=["line", "telegram"])
def new_chat(
    request: pytest.FixtureRequest, app: Flask, platform: FakePlatform, clock: FakeClock
) -> ChatMaker:
    """Citizen number n on the channel under test."""

    def make(n: int) -> Chat:
        if request.param == "line":
            return LineChat(app, platform, clock, user=f"U{n:032x}")
        return TelegramChat(app, platform, clock, chat_id=7_000_000 + n)

    return make


def raw_messages(chat: Chat) -> list[str]:
    """Every message the platform accepted so far, as canonical JSON, for byte comparisons."""
    if isinstance(chat, LineChat):
        sent = chat.platform.delivered_line_messages()
    else:
        sent = [c.json for c in chat.platform.requests_to("/sendMessage")]
    return [json.dumps(m, ensure_ascii=False, sort_keys=True) for m in sent]


def pushes_to(chat: Chat) -> list[str]:
    """Texts sent to this chat unasked (LINE pushes; Telegram has no replies, so all)."""
    if isinstance(chat, LineChat):
        return line_texts_to(chat.platform, chat.user)
    assert isinstance(chat, TelegramChat)
    return [
        c.json["text"]
        for c in chat.platform.requests_to("/sendMessage")
        if str(c.json["chat_id"]) == str(chat.chat_id)
    ]


def receipt_in(said: Said) -> str:
    """The one receipt code in a message: 16 digits grouped 4-4-4-4 on a line of its own."""
    [groups] = RECEIPT_LINE.findall(said.text)
    return " ".join(groups)


def start_from_menu(chat: Chat) -> Said:
    menu = chat.say("เมนู")
    return chat.tap(menu.payload(th.LABEL_REPORT_CORRUPTION))


def file_report(
    chat: Chat,
    *,
    what: str = WHAT,
    photo: str | None = None,
    name: str = "",
    contact: str = "",
    notify: bool = False,
) -> str:
    """The whole flow, quickly, from the menu to the receipt; returns the grouped code."""
    said = chat.tap(start_from_menu(chat).payload(th.LABEL_CR_START))
    said = chat.say(what)
    for part in (WHO, WHEN, WHERE, HOW):
        said = chat.say(part)
    if photo is not None:
        said = chat.send_photo(photo)
        said = chat.tap(said.payload(th.LABEL_PHOTOS_DONE))
    else:
        said = chat.tap(said.payload(th.LABEL_CR_NO_EVIDENCE))
    if name or contact:
        said = chat.tap(said.payload(th.LABEL_CR_NAMED))
        said = chat.say(name)
        said = chat.say(contact)
    else:
        said = chat.tap(said.payload(th.LABEL_CR_ANONYMOUS))
    said = chat.tap(said.payload(th.LABEL_CR_NOTIFY_YES if notify else th.LABEL_CR_NOTIFY_NO))
    assert th.CR_SUMMARY_ASK in said
    return receipt_in(chat.tap(said.payload(th.LABEL_CR_CONFIRM)))


def follow(chat: Chat, code: str) -> Said:
    asked = chat.say(th.LABEL_FOLLOW_CORRUPTION)
    assert th.CF_ASK_CODE in asked
    return chat.say(code)


def report_ids(services: Services) -> list[int]:
    with services.db.transaction() as s:
        return list(s.scalars(select(CorruptionReport.id).order_by(CorruptionReport.id)))


def corruption_rows(services: Services) -> dict[str, int]:
    with services.db.transaction() as s:
        return {
            t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0
            for t in CORRUPTION_TABLES
        }


def states(services: Services) -> list[ConversationStateRow]:
    with services.db.transaction() as s:
        rows = list(s.scalars(select(ConversationStateRow)))
        s.expunge_all()
    return rows


# ---- 1. the whole report, anonymous and identified ---------------------------------------


def test_an_anonymous_report_from_the_menu_to_a_receipt_shown_once_then_an_identified_one(
    new_chat: ChatMaker, services: Services, platform: FakePlatform
) -> None:
    office = open_channel(services)
    platform.media["evidence-1"] = (jpeg(), "image/jpeg")
    chat = new_chat(1)

    menu = chat.say("เมนู")
    assert menu.buttons[th.LABEL_REPORT_CORRUPTION] == Command.REPORT_CORRUPTION.value
    intro = chat.tap(menu.payload(th.LABEL_REPORT_CORRUPTION))
    assert th.CR_INTRO in intro  # how the report is protected, before anything is asked
    assert th.CR_ASK_START in intro
    said = chat.tap(intro.payload(th.LABEL_CR_START))
    assert th.CR_ASK_WHAT in said
    assert th.CR_ASK_WHO in chat.say(WHAT)
    assert th.CR_ASK_WHEN in chat.say(WHO)
    assert th.CR_ASK_WHERE in chat.say(WHEN)
    assert th.CR_ASK_HOW in chat.say(WHERE)
    said = chat.say(HOW)
    assert th.CR_ASK_EVIDENCE.format(max=5) in said
    said = chat.send_photo("evidence-1")
    assert th.CR_EVIDENCE_RECEIVED.format(count=1, left=4) in said
    said = chat.tap(said.payload(th.LABEL_PHOTOS_DONE))
    assert th.CR_ASK_IDENTITY in said
    assert next(iter(said.buttons)) == th.LABEL_CR_ANONYMOUS  # the default comes first
    said = chat.tap(said.payload(th.LABEL_CR_ANONYMOUS))
    assert th.CR_ASK_NOTIFY in said
    summary = chat.tap(said.payload(th.LABEL_CR_NOTIFY_NO))
    assert th.CR_SUMMARY_ASK in summary and th.CR_SUMMARY_TITLE in summary
    for fact in (WHAT, WHO, WHEN, WHERE, HOW, th.CR_EVIDENCE_COUNT.format(count=1)):
        assert fact in summary, fact
    assert th.CR_ANONYMOUS in summary and th.CR_NOTIFY_OFF in summary
    assert not RECEIPT_LINE.search("\n".join(raw_messages(chat)))  # no code before the end

    receipt = chat.tap(summary.payload(th.LABEL_CR_CONFIRM))
    code = receipt_in(receipt)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code)
    assert th.CR_RECEIPT_NOTIFY_OFF in receipt and th.CR_RECEIPT_PRIVATE in receipt
    assert "15 วัน" in receipt
    assert receipt.buttons[th.LABEL_FOLLOW_CORRUPTION] == Command.FOLLOW_CORRUPTION.value

    # after the receipt: the menu, following the case and a stale button never show it again
    after = [chat.say("เมนู"), follow(chat, code), chat.tap(summary.payload(th.LABEL_CR_CONFIRM))]
    assert th.CR_STALE_BUTTON in after[-1]  # confirming again files nothing
    assert code[-4:] in after[1]  # the case is named by its last four digits only
    for said in after:
        assert code not in said.text and code.replace(" ", "") not in said.text
    sent = b"".join(c.body for c in platform.calls)
    assert sent.count(code.encode()) == 1  # in the receipt alone, in everything ever sent
    assert code.replace(" ", "").encode() not in sent

    [report_id] = report_ids(services)
    case = office.show(OFFICER, PASSPHRASE, report_id)
    assert (case.content.what, case.content.who, case.content.when) == (WHAT, WHO, WHEN)
    assert (case.content.where, case.content.how_known) == (WHERE, HOW)
    assert case.content.anonymous and case.notify_channel is None
    assert [e.content_type for e in case.evidence] == ["image/jpeg"]
    assert not [p for p in services.media.folder.rglob("*") if p.is_file()]  # sealed, not kept

    # a second citizen, identified, asking for progress by chat
    other = new_chat(2)
    said = other.tap(start_from_menu(other).payload(th.LABEL_CR_START))
    other.say("ผู้รับเหมาเทคอนกรีตถนนบางกว่าสัญญา ครึ่งหนึ่งของที่กำหนด")
    for part in ("หจก.รุ่งเรือง", "เดือนที่แล้ว", "ถนนสายหมู่ 4", "เห็นเองตอนเทปูน"):
        said = other.say(part)
    said = other.tap(said.payload(th.LABEL_CR_NO_EVIDENCE))
    said = other.tap(said.payload(th.LABEL_CR_NAMED))
    assert th.CR_ASK_NAME in said
    said = other.say("สมหญิง")
    assert th.CR_ASK_CONTACT in said
    said = other.say("081 234 5678")
    assert th.CR_ASK_NOTIFY in said
    summary = other.tap(said.payload(th.LABEL_CR_NOTIFY_YES))
    assert "สมหญิง" in summary and "0812345678" in summary and th.CR_NOTIFY_ON in summary
    receipt = other.tap(summary.payload(th.LABEL_CR_CONFIRM))
    second = receipt_in(receipt)
    assert th.CR_RECEIPT_NOTIFY_ON in receipt and second != code

    _, second_id = report_ids(services)
    named = office.show(OFFICER, PASSPHRASE, second_id)
    assert (named.content.name, named.content.contact) == ("สมหญิง", "0812345678")
    assert named.notify_channel == other.channel
    assert [s.flow for s in states(services)] == [None, None]  # both drafts are gone


# ---- 2. the safety question ------------------------------------------------------------


def test_a_general_sounding_message_with_corruption_signals_is_asked_about_and_reused(
    services: Services, app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    office = open_channel(services)
    chat = LineChat(app, platform, clock)

    asked = chat.say(GENERAL_SOUNDING)
    assert th.CORRUPTION_QUESTION in asked
    assert GENERAL_SOUNDING not in json.dumps(
        [s.data for s in states(services)], ensure_ascii=False
    )
    said = chat.tap(asked.payload(CHOOSE_CORRUPTION))
    assert th.CR_INTRO in said and th.CR_WHAT_KEPT in said  # what happened: not asked again
    assert th.CR_ASK_WHO in said and th.CR_ASK_WHAT not in said
    for button in (th.LABEL_CR_UNKNOWN,) * 4:
        said = chat.tap(said.payload(button))
    said = chat.tap(said.payload(th.LABEL_CR_NO_EVIDENCE))
    said = chat.tap(said.payload(th.LABEL_CR_ANONYMOUS))
    summary = chat.tap(said.payload(th.LABEL_CR_NOTIFY_NO))
    assert GENERAL_SOUNDING in summary
    receipt_in(chat.tap(summary.payload(th.LABEL_CR_CONFIRM)))

    [report_id] = report_ids(services)
    assert office.show(OFFICER, PASSPHRASE, report_id).content.what == GENERAL_SOUNDING
    assert [s.flow for s in states(services)] == [None]
    with services.db.transaction() as s:  # the confidential track only: no general ticket
        assert s.scalar(select(func.count()).select_from(TicketRow)) == 0


# ---- 3. a closed channel ---------------------------------------------------------------


def test_without_an_officer_key_the_channel_is_closed_and_nothing_is_stored(
    services: Services, app: Flask, platform: FakePlatform, clock: FakeClock, database_url: str
) -> None:
    chat = TelegramChat(app, platform, clock)
    menu = chat.say("เมนู")
    answers = {
        "menu": chat.tap(menu.payload(th.LABEL_REPORT_CORRUPTION)),
        "typed": chat.say(th.LABEL_REPORT_CORRUPTION),
        "intent": chat.say(WHAT),
    }
    asked = chat.say(GENERAL_SOUNDING)
    answers["safety yes"] = chat.tap(asked.payload(CHOOSE_CORRUPTION))

    for how, said in answers.items():
        assert th.NOT_YET_CORRUPTION in said, how
        assert all(number in said for number in NATIONAL_CHANNELS), how
        assert th.CR_INTRO not in said and th.CR_ASK_WHO not in said, how
    assert set(corruption_rows(services).values()) == {0}
    assert [s.flow for s in states(services)] == [None]
    stored = dump(stored_values(database_url))
    assert WHAT.lower() not in stored and GENERAL_SOUNDING.lower() not in stored


# ---- 4. following a case with the receipt code, adding to it ------------------------------


def test_following_by_code_wrong_and_unknown_alike_ten_tries_an_hour_and_adding(
    services: Services, app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    office = open_channel(services)
    chat = LineChat(app, platform, clock)
    code = file_report(chat)
    [report_id] = report_ids(services)
    clock.advance(days=2)
    office.update(
        OFFICER,
        PASSPHRASE,
        report_id,
        StatusUpdate(Status.IN_PROGRESS, actor="", public_note="อยู่ระหว่างตรวจสอบข้อเท็จจริง"),
    )

    status = follow(chat, code)  # try 1
    assert th.CF_CASE_TITLE.format(last4=code[-4:]) in status
    assert th.STATUS_LABELS["in_progress"] in status
    assert "25 พ.ย. 2569" in status  # received, in Thai with the Buddhist year
    assert "10 ธ.ค. 2569" in status  # due: 15 days later
    assert "27 พ.ย. 2569" in status and "อยู่ระหว่างตรวจสอบข้อเท็จจริง" in status
    assert WHAT not in status and code not in status

    digits = code.replace(" ", "")
    wrong = ("1" if digits[0] != "1" else "2") + digits[1:]
    unknown = "9" * 16 if digits != "9" * 16 else "8" * 16
    answers = []
    for typed in (wrong, unknown):  # tries 2 and 3
        chat.say(th.LABEL_FOLLOW_CORRUPTION)
        before = len(raw_messages(chat))
        said = chat.say(typed)
        assert th.CF_NOT_FOUND in said
        answers.append(raw_messages(chat)[before:])
    assert answers[0] == answers[1]  # byte for byte: a wrong code tells nothing more
    for n in range(7):  # tries 4 to 10, typed while the question stays open
        assert th.CF_NOT_FOUND in chat.say(f"{n}" * 16)
    refused = chat.say(code)  # the 11th, even with the right code
    assert th.CF_TOO_MANY in refused and th.CF_CASE_TITLE[:10] not in refused

    clock.advance(hours=1)
    assert th.CF_CASE_TITLE.format(last4=code[-4:]) in follow(chat, code)
    asked = chat.say("เพิ่มข้อมูลเรื่องทุจริต")  # right after the status: no code again
    assert th.CF_ASK_ADD_TEXT in asked and th.CF_ASK_CODE_TO_ADD not in asked
    added = "มีพยานอีกคนคือคนขายของหน้าที่ทำการ เห็นตอนส่งซองค่ะ"
    assert th.CF_ADDED in chat.say(added)

    case = office.show(OFFICER, PASSPHRASE, report_id)
    assert [a.text for a in case.additions] == [added]
    assert [s.flow for s in states(services)] == [None]  # the code left the state with it


# ---- 5. progress notices ----------------------------------------------------------------


def test_an_update_pushes_only_the_contentless_notice_and_only_to_who_asked(
    new_chat: ChatMaker, services: Services
) -> None:
    office = open_channel(services)
    anonymous, notified = new_chat(1), new_chat(2)
    file_report(anonymous)
    file_report(notified, notify=True)
    quiet_id, told_id = report_ids(services)
    before = pushes_to(anonymous), pushes_to(notified)

    for report_id in (quiet_id, told_id):
        result = office.update(
            OFFICER,
            PASSPHRASE,
            report_id,
            StatusUpdate(
                Status.IN_PROGRESS,
                actor="",
                public_note="อยู่ระหว่างตรวจสอบข้อเท็จจริง",
                internal_note="เรียกเอกสารจากกองช่าง",
            ),
        )
        assert result.notified is (report_id == told_id)

    assert pushes_to(anonymous) == before[0]
    assert pushes_to(notified) == [*before[1], PROGRESS_NOTICE]
    with services.db.transaction() as s:
        assert set(s.scalars(select(OutboxMessage.status))) == {"sent"}


# ---- 6. the leak test ------------------------------------------------------------------


def test_nothing_of_a_report_its_code_or_its_reporter_is_left_in_the_database_or_logs(
    services: Services,
    app: Flask,
    platform: FakePlatform,
    clock: FakeClock,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    office = open_channel(services)
    marker = f"marker{letters_only(uuid.uuid4().hex)}"
    field = {
        k: f"{k} {marker} ข้อมูลลับ"
        for k in ("what", "who", "when", "where", "how", "note", "name", "added", "internal")
    }
    contact = f"{marker}@example.com"
    user = "U" + uuid.uuid4().hex
    platform.media["marked"] = (jpeg("blue", comment=marker), "image/jpeg")
    chat = LineChat(app, platform, clock, user=user)

    def state_holds_nothing() -> None:
        [row] = states(services)
        assert row.flow == "corruption" and set(row.data) == {"vault"}
        assert marker not in json.dumps(row.data)
        assert marker not in dump(stored_values(database_url))

    said = chat.tap(start_from_menu(chat).payload(th.LABEL_CR_START))
    chat.say(field["what"])
    state_holds_nothing()  # after a middle step
    for part in ("who", "when", "where", "how"):
        said = chat.say(field[part])
    said = chat.send_photo("marked")
    said = chat.say(field["note"])  # what else there is as evidence
    assert th.CR_EVIDENCE_NOTE_KEPT in said
    state_holds_nothing()
    said = chat.tap(said.payload(th.LABEL_PHOTOS_DONE))
    said = chat.tap(said.payload(th.LABEL_CR_NAMED))
    chat.say(field["name"])
    said = chat.say(contact)
    summary = chat.tap(said.payload(th.LABEL_CR_NOTIFY_YES))
    state_holds_nothing()
    code = receipt_in(chat.tap(summary.payload(th.LABEL_CR_CONFIRM)))
    chat.say("เพิ่มข้อมูลเรื่องทุจริต")
    chat.say(code)
    assert th.CF_ADDED in chat.say(field["added"])
    [report_id] = report_ids(services)
    office.update(
        OFFICER,
        PASSPHRASE,
        report_id,
        StatusUpdate(Status.IN_PROGRESS, actor="", internal_note=field["internal"]),
    )
    assert pushes_to(chat) == [PROGRESS_NOTICE]

    # the marker really went in: the officer reads it in every field, and in the photo
    case = office.show(OFFICER, PASSPHRASE, report_id)
    content = case.content
    for value in (content.what, content.who, content.when, content.where, content.how_known):
        assert marker in value
    assert field["note"] in content.how_known
    assert (content.name, content.contact) == (field["name"], contact)
    assert [a.text for a in case.additions] == [field["added"]]
    assert case.timeline[-1].internal_note == field["internal"]
    [evidence] = case.evidence
    office.export_evidence(OFFICER, PASSPHRASE, evidence.id, tmp_path / "evidence.jpg")
    assert marker.encode() in (tmp_path / "evidence.jpg").read_bytes()

    values = stored_values(database_url)
    everything, logs = dump(values), captured_logs(caplog, capsys)
    digits = code.replace(" ", "")
    with services.db.transaction() as s:
        assert set(s.scalars(select(OutboxMessage.status))) == {"sent"}
    assert OFFICER in everything  # the dump does hold the data
    assert marker not in everything
    assert marker not in logs
    for form in (code, digits):
        assert form not in everything, form
        assert form not in logs, form
    assert user.lower() not in dump(values, tables="corruption_")
    assert user.lower() not in everything, [v.table for v in values if user in v.text]
    assert user not in logs
    assert not logged_flows(caplog) & {"corruption", "corruption_follow"}
    assert not [p for p in services.media.folder.rglob("*") if p.is_file()]


def test_the_sqlite_files_on_disk_hold_no_marker_or_code_after_the_sweep(
    services: Services,
    app: Flask,
    platform: FakePlatform,
    clock: FakeClock,
    database_url: str,
    jobs: Jobs,
) -> None:
    """Cleared rows leave page images in the -wal file until a checkpoint: the minute
    sweep folds and truncates it, and secure_delete zeroes what was freed."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: the files of a PostgreSQL server are not ours to read")
    open_channel(services)
    marker = f"marker{letters_only(uuid.uuid4().hex)}"
    code = file_report(LineChat(app, platform, clock), what=f"ปลัดเรียกเงิน {marker} ก่อนออกใบอนุญาต")

    jobs.sweep()
    on_disk = sqlite_files(database_url)
    assert b"somsri" in on_disk  # the files do hold the data
    assert marker.encode() not in on_disk
    assert code.encode() not in on_disk and code.replace(" ", "").encode() not in on_disk


# ---- 7. the bot's own credentials read nothing ---------------------------------------------


def test_the_bots_secret_and_database_cannot_open_a_filed_report(
    services: Services, app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    office = open_channel(services)
    platform.media["photo"] = (jpeg(), "image/jpeg")
    chat = LineChat(app, platform, clock)
    code = file_report(chat, photo="photo", notify=True)
    chat.say("เพิ่มข้อมูลเรื่องทุจริต")
    chat.say(code)
    chat.say("มีพยานอีกคนเห็นตอนส่งซองค่ะ")
    [report_id] = report_ids(services)
    office.update(
        OFFICER, PASSPHRASE, report_id, StatusUpdate(None, actor="", internal_note="ภายใน")
    )

    secret = services.settings.secret_key
    derived = [
        vault_key(secret),
        bytes(blake2b(secret.encode(), digest_size=32, encoder=RawEncoder)),
        hashlib.sha256(secret.encode()).digest(),
        hashlib.sha256(b"siang-user-ref:" + secret.encode()).digest(),  # the UserHasher key
        secret.encode()[:32].ljust(32, b"\0"),
    ]
    privates = [PrivateKey(k) for k in derived] + [PrivateKey.from_seed(k) for k in derived]
    with services.db.transaction() as s:
        sealed_keys = [
            *s.scalars(select(CorruptionReportKey.sealed_key)),
            *s.scalars(select(CorruptionAdditionKey.sealed_key)),
            *s.scalars(select(CorruptionEvidenceKey.sealed_key)),
        ]
        report = s.scalars(select(CorruptionReport)).one()
        ciphertexts = [
            report.ciphertext,
            report.notify_ciphertext,
            *s.scalars(select(CorruptionAddition.ciphertext)),
            *s.scalars(select(CorruptionEvidence.ciphertext)),
            *s.scalars(select(CorruptionEvent.internal_note_ciphertext)),
        ]
    ciphertexts = [bytes(c) for c in ciphertexts if c]
    assert len(sealed_keys) == 3 and len(ciphertexts) == 5

    for sealed_key in sealed_keys:
        for private in privates:
            with pytest.raises(sealing.NotReadable):
                sealing.open_key(bytes(sealed_key), private)
    vault = SecretBoxDraftVault(secret)
    for ciphertext in ciphertexts:
        for key in derived:
            with pytest.raises(sealing.NotReadable):
                sealing.open_with_key(ciphertext, key)
        for token in (base64.urlsafe_b64encode(ciphertext).decode(), ciphertext.hex()):
            assert vault.unlock(token) is None
    assert office.show(OFFICER, PASSPHRASE, report_id).content.what == WHAT  # officers can


# ---- 8. general staff never see the track -------------------------------------------------


def test_general_lists_statistics_and_my_tickets_leave_the_report_out_but_count_it_apart(
    services: Services,
    app: Flask,
    platform: FakePlatform,
    clock: FakeClock,
    tmp_path: Path,
    database_url: str,
) -> None:
    open_channel(services)
    chat = LineChat(app, platform, clock)
    said = chat.say(POTHOLE)
    said = chat.tap(said.payload("ถนน"))
    said = chat.say("หน้าบ้านเลขที่ 12 หมู่ 3")
    said = chat.tap(said.payload(th.LABEL_NO_PHOTO))
    said = chat.tap(said.payload(th.LABEL_CONTACT_NO))
    assert "GC-2570-00001" in chat.tap(said.payload(th.LABEL_CONFIRM))
    chat.unread()
    file_report(chat, notify=True)

    [ticket] = TicketOffice(services.db, services.outbox, clock, sla_days=15).list()
    assert str(ticket.code) == "GC-2570-00001" and ticket.description == POTHOLE
    env = app_env(tmp_path, database_url, platform.url)
    runner = CliRunner()
    listed = runner.invoke(cli.main, ["tickets", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [t["code"] for t in json.loads(listed.stdout)] == ["GC-2570-00001"]
    exported = runner.invoke(cli.main, ["stats", "--month", "2026-11", "--format", "json"], env=env)
    assert exported.exit_code == 0, exported.output
    stats = json.loads(exported.stdout)
    assert stats["totals"]["received"] == 1
    assert [c["channel"] for c in stats["by_channel"] if c["received"]] == ["line"]
    assert sum(c["received"] for c in stats["by_category"]) == 1
    assert stats["corruption"]["totals"]["received"] == 1
    assert WHAT not in exported.stdout

    mine = chat.say("เรื่องของฉัน")
    assert th.MY_TICKETS_INTRO.format(count=1) in mine and "GC-2570-00001" in mine
    for word in ("ทุจริต", "เบาะแส", WHAT):
        assert word not in mine.text.replace(th.PRIVACY_FIRST_CONTACT, "")


def letters_only(hex_digits: str) -> str:
    """A random marker no extractor mistakes for a phone or a receipt code."""
    return hex_digits.translate(str.maketrans("0123456789", "ghijklmnop"))


# ---- the reporter's own conflict-of-interest exclusion ----------------------------------

SECOND = "somchai"
SECOND_PASSPHRASE = "ผู้ตรวจสอบคนที่สอง รหัสยาวพอ"


def test_the_reporter_can_keep_an_involved_officer_from_ever_reading_the_report(
    services: Services, app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    office = open_channel(services)
    office.keygen(SECOND, SECOND_PASSPHRASE, helper=(OFFICER, PASSPHRASE))
    platform.media["evidence"] = (jpeg(), "image/jpeg")
    chat = LineChat(app, platform, clock)
    said = chat.tap(start_from_menu(chat).payload(th.LABEL_CR_START))
    said = chat.say(WHAT)
    said = chat.say(WHO)
    assert th.CR_ASK_CONFLICT in said and SECOND in said.buttons
    said = chat.tap(said.payload(SECOND))
    assert th.CR_CONFLICT_CHOSEN.format(names=SECOND) in said
    said = chat.tap(said.payload(OFFICER))  # both would leave nobody to read it
    assert th.CR_CONFLICT_ALL in said
    said = chat.tap(said.payload(th.LABEL_CR_CONFLICT_DONE))
    for part in (WHEN, WHERE, HOW):
        said = chat.say(part)
    said = chat.send_photo("evidence")  # sealed to both officers as it arrived
    said = chat.tap(said.payload(th.LABEL_PHOTOS_DONE))
    said = chat.tap(said.payload(th.LABEL_CR_ANONYMOUS))
    said = chat.tap(said.payload(th.LABEL_CR_NOTIFY_NO))
    assert SECOND in said  # the summary says who may not read it
    receipt_in(chat.tap(said.payload(th.LABEL_CR_CONFIRM)))

    [report_id] = report_ids(services)
    case = office.show(OFFICER, PASSPHRASE, report_id)
    assert case.content.what == WHAT and all(e.readable for e in case.evidence)
    with pytest.raises(NotAReader):
        office.show(SECOND, SECOND_PASSPHRASE, report_id)
    with pytest.raises(NotAReader):  # not even the photo sealed before the choice
        office.export_evidence(
            SECOND, SECOND_PASSPHRASE, case.evidence[0].id, services.settings.instance_dir / "x"
        )


def test_a_receipt_code_typed_into_a_general_complaint_is_never_stored(
    services: Services, app: Flask, platform: FakePlatform, clock: FakeClock, database_url: str
) -> None:
    open_channel(services)
    chat = LineChat(app, platform, clock)
    code = file_report(chat)
    said = chat.say("ร้องเรียน")
    said = chat.say(f"เรื่องรหัส {code} ทำไมยังไม่คืบหน้า")
    assert th.RECEIPT_CODE_NOT_HERE in said
    stored = dump(stored_values(database_url)).replace(" ", "")
    assert code.replace(" ", "") not in stored


@pytest.mark.parametrize("channel", ["line", "telegram"])
def test_a_document_is_evidence_too_sealed_and_exported_whole(
    channel: str, services: Services, app: Flask, platform: FakePlatform, clock: FakeClock
) -> None:
    office = open_channel(services)
    pdf = b"%PDF-1.4\n% a scanned receipt for the bribe\n%%EOF\n"
    platform.media["receipt-pdf"] = (pdf, "application/pdf")
    chat: Chat = (
        LineChat(app, platform, clock) if channel == "line" else TelegramChat(app, platform, clock)
    )
    said = chat.tap(start_from_menu(chat).payload(th.LABEL_CR_START))
    said = chat.say(WHAT)
    said = chat.send_file("receipt-pdf")  # a document, at any step
    assert th.CR_EVIDENCE_RECEIVED.format(count=1, left=4) in said
    assert list(services.settings.photo_dir.glob("*.pdf")) == []  # sealed, the clear copy gone
    for part in (WHO, WHEN, WHERE, HOW):
        said = chat.say(part)
    said = chat.tap(said.payload(th.LABEL_PHOTOS_DONE))
    said = chat.tap(said.payload(th.LABEL_CR_ANONYMOUS))
    said = chat.tap(said.payload(th.LABEL_CR_NOTIFY_NO))
    receipt_in(chat.tap(said.payload(th.LABEL_CR_CONFIRM)))

    [report_id] = report_ids(services)
    [evidence] = office.show(OFFICER, PASSPHRASE, report_id).evidence
    out = services.settings.instance_dir / "exported.pdf"
    office.export_evidence(OFFICER, PASSPHRASE, evidence.id, out)
    assert out.read_bytes() == pdf
