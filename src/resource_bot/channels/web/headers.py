"""Headers on every response of the app: nothing cached, no referrer, a strict Content-Security-Policy.

A plain ASGI middleware (Starlette's BaseHTTPMiddleware would copy every body
through a task): it adds the headers as the response starts. The policy lets the
page load only its own stylesheet and script, post forms only to itself (and follow
the quick exit's redirect to the neutral site), and be framed by nobody.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def content_security_policy(exit_url: str) -> str:
    parts = urlsplit(exit_url)
    exit_origin = f"{parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        f"form-action 'self' {exit_origin}; base-uri 'none'; frame-ancestors 'none'"
    )


def private_headers(exit_url: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"cache-control", b"no-store"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", content_security_policy(exit_url).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ]


class PrivateHeaders:
    def __init__(self, app: ASGIApp, exit_url: str) -> None:
        self.app = app
        self.extra = private_headers(exit_url)
        self.names = {name for name, _ in self.extra}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self.names]
                message["headers"] = kept + self.extra
            await send(message)

        await self.app(scope, receive, send_private)
