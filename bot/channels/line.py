"""LINE Messaging API: signature check, webhook parsing, Flex rendering, reply and push."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhook import SignatureValidator

from bot.channels import fields
from bot.channels.base import (
    Delivery,
    DeliveryError,
    InboundEventData,
    MalformedPayload,
    classify_http_status,
)
from handlers.messages import (
    ACTION_CAMERA,
    ACTION_CAMERA_ROLL,
    ACTION_LOCATION,
    Card,
    Choice,
    IncomingMessage,
    Location,
    MessageKind,
    Reply,
)

CHANNEL = "line"
MAX_MESSAGES_PER_REQUEST = 5
MAX_QUICK_REPLIES = 13
MAX_TEXT = 5000
MAX_POSTBACK_DATA = 300
MAX_CAROUSEL = 12
MAX_REPLY_TOKEN = 255

_MESSAGE_KINDS = {
    "image": MessageKind.IMAGE,
    "file": MessageKind.FILE,
    "location": MessageKind.LOCATION,
    "sticker": MessageKind.STICKER,
    "text": MessageKind.TEXT,
}


def signature_is_valid(channel_secret: str, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        return bool(SignatureValidator(channel_secret).validate(body.decode("utf-8"), signature))
    except (UnicodeDecodeError, ValueError):
        return False


def parse_webhook(body: bytes, received_at: datetime) -> list[InboundEventData]:
    """Events worth acting on: 1:1 chats in active mode. Others are skipped, not errors."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload("body is not JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise MalformedPayload("no events list")
    parsed = []
    for raw in payload["events"]:
        if not isinstance(raw, dict):
            raise MalformedPayload("an event is not an object")
        event = _parse_event(raw, received_at)
        if event is not None:
            parsed.append(event)
    return parsed


def _parse_event(raw: dict[str, Any], received_at: datetime) -> InboundEventData | None:
    if raw.get("mode", "active") != "active":
        return None  # standby: another channel (e.g. a chat module) owns the conversation
    source = fields.obj(raw.get("source"))
    if source.get("type") != "user":
        return None  # groups and rooms: citizens' matters are handled in private chats
    user_id = fields.ident(source.get("userId"))
    if user_id is None:
        return None
    kind, values = _message_fields(raw)
    if kind is None:
        return None
    timestamp = raw.get("timestamp")
    event_ts = (
        fields.epoch(timestamp / 1000) if isinstance(timestamp, int | float) else None
    ) or received_at
    message = IncomingMessage(
        channel=CHANNEL, user_id=user_id, kind=kind, received_at=received_at, **values
    )
    return InboundEventData(
        event_key=_event_key(raw),
        message=message,
        event_ts=event_ts,
        reply_token=fields.text(raw.get("replyToken"), MAX_REPLY_TOKEN) or None,
    )


def _message_fields(raw: dict[str, Any]) -> tuple[MessageKind | None, dict[str, Any]]:
    event_type = raw.get("type")
    if event_type == "follow":
        return MessageKind.FOLLOW, {}
    if event_type == "unfollow":
        return MessageKind.UNFOLLOW, {}
    if event_type == "postback":
        data = fields.obj(raw.get("postback")).get("data")
        return MessageKind.POSTBACK, {"postback": fields.text(data, MAX_POSTBACK_DATA)}
    message = raw.get("message")
    if event_type != "message" or not isinstance(message, dict):
        return None, {}  # beacon, unsend, memberJoined, messageEdited, unknown types...
    message_type = message.get("type")
    kind = (
        _MESSAGE_KINDS.get(message_type, MessageKind.UNSUPPORTED)
        if isinstance(message_type, str)
        else MessageKind.UNSUPPORTED
    )
    if kind is MessageKind.TEXT:
        return kind, {"text": fields.text(message.get("text"), MAX_TEXT)}
    if kind is MessageKind.LOCATION:
        latitude = fields.coordinate(message.get("latitude"), 90)
        longitude = fields.coordinate(message.get("longitude"), 180)
        if latitude is None or longitude is None:
            return MessageKind.UNSUPPORTED, {}
        address = fields.text(message.get("address"), 500) or fields.text(message.get("title"), 500)
        return kind, {"location": Location(latitude, longitude, address)}
    if kind in (MessageKind.IMAGE, MessageKind.FILE):
        return kind, {"media_id": fields.ident(message.get("id"))}
    return kind, {}


def _event_key(raw: dict[str, Any]) -> str:
    key = raw.get("webhookEventId")
    if isinstance(key, str) and 0 < len(key) <= 64:
        return key
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()[:56]


# ---- rendering ------------------------------------------------------------------------


# Choice.action → LINE action type; LINE allows these in quick replies only, not in Flex
_APP_ACTIONS = {
    ACTION_LOCATION: "location",
    ACTION_CAMERA: "camera",
    ACTION_CAMERA_ROLL: "cameraRoll",
}


def _action(choice: Choice) -> dict[str, Any]:
    label = choice.label[:20]
    if choice.action:
        return {"type": _APP_ACTIONS[choice.action], "label": label}
    if choice.url:
        return {"type": "uri", "label": label, "uri": choice.url}
    return {
        "type": "postback",
        "label": label,
        "data": choice.payload[:MAX_POSTBACK_DATA],
        "displayText": choice.label[:300],
    }


def _bubble(card: Card) -> dict[str, Any]:
    contents: list[dict[str, Any]] = [
        {"type": "text", "text": card.title[:200], "weight": "bold", "size": "lg", "wrap": True}
    ]
    if card.body:
        contents.append({"type": "text", "text": card.body[:2000], "wrap": True, "size": "sm"})
    for name, value in card.facts:
        contents.append(
            {
                "type": "box",
                "layout": "baseline",
                "spacing": "sm",
                "contents": [
                    {
                        "type": "text",
                        "text": name[:100],
                        "size": "sm",
                        "color": "#888888",
                        "flex": 2,
                        "wrap": True,
                    },
                    {"type": "text", "text": value[:500], "size": "sm", "flex": 5, "wrap": True},
                ],
            }
        )
    bubble: dict[str, Any] = {
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": contents},
    }
    buttons = [b for b in card.buttons if not b.action][:4]
    if buttons:
        bubble["footer"] = {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": [
                {
                    "type": "button",
                    "style": "primary" if i == 0 else "secondary",
                    "height": "sm",
                    "action": _action(b),
                }
                for i, b in enumerate(buttons)
            ],
        }
    return bubble


def render(reply: Reply) -> list[dict[str, Any]]:
    """One Reply becomes a text message and/or a Flex message; quick replies go on the last."""
    messages: list[dict[str, Any]] = []
    if reply.text:
        messages.append({"type": "text", "text": reply.text[:MAX_TEXT]})
    if reply.cards:
        cards = reply.cards[:MAX_CAROUSEL]
        contents = (
            _bubble(cards[0])
            if len(cards) == 1
            else {"type": "carousel", "contents": [_bubble(c) for c in cards]}
        )
        messages.append({"type": "flex", "altText": cards[0].title[:400], "contents": contents})
    if not messages:
        messages.append({"type": "text", "text": "…"})
    quick = [
        q for q in reply.quick_replies if not q.url and (not q.action or q.action in _APP_ACTIONS)
    ][:MAX_QUICK_REPLIES]
    if quick:
        messages[-1]["quickReply"] = {
            "items": [{"type": "action", "action": _action(q)} for q in quick]
        }
    return messages


class LineSender:
    channel = CHANNEL

    def __init__(self, access_token: str, endpoint: str, timeout_seconds: float) -> None:
        config = Configuration(host=endpoint, access_token=access_token)
        config.retries = False  # retries are the outbox's job, with backoff and a retry key
        self._api = MessagingApi(ApiClient(config))
        self._timeout = (min(3.0, timeout_seconds), timeout_seconds)

    def units(self, replies: Sequence[Reply]) -> list[tuple[Reply, ...]]:
        units: list[tuple[Reply, ...]] = []
        current: list[Reply] = []
        size = 0
        for reply in replies:
            n = len(render(reply))
            if current and size + n > MAX_MESSAGES_PER_REQUEST:
                units.append(tuple(current))
                current, size = [], 0
            current.append(reply)
            size += n
        if current:
            units.append(tuple(current))
        return units

    def send(self, delivery: Delivery) -> None:
        messages = [m for r in delivery.replies for m in render(r)][:MAX_MESSAGES_PER_REQUEST]
        if delivery.reply_token and self._reply(delivery.reply_token, messages):
            return
        self._push(delivery.recipient, messages, delivery.retry_key)

    def _reply(self, token: str, messages: list[dict[str, Any]]) -> bool:
        """Free, but single-use and short-lived. False means: fall back to a push."""
        request = ReplyMessageRequest.from_dict({"replyToken": token, "messages": messages})
        try:
            self._api.reply_message_with_http_info(
                request, _request_timeout=self._timeout, _preload_content=False
            )
        except (ApiException, urllib3.exceptions.HTTPError, OSError):
            return False
        return True

    def _push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> None:
        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        try:
            self._api.push_message_with_http_info(
                request,
                x_line_retry_key=retry_key,
                _request_timeout=self._timeout,
                _preload_content=False,  # a 2xx is success; never re-send over a parse error
            )
        except ApiException as exc:
            if exc.status == 409:
                return  # this retry key was already accepted: delivered once, not twice
            raise classify_http_status(exc.status or 0, _retry_after(exc)) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise DeliveryError(type(exc).__name__, retryable=True) from None


def _retry_after(exc: ApiException) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value else None
    except ValueError:
        return None
