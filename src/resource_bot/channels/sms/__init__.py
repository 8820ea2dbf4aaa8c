"""The SMS door: the same menus, words, directory and privacy rules, by text message.

``routes(runtime)`` gives ``POST /sms`` for the app that serves every door;
``build_sms_app(runtime)`` serves it alone (``python -m resource_bot.channels.sms``).
Imports stay lazy here, so the database models in ``tables`` load without the web stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from resource_bot.runtime import Runtime


def routes(runtime: Runtime, **options: Any) -> list[BaseRoute]:
    """``POST /sms`` (see ``server.routes``).

    Raises ConfigError when TWILIO_AUTH_TOKEN, PUBLIC_URL or STATE_SECRET is missing.
    """
    from resource_bot.channels.sms.server import routes as sms_routes

    return sms_routes(runtime, **options)


def build_sms_app(runtime: Runtime, **options: Any) -> Starlette:
    """The SMS door on its own, with ``/healthz`` (see ``server.build_sms_app``)."""
    from resource_bot.channels.sms.server import build_sms_app as build

    return build(runtime, **options)
