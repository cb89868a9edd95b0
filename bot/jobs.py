"""Background jobs as plain methods; bot.worker registers them with the task queue."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

from bot.integrity_desk import purge_expired_attempts, purge_orphan_evidence
from bot.logs import log
from bot.media import attached_photo_keys
from bot.services import Services
from bot.ticket_clock import build_ticket_clock

logger = logging.getLogger("siang.jobs")

T = TypeVar("T")

PHOTO_SWEEP_EVERY = timedelta(hours=1)  # listing the photo folder is not a per-minute job
ORPHAN_PHOTO_AGE = timedelta(days=1)


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
        self._photos_swept_at: datetime | None = None
        self.ticket_clock = build_ticket_clock(services)

    def process_event(self, event_id: int) -> None:
        user_ref = self.services.pipeline.process_event(event_id)
        if user_ref is not None:
            self.deliver(user_ref)

    def deliver(self, user_ref: str) -> None:
        if self.services.outbox.deliver_for_user(user_ref):
            return  # all sent: nothing to schedule
        due = self.services.outbox.next_due(user_ref)
        if due is not None and self._schedule_delivery is not None:
            self._schedule_delivery(user_ref, due)

    def sweep(self) -> None:
        """Safety net, every minute: events nobody processed, messages due, old rows.

        One failing event or user never stops the sweep for everyone else.
        """
        stale = self.services.pipeline.stale_pending()
        for event_id in stale:
            self.isolated(self.process_event, event_id)
        self.ticket_clock.run()  # before delivery, so its notices go out in this sweep
        due = self.services.outbox.due_users()
        for user_ref in due:
            self.isolated(self.deliver, user_ref)
        purged = self.services.pipeline.purge(
            timedelta(days=self.services.settings.inbound_retention_days)
        )
        forgotten = self.services.pipeline.forget_abandoned_flows(
            timedelta(minutes=self.services.settings.idle_timeout_minutes)
        )
        self.sweep_orphan_photos()
        with self.services.db.transaction() as s:
            purge_expired_attempts(s, self.services.clock.now())
        self.services.db.checkpoint()
        if stale or due or purged or forgotten:
            log(
                logger,
                logging.INFO,
                "sweep",
                stale_events=len(stale),
                due_users=len(due),
                purged_events=purged,
                abandoned_flows=forgotten,
            )

    def sweep_orphan_photos(self) -> None:
        """Delete photo files no ticket took (cancelled or abandoned intakes) and sealed
        evidence no corruption report took, hourly."""
        now = self.services.clock.now()
        if self._photos_swept_at is not None and now - self._photos_swept_at < PHOTO_SWEEP_EVERY:
            return
        self._photos_swept_at = now
        with self.services.db.transaction() as s:  # sealed evidence of reports never filed
            purge_orphan_evidence(s, now)
        known = partial(attached_photo_keys, self.services.db)
        # never younger than a draft can live: its photos have no ticket row yet
        idle = timedelta(minutes=self.services.settings.idle_timeout_minutes)
        age = max(ORPHAN_PHOTO_AGE, idle + timedelta(hours=1))
        deleted = self.services.media.sweep_orphans(known, age, now)
        if deleted:
            log(logger, logging.INFO, "orphan photos deleted", count=deleted)

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
