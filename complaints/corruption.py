"""The confidential corruption track: what a report holds, its receipt code, and the ports
through which the chat files and follows reports without ever reading one back.

Reports are sealed to the integrity officers (`complaints.sealing`); the chat side holds
only public keys. Its statuses and 15-day rule are the general track's (`tickets.Status`).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from complaints.tickets import Status

RECEIPT_DIGITS = 16
_NOT_DIGITS = re.compile(r"[\s\-–—.]")


@dataclass(frozen=True)
class ReceiptCode:
    """16 random digits, the only key to a report. Never logged, never stored in clear."""

    digits: str = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.digits) != RECEIPT_DIGITS or not self.digits.isascii():
            raise ValueError("a receipt code is 16 digits")
        if not self.digits.isdigit():
            raise ValueError("a receipt code is 16 digits")

    def grouped(self) -> str:
        """ "1234 5678 9012 3456", for reading aloud and copying."""
        return " ".join(self.digits[i : i + 4] for i in range(0, RECEIPT_DIGITS, 4))

    def __repr__(self) -> str:
        return "ReceiptCode(****)"

    @classmethod
    def parse(cls, text: str) -> ReceiptCode | None:
        """From what a person types: spaces, dashes or dots between groups (Thai digits are
        made ASCII by the normaliser before this)."""
        digits = _NOT_DIGITS.sub("", text.strip())
        if len(digits) != RECEIPT_DIGITS or not (digits.isascii() and digits.isdigit()):
            return None
        return cls(digits)


@dataclass(frozen=True)
class ReportContent:
    """What the citizen tells; sealed as one JSON document. Identity is optional."""

    what: str
    who: str = ""
    when: str = ""
    where: str = ""
    how_known: str = ""
    name: str = ""
    contact: str = ""

    @property
    def anonymous(self) -> bool:
        return not (self.name or self.contact)

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ReportContent:
        raw: dict[str, Any] = json.loads(data)
        return cls(**{k: str(v) for k, v in raw.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CaseEvent:
    on: date
    status: Status
    public_note: str = ""


@dataclass(frozen=True)
class CaseStatus:
    """What the holder of a receipt code may see: no content, no internal notes."""

    status: Status
    received_on: date
    due_on: date
    expected_on: date
    timeline: tuple[CaseEvent, ...] = ()


class TooManyAttempts(Exception):
    """Too many receipt codes tried from this chat recently: try again later."""


class ChannelClosed(Exception):
    """No integrity officer has a key yet: nobody could read a report."""


class IntegrityDesk(Protocol):
    """The chat's side of the track, for one citizen, in the turn's transaction. It can
    seal and look up by code; it has no private key, so it can never read a report."""

    def is_open(self) -> bool:
        """At least one integrity officer can read reports."""
        ...

    def officer_names(self) -> tuple[str, ...]:
        """The integrity officers who would read a report, for the reporter to exclude
        any with a conflict of interest."""
        ...

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
        """Seal and store a report (with the evidence already sealed under `evidence`
        draft keys) to every officer but those in `exclude`; link this chat for status
        pushes only if `notify`. Raises ChannelClosed when nobody would be left to read."""
        ...

    def follow(self, code: ReceiptCode, at: datetime) -> CaseStatus | None:
        """The case's status, or None for a wrong or unknown code (the same answer).
        Raises TooManyAttempts when this chat has tried too many codes recently."""
        ...

    def add(self, code: ReceiptCode, text: str, at: datetime) -> bool:
        """Seal more information into a case; False for a wrong or unknown code.
        Raises TooManyAttempts like `follow`."""
        ...

    def seal_evidence(self, photo_key: str) -> str:
        """Encrypt a downloaded photo to the officers, delete the clear file, and return
        the key of the sealed evidence (attached to the report when it is filed)."""
        ...

    def discard_evidence(self, keys: tuple[str, ...]) -> None:
        """Sealed evidence of a report that was not filed."""
        ...


class DraftVault(Protocol):
    """Keeps a report being written unreadable in the conversation state: a database copy
    alone shows nothing. The draft is erased at submit, cancel and timeout."""

    def lock(self, draft: dict[str, Any]) -> str: ...

    def unlock(self, token: str) -> dict[str, Any] | None:
        """None when the token is not ours or was altered."""
        ...
