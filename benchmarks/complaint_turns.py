"""Time each turn of filing a complaint through the pipeline, against greeting/thanks turns.

    .venv/bin/python -m benchmarks.complaint_turns [--database sqlite|postgresql|both]
                                                   [--complaints 200]

For each database (a SQLite file in a temp dir; a temporary PostgreSQL database, created
and dropped here) it builds the real Services (dev channel only, the real Thai models,
loaded and warmed up before timing). Then N users each say "สวัสดีค่ะ", file one complaint
in six turns (description, category tap, place, "no photo" tap, "no contact" tap, confirm
tap) and say "ขอบคุณค่ะ". A turn's time is `Pipeline.record` + `Pipeline.process_user` for
a message built directly, no HTTP: the pipeline's own cost. The greeting and thanks turns
(no flow, no ticket desk) are the baseline, measured in the same run and interleaved with
the steps, so machine noise hits both alike. Replies are delivered (untimed) after each
turn and checked, and at the end exactly N tickets with distinct codes must exist: the
script exits non-zero otherwise.

Prints Markdown tables (p50/p90/p99/max per turn kind, each p50 against the baseline p50,
tickets per second) and writes them to benchmarks/results/complaint_turns-<time>.md.
`--profile confirm` (any turn kind) also prints a cProfile of that kind's timed turns.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import logging
import os
import platform
import pstats
import re
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

import nlu  # noqa: F401  (sets PyThaiNLP offline before anything imports it)
from benchmarks.procs import machine_cpu
from bot.channels.base import InboundEventData
from bot.channels.dev import CHANNEL
from bot.clock import SystemClock
from bot.logs import JsonFormatter
from bot.migrate import upgrade
from bot.models import TicketRow
from bot.services import Services, build_services
from bot.settings import load_settings
from bot.ticket_desk import SqlTicketDesk
from bot.understanding import LazyUnderstander
from complaints.desk import NewTicket
from handlers import texts_th as th
from handlers.commands import Command
from handlers.complaint_intake import CATEGORY, CONFIRM, CONTACT_NO, PHOTOS_DONE
from handlers.messages import IncomingMessage, MessageKind

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "bench-secret-key-" + "0123456789abcdef" * 2
WARMUP_USERS = 5
PROJECT_PACKAGES = ("bot", "handlers", "complaints", "knowledge", "nlu")
CODE = re.compile(r"GC-\d{4}-\d{5}")

# Descriptions a villager might type; the user number makes each one different.
DESCRIPTIONS = (
    "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอเตอร์ไซค์ล้มไปสองคันแล้วค่ะ บ้านเลขที่ {n}",
    "ถนนในซอยพังเป็นหลุมเป็นบ่อ ฝนตกน้ำขังขับรถลำบากมากครับ แถวบ้านเลขที่ {n}",
    "ถนนลูกรังหน้าโรงเรียนเป็นหลุมลึก เด็กปั่นจักรยานล้มบ่อย ช่วยมาซ่อมด้วยค่ะ ({n})",
    "ผิวถนนคอนกรีตแตกร้าวยาวหลายเมตร รถยนต์ผ่านลำบาก อยากให้มาซ่อมครับ จุดที่ {n}",
)


@dataclass(frozen=True)
class Turn:
    kind: str  # a row of the table
    message: MessageKind
    text: str = ""
    postback: str = ""
    expect: str = ""  # a fragment of the bot's answer: the turn did what it should


CANCEL = Turn("cancel", MessageKind.POSTBACK, postback=Command.CANCEL.value, expect=th.CANCELLED)
BASELINE = ("greeting", "thanks")
STEPS = ("describe", "category", "place", "no_photo", "contact_no", "confirm")
LABELS = {
    "greeting": "baseline: “สวัสดีค่ะ” (first contact)",
    "thanks": "baseline: “ขอบคุณค่ะ”",
    "baseline": "**baseline: greeting + thanks**",
    "describe": "1. description (text; starts the flow)",
    "category": "2. category tap `cx:cat:road`",
    "place": "3. place (text)",
    "no_photo": "4. “ไม่มีรูป” tap `cx:photos_done`",
    "contact_no": "5. no contact tap `cx:contact_no`",
    "confirm": "6. confirm tap `cx:confirm` (files the ticket)",
}


def conversation(n: int) -> list[Turn]:
    """One user's turns: greeting, the six steps of a complaint, thanks."""
    text_ = MessageKind.TEXT
    tap = MessageKind.POSTBACK
    description = DESCRIPTIONS[n % len(DESCRIPTIONS)].format(n=n + 1)
    return [
        Turn("greeting", text_, text="สวัสดีค่ะ", expect=th.PRIVACY_FIRST_CONTACT[:20]),
        Turn("describe", text_, text=description, expect=th.ASK_CATEGORY),
        Turn("category", tap, postback=f"{CATEGORY}road", expect=th.ASK_PLACE[:15]),
        Turn("place", text_, text=f"หน้าบ้านเลขที่ {n + 1} หมู่ {n % 9 + 1}", expect="รูปถ่าย"),
        Turn("no_photo", tap, postback=PHOTOS_DONE, expect="ติดต่อกลับ"),
        Turn("contact_no", tap, postback=CONTACT_NO, expect=th.SUMMARY_ASK),
        Turn("confirm", tap, postback=CONFIRM, expect="รับเรื่องเรียบร้อยแล้วค่ะ"),
        Turn("thanks", text_, text="ขอบคุณค่ะ", expect=th.THANKS),
    ]


@dataclass
class Run:
    database: str
    complaints: int
    samples: dict[str, list[int]] = field(default_factory=dict)  # kind -> ns per turn
    per_complaint: list[int] = field(default_factory=list)  # the six steps' sum, ns
    wall_seconds: float = 0.0  # the whole timed loop, untimed delivery and checks included
    machine_busy: float = 0.0  # share of all CPUs busy during the loop, anyone's work
    own_cpu: float = 0.0  # this process's CPU seconds per wall second during the loop
    codes: list[str] = field(default_factory=list)
    tickets_in_db: int = 0
    distinct_codes_in_db: int = 0
    problems: list[str] = field(default_factory=list)
    profile: str = ""


class Bench:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.pipeline = services.pipeline
        self.profile_kind: str | None = None
        self.profiler: cProfile.Profile | None = None

    def profile(self, kind: str | None) -> None:
        """From now on, profile the timed part of this kind's turns."""
        self.profile_kind = kind
        self.profiler = cProfile.Profile() if kind else None

    def turn(self, user: str, user_ref: str, turn: Turn) -> tuple[int, str]:
        """One timed turn; then (untimed) deliver its replies and return their text."""
        now = self.services.clock.now()
        message = IncomingMessage(
            channel=CHANNEL,
            user_id=user,
            kind=turn.message,
            received_at=now,
            text=turn.text,
            postback=turn.postback,
        )
        event = InboundEventData(event_key=uuid.uuid4().hex, message=message, event_ts=now)
        profiling = self.profiler is not None and turn.kind == self.profile_kind
        if profiling:
            assert self.profiler is not None
            self.profiler.enable()
        started = time.perf_counter_ns()
        new_ids = self.pipeline.record(CHANNEL, [event])
        handled = self.pipeline.process_user(CHANNEL, user_ref)
        elapsed = time.perf_counter_ns() - started
        if profiling:
            assert self.profiler is not None
            self.profiler.disable()
        if len(new_ids) != 1 or handled != 1:
            raise RuntimeError(f"{turn.kind}: recorded {new_ids}, handled {handled}")
        self.services.outbox.deliver_for_user(user_ref)
        replies = self.services.dev_sender.take(user)
        said = "\n".join(
            part for r in replies for part in (r.text, *(f"{c.title}\n{c.body}" for c in r.cards))
        )
        return elapsed, said


def warm_up(bench: Bench) -> None:
    """Models, content and every statement the timed turns run, before any timing.

    A few users walk to the summary and cancel (no ticket). One filing is then made
    through the ticket desk and rolled back, so the filing transaction's statements are
    compiled too, and the run still ends with exactly N tickets.
    """
    bench.services.warm_up()
    for n in range(WARMUP_USERS):
        user = f"warmup-{n}"
        user_ref = bench.pipeline.hasher.ref(CHANNEL, user)
        for turn in conversation(n)[:-2]:  # all but confirm and thanks
            bench.turn(user, user_ref, turn)
        bench.turn(user, user_ref, CANCEL)
    db = bench.services.db
    with Session(db.engine) as s:
        desk = SqlTicketDesk(s, db.dialect, "warmup", channel=CHANNEL, recipient="warmup")
        new = NewTicket(category="road", description=DESCRIPTIONS[0].format(n=0))
        desk.open(new, bench.services.clock.now(), 15)
        s.rollback()


def run_one(database: str, url: str, workdir: Path, n: int, profile_kind: str | None) -> Run:
    (workdir / "instance").mkdir(exist_ok=True)
    upgrade(url)
    env = {
        "SIANG_ENV": "test",
        "SIANG_INSTANCE_DIR": str(workdir / "instance"),
        "DATABASE_URL": url,
        "SIANG_SECRET_KEY": SECRET_KEY,
    }
    settings = load_settings(env, dotenv_path=workdir / "no.env")
    services = build_services(settings, clock=SystemClock(), understander=LazyUnderstander())
    run = Run(database, n, {kind: [] for kind in (*BASELINE, *STEPS)})
    try:
        bench = Bench(services)
        warm_up(bench)
        bench.profile(profile_kind)
        started = time.perf_counter()
        busy_before, total_before = machine_cpu()
        own_before = sum(os.times()[:2])
        for i in range(n):
            user = f"bench-user-{i:05d}"
            user_ref = bench.pipeline.hasher.ref(CHANNEL, user)
            complaint_ns = 0
            for turn in conversation(i):
                elapsed, said = bench.turn(user, user_ref, turn)
                run.samples[turn.kind].append(elapsed)
                if turn.kind in STEPS:
                    complaint_ns += elapsed
                if turn.expect not in said:
                    run.problems.append(f"user {i}, {turn.kind}: no {turn.expect!r} in {said!r}")
                if turn.kind == "confirm":
                    found = CODE.search(said)
                    run.codes.append(found.group() if found else "")
            run.per_complaint.append(complaint_ns)
        run.wall_seconds = time.perf_counter() - started
        busy_after, total_after = machine_cpu()
        run.machine_busy = (busy_after - busy_before) / max(total_after - total_before, 1e-9)
        run.own_cpu = (sum(os.times()[:2]) - own_before) / run.wall_seconds
        with services.db.transaction() as s:
            run.tickets_in_db = s.scalar(select(func.count()).select_from(TicketRow)) or 0
            pairs = select(TicketRow.year_be, TicketRow.sequence).distinct().subquery()
            run.distinct_codes_in_db = s.scalar(select(func.count()).select_from(pairs)) or 0
        if bench.profiler is not None:
            out = io.StringIO()
            stats = pstats.Stats(bench.profiler, stream=out).sort_stats("cumulative")
            project = "|".join(f"{ROOT}/{package}/" for package in PROJECT_PACKAGES)
            stats.print_stats(project, 30)  # the project's own functions: where a turn goes
            run.profile = out.getvalue()
    finally:
        services.db.dispose()
    return run


def check(run: Run) -> list[str]:
    """The run's correctness: every user filed one ticket, every code is distinct."""
    problems = list(run.problems[:10])
    n = run.complaints
    if run.tickets_in_db != n:
        problems.append(f"{run.tickets_in_db} tickets in the database, expected {n}")
    if run.distinct_codes_in_db != n:
        problems.append(f"{run.distinct_codes_in_db} distinct codes in the database, expected {n}")
    if len(set(run.codes)) != n or "" in run.codes:
        problems.append(f"{len(set(run.codes) - {''})} distinct codes in {n} receipts")
    return problems


@contextlib.contextmanager
def sqlite_database(workdir: Path) -> Iterator[str]:
    yield f"sqlite:///{workdir / 'instance' / 'siang.db'}"


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the local server, dropped afterwards. Yields its psycopg URL."""
    name = f"siang_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_version(admin_url: str) -> str:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
    finally:
        engine.dispose()


# ---- report --------------------------------------------------------------------------------


def percentiles(samples_ns: list[int]) -> tuple[float, float, float, float]:
    ms = np.array(samples_ns) / 1e6
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return float(p50), float(p90), float(p99), float(ms.max())


def table(run: Run) -> str:
    baseline = run.samples["greeting"] + run.samples["thanks"]
    base_p50 = percentiles(baseline)[0]
    rows = [
        ("greeting", run.samples["greeting"]),
        ("thanks", run.samples["thanks"]),
        ("baseline", baseline),
        *((kind, run.samples[kind]) for kind in STEPS),
    ]
    lines = [
        "| turn | turns | p50 ms | p90 ms | p99 ms | max ms | p50 ÷ baseline p50 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, samples in rows:
        p50, p90, p99, top = percentiles(samples)
        lines.append(
            f"| {LABELS[kind]} | {len(samples)} | {p50:.2f} | {p90:.2f} | {p99:.2f} | "
            f"{top:.2f} | {p50 / base_p50:.2f} |"
        )
    p50, p90, p99, top = percentiles(run.per_complaint)
    lines.append(
        f"| whole complaint: the six steps of one user, summed | {len(run.per_complaint)} | "
        f"{p50:.2f} | {p90:.2f} | {p99:.2f} | {top:.2f} | {p50 / base_p50:.2f} |"
    )
    return "\n".join(lines)


def throughput(run: Run) -> str:
    n = run.complaints
    steps_s = sum(run.per_complaint) / 1e9
    return (
        f"Filed {n} tickets: **{n / steps_s:.1f} tickets/s** counting the six timed complaint "
        f"turns only ({steps_s:.2f} s); {n / run.wall_seconds:.1f} tickets/s over the whole "
        f"run's wall clock ({run.wall_seconds:.2f} s: greeting and thanks turns, untimed "
        "reply delivery and checks included). One thread, one user at a time. During the "
        f"loop the machine's {os.cpu_count()} CPUs were {run.machine_busy:.0%} busy; this "
        f"process used {run.own_cpu:.0%} of one CPU."
    )


def machine(databases: list[str]) -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    parts = [
        f"{os.cpu_count()} CPUs ({cpu})",
        f"Linux {platform.release()}",
        f"CPython {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if "postgresql" in databases:
        parts.append(f"PostgreSQL {postgres_version(PG_ADMIN_URL)}")
    return "; ".join(parts)


def quiet_json_logs() -> None:
    """Log as the worker does (JSON lines at INFO), to nowhere: the formatting is counted,
    the terminal is not."""
    handler = logging.StreamHandler(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--complaints", type=int, default=200, help="users, one complaint each")
    parser.add_argument(
        "--profile",
        choices=[*BASELINE, *STEPS],
        help="print a cProfile of this turn kind's timed turns (slows them; numbers inflated)",
    )
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    args = parser.parse_args(argv)
    if args.complaints < 1:
        parser.error("--complaints must be at least 1")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    quiet_json_logs()

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = [
        f"## Complaint intake turns: {args.complaints} complaints",
        "",
        f"{stamp}. Machine: {machine(databases)}.",
        "",
    ]
    failed = False
    for database in databases:
        with contextlib.ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="siang-turns-")))
            if database == "sqlite":
                url = stack.enter_context(sqlite_database(workdir))
            else:
                url = stack.enter_context(postgres_database(args.pg_admin_url))
            run = run_one(database, url, workdir, args.complaints, args.profile)
        problems = check(run)
        failed = failed or bool(problems)
        section = [
            f"### {'SQLite' if database == 'sqlite' else 'PostgreSQL'}",
            "",
            table(run),
            "",
            throughput(run),
            "",
            (
                f"Check: {run.tickets_in_db} tickets, {run.distinct_codes_in_db} distinct codes: "
                + ("**FAILED**: " + "; ".join(problems) if problems else "OK")
            ),
            "",
        ]
        print("\n".join(section), flush=True)
        out += section
        if run.profile:
            print(f"cProfile of the {args.profile} turns ({database}):\n{run.profile}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"complaint_turns-{stamp}.md"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"written to {path.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
