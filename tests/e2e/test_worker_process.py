"""The real thing: webhook → task queue (SQLite file or Redis) → `siang worker` → LINE API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.app import create_app
from bot.settings import load_settings
from tests.support.fake_platform import FakePlatform
from tests.support.helpers import (
    app_env,
    line_body,
    line_signature,
    line_text_event,
)

SIANG = Path(sys.executable).with_name("siang")
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    if request.param == "sqlite-queue":
        yield {}
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable: {exc}", pytrace=False)
    yield {"SIANG_QUEUE_URL": REDIS_URL}
    client.flushdb()


def wait_for(condition, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_worker_process_answers_a_queued_event(
    tmp_path: Path, database_url: str, platform: FakePlatform, queue_env: dict[str, str]
) -> None:
    env_values = app_env(
        tmp_path,
        database_url,
        platform.url,
        SIANG_ENV="production",
        SIANG_ARGON2_COST="interactive",  # "min" is refused outside tests, as it should be
        **queue_env,
    )
    settings = load_settings(env_values, dotenv_path=tmp_path / "no.env")
    app = create_app(settings)  # production wiring: events go to the queue
    body = line_body(line_text_event("สวัสดีค่ะ"))
    response = app.test_client().post(
        "/webhook/line", data=body, headers={"X-Line-Signature": line_signature(body)}
    )
    assert response.status_code == 200
    assert platform.calls == []  # nothing sent from the web request

    env = {**os.environ, **env_values}
    worker = subprocess.Popen(
        [str(SIANG), "worker", "--workers", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        delivered = wait_for(platform.delivered_line_messages)
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=20)
    assert delivered, stderr[-2000:]
    assert "ยินดีต้อนรับ" in platform.delivered_line_messages()[0]["text"]
    assert "สวัสดีค่ะ" not in stderr  # the worker's logs carry no message text
