"""One app for every door: the web chat, Telegram's webhook and text messages, on one port.

``resource-bot web`` (the Procfile's ``web`` process) serves what is configured:

- the web chat, always (``/``, ``/exit``, ``/static/...``);
- Telegram's webhook when WEBHOOK_URL is set (with TELEGRAM_BOT_TOKEN, WEBHOOK_SECRET and
  STATE_SECRET, as ``resource-bot webhook`` needs), at the path of WEBHOOK_URL;
- text messages when TWILIO_AUTH_TOKEN and PUBLIC_URL are set, from
  ``resource_bot.channels.sms.routes(runtime)``;
- ``GET /healthz``: 200 when the database answers (the one thing every door needs), 503 when
  not, with the doors that are on.

Every door shares the runtime (one directory in memory) and the database's state store, so
one deploy runs them all and any number of these processes can stand behind a load balancer.
:data:`OPTIONAL_DOORS` is the list of doors switched on by settings; a new door adds itself there.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from resource_bot.channels.store import open_state_store
from resource_bot.channels.telegram.app import AnyApplication
from resource_bot.channels.telegram.webhook import HealthCheck, build_webhook_app
from resource_bot.channels.web.chat import WebChat, exit_url_from
from resource_bot.channels.web.headers import PrivateHeaders
from resource_bot.logs import install_private_logging
from resource_bot.runtime import Runtime

log = logging.getLogger(__name__)

RouteFactory = Callable[[Runtime], list[BaseRoute]]


@dataclass(frozen=True)
class OptionalDoor:
    """A door served when all its settings are set: ``factory`` is ``module:function(runtime)``."""

    name: str
    needs: tuple[str, ...]
    factory: str

    def wanted(self, env: Mapping[str, str]) -> bool:
        return all(env.get(name) for name in self.needs)

    def load(self) -> RouteFactory | None:
        module_name, _, function = self.factory.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            return None
        found = getattr(module, function, None)
        return found if callable(found) else None


#: Doors beyond the web chat and Telegram, each switched on by its settings.
OPTIONAL_DOORS: tuple[OptionalDoor, ...] = (
    OptionalDoor("sms", ("TWILIO_AUTH_TOKEN", "PUBLIC_URL"), "resource_bot.channels.sms:routes"),
)


def build_app(
    runtime: Runtime,
    env: Mapping[str, str] | None = None,
    *,
    telegram: AnyApplication | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The app serving every configured door; raises ConfigError naming a setting to fix."""
    install_private_logging()  # library log records lose every value (a key, a state) before anything runs
    env = os.environ if env is None else env
    exit_url = exit_url_from(env)
    settings = runtime.settings
    with_telegram = bool(settings.webhook_url)
    routes: list[BaseRoute] = []
    doors = ["web"]
    lifespan = None
    if with_telegram:
        webhook = build_webhook_app(runtime, telegram, clock=clock)
        routes += [route for route in webhook.routes if getattr(route, "path", None) != "/healthz"]
        lifespan = webhook.router.lifespan_context  # registers the webhook and runs the bot
        doors.append("telegram")
    store = open_state_store(runtime, webhook=with_telegram)
    routes += WebChat(runtime, store, exit_url=exit_url).routes()
    for door in OPTIONAL_DOORS:
        if not door.wanted(env):
            continue
        factory = door.load()
        if factory is None:
            log.warning("%s is configured, but this version has no %s door; not served", door.needs[0], door.name)
            continue
        routes += factory(runtime)
        doors.append(door.name)
    health = HealthCheck(runtime, clock=clock)

    async def healthz(request: Request) -> Response:
        ok = await health.answer()
        body = {"database": "ok" if ok else "unavailable", "doors": doors}
        return JSONResponse(body, status_code=200 if ok else 503)

    log.info("serving: %s", ", ".join(doors))
    return Starlette(
        routes=[Route("/healthz", healthz, methods=["GET"]), *routes],
        lifespan=lifespan,
        middleware=[Middleware(PrivateHeaders, exit_url=exit_url)],
    )
