"""Tickets as staff read them in `siang tickets`: a Thai table, the whole ticket, or JSON."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from bot.clock import THAI_TIME
from complaints.thai_calendar import thai_date
from complaints.tickets import Ticket, TimelineEntry
from handlers import texts_th as th
from handlers.notices import category_label, status_label

_ZERO_WIDTH = {"Mn", "Me", "Cf"}  # Thai vowels and tone marks above and below take no column


def display_width(text: str) -> int:
    return sum(1 for c in text if unicodedata.category(c) not in _ZERO_WIDTH)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def table(tickets: list[Ticket], today: date) -> str:
    """One line per ticket: code, status, category, received, expected date, days since
    receipt, and a mark when it is overdue."""
    if not tickets:
        return th.STAFF_NO_TICKETS
    rows = [
        (
            str(t.code),
            status_label(t.status),
            category_label(t.category),
            thai_date(t.received_on),
            thai_date(t.expected_on()),
            str(t.days_elapsed(today)),
            th.STAFF_OVERDUE_MARK if t.overdue(today) else "",
        )
        for t in tickets
    ]
    header = th.STAFF_COLUMNS
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = {5}
    lines = [
        "  ".join(_pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]
    lines.append(th.STAFF_SHOWN.format(count=len(tickets)))
    return "\n".join(lines)


def detail(ticket: Ticket, today: date) -> str:
    """Everything about one ticket, internal notes and contact included."""
    f = th.STAFF_FIELDS
    due = thai_date(ticket.due_on)
    if ticket.overdue(today):
        due = f"{due}  {th.STAFF_OVERDUE_MARK}"
    place = ticket.place
    if ticket.latitude is not None and ticket.longitude is not None:
        place = f"{place} ({ticket.latitude:.5f}, {ticket.longitude:.5f})".strip()
    contact = (
        " ".join(p for p in (ticket.contact.name, ticket.contact.phone) if p)
        if ticket.contact
        else th.STAFF_NO_CONTACT
    )
    fields = [
        (f["status"], status_label(ticket.status)),
        (f["category"], category_label(ticket.category)),
        (f["description"], ticket.description),
        (f["place"], place or "-"),
        (f["received"], thai_date(ticket.received_on)),
        (f["due"], due),
    ]
    if ticket.extended_to:
        fields.append((f["extended_to"], thai_date(ticket.extended_to)))
    fields += [
        (f["elapsed"], th.STAFF_DAYS.format(days=ticket.days_elapsed(today))),
        (f["contact"], contact),
        (f["channel"], ticket.channel or "-"),
        (f["photos"], th.STAFF_PHOTOS.format(count=ticket.photo_count)),
    ]
    if ticket.rating is not None:
        fields.append((f["rating"], th.STAFF_RATING.format(stars=ticket.rating)))
    lines = [str(ticket.code), *(f"{name}: {value}" for name, value in fields)]
    lines.append(f"{f['timeline']}:")
    lines.extend(line for entry in ticket.timeline for line in _timeline_lines(entry))
    return "\n".join(lines)


def _timeline_lines(entry: TimelineEntry) -> list[str]:
    at = entry.at.astimezone(THAI_TIME)
    kind = th.STAFF_EVENT_KINDS.get(entry.kind.value, entry.kind.value)
    head = f"  {thai_date(at.date())} {at:%H:%M}  {kind}: {status_label(entry.status)}"
    lines = [f"{head}  ({entry.actor})" if entry.actor else head]
    if entry.public_note:
        lines.append("      " + th.STAFF_PUBLIC_NOTE.format(note=entry.public_note))
    if entry.internal_note:
        lines.append("      " + th.STAFF_INTERNAL_NOTE.format(note=entry.internal_note))
    if entry.expected_on:
        lines.append("      " + th.STAFF_EXPECTED.format(date=thai_date(entry.expected_on)))
    return lines


def summary_json(ticket: Ticket, today: date) -> dict[str, Any]:
    """The table's facts, machine-readable (ISO dates, English keys, status values)."""
    return {
        "code": str(ticket.code),
        "status": ticket.status.value,
        "category": ticket.category,
        "received_on": ticket.received_on.isoformat(),
        "due_on": ticket.due_on.isoformat(),
        "extended_to": ticket.extended_to.isoformat() if ticket.extended_to else None,
        "expected_on": ticket.expected_on().isoformat(),
        "days_elapsed": ticket.days_elapsed(today),
        "overdue": ticket.overdue(today),
        "rating": ticket.rating,
    }


def detail_json(ticket: Ticket, today: date) -> dict[str, Any]:
    return {
        **summary_json(ticket, today),
        "description": ticket.description,
        "place": ticket.place,
        "latitude": ticket.latitude,
        "longitude": ticket.longitude,
        "channel": ticket.channel,
        "contact": (
            {"name": ticket.contact.name, "phone": ticket.contact.phone} if ticket.contact else None
        ),
        "photo_count": ticket.photo_count,
        "timeline": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind.value,
                "status": e.status.value,
                "actor": e.actor,
                "public_note": e.public_note,
                "internal_note": e.internal_note,
                "expected_on": e.expected_on.isoformat() if e.expected_on else None,
            }
            for e in ticket.timeline
        ],
    }


def update_line(ticket: Ticket) -> str:
    return th.STAFF_UPDATED.format(
        code=ticket.code,
        status=status_label(ticket.status),
        date=thai_date(ticket.expected_on()),
    )
