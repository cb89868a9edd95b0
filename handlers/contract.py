"""The one handler contract: a handler looks at a `Turn` and returns an `Outcome`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

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


@dataclass(frozen=True)
class Turn:
    message: IncomingMessage
    state: ConversationState
    now: datetime
    understanding: Understanding | None = None
    """What a text message (or a tapped intent choice) means; None for stickers, taps, etc."""

    @property
    def intent(self) -> str | None:
        return self.understanding.intent.intent if self.understanding else None


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...]
    state: ConversationState = IDLE


class Handler(Protocol):
    """Handles turns outside any flow. The registry asks `matches` in order; first wins."""

    name: str

    def matches(self, turn: Turn) -> bool: ...

    def handle(self, turn: Turn) -> Outcome: ...


class FlowHandler(Protocol):
    """Owns one multi-turn flow: every message while `state.flow == flow` comes here."""

    flow: str

    def handle(self, turn: Turn) -> Outcome: ...

    def help(self, turn: Turn) -> Outcome: ...
