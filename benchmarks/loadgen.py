"""Closed-loop HTTP load generator: N threads, one persistent connection each.

Every request body is built (and, for LINE, signed) before the clock starts, so the
generator spends its time on the wire. Prints one JSON object on stdout.

    python -m benchmarks.loadgen --url http://127.0.0.1:8000/webhook/line --kind line \
        --concurrency 50 --requests 1000 --line-secret SECRET
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import resource
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a file: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.helpers import line_body, line_signature, line_text_event

TEXTS = (
    "ไฟถนนหน้าบ้านดับมา 3 วันแล้วค่ะ",
    "สวัสดีค่ะ",
    "ขยะหน้าซอย 5 ไม่มีคนมาเก็บเลยครับ",
    "น้ำประปาไม่ไหลตั้งแต่เมื่อวานค่ะ",
    "อบต. เปิดกี่โมงครับ",
    "ถนนเป็นหลุมใหญ่ตรงหน้าโรงเรียน อันตรายมากค่ะ",
)
TIMEOUT_SECONDS = 10.0


@dataclass
class Request:
    index: int
    body: bytes
    headers: dict[str, str]


@dataclass
class Outcome:
    index: int
    status: int | None  # None: no HTTP answer (connection error, timeout)
    seconds: float
    error: str = ""


@dataclass
class LevelResult:
    kind: str
    concurrency: int
    planned: int
    sent: int
    ok: int
    errors: int
    elapsed_s: float
    rps: float
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    mean_ms: float | None
    time_capped: bool
    error_kinds: dict[str, int] = field(default_factory=dict)
    ok_indexes: list[int] = field(default_factory=list)
    client_cpu_s: float = 0.0


def event_id(run_id: str, index: int) -> str:
    """26 characters, like LINE's ULID webhookEventId; unique per run and index."""
    return f"{run_id[:10]:<10}{index:016d}"


def user_id(run_id: str, index: int) -> str:
    """A distinct LINE-shaped user id ("U" and 32 hex digits) per request."""
    return "U" + hashlib.md5(f"{run_id}:{index}".encode(), usedforsecurity=False).hexdigest()


def build_line_request(run_id: str, index: int, secret: str) -> Request:
    eid = event_id(run_id, index)
    event = line_text_event(
        TEXTS[index % len(TEXTS)],
        user=user_id(run_id, index),
        event_id=eid,
        reply_token=f"rt-{eid}",
        timestamp_ms=int(time.time() * 1000),
    )
    body = line_body(event)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Line-Signature": line_signature(body, secret),
        "User-Agent": "LineBotWebhook/2.0",
    }
    return Request(index, body, headers)


def build_requests(run_id: str, start: int, count: int, secret: str) -> list[Request]:
    """The baseline (`--kind plain`) gets the same signed bodies, so both read equal bytes."""
    return [build_line_request(run_id, start + i, secret) for i in range(count)]


class Feeder:
    """Hands out requests until they run out or the deadline passes."""

    def __init__(self, requests: list[Request], max_seconds: float) -> None:
        self._requests = requests
        self._next = 0
        self._lock = threading.Lock()
        self.max_seconds = max_seconds
        self.deadline = math.inf
        self.time_capped = False

    def start(self) -> None:
        self.deadline = time.perf_counter() + self.max_seconds

    def take(self) -> Request | None:
        with self._lock:
            if self._next >= len(self._requests):
                return None
            if time.perf_counter() >= self.deadline:
                self.time_capped = True
                return None
            request = self._requests[self._next]
            self._next += 1
            return request


def send_one(conn: http.client.HTTPConnection, path: str, request: Request) -> Outcome:
    started = time.perf_counter()
    try:
        conn.request("POST", path, body=request.body, headers=request.headers)
        response = conn.getresponse()
        response.read()
        if response.will_close:
            conn.close()  # reopened by the next request
        return Outcome(request.index, response.status, time.perf_counter() - started)
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return Outcome(request.index, None, time.perf_counter() - started, type(exc).__name__)


def client_loop(
    host: str,
    port: int,
    path: str,
    feeder: Feeder,
    ready: threading.Barrier,
    outcomes: list[Outcome],
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
    try:
        conn.connect()
        ready.wait()
        while (request := feeder.take()) is not None:
            outcomes.append(send_one(conn, path, request))
    finally:
        conn.close()


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(
    kind: str,
    concurrency: int,
    planned: int,
    outcomes: list[Outcome],
    elapsed: float,
    time_capped: bool,
) -> LevelResult:
    ok = [o for o in outcomes if o.status == 200]
    latencies = sorted(o.seconds * 1000 for o in ok)
    kinds: dict[str, int] = {}
    for o in outcomes:
        if o.status != 200:
            key = o.error or f"http_{o.status}"
            kinds[key] = kinds.get(key, 0) + 1

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return LevelResult(
        kind=kind,
        concurrency=concurrency,
        planned=planned,
        sent=len(outcomes),
        ok=len(ok),
        errors=len(outcomes) - len(ok),
        elapsed_s=round(elapsed, 3),
        rps=round(len(ok) / elapsed, 1) if elapsed > 0 else 0.0,  # answered 200 per second
        p50_ms=ms(percentile(latencies, 0.50)),
        p90_ms=ms(percentile(latencies, 0.90)),
        p99_ms=ms(percentile(latencies, 0.99)),
        max_ms=ms(latencies[-1] if latencies else None),
        mean_ms=ms(sum(latencies) / len(latencies) if latencies else None),
        time_capped=time_capped,
        error_kinds=kinds,
        ok_indexes=sorted(o.index for o in ok),
    )


def run_level(
    url: str, kind: str, requests: list[Request], concurrency: int, max_seconds: float
) -> LevelResult:
    parts = urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
    feeder = Feeder(requests, max_seconds)
    outcomes: list[Outcome] = []
    ready = threading.Barrier(concurrency + 1)
    threads = [
        threading.Thread(
            target=client_loop, args=(host, port, path, feeder, ready, outcomes), daemon=True
        )
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    ready.wait(timeout=30)  # every connection is open before the clock starts
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    feeder.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    result = summarise(kind, concurrency, len(requests), outcomes, elapsed, feeder.time_capped)
    result.client_cpu_s = round(_cpu_seconds() - cpu_before, 3)
    return result


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--kind", choices=["line", "plain"], default="line")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--start-index", type=int, default=0)
    parser.add_argument("--run-id", default=f"BENCH{os.getpid():05d}"[:10])
    parser.add_argument(
        "--line-secret",
        default=os.environ.get("LINE_CHANNEL_SECRET", ""),
        help="channel secret to sign with (default: $LINE_CHANNEL_SECRET)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    requests = build_requests(args.run_id, args.start_index, args.requests, args.line_secret)
    result = run_level(args.url, args.kind, requests, args.concurrency, args.max_seconds)
    json.dump(asdict(result), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
