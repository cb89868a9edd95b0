"""`IntegrityDesk` on SQLAlchemy: the chat files and follows corruption reports, sealed.

This class holds no private key and never could: it seals to the active integrity
officers' public keys and looks cases up by the Argon2id hash of the receipt code. It logs
nothing at all, not even a report id: a log line in the turn of a given chat would tell
who reported. Times it stores are cut to the Thai day (`day_start`), so a report cannot be
matched to the chat whose message arrived at that second.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, time, timedelta

from nacl.pwhash import argon2id
from nacl.utils import random
from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from bot.clock import THAI_TIME, Clock, SystemClock, thai_date
from bot.db import rowcount, upsert_insert
from bot.media import ACCEPTED_FORMATS, DOCUMENT_FORMATS, MediaStore
from bot.models import (
    CorruptionAddition,
    CorruptionAdditionKey,
    CorruptionEvent,
    CorruptionEvidence,
    CorruptionEvidenceKey,
    CorruptionExclusion,
    CorruptionReport,
    CorruptionReportKey,
    IntegrityAttempt,
    IntegrityOfficer,
    IntegritySettings,
)
from complaints import sealing
from complaints.corruption import (
    CaseEvent,
    CaseStatus,
    ChannelClosed,
    ReceiptCode,
    ReportContent,
    TooManyAttempts,
)
from complaints.tickets import EventKind, Status, due_date

Cost = tuple[int, int]
_MIN: Cost = (argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN)
COSTS: dict[str, tuple[Cost, Cost]] = {
    # name → (officers' passphrase keys, receipt hashes)
    "moderate": (sealing.PASSPHRASE_COST, sealing.RECEIPT_COST),
    "interactive": (sealing.RECEIPT_COST, sealing.RECEIPT_COST),
    "min": (_MIN, _MIN),  # tests only (bot.settings refuses it elsewhere)
}
ATTEMPT_LIMIT = 10
ATTEMPT_WINDOW = timedelta(hours=1)
MAX_ADDITION_CHARS = 10_000
SETTINGS_ID = 1
_CONTENT_TYPES = {
    extension: ctype
    for ctype, extension in (*ACCEPTED_FORMATS.values(), *DOCUMENT_FORMATS.values())
}


def day_start(at: datetime) -> datetime:
    """Thai midnight of `at`'s Thai day: what the chat stores instead of the moment."""
    return datetime.combine(thai_date(at), time(0), THAI_TIME)


def receipt_settings(
    session: Session, dialect: str, at: datetime, cost: Cost = sealing.RECEIPT_COST
) -> tuple[bytes, Cost]:
    """The office's receipt salt and hash cost, created with `cost` on first use."""
    row = session.get(IntegritySettings, SETTINGS_ID)
    if row is not None:
        return row.receipt_salt, (row.receipt_opslimit, row.receipt_memlimit)
    session.execute(
        upsert_insert(dialect)(IntegritySettings)
        .values(
            id=SETTINGS_ID,
            receipt_salt=sealing.new_office_salt(),
            receipt_opslimit=cost[0],
            receipt_memlimit=cost[1],
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )
    row = session.get_one(IntegritySettings, SETTINGS_ID)
    return row.receipt_salt, (row.receipt_opslimit, row.receipt_memlimit)


def active_officers(session: Session) -> dict[int, bytes]:
    """officer id → public key, of every active officer."""
    rows = session.execute(
        select(IntegrityOfficer.id, IntegrityOfficer.public_key).where(IntegrityOfficer.active)
    )
    return {officer_id: public_key for officer_id, public_key in rows}


def case_readers(session: Session, report_id: int) -> dict[int, bytes]:
    """officer id → public key, of the active officers who can read the case now."""
    rows = session.execute(
        select(IntegrityOfficer.id, IntegrityOfficer.public_key)
        .join(CorruptionReportKey, CorruptionReportKey.officer_id == IntegrityOfficer.id)
        .where(CorruptionReportKey.report_id == report_id, IntegrityOfficer.active)
    )
    return {officer_id: public_key for officer_id, public_key in rows}


def new_data_key() -> bytes:
    return random(sealing.KEY_BYTES)


class SqlIntegrityDesk:
    def __init__(
        self,
        session: Session,
        dialect: str,
        owner_ref: str,
        channel: str = "",
        recipient: str | None = None,
        media: MediaStore | None = None,
        *,
        receipt_cost: Cost = sealing.RECEIPT_COST,
        clock: Clock | None = None,
    ) -> None:
        """`recipient` is the raw chat id; it is stored only sealed, and only when the
        citizen asks for status pushes. `receipt_cost` is used only if the office's receipt
        settings do not exist yet (officers' keygen creates them first)."""
        self.session = session
        self.dialect = dialect
        self.owner_ref = owner_ref
        self.channel = channel
        self.recipient = recipient
        self.media = media
        self.receipt_cost = receipt_cost
        self.clock = clock or SystemClock()

    def is_open(self) -> bool:
        return bool(self.session.scalar(select(exists().where(IntegrityOfficer.active.is_(True)))))

    def officer_names(self) -> tuple[str, ...]:
        return tuple(
            self.session.scalars(
                select(IntegrityOfficer.name)
                .where(IntegrityOfficer.active.is_(True))
                .order_by(IntegrityOfficer.name)
            )
        )

    def file(
        self,
        content: ReportContent,
        evidence: tuple[str, ...],
        received_at: datetime,
        sla_days: int,
        *,
        notify: bool,
        exclude: tuple[str, ...] = (),
    ) -> ReceiptCode:
        readers = active_officers(self.session)
        excluded_ids = set(
            self.session.scalars(
                select(IntegrityOfficer.id).where(IntegrityOfficer.name.in_(exclude))
            )
        )
        readers = {oid: key for oid, key in readers.items() if oid not in excluded_ids}
        if not readers:
            raise ChannelClosed("no integrity officer is left to read this report")
        day = day_start(received_at)
        code, digest = self._new_receipt(received_at)
        data_key = new_data_key()
        link = (
            json.dumps({"channel": self.channel, "recipient": self.recipient}).encode()
            if notify and self.recipient
            else None
        )
        received_on = thai_date(received_at)
        row = CorruptionReport(
            receipt_hash=digest,
            status=Status.RECEIVED.value,
            received_at=day,
            received_on=received_on,
            due_on=due_date(received_on, sla_days),
            status_changed_at=day,
            ciphertext=sealing.encrypt_with_key(content.to_bytes(), data_key),
            notify_ciphertext=sealing.encrypt_with_key(link, data_key) if link else None,
        )
        self.session.add(row)
        self.session.flush()
        for officer_id, public_key in readers.items():
            self.session.add(
                CorruptionReportKey(
                    report_id=row.id,
                    officer_id=officer_id,
                    sealed_key=sealing.seal_key(data_key, public_key),
                )
            )
        for name in exclude:  # the reporter's conflict of interest, kept for later re-seals
            self.session.add(CorruptionExclusion(report_id=row.id, officer_name=name))
        if evidence:
            self.session.execute(
                update(CorruptionEvidence)
                .where(
                    CorruptionEvidence.draft_key.in_(evidence),
                    CorruptionEvidence.report_id.is_(None),
                )
                .values(report_id=row.id)
            )
            if excluded_ids:  # photos were sealed to every officer as they arrived
                self.session.execute(
                    delete(CorruptionEvidenceKey).where(
                        CorruptionEvidenceKey.officer_id.in_(excluded_ids),
                        CorruptionEvidenceKey.evidence_id.in_(
                            select(CorruptionEvidence.id).where(
                                CorruptionEvidence.report_id == row.id
                            )
                        ),
                    )
                )
        self.session.add(
            CorruptionEvent(
                report_id=row.id,
                at=day,
                kind=EventKind.STATUS.value,
                status=Status.RECEIVED.value,
            )
        )
        self.session.flush()
        return code

    def follow(self, code: ReceiptCode, at: datetime) -> CaseStatus | None:
        row = self._find(code, at)
        if row is None:
            return None
        events = self.session.scalars(
            select(CorruptionEvent)
            .where(CorruptionEvent.report_id == row.id)
            .order_by(CorruptionEvent.id)
        )
        return CaseStatus(
            status=Status(row.status),
            received_on=row.received_on,
            due_on=row.due_on,
            expected_on=row.extended_to or row.due_on,
            timeline=tuple(
                CaseEvent(thai_date(e.at), Status(e.status), e.public_note) for e in events
            ),
        )

    def add(self, code: ReceiptCode, text: str, at: datetime) -> bool:
        if len(text) > MAX_ADDITION_CHARS:
            raise ValueError(f"an addition is at most {MAX_ADDITION_CHARS} characters")
        row = self._find(code, at)
        if row is None:
            return False
        readers = case_readers(self.session, row.id)
        if not readers:
            raise ChannelClosed("nobody can read this case any more")
        sealed = sealing.seal(text.encode(), {str(k): v for k, v in readers.items()})
        addition = CorruptionAddition(
            report_id=row.id, at=day_start(at), ciphertext=sealed.ciphertext
        )
        self.session.add(addition)
        self.session.flush()
        for officer_id, sealed_key in sealed.sealed_keys.items():
            self.session.add(
                CorruptionAdditionKey(
                    addition_id=addition.id, officer_id=int(officer_id), sealed_key=sealed_key
                )
            )
        self.session.flush()
        return True

    def seal_evidence(self, photo_key: str) -> str:
        if self.media is None:
            raise RuntimeError("this desk has no media store to read photos from")
        path = self.media.path_for(photo_key)
        readers = active_officers(self.session)
        if not readers:
            raise ChannelClosed("no integrity officer has a key yet")
        sealed = sealing.seal(path.read_bytes(), {str(k): v for k, v in readers.items()})
        draft_key = secrets.token_urlsafe(32)
        evidence = CorruptionEvidence(
            draft_key=draft_key,
            at=day_start(self.clock.now()),
            ciphertext=sealed.ciphertext,
            content_type=_CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
        )
        self.session.add(evidence)
        self.session.flush()
        for officer_id, sealed_key in sealed.sealed_keys.items():
            self.session.add(
                CorruptionEvidenceKey(
                    evidence_id=evidence.id, officer_id=int(officer_id), sealed_key=sealed_key
                )
            )
        self.session.flush()
        # not MediaStore.delete: it logs, and a log line in this turn would say too much
        path.unlink(missing_ok=True)
        return draft_key

    def discard_evidence(self, keys: tuple[str, ...]) -> None:
        if keys:
            self.session.execute(
                delete(CorruptionEvidence).where(
                    CorruptionEvidence.draft_key.in_(keys), CorruptionEvidence.report_id.is_(None)
                )
            )

    def _new_receipt(self, at: datetime) -> tuple[ReceiptCode, bytes]:
        salt, cost = receipt_settings(self.session, self.dialect, at, self.receipt_cost)
        while True:  # 53 bits: a clash is all but impossible, but never share a code
            digits = sealing.new_receipt_digits()
            digest = sealing.receipt_hash(digits, salt, cost)
            taken = self.session.scalar(
                select(exists().where(CorruptionReport.receipt_hash == digest))
            )
            if not taken:
                return ReceiptCode(digits), digest

    def _find(self, code: ReceiptCode, at: datetime) -> CorruptionReport | None:
        """Count the attempt first (refusing the 11th in a window), then look the code up.
        A wrong code and an unknown one are the same None."""
        self._count_attempt(at)
        salt, cost = receipt_settings(self.session, self.dialect, at, self.receipt_cost)
        digest = sealing.receipt_hash(code.digits, salt, cost)
        return self.session.scalars(
            select(CorruptionReport).where(CorruptionReport.receipt_hash == digest)
        ).one_or_none()

    def _count_attempt(self, at: datetime) -> None:
        s = self.session
        # forget windows that have passed, anyone's (skipping rows another turn holds)
        expired = (
            select(IntegrityAttempt.user_ref)
            .where(IntegrityAttempt.window_start <= at - ATTEMPT_WINDOW)
            .limit(100)
            .with_for_update(skip_locked=True)
        )
        s.execute(
            delete(IntegrityAttempt)
            .where(IntegrityAttempt.user_ref.in_(expired.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )
        s.execute(
            upsert_insert(self.dialect)(IntegrityAttempt)
            .values(user_ref=self.owner_ref, window_start=at, count=0)
            .on_conflict_do_nothing(index_elements=["user_ref"])
        )
        row = s.scalars(
            select(IntegrityAttempt)
            .where(IntegrityAttempt.user_ref == self.owner_ref)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if at - row.window_start >= ATTEMPT_WINDOW:
            row.window_start, row.count = at, 0
        if row.count >= ATTEMPT_LIMIT:
            raise TooManyAttempts("too many receipt codes tried from this chat in the last hour")
        row.count += 1
        s.flush()


ORPHAN_EVIDENCE_AGE = timedelta(days=2)
"""Evidence of a report never filed (a draft abandoned or timed out) is kept this long.
Its `at` is the Thai day it arrived, hence two days rather than one."""


def purge_expired_attempts(session: Session, now: datetime) -> int:
    """Forget which chats tried receipt codes once their hour is over: the table must not
    keep, for long, that a given chat follows a corruption case."""
    return rowcount(
        session.execute(
            delete(IntegrityAttempt).where(IntegrityAttempt.window_start <= now - ATTEMPT_WINDOW)
        )
    )


def purge_orphan_evidence(session: Session, now: datetime) -> int:
    """Delete sealed evidence no report claims, once no draft can still file it. For the
    periodic sweep; returns how many rows went."""
    result = session.execute(
        delete(CorruptionEvidence)
        .where(
            CorruptionEvidence.report_id.is_(None),
            CorruptionEvidence.at < now - ORPHAN_EVIDENCE_AGE,
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)
