"""Configuration: from the environment and .env, no secret defaults, clear one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings
from tests.support.helpers import clean_environ

SIANG = Path(sys.executable).with_name("siang")


def settings_from(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings(
        {"SIANG_INSTANCE_DIR": str(tmp_path / "i"), **env}, dotenv_path=tmp_path / ".env"
    )


def test_embedded_default_is_sqlite_under_instance_with_a_generated_key(tmp_path: Path) -> None:
    first = settings_from(tmp_path, SIANG_ENV="development")
    assert first.database_url == f"sqlite:///{tmp_path / 'i' / 'siang.db'}"
    assert len(first.secret_key) == 64
    assert (tmp_path / "i" / "secret_key").stat().st_mode & 0o077 == 0
    assert settings_from(tmp_path, SIANG_ENV="development").secret_key == first.secret_key


def test_production_never_invents_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SIANG_SECRET_KEY is not set"):
        settings_from(tmp_path, SIANG_ENV="production")


def test_a_real_database_needs_a_real_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SIANG_SECRET_KEY"):
        settings_from(
            tmp_path, SIANG_ENV="development", DATABASE_URL="postgresql://postgres@127.0.0.1/test"
        )


def test_postgres_urls_use_psycopg_3(tmp_path: Path) -> None:
    s = settings_from(tmp_path, DATABASE_URL="postgres://u@h/db", SIANG_SECRET_KEY="k" * 32)
    assert s.database_url == "postgresql+psycopg://u@h/db"


def test_channels_are_off_without_their_secrets(tmp_path: Path) -> None:
    s = settings_from(tmp_path, SIANG_ENV="development", LINE_CHANNEL_SECRET="x")
    assert not s.line_enabled and not s.telegram_enabled


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SIANG_OFFICE_NAME=เทศบาลตำบลหนองบัว\nSIANG_OFFICE_PHONE=1\n")
    s = settings_from(tmp_path, SIANG_ENV="development", SIANG_OFFICE_PHONE="053-111111")
    assert s.office_name == "เทศบาลตำบลหนองบัว"
    assert s.office_phone == "053-111111"


def test_custom_line_endpoint_serves_the_data_api_too(tmp_path: Path) -> None:
    s = settings_from(tmp_path, SIANG_ENV="development", LINE_API_ENDPOINT="http://127.0.0.1:9/")
    assert s.line_api_endpoint == s.line_data_api_endpoint == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIANG_IDLE_TIMEOUT_MINUTES", "ten"),
        ("SIANG_ENV", "staging"),
        ("SIANG_HTTP_TIMEOUT_SECONDS", "0"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        settings_from(tmp_path, **{"SIANG_ENV": "development", name: value})


def test_cli_missing_secret_is_one_clear_line(tmp_path: Path) -> None:
    env = clean_environ() | {"SIANG_ENV": "production", "SIANG_INSTANCE_DIR": str(tmp_path)}
    result = subprocess.run(
        [str(SIANG), "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("siang: SIANG_SECRET_KEY is not set")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
