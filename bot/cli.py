"""The `siang` command."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.settings import ConfigError, Settings, load_settings
from knowledge.loader import ContentError

F = TypeVar("F", bound=Callable[..., Any])


def _clear_errors(func: F) -> F:
    """Configuration and content problems are lines on stderr and exit 2, not a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"siang: {exc}", err=True)
            sys.exit(2)
        except ContentError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo("siang: the office content is invalid (siang kb check)", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _settings(default_env: str = "production") -> Settings:
    """Commands a developer runs default to development; SIANG_ENV in the environment wins."""
    import os

    return load_settings({"SIANG_ENV": default_env, **os.environ})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Siang (เสียง): a LINE and Telegram chatbot for Thai local government offices."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@_clear_errors
def serve(host: str, port: int) -> None:
    """Run the web app on the development server (with /dev/chat)."""
    from bot.app import create_app
    from bot.migrate import upgrade

    settings = _settings("development")
    upgrade(settings.database_url)
    app = create_app(settings)
    click.echo(f"Siang is listening on http://{host}:{port}  (chat: http://{host}:{port}/dev/chat)")
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)


@main.command()
@click.option("--user", default="terminal", show_default=True, help="Who you are in the chat.")
@_clear_errors
def chat(user: str) -> None:
    """Chat with the bot in the terminal (one message per line when stdin is not a terminal)."""
    from bot.devchat import DevChat
    from bot.jobs import Jobs
    from bot.migrate import upgrade
    from bot.services import build_services
    from bot.terminal import run_chat

    settings = _settings("development")
    upgrade(settings.database_url)
    services = build_services(settings)
    services.warm_up()
    run_chat(DevChat(Jobs(services)), user, sys.stdin, sys.stdout)


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
@_clear_errors
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step)."""
    from bot.migrate import upgrade

    settings = _settings("development")  # migrations need no secret key
    upgrade(settings.database_url)
    click.echo("database is up to date")


@main.command()
@click.option(
    "--workers",
    type=int,
    help="Threads [default: 8 on PostgreSQL, where they mostly wait on the LINE and "
    "Telegram APIs; 2 on SQLite, which takes one writer at a time].",
)
@click.option(
    "--nice",
    default=10,
    show_default=True,
    type=click.IntRange(0, 19),
    help="Lower CPU priority, so on a shared machine the webhook (which has LINE's "
    "2-second deadline) goes first; replies can wait a moment.",
)
@_clear_errors
def worker(workers: int | None, nice: int) -> None:
    """Run the background worker: event processing, outbox delivery, scheduled jobs."""
    import os

    from bot.logs import configure_logging
    from bot.worker import run_worker

    configure_logging()
    settings = _settings("development")
    if workers is None:
        workers = 2 if settings.database_url.startswith("sqlite") else 8
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    run_worker(settings, workers=workers)


@main.command()
@_clear_errors
def classify() -> None:
    """Read one message per line on stdin; write one JSON object per line.

    Each object has the intent, its confidence, the runner-up, the top complaint category
    and the entities found (ticket and receipt codes, phones, ID numbers, dates)."""
    import json

    from bot.clock import SystemClock, thai_date
    from nlu.understand import Understander

    understander = Understander.load()
    today = thai_date(SystemClock().now())
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        understood = understander.understand(text, today)
        suggestions = understander.categories.suggest(text, limit=1)
        record = {
            "intent": understood.intent.intent,
            "confidence": round(understood.intent.confidence, 4),
            "runner_up": understood.intent.runner_up,
            "category": suggestions[0].category.name if suggestions else None,
            "entities": [e.to_dict() for e in understood.entities],
        }
        click.echo(json.dumps(record, ensure_ascii=False))


@main.group()
def kb() -> None:
    """The office's knowledge: E-Service catalogue, citizen manual, office information."""


def _knowledge_folder(folder: str | None) -> Path:
    from knowledge.store import SAMPLE_CONTENT

    if folder:
        return Path(folder)
    return _settings("development").knowledge_dir or SAMPLE_CONTENT


@kb.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@_clear_errors
def kb_check(folder: str | None) -> None:
    """Validate a content folder (default: SIANG_KNOWLEDGE_DIR or the sample content).

    Prints one line per problem (file:line: what to fix) and exits 1 if there is any."""
    from knowledge.loader import load_content

    path = _knowledge_folder(folder)
    try:
        content = load_content(path)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem))
        click.echo(f"พบปัญหา {len(error.problems)} จุด ใน {path}", err=True)
        sys.exit(1)
    sample = " (ข้อมูลตัวอย่าง: โปรดแทนด้วยข้อมูลของหน่วยงาน)" if content.office.sample else ""
    click.echo(f"ถูกต้อง: {content.office.name} {len(content.entries)} เรื่อง{sample}")


@kb.command("search")
@click.option("--folder", type=click.Path(file_okay=False), help="Content folder to search.")
@_clear_errors
def kb_search(folder: str | None) -> None:
    """Read one question per line on stdin; write {"results": [{"id", "score"}, ...]} per line
    (best first, up to 5)."""
    import json

    from knowledge.store import KnowledgeBase

    index = KnowledgeBase(_knowledge_folder(folder)).current().index
    for line in sys.stdin:
        hits = index.search(line.rstrip("\r\n"), limit=5)
        results = [{"id": h.entry_id, "score": round(h.score, 4)} for h in hits]
        click.echo(json.dumps({"results": results}, ensure_ascii=False))


@kb.command("usage")
@click.option("--month", help="YYYY-MM (Thai calendar month, Christian era); default: this month.")
@_clear_errors
def kb_usage(month: str | None) -> None:
    """How many times each entry was answered in a month, as CSV (the monthly E-Service report)."""
    import csv
    import re

    from bot.clock import SystemClock
    from bot.db import Database
    from bot.tallies import month_of, tallies_for
    from handlers.service_info import TALLY_PREFIX

    settings = _settings("development")
    month = month or month_of(SystemClock().now())
    if not re.fullmatch(r"(19|20|21)\d\d-(0[1-9]|1[0-2])", month):
        click.echo(
            f"siang: --month must be YYYY-MM, Christian era (2569-11 is 2026-11): {month!r}",
            err=True,
        )
        sys.exit(2)
    db = Database.from_url(settings.database_url)
    writer = csv.writer(sys.stdout)
    writer.writerow(["month", "entry", "answers"])
    for name, count in tallies_for(db, month, prefix=TALLY_PREFIX):
        writer.writerow([month, name.removeprefix(TALLY_PREFIX), count])
    db.dispose()


@main.group()
def line() -> None:
    """LINE Official Account commands."""


@line.command("setup")
@click.option("--url", "public_url", help="Public https base URL (or SIANG_PUBLIC_URL).")
@_clear_errors
def line_setup(public_url: str | None) -> None:
    """Register the webhook URL and install the default rich menu."""
    from bot.setup_channels import setup_line

    settings = _settings()
    settings.require("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN")
    _echo_setup(setup_line(settings, _public_url(settings, public_url)))


@main.group()
def telegram() -> None:
    """Telegram bot commands."""


@telegram.command("setup")
@click.option("--url", "public_url", help="Public https base URL (or SIANG_PUBLIC_URL).")
@_clear_errors
def telegram_setup(public_url: str | None) -> None:
    """Register the webhook (with its secret token) and the bot's command list."""
    from bot.setup_channels import setup_telegram

    settings = _settings()
    settings.require("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
    _echo_setup(setup_telegram(settings, _public_url(settings, public_url)))


def _echo_setup(steps: Iterable[str]) -> None:
    """One line per finished step; a refused step is one line on stderr and exit 2."""
    # imported here, not at the top: it pulls in the LINE SDK, and `siang --help` stays fast
    from bot.setup_channels import SetupError

    try:
        for step in steps:
            click.echo(step)
    except SetupError as exc:
        click.echo(f"siang: {exc}", err=True)
        sys.exit(2)


def _public_url(settings: Settings, given: str | None) -> str:
    url = (given or settings.public_url or "").rstrip("/")
    if not url:
        raise ConfigError("no public URL: pass --url https://... or set SIANG_PUBLIC_URL")
    if not url.startswith("https://"):
        raise ConfigError("the public URL must start with https:// (LINE and Telegram require it)")
    return url
