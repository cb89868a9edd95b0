"""Database engine and transactions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Engine, Result, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both backends (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, *, fail_fast: bool = False) -> Engine:
    """`fail_fast` is for the webhook: give up on a stuck database in time to answer LINE."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        timeout = 1.2 if fail_fast else 10
        engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})
        path = url.split(":///", 1)[-1]
        file_backed = bool(path) and ":memory:" not in path
        _use_immediate_transactions(
            engine, WriterQueue(Path(path), timeout) if file_backed else None
        )
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": 2 if fail_fast else 5}
    if fail_fast:
        connect_args["options"] = "-c statement_timeout=1200 -c lock_timeout=1000"
        # a vanished server host is noticed by the kernel, not after minutes of silence
        connect_args |= {
            "tcp_user_timeout": 1500,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
        }
    return create_engine(
        url,
        # The webhook skips the per-checkout ping (a round trip per request): a dead pooled
        # connection there fails fast and the body is spooled, not lost.
        pool_pre_ping=not fail_fast,
        pool_size=5,
        max_overflow=10,
        pool_timeout=0.5 if fail_fast else 10,
        connect_args=connect_args,
    )


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


class WriterQueue:
    """Writers to one SQLite file wait their turn on a lock file instead of SQLite's retries.

    SQLite's busy handler polls with sleeps of up to 100 ms, which under load between
    processes gave the webhook a p99 of about a second. Here the next writer polls a
    non-blocking flock every 0.5 ms instead; the kernel drops the lock if its holder dies.
    The holder is the DBAPI connection that began the transaction: it gives the lock back
    after its real COMMIT or ROLLBACK, or when the pool invalidates, resets or closes it.
    """

    def __init__(self, database: Path, timeout: float) -> None:
        self._path = database.with_name(database.name + ".writer-lock")
        self._timeout = timeout
        self._threads = threading.Lock()  # flock does not exclude threads sharing a file
        self._owner_lock = threading.Lock()
        self._owner: int | None = None
        self._file: Any = None

    def acquire(self, owner: object) -> None:
        deadline = time.monotonic() + self._timeout
        if not self._threads.acquire(timeout=self._timeout):
            raise _locked()
        try:
            if self._file is None:
                self._file = open(self._path, "a+b")  # noqa: SIM115 - held for the process
            while True:  # another process holds it: short waits, not SQLite's 100 ms sleeps
                try:
                    fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise _locked() from None
                    time.sleep(0.0005)
        except BaseException:
            self._threads.release()
            raise
        with self._owner_lock:
            self._owner = id(owner)

    def release(self, owner: object) -> None:
        """Give the lock back if `owner` holds it; otherwise do nothing."""
        with self._owner_lock:
            if self._owner != id(owner):
                return
            self._owner = None
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


def _use_immediate_transactions(engine: Engine, writers: WriterQueue | None = None) -> None:
    """SQLite: take the write lock at BEGIN so two writers queue instead of deadlocking."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # cleared values (a message's text once handled, a sent reply) are overwritten on
        # disk, not left in free space; the sweep's checkpoint then empties the WAL
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        dbapi_conn = conn.connection.dbapi_connection
        if writers is not None:
            writers.acquire(dbapi_conn)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if writers is not None:
                writers.release(dbapi_conn)
            raise

    if writers is None:
        return
    _release_after_end_of_transaction(engine, writers)


def _release_after_end_of_transaction(engine: Engine, writers: WriterQueue) -> None:
    # SQLAlchemy's commit/rollback events fire before the DBAPI call, while SQLite still
    # holds its lock; so release around the dialect's own commit and rollback instead.
    dialect = engine.dialect
    do_commit, do_rollback = dialect.do_commit, dialect.do_rollback

    # the dialect is handed the pool's proxy, the pool events the raw DBAPI connection
    def raw(connection: Any) -> Any:
        return getattr(connection, "dbapi_connection", connection)

    def commit_then_release(connection: Any) -> None:
        try:
            do_commit(connection)
        finally:
            writers.release(raw(connection))

    def rollback_then_release(connection: Any) -> None:
        try:
            do_rollback(connection)
        finally:
            writers.release(raw(connection))

    dialect.do_commit = commit_then_release  # type: ignore[method-assign,assignment]
    dialect.do_rollback = rollback_then_release  # type: ignore[method-assign,assignment]

    def release_on_pool_event(dbapi_conn: Any, *_: Any) -> None:
        writers.release(dbapi_conn)  # a connection that dies mid-transaction frees the lock

    for name in ("invalidate", "soft_invalidate", "reset", "close", "close_detached"):
        event.listen(engine, name, release_on_pool_event)


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def checkpoint(self) -> None:
        """SQLite: fold the write-ahead log into the database and truncate it, so page
        images of rows since cleared (a report's text, a receipt code) stop lying in the
        -wal file. Nothing to do on PostgreSQL."""
        if self.dialect != "sqlite":
            return
        raw = self.engine.raw_connection()  # outside any transaction: a checkpoint must be
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        except sqlite3.OperationalError:
            pass  # busy right now: the next sweep folds it
        finally:
            raw.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def upsert_insert(dialect: str):  # type: ignore[no-untyped-def]
    """The dialect's INSERT, which has ON CONFLICT (both PostgreSQL and SQLite support it)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (typed: Session.execute returns the generic Result)."""
    return cast(CursorResult[Any], result).rowcount
