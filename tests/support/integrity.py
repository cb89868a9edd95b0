"""The integrity officers' side and what the corruption track leaves behind, for end-to-end
tests: an officer at the lowest Argon2 cost, every stored value of every table, the SQLite
files as they lie on disk, and everything logged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine

from bot.integrity_desk import COSTS
from bot.integrity_office import IntegrityOffice
from bot.logs import JsonFormatter, UserHasher
from bot.services import Services

PASSPHRASE_COST, RECEIPT_COST = COSTS["min"]
OFFICER = "somsri"
PASSPHRASE = "ผู้ตรวจสอบคนแรก รหัสยาวพอ"


def integrity_office(services: Services) -> IntegrityOffice:
    """What `siang integrity` builds, with the test settings' lowest Argon2 cost."""
    return IntegrityOffice(
        services.db,
        services.clock,
        sla_days=15,
        outbox=services.outbox,
        user_refs=UserHasher(services.settings.secret_key),
        passphrase_cost=PASSPHRASE_COST,
        receipt_cost=RECEIPT_COST,
    )


def open_channel(services: Services) -> IntegrityOffice:
    """The first officer's key: the channel opens."""
    office = integrity_office(services)
    assert office.keygen(OFFICER, PASSPHRASE).first
    return office


@dataclass(frozen=True)
class Stored:
    """One value of one row: where it is, as text (bytes decoded too) and as bytes."""

    table: str
    column: str
    text: str
    raw: bytes


def stored_values(url: str) -> list[Stored]:
    """Every value of every table (reflected, so a table added later is searched too)."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    found: list[Stored] = []
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(table.select()):
                    for column, value in zip(table.columns.keys(), row, strict=True):
                        found.append(Stored(table.name, column, *_as_text_and_bytes(value)))
    finally:
        engine.dispose()
    return found


def _as_text_and_bytes(value: object) -> tuple[str, bytes]:
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return raw.decode("utf-8", "replace") + "\n" + raw.hex(), raw
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = "" if value is None else str(value)
    return text, text.encode()


def dump(values: list[Stored], *, tables: str = "") -> str:
    """The values (of the tables whose name starts with `tables`) as one lower-case text."""
    return "\n".join(v.text for v in values if v.table.startswith(tables)).lower()


def sqlite_files(url: str) -> bytes:
    """The SQLite database file and its write-ahead log, byte for byte (b"" on PostgreSQL)."""
    if not url.startswith("sqlite"):
        return b""
    path = Path(url.split(":///", 1)[1])
    files = (path, path.with_name(path.name + "-wal"))
    return b"".join(p.read_bytes() for p in files if p.exists())


def captured_logs(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> str:
    """Every record as the app writes it (JSON with its fields), plus stdout and stderr."""
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records]
    streams = capsys.readouterr()
    return "\n".join([*lines, caplog.text, streams.out, streams.err])


def logged_flows(caplog: pytest.LogCaptureFixture) -> set[str]:
    """The conversation flows named in the pipeline's log records."""
    return {
        str(getattr(r, "fields", {}).get("flow"))
        for r in caplog.records
        if getattr(r, "fields", {}).get("flow")
    }
