"""Taking in a verified webhook body: parse, record once, dispatch, or spool when the DB fails."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from bot.channels import line, telegram
from bot.channels.base import InboundEventData, MalformedPayload
from bot.jobs import Dispatcher
from bot.logs import log
from bot.pipeline import Pipeline
from bot.recorder import DATABASE_AWAY, GroupRecorder
from bot.spool import RetryLater, Spool

logger = logging.getLogger("siang.intake")

PARSERS: dict[str, Callable[[bytes, datetime], list[InboundEventData]]] = {
    line.CHANNEL: line.parse_webhook,
    telegram.CHANNEL: telegram.parse_update,
}
# The database is away, or did not answer in time: keep the body and try later.
UNAVAILABLE = (*DATABASE_AWAY, FutureTimeout)
RECORD_DEADLINE_SECONDS = 1.2  # leaves room inside LINE's 2 seconds to spool and answer


class IntakeUnavailable(Exception):
    """Neither the database nor the spool could keep the body: the platform must resend."""


@dataclass(frozen=True)
class Accepted:
    events: int
    new: int
    spooled: bool = False


def parse(channel: str, body: bytes, received_at: datetime) -> list[InboundEventData]:
    try:
        return PARSERS[channel](body, received_at)
    except MalformedPayload:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        # a shape the parser did not foresee: the sender gets a 400, we get the type in the log
        raise MalformedPayload(f"unreadable event ({type(exc).__name__})") from exc


class Intake:
    def __init__(self, pipeline: Pipeline, dispatcher: Dispatcher, spool: Spool) -> None:
        self.pipeline = pipeline
        self.dispatcher = dispatcher
        self.spool = spool
        self._recorder = GroupRecorder(pipeline)

    def accept(self, channel: str, body: bytes, received_at: datetime) -> Accepted:
        """Raises MalformedPayload for a body we cannot read or store, IntakeUnavailable if
        it could not be kept anywhere."""
        events = parse(channel, body, received_at)
        if not events:
            return Accepted(0, 0)
        future = self._recorder.submit(channel, events)
        try:
            new_ids = future.result(timeout=RECORD_DEADLINE_SECONDS)
        except UNAVAILABLE:
            future.cancel()  # not started yet: the spooled copy is the only one
            return self._spool(channel, body, received_at, len(events))
        except DBAPIError as exc:  # the database is up but refuses this data
            log(
                logger,
                logging.WARNING,
                "events refused by the database",
                channel=channel,
                error=type(exc.orig).__name__,
            )
            raise MalformedPayload("events refused by the database") from exc
        self.dispatcher.dispatch(new_ids)
        return Accepted(len(events), len(new_ids))

    def _spool(self, channel: str, body: bytes, received_at: datetime, count: int) -> Accepted:
        try:
            self.spool.put(channel, body, received_at)
        except OSError as exc:
            log(logger, logging.ERROR, "database and spool both failed", channel=channel)
            raise IntakeUnavailable from exc
        log(logger, logging.WARNING, "database unavailable: spooled", channel=channel, events=count)
        return Accepted(count, 0, spooled=True)

    def replay(self, channel: str, body: bytes, received_at: datetime) -> None:
        """Record a spooled body. RetryLater while the database is still away."""
        events = parse(channel, body, received_at)
        try:
            new_ids = self.pipeline.record(channel, events)
            # the original insert may have committed after its deadline: still pending, and
            # nobody was told; wake the worker for those too (handling is act-once anyway)
            late = self.pipeline.pending_ids(channel, [e.event_key for e in events])
        except UNAVAILABLE as exc:
            raise RetryLater from exc
        self.dispatcher.dispatch(sorted(set(new_ids) | set(late)))

    def drain_spool(self) -> int:
        return self.spool.drain(self.replay)


class SpoolDrainer:
    """A daemon thread in each web process that empties its spool once the DB is back."""

    def __init__(self, intake: Intake, interval_seconds: float = 5.0) -> None:
        self.intake = intake
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spool-drainer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.intake.spool.backlog():
                try:
                    self.intake.drain_spool()
                except Exception:
                    logger.exception("spool drainer failed")
