"""The integrity officers' side of the corruption track: keys, cases, the audit chain.

Every operation on cases first unlocks the officer's private key with their passphrase
(Argon2id, `complaints.sealing.unlock`); a wrong passphrase is refused and audited. Reads
and changes append a row to the hash-chained `integrity_audit` in the same transaction as
what they record, so nothing happens without its audit row. Status changes follow the
general tickets' rules (`complaints.lifecycle.decide`, the 15-day due date). The office
may log report ids; it never logs content, codes or chat ids.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from nacl.encoding import RawEncoder
from nacl.hash import sha256
from nacl.public import PrivateKey
from sqlalchemy import ColumnElement, and_, delete, exists, func, select, text
from sqlalchemy.orm import Session

from bot.clock import Clock, thai_date
from bot.db import Database
from bot.integrity_desk import Cost, receipt_settings
from bot.logs import UserHasher, log
from bot.models import (
    CorruptionAddition,
    CorruptionAdditionKey,
    CorruptionEvent,
    CorruptionEvidence,
    CorruptionEvidenceKey,
    CorruptionExclusion,
    CorruptionReport,
    CorruptionReportKey,
    IntegrityAudit,
    IntegrityOfficer,
)
from bot.outbox import HELD_CHANNELS, Outbox
from complaints import sealing
from complaints.corruption import ReportContent
from complaints.lifecycle import StatusUpdate, decide
from complaints.thai_calendar import fiscal_year_be
from complaints.tickets import EventKind, Status, Ticket, TicketCode, due_date
from handlers import texts_th as th
from handlers.messages import Reply

logger = logging.getLogger("siang.integrity")

MAX_NAME = 80
MAX_PAGE = 500
DEFAULT_SLA_DAYS = 15
GENESIS = bytes(32)
"""The `prev_hash` of the first audit row."""
AUDIT_LOCK = 0x5349414E47  # "SIANG": one appender at a time on PostgreSQL
PROGRESS_NOTICE = th.CORRUPTION_PROGRESS_NOTICE
"""The only push a reporter ever gets: no content, no case number, no status."""


class AuditAction(StrEnum):
    KEYGEN = "keygen"
    RESEAL = "reseal"
    UNLOCK_FAILED = "unlock_failed"
    LIST = "list"
    READ = "read"
    DENIED = "denied"
    UPDATE = "update"
    EXCLUDE = "exclude"
    EXPORT_EVIDENCE = "export_evidence"
    DEACTIVATE = "deactivate"


class IntegrityError(Exception):
    """A refusal, as one line in Thai for the officer."""


class OfficerNotFound(IntegrityError):
    pass


class OfficerExists(IntegrityError):
    pass


class PassphraseRefused(IntegrityError):
    pass


class CaseNotFound(IntegrityError):
    pass


class EvidenceNotFound(IntegrityError):
    pass


class NotAReader(IntegrityError):
    """The officer holds no key for this case: excluded, or created after it without a
    helper."""


class Refused(IntegrityError):
    pass


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[Status, ...] = ()
    overdue: bool = False
    """Still open past the date promised."""
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class CaseSummary:
    """A case's metadata: what anyone with the database could see anyway."""

    report_id: int
    status: Status
    received_on: date
    due_on: date
    extended_to: date | None
    readable: bool
    """Whether the officer who asked holds a key for it."""

    def expected_on(self) -> date:
        return self.extended_to or self.due_on

    def overdue(self, today: date) -> bool:
        return self.status.open and today > self.expected_on()

    def days_elapsed(self, today: date) -> int:
        return max(0, (today - self.received_on).days)


@dataclass(frozen=True)
class CaseEntry:
    at: datetime
    kind: EventKind
    status: Status
    actor: str
    """The officer's name; "" for the reporter (the receipt) or an officer since removed."""
    public_note: str = ""
    internal_note: str = ""
    expected_on: date | None = None


@dataclass(frozen=True)
class Addition:
    id: int
    at: datetime
    text: str | None
    """None: sent before this officer could read the case, and not sealed to them."""


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    at: datetime
    content_type: str
    readable: bool


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    content: ReportContent
    notify_channel: str | None
    """The chat the reporter asked status pushes to (the channel only), or None."""
    additions: tuple[Addition, ...]
    evidence: tuple[EvidenceInfo, ...]
    timeline: tuple[CaseEntry, ...]
    readers: tuple[str, ...]
    excluded: tuple[str, ...]


@dataclass(frozen=True)
class KeygenResult:
    name: str
    first: bool
    """The first officer: the channel opens."""
    helper: str | None
    resealed: int
    """Existing cases the new officer can read (re-sealed by the helper)."""
    unreadable: int
    """Existing cases they cannot read: no helper, the helper could not read them, or the
    case excludes them."""


@dataclass(frozen=True)
class UpdateResult:
    summary: CaseSummary
    notified: bool
    """A progress notice was queued to the reporter's chat."""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    officer_name: str
    action: str
    report_id: int | None
    detail: str


@dataclass(frozen=True)
class AuditVerdict:
    ok: bool
    rows: int
    broken_at: int | None
    """The id of the first row whose link or hash does not match."""
    head: str
    """The last row's hash (hex): note it down; a later verify must still reach it."""


@dataclass(frozen=True)
class _Officer:
    id: int
    name: str
    public_key: bytes


def audit_hash(
    prev_hash: bytes, at: datetime, officer: str, action: str, report_id: int | None, detail: str
) -> bytes:
    """SHA-256 (libsodium) over the previous hash and the row's fields."""
    fields = json.dumps(
        [at.astimezone(UTC).isoformat(timespec="microseconds"), officer, action, report_id, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return bytes(sha256(prev_hash + fields.encode(), encoder=RawEncoder))


def officer_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise Refused("ต้องระบุชื่อเจ้าหน้าที่")
    if len(name) > MAX_NAME:
        raise Refused(f"ชื่อเจ้าหน้าที่ยาวเกิน {MAX_NAME} ตัวอักษร")
    return name


class IntegrityOffice:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        sla_days: int = DEFAULT_SLA_DAYS,
        outbox: Outbox | None = None,
        user_refs: UserHasher | None = None,
        passphrase_cost: Cost = sealing.PASSPHRASE_COST,
        receipt_cost: Cost = sealing.RECEIPT_COST,
    ) -> None:
        """`outbox` and `user_refs` (the chat's keyed user hash) let an update tell the
        reporter; without them nobody is told. `sla_days`: a reopened case has that long."""
        self.db = db
        self.clock = clock
        self.sla_days = sla_days
        self.outbox = outbox
        self.user_refs = user_refs
        self.passphrase_cost = passphrase_cost
        self.receipt_cost = receipt_cost

    # ---- officers ------------------------------------------------------------------

    def keygen(
        self, name: str, passphrase: str, helper: tuple[str, str] | None = None
    ) -> KeygenResult:
        """A new officer's key pair, the private key locked with `passphrase`. The first
        officer opens the channel alone; every later one needs a `helper` (name,
        passphrase): an officer who already reads cases vouches for them, so nobody with a
        shell on the server can add a reader alone. Each case key the helper holds is
        re-sealed to the new officer, except cases that exclude them."""
        name = officer_name(name)
        if len(passphrase) < sealing.MIN_PASSPHRASE_CHARS:
            raise Refused(f"วลีรหัสผ่านต้องยาวอย่างน้อย {sealing.MIN_PASSPHRASE_CHARS} ตัวอักษร")
        with self.db.transaction() as s:
            if s.scalar(select(exists().where(IntegrityOfficer.name == name))):
                raise OfficerExists(f"มีเจ้าหน้าที่ชื่อ {name} อยู่แล้ว")
            someone = s.scalar(select(exists().where(IntegrityOfficer.active.is_(True))))
        if someone and helper is None:
            raise Refused("เจ้าหน้าที่คนต่อไปต้องมีเจ้าหน้าที่ที่มีอยู่แล้วรับรอง: ระบุ --helper")
        helping = self._unlock(*helper) if helper else None
        locked = sealing.new_officer_key(passphrase, self.passphrase_cost)
        now = self.clock.now()
        with self.db.transaction() as s:
            first = not s.scalar(select(exists().where(IntegrityOfficer.active.is_(True))))
            receipt_settings(s, self.db.dialect, now, self.receipt_cost)
            officer = IntegrityOfficer(
                name=name,
                public_key=locked.public_key,
                encrypted_private_key=locked.encrypted_private_key,
                salt=locked.salt,
                opslimit=locked.opslimit,
                memlimit=locked.memlimit,
                created_at=now,
                active=True,
            )
            s.add(officer)
            s.flush()
            new = _Officer(officer.id, name, locked.public_key)
            resealed = self._reseal(s, *helping, new) if helping else 0
            cases = s.scalar(select(func.count()).select_from(CorruptionReport)) or 0
            helper_name = helping[0].name if helping else None
            detail = f"helper={helper_name}" if helper_name else ""
            self._audit(s, now, name, AuditAction.KEYGEN, detail=detail)
            if helping:
                self._audit(
                    s,
                    now,
                    helping[0].name,
                    AuditAction.RESEAL,
                    detail=f"to={name} cases={resealed}",
                )
        log(logger, logging.INFO, "integrity officer added", resealed=resealed, first=first)
        return KeygenResult(name, first, helper_name, resealed, cases - resealed)

    # ---- cases ---------------------------------------------------------------------

    def list_cases(
        self, officer: str, passphrase: str, filters: CaseFilter | None = None
    ) -> builtins.list[CaseSummary]:
        """The cases this officer can read, newest first, metadata only. A case that
        excludes them is not even listed: its new arrival, dated today, would tell an
        involved officer that someone reported them."""
        filters = filters or CaseFilter()
        if not 1 <= filters.limit <= MAX_PAGE or filters.offset < 0:
            raise Refused(f"จำนวนต่อหน้าต้องอยู่ระหว่าง 1 ถึง {MAX_PAGE}")
        me, _ = self._unlock(officer, passphrase)
        now = self.clock.now()
        query = (
            select(CorruptionReport, CorruptionReportKey.officer_id)
            .join(
                CorruptionReportKey,
                and_(
                    CorruptionReportKey.report_id == CorruptionReport.id,
                    CorruptionReportKey.officer_id == me.id,
                ),
            )
            .where(*self._conditions(filters, thai_date(now)))
            .order_by(CorruptionReport.id.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        )
        with self.db.transaction() as s:
            found = [_summary(row, key is not None) for row, key in s.execute(query)]
            self._audit(s, now, me.name, AuditAction.LIST, detail=f"rows={len(found)}")
        return found

    def show(self, officer: str, passphrase: str, report_id: int) -> CaseDetail:
        """The whole case, decrypted: content, additions, evidence list, timeline with
        internal notes. Audited as a read (or as denied, for an officer without a key)."""
        me, private = self._unlock(officer, passphrase)
        now = self.clock.now()
        with self.db.transaction() as s:
            row = self._report(s, report_id)
            data_key = self._case_key(s, row.id, me, private)
            if data_key is None:
                self._audit(s, now, me.name, AuditAction.DENIED, row.id, "read")
                detail = None
            else:
                detail = self._detail(s, row, me, private, data_key)
                self._audit(s, now, me.name, AuditAction.READ, row.id)
        if detail is None:
            raise _not_a_reader(report_id)
        log(logger, logging.INFO, "integrity case read", report_id=report_id)
        return detail

    def update(
        self, officer: str, passphrase: str, report_id: int, change: StatusUpdate
    ) -> UpdateResult:
        """A status change, note or new expected date under the general tickets' rules
        (`complaints.lifecycle.decide`), by this officer. The internal note is encrypted
        under the case key; the public note is what the receipt holder sees. If the
        reporter asked for pushes, they are told only that there is progress."""
        me, private = self._unlock(officer, passphrase)
        now = self.clock.now()
        today = thai_date(now)
        notice_to: tuple[str, str] | None = None
        with self.db.transaction() as s:
            row = self._report(s, report_id, lock=True)
            data_key = self._case_key(s, row.id, me, private)
            if data_key is None:
                self._audit(s, now, me.name, AuditAction.DENIED, row.id, "update")
                result = None
            else:
                decision = decide(_as_ticket(row), replace(change, actor=me.name), today)
                before = Status(row.status)
                if decision.status_changed:
                    row.status, row.status_changed_at = decision.status.value, now
                    if decision.status is Status.RESOLVED:
                        row.finished_at = now
                    elif not before.open and decision.status.open:  # reopened
                        row.finished_at = None
                        row.extended_to = due_date(today, self.sla_days)
                if decision.expected_on is not None:
                    row.extended_to = decision.expected_on
                internal = decision.internal_note
                s.add(
                    CorruptionEvent(
                        report_id=row.id,
                        at=now,
                        kind=decision.kind.value,
                        status=decision.status.value,
                        public_note=decision.public_note,
                        internal_note_ciphertext=(
                            sealing.encrypt_with_key(internal.encode(), data_key)
                            if internal
                            else None
                        ),
                        expected_on=decision.expected_on,
                        actor_officer_id=me.id,
                    )
                )
                s.flush()
                if decision.notice is not None:
                    notice_to = self._queue_notice(s, row, data_key)
                parts = [f"kind={decision.kind.value}", f"status={decision.status.value}"]
                if decision.expected_on:
                    parts.append(f"expected={decision.expected_on.isoformat()}")
                self._audit(s, now, me.name, AuditAction.UPDATE, row.id, " ".join(parts))
                result = UpdateResult(_summary(row, True), notice_to is not None)
        if result is None:
            raise _not_a_reader(report_id)
        log(
            logger,
            logging.INFO,
            "integrity case updated",
            report_id=report_id,
            status=result.summary.status.value,
            notified=result.notified,
        )
        if notice_to is not None and notice_to[0] not in HELD_CHANNELS:
            self._deliver(notice_to[1])
        return result

    def exclude(self, officer: str, passphrase: str, report_id: int, other: str) -> None:
        """Keep `other` (an officer's name, existing or not) from ever reading the case: their
        sealed keys for it, its additions and its evidence are deleted, and no later
        re-sealing or addition reaches them. Only a reader of the case may do it, and never
        so that nobody can read it."""
        other = officer_name(other)
        me, private = self._unlock(officer, passphrase)
        now = self.clock.now()
        with self.db.transaction() as s:
            known = s.scalar(select(exists().where(IntegrityOfficer.name == other)))
        if not known:  # a mistyped name would exclude nobody and look done
            raise OfficerNotFound(f"ไม่พบเจ้าหน้าที่ชื่อ {other}")
        with self.db.transaction() as s:
            row = self._report(s, report_id, lock=True)
            if self._case_key(s, row.id, me, private) is None:
                self._audit(s, now, me.name, AuditAction.DENIED, row.id, f"exclude={other}")
                allowed = False
            else:
                self._exclude(s, row.id, other)
                self._audit(s, now, me.name, AuditAction.EXCLUDE, row.id, f"officer={other}")
                allowed = True
        if not allowed:
            raise _not_a_reader(report_id)
        log(logger, logging.INFO, "integrity officer excluded", report_id=report_id)

    def deactivate(self, officer: str, passphrase: str, other: str) -> int:
        """Take an officer off the track (they left, or must not read): inactive, and every
        sealed key they hold deleted. Only another active officer may do it, never leaving
        the track without a reader, and never a case without one. Audited. Returns the cases
        they could read."""
        other = officer_name(other)
        me, _private = self._unlock(officer, passphrase)
        if other == me.name:
            raise Refused("ปิดสิทธิ์ของตนเองไม่ได้: ให้เจ้าหน้าที่คนอื่นเป็นผู้ปิดสิทธิ์")
        now = self.clock.now()
        with self.db.transaction() as s:
            target = s.scalars(
                select(IntegrityOfficer)
                .where(IntegrityOfficer.name == other, IntegrityOfficer.active.is_(True))
                .with_for_update()
            ).one_or_none()
            if target is None:
                raise OfficerNotFound(f"ไม่พบเจ้าหน้าที่ชื่อ {other}")
            held = list(
                s.scalars(
                    select(CorruptionReportKey.report_id).where(
                        CorruptionReportKey.officer_id == target.id
                    )
                )
            )
            for report_id in held:
                readers = s.scalar(
                    select(func.count())
                    .select_from(CorruptionReportKey)
                    .join(IntegrityOfficer, IntegrityOfficer.id == CorruptionReportKey.officer_id)
                    .where(
                        CorruptionReportKey.report_id == report_id,
                        IntegrityOfficer.active.is_(True),
                    )
                )
                if (readers or 0) <= 1:
                    raise Refused(
                        f"เรื่องเลขที่ {report_id} มี {other} อ่านได้คนเดียว: "
                        "ให้ผู้อื่นอ่านได้ก่อน (keygen --helper) แล้วจึงปิดสิทธิ์"
                    )
            for key_table, column in (
                (CorruptionReportKey, CorruptionReportKey.officer_id),
                (CorruptionAdditionKey, CorruptionAdditionKey.officer_id),
                (CorruptionEvidenceKey, CorruptionEvidenceKey.officer_id),
            ):
                s.execute(delete(key_table).where(column == target.id))
            target.active = False
            self._audit(s, now, me.name, AuditAction.DEACTIVATE, detail=f"officer={other}")
        log(logger, logging.INFO, "integrity officer deactivated", cases=len(held))
        return len(held)

    def export_evidence(
        self, officer: str, passphrase: str, evidence_id: int, path: Path
    ) -> EvidenceInfo:
        """Decrypt one piece of evidence into a new file (mode 0600; never overwrites).
        The audit row is committed before the file is written."""
        if path.exists():
            raise Refused(f"มีไฟล์ {path} อยู่แล้ว: ระบุชื่อไฟล์ใหม่")
        me, private = self._unlock(officer, passphrase)
        now = self.clock.now()
        with self.db.transaction() as s:
            evidence = s.get(CorruptionEvidence, evidence_id)
            if evidence is None or evidence.report_id is None:
                raise EvidenceNotFound(f"ไม่พบหลักฐานเลขที่ {evidence_id}")
            sealed = s.get(CorruptionEvidenceKey, (evidence.id, me.id))
            if sealed is None:
                self._audit(
                    s,
                    now,
                    me.name,
                    AuditAction.DENIED,
                    evidence.report_id,
                    f"evidence={evidence_id}",
                )
                data = None
            else:
                key = sealing.open_key(sealed.sealed_key, private)
                data = sealing.open_with_key(evidence.ciphertext, key)
                self._audit(
                    s,
                    now,
                    me.name,
                    AuditAction.EXPORT_EVIDENCE,
                    evidence.report_id,
                    f"evidence={evidence_id}",
                )
            info = EvidenceInfo(evidence.id, evidence.at, evidence.content_type, data is not None)
            report_id = evidence.report_id
        if data is None:
            raise _not_a_reader(report_id)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise Refused(f"มีไฟล์ {path} อยู่แล้ว: ระบุชื่อไฟล์ใหม่") from None
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        log(logger, logging.INFO, "integrity evidence exported", report_id=report_id)
        return info

    # ---- the audit chain -----------------------------------------------------------

    def audit_log(
        self, report_id: int | None = None, limit: int | None = None
    ) -> builtins.list[AuditEntry]:
        """Audit rows, oldest first (the last `limit` of them if given)."""
        query = select(IntegrityAudit).order_by(IntegrityAudit.id.desc())
        if report_id is not None:
            query = query.where(IntegrityAudit.report_id == report_id)
        if limit is not None:
            query = query.limit(limit)
        with self.db.transaction() as s:
            rows = list(s.scalars(query))
        return [
            AuditEntry(r.id, r.at, r.officer_name, r.action, r.report_id, r.detail)
            for r in reversed(rows)
        ]

    def verify_audit(self) -> AuditVerdict:
        """Recompute the chain from the first row: every row must link to the one before
        and hash to what it says. Deleting the last rows is visible only against a head
        noted earlier."""
        expected, rows = GENESIS, 0
        with self.db.transaction() as s:
            for row in s.scalars(select(IntegrityAudit).order_by(IntegrityAudit.id)):
                digest = audit_hash(
                    row.prev_hash, row.at, row.officer_name, row.action, row.report_id, row.detail
                )
                if row.prev_hash != expected or row.hash != digest:
                    return AuditVerdict(False, rows, row.id, expected.hex())
                expected, rows = row.hash, rows + 1
        return AuditVerdict(True, rows, None, expected.hex())

    # ---- inside ----------------------------------------------------------------------

    def _unlock(self, name: str, passphrase: str) -> tuple[_Officer, PrivateKey]:
        name = officer_name(name)
        with self.db.transaction() as s:
            row = s.scalars(
                select(IntegrityOfficer).where(
                    IntegrityOfficer.name == name, IntegrityOfficer.active.is_(True)
                )
            ).one_or_none()
        if row is None:
            raise OfficerNotFound(f"ไม่พบเจ้าหน้าที่ชื่อ {name}")
        locked = sealing.LockedKey(
            row.public_key, row.encrypted_private_key, row.salt, row.opslimit, row.memlimit
        )
        try:
            private = sealing.unlock(locked, passphrase)
        except sealing.WrongPassphrase:
            with self.db.transaction() as s:
                self._audit(s, self.clock.now(), name, AuditAction.UNLOCK_FAILED)
            log(logger, logging.INFO, "integrity unlock refused")  # audited; stderr stays one line
            raise PassphraseRefused(
                f"วลีรหัสผ่านของ {name} ไม่ถูกต้อง (บันทึกไว้ในประวัติการใช้งานแล้ว)"
            ) from None
        return _Officer(row.id, row.name, row.public_key), private

    def _audit(
        self,
        s: Session,
        at: datetime,
        officer: str,
        action: AuditAction,
        report_id: int | None = None,
        detail: str = "",
    ) -> None:
        if self.db.dialect == "postgresql":  # SQLite: BEGIN IMMEDIATE already serialises
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
        prev = s.scalar(select(IntegrityAudit.hash).order_by(IntegrityAudit.id.desc()).limit(1))
        prev = prev or GENESIS
        s.add(
            IntegrityAudit(
                at=at,
                officer_name=officer,
                action=action.value,
                report_id=report_id,
                detail=detail,
                prev_hash=prev,
                hash=audit_hash(prev, at, officer, action.value, report_id, detail),
            )
        )
        s.flush()

    @staticmethod
    def _report(s: Session, report_id: int, *, lock: bool = False) -> CorruptionReport:
        query = select(CorruptionReport).where(CorruptionReport.id == report_id)
        row = s.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise CaseNotFound(f"ไม่พบเรื่องเลขที่ {report_id}")
        return row

    @staticmethod
    def _case_key(s: Session, report_id: int, me: _Officer, private: PrivateKey) -> bytes | None:
        sealed = s.get(CorruptionReportKey, (report_id, me.id))
        return None if sealed is None else sealing.open_key(sealed.sealed_key, private)

    def _detail(
        self,
        s: Session,
        row: CorruptionReport,
        me: _Officer,
        private: PrivateKey,
        data_key: bytes,
    ) -> CaseDetail:
        content = ReportContent.from_bytes(sealing.open_with_key(row.ciphertext, data_key))
        channel = None
        if row.notify_ciphertext is not None:
            link = json.loads(sealing.open_with_key(row.notify_ciphertext, data_key))
            channel = str(link.get("channel") or "")
        additions = []
        for addition, sealed in s.execute(
            select(CorruptionAddition, CorruptionAdditionKey.sealed_key)
            .outerjoin(
                CorruptionAdditionKey,
                and_(
                    CorruptionAdditionKey.addition_id == CorruptionAddition.id,
                    CorruptionAdditionKey.officer_id == me.id,
                ),
            )
            .where(CorruptionAddition.report_id == row.id)
            .order_by(CorruptionAddition.id)
        ):
            body = None
            if sealed is not None:
                key = sealing.open_key(sealed, private)
                body = sealing.open_with_key(addition.ciphertext, key).decode()
            additions.append(Addition(addition.id, addition.at, body))
        evidence = [
            EvidenceInfo(e.id, e.at, e.content_type, officer_id is not None)
            for e, officer_id in s.execute(
                select(CorruptionEvidence, CorruptionEvidenceKey.officer_id)
                .outerjoin(
                    CorruptionEvidenceKey,
                    and_(
                        CorruptionEvidenceKey.evidence_id == CorruptionEvidence.id,
                        CorruptionEvidenceKey.officer_id == me.id,
                    ),
                )
                .where(CorruptionEvidence.report_id == row.id)
                .order_by(CorruptionEvidence.id)
            )
        ]
        timeline = [
            CaseEntry(
                at=e.at,
                kind=EventKind(e.kind),
                status=Status(e.status),
                actor=actor or "",
                public_note=e.public_note,
                internal_note=(
                    sealing.open_with_key(e.internal_note_ciphertext, data_key).decode()
                    if e.internal_note_ciphertext
                    else ""
                ),
                expected_on=e.expected_on,
            )
            for e, actor in s.execute(
                select(CorruptionEvent, IntegrityOfficer.name)
                .outerjoin(
                    IntegrityOfficer, IntegrityOfficer.id == CorruptionEvent.actor_officer_id
                )
                .where(CorruptionEvent.report_id == row.id)
                .order_by(CorruptionEvent.id)
            )
        ]
        readers = s.scalars(
            select(IntegrityOfficer.name)
            .join(CorruptionReportKey, CorruptionReportKey.officer_id == IntegrityOfficer.id)
            .where(CorruptionReportKey.report_id == row.id)
            .order_by(IntegrityOfficer.name)
        )
        excluded = s.scalars(
            select(CorruptionExclusion.officer_name)
            .where(CorruptionExclusion.report_id == row.id)
            .order_by(CorruptionExclusion.officer_name)
        )
        return CaseDetail(
            summary=_summary(row, True),
            content=content,
            notify_channel=channel,
            additions=tuple(additions),
            evidence=tuple(evidence),
            timeline=tuple(timeline),
            readers=tuple(readers),
            excluded=tuple(excluded),
        )

    def _reseal(self, s: Session, helper: _Officer, private: PrivateKey, new: _Officer) -> int:
        """Seal to `new` every case key (and addition and evidence key) `helper` holds,
        except those of cases that exclude `new`. Returns the number of cases."""
        excluded = set(
            s.scalars(
                select(CorruptionExclusion.report_id).where(
                    CorruptionExclusion.officer_name == new.name
                )
            )
        )

        def again(sealed: bytes) -> bytes:
            return sealing.seal_key(sealing.open_key(sealed, private), new.public_key)

        cases = 0
        for key in s.scalars(
            select(CorruptionReportKey).where(CorruptionReportKey.officer_id == helper.id)
        ).all():
            if key.report_id not in excluded:
                cases += 1
                s.add(
                    CorruptionReportKey(
                        report_id=key.report_id, officer_id=new.id, sealed_key=again(key.sealed_key)
                    )
                )
        for addition_key, case in s.execute(
            select(CorruptionAdditionKey, CorruptionAddition.report_id)
            .join(CorruptionAddition, CorruptionAddition.id == CorruptionAdditionKey.addition_id)
            .where(CorruptionAdditionKey.officer_id == helper.id)
        ).all():
            if case not in excluded:
                s.add(
                    CorruptionAdditionKey(
                        addition_id=addition_key.addition_id,
                        officer_id=new.id,
                        sealed_key=again(addition_key.sealed_key),
                    )
                )
        for evidence_key, draft_or_case in s.execute(
            select(CorruptionEvidenceKey, CorruptionEvidence.report_id)
            .join(CorruptionEvidence, CorruptionEvidence.id == CorruptionEvidenceKey.evidence_id)
            .where(CorruptionEvidenceKey.officer_id == helper.id)
        ).all():
            if draft_or_case not in excluded:  # drafts (no case yet) too: they may be filed
                s.add(
                    CorruptionEvidenceKey(
                        evidence_id=evidence_key.evidence_id,
                        officer_id=new.id,
                        sealed_key=again(evidence_key.sealed_key),
                    )
                )
        s.flush()
        return cases

    @staticmethod
    def _exclude(s: Session, report_id: int, other: str) -> None:
        if s.get(CorruptionExclusion, (report_id, other)) is None:
            s.add(CorruptionExclusion(report_id=report_id, officer_name=other))
        other_id = s.scalar(select(IntegrityOfficer.id).where(IntegrityOfficer.name == other))
        if other_id is None:
            s.flush()
            return
        remaining = s.scalar(
            select(func.count())
            .select_from(CorruptionReportKey)
            .join(IntegrityOfficer, IntegrityOfficer.id == CorruptionReportKey.officer_id)
            .where(
                CorruptionReportKey.report_id == report_id,
                CorruptionReportKey.officer_id != other_id,
                IntegrityOfficer.active.is_(True),
            )
        )
        if not remaining:
            raise Refused("กันออกไม่ได้: จะไม่เหลือเจ้าหน้าที่ที่อ่านเรื่องนี้ได้")
        s.execute(
            delete(CorruptionReportKey).where(
                CorruptionReportKey.report_id == report_id,
                CorruptionReportKey.officer_id == other_id,
            )
        )
        s.execute(
            delete(CorruptionAdditionKey).where(
                CorruptionAdditionKey.officer_id == other_id,
                CorruptionAdditionKey.addition_id.in_(
                    select(CorruptionAddition.id).where(CorruptionAddition.report_id == report_id)
                ),
            )
        )
        s.execute(
            delete(CorruptionEvidenceKey).where(
                CorruptionEvidenceKey.officer_id == other_id,
                CorruptionEvidenceKey.evidence_id.in_(
                    select(CorruptionEvidence.id).where(CorruptionEvidence.report_id == report_id)
                ),
            )
        )
        s.flush()

    def _queue_notice(
        self, s: Session, row: CorruptionReport, data_key: bytes
    ) -> tuple[str, str] | None:
        """(channel, user ref) of the queued notice, or None when nobody can be told."""
        if row.notify_ciphertext is None or self.outbox is None or self.user_refs is None:
            return None
        link = json.loads(sealing.open_with_key(row.notify_ciphertext, data_key))
        channel, recipient = str(link.get("channel") or ""), str(link.get("recipient") or "")
        if not (channel and recipient) or channel not in self.outbox.senders:
            return None
        user_ref = self.user_refs.ref(channel, recipient)
        self.outbox.add(
            s,
            channel=channel,
            user_ref=user_ref,
            recipient=recipient,
            replies=(Reply(text=PROGRESS_NOTICE),),
        )
        return channel, user_ref

    def _deliver(self, user_ref: str) -> None:
        """Best effort: what is not sent now, the worker's sweep sends."""
        if self.outbox is None:
            return
        try:
            self.outbox.deliver_for_user(user_ref)
        except Exception as exc:
            log(logger, logging.WARNING, "notice delivery deferred", error=type(exc).__name__)

    def _conditions(self, f: CaseFilter, today: date) -> builtins.list[ColumnElement[bool]]:
        conditions: builtins.list[ColumnElement[bool]] = []
        statuses = {s.value for s in f.statuses}
        open_statuses = {s.value for s in Status if s.open}
        if f.overdue:
            statuses = statuses & open_statuses if statuses else open_statuses
            expected = func.coalesce(CorruptionReport.extended_to, CorruptionReport.due_on)
            conditions += [CorruptionReport.due_on < today, expected < today]
        if statuses or f.overdue:
            conditions.append(CorruptionReport.status.in_(sorted(statuses)))
        return conditions


def _summary(row: CorruptionReport, readable: bool) -> CaseSummary:
    return CaseSummary(
        report_id=row.id,
        status=Status(row.status),
        received_on=row.received_on,
        due_on=row.due_on,
        extended_to=row.extended_to,
        readable=readable,
    )


def _as_ticket(row: CorruptionReport) -> Ticket:
    """What `complaints.lifecycle.decide` reads of a case (status and dates), in the shape
    of a ticket; the code is never shown or sent."""
    return Ticket(
        code=TicketCode(fiscal_year_be(row.received_on), row.id),
        category="corruption",
        description="",
        received_on=row.received_on,
        due_on=row.due_on,
        status=Status(row.status),
        extended_to=row.extended_to,
    )


def _not_a_reader(report_id: int | None) -> NotAReader:
    return NotAReader(
        f"คุณไม่มีสิทธิ์อ่านเรื่องเลขที่ {report_id} (ถูกกันออก หรือได้รับกุญแจหลังรับเรื่องนี้"
        " โดยไม่มีเจ้าหน้าที่ผู้อ่านได้ช่วยมอบสิทธิ์)"
    )
