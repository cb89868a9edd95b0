"""Child processes for the benchmark: started in their own session, always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]


def siang_command(*args: str) -> list[str]:
    """The `siang` console script beside this interpreter, or the same entry point via -c."""
    script = Path(sys.executable).parent / "siang"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from bot.cli import main; main()", *args]


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without app settings that would leak into the run."""
    prefixes = ("SIANG_", "LINE_", "TELEGRAM_")
    dropped = {"DATABASE_URL", "REDIS_URL", "PORT"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes) and k not in dropped}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_checked(
    name: str, command: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 120
) -> None:
    result = subprocess.run(
        list(command),
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{name} failed ({result.returncode}):\n{result.stderr[-3000:]}")


def start(
    name: str, command: Sequence[str], env: Mapping[str, str], cwd: Path, log_dir: Path
) -> Child:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: we stop it and all it forked
        )
    return Child(name, process, log_path)


def stop(child: Child, grace: float = 15.0, sig: signal.Signals = signal.SIGTERM) -> None:
    """`sig` (SIGTERM) to the child's process group, SIGKILL after `grace` seconds."""
    if child.alive():
        _signal_group(child.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=grace)
    if child.alive() or group_members(child.pid):  # stragglers (forked workers)
        _signal_group(child.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.process.wait(timeout=5)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _proc_stats() -> list[tuple[int, str, list[str]]]:
    """(pid, command name, fields after the command name) of every live process."""
    stats = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        stats.append((int(entry.name), name, stat.rsplit(")", 1)[1].split()))
    return stats


def group_members(pgid: int) -> list[int]:
    return [pid for pid, _name, fields in _proc_stats() if int(fields[2]) == pgid]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http_ok(
    children: Sequence[Child],
    probe: Callable[[], requests.Response],
    timeout: float = 60.0,
) -> float:
    """Poll until `probe` answers 200; fail early when a child exits. Returns seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for child in children:
            if not child.alive():
                raise RuntimeError(f"{child.name} exited early:\n{child.log_tail()}")
        with contextlib.suppress(requests.RequestException):
            if probe().status_code == 200:
                return time.monotonic() - started
        time.sleep(0.2)
    tails = "\n".join(f"--- {c.name}\n{c.log_tail()}" for c in children)
    raise RuntimeError(f"not healthy after {timeout:.0f}s:\n{tails}")


def group_cpu_seconds(pgids: Sequence[int]) -> dict[int, float]:
    """User+system CPU of every live process in each process group (from /proc)."""
    totals = dict.fromkeys(pgids, 0.0)
    for _pid, _name, fields in _proc_stats():
        pgrp = int(fields[2])
        if pgrp in totals:
            totals[pgrp] += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return totals


def cpu_by_command(commands: Sequence[str]) -> dict[str, float]:
    """CPU seconds of live processes by command name (e.g. the database server's backends)."""
    totals = dict.fromkeys(commands, 0.0)
    for _pid, name, fields in _proc_stats():
        if name in totals:
            totals[name] += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return totals


def machine_cpu() -> tuple[float, float]:
    """(busy, total) seconds summed over all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # without guest time, which is already in user
    return (total - idle) / CLK_TCK, total / CLK_TCK


def install_signal_handlers() -> None:
    """Ctrl-C, SIGTERM and SIGHUP unwind the stack once, so every `finally` stops its children;
    later signals are ignored so the clean-up itself is not cut short."""

    def _unwind(signum: int, _frame: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT too: a background
        signal.signal(sig, _unwind)  # job started by a script inherits it ignored
