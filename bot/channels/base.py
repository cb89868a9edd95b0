"""What every channel adapter produces and implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from handlers.messages import IncomingMessage, Reply


class MalformedPayload(Exception):
    """The body is not a webhook payload we understand (answered 400, no stack trace)."""


@dataclass(frozen=True)
class InboundEventData:
    """A parsed webhook event, ready to be recorded. `event_key` is unique per channel."""

    event_key: str
    message: IncomingMessage
    event_ts: datetime
    reply_token: str | None = None


@dataclass(frozen=True)
class Delivery:
    recipient: str
    replies: tuple[Reply, ...]
    retry_key: str
    reply_token: str | None = None  # only passed while still fresh


class DeliveryError(Exception):
    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class Sender(Protocol):
    channel: str

    def units(self, replies: Sequence[Reply]) -> list[tuple[Reply, ...]]:
        """Split replies into the units one API request can carry."""
        ...

    def send(self, delivery: Delivery) -> None:
        """Deliver or raise DeliveryError."""
        ...


def classify_http_status(status: int, retry_after: float | None = None) -> DeliveryError:
    if status == 429:
        return DeliveryError("rate_limited", retryable=True, retry_after=retry_after)
    if status >= 500:
        return DeliveryError(f"http_{status}", retryable=True)
    return DeliveryError(f"http_{status}", retryable=False)
