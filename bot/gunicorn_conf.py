"""Production gunicorn settings (the Procfile's web line). Override with GUNICORN_CMD_ARGS."""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None  # request lines would carry nothing useful and cost time; app logs are JSON
