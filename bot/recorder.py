"""Group commit for the webhook: bodies arriving together are recorded in one transaction.

Each request still gets its 200 only after its events are committed; under load, one
commit (and one disk flush) serves many requests instead of one each. A single thread
does the database work, so a request can stop waiting at its deadline whatever the
database is doing (server-side timeouts do not fire when the network stalls).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.channels.base import InboundEventData
from bot.pipeline import Pipeline

Body = tuple[str, Sequence[InboundEventData]]
# The database is away (down, stuck, pool exhausted), as opposed to refusing some data.
DATABASE_AWAY = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


class GroupRecorder:
    def __init__(self, pipeline: Pipeline, max_batch: int = 64) -> None:
        self.pipeline = pipeline
        self.max_batch = max_batch
        self._waiting: queue.SimpleQueue[tuple[Body, Future[list[int]]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, channel: str, events: Sequence[InboundEventData]) -> Future[list[int]]:
        future: Future[list[int]] = Future()
        self._waiting.put(((channel, events), future))
        self._ensure_thread()
        return future

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self._record(batch)

    def _record(self, batch: list[tuple[Body, Future[list[int]]]]) -> None:
        live = [(body, f) for body, f in batch if f.set_running_or_notify_cancel()]
        try:
            results = self.pipeline.record_many([body for body, _ in live])
        except DATABASE_AWAY as exc:
            for _, future in live:
                future.set_exception(exc)
            return
        except Exception:
            # one body the database refuses must not fail the others: one by one
            for body, future in live:
                try:
                    future.set_result(self.pipeline.record(*body))
                except Exception as exc:
                    future.set_exception(exc)
            return
        for (_, future), new_ids in zip(live, results, strict=True):
            future.set_result(new_ids)
