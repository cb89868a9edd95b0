"""The tables: inbound events (dedupe), conversation state, the outbox, monthly tallies,
general-complaint tickets with their timeline, photos and per-year sequences, and the
confidential corruption track (sealed reports, officers' keys, the audit chain)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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


# ---- The confidential corruption track -------------------------------------------------
# Nothing here is readable without an integrity officer's passphrase: content, evidence,
# additions, internal notes and the chat link are ciphertexts (`complaints.sealing`); a
# receipt code is only its Argon2id hash. In clear: dates, statuses, public notes (shown to
# whoever holds the code) and who may read which case.


class IntegrityOfficer(Base):
    """An integrity officer's key pair: the public key in clear, the private key encrypted
    under a key derived from their passphrase (Argon2id with `salt`, `opslimit`, `memlimit`)."""

    __tablename__ = "integrity_officers"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary(80))
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    opslimit: Mapped[int] = mapped_column(BigInteger)
    memlimit: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class IntegritySettings(Base):
    """One row: the office's receipt salt and the Argon2id cost its receipt hashes use (a
    hash made with other parameters would never match again)."""

    __tablename__ = "integrity_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    receipt_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    receipt_opslimit: Mapped[int] = mapped_column(BigInteger)
    receipt_memlimit: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CorruptionReport(Base):
    """A sealed report. `ciphertext` is the `ReportContent` under the case's data key,
    `notify_ciphertext` the chat link (only if the citizen asked for status pushes) under the
    same key; the key itself is in `corruption_report_keys`, sealed to each reader. Times the
    chat writes are kept to the Thai day, so they cannot be matched to a chat's messages."""

    __tablename__ = "corruption_reports"
    __table_args__ = (
        Index("ix_corruption_open_due", "status", "due_on"),
        Index("ix_corruption_received", "received_at"),  # statistics by period
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    receipt_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    extended_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    notify_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class CorruptionReportKey(Base):
    """The case's data key sealed to one officer: no row, no reading."""

    __tablename__ = "corruption_report_keys"
    __table_args__ = (Index("ix_corruption_key_officer", "officer_id"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("corruption_reports.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("integrity_officers.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)


class CorruptionExclusion(Base):
    """An officer (by name, so it holds for one not yet created) who must never read the
    case: a conflict of interest."""

    __tablename__ = "corruption_exclusions"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("corruption_reports.id", ondelete="CASCADE"), primary_key=True
    )
    officer_name: Mapped[str] = mapped_column(String(80), primary_key=True)


class CorruptionAddition(Base):
    """More information the citizen sent with the receipt code, under its own fresh key
    sealed to the case's readers of the moment (`corruption_addition_keys`)."""

    __tablename__ = "corruption_additions"
    __table_args__ = (Index("ix_corruption_addition_report", "report_id", "id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("corruption_reports.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class CorruptionAdditionKey(Base):
    __tablename__ = "corruption_addition_keys"
    __table_args__ = (Index("ix_corruption_addition_key_officer", "officer_id"),)

    addition_id: Mapped[int] = mapped_column(
        ForeignKey("corruption_additions.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("integrity_officers.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)


class CorruptionEvidence(Base):
    """A photo, encrypted as soon as it arrives (the clear file is deleted then). Until the
    report is filed it is known only by its random `draft_key`; `report_id` is set at filing."""

    __tablename__ = "corruption_evidence"
    __table_args__ = (Index("ix_corruption_evidence_report", "report_id", "at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("corruption_reports.id", ondelete="CASCADE"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(40))


class CorruptionEvidenceKey(Base):
    __tablename__ = "corruption_evidence_keys"
    __table_args__ = (Index("ix_corruption_evidence_key_officer", "officer_id"),)

    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("corruption_evidence.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("integrity_officers.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)


class CorruptionEvent(Base):
    """One line of a case's timeline. `public_note` is what the receipt holder sees; the
    internal note is encrypted under the case's data key; `actor_officer_id` is None for
    what the citizen or the system did."""

    __tablename__ = "corruption_events"
    __table_args__ = (Index("ix_corruption_event_report", "report_id", "id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("corruption_reports.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20), default="status")
    status: Mapped[str] = mapped_column(String(20))
    public_note: Mapped[str] = mapped_column(Text, default="")
    internal_note_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    expected_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    actor_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("integrity_officers.id", ondelete="SET NULL"), nullable=True
    )


class IntegrityAudit(Base):
    """Append-only: every read and change of the track. `hash` is SHA-256 over `prev_hash`
    and the row's fields, so editing or deleting a row breaks the chain
    (`IntegrityOffice.verify_audit`); on PostgreSQL a trigger refuses UPDATE and DELETE.
    No FK to the report: the log outlives what it records."""

    __tablename__ = "integrity_audit"
    __table_args__ = (Index("ix_integrity_audit_report", "report_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    officer_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    report_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    detail: Mapped[str] = mapped_column(String(200), default="")
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)  # no forks
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class IntegrityAttempt(Base):
    """Receipt codes tried from one chat in the current window (rate limiting); a row
    whose window has passed is deleted by the next attempt of anyone."""

    __tablename__ = "integrity_attempts"
    __table_args__ = (Index("ix_integrity_attempt_window", "window_start"),)

    user_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer, default=0)
