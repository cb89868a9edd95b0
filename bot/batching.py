"""A daemon thread that hands whatever waits in its queue to a handler, in batches."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class BatchingThread(Generic[T]):
    """Items put while the handler is busy are handed over together (up to `max_batch`).

    The thread starts on first use, so a process that forks after building it (gunicorn)
    still gets its own.
    """

    def __init__(self, name: str, handle: Callable[[list[T]], None], max_batch: int) -> None:
        self.name = name
        self.handle = handle
        self.max_batch = max_batch
        self._waiting: queue.SimpleQueue[T] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, item: T) -> None:
        self._waiting.put(item)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self.handle(batch)
