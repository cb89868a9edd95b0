"""The composition root's wiring: one place that builds every concrete piece from Settings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.channels.base import Sender
from bot.channels.dev import DevSender
from bot.channels.line import LineSender
from bot.channels.media import LineContentFetcher, MediaFetcher, TelegramFileFetcher
from bot.channels.telegram import TelegramSender
from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.draft_vault import SecretBoxDraftVault
from bot.integrity_desk import COSTS, SqlIntegrityDesk
from bot.logs import UserHasher, log
from bot.media import MediaStore
from bot.outbox import Outbox
from bot.pipeline import Pipeline, PortFactory
from bot.router import Router
from bot.settings import Settings
from bot.ticket_desk import SqlTicketDesk
from bot.understanding import LazyUnderstander, UnderstandsText
from handlers.basic import OfficeInfo
from handlers.contract import Ports
from handlers.registry import DEFAULT_SLA_DAYS, Registry, build_registry
from knowledge.loader import ContentError, Problem
from knowledge.store import SAMPLE_CONTENT, KnowledgeBase

logger = logging.getLogger("siang.services")


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    registry: Registry
    router: Router
    outbox: Outbox
    pipeline: Pipeline
    dev_sender: DevSender
    knowledge: KnowledgeBase
    media: MediaStore
    senders: Mapping[str, Sender] = field(default_factory=dict)

    def warm_up(self) -> None:
        """Load what routing needs before the first citizen does: the Thai models (about
        two seconds) and the office's content, which fails here, loudly, if it is invalid."""
        understander = self.router.understander
        if isinstance(understander, LazyUnderstander):
            understander.get()
        self.knowledge.current().prepare()


def build_senders(settings: Settings, dev_sender: DevSender) -> dict[str, Sender]:
    senders: dict[str, Sender] = {dev_sender.channel: dev_sender}
    if settings.line_enabled:
        assert settings.line_channel_access_token
        senders["line"] = LineSender(
            settings.line_channel_access_token,
            settings.line_api_endpoint,
            settings.http_timeout_seconds,
        )
    if settings.telegram_enabled:
        assert settings.telegram_bot_token
        senders["telegram"] = TelegramSender(
            settings.telegram_bot_token,
            settings.telegram_api_endpoint,
            settings.http_timeout_seconds,
        )
    return senders


def build_media(settings: Settings) -> MediaStore:
    """Photos can be fetched from the enabled platforms only; the dev chat has none."""
    fetchers: dict[str, MediaFetcher] = {}
    if settings.line_enabled:
        assert settings.line_channel_access_token
        fetchers["line"] = LineContentFetcher(
            settings.line_channel_access_token,
            settings.line_data_api_endpoint,
            settings.http_timeout_seconds,
        )
    if settings.telegram_enabled:
        assert settings.telegram_bot_token
        fetchers["telegram"] = TelegramFileFetcher(
            settings.telegram_bot_token,
            settings.telegram_api_endpoint,
            settings.http_timeout_seconds,
        )
    return MediaStore(settings.photo_dir, settings.max_photo_bytes, fetchers)


def build_ports(settings: Settings, media: MediaStore, clock: Clock) -> PortFactory:
    """What a handler may act on for one citizen in one turn: their tickets, photos, the
    corruption track (write and look up only: no private key is anywhere in the bot) and
    the vault that keeps a report being written unreadable in the conversation state."""
    vault = SecretBoxDraftVault(settings.secret_key)
    receipt_cost = COSTS[settings.argon2_cost][1]

    def ports(session: Session, channel: str, user_ref: str, recipient: str) -> Ports:
        dialect = session.get_bind().dialect.name
        return Ports(
            desk=SqlTicketDesk(session, dialect, user_ref, channel=channel, recipient=recipient),
            photos=media.inbox(channel),
            integrity=SqlIntegrityDesk(
                session,
                dialect,
                user_ref,
                channel,
                recipient,
                media,
                receipt_cost=receipt_cost,
                clock=clock,
            ),
            vault=vault,
        )

    return ports


def build_knowledge(settings: Settings) -> KnowledgeBase:
    def report(problems: list[Problem]) -> None:
        # the previous content stays in use; `siang kb check` shows the details
        log(logger, logging.WARNING, "knowledge edit rejected", problems=len(problems))

    return KnowledgeBase(settings.knowledge_dir or SAMPLE_CONTENT, on_problems=report)


DEFAULT_OFFICE_NAME = "อบต.ตัวอย่าง"


def office_info(settings: Settings, knowledge: KnowledgeBase) -> OfficeInfo:
    """The office as citizens see it: SIANG_OFFICE_NAME/PHONE if set, else the content's
    office.yaml (read once here; a name change there needs a restart)."""
    try:
        office = knowledge.current().content.office
    except ContentError:
        office = None  # the worker reports the problems; the web keeps taking events
    name = settings.office_name or (office.name if office else DEFAULT_OFFICE_NAME)
    phone = settings.office_phone or (office.phone if office else "")
    return OfficeInfo(name, phone)


def sla_days(settings: Settings, knowledge: KnowledgeBase) -> int:
    """Days to act on a complaint: SIANG_SLA_DAYS if set, else the content's office.yaml
    `sla_days`, else 15."""
    if settings.sla_days is not None:
        return settings.sla_days
    try:
        return knowledge.current().content.office.sla_days
    except ContentError:
        return DEFAULT_SLA_DAYS


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    understander: UnderstandsText | None = None,
    registry: Registry | None = None,
    web: bool = False,
) -> Services:
    clock = clock or SystemClock()
    db = Database.from_url(settings.database_url, fail_fast=web)
    knowledge = build_knowledge(settings)
    understander = understander or LazyUnderstander()
    registry = registry or build_registry(
        office_info(settings, knowledge),
        knowledge=knowledge,
        categories=understander,
        sla_days=sla_days(settings, knowledge),
        integrity=True,
    )
    router = Router(
        registry,
        understander,
        idle_timeout=timedelta(minutes=settings.idle_timeout_minutes),
    )
    dev_sender = DevSender()
    senders = build_senders(settings, dev_sender)
    outbox = Outbox(db, senders, clock)
    media = build_media(settings)
    pipeline = Pipeline(
        db,
        router,
        outbox,
        UserHasher(settings.secret_key),
        clock,
        photo_inboxes=media.inbox,
        ports_for=build_ports(settings, media, clock),
    )
    return Services(
        settings,
        db,
        clock,
        registry,
        router,
        outbox,
        pipeline,
        dev_sender,
        knowledge,
        media=media,
        senders=senders,
    )
