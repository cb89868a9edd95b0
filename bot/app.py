"""The composition root: `create_app()` builds the Flask app from the environment."""

from __future__ import annotations

from flask import Flask

from bot import web
from bot.intake import Intake, SpoolDrainer
from bot.jobs import Dispatcher, Jobs
from bot.logs import configure_logging
from bot.services import Services, build_services
from bot.settings import Settings, load_settings
from bot.spool import Spool
from bot.worker import QueueDispatcher, make_huey, register_tasks, schedule_delivery


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    dispatcher: Dispatcher | None = None,
    dev_chat: bool | None = None,
) -> Flask:
    """Production (gunicorn) calls this with no arguments; tests and `siang serve` pass parts."""
    configure_logging()
    settings = settings or (services.settings if services else load_settings())
    services = services or build_services(settings, web=True)
    drain_in_background = dispatcher is None
    if dispatcher is None:
        holder: list[Jobs] = []
        tasks = register_tasks(make_huey(settings), lambda: holder[0])
        holder.append(Jobs(services, schedule_delivery(tasks)))
        jobs, dispatcher = holder[0], QueueDispatcher(tasks)
    else:
        jobs = Jobs(services)
    intake = Intake(services.pipeline, dispatcher, Spool(settings.instance_dir / "spool"))
    if drain_in_background:
        SpoolDrainer(intake).start()

    app = Flask("siang")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["SIANG_DEV_CHAT"] = settings.development if dev_chat is None else dev_chat
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["siang.services"] = services
    app.extensions["siang.intake"] = intake
    app.extensions["siang.jobs"] = jobs
    web.register(app)
    return app
