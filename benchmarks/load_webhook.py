"""One-command load test of the LINE webhook, as deployed, against a trivial-endpoint baseline.

For the baseline and each backend (SQLite + SqliteHuey; PostgreSQL + Redis queue) it
migrates a fresh database, starts gunicorn with the production config and `siang worker`
(replies go to a local fake LINE API), sends signed LINE text events at rising concurrency
from a separate load-generator process, checks every event was recorded exactly once and
processed, prints Markdown tables and writes JSON to benchmarks/results/.

    .venv/bin/python -m benchmarks.load_webhook            # about 2.5 minutes
    .venv/bin/python -m benchmarks.load_webhook --help
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
import requests
from sqlalchemy import Connection, Engine, create_engine, text

from benchmarks import procs, pyspy, report
from benchmarks.loadgen import event_id
from tests.support.fake_platform import Call, FakePlatform

LINE_SECRET = "bench-line-channel-secret-0123456789"
LINE_TOKEN = "bench-line-access-token"
SECRET_KEY = "bench-secret-key-" + "0123456789abcdef" * 2
RESULTS_DIR = procs.REPO_ROOT / "benchmarks" / "results"
SERVER_COMMANDS = {"postgres": "postgres", "redis-server": "redis"}  # command -> role


@dataclass
class Options:
    levels: list[int]
    requests: int
    max_seconds: float
    warmup: int
    settle_seconds: float
    drain_seconds: float
    backends: list[str]
    pg_admin_url: str
    redis_url: str
    results_dir: Path
    keep_logs: bool
    py_spy: str | None
    line_api_latency_ms: float
    no_worker: bool


@dataclass
class Target:
    name: str
    url: str
    kind: str  # loadgen --kind
    pgids: dict[str, int]  # "web"/"worker" -> process group
    db: Engine | None = None
    sent_indexes: list[int] = field(default_factory=list)
    ok_indexes: list[int] = field(default_factory=list)


class Counter:
    """Event indexes unique over the whole run."""

    def __init__(self) -> None:
        self.value = 0

    def take(self, count: int) -> int:
        start, self.value = self.value, self.value + count
        return start


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- load --------------------------------------------------------------------------------


def run_loadgen(
    target: Target, concurrency: int, count: int, start: int, run_id: str, opts: Options
) -> dict[str, Any]:
    flags = {
        "--url": target.url,
        "--kind": target.kind,
        "--concurrency": concurrency,
        "--requests": count,
        "--max-seconds": opts.max_seconds,
        "--start-index": start,
        "--run-id": run_id,
        "--line-secret": LINE_SECRET,
    }
    args = [str(part) for pair in flags.items() for part in pair]
    command = procs.python_command("-m", "benchmarks.loadgen", *args)
    result = subprocess.run(
        command,
        env=procs.child_env({}),
        cwd=procs.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=opts.max_seconds + 120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{result.stderr[-3000:]}")
    level: dict[str, Any] = json.loads(result.stdout)
    target.sent_indexes.extend(range(start, start + level["sent"]))
    target.ok_indexes.extend(level.pop("ok_indexes"))
    return level


def measure_level(
    target: Target, concurrency: int, counter: Counter, run_id: str, opts: Options
) -> dict[str, Any]:
    before = cpu_snapshot(target)
    level = run_loadgen(
        target, concurrency, opts.requests, counter.take(opts.requests), run_id, opts
    )
    level |= cpu_used(before, cpu_snapshot(target), level["sent"])
    say(
        f"  [{target.name}] c={concurrency:>3}: {level['rps']:>7.1f} req/s  "
        f"p50 {level['p50_ms']} ms  p99 {level['p99_ms']} ms  errors {level['errors']}"
        + (f" {level['error_kinds']}" if level["errors"] else "")
    )
    return level


def cpu_snapshot(target: Target) -> dict[str, float]:
    groups = procs.group_cpu_seconds(list(target.pgids.values()))
    snapshot = {role: groups[pgid] for role, pgid in target.pgids.items()}
    servers = procs.cpu_by_command(list(SERVER_COMMANDS))
    snapshot |= {role: servers[command] for command, role in SERVER_COMMANDS.items()}
    snapshot["machine_busy"], snapshot["machine_total"] = procs.machine_cpu()
    return snapshot


def cpu_used(before: dict[str, float], after: dict[str, float], sent: int) -> dict[str, Any]:
    """CPU seconds spent while the level ran, by role, and the machine's busy share."""
    used = {key: after[key] - before[key] for key in before}
    total = used.pop("machine_total")
    stats: dict[str, Any] = {
        f"{role}_cpu_s": round(seconds, 2)
        for role, seconds in used.items()
        if role != "machine_busy"
    }
    stats["web_cpu_ms_per_req"] = round(1000 * used["web"] / max(sent, 1), 2)
    stats["machine_cpu_busy_pct"] = round(100 * used["machine_busy"] / total, 1) if total else None
    return stats


def measure(target: Target, counter: Counter, run_id: str, opts: Options) -> list[dict[str, Any]]:
    if opts.warmup:
        run_loadgen(target, 10, opts.warmup, counter.take(opts.warmup), run_id, opts)
        settle(target, opts.settle_seconds)
    levels = []
    for concurrency in opts.levels:
        level = measure_level(target, concurrency, counter, run_id, opts)
        waited, left = settle(target, opts.settle_seconds)
        levels.append(level | backlog_fields(target, level, waited, left))
    return levels


def backlog_fields(
    target: Target, level: dict[str, Any], waited: float, left: dict[str, int] | None
) -> dict[str, Any]:
    fields: dict[str, Any] = {"settle_s": round(waited, 1), "backlog_after_settle": left}
    if left is not None and "worker" not in target.pgids:
        fields["no_worker"] = True
    elif left is not None and not any(left.values()):
        # the worker had processed and replied to all of this level's events by then
        fields["all_replied_after_s"] = round(level["elapsed_s"] + waited, 1)
    return fields


# ---- database checks -------------------------------------------------------------------


def backlog(db: Engine) -> dict[str, int]:
    with db.connect() as conn:
        events = conn.execute(
            text("SELECT count(*) FROM inbound_events WHERE status = 'pending'")
        ).scalar_one()
        outbox = conn.execute(
            text("SELECT count(*) FROM outbox_messages WHERE status IN ('pending', 'sending')")
        ).scalar_one()
    return {"pending_events": int(events), "open_outbox": int(outbox)}


def settle(target: Target, timeout: float) -> tuple[float, dict[str, int] | None]:
    """Wait (bounded) until the worker has caught up, so each level starts from quiet."""
    if target.db is None:
        return 0.0, None
    if "worker" not in target.pgids:  # --no-worker: nobody will drain it
        return 0.0, backlog(target.db)
    started = time.monotonic()
    while True:
        left = backlog(target.db)
        if not any(left.values()) or time.monotonic() - started >= timeout:
            return time.monotonic() - started, left
        time.sleep(0.25)


def correctness(
    target: Target, run_id: str, fake: FakePlatform, drain_seconds: float
) -> dict[str, Any]:
    assert target.db is not None
    done_before = _finished_events(target.db)
    drained_in, left = settle(target, drain_seconds)
    done_during_drain = _finished_events(target.db) - done_before
    with target.db.connect() as conn:
        keys = [r[0] for r in conn.execute(text("SELECT event_key FROM inbound_events"))]
        statuses = _count_by_status(conn, "inbound_events")
        outbox = _count_by_status(conn, "outbox_messages")
        replied = conn.execute(
            text(
                "SELECT count(DISTINCT source_event_id) FROM outbox_messages WHERE status = 'sent'"
            )
        ).scalar_one()
    sent_keys = {event_id(run_id, i) for i in target.sent_indexes}
    ok_keys = {event_id(run_id, i) for i in target.ok_indexes}
    recorded = set(keys)
    return {
        "sent": len(target.sent_indexes),
        "ok": len(ok_keys),
        "rows": len(keys),
        "duplicate_rows": len(keys) - len(recorded),
        "missing": len(ok_keys - recorded),  # acknowledged with 200 but not recorded
        "unknown_rows": len(recorded - sent_keys),
        "recorded_without_200": len((recorded & sent_keys) - ok_keys),
        "exactly_once": len(keys) == len(recorded) and ok_keys <= recorded,
        "processed": statuses.get("done", 0),
        "failed": statuses.get("failed", 0),
        "pending": statuses.get("pending", 0),
        "outbox": outbox,
        "open_outbox": left["open_outbox"] if left else 0,
        "events_replied": int(replied),
        "reply_calls": len(fake.requests_to("/v2/bot/message/reply")),
        "push_calls": len(fake.requests_to("/v2/bot/message/push")),
        "delivered_messages": len(fake.delivered_line_messages()),
        "drain_s": round(drained_in, 1),
        "worker_events_per_s_while_draining": (
            round(done_during_drain / drained_in, 1) if drained_in >= 1 else None
        ),
    }


def log_problems(path: Path) -> dict[str, int]:
    """Warnings and errors in a process's log (JSON app lines and gunicorn's own), by message."""
    problems: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("level") not in {"warning", "error", "critical"}:
                continue
            key = f"{entry['level']}: {entry.get('msg', '')}"
        elif "[ERROR]" in line or "[CRITICAL]" in line or "[WARNING]" in line:
            key = line.split("] ", 3)[-1][:120]
        else:
            continue
        problems[key] = problems.get(key, 0) + 1
    return problems


def _count_by_status(conn: Connection, table: str) -> dict[str, int]:
    rows = conn.execute(text(f"SELECT status, count(*) FROM {table} GROUP BY status"))
    return {str(status): int(count) for status, count in rows}


def _finished_events(db: Engine) -> int:
    with db.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM inbound_events WHERE status <> 'pending'")
            ).scalar_one()
        )


PROFILE_VIEWS = (  # (title, recording, only stacks containing)
    ("web, active (non-idle) samples", "web-cpu", None),
    ("web, request threads, wall clock", "web-wall", "handle_request (gunicorn"),
    ("web, event-recording threads, wall clock", "web-wall", "Pipeline.record (bot"),
    ("worker, active (non-idle) samples", "worker-cpu", None),
    ("worker, running tasks, wall clock", "worker-wall", "Huey._execute (huey"),
)


def profile_pass(
    target: Target, counter: Counter, run_id: str, opts: Options, workdir: Path
) -> dict[str, Any]:
    """An extra, unmeasured pass at the top level with py-spy on the web and the worker."""
    assert opts.py_spy
    out = opts.results_dir / f"profile-{run_id}-{target.name}"
    out.mkdir(parents=True, exist_ok=True)
    logs = workdir / target.name / "logs"
    top = max(opts.levels)
    say(f"  [{target.name}] profiling an extra pass at c={top} with py-spy")

    def record(role: str, wall: bool) -> procs.Child:
        name = f"{role}-{'wall' if wall else 'cpu'}"
        pid = target.pgids[role]
        return pyspy.start_record(
            opts.py_spy or "", name, pid, out / f"{name}.txt", logs, wall=wall
        )

    web = [record("web", wall=False), record("web", wall=True)]
    worker = [record(r, wall=w) for r in target.pgids if r == "worker" for w in (False, True)]
    try:
        time.sleep(1.5)  # attached before the first request
        level = run_loadgen(target, top, opts.requests, counter.take(opts.requests), run_id, opts)
    finally:
        for child in web:
            pyspy.stop_record(child)
    try:
        time.sleep(10.0 if worker else 0.0)  # the worker on its own, catching up
    finally:
        for child in worker:
            pyspy.stop_record(child)
    views = {}
    for title, recording, frame in PROFILE_VIEWS:
        path = out / f"{recording}.txt"
        views[title] = pyspy.summarise(path, frame) if path.exists() else {"samples": 0}
    text = "\n\n".join(pyspy.as_text(title, summary) for title, summary in views.items())
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    return {"dir": str(out), "level": level, "views": views}


# ---- environments --------------------------------------------------------------------------


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


@contextlib.contextmanager
def flushed_redis(url: str) -> Iterator[None]:
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield
    finally:
        client.flushdb()
        client.close()


@contextlib.contextmanager
def running(child: procs.Child) -> Iterator[procs.Child]:
    try:
        yield child
    finally:
        procs.stop(child)


def gunicorn_command(app: str, port: int) -> list[str]:
    # The production config as is; only the bind address is narrowed to loopback.
    return procs.python_command(
        "-m",
        "gunicorn",
        "--config",
        "python:bot.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        app,
    )


def app_env(instance: Path, port: int, fake: FakePlatform, extra: dict[str, str]) -> dict[str, str]:
    return procs.child_env(
        {
            "SIANG_ENV": "production",
            "SIANG_INSTANCE_DIR": str(instance),
            "SIANG_SECRET_KEY": SECRET_KEY,
            "LINE_CHANNEL_SECRET": LINE_SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
            "LINE_API_ENDPOINT": fake.url,
            "PORT": str(port),
            **extra,
        }
    )


def start_fake_platform(latency_ms: float) -> FakePlatform:
    """The tests' fake LINE API, tuned for load: Nagle off, optional emulated round trip.

    Its http.server handler writes headers and body separately; with Nagle's algorithm on,
    each keep-alive response then waits for the client's delayed ACK (about 40 ms).
    """
    fake = FakePlatform(line_token=LINE_TOKEN).start()
    server = fake._server
    assert server is not None
    server.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
    # A worker stopped mid keep-alive resets its connection: not worth a traceback.
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    if latency_ms > 0:
        respond = fake._respond

        def slow_respond(call: Call) -> tuple[int, Any, dict[str, str]]:
            time.sleep(latency_ms / 1000)
            return respond(call)

        fake._respond = slow_respond  # type: ignore[method-assign]
    return fake


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=procs.REPO_ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    changed = [line for line in git("status", "--porcelain").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_files": len(changed)}


def run_trivial(opts: Options, workdir: Path, counter: Counter, run_id: str) -> dict[str, Any]:
    say("baseline: trivial Flask endpoint under the same gunicorn config")
    port = procs.free_port()
    env = procs.child_env({"PORT": str(port)})
    command = gunicorn_command("benchmarks.trivial_app:app", port)
    child = procs.start("trivial-web", command, env, workdir, workdir / "logs")
    with running(child):
        url = f"http://127.0.0.1:{port}/"
        startup = procs.wait_http_ok([child], lambda: requests.post(url, data=b"x", timeout=2))
        target = Target("trivial", url, "plain", {"web": child.pid})
        levels = measure(target, counter, run_id, opts)
    return {"startup_s": round(startup, 2), "levels": levels}


def run_backend(
    name: str, opts: Options, workdir: Path, fake: FakePlatform, run_id: str
) -> dict[str, Any]:
    say(f"{name}: migrate, start gunicorn + worker")
    instance = workdir / name / "instance"
    instance.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        if name == "postgresql":
            db_url = stack.enter_context(postgres_database(opts.pg_admin_url))
            stack.enter_context(flushed_redis(opts.redis_url))
            extra = {"DATABASE_URL": db_url, "SIANG_QUEUE_URL": opts.redis_url}
        else:
            db_url, extra = f"sqlite:///{instance / 'siang.db'}", {}
        port = procs.free_port()
        env = app_env(instance, port, fake, extra)
        procs.run_checked("siang db upgrade", procs.siang_command("db", "upgrade"), env, instance)
        logs = workdir / name / "logs"
        web_command = gunicorn_command("bot.app:create_app()", port)
        web = stack.enter_context(running(procs.start("web", web_command, env, instance, logs)))
        children = [web]
        if not opts.no_worker:
            worker_command = procs.siang_command("worker")
            children.append(
                stack.enter_context(
                    running(procs.start("worker", worker_command, env, instance, logs))
                )
            )
        base = f"http://127.0.0.1:{port}"
        startup = procs.wait_http_ok(children, lambda: requests.get(f"{base}/healthz", timeout=2))
        db = create_engine(db_url)
        stack.callback(db.dispose)
        fake.reset()
        pgids = {child.name: child.pid for child in children}
        target = Target(name, f"{base}/webhook/line", "line", pgids, db)
        counter = Counter()
        levels = measure(target, counter, run_id, opts)
        profile = profile_pass(target, counter, run_id, opts, workdir) if opts.py_spy else None
        check = correctness(target, run_id, fake, opts.drain_seconds)
        check["log_problems"] = {c.name: log_problems(c.log_path) for c in children}
        say(
            f"  [{name}] recorded {check['rows']}/{check['sent']} (exactly once: "
            f"{check['exactly_once']}), processed {check['processed']}, "
            f"replied {check['events_replied']} in {check['drain_s']} s; "
            f"log warnings/errors: {check['log_problems']}"
        )
        if opts.keep_logs:
            keep = opts.results_dir / f"logs-{run_id}-{name}"
            keep.mkdir(parents=True, exist_ok=True)
            for child in children:
                (keep / child.log_path.name).write_bytes(child.log_path.read_bytes())
        result = {"startup_s": round(startup, 2), "levels": levels, "correctness": check}
        return result | ({"profile": profile} if profile else {})


# ---- machine -------------------------------------------------------------------------------


def machine_info(opts: Options) -> dict[str, Any]:
    import bot.gunicorn_conf as gconf

    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(_meminfo_kib("MemTotal") / 2**20, 1),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "gunicorn": {
            "workers": gconf.workers,
            "worker_class": gconf.worker_class,
            "threads": gconf.threads,
            "keepalive": gconf.keepalive,
        },
    }
    if "postgresql" in opts.backends:
        engine = create_engine(opts.pg_admin_url)
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
        info["redis"] = redis.Redis.from_url(opts.redis_url).info("server")["redis_version"]
    return info


def _meminfo_kib(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


# ---- main ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description="Load-test the LINE webhook (gunicorn + worker) against a trivial baseline."
    )
    parser.add_argument("--levels", default="1,10,25,50", help="concurrency levels")
    parser.add_argument("--requests", type=int, default=2000, help="requests per level")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time cap per level")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests first")
    parser.add_argument(
        "--settle-seconds", type=float, default=30.0, help="max wait for the worker between levels"
    )
    parser.add_argument(
        "--drain-seconds", type=float, default=60.0, help="max wait for the worker at the end"
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get(
            "SIANG_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("SIANG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--keep-logs", action="store_true", help="copy app logs to results dir")
    parser.add_argument(
        "--line-api-latency-ms",
        type=float,
        default=0.0,
        help="emulated round trip of the fake LINE API (e.g. 40 for an internet one)",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="the web app alone (what the targets describe): no `siang worker` on the CPUs",
    )
    parser.add_argument(
        "--py-spy",
        metavar="PATH",
        help="py-spy binary ('auto': from PATH): adds a profiled pass per backend",
    )
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    py_spy = pyspy.find_py_spy(args.py_spy)
    if args.py_spy and not py_spy:
        parser.error(f"py-spy not found: {args.py_spy}")
    return Options(
        levels=[int(x) for x in args.levels.split(",")],
        requests=args.requests,
        max_seconds=args.max_seconds,
        warmup=args.warmup,
        settle_seconds=args.settle_seconds,
        drain_seconds=args.drain_seconds,
        backends=backends,
        pg_admin_url=args.pg_admin_url,
        redis_url=args.redis_url,
        results_dir=args.results_dir,
        keep_logs=args.keep_logs,
        py_spy=py_spy,
        line_api_latency_ms=args.line_api_latency_ms,
        no_worker=args.no_worker,
    )


def run_all(opts: Options, run_id: str) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="siang-bench-")))
        fake = start_fake_platform(opts.line_api_latency_ms)
        stack.callback(fake.stop)
        results["trivial"] = run_trivial(opts, workdir, Counter(), run_id)
        for name in opts.backends:
            results[name] = run_backend(name, opts, workdir, fake, run_id)
    return results


def preamble(machine: dict[str, Any], opts: Options) -> str:
    g = machine["gunicorn"]
    git = git_state()
    return (
        f"Load test of POST /webhook/line, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit "
        f"{git['commit']} ({git['uncommitted_files']} uncommitted files). Machine: "
        f"{machine['nproc']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB. "
        f"gunicorn {g['worker_class']}, {g['workers']} workers x {g['threads']} threads; "
        f"{'no worker' if opts.no_worker else '`siang worker` running'}; "
        f"{opts.requests} requests per level; fake LINE API round trip "
        f"+{opts.line_api_latency_ms:g} ms."
    )


def write_results(document: dict[str, Any], table: str, results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results_dir / f"load_webhook-{stamp}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    procs.install_signal_handlers()
    opts = parse_args(argv)
    run_id = f"BN{int(time.time()) % 10**8:08d}"
    started = time.monotonic()
    machine = machine_info(opts)
    say(f"machine: {machine['nproc']} CPUs, {machine['memory_gib']} GiB, {machine['gunicorn']}")
    try:
        results = run_all(opts, run_id)
    except KeyboardInterrupt:
        say("interrupted: child processes stopped, benchmark database dropped")
        return 130
    target_c = max(opts.levels)
    rows = report.verdicts(results, target_c)
    table = report.markdown(results, rows, preamble(machine, opts))
    document = {
        "benchmark": "load_webhook",
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "machine": machine,
        "git": git_state(),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()},
        "targets": {
            "p99_ms_below": report.P99_TARGET_MS,
            "throughput_ratio_at_least": report.THROUGHPUT_TARGET_RATIO,
            "at_concurrency": target_c,
        },
        "results": results,
        "verdicts": rows,
    }
    path = write_results(document, table, opts.results_dir)
    print(table)
    say(f"\nresults: {path}  ({document['duration_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
