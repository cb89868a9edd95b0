"""Tickets for the staff-side tests: filed as the intake flow files them, and what reached
the complainant's chat."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.models import OutboxMessage, TicketRow
from bot.services import Services
from bot.ticket_desk import SqlTicketDesk
from bot.ticket_office import TicketOffice
from complaints.desk import NewTicket
from complaints.photos import StoredPhoto
from complaints.tickets import Contact, TicketCode
from tests.support.fake_platform import FakePlatform

OWNER = "owner-ref-" + "1" * 54
CITIZEN = "U" + "b" * 32  # the complainant's LINE user id
ROAD = NewTicket(
    category="road",
    description="ถนนหน้าบ้านเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย",
    place="หมู่ 3 หน้าวัด",
    contact=Contact("สมชาย ใจดี", "0812345678"),
)


def new_photo() -> StoredPhoto:
    return StoredPhoto(secrets.token_hex(16) + ".jpg", "image/jpeg", 1234)


def open_ticket(
    services: Services,
    *,
    owner: str = OWNER,
    channel: str = "line",
    recipient: str | None = CITIZEN,
    new: NewTicket = ROAD,
    at: datetime | None = None,
) -> TicketCode:
    with services.db.transaction() as s:
        desk = SqlTicketDesk(s, services.db.dialect, owner, channel=channel, recipient=recipient)
        return desk.open(new, at or services.clock.now(), sla_days=15).code


def ticket_office(services: Services) -> TicketOffice:
    return TicketOffice(services.db, services.outbox, services.clock, sla_days=15)


def ticket_row(services: Services, code: TicketCode) -> TicketRow:
    with services.db.transaction() as s:
        return s.scalars(
            select(TicketRow).where(
                TicketRow.year_be == code.year_be, TicketRow.sequence == code.sequence
            )
        ).one()


def outbox_rows(services: Services, user_ref: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if user_ref is not None:
        query = query.where(OutboxMessage.user_ref == user_ref)
    with services.db.transaction() as s:
        return list(s.scalars(query))


def line_messages_to(platform: FakePlatform, recipient: str) -> list[dict[str, Any]]:
    """The LINE messages pushed to one chat and accepted, once each, in order."""
    accepted = set(platform.accepted_retry_keys)
    messages: list[dict[str, Any]] = []
    for call in platform.requests_to("/v2/bot/message/push"):
        key = call.headers.get("X-Line-Retry-Key")
        if call.json["to"] == recipient and key in accepted:
            accepted.discard(key)  # a retry answered 409 was not delivered again
            messages.extend(call.json["messages"])
    return messages


def line_texts_to(platform: FakePlatform, recipient: str) -> list[str]:
    return [m["text"] for m in line_messages_to(platform, recipient) if m["type"] == "text"]
