"""Taking in a verified webhook body: parse, record once, dispatch, or spool when the DB fails."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.channels import line, telegram
from bot.channels.base import InboundEventData
from bot.jobs import Dispatcher
from bot.logs import log
from bot.pipeline import Pipeline
from bot.spool import Spool

logger = logging.getLogger("siang.intake")

PARSERS: dict[str, Callable[[bytes, datetime], list[InboundEventData]]] = {
    line.CHANNEL: line.parse_webhook,
    telegram.CHANNEL: telegram.parse_update,
}


class IntakeUnavailable(Exception):
    """Neither the database nor the spool could keep the body: the platform must resend."""


@dataclass(frozen=True)
class Accepted:
    events: int
    new: int
    spooled: bool = False


class Intake:
    def __init__(self, pipeline: Pipeline, dispatcher: Dispatcher, spool: Spool) -> None:
        self.pipeline = pipeline
        self.dispatcher = dispatcher
        self.spool = spool

    def accept(self, channel: str, body: bytes, received_at: datetime) -> Accepted:
        """Raises MalformedPayload for a body we cannot read, IntakeUnavailable if not kept."""
        events = PARSERS[channel](body, received_at)
        if not events:
            return Accepted(0, 0)
        try:
            new_ids = self.pipeline.record(channel, events)
        except SQLAlchemyError:
            return self._spool(channel, body, received_at, len(events))
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
        """Record a spooled body (raises while the database is still down)."""
        new_ids = self.pipeline.record(channel, PARSERS[channel](body, received_at))
        self.dispatcher.dispatch(new_ids)

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
