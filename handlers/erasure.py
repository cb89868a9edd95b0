"""PDPA erasure on request: "ลบข้อมูลของฉัน" asks once, then removes the person's name,
phone, photos and chat link from their tickets, which stay anonymised in the statistics.

The confirm button carries the time it was offered and works for a few minutes only: an
old button tapped months later must not erase tickets filed since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers import texts_th as th
from handlers.basic import Menu
from handlers.commands import ARGUMENT_SEPARATOR, Command
from handlers.complaint_intake import draft_photo_keys
from handlers.contract import IDLE, Outcome, Turn
from handlers.messages import Choice, MessageKind, Reply

CONFIRM_WINDOW = timedelta(minutes=10)


def confirm_payload(asked_at: datetime) -> str:
    return f"{Command.ERASE_CONFIRM.value}{ARGUMENT_SEPARATOR}{int(asked_at.timestamp())}"


def _asked_at(payload: str) -> datetime | None:
    _, _, stamp = payload.partition(ARGUMENT_SEPARATOR)
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 11):
        return None
    return datetime.fromtimestamp(int(stamp), UTC)


class EraseMyData:
    name = "erase_my_data"

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return turn.message.kind is MessageKind.POSTBACK and turn.message.postback.partition(
            ARGUMENT_SEPARATOR
        )[0] in (Command.ERASE_MY_DATA.value, Command.ERASE_CONFIRM.value, Command.ERASE_KEEP.value)

    def handle(self, turn: Turn) -> Outcome:
        message = turn.message
        if message.postback == Command.ERASE_MY_DATA.value:
            return Outcome((self._ask(message.received_at),), turn.state)
        if message.postback == Command.ERASE_KEEP.value:  # an open complaint carries on
            kept = Reply(text=th.ERASE_KEPT)
            return Outcome((kept if not turn.state.idle else self.menu.reply(th.ERASE_KEPT),))
        asked_at = _asked_at(message.postback)
        fresh = asked_at is not None and (
            timedelta(0) <= message.received_at - asked_at <= CONFIRM_WINDOW
        )
        if not fresh:
            expired = Reply(
                text=th.ERASE_EXPIRED, quick_replies=self._ask(message.received_at).quick_replies
            )
            return Outcome((expired,), turn.state)
        desk = turn.ports.desk
        if desk is None:
            return Outcome((Reply(text=th.STATUS_UNAVAILABLE),), turn.state)
        erasure = desk.erase_personal_data(message.received_at)
        photos = [*erasure.photo_keys, *draft_photo_keys(turn.state)]
        if turn.ports.photos is not None and photos:
            turn.ports.photos.discard(photos)
        text = th.ERASED.format(count=erasure.tickets) if erasure.tickets else th.ERASED_NOTHING
        text = f"{text}\n{th.ERASE_NOT_CORRUPTION}"  # sealed, unlinked: say so, plainly
        # whatever an open flow had collected (a half-written complaint) goes too
        return Outcome((self.menu.reply(text),), IDLE)

    @staticmethod
    def _ask(now: datetime) -> Reply:
        return Reply(
            text=th.ERASE_ASK,
            quick_replies=(
                Choice(th.LABEL_ERASE_CONFIRM, confirm_payload(now)),
                Choice(th.LABEL_ERASE_KEEP, Command.ERASE_KEEP.value),
            ),
        )
