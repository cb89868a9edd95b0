"""The development channel behind `siang chat` and /dev/chat: replies are kept to be shown."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from bot.channels.base import Delivery
from handlers.messages import Reply

CHANNEL = "dev"


class DevSender:
    channel = CHANNEL

    def __init__(self) -> None:
        self._inbox: dict[str, list[Reply]] = defaultdict(list)
        self._lock = threading.Lock()

    def units(self, replies: Sequence[Reply]) -> list[tuple[Reply, ...]]:
        return [tuple(replies)] if replies else []

    def send(self, delivery: Delivery) -> None:
        shown = [_without_app_actions(r) for r in delivery.replies]
        with self._lock:
            self._inbox[delivery.recipient].extend(shown)

    def take(self, recipient: str) -> list[Reply]:
        with self._lock:
            return self._inbox.pop(recipient, [])


def _without_app_actions(reply: Reply) -> Reply:
    """The dev chat cannot share a location or open a camera: those buttons are left out,
    and the citizen types the place instead."""
    return replace(reply, quick_replies=tuple(q for q in reply.quick_replies if not q.action))
