"""The understanding port the router depends on, and the lazily loaded real implementation."""

from __future__ import annotations

import threading
from datetime import date
from typing import Protocol

from nlu.categories import CategorySuggestion
from nlu.understand import Understander, Understanding


class UnderstandsText(Protocol):
    def understand(self, text: str, today: date) -> Understanding: ...

    def suggest_categories(self, text: str, limit: int = 3) -> list[CategorySuggestion]: ...


class LazyUnderstander:
    """Loads the Thai models on first use (about a second), once per process, so processes
    that never route a message (the web tier, `siang --help`) never pay for it."""

    def __init__(self) -> None:
        self._loaded: Understander | None = None
        self._lock = threading.Lock()

    def get(self) -> Understander:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = Understander.load()
        return self._loaded

    def understand(self, text: str, today: date) -> Understanding:
        return self.get().understand(text, today)

    def suggest_categories(self, text: str, limit: int = 3) -> list[CategorySuggestion]:
        return self.get().suggest_categories(text, limit)
