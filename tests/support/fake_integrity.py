"""In-memory fakes of the corruption track's ports for handler tests: the integrity desk
(filing, following by code with a per-hour try limit, additions, sealed evidence), the
draft vault (base64 JSON: opaque enough that a test can look for clear text in the state)
and a photo inbox."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from complaints.corruption import (
    RECEIPT_DIGITS,
    CaseEvent,
    CaseStatus,
    ChannelClosed,
    ReceiptCode,
    ReportContent,
    TooManyAttempts,
)
from complaints.photos import PhotoProblem, PhotoRejected, StoredPhoto
from complaints.thai_calendar import thai_day
from complaints.tickets import Status

ATTEMPT_WINDOW = timedelta(hours=1)


@dataclass
class FakeCase:
    content: ReportContent
    evidence: tuple[str, ...]
    received_on: date
    sla_days: int
    notify: bool
    status: Status = Status.RECEIVED
    timeline: list[CaseEvent] = field(default_factory=list)
    additions: list[str] = field(default_factory=list)

    def public(self) -> CaseStatus:
        due = self.received_on + timedelta(days=self.sla_days)
        return CaseStatus(
            status=self.status,
            received_on=self.received_on,
            due_on=due,
            expected_on=due,
            timeline=(CaseEvent(self.received_on, Status.RECEIVED), *self.timeline),
        )


class FakeIntegrityDesk:
    """The chat's side of the track, kept in memory. Every `follow` and `add` counts as a
    try; more than `max_attempts` within an hour raise `TooManyAttempts`."""

    def __init__(
        self, *, open_: bool = True, max_attempts: int = 10, officers: tuple[str, ...] = ("somsri",)
    ) -> None:
        self.open = open_
        self.officers = officers
        self.excluded: dict[str, tuple[str, ...]] = {}
        self.max_attempts = max_attempts
        self.cases: dict[str, FakeCase] = {}
        self.sealed: dict[str, str] = {}  # evidence key → the photo key it was sealed from
        self.discarded: list[str] = []
        self.attempts: list[datetime] = []

    # ---- the port ------------------------------------------------------------------------

    def is_open(self) -> bool:
        return self.open

    def officer_names(self) -> tuple[str, ...]:
        return self.officers

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
        if not self.open or not set(self.officers) - set(exclude):
            raise ChannelClosed
        unknown = [key for key in evidence if key not in self.sealed]
        assert not unknown, f"evidence never sealed: {unknown}"
        code = self.new_code()
        self.excluded[code.digits] = exclude
        self.cases[code.digits] = FakeCase(
            content, evidence, thai_day(received_at), sla_days, notify
        )
        return code

    def follow(self, code: ReceiptCode, at: datetime) -> CaseStatus | None:
        self._count(at)
        case = self.cases.get(code.digits)
        return case.public() if case else None

    def add(self, code: ReceiptCode, text: str, at: datetime) -> bool:
        self._count(at)
        if not self.open:
            raise ChannelClosed
        case = self.cases.get(code.digits)
        if case is None:
            return False
        case.additions.append(text)
        return True

    def seal_evidence(self, photo_key: str) -> str:
        if not self.open:
            raise ChannelClosed
        key = f"sealed-{secrets.token_hex(8)}"
        self.sealed[key] = photo_key
        return key

    def discard_evidence(self, keys: tuple[str, ...]) -> None:
        self.discarded.extend(keys)
        for key in keys:
            self.sealed.pop(key, None)

    # ---- for tests -----------------------------------------------------------------------

    @staticmethod
    def new_code() -> ReceiptCode:
        return ReceiptCode(f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}")

    def only_case(self) -> FakeCase:
        assert len(self.cases) == 1, f"{len(self.cases)} cases filed"
        return next(iter(self.cases.values()))

    def _count(self, at: datetime) -> None:
        self.attempts = [a for a in self.attempts if at - a < ATTEMPT_WINDOW]
        if len(self.attempts) >= self.max_attempts:
            raise TooManyAttempts
        self.attempts.append(at)


class FakeVault:
    """Locks a draft as base64 JSON behind a prefix; anything else does not unlock."""

    PREFIX = "fakevault:"

    def __init__(self) -> None:
        self.locked = 0

    def lock(self, draft: dict[str, Any]) -> str:
        self.locked += 1
        raw = json.dumps(draft, ensure_ascii=False).encode()
        return self.PREFIX + base64.urlsafe_b64encode(raw).decode()

    def unlock(self, token: str) -> dict[str, Any] | None:
        if not token.startswith(self.PREFIX):
            return None
        try:
            opened = json.loads(base64.urlsafe_b64decode(token.removeprefix(self.PREFIX)))
        except (binascii.Error, ValueError):
            return None
        return opened if isinstance(opened, dict) else None


class FakePhotoInbox:
    """Receives any media id as a photo, except "too-big" and "not-image"."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.discarded: list[str] = []

    def receive(self, media_id: str) -> StoredPhoto:
        if media_id == "too-big":
            raise PhotoRejected(PhotoProblem.TOO_LARGE)
        if media_id == "not-image":
            raise PhotoRejected(PhotoProblem.NOT_AN_IMAGE)
        key = f"photo-{media_id}.jpg"
        self.received.append(key)
        return StoredPhoto(key, "image/jpeg", 1234)

    def receive_file(self, media_id: str) -> StoredPhoto:
        if media_id == "too-big":
            raise PhotoRejected(PhotoProblem.TOO_LARGE)
        key = f"file-{media_id}.pdf"
        self.received.append(key)
        return StoredPhoto(key, "application/pdf", 4321)

    def discard(self, keys: Iterable[str]) -> None:
        self.discarded.extend(keys)
