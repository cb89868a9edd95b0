"""Chat with the bot without LINE: `siang chat` and /dev/chat use the webhook pipeline."""

from __future__ import annotations

import uuid

from bot.channels.base import InboundEventData
from bot.channels.dev import CHANNEL
from bot.jobs import Jobs
from handlers.messages import IncomingMessage, MessageKind, Reply


class DevChat:
    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs
        self.services = jobs.services

    def send(
        self, user: str, text: str = "", postback: str = "", kind: MessageKind | None = None
    ) -> list[Reply]:
        now = self.services.clock.now()
        if kind is None:
            kind = MessageKind.POSTBACK if postback else MessageKind.TEXT
        message = IncomingMessage(
            channel=CHANNEL,
            user_id=user,
            kind=kind,
            received_at=now,
            text=text,
            postback=postback,
        )
        event = InboundEventData(event_key=uuid.uuid4().hex, message=message, event_ts=now)
        for event_id in self.services.pipeline.record(CHANNEL, [event]):
            self.jobs.process_event(event_id)
        return self.services.dev_sender.take(user)
