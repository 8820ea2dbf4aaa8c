"""Serve the SMS door alone on PORT: ``python -m resource_bot.channels.sms``.

The deployed bot serves it together with the other doors (``resource-bot web``);
this is for trying the SMS door by itself. Settings come from the environment:
TWILIO_AUTH_TOKEN, PUBLIC_URL, STATE_SECRET, and DATABASE_URL or the local SQLite file.
"""

from __future__ import annotations

import sys

import uvicorn

from resource_bot.channels.sms.server import build_sms_app
from resource_bot.channels.telegram.serving import server_config
from resource_bot.config import ConfigError, load_settings
from resource_bot.logs import setup_logging
from resource_bot.runtime import DirectoryError, open_runtime


def main() -> None:
    try:
        setup_logging()
        settings = load_settings()
        runtime = open_runtime(settings)
        app = build_sms_app(runtime)
    except (ConfigError, DirectoryError) as exc:
        sys.exit(f"Error: {exc}")
    uvicorn.Server(server_config(app, port=settings.port)).run()


if __name__ == "__main__":
    main()
