"""Inbound events: record once (dedupe), then act once, in order, per user.

`record` runs in the webhook request and only writes rows. `process_event` runs in the
worker (or inline for the dev chat): it takes the user's conversation-state row lock,
handles that user's pending events oldest first, and writes the new state, the replies
(outbox) and the event's completion in one transaction, so an event is acted on once
even when two processes try at the same time, and a crash before commit loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from bot.channels.base import InboundEventData
from bot.clock import Clock
from bot.db import Database, rowcount, upsert_insert
from bot.logs import UserHasher, log
from bot.media import PrefetchedInbox
from bot.models import ConversationStateRow, EventStatus, InboundEvent, OutboxMessage
from bot.outbox import Outbox
from bot.router import Router
from bot.tallies import add_tallies
from bot.ticket_desk import SqlTicketDesk
from complaints.photos import PhotoInbox
from handlers import texts_th as th
from handlers.contract import NOTIFY_ON_EXPIRY, ConversationState, Ports
from handlers.messages import IncomingMessage, MessageKind, Reply

logger = logging.getLogger("siang.pipeline")

MAX_ATTEMPTS = 3
STALE_PENDING = timedelta(seconds=30)
ABANDONED_FLOW_WINDOW = timedelta(days=1)
EXPIRY_GRACE = timedelta(minutes=5)


class PortFactory(Protocol):
    def __call__(self, session: Session, channel: str, user_ref: str, recipient: str) -> Ports: ...


def ticket_desk_only(session: Session, channel: str, user_ref: str, recipient: str) -> Ports:
    dialect = session.get_bind().dialect.name
    return Ports(
        desk=SqlTicketDesk(session, dialect, user_ref, channel=channel, recipient=recipient)
    )


class Pipeline:
    def __init__(
        self,
        db: Database,
        router: Router,
        outbox: Outbox,
        hasher: UserHasher,
        clock: Clock,
        photo_inboxes: Callable[[str], PhotoInbox] | None = None,
        ports_for: PortFactory | None = None,
    ) -> None:
        """`ports_for` builds what handlers may act on for one citizen, bound to the
        turn's session (the composition root decides which); by default a ticket desk."""
        self.db = db
        self.router = router
        self.outbox = outbox
        self.hasher = hasher
        self.clock = clock
        self.photo_inboxes = photo_inboxes
        self.ports_for = ports_for or ticket_desk_only
        self._record_statement = (
            upsert_insert(self.db.dialect)(InboundEvent.__table__)
            .on_conflict_do_nothing(index_elements=["channel", "event_key"])
            .returning(InboundEvent.__table__.c.id)
        )

    def record(self, channel: str, events: Sequence[InboundEventData]) -> list[int]:
        """Insert events not seen before; return the ids of the new ones (duplicates: none)."""
        return self.record_many([(channel, events)])[0]

    def record_many(
        self, bodies: Sequence[tuple[str, Sequence[InboundEventData]]]
    ) -> list[list[int]]:
        """Several webhook bodies in one transaction (one commit): the new ids of each.

        This is the webhook's hot path: one prepared statement, bound per event, on a plain
        connection (building an ORM statement per call cost more than the insert itself).
        """
        results: list[list[int]] = []
        with self.db.engine.begin() as conn:
            for channel, events in bodies:
                new_ids: list[int] = []
                for event in events:
                    new_id = conn.execute(
                        self._record_statement,
                        {
                            "channel": channel,
                            "event_key": event.event_key,
                            "user_ref": self.hasher.ref(channel, event.message.user_id),
                            "status": EventStatus.PENDING.value,
                            "message": event.message.to_dict(),
                            "reply_token": event.reply_token,
                            "event_ts": event.event_ts,
                            # a spooled body keeps its time
                            "received_at": event.message.received_at,
                            "attempts": 0,
                        },
                    ).scalar_one_or_none()
                    if new_id is not None:
                        new_ids.append(new_id)
                results.append(new_ids)
        return results

    def pending_ids(self, channel: str, event_keys: Sequence[str]) -> list[int]:
        """Events already recorded but not yet handled (a record that beat its spooled copy)."""
        if not event_keys:
            return []
        with self.db.transaction() as s:
            return list(
                s.execute(
                    select(InboundEvent.id).where(
                        InboundEvent.channel == channel,
                        InboundEvent.event_key.in_(event_keys),
                        InboundEvent.status == EventStatus.PENDING,
                    )
                ).scalars()
            )

    def process_event(self, event_id: int) -> str | None:
        """Handle the event's user queue; return the user_ref whose outbox now has work."""
        with self.db.transaction() as s:
            found = s.execute(
                select(InboundEvent.channel, InboundEvent.user_ref).where(
                    InboundEvent.id == event_id
                )
            ).first()
        if found is None:
            return None
        channel, user_ref = found
        self.process_user(channel, user_ref)
        return user_ref

    def process_user(self, channel: str, user_ref: str, limit: int = 50) -> int:
        handled = 0
        while handled < limit:
            try:
                progressed = self._process_next(channel, user_ref)
            except Exception:
                logger.exception("event handling failed")
                progressed = self._record_failure_safely(channel, user_ref)
            if not progressed:
                break
            handled += 1
        return handled

    def _process_next(self, channel: str, user_ref: str) -> bool:
        pending, prefetched = self._look_ahead(channel, user_ref)
        if not pending:
            return False  # the common last round: found out without a locking transaction
        try:
            return self._act_on_next(channel, user_ref, prefetched)
        finally:
            if prefetched is not None:
                prefetched.discard_if_unused()

    def _look_ahead(self, channel: str, user_ref: str) -> tuple[bool, PrefetchedInbox | None]:
        """Whether the user has an event waiting, and its photo, downloaded now, before
        anything is locked, when the open flow takes photos (a complaint being written).
        An event recorded just after this look is dispatched on its own."""
        with self.db.transaction() as s:
            event = self._oldest_pending(s, channel, user_ref)
            message = event.message if event is not None else None
            if message is None or message.get("kind") != MessageKind.IMAGE.value:
                return event is not None, None
            flow = s.scalar(
                select(ConversationStateRow.flow).where(
                    ConversationStateRow.channel == channel,
                    ConversationStateRow.user_ref == user_ref,
                )
            )
        takes_photos = getattr(self.router.registry.flow(flow or ""), "takes_photos", False)
        media_id = message.get("media_id")
        if not takes_photos or self.photo_inboxes is None or not isinstance(media_id, str):
            return True, None
        return True, PrefetchedInbox(self.photo_inboxes(channel), media_id)

    def _act_on_next(self, channel: str, user_ref: str, prefetched: PrefetchedInbox | None) -> bool:
        now = self.clock.now()
        with self.db.transaction() as s:
            state_row = self._lock_state(s, channel, user_ref)
            event = self._oldest_pending(s, channel, user_ref)
            if event is None or event.message is None:
                return False
            message = IncomingMessage.from_dict(event.message)
            state = ConversationState(
                flow=state_row.flow,
                step=state_row.step,
                data=dict(state_row.data or {}),
                updated_at=state_row.updated_at,
            )
            ports = self.ports_for(s, channel, user_ref, message.user_id)
            if prefetched is not None:
                ports = replace(ports, photos=prefetched)
            first_contact = state_row.privacy_noticed_at is None
            outcome = self.router.route(message, state, now, ports, first_contact=first_contact)
            if first_contact and message.kind is not MessageKind.UNFOLLOW:
                state_row.privacy_noticed_at = now
            state_row.flow = outcome.state.flow
            state_row.step = outcome.state.step
            state_row.data = dict(outcome.state.data)
            state_row.updated_at = outcome.state.updated_at
            if state_row.last_event_ts is None or event.event_ts > state_row.last_event_ts:
                state_row.last_event_ts = event.event_ts
            self.outbox.add(
                s,
                channel=channel,
                user_ref=user_ref,
                recipient=message.user_id,
                replies=outcome.replies,
                reply_token=event.reply_token,
                token_received_at=event.received_at,
                source_event_id=event.id,
            )
            # counted in the month the citizen asked, even if handled after midnight
            add_tallies(s, self.db.dialect, outcome.tallies, event.received_at)
            self._finish(event, EventStatus.DONE, now)
            log(
                logger,
                logging.INFO,
                "event handled",
                event_id=event.id,
                channel=channel,
                user=UserHasher.short(user_ref),
                kind=message.kind.value,
                replies=len(outcome.replies),
                flow=self._loggable_flow(outcome.state.flow),
            )
        return True

    def _loggable_flow(self, name: str | None) -> str | None:
        """A confidential flow (a corruption report being written) is never named in a
        log: that a given chat is reporting someone is itself what must not leak."""
        return None if self._confidential(name) else name

    def _confidential(self, name: str | None) -> bool:
        flow = self.router.registry.flow(name) if name else None
        return bool(getattr(flow, "confidential", False))

    @staticmethod
    def _oldest_pending(s: Session, channel: str, user_ref: str) -> InboundEvent | None:
        """A user's events are handled in the order the platform stamped them."""
        return s.execute(
            select(InboundEvent)
            .where(
                InboundEvent.channel == channel,
                InboundEvent.user_ref == user_ref,
                InboundEvent.status == EventStatus.PENDING,
            )
            .order_by(InboundEvent.event_ts, InboundEvent.id)
            .limit(1)
        ).scalar_one_or_none()

    def _lock_state(self, s: Session, channel: str, user_ref: str) -> ConversationStateRow:
        """One row per user, locked for the transaction: a user's events are handled serially."""
        s.execute(
            upsert_insert(self.db.dialect)(ConversationStateRow)
            .values(channel=channel, user_ref=user_ref, data={})
            .on_conflict_do_nothing(index_elements=["channel", "user_ref"])
        )
        return s.execute(
            select(ConversationStateRow)
            .where(
                ConversationStateRow.channel == channel, ConversationStateRow.user_ref == user_ref
            )
            .with_for_update()
        ).scalar_one()

    @staticmethod
    def _finish(event: InboundEvent, status: EventStatus, now: datetime) -> None:
        event.status = status
        event.processed_at = now
        event.message = None  # the text and user id are not kept once acted on
        event.reply_token = None

    def _record_failure_safely(self, channel: str, user_ref: str) -> bool:
        try:
            return self._record_failure(channel, user_ref, apologise=True)
        except Exception:
            logger.exception("could not record the failure with an apology")
        try:
            # the database is up but refuses even the apology: give up on the event quietly,
            # so it does not sit pending for ever with its text
            return self._record_failure(channel, user_ref, apologise=False)
        except Exception:
            logger.exception("could not record the failure")  # the database is away
            return False

    def _record_failure(self, channel: str, user_ref: str, *, apologise: bool) -> bool:
        """Count a failed try; after MAX_ATTEMPTS apologise and move on: the queue never sticks."""
        now = self.clock.now()
        with self.db.transaction() as s:
            self._lock_state(s, channel, user_ref)
            event = self._oldest_pending(s, channel, user_ref)
            if event is None:
                return False
            event.attempts += 1
            if apologise and event.attempts < MAX_ATTEMPTS:
                return False  # left pending: the sweep tries again later
            if apologise and event.message is not None:
                message = IncomingMessage.from_dict(event.message)
                self.outbox.add(
                    s,
                    channel=channel,
                    user_ref=user_ref,
                    recipient=message.user_id,
                    replies=(Reply(text=th.INTERNAL_ERROR),),
                    reply_token=event.reply_token,
                    token_received_at=event.received_at,
                    source_event_id=event.id,
                )
            self._finish(event, EventStatus.FAILED, now)
            log(logger, logging.ERROR, "event given up", event_id=event.id, channel=channel)
        return True

    def stale_pending(self, limit: int = 500) -> list[int]:
        """Events acknowledged but not handled (a crash, a lost queue message): to re-dispatch."""
        cutoff = self.clock.now() - STALE_PENDING
        with self.db.transaction() as s:
            return list(
                s.execute(
                    select(InboundEvent.id)
                    .where(
                        InboundEvent.status == EventStatus.PENDING,
                        InboundEvent.received_at < cutoff,
                    )
                    .order_by(InboundEvent.id)
                    .limit(limit)
                ).scalars()
            )

    def forget_abandoned_flows(self, idle_timeout: timedelta) -> int:
        """Clear what an idle flow collected (a message waiting on a question, a half-written
        complaint) once it has timed out, instead of keeping it until the citizen returns.

        A flow that asked to be told about (`NOTIFY_ON_EXPIRY`) gets a notice now that
        nothing was sent, and is closed. Other flows keep their name and time, so the
        citizen's next message still hears that it timed out.

        Only flows that timed out within the last day are looked at, through the index on
        `updated_at`: the sweep runs every minute, and the window covers a day of downtime.
        """
        # a little later than the router's expiry, which counts from when a reply arrived:
        # a reply spooled or queued for a moment must find its draft still there
        cutoff = self.clock.now() - idle_timeout - EXPIRY_GRACE
        with self.db.transaction() as s:
            rows = s.scalars(
                select(ConversationStateRow)
                .where(
                    ConversationStateRow.updated_at < cutoff,
                    ConversationStateRow.updated_at >= cutoff - ABANDONED_FLOW_WINDOW,
                    ConversationStateRow.flow.is_not(None),
                    ConversationStateRow.step.is_not(None),
                    ~exists().where(  # a reply waiting in the queue may still be in time
                        InboundEvent.user_ref == ConversationStateRow.user_ref,
                        InboundEvent.status == EventStatus.PENDING,
                        InboundEvent.channel == ConversationStateRow.channel,
                    ),
                )
                .with_for_update(skip_locked=True)  # a user mid-message is left for next time
            ).all()
            for row in rows:
                if self._confidential(row.flow):
                    row.flow = None  # not even that this chat was writing a report remains
                recipient = (row.data or {}).get(NOTIFY_ON_EXPIRY)
                if isinstance(recipient, str) and recipient:
                    self.outbox.add(
                        s,
                        channel=row.channel,
                        user_ref=row.user_ref,
                        recipient=recipient,
                        replies=(Reply(text=th.UNSENT_TIMED_OUT),),
                    )
                    row.flow = None
                row.data, row.step = {}, None
            return len(rows)

    def purge(self, retention: timedelta) -> int:
        """Drop finished events and sent messages past the dedupe window."""
        cutoff = self.clock.now() - retention
        with self.db.transaction() as s:
            # outbox rows that point at a deleted event are unlinked by ON DELETE SET NULL
            events = rowcount(
                s.execute(
                    delete(InboundEvent).where(
                        InboundEvent.status != EventStatus.PENDING,
                        InboundEvent.received_at < cutoff,
                    )
                )
            )
            s.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.status.in_(["sent", "failed"]),
                    OutboxMessage.created_at < cutoff,
                )
            )
        return events
