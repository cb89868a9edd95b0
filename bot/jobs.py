"""Background jobs as plain methods; bot.worker registers them with the task queue."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import select

from bot.logs import log
from bot.models import OutboxMessage, OutboxStatus
from bot.services import Services

logger = logging.getLogger("siang.jobs")

MIN_RESCHEDULE = timedelta(seconds=2)
T = TypeVar("T")


class Dispatcher(Protocol):
    """Hands recorded events to whoever processes them (the queue, or inline)."""

    def dispatch(self, event_ids: Sequence[int]) -> None: ...


class Jobs:
    def __init__(
        self,
        services: Services,
        schedule_delivery: Callable[[str, datetime], None] | None = None,
    ) -> None:
        self.services = services
        self._schedule_delivery = schedule_delivery

    def process_event(self, event_id: int) -> None:
        user_ref = self.services.pipeline.process_event(event_id)
        if user_ref is not None:
            self.deliver(user_ref)

    def deliver(self, user_ref: str) -> None:
        if self.services.outbox.deliver_for_user(user_ref):
            return  # all sent: nothing to schedule
        due = self.next_due(user_ref)
        if due is not None and self._schedule_delivery is not None:
            self._schedule_delivery(user_ref, due)

    def next_due(self, user_ref: str) -> datetime | None:
        """When this user's oldest unsent message may go: later ones wait behind it."""
        with self.services.db.transaction() as s:
            oldest = s.execute(
                select(
                    OutboxMessage.status, OutboxMessage.next_attempt_at, OutboxMessage.lease_until
                )
                .where(
                    OutboxMessage.user_ref == user_ref,
                    OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
                )
                .order_by(OutboxMessage.id)
                .limit(1)
            ).first()
        if oldest is None:
            return None
        status, next_attempt_at, lease_until = oldest
        due = lease_until if status == OutboxStatus.SENDING and lease_until else next_attempt_at
        return max(due, self.services.clock.now() + MIN_RESCHEDULE)

    def sweep(self) -> None:
        """Safety net, every minute: events nobody processed, messages due, old rows.

        One failing event or user never stops the sweep for everyone else.
        """
        stale = self.services.pipeline.stale_pending()
        for event_id in stale:
            self.isolated(self.process_event, event_id)
        due = self.services.outbox.due_users()
        for user_ref in due:
            self.isolated(self.deliver, user_ref)
        purged = self.services.pipeline.purge(
            timedelta(days=self.services.settings.inbound_retention_days)
        )
        if stale or due or purged:
            log(
                logger,
                logging.INFO,
                "sweep",
                stale_events=len(stale),
                due_users=len(due),
                purged_events=purged,
            )

    @staticmethod
    def isolated(job: Callable[[T], None], arg: T) -> None:
        try:
            job(arg)
        except Exception:
            logger.exception("job failed")


class InlineDispatcher:
    """Process at once in this process: the dev chat, and tests that need no worker."""

    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs

    def dispatch(self, event_ids: Sequence[int]) -> None:
        for event_id in event_ids:
            self.jobs.process_event(event_id)
