"""A local spool for webhook bodies the database could not take in time.

LINE must get its 200 within 2 seconds and redelivers only when the office has turned
redelivery on, so when the database is down or stuck the verified body is written here
(fsync'd, atomic rename) and acknowledged; it is recorded later by the web process's
drainer or the worker's sweep. Recording is idempotent (unique event ids), so a body
drained twice still yields one event.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.logs import log

logger = logging.getLogger("siang.spool")

STALE_CLAIM_SECONDS = 300
BAD_KEPT_SECONDS = 7 * 24 * 3600  # long enough to look into, not to keep personal data

Accept = Callable[[str, bytes, datetime], None]


class RetryLater(Exception):
    """Raised by an Accept callback while the database is still unavailable."""


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def put(self, channel: str, body: bytes, received_at: datetime) -> None:
        """Durably keep the body. Raises OSError when even that is impossible."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}"
        record = {
            "channel": channel,
            "received_at": received_at.isoformat(),
            "body": base64.b64encode(body).decode(),
        }
        tmp = self.directory / f".{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(record, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.rename(self.directory / f"{name}.json")

    def backlog(self) -> int:
        if not self.directory.exists():
            return 0
        return sum(1 for p in self.directory.iterdir() if p.suffix in {".json", ".claimed"})

    def drain(self, accept: Accept, limit: int = 200) -> int:
        """Hand spooled bodies to `accept`, oldest first.

        RetryLater stops the drain and keeps the body; any other failure means the body
        itself cannot be taken, so it is set aside as `.bad` and the drain goes on.
        """
        if not self.directory.exists():
            return 0
        self._release_stale_claims()
        drained = 0
        for path in sorted(self.directory.glob("*.json"))[:limit]:
            claimed = path.with_suffix(".claimed")
            try:
                path.rename(claimed)  # atomic: another drainer that lost the race skips it
            except FileNotFoundError:
                continue
            try:
                record = json.loads(claimed.read_text())
                accept(
                    record["channel"],
                    base64.b64decode(record["body"]),
                    datetime.fromisoformat(record["received_at"]),
                )
            except RetryLater:
                claimed.rename(path)
                log(logger, logging.WARNING, "spool drain paused", drained=drained)
                return drained
            except Exception as exc:
                claimed.rename(claimed.with_suffix(".bad"))
                log(logger, logging.ERROR, "spooled body set aside", error=type(exc).__name__)
                continue
            claimed.unlink()
            drained += 1
        if drained:
            log(logger, logging.INFO, "spool drained", drained=drained)
        return drained

    def _release_stale_claims(self) -> None:
        """A drainer that died mid-way leaves a claim behind: give it back after a while.

        Bodies set aside as unreadable are deleted after a week: they may hold personal data.
        """
        now = time.time()
        for path in self.directory.glob("*.claimed"):
            try:
                if now - path.stat().st_mtime > STALE_CLAIM_SECONDS:
                    path.rename(path.with_suffix(".json"))
            except FileNotFoundError:
                continue
        for path in self.directory.glob("*.bad"):
            try:
                if now - path.stat().st_mtime > BAD_KEPT_SECONDS:
                    path.unlink()
            except FileNotFoundError:
                continue
