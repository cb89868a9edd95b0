"""The `siang` command."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

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


@main.command()
@click.option("--month", help="YYYY-MM, Christian era (Thai calendar month).")
@click.option("--fiscal-year", type=int, help="Buddhist era: 2570 is 1 Oct 2026 to 30 Sep 2027.")
@click.option("--from", "first", help="First Thai date, YYYY-MM-DD (with --to).")
@click.option("--to", "last", help="Last Thai date, YYYY-MM-DD (with --from).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write [default: stdout; xlsx: siang-stats-<period>.xlsx here].",
)
@_clear_errors
def stats(
    month: str | None,
    fiscal_year: int | None,
    first: str | None,
    last: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Complaint statistics of a period, to publish: no personal data in them."""
    from bot.clock import SystemClock
    from bot.stats_export import PeriodError, default_output, export_stats, parse_period

    try:
        period = parse_period(month, fiscal_year, first, last)
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from None
    data = export_stats(_settings("development"), period, fmt, SystemClock())
    if output is None and fmt != "xlsx":
        click.echo(data, nl=False)  # bytes go out as they are: the BOM included
        return
    path = Path(output) if output else default_output(period, fmt)
    path.write_bytes(data)
    click.echo(str(path))


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


# ---- siang tickets: the complaint centre works general complaints --------------------

if TYPE_CHECKING:
    from datetime import date

    from bot.ticket_office import TicketOffice
    from complaints.tickets import Status, TicketCode


@main.group()
def tickets() -> None:
    """General complaints, for the office's staff: list, show and update tickets."""


def _fail(message: str) -> NoReturn:
    click.echo(f"siang: {message}", err=True)
    sys.exit(2)


def _refusals_as_one_line(
    refusals: Callable[[], tuple[type[Exception], ...]],
) -> Callable[[F], F]:
    """A refusal is one line on stderr and exit 2. `refusals` names the exception classes
    when one is raised, so the command's heavy imports wait until they are needed."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except refusals() as exc:
                _fail(str(exc))

        return wrapper  # type: ignore[return-value]

    return decorate


def _ticket_refusals() -> tuple[type[Exception], ...]:
    """Unknown tickets and changes the rules refuse."""
    from bot.ticket_office import TicketNotFound
    from complaints.lifecycle import UpdateRejected
    from complaints.tickets import TransitionError

    return (TicketNotFound, UpdateRejected, TransitionError)


_ticket_errors = _refusals_as_one_line(_ticket_refusals)


def _ticket_code(text: str) -> TicketCode:
    import re

    from complaints.tickets import TicketCode

    match = re.fullmatch(r"GC-(\d{4})-(\d{1,7})", text.strip().upper())
    try:
        if match is None:
            raise ValueError
        return TicketCode(int(match.group(1)), int(match.group(2)))
    except ValueError:
        _fail(f"not a ticket code: {text!r} (for example GC-2570-00042)")


def _status(text: str) -> Status:
    from complaints.tickets import Status
    from handlers.texts_th import STATUS_LABELS

    by_label = {label: value for value, label in STATUS_LABELS.items()}
    try:
        return Status(by_label.get(text.strip(), text.strip().lower()))
    except ValueError:
        _fail(f"unknown status {text!r}: use one of {', '.join(s.value for s in Status)}")


def _day(text: str, option: str) -> date:
    from datetime import date

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{option} must be YYYY-MM-DD, got {text!r}")
    if day.year > 2400:
        _fail(f"{option} is a Christian-era date: {day.year} BE is {day.year - 543}")
    return day


def _category(text: str) -> str:
    """A category's slug from its slug or its Thai name; anything else as given."""
    from nlu.categories import TAXONOMY

    wanted = text.strip()
    return next((c.slug for c in TAXONOMY if wanted in (c.slug, c.name)), wanted)


def _ticket_office(settings: Settings) -> TicketOffice:
    from bot.channels.dev import DevSender
    from bot.clock import SystemClock
    from bot.db import Database
    from bot.outbox import Outbox
    from bot.services import build_knowledge, build_senders, sla_days
    from bot.ticket_office import TicketOffice

    db = Database.from_url(settings.database_url)
    clock = SystemClock()
    outbox = Outbox(db, build_senders(settings, DevSender()), clock)
    return TicketOffice(db, outbox, clock, sla_days(settings, build_knowledge(settings)))


def _today() -> date:
    from bot.clock import SystemClock, thai_date

    return thai_date(SystemClock().now())


@tickets.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="received, in_progress, forwarded, resolved, closed or rejected (repeat for several).",
)
@click.option("--category", help="A category's name or slug (for example ถนน or road).")
@click.option("--overdue", is_flag=True, help="Only open tickets past their expected date.")
@click.option("--from", "first", help="Received on or after this Thai date, YYYY-MM-DD.")
@click.option("--to", "last", help="Received on or before this Thai date, YYYY-MM-DD.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Skip.")
@click.option("--json", "as_json", is_flag=True, help="JSON, with English keys.")
@_clear_errors
@_ticket_errors
def tickets_list(
    statuses: tuple[str, ...],
    category: str | None,
    overdue: bool,
    first: str | None,
    last: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Tickets, newest first: code, status, category, received and expected dates, days
    since receipt, and a mark on the overdue ones."""
    import json

    from bot.ticket_office import TicketFilter
    from bot.ticket_views import summary_json, table

    filters = TicketFilter(
        statuses=tuple(_status(s) for text in statuses for s in text.split(",") if s.strip()),
        category=_category(category) if category else None,
        overdue=overdue,
        received_from=_day(first, "--from") if first else None,
        received_to=_day(last, "--to") if last else None,
        limit=limit,
        offset=offset,
    )
    office = _ticket_office(_settings("development"))
    found, today = office.list(filters), _today()
    office.db.dispose()
    if as_json:
        click.echo(json.dumps([summary_json(t, today) for t in found], ensure_ascii=False))
    else:
        click.echo(table(found, today))


@tickets.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="JSON, with English keys.")
@_clear_errors
@_ticket_errors
def tickets_show(code: str, as_json: bool) -> None:
    """Everything about a ticket: contact, photos, and the timeline with internal notes."""
    import json

    from bot.ticket_views import detail, detail_json

    office = _ticket_office(_settings("development"))
    try:
        ticket = office.show(_ticket_code(code))
    finally:
        office.db.dispose()
    if as_json:
        click.echo(json.dumps(detail_json(ticket, _today()), ensure_ascii=False, indent=2))
    else:
        click.echo(detail(ticket, _today()))


@tickets.command("update")
@click.argument("code")
@click.option("--status", "status_text", help="The new status (leave out for a note only).")
@click.option("--note", "internal_note", default="", help="Internal note: never sent.")
@click.option("--public-note", default="", help="What the complainant is told.")
@click.option(
    "--expected-date",
    help="YYYY-MM-DD: the new date promised when the office cannot act in time "
    "(with the reason in --public-note).",
)
@click.option("--by", "actor", show_default="$USER", help="Who makes the change.")
@_clear_errors
@_ticket_errors
def tickets_update(
    code: str,
    status_text: str | None,
    internal_note: str,
    public_note: str,
    expected_date: str | None,
    actor: str | None,
) -> None:
    """Change a ticket's status, add a note, or promise a new date; the complainant is told."""
    import os

    from bot.ticket_views import update_line
    from complaints.lifecycle import StatusUpdate

    change = StatusUpdate(
        target=_status(status_text) if status_text else None,
        actor=actor or os.environ.get("USER", ""),
        public_note=public_note,
        internal_note=internal_note,
        expected_on=_day(expected_date, "--expected-date") if expected_date else None,
    )
    office = _ticket_office(_settings("development"))
    try:
        ticket = office.update(_ticket_code(code), change)
    finally:
        office.db.dispose()
    click.echo(update_line(ticket))


# ---- siang integrity: integrity officers work confidential corruption reports --------

if TYPE_CHECKING:
    from bot.integrity_office import IntegrityOffice


@main.group()
def integrity() -> None:
    """The confidential corruption track, for integrity officers only.

    Every command that touches a case asks for the officer's passphrase: at the terminal
    with a hidden prompt, otherwise as one line on stdin (so it can be scripted). Every
    read and change is written to the audit log (`siang integrity audit`)."""


def _integrity_refusals() -> tuple[type[Exception], ...]:
    """A wrong passphrase, no right to a case, or a change the rules refuse."""
    from bot.integrity_office import IntegrityError
    from complaints.lifecycle import UpdateRejected
    from complaints.tickets import TransitionError

    return (IntegrityError, UpdateRejected, TransitionError)


_integrity_errors = _refusals_as_one_line(_integrity_refusals)


def _passphrase(prompt: str, *, confirm: bool = False) -> str:
    """Hidden prompt at a terminal; otherwise the next line of stdin."""
    if sys.stdin.isatty():
        import getpass

        given = getpass.getpass(prompt)
        if confirm and getpass.getpass("พิมพ์วลีรหัสผ่านอีกครั้ง: ") != given:
            _fail("the two passphrases differ")
        return given
    line = sys.stdin.readline()
    if not line:
        _fail("no passphrase: type it at a terminal, or give it as one line on stdin")
    return line.rstrip("\r\n")


def _officer_passphrase(officer: str) -> str:
    return _passphrase(f"วลีรหัสผ่านของ {officer}: ")


def _integrity_office(settings: Settings) -> IntegrityOffice:
    from bot.channels.dev import DevSender
    from bot.clock import SystemClock
    from bot.db import Database
    from bot.integrity_desk import COSTS
    from bot.integrity_office import IntegrityOffice
    from bot.logs import UserHasher
    from bot.outbox import Outbox
    from bot.services import build_knowledge, build_senders, sla_days

    db = Database.from_url(settings.database_url)
    clock = SystemClock()
    passphrase_cost, receipt_cost = COSTS[settings.argon2_cost]
    return IntegrityOffice(
        db,
        clock,
        sla_days=sla_days(settings, build_knowledge(settings)),
        outbox=Outbox(db, build_senders(settings, DevSender()), clock),
        user_refs=UserHasher(settings.secret_key),
        passphrase_cost=passphrase_cost,
        receipt_cost=receipt_cost,
    )


@integrity.command("keygen")
@click.option("--name", required=True, help="The new officer's name (unique).")
@click.option(
    "--helper",
    help="An officer who can already read cases: their passphrase re-seals the existing "
    "cases to the new officer. Without one, the new officer reads only new cases.",
)
@_clear_errors
@_integrity_errors
def integrity_keygen(name: str, helper: str | None) -> None:
    """Create an integrity officer's key, locked with their passphrase (at least 12
    characters). The first officer opens the channel alone; every later one needs --helper,
    an officer who vouches for them and re-seals the cases they read. Not at a terminal:
    the new passphrase on the first line of stdin, the helper's on the second."""
    new_passphrase = _passphrase(f"วลีรหัสผ่านใหม่ของ {name}: ", confirm=True)
    helping = (helper, _officer_passphrase(helper)) if helper else None
    office = _integrity_office(_settings("development"))
    try:
        result = office.keygen(name, new_passphrase, helping)
    finally:
        office.db.dispose()
    from bot.integrity_views import keygen_lines

    click.echo(keygen_lines(result))


@integrity.command("list")
@click.option("--officer", required=True, help="Your name as an integrity officer.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="received, in_progress, forwarded, resolved, closed or rejected (repeat for several).",
)
@click.option("--overdue", is_flag=True, help="Only open cases past their expected date.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Skip.")
@_clear_errors
@_integrity_errors
def integrity_list(
    officer: str, statuses: tuple[str, ...], overdue: bool, limit: int, offset: int
) -> None:
    """Cases, newest first: number, status, dates, days since receipt, whether you can
    read each. No content."""
    from bot.integrity_office import CaseFilter
    from bot.integrity_views import table

    filters = CaseFilter(
        statuses=tuple(_status(s) for text in statuses for s in text.split(",") if s.strip()),
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    passphrase = _officer_passphrase(officer)
    office = _integrity_office(_settings("development"))
    try:
        found = office.list_cases(officer, passphrase, filters)
    finally:
        office.db.dispose()
    click.echo(table(found, _today()))


@integrity.command("show")
@click.argument("report_id", type=int)
@click.option("--officer", required=True, help="Your name as an integrity officer.")
@_clear_errors
@_integrity_errors
def integrity_show(report_id: int, officer: str) -> None:
    """A case decrypted: what was reported, additions, evidence, the timeline with
    internal notes. Audited."""
    from bot.integrity_views import detail

    passphrase = _officer_passphrase(officer)
    office = _integrity_office(_settings("development"))
    try:
        case = office.show(officer, passphrase, report_id)
    finally:
        office.db.dispose()
    click.echo(detail(case, _today()))


@integrity.command("update")
@click.argument("report_id", type=int)
@click.option("--officer", required=True, help="Your name as an integrity officer.")
@click.option("--status", "status_text", help="The new status (leave out for a note only).")
@click.option(
    "--public-note",
    default="",
    help="What whoever holds the receipt code sees. No names, no details of the case.",
)
@click.option("--note", "internal_note", default="", help="Internal note: stored encrypted.")
@click.option(
    "--expected-date",
    help="YYYY-MM-DD: the new date promised when the case cannot be finished in time "
    "(with the reason in --public-note).",
)
@_clear_errors
@_integrity_errors
def integrity_update(
    report_id: int,
    officer: str,
    status_text: str | None,
    public_note: str,
    internal_note: str,
    expected_date: str | None,
) -> None:
    """Change a case's status, add a note, or promise a new date (the general tickets'
    rules). A reporter who asked for chat notices is told only that there is progress."""
    from bot.integrity_views import update_lines
    from complaints.lifecycle import StatusUpdate

    change = StatusUpdate(
        target=_status(status_text) if status_text else None,
        actor=officer,
        public_note=public_note,
        internal_note=internal_note,
        expected_on=_day(expected_date, "--expected-date") if expected_date else None,
    )
    passphrase = _officer_passphrase(officer)
    office = _integrity_office(_settings("development"))
    try:
        result = office.update(officer, passphrase, report_id, change)
    finally:
        office.db.dispose()
    click.echo(update_lines(result))


@integrity.command("deactivate")
@click.argument("other")
@click.option("--officer", required=True, help="Your name as an integrity officer.")
@_clear_errors
@_integrity_errors
def integrity_deactivate(other: str, officer: str) -> None:
    """Take another officer off the track: inactive, their keys to every case deleted.
    Refused if a case would be left without a reader. Audited."""
    passphrase = _officer_passphrase(officer)
    office = _integrity_office(_settings("development"))
    try:
        cases = office.deactivate(officer, passphrase, other)
    finally:
        office.db.dispose()
    click.echo(f"ปิดสิทธิ์ {' '.join(other.split())} แล้ว (เดิมอ่านได้ {cases} เรื่อง)")


@integrity.command("exclude")
@click.argument("report_id", type=int)
@click.option("--officer", required=True, help="Your name as an integrity officer.")
@click.option("--other", required=True, help="The officer with a conflict of interest.")
@_clear_errors
@_integrity_errors
def integrity_exclude(report_id: int, officer: str, other: str) -> None:
    """Keep an officer with a conflict of interest from ever reading a case: their keys
    for it are deleted. Audited."""
    from bot.integrity_views import TH

    passphrase = _officer_passphrase(officer)
    office = _integrity_office(_settings("development"))
    try:
        office.exclude(officer, passphrase, report_id, other)
    finally:
        office.db.dispose()
    click.echo(TH["excluded_done"].format(other=" ".join(other.split()), id=report_id))


@integrity.command("evidence")
@click.argument("evidence_id", type=int)
@click.option("--officer", required=True, help="Your name as an integrity officer.")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="New file to write.")
@_clear_errors
@_integrity_errors
def integrity_evidence(evidence_id: int, officer: str, output: str) -> None:
    """Decrypt one piece of evidence into a new file (never overwritten). Audited."""
    from bot.integrity_views import TH

    passphrase = _officer_passphrase(officer)
    office = _integrity_office(_settings("development"))
    try:
        info = office.export_evidence(officer, passphrase, evidence_id, Path(output))
    finally:
        office.db.dispose()
    click.echo(TH["exported"].format(id=info.id, type=info.content_type, path=output))


@integrity.command("audit")
@click.option("--verify", is_flag=True, help="Recompute the hash chain; exit 1 if broken.")
@click.option("--case", "report_id", type=int, help="Only the entries about one case.")
@click.option("--limit", type=click.IntRange(1), help="Only the last N entries.")
@_clear_errors
def integrity_audit(verify: bool, report_id: int | None, limit: int | None) -> None:
    """Who read or changed what, when, for the head of office. No passphrase needed: the
    log holds no content."""
    from bot.integrity_views import audit_table, verify_line

    office = _integrity_office(_settings("development"))
    try:
        if verify:
            verdict = office.verify_audit()
            click.echo(verify_line(verdict))
            if not verdict.ok:
                sys.exit(1)
            return
        click.echo(audit_table(office.audit_log(report_id, limit)))
    finally:
        office.db.dispose()
