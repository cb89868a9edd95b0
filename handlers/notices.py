"""Ticket notices worded for people: the complainant's messages and the staff's reminders.

Every notice to a complainant names the ticket code and says how to follow it; a result asks
for a 1-5 rating, with a "not fixed" button that reopens the ticket.
"""

from __future__ import annotations

from complaints.notices import NoticeKind, StaffNotice, TicketNotice
from complaints.thai_calendar import thai_date
from complaints.tickets import Status
from handlers import texts_th as th
from handlers.commands import Command, not_fixed_payload, rate_payload
from handlers.messages import Choice, Reply
from nlu.categories import BY_SLUG


def status_label(status: Status) -> str:
    return th.STATUS_LABELS[status.value]


def category_label(category: str) -> str:
    """The Thai name of a category slug; anything else as it was stored."""
    known = BY_SLUG.get(category)
    return known.name if known else category


def render(notice: TicketNotice) -> Reply:
    code = str(notice.code)
    lines = [_body(notice)]
    lines.append(th.NOTICE_FOLLOW.format(code=code))
    if notice.kind is NoticeKind.RESULT:
        lines.append(th.NOTICE_ASK_RATING)
        return Reply(text="\n".join(lines), quick_replies=rating_choices(code))
    return Reply(
        text="\n".join(lines),
        quick_replies=(Choice(th.LABEL_MY_TICKETS, Command.MY_TICKETS.value),),
    )


def rating_choices(code: str) -> tuple[Choice, ...]:
    stars = tuple(
        Choice(th.RATING_LABEL.format(stars=n), rate_payload(code, n)) for n in range(5, 0, -1)
    )
    return (*stars, Choice(th.LABEL_NOT_FIXED, not_fixed_payload(code)))


def _body(notice: TicketNotice) -> str:
    code, note = str(notice.code), notice.public_note
    if notice.kind is NoticeKind.RESULT:
        head = th.NOTICE_RESULT.format(code=code)
        return f"{head}\n{th.NOTICE_RESULT_NOTE.format(note=note)}" if note else head
    if notice.kind is NoticeKind.REJECTED:
        return th.NOTICE_REJECTED.format(code=code, note=note)
    if notice.kind is NoticeKind.EXPLANATION:
        if notice.expected_on is None:
            raise ValueError("an explanation needs the new expected date")
        template = th.NOTICE_EXPLANATION if notice.late else th.NOTICE_NEW_DATE
        return template.format(
            code=code,
            reason=note or th.NOTICE_STANDARD_REASON,
            date=thai_date(notice.expected_on),
        )
    head = th.NOTICE_UPDATE.format(code=code, status=status_label(notice.status))
    return f"{head}\n{th.NOTICE_NOTE.format(note=note)}" if note else head


def render_staff(notice: StaffNotice) -> Reply:
    code = str(notice.code)
    if notice.days_left > 0:
        when = th.STAFF_DUE_IN.format(days=notice.days_left)
    elif notice.days_left == 0:
        when = th.STAFF_DUE_TODAY
    else:
        when = th.STAFF_OVERDUE.format(days=-notice.days_left)
    text = th.STAFF_REMINDER.format(
        code=code,
        category=category_label(notice.category),
        date=thai_date(notice.expected_on),
        when=when,
    )
    return Reply(text=f"{text}\n{th.STAFF_REMINDER_HINT.format(code=code)}")
