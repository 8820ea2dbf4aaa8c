"""``resource-bot web``: every configured door in one server (see channels/doors.py)."""

from __future__ import annotations

import click

from resource_bot.cli.context import Context, pass_context


@click.command()
@pass_context
def web(ctx: Context) -> None:
    """Serve the web chat on PORT, with Telegram's webhook and text messages when they are configured.

    Open http://127.0.0.1:8080/ to chat. Deep links work as in Telegram:
    /?start=legal-es-z77002. QUICK_EXIT_URL is where quick exit goes (a weather
    page by default). With WEBHOOK_URL, WEBHOOK_SECRET and TELEGRAM_BOT_TOKEN
    set, the same server is Telegram's webhook; with TWILIO_AUTH_TOKEN and
    PUBLIC_URL, it answers text messages at /sms. GET /healthz says whether
    the database answers. With a PostgreSQL DATABASE_URL or a webhook,
    STATE_SECRET is needed too. Run it behind an HTTPS reverse proxy: the
    session cookie is sent only over HTTPS (or to localhost).

    \b
    Example:
      PORT=8080 resource-bot web
      DATABASE_URL=postgresql://localhost/bot STATE_SECRET=... PORT=8080 resource-bot web
    """
    import uvicorn

    from resource_bot.channels.doors import build_app
    from resource_bot.channels.telegram.serving import server_config
    from resource_bot.config import ConfigError
    from resource_bot.logs import setup_logging

    settings = ctx.settings
    try:
        if settings.webhook_url:
            settings.require_token()
        settings.state_secret_for(webhook=bool(settings.webhook_url))
        setup_logging()
        runtime = ctx.runtime()
        app = build_app(runtime)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    # Bounded header time, keep-alive and concurrency, no access log (serving.py); behind a reverse proxy.
    try:
        uvicorn.Server(server_config(app, port=settings.port)).run()
    finally:
        runtime.close()  # the counts kept in memory
