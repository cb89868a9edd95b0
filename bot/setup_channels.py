"""One-off channel setup: the LINE webhook and rich menu, the Telegram webhook and commands.

Each function yields one progress line per finished step; a platform that refuses a step
raises SetupError with one line a person can act on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

import requests
import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    SetWebhookEndpointRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bot import richmenu
from bot.services import build_knowledge, office_info
from bot.settings import Settings
from bot.understanding import LazyUnderstander
from handlers import texts_th as th
from handlers.basic import MenuEntry, OfficeInfo
from handlers.commands import Command
from handlers.registry import build_registry

RICH_MENU_NAME = "siang-main"  # how setup recognises the rich menus it made before
MAX_ACTION_LABEL = 20
TELEGRAM_ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
TELEGRAM_COMMANDS = (
    ("start", "เริ่มต้น/เมนูหลัก"),
    ("menu", "เมนูหลัก"),
    ("help", "วิธีใช้งาน"),
    ("cancel", "ยกเลิกเรื่องที่กำลังทำ"),
)

T = TypeVar("T")


class SetupError(Exception):
    """A platform refused a setup step, or could not be reached. The message is one line."""


# ---- LINE -------------------------------------------------------------------------------


def rich_menu_entries(settings: Settings) -> tuple[MenuEntry, ...]:
    """ "เมนู" first (quick replies scroll away; this brings them back), then the main menu."""
    return _office_and_menu(settings)[1]


def _office_and_menu(settings: Settings) -> tuple[OfficeInfo, tuple[MenuEntry, ...]]:
    """The office and its rich-menu entries, from one reading of the content."""
    knowledge = build_knowledge(settings)
    office = office_info(settings, knowledge)
    # the models stay unloaded: building the menu never suggests a category
    menu = build_registry(
        office, knowledge=knowledge, categories=LazyUnderstander(), integrity=True
    ).menu
    main = MenuEntry(th.LABEL_MENU, Command.MENU.value)
    entries = menu.entries if menu else ()
    return office, (main, *(e for e in entries if e.payload != main.payload))


def rich_menu_request(entries: Sequence[MenuEntry]) -> RichMenuRequest:
    """Tap areas are exactly the tiles `richmenu.render_rich_menu` draws."""
    areas = [
        RichMenuArea(
            bounds=RichMenuBounds(x=b.x, y=b.y, width=b.width, height=b.height),
            action=PostbackAction(
                label=entry.label[:MAX_ACTION_LABEL], data=entry.payload, displayText=entry.label
            ),
        )
        for entry, b in zip(entries, richmenu.tile_bounds(len(entries)), strict=True)
    ]
    return RichMenuRequest(
        size=RichMenuSize(width=richmenu.WIDTH, height=richmenu.HEIGHT),
        selected=True,  # shown open: most citizens tap rather than type
        name=RICH_MENU_NAME,
        chatBarText=th.LABEL_MENU,
        areas=areas,
    )


def setup_line(settings: Settings, public_url: str) -> Iterator[str]:
    settings.require("LINE_CHANNEL_ACCESS_TOKEN")
    api, blob = _line_clients(settings)
    timeout = settings.http_timeout_seconds

    endpoint = f"{public_url}/webhook/line"
    _line_call(
        "set the webhook endpoint",
        lambda: api.set_webhook_endpoint(
            SetWebhookEndpointRequest(endpoint=endpoint), _request_timeout=timeout
        ),
    )
    yield f"LINE webhook endpoint set to {endpoint}"

    # Earlier menus go only after the new one is the default, so users are never left
    # without one, and a failed run leaves the old menu in place (the next run cleans up).
    earlier = _our_rich_menus(api, timeout)
    office, entries = _office_and_menu(settings)
    request, image = _rich_menu(entries, office.name)
    menu_id = _line_call(
        "create the rich menu",
        lambda: api.create_rich_menu(request, _request_timeout=timeout).rich_menu_id,
    )
    yield f"created rich menu {menu_id}: " + ", ".join(f"{e.label} ({e.payload})" for e in entries)

    _line_call(
        "upload the rich menu image",
        lambda: blob.set_rich_menu_image(
            menu_id, image, _headers={"Content-Type": "image/png"}, _request_timeout=timeout
        ),
    )
    yield f"uploaded the rich menu image ({len(image) // 1024} KB PNG)"

    _line_call(
        "set the default rich menu",
        lambda: api.set_default_rich_menu(menu_id, _request_timeout=timeout),
    )
    yield "made it the default rich menu for all users"

    for old_id in earlier:
        _line_call(
            f"delete the earlier rich menu {old_id}",
            partial(api.delete_rich_menu, old_id, _request_timeout=timeout),
        )
    if earlier:
        yield f"deleted {len(earlier)} earlier Siang rich menu(s): {', '.join(earlier)}"


def _rich_menu(entries: Sequence[MenuEntry], office_name: str) -> tuple[RichMenuRequest, bytes]:
    """Both built before anything is created, so a menu that cannot be drawn creates nothing."""
    try:
        return rich_menu_request(entries), richmenu.render_rich_menu(entries, office_name)
    except ValueError as exc:  # too many entries, or an image over LINE's limit
        raise SetupError(f"cannot build the rich menu: {exc}") from None


def _line_clients(settings: Settings) -> tuple[MessagingApi, MessagingApiBlob]:
    def client(host: str) -> ApiClient:
        config = Configuration(host=host, access_token=settings.line_channel_access_token)
        config.retries = False  # a person is watching: fail fast, they can run setup again
        return ApiClient(config)

    return (
        MessagingApi(client(settings.line_api_endpoint)),
        MessagingApiBlob(client(settings.line_data_api_endpoint)),
    )


def _our_rich_menus(api: MessagingApi, timeout: float) -> list[str]:
    # Raw JSON: menus made elsewhere may use actions this SDK version cannot parse.
    response = _line_call(
        "list the rich menus",
        lambda: api.get_rich_menu_list_with_http_info(
            _preload_content=False, _request_timeout=timeout
        ),
    )
    try:
        menus = json.loads(response.raw_data or b"{}").get("richmenus", [])
    except (ValueError, AttributeError):
        raise SetupError(
            "LINE answered the rich menu list with something that is not JSON"
        ) from None
    return [
        str(m["richMenuId"])
        for m in menus
        if isinstance(m, dict) and m.get("name") == RICH_MENU_NAME and m.get("richMenuId")
    ]


def _line_call(step: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except ApiException as exc:
        if not exc.status:  # the SDK reports TLS failures as status 0
            raise SetupError(f"could not reach LINE to {step}: {_one_line(exc.reason)}") from None
        raise SetupError(
            f"LINE refused to {step} (HTTP {exc.status}): {_line_message(exc.body)}"
        ) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise SetupError(f"could not reach LINE to {step}: {type(exc).__name__}") from None


def _line_message(body: Any) -> str:
    """LINE's `message`, plus its `details` (which property is wrong, and why)."""
    try:
        payload = json.loads(body or "")
    except (TypeError, ValueError):
        return _one_line(body) or "no error message"
    if not isinstance(payload, dict):
        return _one_line(payload)
    message = str(payload.get("message") or "no error message")
    details = [
        f"{d.get('property', '')}: {d.get('message', '')}".strip(": ")
        for d in payload.get("details") or []
        if isinstance(d, dict)
    ]
    return _one_line(f"{message} ({'; '.join(details)})" if details else message)


def _one_line(value: Any) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")
    return " ".join(text.split())[:300]


# ---- Telegram ---------------------------------------------------------------------------


def setup_telegram(settings: Settings, public_url: str) -> Iterator[str]:
    settings.require("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
    url = f"{public_url}/webhook/telegram"
    _telegram_call(
        settings,
        "setWebhook",
        {
            "url": url,
            "secret_token": settings.telegram_webhook_secret,
            "allowed_updates": list(TELEGRAM_ALLOWED_UPDATES),
        },
    )
    yield f"Telegram webhook set to {url} (with the secret token)"

    commands = [{"command": c, "description": d} for c, d in TELEGRAM_COMMANDS]
    _telegram_call(settings, "setMyCommands", {"commands": commands})
    yield "Telegram commands set: " + ", ".join(f"/{c}" for c, _ in TELEGRAM_COMMANDS)


def _telegram_call(settings: Settings, method: str, payload: dict[str, Any]) -> Any:
    base = f"{settings.telegram_api_endpoint}/bot{settings.telegram_bot_token}"
    timeout = settings.http_timeout_seconds
    try:
        response = requests.post(f"{base}/{method}", json=payload, timeout=timeout)
    except requests.RequestException as exc:
        # never the exception text: the URL in it carries the bot token
        raise SetupError(f"could not reach Telegram for {method}: {type(exc).__name__}") from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise SetupError(f"Telegram {method} failed (HTTP {response.status_code}): not JSON")
    if not response.ok or not answer.get("ok"):
        description = _one_line(answer.get("description")) or "no description"
        raise SetupError(f"Telegram refused {method} (HTTP {response.status_code}): {description}")
    return answer.get("result")
