"""Verdicts against the issue's targets and the Markdown tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

P99_TARGET_MS = 100.0
THROUGHPUT_TARGET_RATIO = 0.25
LABELS = {
    "trivial": "baseline: trivial Flask",
    "sqlite": "webhook, SQLite + SqliteHuey",
    "postgresql": "webhook, PostgreSQL + Redis",
}


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _replied(level: Mapping[str, Any]) -> str:
    if level.get("no_worker"):
        return "no worker"
    if "all_replied_after_s" in level:
        return f"{level['all_replied_after_s']:.1f} s"
    left = level.get("backlog_after_settle")
    return f"not yet: {left['pending_events']} pending" if left else "n/a"


def level_at(levels: Sequence[Mapping[str, Any]], concurrency: int) -> Mapping[str, Any] | None:
    return next((lv for lv in levels if lv["concurrency"] == concurrency), None)


def verdicts(results: Mapping[str, Any], concurrency: int) -> list[dict[str, Any]]:
    """One row per backend: p99 at `concurrency`, and throughput against the same-run baseline."""
    baseline = level_at(results["trivial"]["levels"], concurrency) if "trivial" in results else None
    rows = []
    for name, target in results.items():
        if name == "trivial":
            continue
        level = level_at(target["levels"], concurrency)
        if level is None:
            continue
        p99 = level["p99_ms"]
        p99_pass = p99 is not None and p99 < P99_TARGET_MS and level["errors"] == 0
        ratio = level["rps"] / baseline["rps"] if baseline and baseline["rps"] else None
        rows.append(
            {
                "backend": name,
                "concurrency": concurrency,
                "p99_ms": p99,
                "errors": level["errors"],
                "p99_pass": p99_pass,
                "rps": level["rps"],
                "baseline_rps": baseline["rps"] if baseline else None,
                "throughput_ratio": None if ratio is None else round(ratio, 3),
                "throughput_pass": ratio is not None and ratio >= THROUGHPUT_TARGET_RATIO,
            }
        )
    return rows


def levels_table(results: Mapping[str, Any]) -> str:
    lines = [
        "| target | concurrency | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms "
        "| web CPU ms/req | machine CPU busy | all replied after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, target in results.items():
        for lv in target["levels"]:
            capped = " (time cap)" if lv["time_capped"] else ""
            lines.append(
                f"| {LABELS.get(name, name)} | {lv['concurrency']} | {lv['sent']}{capped} "
                f"| {lv['errors']} | {_fmt(lv['rps'])} | {_fmt(lv['p50_ms'])} "
                f"| {_fmt(lv['p90_ms'])} | {_fmt(lv['p99_ms'])} | {_fmt(lv['max_ms'])} "
                f"| {_fmt(lv.get('web_cpu_ms_per_req'), 2)} "
                f"| {_fmt(lv.get('machine_cpu_busy_pct'), 0)} % "
                f"| {_replied(lv)} |"
            )
    return "\n".join(lines)


def verdict_table(rows: Sequence[Mapping[str, Any]]) -> str:
    lines = [
        "| backend | p99 at c | target p99 < 100 ms | req/s vs baseline at c "
        "| target ≥ 25 % of baseline |",
        "|---|---:|:---:|---:|:---:|",
    ]
    for row in rows:
        ratio = row["throughput_ratio"]
        errors = f", {row['errors']} errors" if row["errors"] else ""
        lines.append(
            f"| {LABELS.get(row['backend'], row['backend'])} "
            f"| {_fmt(row['p99_ms'])} ms at {row['concurrency']}{errors} "
            f"| {'PASS' if row['p99_pass'] else 'FAIL'} "
            f"| {_fmt(row['rps'])} / {_fmt(row['baseline_rps'])} = "
            f"{'n/a' if ratio is None else f'{ratio * 100:.0f} %'} "
            f"| {'PASS' if row['throughput_pass'] else 'FAIL'} |"
        )
    return "\n".join(lines)


def _problems(check: Mapping[str, Any]) -> str:
    by_process = check.get("log_problems") or {}
    total = sum(sum(found.values()) for found in by_process.values())
    return str(total) if by_process else "n/a"


def correctness_table(results: Mapping[str, Any]) -> str:
    lines = [
        "| backend | sent | 200 | rows | duplicate rows | 200 but missing | processed "
        "| failed | still pending | events replied | reply API calls | push API calls "
        "| drain s | log warnings + errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, target in results.items():
        c = target.get("correctness")
        if not c:
            continue
        lines.append(
            f"| {LABELS.get(name, name)} | {c['sent']} | {c['ok']} | {c['rows']} "
            f"| {c['duplicate_rows']} | {c['missing']} | {c['processed']} | {c['failed']} "
            f"| {c['pending']} | {c['events_replied']} | {c['reply_calls']} "
            f"| {c['push_calls']} | {_fmt(c['drain_s'])} | {_problems(c)} |"
        )
    return "\n".join(lines)


def markdown(
    results: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], preamble: str = ""
) -> str:
    return "\n\n".join(
        [
            preamble,
            "### Throughput and latency (time to HTTP 200, per request)",
            levels_table(results),
            "### Targets",
            verdict_table(rows),
            "### Correctness (after load, worker given time to drain)",
            correctness_table(results),
        ]
    )
