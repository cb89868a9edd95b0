"""The port through which handlers open and look up tickets, one citizen at a time.

An implementation is bound to one citizen (the keyed reference, never the raw user id) and
to the transaction that also records the bot's replies, so a ticket and its receipt are
stored together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from complaints.photos import StoredPhoto
from complaints.tickets import Contact, Ticket, TicketCode


@dataclass(frozen=True)
class NewTicket:
    category: str
    description: str
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    contact: Contact | None = None
    photos: tuple[StoredPhoto, ...] = ()


@dataclass(frozen=True)
class Erasure:
    tickets: int
    photo_keys: tuple[str, ...]
    """Photo files to delete: their rows are already gone."""


class TicketDesk(Protocol):
    def open(self, new: NewTicket, received_at: datetime, sla_days: int) -> Ticket:
        """File a ticket under the next code of the fiscal year, status received, linked to
        this citizen's chat so that notices reach them."""
        ...

    def mine(self, limit: int = 10) -> list[Ticket]:
        """This citizen's tickets, newest first."""
        ...

    def lookup(self, code: TicketCode) -> Ticket | None:
        """The ticket if it is this citizen's; someone else's code reveals nothing."""
        ...

    def rate(self, code: TicketCode, stars: int, at: datetime) -> Ticket | None:
        """The complainant's 1-5 rating of a resolved ticket, which closes it. None when the
        ticket is not theirs or not waiting for a rating."""
        ...

    def reopen(self, code: TicketCode, at: datetime, sla_days: int) -> Ticket | None:
        """ "Not fixed": a resolved (or recently closed) ticket goes back to in progress,
        with a fresh `sla_days` to act from today. None when the ticket is not theirs or
        cannot be reopened."""
        ...

    def erase_personal_data(self, at: datetime) -> Erasure:
        """PDPA erasure: remove this citizen's name, phone, chat link and photos from all
        their tickets, which stay anonymised in the statistics."""
        ...
