"""Greeting, main menu, help, cancel, privacy, thanks, contact and the polite fallback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from handlers import texts_th as th
from handlers.commands import Command
from handlers.contract import IDLE, Outcome, Turn
from handlers.messages import Choice, MessageKind, Reply


@dataclass(frozen=True)
class OfficeInfo:
    name: str
    phone: str = ""

    def fill(self, template: str) -> str:
        phone = th.PHONE_SUFFIX.format(phone=self.phone) if self.phone else ""
        return template.format(office=self.name, phone=phone)


@dataclass(frozen=True)
class MenuEntry:
    """A main-menu item. Only what works is listed; later features add their entries."""

    label: str
    payload: str


def _is(turn: Turn, command: Command) -> bool:
    return turn.message.kind is MessageKind.POSTBACK and turn.message.postback == command.value


class Menu:
    name = "menu"

    def __init__(self, entries: tuple[MenuEntry, ...]) -> None:
        self.entries = entries

    def choices(self) -> tuple[Choice, ...]:
        return tuple(Choice(label=e.label, payload=e.payload) for e in self.entries)

    def reply(self, text: str = th.MENU_INTRO) -> Reply:
        return Reply(text=text, quick_replies=self.choices())

    def matches(self, turn: Turn) -> bool:
        return _is(turn, Command.MENU)

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((self.reply(),))


class Greeting:
    name = "greeting"

    def __init__(self, office: OfficeInfo, menu: Menu) -> None:
        self.office = office
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return turn.message.kind is MessageKind.FOLLOW or turn.intent == "greeting"

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((self.menu.reply(self.office.fill(th.GREETING)),))


class Help:
    name = "help"

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return _is(turn, Command.HELP)

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((self.menu.reply(th.HELP),))


class Cancel:
    name = "cancel"

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return _is(turn, Command.CANCEL) or turn.intent == "cancel"

    def handle(self, turn: Turn) -> Outcome:
        text = th.NOTHING_TO_CANCEL if turn.state.idle else th.CANCELLED
        return Outcome((self.menu.reply(text),), IDLE)


class Privacy:
    name = "privacy"

    def __init__(self, office: OfficeInfo, menu: Menu) -> None:
        self.office = office
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return _is(turn, Command.PRIVACY)

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((self.menu.reply(self.office.fill(th.PRIVACY)),))


class Contact:
    """Wants a person. Until staff chat exists, say honestly how to reach the office."""

    name = "contact"

    def __init__(self, office: OfficeInfo, menu: Menu) -> None:
        self.office = office
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return _is(turn, Command.CONTACT) or turn.intent == "human"

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((self.menu.reply(self.office.fill(th.HUMAN)),))


class Thanks:
    name = "thanks"

    def matches(self, turn: Turn) -> bool:
        return turn.intent == "thanks"

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((Reply(text=th.THANKS),))


class NotYetAvailable:
    """Intents whose features have not landed: answer honestly and point to a real channel.

    Corruption reports are pointed to the national channels (NACC 1205, PACC 1206), never
    filed anywhere general.
    """

    name = "not_yet_available"
    _TEXTS: ClassVar[dict[str, str]] = {
        "complaint_general": th.NOT_YET_COMPLAINT,
        "complaint_corruption": th.NOT_YET_CORRUPTION,
        "service_info": th.NOT_YET_SERVICE_INFO,
        "ticket_status": th.NOT_YET_STATUS,
    }

    def __init__(self, office: OfficeInfo, menu: Menu) -> None:
        self.office = office
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return turn.intent in self._TEXTS

    def handle(self, turn: Turn) -> Outcome:
        intent = turn.intent or ""
        return Outcome((self.menu.reply(self.office.fill(self._TEXTS[intent])),))


class NonText:
    """Stickers, images, video, files outside a flow: a friendly answer, never silence."""

    name = "non_text"

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return turn.message.kind in {
            MessageKind.STICKER,
            MessageKind.IMAGE,
            MessageKind.FILE,
            MessageKind.LOCATION,
            MessageKind.UNSUPPORTED,
        } or (turn.message.kind is MessageKind.TEXT and not turn.message.text.strip())

    def handle(self, turn: Turn) -> Outcome:
        kind = turn.message.kind
        if kind is MessageKind.STICKER:
            text = th.STICKER
        elif kind is MessageKind.TEXT:
            text = th.EMPTY_TEXT
        else:
            text = th.NOT_TEXT
        return Outcome((self.menu.reply(text),))


class Fallback:
    name = "fallback"

    def __init__(self, menu: Menu) -> None:
        self.menu = menu

    def matches(self, turn: Turn) -> bool:
        return True

    def handle(self, turn: Turn) -> Outcome:
        return Outcome((self.menu.reply(th.FALLBACK),))
