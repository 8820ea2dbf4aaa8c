"""A deliberately small HTTP/1.1 server on asyncio streams, run in its own thread.

Why not ``http.server``: it parses headers through the ``email`` package and parks one
thread per keep-alive connection. Benchmarks push thousands of Bot API calls per second
through the stand-in, and a getUpdates long poll is far cheaper as an awaited future than
as a blocked thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl

_REASONS = {status.value: status.phrase for status in HTTPStatus}
_MAX_HEAD_BYTES = 64 * 1024


class BadHttpRequest(Exception):
    """The peer sent something this server will not try to understand; the connection is dropped."""


@dataclass(slots=True)
class UploadedFile:
    """A file part of a multipart request: the bytes are kept so tests can check what was sent."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    version: str = "HTTP/1.1"

    @property
    def keeps_alive(self) -> bool:
        """As Telegram's servers (and RFC 9112) do: HTTP/1.1 keeps the connection unless told to close;
        HTTP/1.0 closes it unless asked to keep it."""
        connection = self.headers.get("connection", "").lower()
        if self.version.upper() == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection

    def form_fields(self) -> tuple[dict[str, str], dict[str, UploadedFile]]:
        """Decode query string plus body (urlencoded or multipart) into text fields and files."""
        fields: dict[str, str] = dict(parse_qsl(self.query, keep_blank_values=True)) if self.query else {}
        files: dict[str, UploadedFile] = {}
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            multipart_fields, files = parse_multipart(self.body, content_type)
            fields.update(multipart_fields)
        elif content_type.startswith("application/json") and self.body:
            decoded = json.loads(self.body)
            if not isinstance(decoded, dict):
                raise BadHttpRequest("JSON body must be an object")
            fields.update(
                {key: value if isinstance(value, str) else json.dumps(value) for key, value in decoded.items()}
            )
        elif self.body:
            fields.update(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
        return fields, files


@dataclass(slots=True)
class HttpResponse:
    status: int
    body: bytes
    content_type: str = "application/json"


HttpHandler = Callable[[HttpRequest], Awaitable[HttpResponse]]

_DISPOSITION_PARAM = re.compile(r';\s*([a-zA-Z*]+)="((?:[^"\\]|\\.)*)"')


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body; parts with a filename become files, the rest text fields."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise BadHttpRequest("multipart body without boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, separator, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise BadHttpRequest("multipart part without header block")
        content = content.removesuffix(b"\r\n")
        part_headers = _parse_header_lines(head.decode("utf-8").split("\r\n"))
        params = dict(_DISPOSITION_PARAM.findall(part_headers.get("content-disposition", "")))
        name = params.get("name")
        if name is None:
            raise BadHttpRequest("multipart part without a name")
        if "filename" in params:
            files[name] = UploadedFile(name, params["filename"], part_headers.get("content-type"), content)
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


def _parse_header_lines(lines: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise BadHttpRequest(f"malformed header line {line!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readline()
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers are ignored
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """Read one request; None when the client closed the connection between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadHttpRequest("connection closed mid-header") from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise BadHttpRequest("request head too large") from exc
    request_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    try:
        method, target, version = request_line.split(" ", 2)
    except ValueError as exc:
        raise BadHttpRequest(f"malformed request line {request_line!r}") from exc
    headers = _parse_header_lines(header_lines)
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        body = b""
    path, _, query = target.partition("?")
    return HttpRequest(method.upper(), path, query, headers, body, version.strip())


def _encode_response(response: HttpResponse, keep_alive: bool) -> bytes:
    reason = _REASONS.get(response.status, "Unknown")
    head = (
        f"HTTP/1.1 {response.status} {reason}\r\n"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("latin-1") + response.body


class HttpServerThread:
    """Serves ``handler`` on host:port from a private event loop in a daemon thread."""

    def __init__(self, handler: HttpHandler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._connections: set[asyncio.Task[None]] = set()
        #: TCP connections accepted since start: with keep-alive, a client's calls share a few.
        self.connections_accepted = 0

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server is not running")
        return self._port

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The serving loop, for call_soon_threadsafe from other threads; None when stopped."""
        return self._loop

    def start(self, timeout: float = 5.0) -> None:
        self._thread = threading.Thread(target=self._run, name="bot-api-standin", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("stand-in HTTP server did not start in time")
        if self._startup_error is not None:
            raise RuntimeError("stand-in HTTP server failed to start") from self._startup_error

    def stop(self, timeout: float = 5.0) -> None:
        loop, stop_requested, thread = self._loop, self._stop_requested, self._thread
        if loop is None or stop_requested is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(stop_requested.set)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError("stand-in HTTP server thread did not stop")
        self._thread = None

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced to start() instead of dying silently
            self._startup_error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        server = await asyncio.start_server(
            self._serve_connection, self._host, self._requested_port, limit=_MAX_HEAD_BYTES
        )
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop_requested.wait()
        finally:
            server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await server.wait_closed()
            self._loop = None
            self._port = None

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self.connections_accepted += 1
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                keep_alive = request.keeps_alive
                response = await self._handler(request)
                writer.write(_encode_response(response, keep_alive))
                await writer.drain()
                if not keep_alive:
                    break
        except (BadHttpRequest, ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # server shutdown; re-raising only makes asyncio log the cancelled handler task
        finally:
            self._connections.discard(task)
            writer.close()
