"""Dialog tests as transcripts: a citizen says or taps something through the real webhook
(signed LINE body or Telegram update), the worker handles it inline, and the test reads
what the fake platform received: the text and the buttons, on either channel."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask

from tests.support.fake_platform import FakePlatform
from tests.support.helpers import TELEGRAM_SECRET, FakeClock, line_body, line_signature


@dataclass(frozen=True)
class Said:
    """What the bot sent back for one message: all bubbles' text, and the buttons of the
    last (label → payload; an app action such as location shows as "action:<type>")."""

    text: str
    buttons: dict[str, str]

    def __contains__(self, fragment: str) -> bool:
        return fragment in self.text

    def payload(self, label_start: str) -> str:
        """The payload of the button whose label starts with `label_start`."""
        for label, payload in self.buttons.items():
            if label.startswith(label_start):
                return payload
        raise AssertionError(f"no button {label_start!r} in {list(self.buttons)}")


_ids = itertools.count(1)


class Chat:
    channel: str

    def __init__(self, app: Flask, platform: FakePlatform, clock: FakeClock) -> None:
        self.client = app.test_client()
        self.platform = platform
        self.clock = clock
        self._seen = 0

    def say(self, text: str) -> Said:
        raise NotImplementedError

    def tap(self, payload: str) -> Said:
        raise NotImplementedError

    def tap_label(self, said: Said, label_start: str) -> Said:
        return self.tap(said.payload(label_start))

    def send_location(self, latitude: float, longitude: float, address: str = "") -> Said:
        raise NotImplementedError

    def send_photo(self, media_id: str) -> Said:
        raise NotImplementedError

    def unread(self) -> Said:
        raise NotImplementedError

    def send_file(self, media_id: str, name: str = "evidence.pdf") -> Said:
        raise NotImplementedError


class LineChat(Chat):
    channel = "line"

    def __init__(
        self, app: Flask, platform: FakePlatform, clock: FakeClock, user: str = "U" + "d" * 32
    ) -> None:
        super().__init__(app, platform, clock)
        self.user = user
        self._seen = len(platform.delivered_line_messages())  # earlier chats' messages

    def say(self, text: str) -> Said:
        return self._send({"type": "message", "message": {"id": "1", "type": "text", "text": text}})

    def tap(self, payload: str) -> Said:
        return self._send({"type": "postback", "postback": {"data": payload}})

    def send_location(self, latitude: float, longitude: float, address: str = "") -> Said:
        message = {
            "id": "1",
            "type": "location",
            "latitude": latitude,
            "longitude": longitude,
            "address": address,
        }
        return self._send({"type": "message", "message": message})

    def send_photo(self, media_id: str) -> Said:
        message = {"id": media_id, "type": "image", "contentProvider": {"type": "line"}}
        return self._send({"type": "message", "message": message})

    def send_file(self, media_id: str, name: str = "evidence.pdf") -> Said:
        message = {"id": media_id, "type": "file", "fileName": name, "fileSize": 100}
        return self._send({"type": "message", "message": message})

    def _send(self, event: dict[str, Any]) -> Said:
        n = next(_ids)
        raw = {
            **event,
            "mode": "active",
            "timestamp": int(self.clock.now().timestamp() * 1000) + n,
            "source": {"type": "user", "userId": self.user},
            "webhookEventId": f"01DIALOG{n:018d}",
            "deliveryContext": {"isRedelivery": False},
            "replyToken": f"dialog-token-{n}",
        }
        body = line_body(raw)
        response = self.client.post(
            "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return self.unread()

    def unread(self) -> Said:
        """What arrived since the last look: pushes sent by the worker, not as replies."""
        messages = self.platform.delivered_line_messages()
        new, self._seen = messages[self._seen :], len(messages)
        texts = [m.get("text") or _flex_text(m) for m in new]
        buttons: dict[str, str] = {}
        if new:
            for item in new[-1].get("quickReply", {}).get("items", []):
                action = item["action"]
                payload = action.get("data") or f"action:{action['type']}"
                buttons[action["label"]] = payload
            for message in new:
                buttons.update(_flex_buttons(message))
        return Said("\n".join(texts), buttons)


class TelegramChat(Chat):
    channel = "telegram"

    def __init__(
        self, app: Flask, platform: FakePlatform, clock: FakeClock, chat_id: int = 4242
    ) -> None:
        super().__init__(app, platform, clock)
        self.chat_id = chat_id
        self._seen = len(platform.requests_to("/sendMessage"))

    def say(self, text: str) -> Said:
        return self._message({"text": text})

    def tap(self, payload: str) -> Said:
        n = next(_ids)
        update = {
            "update_id": 500_000 + n,
            "callback_query": {
                "id": f"cb{n}",
                "from": {"id": self.chat_id, "is_bot": False, "first_name": "สมศรี"},
                "message": {"message_id": n, "chat": {"id": self.chat_id, "type": "private"}},
                "data": payload,
            },
        }
        return self._post(update)

    def send_location(self, latitude: float, longitude: float, address: str = "") -> Said:
        return self._message({"location": {"latitude": latitude, "longitude": longitude}})

    def send_photo(self, media_id: str) -> Said:
        sizes = [
            {"file_id": f"{media_id}-small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": media_id, "file_unique_id": "b", "width": 800, "height": 600},
        ]
        return self._message({"photo": sizes})

    def send_file(self, media_id: str, name: str = "evidence.pdf") -> Said:
        document = {"file_id": media_id, "file_unique_id": "d", "file_name": name}
        return self._message({"document": {**document, "mime_type": "application/pdf"}})

    def _message(self, content: dict[str, Any]) -> Said:
        n = next(_ids)
        update = {
            "update_id": 500_000 + n,
            "message": {
                "message_id": n,
                "date": int(self.clock.now().timestamp()) + n,
                "chat": {"id": self.chat_id, "type": "private", "first_name": "สมศรี"},
                "from": {"id": self.chat_id, "is_bot": False, "first_name": "สมศรี"},
                **content,
            },
        }
        return self._post(update)

    def _post(self, update: dict[str, Any]) -> Said:
        response = self.client.post(
            "/webhook/telegram",
            data=json.dumps(update, ensure_ascii=False).encode(),
            headers={
                "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return self.unread()

    def unread(self) -> Said:
        sent = [c.json for c in self.platform.requests_to("/sendMessage")]
        new, self._seen = sent[self._seen :], len(sent)
        texts = [m.get("text", "") for m in new]
        buttons: dict[str, str] = {}
        if new:
            for row in new[-1].get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    buttons[button["text"]] = button.get("callback_data") or button.get("url", "")
        return Said("\n".join(texts), buttons)


def _flex_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every component of a Flex message, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _flex_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _flex_nodes(value)


def _flex_buttons(message: dict[str, Any]) -> dict[str, str]:
    """Buttons inside Flex cards (a carousel's bubbles), label → payload."""
    if message.get("type") != "flex":
        return {}
    return {
        node["action"]["label"]: node["action"].get("data") or node["action"].get("uri", "")
        for node in _flex_nodes(message.get("contents"))
        if node.get("type") == "button"
    }


def _flex_text(message: dict[str, Any]) -> str:
    """Every text inside a Flex message (titles, facts), one per line."""
    texts = [
        node["text"]
        for node in _flex_nodes(message.get("contents"))
        if node.get("type") == "text" and isinstance(node.get("text"), str)
    ]
    return "\n".join(texts) or message.get("altText", "")
