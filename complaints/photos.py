"""The port through which the intake flow receives a complainant's photos.

An implementation downloads the image from the chat platform, checks its type and size,
and keeps it outside the database under a random key; the ticket stores only the key.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

MAX_PHOTOS = 3


@dataclass(frozen=True)
class StoredPhoto:
    key: str
    content_type: str
    size_bytes: int


class PhotoProblem(enum.StrEnum):
    NOT_AN_IMAGE = "not_an_image"  # a file that is not JPEG, PNG or WebP
    TOO_LARGE = "too_large"
    UNAVAILABLE = "unavailable"  # the platform would not give it (expired, network)


class PhotoRejected(Exception):
    def __init__(self, problem: PhotoProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class PhotoInbox(Protocol):
    def receive(self, media_id: str) -> StoredPhoto:
        """Download and keep one photo, or raise PhotoRejected."""
        ...

    def receive_file(self, media_id: str) -> StoredPhoto:
        """Download and keep one document (evidence: a PDF, a scan), checked for size only;
        or raise PhotoRejected."""
        ...

    def discard(self, keys: Iterable[str]) -> None:
        """Delete photos that will not be filed (the complaint was cancelled)."""
        ...
