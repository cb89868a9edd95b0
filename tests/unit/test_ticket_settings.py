"""Settings of the 15-day clock and the staff chat: defaults, validation, the SLA's source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.services import sla_days
from bot.settings import ConfigError, StaffChat, load_settings
from knowledge.store import KnowledgeBase
from tests.support.helpers import KNOWLEDGE_FIXTURE

LINE_ON = {"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t"}
TELEGRAM_ON = {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": "w"}


def settings_from(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings(
        {"SIANG_INSTANCE_DIR": str(tmp_path / "i"), "SIANG_ENV": "development", **env},
        dotenv_path=tmp_path / ".env",
    )


def test_the_clock_has_the_office_documents_defaults(tmp_path: Path) -> None:
    s = settings_from(tmp_path)
    assert s.sla_days is None  # office.yaml decides
    assert (s.sla_remind_days, s.explanation_extension_days) == (3, 15)
    assert (s.auto_close_days, s.personal_data_retention_days) == (14, 365)
    assert s.staff_chat is None


def test_the_clock_settings_are_read(tmp_path: Path) -> None:
    s = settings_from(
        tmp_path,
        SIANG_SLA_DAYS="7",
        SIANG_SLA_REMIND_DAYS="0",
        SIANG_EXPLANATION_EXTENSION_DAYS="30",
        SIANG_AUTO_CLOSE_DAYS="7",
        SIANG_PERSONAL_DATA_RETENTION_DAYS="730",
    )
    assert (s.sla_days, s.sla_remind_days, s.explanation_extension_days) == (7, 0, 30)
    assert (s.auto_close_days, s.personal_data_retention_days) == (7, 730)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SIANG_SLA_DAYS", "0", "SIANG_SLA_DAYS must be from 1 to 90"),
        ("SIANG_SLA_REMIND_DAYS", "-1", "SIANG_SLA_REMIND_DAYS must be from 0 to 90"),
        ("SIANG_EXPLANATION_EXTENSION_DAYS", "15 วัน", "must be a whole number"),
        ("SIANG_AUTO_CLOSE_DAYS", "0", "SIANG_AUTO_CLOSE_DAYS must be from 1"),
        ("SIANG_PERSONAL_DATA_RETENTION_DAYS", "0", "RETENTION_DAYS must be from 1"),
    ],
)
def test_a_wrong_number_is_one_clear_line(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from(tmp_path, **{name: value})


@pytest.mark.parametrize(
    ("raw", "chat"),
    [
        ("line:C" + "0123456789abcdef" * 2, StaffChat("line", "C" + "0123456789abcdef" * 2)),
        ("line:U" + "a" * 32, StaffChat("line", "U" + "a" * 32)),
        ("telegram:-1001234567890", StaffChat("telegram", "-1001234567890")),
    ],
)
def test_the_staff_chat_is_a_line_or_telegram_chat(
    tmp_path: Path, raw: str, chat: StaffChat
) -> None:
    assert (
        settings_from(tmp_path, SIANG_STAFF_CHAT=raw, **LINE_ON, **TELEGRAM_ON).staff_chat == chat
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("C" + "0" * 32, "must be line:<id> or telegram:<chat id>"),
        ("slack:C123", "must be line:<id> or telegram:<chat id>"),
        ("line:group-of-staff", "is not a LINE user, group or room id"),
        ("telegram:@staff", "is not a Telegram chat id"),
    ],
)
def test_a_wrong_staff_chat_is_refused(tmp_path: Path, raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from(tmp_path, SIANG_STAFF_CHAT=raw, **LINE_ON, **TELEGRAM_ON)


def test_a_staff_chat_on_a_channel_that_is_off_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="telegram chat but telegram is not set up"):
        settings_from(tmp_path, SIANG_STAFF_CHAT="telegram:42", **LINE_ON)


def test_sla_days_come_from_the_setting_then_the_office_then_15(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(KNOWLEDGE_FIXTURE, content)
    office = content / "office.yaml"
    office.write_text(office.read_text(encoding="utf-8").replace("sla_days: 15", "sla_days: 20"))
    knowledge = KnowledgeBase(content)
    assert sla_days(settings_from(tmp_path, SIANG_SLA_DAYS="10"), knowledge) == 10
    assert sla_days(settings_from(tmp_path), knowledge) == 20
    office.write_text("name: [\n", encoding="utf-8")
    assert sla_days(settings_from(tmp_path), KnowledgeBase(content)) == 15
