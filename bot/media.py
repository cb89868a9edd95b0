"""Citizens' photos as files outside the database, each under a random key.

`MediaStore.inbox(channel)` is the `complaints.photos.PhotoInbox` the intake flow uses: it
downloads through the channel's fetcher into a temporary file (never more than `max_bytes`),
accepts only JPEG, PNG and WebP (magic bytes, then Pillow), and renames the file into place.
Tickets keep only the key (`ticket_photos.storage_key`); files no ticket claims are deleted
by the periodic sweep once they are old enough that no intake flow can still file them.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from PIL import Image
from sqlalchemy import select

from bot.channels.media import MediaFetcher
from bot.db import Database
from bot.logs import log
from bot.models import TicketPhoto
from complaints.photos import PhotoInbox, PhotoProblem, PhotoRejected, StoredPhoto

logger = logging.getLogger("siang.media")

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}\.(?:jpg|png|webp|pdf|bin)")
DOCUMENT_FORMATS = {True: ("application/pdf", ".pdf"), False: ("application/octet-stream", ".bin")}
PARTIAL_PREFIX = ".incoming-"
SWEEP_BATCH = 500
# Pillow format name → (content type, file extension)
ACCEPTED_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
_HEAD_BYTES = 12  # enough to tell the three formats apart


def sniff_format(head: bytes) -> str | None:
    """The accepted format these first bytes announce, if any."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(head) >= _HEAD_BYTES and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


class MediaStore:
    def __init__(self, folder: Path, max_bytes: int, fetchers: Mapping[str, MediaFetcher]) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._fetchers = dict(fetchers)

    def inbox(self, channel: str) -> PhotoInbox:
        """A channel without a fetcher (the dev chat, a disabled channel) gets an inbox whose
        every photo is UNAVAILABLE."""
        return ChannelInbox(self, channel)

    def path_for(self, key: str) -> Path:
        """Where the photo with this key is (it may have been deleted). Raises ValueError for
        anything that is not one of our keys, so a key can never name another file."""
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError("not a photo key")
        return self.folder / key

    def delete(self, keys: Iterable[str]) -> int:
        deleted = self._delete(keys)
        if deleted:
            log(logger, logging.INFO, "photos deleted", count=deleted)
        return deleted

    def sweep_orphans(
        self,
        known_keys: Callable[[list[str]], set[str]],
        older_than: timedelta,
        now: datetime,
    ) -> int:
        """Delete files older than `older_than` that no ticket claims, and temporary files a
        crash left behind. `known_keys(batch)` answers which keys of a batch are attached."""
        if not self.folder.is_dir():
            return 0
        cutoff = (now - older_than).timestamp()
        old_keys: list[str] = []
        deleted = 0
        with os.scandir(self.folder) as entries:
            for entry in entries:
                try:
                    if entry.stat().st_mtime >= cutoff:
                        continue
                except FileNotFoundError:
                    continue
                if entry.name.startswith(PARTIAL_PREFIX):
                    deleted += _unlink(Path(entry.path))
                elif KEY_PATTERN.fullmatch(entry.name):
                    old_keys.append(entry.name)
        for start in range(0, len(old_keys), SWEEP_BATCH):
            batch = old_keys[start : start + SWEEP_BATCH]
            attached = known_keys(batch)
            deleted += self._delete(k for k in batch if k not in attached)
        return deleted

    def _receive(self, channel: str, media_id: str, *, images_only: bool = True) -> StoredPhoto:
        fetcher = self._fetchers.get(channel)
        if fetcher is None:
            raise self._rejected(channel, PhotoProblem.UNAVAILABLE)
        folder = self._ensure_folder()
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=PARTIAL_PREFIX, suffix=".part")
        temp = Path(temp_name)  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "wb") as out:
                size, head = self._download(fetcher, media_id, out, images_only=images_only)
                out.flush()
                os.fsync(out.fileno())
            if images_only:
                content_type, extension = ACCEPTED_FORMATS[_check_image(temp, head)]
            else:
                content_type, extension = DOCUMENT_FORMATS[head.startswith(b"%PDF")]
            key = secrets.token_urlsafe(24) + extension
            os.replace(temp, folder / key)
            _fsync_dir(folder)
        except PhotoRejected as rejected:
            raise self._rejected(channel, rejected.problem) from None
        finally:
            temp.unlink(missing_ok=True)  # gone already when the rename happened
        log(logger, logging.INFO, "photo stored", channel=channel, size_bytes=size)
        return StoredPhoto(key=key, content_type=content_type, size_bytes=size)

    def _download(
        self, fetcher: MediaFetcher, media_id: str, out: BinaryIO, *, images_only: bool = True
    ) -> tuple[int, bytes]:
        """Copy the chunks to `out`, counting them: the platform's declared size is only a
        hint. Stops at the first byte over the limit or a head that is not an image."""
        size = 0
        head = b""
        chunks: Iterator[bytes] = fetcher.fetch(media_id, self.max_bytes)
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > self.max_bytes:
                    raise PhotoRejected(PhotoProblem.TOO_LARGE)
                if len(head) < _HEAD_BYTES:
                    head += chunk[: _HEAD_BYTES - len(head)]
                    if images_only and len(head) == _HEAD_BYTES and sniff_format(head) is None:
                        raise PhotoRejected(PhotoProblem.NOT_AN_IMAGE)
                out.write(chunk)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # a generator closes its HTTP response
        return size, head

    def _delete(self, keys: Iterable[str]) -> int:
        return sum(_unlink(self.folder / k) for k in keys if KEY_PATTERN.fullmatch(k))

    def _ensure_folder(self) -> Path:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)  # also when it already existed with a laxer mode
        return self.folder

    @staticmethod
    def _rejected(channel: str, problem: PhotoProblem) -> PhotoRejected:
        log(logger, logging.WARNING, "photo rejected", channel=channel, reason=problem.value)
        return PhotoRejected(problem)


class ChannelInbox:
    """`PhotoInbox` for one channel's media ids."""

    def __init__(self, store: MediaStore, channel: str) -> None:
        self._store = store
        self.channel = channel

    def receive(self, media_id: str) -> StoredPhoto:
        return self._store._receive(self.channel, media_id)

    def receive_file(self, media_id: str) -> StoredPhoto:
        return self._store._receive(self.channel, media_id, images_only=False)

    def discard(self, keys: Iterable[str]) -> None:
        self._store.delete(keys)


def attached_photo_keys(db: Database, keys: list[str]) -> set[str]:
    """Which of these keys a ticket has: the `known_keys` of `MediaStore.sweep_orphans`."""
    with db.transaction() as session:
        return set(
            session.scalars(
                select(TicketPhoto.storage_key).where(TicketPhoto.storage_key.in_(keys))
            )
        )


def _check_image(path: Path, head: bytes) -> str:
    """The Pillow format name, if the magic bytes and Pillow agree on an accepted format."""
    expected = sniff_format(head)
    if expected is None:
        raise PhotoRejected(PhotoProblem.NOT_AN_IMAGE)
    try:
        with Image.open(path, formats=[expected]) as image:
            limit = Image.MAX_IMAGE_PIXELS
            if limit and image.width * image.height > limit:
                raise PhotoRejected(PhotoProblem.NOT_AN_IMAGE)  # a decompression bomb
            image.verify()
    except PhotoRejected:
        raise
    except Exception:  # Pillow raises many types on hostile files; all mean "not an image"
        raise PhotoRejected(PhotoProblem.NOT_AN_IMAGE) from None
    return expected


def _unlink(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PrefetchedInbox:
    """A photo downloaded before the turn's transaction opened, handed to the flow when it
    asks for that media id: the download (up to seconds) then never holds the user's row
    lock, nor SQLite's single writer lock that the webhooks wait on."""

    def __init__(self, inbox: PhotoInbox, media_id: str) -> None:
        self._inbox = inbox
        self.media_id = media_id
        self._photo: StoredPhoto | None = None
        self._rejected: PhotoRejected | None = None
        self.used = False
        try:
            self._photo = inbox.receive(media_id)
        except PhotoRejected as rejected:
            self._rejected = rejected

    def receive(self, media_id: str) -> StoredPhoto:
        if media_id != self.media_id:
            return self._inbox.receive(media_id)
        self.used = True
        if self._rejected is not None:
            raise self._rejected
        assert self._photo is not None
        return self._photo

    def receive_file(self, media_id: str) -> StoredPhoto:
        return self._inbox.receive_file(media_id)

    def discard(self, keys: Iterable[str]) -> None:
        self._inbox.discard(keys)

    def discard_if_unused(self) -> None:
        """The turn did not take the photo (another worker handled the event, or the flow
        had moved on): delete it now rather than leave it to the orphan sweep."""
        if not self.used and self._photo is not None:
            self._inbox.discard([self._photo.key])
