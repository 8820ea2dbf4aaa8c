"""``POST /sms``: the webhook Twilio (or a compatible provider) calls for each incoming text.

Every request must carry ``X-Twilio-Signature``, which the provider computes
from the URL it called and the form fields with the account's auth token. It is
checked with Twilio's own ``RequestValidator`` (no crypto of ours) against the
URL built from ``PUBLIC_URL``, since behind a proxy the address this server sees
is not the one Twilio signed. The answer:

- 403: no signature, or a wrong one (nothing is read past the size check);
- 413: a body over MAX_BODY (refused before reading more);
- 400: not a form post, an unreadable form, or no ``From``;
- 200 with TwiML: ``<Response>`` with one ``<Message>`` per text to send
  (none after STOP, or for a flood), written by Twilio's ``MessagingResponse``.

No traceback reaches the caller, and nothing here logs the number or the text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse

from resource_bot.channels.sms.door import SmsDoor
from resource_bot.channels.store import open_state_store
from resource_bot.channels.telegram.chats import ChatGate
from resource_bot.channels.telegram.webhook import HealthCheck, read_capped
from resource_bot.config import ConfigError, Settings
from resource_bot.logs import install_private_logging
from resource_bot.runtime import Runtime

PATH = "/sms"
#: Twilio's form posts are a few kilobytes (the text is at most 1,600 characters, plus media links).
MAX_BODY = 64 * 1024
#: Form fields read at most; Twilio sends about thirty.
MAX_FIELDS = 200
FORM = "application/x-www-form-urlencoded"
#: A phone number as providers send it (E.164, or a short code); anything longer is not one.
MAX_FROM = 32
_NO_STORE = {"Cache-Control": "no-store"}


def check_sms_settings(settings: Settings) -> tuple[str, str]:
    """(auth token, public base URL), or a ConfigError saying what to set."""
    token = settings.twilio_auth_token
    if not token:
        raise ConfigError(
            "TWILIO_AUTH_TOKEN is not set. Copy the Auth Token from the Twilio Console (Account info) "
            "and export TWILIO_AUTH_TOKEN=<it>; every text's signature is checked with it."
        )
    url = (settings.public_url or "").rstrip("/")
    parts = urlsplit(url)
    local = parts.scheme == "http" and (parts.hostname or "") in ("127.0.0.1", "localhost")
    if not parts.netloc or not (parts.scheme == "https" or local) or parts.query or parts.fragment:
        raise ConfigError(
            "PUBLIC_URL must be the public https:// address of this server, like https://bot.example.org "
            "(Twilio signs the URL it calls, so the SMS door builds it from PUBLIC_URL + /sms)."
        )
    return token, url


def signed_url(public_url: str, request: Request) -> str:
    """The URL Twilio called, as it signed it: PUBLIC_URL, the path, and the query string if any."""
    query = request.url.query
    return f"{public_url}{request.url.path}" + (f"?{query}" if query else "")


def twiml(messages: tuple[str, ...]) -> Response:
    response = MessagingResponse()
    for text in messages:
        response.message(text)
    return Response(str(response), media_type="application/xml", headers=_NO_STORE)


def routes(runtime: Runtime, *, door: SmsDoor | None = None, gate: ChatGate | None = None) -> list[BaseRoute]:
    """``POST /sms`` for an app that serves several doors; raises ConfigError when a setting is missing.

    Needs TWILIO_AUTH_TOKEN, PUBLIC_URL and (as any webhook) STATE_SECRET.
    """
    install_private_logging()
    token, public_url = check_sms_settings(runtime.settings)
    door = door or SmsDoor(runtime, open_state_store(runtime, webhook=True), gate=gate)
    validator = RequestValidator(token)

    async def receive(request: Request) -> Response:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or len(signature) > 200:
            return Response(status_code=403)
        try:
            body = await read_capped(request, MAX_BODY)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return Response(status_code=413)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
            return Response(status_code=400)
        try:
            form = ImmutableMultiDict(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS, strict_parsing=False)
            )
        except (UnicodeDecodeError, ValueError):
            return Response(status_code=400)
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        if not validator.validate(signed_url(public_url, request), form, signature, algorithm):
            return Response(status_code=403)
        number = form.get("From", "").strip()
        if not number or len(number) > MAX_FROM:
            return Response(status_code=400)
        answer = await door.answer(number, form.get("Body", ""))
        return twiml(answer.messages)

    return [Route(PATH, receive, methods=["POST"])]


def build_sms_app(
    runtime: Runtime,
    *,
    door: SmsDoor | None = None,
    gate: ChatGate | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The SMS door on its own: ``POST /sms`` and ``GET /healthz`` (tests, the benchmark, a trial run)."""
    health = HealthCheck(runtime, clock=clock)

    async def healthz(request: Request) -> Response:
        ok = await health.answer()
        return JSONResponse({"database": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    return Starlette(routes=[*routes(runtime, door=door, gate=gate), Route("/healthz", healthz, methods=["GET"])])
