"""The baseline: the cheapest Flask endpoint gunicorn can serve with the production config.

gunicorn --config python:bot.gunicorn_conf "benchmarks.trivial_app:app"
"""

from __future__ import annotations

from flask import Flask

app = Flask("siang-bench-trivial")


@app.post("/")
def ok() -> tuple[str, int]:
    return "ok", 200
