"""HTTP routes. Thin: verify, parse to channel-neutral events, record, dispatch, answer."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from bot.channels import line, telegram
from bot.channels.base import MalformedPayload
from bot.devchat import DevChat
from bot.fonts import sarabun
from bot.intake import Intake, IntakeUnavailable
from bot.logs import log, new_request_id
from bot.services import Services

logger = logging.getLogger("siang.web")
webhooks = Blueprint("webhooks", __name__)
dev = Blueprint("dev", __name__)

_DEV_PAGE = Path(__file__).with_name("devchat.html")


def _services() -> Services:
    return current_app.extensions["siang.services"]  # type: ignore[no-any-return]


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _accept(channel: str, body: bytes) -> tuple[Response, int]:
    intake: Intake = current_app.extensions["siang.intake"]
    try:
        accepted = intake.accept(channel, body, _services().clock.now())
    except MalformedPayload as exc:
        log(logger, logging.INFO, "malformed webhook", channel=channel, reason=str(exc))
        return _error(400, "malformed payload")
    except IntakeUnavailable:
        response, status = _error(503, "temporarily unavailable")
        response.headers["Retry-After"] = "5"  # not acknowledged: the platform sends it again
        return response, status
    log(
        logger,
        logging.INFO,
        "webhook accepted",
        channel=channel,
        events=accepted.events,
        new=accepted.new,
        spooled=accepted.spooled,
    )
    return jsonify({"ok": True}), 200


@webhooks.post("/webhook/line")
def line_webhook() -> tuple[Response, int]:
    settings = _services().settings
    if not settings.line_enabled or not settings.line_channel_secret:
        return _error(404, "LINE channel is not configured")
    body = request.get_data(cache=False)
    signature = request.headers.get("X-Line-Signature")
    if not line.signature_is_valid(settings.line_channel_secret, body, signature):
        log(logger, logging.WARNING, "bad LINE signature", present=signature is not None)
        return _error(400, "invalid signature")
    return _accept("line", body)


@webhooks.post("/webhook/telegram")
def telegram_webhook() -> tuple[Response, int]:
    settings = _services().settings
    if not settings.telegram_enabled or not settings.telegram_webhook_secret:
        return _error(404, "Telegram channel is not configured")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if not telegram.secret_is_valid(settings.telegram_webhook_secret, given):
        log(logger, logging.WARNING, "bad Telegram secret", present=given is not None)
        return _error(403, "forbidden")
    return _accept("telegram", request.get_data(cache=False))


@webhooks.get("/healthz")
def healthz() -> tuple[Response, int]:
    spooled = current_app.extensions["siang.intake"].spool.backlog()
    try:
        _services().db.ping()
    except SQLAlchemyError:
        return jsonify({"status": "error", "database": "unreachable", "spooled": spooled}), 503
    return jsonify({"status": "ok", "database": "ok", "spooled": spooled}), 200


@dev.get("/dev/chat")
def dev_chat_page() -> Response:
    return Response(_DEV_PAGE.read_text(encoding="utf-8"), mimetype="text/html")


@dev.get("/dev/chat/sarabun.ttf")
def dev_chat_font() -> Response:
    """Thai text renders on any browser, even one on a machine without Thai fonts."""
    response = Response(sarabun("Regular"), mimetype="font/ttf")
    response.cache_control.max_age = 86400
    return response


@dev.post("/dev/chat/messages")
def dev_chat_message() -> tuple[Response, int]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _error(400, "expected a JSON object")
    user = str(data.get("user") or "dev-user")[:64]
    text = data.get("text")
    postback = data.get("postback")
    if not isinstance(text, str | None) or not isinstance(postback, str | None):
        return _error(400, "text and postback must be strings")
    chat = DevChat(current_app.extensions["siang.jobs"])
    replies = chat.send(user, text=(text or "")[:5000], postback=(postback or "")[:300])
    return jsonify({"replies": [r.to_dict() for r in replies]}), 200


def register(app: Flask) -> None:
    app.register_blueprint(webhooks)
    if app.config.get("SIANG_DEV_CHAT"):
        app.register_blueprint(dev)

    @app.before_request
    def _request_id() -> None:
        new_request_id()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[Response, int]:
        return _error(exc.code or 500, (exc.name or "error").lower())

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        logger.exception("unexpected error")
        return _error(500, "internal error")
