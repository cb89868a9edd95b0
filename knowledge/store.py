"""The live knowledge base: content and its search index, re-read when an office edits a file.

Edits are picked up without a restart. A folder that fails validation is never served: the
last good version stays in use and the problems are reported to `on_problems`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from knowledge.content import Content
from knowledge.loader import ContentError, Problem, content_files, load_content
from knowledge.search import SearchIndex

SAMPLE_CONTENT = Path(__file__).parent / "content"


class Loaded:
    """One valid version of the content. Its search index is built on first use, so a
    process that only needs the office's facts (the web tier) never fits the classifier."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Build the search index now rather than on the first question."""
        _ = self.index

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = SearchIndex(self.content.entries)
        return self._index


Fingerprint = tuple[tuple[str, int, int], ...]


class KnowledgeBase:
    def __init__(
        self,
        folder: Path = SAMPLE_CONTENT,
        *,
        check_every_seconds: float = 2.0,
        on_problems: Callable[[list[Problem]], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self.check_every_seconds = check_every_seconds
        self.on_problems = on_problems
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self._fingerprint: Fingerprint = ()
        self._checked_at = float("-inf")

    def current(self) -> Loaded:
        """The content in use. The first call loads it and raises `ContentError` if it is
        invalid; later calls re-read changed files at most every few seconds."""
        now = self._monotonic()
        if self._loaded is not None and now - self._checked_at < self.check_every_seconds:
            return self._loaded
        with self._lock:
            self._checked_at = now
            fingerprint = self._fingerprint_now()
            if self._loaded is None or fingerprint != self._fingerprint:
                self._reload(fingerprint)
            assert self._loaded is not None
            return self._loaded

    def _reload(self, fingerprint: Fingerprint) -> None:
        try:
            content = load_content(self.folder)
        except ContentError as error:
            if self._loaded is None:
                raise
            if self.on_problems is not None:
                self.on_problems(error.problems)
            self._fingerprint = fingerprint  # report a broken edit once, not every check
            return
        self._loaded = Loaded(content)
        self._fingerprint = fingerprint

    def _fingerprint_now(self) -> Fingerprint:
        parts = []
        for path in content_files(self.folder):
            try:
                stat = path.stat()
            except OSError:  # gone, a broken link: the loader reports what it means
                continue
            parts.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(parts)
