"""Migrations match the models on both databases; old rows are purged, pending ones kept."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import func, select

from bot.channels import line
from bot.migrate import alembic_config
from bot.models import InboundEvent, OutboxMessage
from tests.support.helpers import line_body, line_text_event


def test_migrations_match_the_models_and_go_down_and_up(database_url) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config(database_url)
    command.check(config)  # raises when the models have changes no migration carries
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)


def test_purge_drops_finished_rows_past_retention_and_keeps_the_rest(
    services, jobs, platform, clock
) -> None:  # type: ignore[no-untyped-def]
    def receive(text: str, event_id: str) -> None:
        body = line_body(line_text_event(text, event_id=event_id, reply_token=f"t-{event_id}"))
        for new_id in services.pipeline.record("line", line.parse_webhook(body, clock.now())):
            jobs.process_event(new_id)

    receive("สวัสดี", "old")
    clock.advance(days=8)
    receive("ขอบคุณค่ะ", "new")
    services.pipeline.record(
        "line",
        line.parse_webhook(
            line_body(line_text_event("x", event_id="pending")), clock.now() - timedelta(days=9)
        ),
    )

    services.pipeline.purge(timedelta(days=7))

    with services.db.transaction() as s:
        keys = set(s.execute(select(InboundEvent.event_key)).scalars())
        assert keys == {"new", "pending"}  # a pending event is never purged
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 1
