"""Channel-neutral messages: what arrives from a citizen and what the bot sends back.

Channel adapters translate LINE and Telegram payloads to `IncomingMessage` and render
`Reply` natively (LINE Flex and quick replies, Telegram inline keyboards).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class MessageKind(enum.StrEnum):
    TEXT = "text"
    POSTBACK = "postback"
    LOCATION = "location"
    IMAGE = "image"
    FILE = "file"  # a document (PDF, ...): taken as evidence of a corruption report only
    STICKER = "sticker"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    UNSUPPORTED = "unsupported"  # video, audio, file, ... : answered politely, never dropped


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    address: str = ""


@dataclass(frozen=True)
class IncomingMessage:
    channel: str
    user_id: str
    kind: MessageKind
    received_at: datetime
    text: str = ""
    postback: str = ""
    location: Location | None = None
    media_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "user_id": self.user_id,
            "kind": self.kind.value,
            "received_at": self.received_at.isoformat(),
            "text": self.text,
            "postback": self.postback,
            "location": (
                None
                if self.location is None
                else {
                    "latitude": self.location.latitude,
                    "longitude": self.location.longitude,
                    "address": self.location.address,
                }
            ),
            "media_id": self.media_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncomingMessage:
        loc = data.get("location")
        return cls(
            channel=data["channel"],
            user_id=data["user_id"],
            kind=MessageKind(data["kind"]),
            received_at=datetime.fromisoformat(data["received_at"]),
            text=data.get("text", ""),
            postback=data.get("postback", ""),
            location=None if loc is None else Location(**loc),
            media_id=data.get("media_id"),
        )


# Choice.action: a quick reply that asks the app for something instead of sending a payload.
# LINE has them; Telegram's inline keyboards do not, so its renderer leaves such buttons out.
ACTION_LOCATION = "location"  # share a location
ACTION_CAMERA = "camera"  # take a photo
ACTION_CAMERA_ROLL = "camera_roll"  # pick a photo


@dataclass(frozen=True)
class Choice:
    """A button: sends `payload` back as a postback; `url` makes it a link instead; `action`
    (one of the ACTION_ constants) makes it a request for a location or a photo."""

    label: str
    payload: str = ""
    url: str = ""
    action: str = ""

    def to_dict(self) -> dict[str, str]:
        data = {"label": self.label, "payload": self.payload, "url": self.url}
        if self.action:  # only then: rows without it stay readable by a process one version older
            data["action"] = self.action
        return data

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Choice:
        return cls(
            label=data["label"],
            payload=data.get("payload", ""),
            url=data.get("url", ""),
            action=data.get("action", ""),
        )


@dataclass(frozen=True)
class Card:
    title: str
    body: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Choice, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "body": self.body,
            "facts": [list(f) for f in self.facts],
            "buttons": [b.to_dict() for b in self.buttons],
        }


@dataclass(frozen=True)
class Reply:
    """One message bubble. Text, cards (a carousel when more than one), quick replies."""

    text: str = ""
    cards: tuple[Card, ...] = ()
    quick_replies: tuple[Choice, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "cards": [c.to_dict() for c in self.cards],
            "quick_replies": [q.to_dict() for q in self.quick_replies],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data.get("text", ""),
            cards=tuple(
                Card(
                    title=c["title"],
                    body=c.get("body", ""),
                    facts=tuple((f[0], f[1]) for f in c.get("facts", [])),
                    buttons=tuple(Choice.from_dict(b) for b in c.get("buttons", [])),
                )
                for c in data.get("cards", [])
            ),
            quick_replies=tuple(Choice.from_dict(q) for q in data.get("quick_replies", [])),
        )
