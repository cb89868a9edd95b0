"""The one handler contract: a handler looks at a `Turn` and returns an `Outcome`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from complaints.corruption import DraftVault, IntegrityDesk
from complaints.desk import TicketDesk
from complaints.photos import PhotoInbox
from handlers.messages import IncomingMessage, Reply
from nlu.understand import Understanding


@dataclass(frozen=True)
class ConversationState:
    """Where a user is in a multi-turn flow. `flow=None` means idle (no flow open)."""

    flow: str | None = None
    step: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def idle(self) -> bool:
        return self.flow is None


IDLE = ConversationState()

NOTIFY_ON_EXPIRY = "notify_on_expiry"
"""A flow that collects something the citizen expects to be sent (a complaint) keeps their
chat id under this key in its state data: if it times out, the sweep tells them at once
that nothing was sent, and forgets the id with the rest."""


@dataclass(frozen=True)
class Ports:
    """What a handler may act on for this citizen, bound to the turn's transaction.
    None where the caller has none (unit tests of other handlers, the safety path)."""

    desk: TicketDesk | None = None
    photos: PhotoInbox | None = None
    integrity: IntegrityDesk | None = None
    """The confidential corruption track (seal and look up by code; never read)."""
    vault: DraftVault | None = None
    """Encrypts a corruption report being written, in the conversation state."""


NO_PORTS = Ports()


@dataclass(frozen=True)
class Turn:
    message: IncomingMessage
    state: ConversationState
    now: datetime
    understanding: Understanding | None = None
    """What a text message (or a tapped intent choice) means; None for stickers, taps, etc."""
    ports: Ports = NO_PORTS

    @property
    def intent(self) -> str | None:
        return self.understanding.intent.intent if self.understanding else None


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...]
    state: ConversationState = IDLE
    tallies: tuple[str, ...] = ()
    """Things to count for this month's report (for example the knowledge entries asked
    about), stored in the same transaction as the replies so a retry never counts twice."""


class Handler(Protocol):
    """Handles turns outside any flow. The registry asks `matches` in order; first wins."""

    name: str

    def matches(self, turn: Turn) -> bool: ...

    def handle(self, turn: Turn) -> Outcome: ...


class FlowHandler(Protocol):
    """Owns one multi-turn flow: every message while `state.flow == flow` comes here.

    `handle` may return None for a message that is not part of the flow (a new question
    after an answer): the flow ends and the message is handled as a fresh one."""

    flow: str

    def handle(self, turn: Turn) -> Outcome | None: ...

    def help(self, turn: Turn) -> Outcome: ...
