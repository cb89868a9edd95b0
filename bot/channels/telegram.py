"""Telegram Bot API over plain HTTP: update parsing, rendering, sendMessage."""

from __future__ import annotations

import contextlib
import hmac
import html
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import requests

from bot.channels import fields
from bot.channels.base import (
    Delivery,
    DeliveryError,
    InboundEventData,
    MalformedPayload,
    classify_http_status,
)
from handlers.messages import Card, Choice, IncomingMessage, Location, MessageKind, Reply

CHANNEL = "telegram"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64  # bytes


def secret_is_valid(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def parse_update(body: bytes, received_at: datetime) -> list[InboundEventData]:
    try:
        update = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload("body is not JSON") from exc
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if isinstance(update_id, bool) or not isinstance(update_id, int) or not 0 <= update_id < 2**63:
        raise MalformedPayload("no update_id")
    event = _parse(update, str(update_id), received_at)
    return [] if event is None else [event]


def _parse(update: dict[str, Any], key: str, received_at: datetime) -> InboundEventData | None:
    if isinstance(update.get("message"), dict):
        msg = update["message"]
        chat = fields.obj(msg.get("chat"))
        chat_id = fields.ident(chat.get("id"))
        if chat.get("type") != "private" or chat_id is None:
            return None
        kind, values = _message_fields(msg)
        return _event(key, chat_id, kind, values, msg.get("date"), received_at)
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        chat = fields.obj(fields.obj(query.get("message")).get("chat"))
        chat_id = fields.ident(chat.get("id", fields.obj(query.get("from")).get("id")))
        query_id = fields.ident(query.get("id"))
        if chat_id is None or query_id is None or (chat and chat.get("type") != "private"):
            return None
        values = {"postback": fields.text(query.get("data"), MAX_CALLBACK_DATA)}
        event = _event(key, chat_id, MessageKind.POSTBACK, values, None, received_at)
        # the callback id rides in the reply-token slot: the sender answers it (stops the spinner)
        return InboundEventData(event.event_key, event.message, event.event_ts, query_id)
    if isinstance(update.get("my_chat_member"), dict):
        member = update["my_chat_member"]
        chat = fields.obj(member.get("chat"))
        chat_id = fields.ident(chat.get("id"))
        status = fields.obj(member.get("new_chat_member")).get("status")
        if chat.get("type") == "private" and status == "kicked" and chat_id is not None:
            return _event(key, chat_id, MessageKind.UNFOLLOW, {}, member.get("date"), received_at)
    return None  # edited messages, channel posts, inline queries...: not ours to answer


def _message_fields(msg: dict[str, Any]) -> tuple[MessageKind, dict[str, Any]]:
    if isinstance(msg.get("text"), str):
        text = msg["text"][:MAX_TEXT]
        if text.strip().split("@", 1)[0] == "/start":
            return MessageKind.FOLLOW, {}
        return MessageKind.TEXT, {"text": text}
    if isinstance(msg.get("location"), dict):
        latitude = fields.coordinate(msg["location"].get("latitude"), 90)
        longitude = fields.coordinate(msg["location"].get("longitude"), 180)
        if latitude is None or longitude is None:
            return MessageKind.UNSUPPORTED, {}
        return MessageKind.LOCATION, {"location": Location(latitude, longitude)}
    photos = msg.get("photo")
    if isinstance(photos, list) and photos:
        largest = fields.obj(photos[-1])  # Telegram lists the sizes smallest first
        return MessageKind.IMAGE, {"media_id": fields.text(largest.get("file_id"), 255) or None}
    document = msg.get("document")
    if isinstance(document, dict):
        return MessageKind.FILE, {"media_id": fields.text(document.get("file_id"), 255) or None}
    if isinstance(msg.get("sticker"), dict):
        return MessageKind.STICKER, {}
    return MessageKind.UNSUPPORTED, {}


def _event(
    key: str,
    chat_id: str,
    kind: MessageKind,
    values: dict[str, Any],
    date: Any,
    received_at: datetime,
) -> InboundEventData:
    message = IncomingMessage(
        channel=CHANNEL, user_id=chat_id, kind=kind, received_at=received_at, **values
    )
    return InboundEventData(
        event_key=key, message=message, event_ts=fields.epoch(date) or received_at
    )


# ---- rendering ------------------------------------------------------------------------


def _card_html(card: Card) -> str:
    lines = [f"<b>{html.escape(card.title)}</b>"]
    if card.body:
        lines.append(html.escape(card.body))
    lines.extend(f"• <b>{html.escape(k)}:</b> {html.escape(v)}" for k, v in card.facts)
    return "\n".join(lines)


def _card_plain(card: Card) -> str:
    lines = [card.title, *([card.body] if card.body else [])]
    lines.extend(f"• {k}: {v}" for k, v in card.facts)
    return "\n".join(lines)


def _button(choice: Choice) -> dict[str, str]:
    if choice.url:
        return {"text": choice.label, "url": choice.url}
    data = choice.payload.encode()[:MAX_CALLBACK_DATA].decode(errors="ignore")
    return {"text": choice.label, "callback_data": data}


def render(reply: Reply) -> dict[str, Any]:
    parts = [html.escape(reply.text)] if reply.text else []
    parts.extend(_card_html(c) for c in reply.cards)
    text = "\n\n".join(parts) or "…"
    message: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if len(text) > MAX_TEXT:
        # cutting HTML could split an entity or a tag, which Telegram refuses for good:
        # a long message goes as plain text instead
        plain = "\n\n".join(p for p in (reply.text, *map(_card_plain, reply.cards)) if p)
        message = {"text": plain if len(plain) <= MAX_TEXT else plain[: MAX_TEXT - 1] + "…"}
    # inline keyboards cannot ask for a location or a photo: such buttons are left out
    rows: list[list[dict[str, str]]] = [
        [_button(b)] for card in reply.cards for b in card.buttons if not b.action
    ]
    quick = [q for q in reply.quick_replies if not q.action]
    rows.extend([_button(q) for q in quick[i : i + 2]] for i in range(0, len(quick), 2))
    if rows:
        message["reply_markup"] = {"inline_keyboard": rows}
    return message


class TelegramSender:
    channel = CHANNEL

    def __init__(self, token: str, endpoint: str, timeout_seconds: float) -> None:
        self._base = f"{endpoint}/bot{token}"
        self._timeout = (min(3.0, timeout_seconds), timeout_seconds)
        self._http = requests.Session()

    def units(self, replies: Sequence[Reply]) -> list[tuple[Reply, ...]]:
        return [(r,) for r in replies]  # one sendMessage per reply: a retry never repeats another

    def send(self, delivery: Delivery) -> None:
        if delivery.reply_token:
            self._answer_callback(delivery.reply_token)
        for reply in delivery.replies:
            self._call("sendMessage", {"chat_id": delivery.recipient, **render(reply)})

    def _answer_callback(self, callback_id: str) -> None:
        # only stops the button's spinner; the message itself matters more
        with contextlib.suppress(DeliveryError):
            self._call("answerCallbackQuery", {"callback_query_id": callback_id})

    def _call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(
                f"{self._base}/{method}", json=payload, timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise DeliveryError(type(exc).__name__, retryable=True) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 200 and body.get("ok"):
            return body
        retry_after = (body.get("parameters") or {}).get("retry_after")
        raise classify_http_status(
            response.status_code, float(retry_after) if retry_after else None
        )
