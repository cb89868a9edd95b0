"""Fixtures: a real database (SQLite file and the local PostgreSQL), the fake platform."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from bot.app import create_app
from bot.jobs import InlineDispatcher, Jobs
from bot.migrate import upgrade
from bot.services import Services, build_services
from bot.settings import Settings
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import FakeClock, make_settings
from tests.support.nlu import shared_understander

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

PG_ADMIN_URL = os.environ.get(
    "SIANG_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TABLES = (
    "outbox_messages",
    "inbound_events",
    "conversation_states",
    "monthly_tallies",
    "ticket_events",
    "tickets",
    "ticket_sequences",
    "ticket_photos",
    "integrity_officers",
    "integrity_settings",
    "corruption_reports",
    "corruption_report_keys",
    "corruption_exclusions",
    "corruption_additions",
    "corruption_addition_keys",
    "corruption_evidence",
    "corruption_evidence_keys",
    "corruption_events",
    "integrity_audit",
    "integrity_attempts",
)


@pytest.fixture(scope="session")
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _clean_platform(platform: FakePlatform) -> None:
    platform.reset()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "siang.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A database of our own on the local server, migrated once, dropped at the end."""
    name = f"siang_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a clear message instead of a wall of connection errors
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}", pytrace=False)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "siang.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, platform: FakePlatform) -> Settings:
    return make_settings(tmp_path, database_url, platform.url)


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    built = build_services(settings, clock=clock, understander=shared_understander())
    yield built
    built.db.dispose()


@pytest.fixture
def jobs(services: Services) -> Jobs:
    return Jobs(services)


@pytest.fixture
def app(services: Services, jobs: Jobs) -> Flask:
    """The app with events processed inline, so a test sees the reply when the POST returns."""
    flask_app = create_app(services=services, dispatcher=InlineDispatcher(jobs), dev_chat=True)
    flask_app.testing = True
    return flask_app
