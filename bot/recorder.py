"""Group commit for the webhook: bodies arriving together are recorded in one transaction.

Each request still gets its 200 only after its events are committed; under load, one
commit (and one disk flush) serves many requests instead of one each. A single thread
does the database work, so a request can stop waiting at its deadline whatever the
database is doing (server-side timeouts do not fire when the network stalls).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.batching import BatchingThread
from bot.channels.base import InboundEventData
from bot.pipeline import Pipeline

Body = tuple[str, Sequence[InboundEventData]]
# The database is away (down, stuck, pool exhausted), as opposed to refusing some data.
DATABASE_AWAY = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


class GroupRecorder:
    def __init__(self, pipeline: Pipeline, max_batch: int = 64) -> None:
        self.pipeline = pipeline
        self._thread: BatchingThread[tuple[Body, Future[list[int]]]] = BatchingThread(
            "recorder", self._record, max_batch
        )

    def submit(self, channel: str, events: Sequence[InboundEventData]) -> Future[list[int]]:
        future: Future[list[int]] = Future()
        self._thread.put(((channel, events), future))
        return future

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
