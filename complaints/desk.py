"""The port through which handlers open and look up tickets, one citizen at a time.

An implementation is bound to one citizen (the keyed reference, never the raw user id) and
to the transaction that also records the bot's replies, so a ticket and its receipt are
stored together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from complaints.tickets import Ticket, TicketCode


@dataclass(frozen=True)
class NewTicket:
    category: str
    description: str
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None


class TicketDesk(Protocol):
    def open(self, new: NewTicket, received_at: datetime, sla_days: int) -> Ticket:
        """File a ticket under the next code of the fiscal year, status received."""
        ...

    def mine(self, limit: int = 10) -> list[Ticket]:
        """This citizen's tickets, newest first."""
        ...

    def lookup(self, code: TicketCode) -> Ticket | None:
        """The ticket if it is this citizen's; someone else's code reveals nothing."""
        ...
