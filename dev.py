#!/usr/bin/env python3
"""The two Quick-start commands, for a fresh machine that has only Python 3.11+.

    python3 dev.py start   install into .venv, migrate, run the bot and its worker
    python3 dev.py test    install into .venv with the test tools, run every check

Both are idempotent: the virtual environment is (re)installed only when pyproject.toml
changes. Nothing here is needed in production (see README, Deployment).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def ensure_environment(extras: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before anything checks it
        sys.exit("Siang needs Python 3.11 or newer")
    if not PYTHON.exists():
        print("• creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed{extras or '-base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print(f"• installing Siang{extras} into .venv (first run takes a minute)", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f".{extras}"], check=True, cwd=ROOT)
    stamp.write_text(wanted)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SIANG_ENV", "development")
    env.setdefault("PYTHAINLP_OFFLINE", "1")
    env.setdefault("PYTHAINLP_READ_ONLY", "1")
    return env


def start(args: list[str]) -> int:
    ensure_environment()
    env = environment()
    siang = str(BIN / "siang")
    subprocess.run([siang, "db", "upgrade"], check=True, cwd=ROOT, env=env)
    # Ctrl-C or a kill stops the worker and the server with us, even when started in the background
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    children = [
        subprocess.Popen([siang, "worker"], cwd=ROOT, env=env),
        subprocess.Popen([siang, "serve", *args], cwd=ROOT, env=env),
    ]
    try:
        return children[1].wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            stop(child)


def stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.terminate()  # work in flight is transactional: an interrupted task is redone
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()


def test(args: list[str]) -> int:
    ensure_environment("[test]")
    env = environment()
    checks = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
        [str(PYTHON), "-m", "pytest", *args],
    ]
    for command in checks:
        print(
            f"• {' '.join(Path(command[0]).name if i == 0 else c for i, c in enumerate(command))}",
            flush=True,
        )
        code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
        if code != 0:
            return code
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"start", "test"}:
        print(__doc__)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    return start(args) if command == "start" else test(args)


if __name__ == "__main__":
    sys.exit(main())
