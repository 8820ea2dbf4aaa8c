"""The webhook server: Starlette, run by uvicorn.

Why Starlette rather than python-telegram-bot's built-in webhook server: we
need a health endpoint next to the webhook, and we want to answer Telegram
only after the update was served. PTB's own server puts each update on an
in-process queue and answers 200 at once, so an update in flight is lost if
the process stops; here Telegram gets 200 only once the reply is out, and
redelivers otherwise. Any number of these processes can stand behind one load
balancer: they keep no conversation in memory (state is in the database).

Routes:

- ``POST <path of WEBHOOK_URL>``: an Update from Telegram. A request whose
  ``X-Telegram-Bot-Api-Secret-Token`` header is not ``WEBHOOK_SECRET``
  (compared in constant time) gets 403 and is not read.
  The body is read only up to MAX_BODY (413 past it, before reading more); anything
  that is not an Update the bot can read gets 400, without a traceback.
  The 200 for a button tap carries ``answerCallbackQuery`` as its body: Telegram runs
  one Bot API method given there, so the tap costs one outgoing request (the edit)
  instead of two, and the spinner stops when the answer is out, not before.
- ``GET /healthz``: 200 when the database answers, 503 when it does not; one
  answer is reused for HEALTH_CACHE_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from resource_bot.channels.telegram.app import ALLOWED_UPDATES, AnyApplication, build_application, prepare_bot
from resource_bot.channels.telegram.handler import TelegramBot
from resource_bot.channels.telegram.updates import update_from
from resource_bot.config import ConfigError
from resource_bot.runtime import Runtime

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
#: Longest an Update body may be; real ones are a few kilobytes.
MAX_BODY = 1_000_000
HEALTH_TIMEOUT = 5.0
#: How long one /healthz answer is reused: anyone may call it, and each fresh answer is a query.
HEALTH_CACHE_SECONDS = 2.0


def webhook_path(url: str) -> str:
    """The path Telegram will POST to: the path of WEBHOOK_URL, or /telegram."""
    path = urlsplit(url).path
    return path if path not in ("", "/") else "/telegram"


def check_webhook_settings(url: str | None, secret: str | None) -> tuple[str, str]:
    if not url:
        raise ConfigError(
            "WEBHOOK_URL is not set. Set it to the public https:// address of this server "
            "(e.g. https://bot.example.org/telegram), or run `resource-bot poll` instead."
        )
    if not secret or not _SECRET.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be 1-256 letters, digits, _ or - so that only Telegram can call the "
            "webhook; "
            "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return url, secret


def database_answers(runtime: Runtime) -> bool:
    try:
        with runtime.db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is (or says it is) longer than ``limit``.

    A Content-Length over the limit is refused before reading a byte; a body without one
    (chunked) or longer than it claims is read only up to the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or len(declared) > 15 or int(declared) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class HealthCheck:
    """The database answer, asked at most once every HEALTH_CACHE_SECONDS however often /healthz is hit.

    Callers arriving while a check runs wait for that one check instead of starting their own.
    """

    def __init__(self, runtime: Runtime, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.runtime = runtime
        self.clock = clock
        self._answer: tuple[float, bool] | None = None
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool | None:
        if self._answer is not None and self.clock() - self._answer[0] < HEALTH_CACHE_SECONDS:
            return self._answer[1]
        return None

    async def answer(self) -> bool:
        cached = self._fresh()
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._fresh()
            if cached is not None:
                return cached
            try:
                ok = await asyncio.wait_for(asyncio.to_thread(database_answers, self.runtime), HEALTH_TIMEOUT)
            except TimeoutError:
                ok = False
            self._answer = (self.clock(), ok)
            return ok


def build_webhook_app(
    runtime: Runtime, application: AnyApplication | None = None, *, clock: Callable[[], float] = time.monotonic
) -> Starlette:
    """The Starlette app; registers WEBHOOK_URL with Telegram when it starts."""
    settings = runtime.settings
    url, secret = check_webhook_settings(settings.webhook_url, settings.webhook_secret)
    app = application or build_application(runtime, polling=False)
    bot: TelegramBot = app.bot_data["resource_bot"]
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        try:
            body = await read_capped(request, MAX_BODY)
        except ClientDisconnect:  # gave up, or was cut off for sending too slowly (serving.py)
            return Response(status_code=400)
        if body is None:
            return Response(status_code=413)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested thousands deep
            return Response(status_code=400)
        update = update_from(data, app.bot)
        if update is None:
            return Response(status_code=400)
        # Served before answering: Telegram redelivers if this process dies on the way.
        await app.update_processor.process_update(update, app.process_update(update))
        answer = bot.callback_answer(update)
        return JSONResponse(answer) if answer is not None else Response(status_code=200)

    health = HealthCheck(runtime, clock=clock)

    async def healthz(request: Request) -> Response:
        ok = await health.answer()
        return JSONResponse({"database": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with app:  # initialize ... shutdown
            await prepare_bot(app)
            await bot.call(app.bot.set_webhook, url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
            await app.start()
            log.info("webhook registered; serving")
            try:
                yield
            finally:
                await app.stop()
        # The webhook stays registered: other processes behind the load balancer still serve it.

    return Starlette(
        routes=[
            Route(webhook_path(url), receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
