"""How uvicorn serves the webhook app: bounded time, size and concurrency for every client.

uvicorn bounds an idle keep-alive connection (``timeout_keep_alive``) and the
size of unfinished headers (``h11_max_incomplete_event_size``), but not the
time a client may take to send them: a client that opens a connection and
trickles a header line now and then holds it forever, and a thousand of them
starve everyone else. uvicorn has no setting for that, so
:class:`RequestDeadlineProtocol` (its h11 protocol plus one timer) closes a
connection whose request has not fully arrived within ``request_timeout``
seconds of the connection opening or of the last response. A reverse proxy in
front (see the README) is still the first line; this is the second.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send a whole request (headers and body) once it starts.
REQUEST_TIMEOUT = 10.0
#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE_TIMEOUT = 5
#: Open connections (or requests in flight) at once; past it uvicorn answers 503 at once instead of
#: running out of file descriptors (the usual limit is 1,024). Slow clients count until the request
#: deadline closes them, so more of them than this within REQUEST_TIMEOUT mean 503s for that long;
#: the proxy in front is what keeps them away.
CONCURRENCY_LIMIT = 1000
#: Largest request head (request line and headers) accepted; Telegram's are well under 2 KB.
MAX_HEADER_BYTES = 16 * 1024


class RequestDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request does not arrive in time."""

    request_timeout: float = REQUEST_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()  # a request in flight sees the client as gone

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
            self._disarm()  # the whole request is in; the app's own time is not bounded here

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self._arm()  # the next request on this connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def server_config(
    app: Any,
    *,
    host: str = "0.0.0.0",
    port: int = 8080,
    request_timeout: float = REQUEST_TIMEOUT,
    limit_concurrency: int = CONCURRENCY_LIMIT,
) -> uvicorn.Config:
    """uvicorn's settings for the webhook app."""
    protocol = type("RequestDeadlineProtocol", (RequestDeadlineProtocol,), {"request_timeout": request_timeout})
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        limit_concurrency=limit_concurrency,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        access_log=False,
        log_level="info",
    )
