"""Optional sampling profiles with py-spy (not a project dependency: bring your own).

pip install --target /tmp/pyspy py-spy
python -m benchmarks.load_webhook --py-spy /tmp/pyspy/bin/py-spy

python -m benchmarks.pyspy benchmarks/results/profile-...-web.txt   # summarise a file
"""

from __future__ import annotations

import re
import shutil
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import procs

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
# inclusive: a sample counts for every category its stack touches
CATEGORIES = (
    ("flask + werkzeug", ("(flask/", "(werkzeug/")),
    ("gunicorn", ("(gunicorn/",)),
    ("sqlalchemy (incl. the sqlite3 C driver it calls)", ("(sqlalchemy/",)),
    ("psycopg (incl. waiting for the server)", ("(psycopg/",)),
    ("huey (queue)", ("(huey/",)),
    ("redis client", ("(redis/",)),
    ("logging", ("(logging/",)),
    ("line-bot-sdk", ("(linebot/",)),
    ("http clients (requests, urllib3, http.client)", ("(requests/", "(urllib3/", "(http/")),
    ("json", ("(json/",)),
    ("siang code (bot/, handlers/)", ("(bot/", "(handlers/")),
)

PLUMBING = ("(threading.py)", "(concurrent/futures/thread.py)", "(<frozen runpy>)", "(runpy.py)")


def find_py_spy(given: str | None) -> str | None:
    if not given:
        return None
    if given == "auto":
        return shutil.which("py-spy")
    return given if Path(given).exists() else shutil.which(given)


def start_record(
    py_spy: str, name: str, pid: int, out: Path, log_dir: Path, *, wall: bool = False
) -> procs.Child:
    """`wall`: sample waiting threads too (where a request's time goes, not just the CPU's).
    Follows forked children (gunicorn's workers)."""
    command = [py_spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw"]
    command += ["--output", str(out), "--nonblocking", "--subprocesses"]
    if wall:
        command.append("--idle")
    return procs.start(name, command, procs.child_env({}), procs.REPO_ROOT, log_dir)


def stop_record(child: procs.Child) -> None:
    """py-spy writes its file on SIGINT."""
    procs.stop(child, grace=20.0, sig=signal.SIGINT)


def _short(file: str) -> str:
    """py-spy already shortens paths to the importable part; absolute ones get trimmed."""
    for marker in ("site-packages/", "/lib/python3.", "/work/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def _frames(stack: str) -> list[str]:
    frames = []
    for raw in stack.split(";"):
        match = FRAME.match(raw)
        if match:
            frames.append(f"{match['func']} ({_short(match['file'])})")
        elif not raw.startswith(("process ", "thread ")):
            frames.append(raw)
    return frames


def summarise(path: Path, must_contain: str | None = None, top: int = 20) -> dict[str, Any]:
    """Per category and per function (inclusive and self) share of the samples; only of
    stacks with `must_contain` in them when given (e.g. a request thread's frame)."""
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        if must_contain and must_contain not in stack:
            continue
        count = int(count_text)
        total += count
        frames = _frames(stack)
        for frame in set(frames):
            if not frame.endswith(PLUMBING):
                inclusive[frame] += count
        if frames:
            own[frames[-1]] += count
        joined = ";".join(frames)
        for name, needles in CATEGORIES:
            if any(n in joined for n in needles):
                categories[name] += count

    def share(counter: Counter[str], limit: int) -> list[tuple[str, float]]:
        return [(k, round(100 * v / total, 1)) for k, v in counter.most_common(limit)]

    if not total:
        return {"samples": 0}
    return {
        "samples": total,
        "categories_pct": share(categories, len(CATEGORIES)),
        "inclusive_pct": share(inclusive, top),
        "self_pct": share(own, top),
    }


def as_text(title: str, summary: dict[str, Any]) -> str:
    lines = [f"## {title}: {summary.get('samples', 0)} samples"]
    for key, heading in (
        ("categories_pct", "by library (inclusive)"),
        ("inclusive_pct", "top functions, inclusive"),
        ("self_pct", "top functions, self"),
    ):
        lines.append(f"\n{heading}:")
        lines += [f"  {pct:5.1f} %  {name}" for name, pct in summary.get(key, [])]
    return "\n".join(lines)


if __name__ == "__main__":
    # python -m benchmarks.pyspy FILE [FRAME]: summarise FILE, optionally only stacks with FRAME
    frame = sys.argv[2] if len(sys.argv) > 2 else None
    print(as_text(sys.argv[1], summarise(Path(sys.argv[1]), frame)))
