"""The task queue (Huey): SQLite file by default, Redis when SIANG_QUEUE_URL/REDIS_URL is set."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab

from bot.batching import BatchingThread
from bot.intake import Intake
from bot.jobs import InlineDispatcher, Jobs
from bot.logs import log
from bot.services import build_services
from bot.settings import Settings
from bot.spool import Spool

logger = logging.getLogger("siang.worker")


def make_huey(settings: Settings) -> Huey:
    if settings.queue_url:
        return RedisHuey("siang", url=settings.queue_url)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("siang", filename=str(settings.instance_dir / "queue.db"))


@dataclass
class QueueTasks:
    huey: Huey
    process_events: Any
    deliver: Any
    sweep: Any


def register_tasks(
    huey: Huey, jobs: Callable[[], Jobs], drain_spool: Callable[[], int] | None = None
) -> QueueTasks:
    """`jobs` is called lazily in the consumer, after it has started (fork-safe)."""

    @huey.task(name="siang.process_events")
    def process_events(event_ids: list[int]) -> None:
        for event_id in event_ids:  # one failure must not hold back the rest of the batch
            jobs().isolated(jobs().process_event, event_id)

    @huey.task(name="siang.deliver")
    def deliver(user_ref: str) -> None:
        jobs().deliver(user_ref)

    @huey.periodic_task(crontab(minute="*"), name="siang.sweep")
    def sweep() -> None:
        if drain_spool is not None:  # bodies a web process on this machine had to spool
            drain_spool()
        jobs().sweep()

    return QueueTasks(huey, process_events, deliver, sweep)


def schedule_delivery(tasks: QueueTasks) -> Callable[[str, datetime], None]:
    def schedule(user_ref: str, eta: datetime) -> None:
        tasks.deliver.schedule((user_ref,), eta=eta)

    return schedule


class QueueDispatcher:
    """Hands recorded events to the queue from a background thread, in batches.

    Batches stay small (8) so the worker's threads still send in parallel during a burst.
    The events are already durable rows, so the queue message is only a wake-up call: it
    need not delay the webhook's 200. If this process dies before sending it, the sweep
    finds the events still pending. One thread per process also means one writer per
    process on the SQLite queue file instead of one per request thread.
    """

    def __init__(self, tasks: QueueTasks, max_batch: int = 8) -> None:
        self.tasks = tasks
        self._thread: BatchingThread[int] = BatchingThread("dispatch", self._send, max_batch)

    def dispatch(self, event_ids: Sequence[int]) -> None:
        for event_id in event_ids:
            self._thread.put(event_id)

    def _send(self, batch: list[int]) -> None:
        try:
            self.tasks.process_events(batch)
        except Exception:  # the queue is down: the sweep re-dispatches pending events
            log(logger, logging.WARNING, "enqueue failed", events=len(batch))


def run_worker(settings: Settings, workers: int) -> None:
    huey = make_huey(settings)
    holder: dict[str, Jobs] = {}
    tasks: QueueTasks

    def jobs() -> Jobs:
        if "jobs" not in holder:
            holder["jobs"] = Jobs(build_services(settings), schedule_delivery(tasks))
        return holder["jobs"]

    def drain_spool() -> int:
        spool = Spool(settings.instance_dir / "spool")
        return Intake(jobs().services.pipeline, InlineDispatcher(jobs()), spool).drain_spool()

    tasks = register_tasks(huey, jobs, drain_spool)
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        max_delay=1.0,
        check_worker_health=True,
    )
    jobs().services.warm_up()
    log(
        logger,
        logging.INFO,
        "worker starting",
        workers=workers,
        queue="redis" if settings.queue_url else "sqlite",
    )
    consumer.run()
