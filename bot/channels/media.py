"""Downloading what a citizen sent (photos) from LINE and Telegram, streamed and bounded.

A fetcher yields the file in chunks. It refuses early when the platform announces a size
above the limit, but the caller counts the bytes itself: a declared size is never trusted
alone. Every platform or network failure becomes `PhotoRejected(UNAVAILABLE)`, raised
`from None` so no chained exception carries the URL (the Telegram token is in it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import quote

import requests

from complaints.photos import PhotoProblem, PhotoRejected

CHUNK_BYTES = 64 * 1024
MAX_DOWNLOAD_SECONDS = 30.0  # the per-read timeout alone would let a trickling server hold on


class MediaFetcher(Protocol):
    def fetch(self, media_id: str, max_bytes: int) -> Iterator[bytes]:
        """The file in chunks, or PhotoRejected (UNAVAILABLE, or TOO_LARGE when announced)."""
        ...


def _unavailable() -> PhotoRejected:
    return PhotoRejected(PhotoProblem.UNAVAILABLE)


def _stream(
    http: requests.Session,
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: tuple[float, float],
    max_bytes: int,
) -> Iterator[bytes]:
    deadline = time.monotonic() + MAX_DOWNLOAD_SECONDS
    try:
        with http.get(url, headers=headers, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise _unavailable()
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise PhotoRejected(PhotoProblem.TOO_LARGE)
            for chunk in response.iter_content(CHUNK_BYTES):
                if time.monotonic() > deadline:
                    raise _unavailable()
                yield chunk
    except requests.RequestException:
        raise _unavailable() from None


class LineContentFetcher:
    """`GET /v2/bot/message/{id}/content` on the data API. LINE deletes content after a
    while: 404 (or 410) then means expired, which is UNAVAILABLE like any other failure."""

    def __init__(self, access_token: str, data_endpoint: str, timeout_seconds: float) -> None:
        self._endpoint = data_endpoint
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._timeout = (min(3.0, timeout_seconds), timeout_seconds)
        self._http = requests.Session()

    def fetch(self, media_id: str, max_bytes: int) -> Iterator[bytes]:
        url = f"{self._endpoint}/v2/bot/message/{quote(media_id, safe='')}/content"
        return _stream(
            self._http, url, headers=self._headers, timeout=self._timeout, max_bytes=max_bytes
        )


class TelegramFileFetcher:
    """`getFile` turns the file_id into a path (valid for an hour), then the file is read
    from `/file/bot<token>/<path>`."""

    def __init__(self, token: str, endpoint: str, timeout_seconds: float) -> None:
        self._api = f"{endpoint}/bot{token}"
        self._files = f"{endpoint}/file/bot{token}"
        self._timeout = (min(3.0, timeout_seconds), timeout_seconds)
        self._http = requests.Session()

    def fetch(self, media_id: str, max_bytes: int) -> Iterator[bytes]:
        file = self._file_info(media_id)
        file_path = file.get("file_path")
        if not isinstance(file_path, str) or not file_path:
            raise _unavailable()
        size = file.get("file_size")
        if isinstance(size, int) and not isinstance(size, bool) and size > max_bytes:
            raise PhotoRejected(PhotoProblem.TOO_LARGE)
        url = f"{self._files}/{quote(file_path, safe='/')}"
        return _stream(self._http, url, headers={}, timeout=self._timeout, max_bytes=max_bytes)

    def _file_info(self, file_id: str) -> dict[str, Any]:
        try:
            response = self._http.post(
                f"{self._api}/getFile", json={"file_id": file_id}, timeout=self._timeout
            )
            body = response.json()
        except (requests.RequestException, ValueError):
            raise _unavailable() from None
        result = body.get("result") if isinstance(body, dict) and body.get("ok") else None
        if response.status_code != 200 or not isinstance(result, dict):
            raise _unavailable()
        return result
