"""PDPA erasure on request: "ลบข้อมูลของฉัน" asks once, then removes the person's name,
phone, photos and chat link from their tickets, which stay anonymised in the statistics."""

from __future__ import annotations

from handlers import texts_th as th
from handlers.basic import Menu
from handlers.commands import Command
from handlers.contract import IDLE, Outcome, Turn
from handlers.messages import Choice, MessageKind, Reply

CONFIRM_ERASE = Command.ERASE_CONFIRM.value


class EraseMyData:
    name = "erase_my_data"

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return turn.message.kind is MessageKind.POSTBACK and turn.message.postback in (
            Command.ERASE_MY_DATA.value,
            CONFIRM_ERASE,
        )

    def handle(self, turn: Turn) -> Outcome:
        if turn.message.postback == Command.ERASE_MY_DATA.value:
            ask = Reply(
                text=th.ERASE_ASK,
                quick_replies=(
                    Choice(th.LABEL_ERASE_CONFIRM, CONFIRM_ERASE),
                    Choice(th.LABEL_ERASE_KEEP, Command.MENU.value),
                ),
            )
            return Outcome((ask,), turn.state)
        desk = turn.ports.desk
        if desk is None:
            return Outcome((Reply(text=th.STATUS_UNAVAILABLE),), turn.state)
        erasure = desk.erase_personal_data(turn.message.received_at)
        if turn.ports.photos is not None and erasure.photo_keys:
            turn.ports.photos.discard(erasure.photo_keys)
        text = th.ERASED.format(count=erasure.tickets) if erasure.tickets else th.ERASED_NOTHING
        # whatever an open flow had collected (a half-written complaint) goes too
        return Outcome((self.menu.reply(text),), IDLE)
