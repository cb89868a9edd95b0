"""The office's content as typed records: the office itself and its entries.

The format an office edits is `knowledge/SCHEMA.md`; `knowledge/loader.py` turns files into
these records or into a list of problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    ESERVICE = "eservice"
    MANUAL = "manual"
    INFO = "info"


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    phone: str
    hours: str
    sla_days: int
    website: str = ""
    line_id: str = ""
    email: str = ""
    sample: bool = False


@dataclass(frozen=True)
class Step:
    step: str
    time: str
    unit: str


@dataclass(frozen=True)
class Document:
    name: str
    copies: int
    issued_by: str


@dataclass(frozen=True)
class Fee:
    item: str
    amount: str


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Entry:
    """One answerable topic. Fields a kind does not use stay empty."""

    id: str
    kind: Kind
    title: str
    summary: str
    aliases: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    sample: bool = False
    short_title: str = ""
    # eservice
    who: str = ""
    how: str = ""
    attachments: tuple[str, ...] = ()
    next_steps: str = ""
    time: str = ""
    fee: str = ""
    # manual
    legal_basis: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    total_time: str = ""
    documents: tuple[Document, ...] = ()
    fees: tuple[Fee, ...] = ()
    where: str = ""
    when: str = ""
    complaints: str = ""
    manual_url: str = ""
    # info
    body: str = ""
    facts: tuple[Fact, ...] = ()
    url: str = ""
    # eservice and manual
    form_url: str = ""

    @property
    def duration(self) -> str:
        return self.total_time or self.time

    @property
    def label(self) -> str:
        """The name on a button (at most 20 characters, LINE's limit)."""
        return self.short_title or self.title


@dataclass(frozen=True)
class Content:
    office: Office
    entries: tuple[Entry, ...] = field(default=())

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)
