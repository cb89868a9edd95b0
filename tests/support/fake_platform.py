"""A local fake of the LINE Messaging API and the Telegram Bot API, over real HTTP.

It records every request, answers like the real services (including LINE's retry-key
409 and Telegram's 429 with retry_after), and can be told to fail, stall or rate-limit
the next N calls of a path so tests can prove retries deliver exactly once.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    status: int = 500
    times: int = 1
    delay: float = 0.0  # stall this long before answering (the request still "happens")
    accept: bool = False  # with delay: the platform acts on it even if the client gives up
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Raw:
    """A response body that is not JSON (media content)."""

    data: bytes
    content_type: str


@dataclass
class FakePlatform:
    line_token: str = "test-line-token"
    telegram_token: str = "123456:TEST"
    calls: list[Call] = field(default_factory=list)
    accepted_retry_keys: set[str] = field(default_factory=set)
    expired_reply_tokens: set[str] = field(default_factory=set)
    rich_menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    rich_menu_images: dict[str, bytes] = field(default_factory=dict)
    default_rich_menu: str | None = None
    _rich_menu_seq: int = 0
    webhook_endpoint: str | None = None
    telegram_webhook: dict[str, Any] | None = None
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # id → (data, type)
    hide_media_size: bool = False  # no Content-Length or file_size: the body ends at close
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # ---- control ---------------------------------------------------------------------
    def start(self) -> FakePlatform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

            def log_message(self, *args: Any) -> None:
                pass

            def handle(self) -> None:
                # a client that stopped reading a body (too large) and hung up
                with contextlib.suppress(ConnectionResetError):
                    super().handle()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                call = Call(self.command, self.path, dict(self.headers.items()), body)
                status, payload, headers = platform._respond(call)
                raw = isinstance(payload, Raw)
                data = payload.data if raw else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header(
                        "Content-Type", payload.content_type if raw else "application/json"
                    )
                    if raw and platform.hide_media_size:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    else:
                        self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, path_suffix: str, fault: Fault) -> None:
        with self._lock:
            self._faults.setdefault(path_suffix, []).append(fault)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._faults.clear()
            self.accepted_retry_keys.clear()
            self.expired_reply_tokens.clear()
            self._delivered_line.clear()
            self._delivered_telegram.clear()
            self.rich_menus.clear()
            self.rich_menu_images.clear()
            self.default_rich_menu = None
            self._rich_menu_seq = 0
            self.webhook_endpoint = None
            self.telegram_webhook = None
            self.media.clear()
            self.hide_media_size = False

    # ---- what tests read -------------------------------------------------------------
    def requests_to(self, path_suffix: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path.split("?")[0].endswith(path_suffix)]

    def delivered_line_messages(self) -> list[dict[str, Any]]:
        """Messages LINE accepted (replies and pushes that succeeded), in order."""
        with self._lock:
            return list(self._delivered_line)

    def delivered_telegram_texts(self) -> list[str]:
        with self._lock:
            return list(self._delivered_telegram)

    _delivered_line: list[dict[str, Any]] = field(default_factory=list)
    _delivered_telegram: list[str] = field(default_factory=list)

    # ---- behaviour -------------------------------------------------------------------
    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for suffix, faults in self._faults.items():
                if path.split("?", maxsplit=1)[0].endswith(suffix) and faults:
                    fault = faults[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        faults.pop(0)
                    return fault
        return None

    def _respond(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.calls.append(call)
        if call.path.startswith("/bot"):
            return self._telegram(call)
        if call.path.startswith("/file/bot"):
            return self._telegram_file(call)
        return self._line(call)

    def _line(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        if call.headers.get("Authorization") != f"Bearer {self.line_token}":
            return 401, {"message": "Authentication failed"}, {}
        fault = self._take_fault(call.path)
        path = call.path.split("?")[0]
        if fault and fault.delay:
            if fault.accept:
                self._line_accept(call, path)
            time.sleep(fault.delay)
            return fault.status, fault.body or {}, {}
        if fault:
            return fault.status, fault.body or {"message": "fault injected"}, {}
        return self._line_accept(call, path)

    def _line_accept(self, call: Call, path: str) -> tuple[int, Any, dict[str, str]]:
        match = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)/content", path)
        if match:  # before JSON parsing: the body is an image
            return self._rich_menu_image(call, match.group(1))
        match = re.fullmatch(r"/v2/bot/message/([^/]+)/content", path)
        if match and call.method == "GET":
            media = self.media.get(unquote(match.group(1)))
            return (200, Raw(*media), {}) if media else (404, {"message": "Not found"}, {})
        body = call.json or {}
        if path == "/v2/bot/message/reply":
            if body.get("replyToken") in self.expired_reply_tokens:
                return 400, {"message": "Invalid reply token"}, {}
            with self._lock:
                self.expired_reply_tokens.add(body.get("replyToken"))  # single use
                self._delivered_line.extend(body.get("messages", []))
            return 200, _sent(body), {}
        if path == "/v2/bot/message/push":
            key = call.headers.get("X-Line-Retry-Key")
            with self._lock:
                if key and key in self.accepted_retry_keys:
                    return (
                        409,
                        {"message": "The retry key is already accepted"},
                        {"x-line-accepted-request-id": "fake"},
                    )
                if key:
                    self.accepted_retry_keys.add(key)
                self._delivered_line.extend(body.get("messages", []))
            return 200, _sent(body), {}
        if path == "/v2/bot/channel/webhook/endpoint":
            self.webhook_endpoint = body.get("endpoint")
            return 200, {}, {}
        if path == "/v2/bot/richmenu" and call.method == "POST":
            self._rich_menu_seq += 1  # never reused, like LINE's ids, even after deletes
            menu_id = f"richmenu-{self._rich_menu_seq:04d}"
            self.rich_menus[menu_id] = body
            return 200, {"richMenuId": menu_id}, {}
        if path == "/v2/bot/richmenu/list":
            return (
                200,
                {"richmenus": [{"richMenuId": k, **v} for k, v in self.rich_menus.items()]},
                {},
            )
        match = re.fullmatch(r"/v2/bot/user/all/richmenu/([\w-]+)", path)
        if match:
            self.default_rich_menu = match.group(1)
            return 200, {}, {}
        match = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)", path)
        if match and call.method == "DELETE":
            self.rich_menus.pop(match.group(1), None)
            return 200, {}, {}
        if path == "/v2/bot/chat/loading/start":
            return 202, {}, {}
        return 404, {"message": "Not found"}, {}

    def _rich_menu_image(self, call: Call, menu_id: str) -> tuple[int, Any, dict[str, str]]:
        """LINE takes one JPEG or PNG of at most 1 MB per existing rich menu."""
        content_type = call.headers.get("Content-Type", "")
        if content_type not in {"image/png", "image/jpeg"}:
            return 415, {"message": f"Unsupported Content-Type: {content_type}"}, {}
        if len(call.body) > 1_000_000:
            return 413, {"message": "Request Entity Too Large"}, {}
        if menu_id not in self.rich_menus:
            return 404, {"message": "Not found"}, {}
        self.rich_menu_images[menu_id] = call.body
        return 200, {}, {}

    def _telegram(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", call.path.split("?")[0])
        if not match or match.group(1) != self.telegram_token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, {}
        method = match.group(2)
        fault = self._take_fault(call.path)
        if fault:
            if fault.delay:
                time.sleep(fault.delay)
            body = fault.body or {
                "ok": False,
                "error_code": fault.status,
                "description": "fault injected",
            }
            return fault.status, body, {}
        payload = call.json or {}
        if method == "sendMessage":
            with self._lock:
                self._delivered_telegram.append(payload.get("text", ""))
            return 200, {"ok": True, "result": {"message_id": len(self.calls)}}, {}
        if method == "setWebhook":
            self.telegram_webhook = payload
            return 200, {"ok": True, "result": True}, {}
        if method == "getFile":
            file_id = str(payload.get("file_id", ""))
            if file_id not in self.media:
                return 400, {"ok": False, "error_code": 400, "description": "invalid file_id"}, {}
            result: dict[str, Any] = {"file_id": file_id, "file_path": f"photos/{file_id}"}
            if not self.hide_media_size:
                result["file_size"] = len(self.media[file_id][0])
            return 200, {"ok": True, "result": result}, {}
        if method in {"answerCallbackQuery", "setMyCommands", "deleteWebhook"}:
            return 200, {"ok": True, "result": True}, {}
        if method == "getWebhookInfo":
            return (
                200,
                {"ok": True, "result": {"url": (self.telegram_webhook or {}).get("url", "")}},
                {},
            )
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}

    def _telegram_file(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        match = re.fullmatch(r"/file/bot([^/]+)/photos/([^/]+)", call.path.split("?")[0])
        if not match or match.group(1) != self.telegram_token:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}
        fault = self._take_fault(call.path)
        if fault:
            time.sleep(fault.delay)
            return fault.status, fault.body or {"ok": False, "error_code": fault.status}, {}
        media = self.media.get(unquote(match.group(2)))
        if media is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}
        return 200, Raw(*media), {}


def _sent(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "sentMessages": [
            {"id": str(1000 + i), "quoteToken": f"q{i}"}
            for i, _ in enumerate(body.get("messages", []))
        ]
    }
