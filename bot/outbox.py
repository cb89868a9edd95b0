"""The outbox: replies are rows written with the change that caused them, then delivered.

Delivery keeps each user's messages in order, leases a row while sending it so two
workers never send it twice, retries with backoff (honouring 429 and retry_after), and
gives up only on permanent errors or when the 24-hour LINE retry-key window has passed.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.channels.base import Delivery, DeliveryError, Sender
from bot.channels.dev import CHANNEL as DEV_CHANNEL
from bot.clock import Clock
from bot.db import Database, rowcount
from bot.logs import UserHasher, log
from bot.models import OutboxMessage, OutboxStatus
from handlers.messages import Reply

logger = logging.getLogger("siang.outbox")

LEASE = timedelta(seconds=60)
GIVE_UP_AFTER = timedelta(hours=23)  # LINE keeps a retry key for 24 hours
REPLY_TOKEN_LIFETIME = timedelta(seconds=50)
MIN_RESCHEDULE = timedelta(
    seconds=2
)  # a delivery task is never scheduled in the past  # LINE: about one minute from the webhook


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 30 min, with jitter; never sooner than retry_after."""
    base = min(5 * 2 ** max(attempts - 1, 0), 1800)
    delay = base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
    return timedelta(seconds=max(delay, retry_after or 0))


HELD_CHANNELS = frozenset({DEV_CHANNEL})
"""Channels whose pushes wait for the person's next turn: the dev chat shows messages only
in the process that serves that turn, so the worker or a staff command must not "send"
them into a process nobody is looking at."""


class Outbox:
    def __init__(self, db: Database, senders: Mapping[str, Sender], clock: Clock) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock

    def add(
        self,
        session: Session,
        *,
        channel: str,
        user_ref: str,
        recipient: str,
        replies: Sequence[Reply],
        reply_token: str | None = None,
        token_received_at: datetime | None = None,
        source_event_id: int | None = None,
    ) -> None:
        """Queue replies inside the caller's transaction. Only the first unit may use the token."""
        sender = self.senders.get(channel)
        if sender is None or not replies:
            return
        now = self.clock.now()
        for index, unit in enumerate(sender.units(replies)):
            token = reply_token if index == 0 else None
            session.add(
                OutboxMessage(
                    retry_key=str(uuid.uuid4()),
                    channel=channel,
                    user_ref=user_ref,
                    recipient=recipient,
                    payload=[r.to_dict() for r in unit],
                    reply_token=token,
                    reply_token_expires_at=(
                        (token_received_at or now) + REPLY_TOKEN_LIFETIME if token else None
                    ),
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    source_event_id=source_event_id,
                )
            )

    def deliver_for_user(self, user_ref: str) -> bool:
        """Send this user's due messages, oldest first; stop at the first that must wait.

        True when nothing is left to send for this user.
        """
        while True:
            row, nothing_left = self._lease_next(user_ref)
            if row is None:
                return nothing_left
            if not self._send(row):
                return False

    def due_users(self, limit: int = 500) -> list[str]:
        now = self.clock.now()
        with self.db.transaction() as s:
            rows = s.execute(
                select(OutboxMessage.user_ref)
                .where(
                    OutboxMessage.channel.not_in(HELD_CHANNELS),
                    or_(
                        and_(
                            OutboxMessage.status == OutboxStatus.PENDING,
                            OutboxMessage.next_attempt_at <= now,
                        ),
                        and_(
                            OutboxMessage.status == OutboxStatus.SENDING,
                            OutboxMessage.lease_until < now,
                        ),
                    ),
                )
                .distinct()
                .limit(limit)
            ).scalars()
            return list(rows)

    def next_due(self, user_ref: str) -> datetime | None:
        """When this user's oldest unsent message may go: later ones wait behind it."""
        with self.db.transaction() as s:
            oldest = self._oldest_unsent(s, user_ref)
            if oldest is None:
                return None
            leased = oldest.status == OutboxStatus.SENDING and oldest.lease_until is not None
            due = oldest.lease_until if leased else oldest.next_attempt_at
        assert due is not None
        return max(due, self.clock.now() + MIN_RESCHEDULE)

    @staticmethod
    def _oldest_unsent(s: Session, user_ref: str) -> OutboxMessage | None:
        return s.execute(
            select(OutboxMessage)
            .where(
                OutboxMessage.user_ref == user_ref,
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        ).scalar_one_or_none()

    def _lease_next(self, user_ref: str) -> tuple[OutboxMessage | None, bool]:
        """The next row to send, leased to us; and whether this user's queue is empty."""
        now = self.clock.now()
        with self.db.transaction() as s:
            row = self._oldest_unsent(s, user_ref)
            if row is None:
                return None, True
            leased_elsewhere = row.status == OutboxStatus.SENDING and (
                row.lease_until is not None and row.lease_until >= now
            )
            if leased_elsewhere or row.next_attempt_at > now:
                return None, False  # keep order: a later message never overtakes a waiting one
            claimed = rowcount(
                s.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == row.id,
                        OutboxMessage.status == row.status,
                        OutboxMessage.attempts == row.attempts,
                    )
                    .values(
                        status=OutboxStatus.SENDING,
                        lease_until=now + LEASE,
                        attempts=row.attempts + 1,
                    )
                )
            )
            if not claimed:
                return None, False
            s.refresh(row)
            return row, False

    def _send(self, row: OutboxMessage) -> bool:
        now = self.clock.now()
        sender = self.senders.get(row.channel)
        fresh_token = (
            row.reply_token
            if row.reply_token and row.reply_token_expires_at and row.reply_token_expires_at > now
            else None
        )
        delivery = Delivery(
            recipient=row.recipient,
            replies=tuple(Reply.from_dict(r) for r in row.payload or []),
            retry_key=row.retry_key,
            reply_token=fresh_token,
        )
        try:
            if sender is None:
                raise DeliveryError("channel_off", retryable=True, retry_after=600)
            sender.send(delivery)
        except DeliveryError as err:
            self._failed(row, err)
            return False
        except Exception as exc:  # a bug or an unreadable answer: never leave the row leased
            logger.exception("delivery crashed")
            self._failed(row, DeliveryError(type(exc).__name__, retryable=False))
            return False
        with self.db.transaction() as s:
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status=OutboxStatus.SENT,
                    sent_at=self.clock.now(),
                    lease_until=None,
                    payload=None,
                    recipient="",
                    reply_token=None,
                    last_error=None,
                )
            )
        log(
            logger,
            logging.INFO,
            "delivered",
            outbox_id=row.id,
            channel=row.channel,
            user=UserHasher.short(row.user_ref),
            attempts=row.attempts,
        )
        return True

    def _failed(self, row: OutboxMessage, err: DeliveryError) -> None:
        now = self.clock.now()
        give_up = not err.retryable or now - row.created_at > GIVE_UP_AFTER
        values: dict[str, object] = {
            "lease_until": None,
            "last_error": err.reason[:200],
            "reply_token": None,  # a failed or stale reply token is never tried again: push
        }
        if give_up:
            values.update(status=OutboxStatus.FAILED, payload=None)
        else:
            values.update(
                status=OutboxStatus.PENDING,
                next_attempt_at=now + backoff(row.attempts, err.retry_after),
            )
        with self.db.transaction() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))
        log(
            logger,
            logging.WARNING,
            "delivery failed",
            outbox_id=row.id,
            channel=row.channel,
            reason=err.reason,
            attempts=row.attempts,
            gave_up=give_up,
        )
