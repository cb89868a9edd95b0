"""The tables: inbound events (dedupe), conversation state, the outbox, monthly tallies,
and general-complaint tickets with their timeline, photos and per-year sequences."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime

ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only


class EventStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # a permanent error (blocked account, bad request): not retried


class InboundEvent(Base):
    """One webhook event, recorded before it is acted on.

    `message` holds the channel-neutral message (it carries the user id and text) only
    until the event is processed; then it is cleared, leaving the id for dedupe.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("channel", "event_key", name="uq_inbound_channel_event"),
        Index("ix_inbound_user_pending", "user_ref", "status", "event_ts"),
        Index("ix_inbound_status_received", "status", "received_at"),
        Index("ix_inbound_received", "received_at"),  # the purge of old events
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(64))
    user_ref: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.PENDING)
    message: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reply_token: Mapped[str | None] = mapped_column(String(255), nullable=True)
    event_ts: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class ConversationStateRow(Base):
    __tablename__ = "conversation_states"
    __table_args__ = (
        Index("ix_state_updated", "updated_at"),  # forgetting what abandoned flows hold
    )

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(64), nullable=True)
    step: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_event_ts: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    privacy_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    """When this person was first shown the short privacy notice (PDPA: at first contact)."""


class OutboxMessage(Base):
    """One delivery unit: a single API request (LINE: up to 5 messages; Telegram: one).

    `retry_key` is sent as X-Line-Retry-Key so a retried push is accepted at most once.
    `recipient` and `payload` are cleared once sent.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_user", "user_ref", "id"),
        Index("ix_outbox_created", "created_at"),  # the purge of old messages
        Index("ix_outbox_source_event", "source_event_id"),  # ON DELETE SET NULL lookups
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_ref: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(255))
    payload: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    reply_token: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reply_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    source_event_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("inbound_events.id", ondelete="SET NULL"), nullable=True
    )


class MonthlyTally(Base):
    """Counts the office reports monthly (for example which knowledge entries were asked
    about), by Thai calendar month. Names carry no personal data."""

    __tablename__ = "monthly_tallies"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class TicketSequence(Base):
    """The last sequence number given out in a fiscal year (codes restart each year)."""

    __tablename__ = "ticket_sequences"

    year_be: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class TicketRow(Base):
    """A general complaint. `owner_ref` is the keyed hash of (channel, user), never the id.

    Personal data sits only in `contact_name`, `contact_phone` and the chat link
    (`notify_channel`, `notify_recipient`, used to push notices) and in photos; erasure and
    the retention purge clear them and set `personal_data_erased_at`, and the anonymised
    ticket stays in the statistics."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("year_be", "sequence", name="uq_ticket_code"),
        Index("ix_ticket_owner", "owner_ref", "id"),
        Index("ix_ticket_open_due", "status", "due_on"),  # the SLA sweep
        Index("ix_ticket_received", "received_at"),  # statistics by period
        Index("ix_ticket_status_changed", "status", "status_changed_at"),  # retention purge
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    year_be: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    owner_ref: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), default="")
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    extended_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    """When it was last resolved (the work done); cleared when reopened."""
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_for: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The expected date staff were last reminded of, so each reminder goes once."""
    contact_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    notify_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    notify_recipient: Mapped[str | None] = mapped_column(String(255), nullable=True)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TicketEventRow(Base):
    """One line of a ticket's timeline: a status change, an explanation of delay, a rating.

    `public_note` is what the complainant is told; `internal_note` stays with staff."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_event_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20), default="status")
    status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80), default="")
    public_note: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")
    expected_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class TicketPhoto(Base):
    """A photo attached to a ticket. The file lives in the media folder under
    `storage_key`, not in the database."""

    __tablename__ = "ticket_photos"
    __table_args__ = (Index("ix_ticket_photo_ticket", "ticket_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
