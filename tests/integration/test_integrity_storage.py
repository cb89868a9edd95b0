"""The corruption track's storage on both databases: what a report leaves behind is
unreadable without an integrity officer's passphrase, and every officer's act is audited.

Argon2 runs at its lowest cost here (COSTS["min"]): the constructions are the same."""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PrivateKey
from openpyxl import load_workbook
from sqlalchemy import MetaData, create_engine, func, select, text, update
from sqlalchemy.exc import DBAPIError

from bot import cli
from bot.clock import thai_date
from bot.draft_vault import SecretBoxDraftVault, vault_key
from bot.integrity_desk import COSTS, SqlIntegrityDesk, day_start, purge_orphan_evidence
from bot.integrity_office import (
    PROGRESS_NOTICE,
    AuditAction,
    NotAReader,
    OfficerNotFound,
    PassphraseRefused,
    Refused,
)
from bot.logs import JsonFormatter
from bot.models import (
    CorruptionAdditionKey,
    CorruptionEvidence,
    CorruptionEvidenceKey,
    CorruptionReport,
    CorruptionReportKey,
    IntegrityAudit,
    IntegrityOfficer,
    OutboxMessage,
)
from bot.services import Services
from bot.stats_export import collect, render
from complaints import sealing
from complaints.corruption import ReceiptCode, ReportContent, TooManyAttempts
from complaints.lifecycle import StatusUpdate
from complaints.stats import Period
from complaints.tickets import Status
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import app_env
from tests.support.integrity import integrity_office
from tests.support.tickets import CITIZEN, OWNER, line_texts_to, open_ticket

PASSPHRASE_COST, RECEIPT_COST = COSTS["min"]
PASS_A = "ผู้ตรวจสอบคนแรก รหัสยาวพอ"
PASS_B = "second officer's long passphrase"
PASS_C = "third officer, also long enough"
NOVEMBER = Period.month(2026, 11)


@pytest.fixture
def marker() -> str:
    return f"เงินใต้โต๊ะ-{uuid.uuid4().hex}"


def with_desk(services: Services, act: Callable[[SqlIntegrityDesk], object], owner: str = OWNER):  # type: ignore[no-untyped-def]
    with services.db.transaction() as s:
        desk = SqlIntegrityDesk(
            s,
            services.db.dialect,
            owner,
            "line",
            CITIZEN,
            services.media,
            receipt_cost=RECEIPT_COST,
            clock=services.clock,
        )
        return act(desk)


def photo(services: Services, body: bytes) -> str:
    key = secrets.token_urlsafe(24) + ".jpg"
    folder = services.media.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(b"\xff\xd8\xff" + body)
    return key


def file_report(
    services: Services,
    what: str = "เจ้าหน้าที่เรียกรับเงินค่าขออนุญาตก่อสร้าง",
    *,
    notify: bool = True,
    photos: tuple[bytes, ...] = (),
    owner: str = OWNER,
) -> ReceiptCode:
    evidence = tuple(
        with_desk(services, lambda d, b=body: d.seal_evidence(photo(services, b)), owner)  # type: ignore[misc]
        for body in photos
    )
    content = ReportContent(what=what, who="นาย ข", name="นางสาว ค", contact="0812345678")
    code = with_desk(
        services,
        lambda d: d.file(content, evidence, services.clock.now(), 15, notify=notify),
        owner,
    )
    assert isinstance(code, ReceiptCode)
    return code


def report_ids(services: Services) -> list[int]:
    with services.db.transaction() as s:
        return list(s.scalars(select(CorruptionReport.id).order_by(CorruptionReport.id)))


def audit_actions(services: Services) -> list[tuple[str, str, int | None]]:
    return [(e.officer_name, e.action, e.report_id) for e in integrity_office(services).audit_log()]


def dump_values(url: str) -> bytes:
    """Every value of every table, bytes as they are stored."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    out = io.BytesIO()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        out.write(bytes(value))
                    else:
                        out.write(str(value).encode())
                    out.write(b"\x00")
    engine.dispose()
    return out.getvalue()


def database_files(url: str) -> bytes:
    """The SQLite file with its WAL, or pg_dump's output."""
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        return b"".join(
            p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
        )
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return b""
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run([pg_dump, plain_url], capture_output=True, check=True).stdout


def captured_logs(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> str:
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records]
    streams = capsys.readouterr()
    return "\n".join([*lines, caplog.text, streams.out, streams.err])


# ---- (a) nothing readable is left behind ------------------------------------------------


def test_a_report_leaves_no_marker_or_code_in_the_database_files_or_logs(
    services: Services,
    database_url: str,
    marker: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    integrity_office(services).keygen("somsri", PASS_A)
    code = file_report(services, f"รายงาน {marker} งบซ่อมถนน", photos=(f"photo {marker}".encode(),))
    with_desk(services, lambda d: d.add(code, f"เพิ่มเติม {marker}", services.clock.now()))
    assert with_desk(services, lambda d: d.follow(code, services.clock.now())) is not None
    [report_id] = report_ids(services)
    integrity_office(services).update(
        "somsri",
        PASS_A,
        report_id,
        StatusUpdate(Status.IN_PROGRESS, actor="", internal_note=f"บันทึก {marker}"),
    )

    stored = dump_values(database_url) + database_files(database_url)
    logs = captured_logs(caplog, capsys)

    assert stored.count(b"somsri") >= 2  # the dumps do hold the data (names are in clear)
    forms = [marker, code.digits, code.grouped()]
    for form in forms:
        assert form.encode() not in stored, form
        assert form.encode().hex().encode() not in stored  # pg_dump writes bytea as hex
        assert form not in logs, form
    assert not any(services.media.folder.iterdir())  # the clear photo was deleted


def test_the_chat_stores_no_chat_id_and_only_the_day_of_a_report(
    services: Services, database_url: str
) -> None:
    integrity_office(services).keygen("somsri", PASS_A)
    services.clock.advance(hours=5, minutes=17)

    file_report(services, notify=True)

    stored = dump_values(database_url)
    assert CITIZEN.encode() not in stored and OWNER.encode() not in stored
    with services.db.transaction() as s:
        row = s.scalars(select(CorruptionReport)).one()
        assert row.received_at == day_start(services.clock.now())
        assert row.notify_ciphertext is not None


# ---- (b) the bot's own credentials read nothing ------------------------------------------


def test_the_bots_credentials_cannot_decrypt_a_stored_report(
    services: Services, marker: str
) -> None:
    integrity_office(services).keygen("somsri", PASS_A)
    code = file_report(services, marker, photos=(marker.encode(),))
    with_desk(services, lambda d: d.add(code, marker, services.clock.now()))
    secret = services.settings.secret_key
    vault = vault_key(secret)
    derived = [
        vault,
        bytes(blake2b(secret.encode(), digest_size=32, encoder=RawEncoder)),
        secret.encode()[:32].ljust(32, b"\0"),
    ]
    candidates = [PrivateKey(k) for k in derived] + [PrivateKey.from_seed(k) for k in derived]

    with services.db.transaction() as s:
        sealed_keys = [
            *s.scalars(select(CorruptionReportKey.sealed_key)),
            *s.scalars(select(CorruptionAdditionKey.sealed_key)),
            *s.scalars(select(CorruptionEvidenceKey.sealed_key)),
        ]
        report = s.scalars(select(CorruptionReport)).one()
    assert len(sealed_keys) == 3
    for sealed_key in sealed_keys:
        for private in candidates:
            with pytest.raises(sealing.NotReadable):
                sealing.open_key(sealed_key, private)
    for key in derived:
        with pytest.raises(sealing.NotReadable):
            sealing.open_with_key(report.ciphertext, key)
    assert SecretBoxDraftVault(secret).unlock(report.ciphertext.hex()) is None


# ---- (c) officers read, with their passphrase only ---------------------------------------


def test_an_officer_reads_the_whole_case_and_a_wrong_passphrase_is_refused_and_audited(
    services: Services, marker: str, tmp_path: Path
) -> None:
    desk_office = integrity_office(services)
    desk_office.keygen("somsri", PASS_A)
    code = file_report(services, marker, photos=(b"evidence bytes",), notify=False)
    with_desk(services, lambda d: d.add(code, "มีพยานอีกคน", services.clock.now()))
    [report_id] = report_ids(services)

    case = desk_office.show("somsri", PASS_A, report_id)

    assert case.content.what == marker and case.content.name == "นางสาว ค"
    assert [a.text for a in case.additions] == ["มีพยานอีกคน"]
    assert case.notify_channel is None and case.readers == ("somsri",)
    [evidence] = case.evidence
    assert evidence.readable and evidence.content_type == "image/jpeg"
    assert [e.status for e in case.timeline] == [Status.RECEIVED]
    out = tmp_path / "evidence.jpg"
    desk_office.export_evidence("somsri", PASS_A, evidence.id, out)
    assert out.read_bytes() == b"\xff\xd8\xffevidence bytes"
    assert out.stat().st_mode & 0o777 == 0o600
    with pytest.raises(Refused):
        desk_office.export_evidence("somsri", PASS_A, evidence.id, out)  # never overwrites

    with pytest.raises(PassphraseRefused):
        desk_office.show("somsri", "not the passphrase at all", report_id)

    assert audit_actions(services) == [
        ("somsri", AuditAction.KEYGEN, None),
        ("somsri", AuditAction.READ, report_id),
        ("somsri", AuditAction.EXPORT_EVIDENCE, report_id),
        ("somsri", AuditAction.UNLOCK_FAILED, None),
    ]


def test_an_update_follows_the_ticket_rules_seals_the_note_and_tells_only_of_progress(
    services: Services, platform: FakePlatform, marker: str
) -> None:
    desk_office = integrity_office(services)
    desk_office.keygen("somsri", PASS_A)
    code = file_report(services, notify=True)
    [report_id] = report_ids(services)
    services.clock.advance(days=1)

    result = desk_office.update(
        "somsri",
        PASS_A,
        report_id,
        StatusUpdate(
            Status.FORWARDED,
            actor="ignored",
            public_note="ส่งเรื่องให้ ป.ป.ช. แล้ว",
            internal_note=marker,
        ),
    )

    assert result.notified and result.summary.status is Status.FORWARDED
    assert line_texts_to(platform, CITIZEN) == [PROGRESS_NOTICE]
    case = desk_office.show("somsri", PASS_A, report_id)
    last = case.timeline[-1]
    assert (last.actor, last.internal_note, last.public_note) == (
        "somsri",
        marker,
        "ส่งเรื่องให้ ป.ป.ช. แล้ว",
    )
    followed = with_desk(services, lambda d: d.follow(code, services.clock.now()))
    assert followed.status is Status.FORWARDED  # type: ignore[union-attr]
    assert followed.timeline[-1].public_note == "ส่งเรื่องให้ ป.ป.ช. แล้ว"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="cannot go"):
        desk_office.update("somsri", PASS_A, report_id, StatusUpdate(Status.RECEIVED, actor="x"))
    with pytest.raises(ValueError, match="reason"):
        desk_office.update("somsri", PASS_A, report_id, StatusUpdate(Status.REJECTED, actor="x"))


# ---- (d) exclusion ---------------------------------------------------------------------


def test_exclusion_removes_access_keeps_it_away_and_is_audited(services: Services) -> None:
    desk_office = integrity_office(services)
    desk_office.keygen("somsri", PASS_A)
    desk_office.keygen("somchai", PASS_B, helper=("somsri", PASS_A))
    code = file_report(services, photos=(b"p",))
    [report_id] = report_ids(services)
    assert desk_office.show("somchai", PASS_B, report_id).readers == ("somchai", "somsri")

    desk_office.exclude("somsri", PASS_A, report_id, "somchai")
    with_desk(services, lambda d: d.add(code, "ข้อมูลหลังกันออก", services.clock.now()))

    with pytest.raises(NotAReader):
        desk_office.show("somchai", PASS_B, report_id)
    with pytest.raises(NotAReader):
        desk_office.exclude("somchai", PASS_B, report_id, "somsri")
    with pytest.raises(Refused, match="ไม่เหลือ"):
        desk_office.exclude("somsri", PASS_A, report_id, "somsri")
    case = desk_office.show("somsri", PASS_A, report_id)
    assert case.readers == ("somsri",) and case.excluded == ("somchai",)
    with services.db.transaction() as s:
        somchai = s.scalars(select(IntegrityOfficer.id).where(IntegrityOfficer.name == "somchai"))
        somchai_id = somchai.one()
        for table in (CorruptionReportKey, CorruptionAdditionKey, CorruptionEvidenceKey):
            held = s.scalar(
                select(func.count()).select_from(table).where(table.officer_id == somchai_id)
            )
            assert held == 0, table.__tablename__
    assert desk_office.list_cases("somchai", PASS_B) == []  # not even listed: no tip-off
    assert [c.readable for c in desk_office.list_cases("somsri", PASS_A)] == [True]
    actions = audit_actions(services)
    assert ("somsri", AuditAction.EXCLUDE, report_id) in actions
    assert actions.count(("somchai", AuditAction.DENIED, report_id)) == 2
    [exclusion] = [
        e for e in integrity_office(services).audit_log(report_id) if e.action == "exclude"
    ]
    assert exclusion.detail == "officer=somchai"


# ---- (e) a second officer, with and without a helper ------------------------------------


def test_a_new_officer_needs_an_officer_to_vouch_and_reads_old_cases_through_them(
    services: Services,
) -> None:
    desk_office = integrity_office(services)
    first = desk_office.keygen("somsri", PASS_A)
    assert first.first and first.unreadable == 0
    code = file_report(services, "เรื่องเก่า", photos=(b"old photo",))
    with_desk(services, lambda d: d.add(code, "เพิ่มเติมเรื่องเก่า", services.clock.now()))
    file_report(services, "เรื่องที่กันคนที่สองไว้")
    old, conflicted = report_ids(services)

    with pytest.raises(Refused):  # nobody with a shell adds a reader alone
        desk_office.keygen("somchai", PASS_B)
    with pytest.raises(OfficerNotFound):  # a mistyped name would exclude nobody
        desk_office.exclude("somsri", PASS_A, conflicted, "somyng")
    helped = desk_office.keygen("somying", PASS_C, helper=("somsri", PASS_A))
    desk_office.exclude("somsri", PASS_A, conflicted, "somying")
    file_report(services, "เรื่องใหม่")
    *_, new = report_ids(services)

    assert (helped.helper, helped.resealed, helped.unreadable) == ("somsri", 2, 0)
    case = desk_office.show("somying", PASS_C, old)
    assert case.content.what == "เรื่องเก่า"
    assert [a.text for a in case.additions] == ["เพิ่มเติมเรื่องเก่า"]
    assert all(e.readable for e in case.evidence)
    assert desk_office.show("somying", PASS_C, new).content.what == "เรื่องใหม่"
    with pytest.raises(NotAReader):
        desk_office.show("somying", PASS_C, conflicted)
    with pytest.raises(PassphraseRefused):
        desk_office.keygen("somporn", PASS_C, helper=("somsri", "wrong passphrase!!"))
    with services.db.transaction() as s:  # a refused helper creates nobody
        assert s.scalar(select(func.count()).select_from(IntegrityOfficer)) == 2
    actions = audit_actions(services)
    assert ("somsri", AuditAction.RESEAL, None) in actions
    assert actions[-1] == ("somsri", AuditAction.UNLOCK_FAILED, None)


def test_an_officer_taken_off_the_track_reads_nothing_and_no_case_is_orphaned(
    services: Services,
) -> None:
    desk_office = integrity_office(services)
    desk_office.keygen("somsri", PASS_A)
    desk_office.keygen("somying", PASS_C, helper=("somsri", PASS_A))
    file_report(services, "เรื่องหนึ่ง")
    [case] = report_ids(services)
    desk_office.exclude("somying", PASS_C, case, "somsri")  # only somying reads it now

    with pytest.raises(Refused):  # it would leave the case without a reader
        desk_office.deactivate("somsri", PASS_A, "somying")
    with pytest.raises(Refused):
        desk_office.deactivate("somying", PASS_C, "somying")
    file_report(services, "เรื่องสอง")
    desk_office.keygen("somchai", PASS_B, helper=("somying", PASS_C))
    assert desk_office.deactivate("somchai", PASS_B, "somying") == 2
    with pytest.raises(OfficerNotFound):
        desk_office.show("somying", PASS_C, case)
    assert ("somchai", AuditAction.DEACTIVATE, None) in audit_actions(services)


# ---- (f) the audit chain ----------------------------------------------------------------


def test_the_audit_chain_verifies_and_an_edit_is_caught_or_refused(
    services: Services, database_url: str
) -> None:
    desk_office = integrity_office(services)
    desk_office.keygen("somsri", PASS_A)
    file_report(services)
    [report_id] = report_ids(services)
    desk_office.show("somsri", PASS_A, report_id)
    desk_office.list_cases("somsri", PASS_A)

    verdict = desk_office.verify_audit()
    assert verdict.ok and verdict.rows == 3 and verdict.broken_at is None
    entries = desk_office.audit_log()
    second = entries[1].id

    if database_url.startswith("sqlite"):
        with services.db.transaction() as s:
            s.execute(
                update(IntegrityAudit)
                .where(IntegrityAudit.id == second)
                .values(officer_name="someone else")
            )
        broken = desk_office.verify_audit()
        assert not broken.ok and broken.broken_at == second
        with services.db.transaction() as s:
            s.execute(
                update(IntegrityAudit)
                .where(IntegrityAudit.id == second)
                .values(officer_name="somsri")
            )
        assert desk_office.verify_audit().ok
        with services.db.transaction() as s:
            s.execute(text("DELETE FROM integrity_audit WHERE id = :id"), {"id": second})
        assert desk_office.verify_audit().broken_at == entries[2].id
    else:
        for statement in (
            "UPDATE integrity_audit SET officer_name = 'someone else' WHERE id = :id",
            "DELETE FROM integrity_audit WHERE id = :id",
        ):
            with (
                pytest.raises(DBAPIError, match="append-only"),
                services.db.transaction() as s,
            ):
                s.execute(text(statement), {"id": second})
        assert desk_office.verify_audit().ok


# ---- (g) following with a receipt code ---------------------------------------------------


def test_right_wrong_and_unknown_codes_and_brute_force(services: Services) -> None:
    integrity_office(services).keygen("somsri", PASS_A)
    code = file_report(services)
    now = services.clock.now
    wrong = ReceiptCode(("0" if code.digits[0] != "0" else "1") + code.digits[1:])
    unknown = ReceiptCode("9" * 16 if code.digits != "9" * 16 else "8" * 16)

    status = with_desk(services, lambda d: d.follow(code, now()))
    assert status.status is Status.RECEIVED  # type: ignore[union-attr]
    assert status.due_on == thai_date(now()) + timedelta(days=15)  # type: ignore[union-attr]
    assert with_desk(services, lambda d: d.follow(wrong, now())) is None
    assert with_desk(services, lambda d: d.follow(unknown, now())) is None
    assert with_desk(services, lambda d: d.add(wrong, "x", now())) is False
    assert with_desk(services, lambda d: d.add(code, "ข้อมูลเพิ่ม", now())) is True
    for _ in range(5):  # 5 so far, 10 in all
        assert with_desk(services, lambda d: d.follow(unknown, now())) is None

    with pytest.raises(TooManyAttempts):
        with_desk(services, lambda d: d.follow(code, now()))  # even the right code, now
    with pytest.raises(TooManyAttempts):
        with_desk(services, lambda d: d.add(code, "x", now()))
    other_chat = "owner-ref-" + "2" * 54
    assert with_desk(services, lambda d: d.follow(code, now()), owner=other_chat) is not None

    services.clock.advance(hours=1)
    assert with_desk(services, lambda d: d.follow(code, now())) is not None


def test_evidence_of_a_report_never_filed_is_discarded_or_purged(services: Services) -> None:
    integrity_office(services).keygen("somsri", PASS_A)
    kept = with_desk(services, lambda d: d.seal_evidence(photo(services, b"a")))
    dropped = with_desk(services, lambda d: d.seal_evidence(photo(services, b"b")))
    with_desk(services, lambda d: d.discard_evidence((dropped,)))  # type: ignore[arg-type]
    with services.db.transaction() as s:
        assert list(s.scalars(select(CorruptionEvidence.draft_key))) == [kept]

    services.clock.advance(days=3)
    with services.db.transaction() as s:
        assert purge_orphan_evidence(s, services.clock.now()) == 1


def test_a_closed_channel_files_nothing(services: Services) -> None:
    from complaints.corruption import ChannelClosed

    assert with_desk(services, lambda d: d.is_open()) is False
    with pytest.raises(ChannelClosed):
        file_report(services)
    integrity_office(services).keygen("somsri", PASS_A)
    assert with_desk(services, lambda d: d.is_open()) is True


# ---- (h) statistics: a separate section, general figures untouched -----------------------


def test_statistics_count_the_track_separately_and_leave_general_figures_alone(
    services: Services,
) -> None:
    open_ticket(services)
    before = collect(services.db, NOVEMBER, services.clock)
    assert before.corruption is None  # the office does not run the track yet
    assert "เรื่องร้องเรียนการทุจริต" not in render(before, "csv").decode("utf-8-sig")

    desk_office = integrity_office(services)
    desk_office.keygen("somsri", PASS_A)
    file_report(services)
    file_report(services)
    first, _ = report_ids(services)
    desk_office.update("somsri", PASS_A, first, StatusUpdate(Status.RESOLVED, actor="x"))
    services.clock.advance(days=10)  # 5 December
    file_report(services)

    after = collect(services.db, NOVEMBER, services.clock)

    assert after.totals == before.totals and after.by_month == before.by_month
    assert after.totals.received == 1
    assert after.corruption is not None
    totals = after.corruption.totals
    assert (totals.received, totals.finished, totals.in_progress) == (2, 1, 1)
    assert after.corruption.by_month[0][0] == "2026-11"
    document = json.loads(render(after, "json"))
    assert document["corruption"]["totals"] == {
        "received": 2,
        "finished": 1,
        "in_progress": 1,
        "rejected": 0,
    }
    rows = list(csv.reader(io.StringIO(render(after, "csv").decode("utf-8-sig"))))
    start = rows.index(["เรื่องร้องเรียนการทุจริต"])
    assert rows[start + 1] == [
        "เดือนที่รับเรื่อง",
        "รับเรื่อง",
        "ดำเนินการแล้วเสร็จ",
        "อยู่ระหว่างดำเนินการ",
        "ไม่รับเรื่อง",
    ]
    assert rows[start + 2] == ["พ.ย. 2569", "2", "1", "1", "0"]
    assert rows[start + 3] == ["รวม", "2", "1", "1", "0"]
    workbook = load_workbook(io.BytesIO(render(after, "xlsx")))
    assert workbook.sheetnames[-1] == "เรื่องทุจริต"
    assert workbook.sheetnames[:-1] == [
        "สรุป", "ตามประเภท", "ตามเดือน", "ตามช่องทาง", "ความพึงพอใจ", "การสอบถามบริการ"
    ]  # fmt: skip
    december = collect(services.db, Period.month(2026, 12), services.clock)
    assert december.corruption is not None and december.corruption.totals.received == 1
    assert december.totals.received == 0


# ---- (i) the CLI, passphrases on stdin -----------------------------------------------------


@pytest.fixture
def siang(
    tmp_path: Path, database_url: str, platform: FakePlatform
) -> Iterator[Callable[..., Result]]:
    env = app_env(tmp_path, database_url, platform.url, SIANG_ARGON2_COST="min")

    def run(*args: str, stdin: str = "") -> Result:
        return CliRunner().invoke(cli.main, ["integrity", *args], input=stdin, env=env)

    yield run


def test_the_cli_end_to_end_with_passphrases_on_stdin(
    services: Services,
    siang: Callable[..., Result],
    platform: FakePlatform,
    tmp_path: Path,
    marker: str,
) -> None:
    first = siang("keygen", "--name", "somsri", stdin=f"{PASS_A}\n")
    assert first.exit_code == 0, first.output
    assert "สร้างกุญแจของ somsri แล้ว" in first.stdout and "เปิดรับแล้ว" in first.stdout
    code = file_report(services, marker, photos=(b"cli photo",))
    second = siang(
        "keygen", "--name", "somchai", "--helper", "somsri", stdin=f"{PASS_B}\n{PASS_A}\n"
    )
    assert second.exit_code == 0, second.output
    assert "มอบสิทธิ์อ่านเรื่องเดิมให้แล้ว 1 เรื่อง" in second.stdout
    [report_id] = report_ids(services)

    listed = siang("list", "--officer", "somsri", stdin=f"{PASS_A}\n")
    shown = siang("show", str(report_id), "--officer", "somchai", stdin=f"{PASS_B}\n")
    updated = siang(
        "update", str(report_id), "--officer", "somsri",
        "--status", "in_progress", "--public-note", "กำลังตรวจสอบข้อเท็จจริง",
        "--note", "ภายในเท่านั้น", stdin=f"{PASS_A}\n",
    )  # fmt: skip

    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[1].startswith(f"#{report_id}")
    assert "อ่านได้" in listed.stdout and marker not in listed.stdout
    assert shown.exit_code == 0, shown.output
    assert marker in shown.stdout and "image/jpeg" in shown.stdout
    assert updated.exit_code == 0, updated.output
    assert "กำลังดำเนินการ" in updated.stdout and "แจ้งผู้แจ้งทางแชตแล้ว" in updated.stdout
    assert line_texts_to(platform, CITIZEN) == [PROGRESS_NOTICE]
    followed = with_desk(services, lambda d: d.follow(code, services.clock.now()))
    assert followed.timeline[-1].public_note == "กำลังตรวจสอบข้อเท็จจริง"  # type: ignore[union-attr]
    with services.db.transaction() as s:
        [notice] = s.scalars(select(OutboxMessage)).all()
        assert marker not in json.dumps(notice.payload, ensure_ascii=False)
        evidence_id = s.scalars(select(CorruptionEvidence.id)).one()

    out = tmp_path / "exported.jpg"
    exported = siang(
        "evidence",
        str(evidence_id),
        "--officer",
        "somsri",
        "--output",
        str(out),
        stdin=f"{PASS_A}\n",
    )
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes() == b"\xff\xd8\xffcli photo"

    excluded = siang(
        "exclude", str(report_id), "--officer", "somsri", "--other", "somchai", stdin=f"{PASS_A}\n"
    )
    denied = siang("show", str(report_id), "--officer", "somchai", stdin=f"{PASS_B}\n")
    wrong = siang("show", str(report_id), "--officer", "somsri", stdin="wrong passphrase here\n")
    nobody = siang("show", str(report_id), "--officer", "nobody", stdin=f"{PASS_A}\n")
    missing = siang("show", str(report_id), "--officer", "somsri")

    assert excluded.exit_code == 0, excluded.output
    for refused in (denied, wrong, nobody, missing):
        assert refused.exit_code == 2
        assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.output
    assert "ไม่มีสิทธิ์" in denied.stderr and "ไม่ถูกต้อง" in wrong.stderr

    audit = siang("audit")
    verified = siang("audit", "--verify")
    assert audit.exit_code == 0 and verified.exit_code == 0, audit.output + verified.output
    for action in ("สร้างกุญแจ", "อ่านเรื่อง", "ปรับสถานะ", "ส่งออกหลักฐาน", "กันออกจากเรื่อง", "วลีรหัสผ่านผิด"):
        assert action in audit.stdout, action
    assert marker not in audit.stdout
    assert "ครบถ้วน" in verified.stdout
