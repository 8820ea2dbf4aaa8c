"""The Bot API stand-in keeps HTTP/1.1 connections alive, as Telegram's servers do.

If it closed them, every Bot API call of a benchmark would pay for a new TCP
connection: both bots' per-call cost would swell alike and the ratio between
them would look better than it is.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.standin import BotApiStandin, build_echo_application, running_in_background

CHAT = 5151


@pytest.fixture
def standin() -> Iterator[BotApiStandin]:
    with BotApiStandin() as api:
        yield api


def test_a_client_making_several_calls_opens_one_connection(standin: BotApiStandin) -> None:
    with httpx.Client(base_url=f"{standin.base_url}{standin.token}/") as client:
        answers = [client.post("getMe").json()["ok"] for _ in range(5)]
    assert answers == [True] * 5
    assert standin.connections_accepted == 1


def test_a_client_that_asks_to_close_gets_a_new_connection_per_call(standin: BotApiStandin) -> None:
    with httpx.Client(base_url=f"{standin.base_url}{standin.token}/", headers={"Connection": "close"}) as client:
        for _ in range(3):
            answer = client.post("getMe")
            assert answer.headers["connection"] == "close"
    assert standin.connections_accepted == 3


def _raw_get_me(standin: BotApiStandin, version: str, connection: str | None) -> bytes:
    """One request on a raw socket, then whatever the server sends until it closes or goes quiet."""
    header = f"Connection: {connection}\r\n" if connection else ""
    request = f"GET /bot{standin.token}/getMe {version}\r\nHost: 127.0.0.1\r\n{header}\r\n".encode()
    with socket.create_connection(("127.0.0.1", standin.port), timeout=1.0) as sock:
        sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            received += b"<still open>"
    return received


def test_http_1_0_closes_unless_asked_to_keep_alive_and_http_1_1_stays_open(standin: BotApiStandin) -> None:
    closed = _raw_get_me(standin, "HTTP/1.0", None)
    assert b"Connection: close" in closed and not closed.endswith(b"<still open>")
    kept = _raw_get_me(standin, "HTTP/1.0", "keep-alive")
    assert b"Connection: keep-alive" in kept and kept.endswith(b"<still open>")
    plain = _raw_get_me(standin, "HTTP/1.1", None)
    assert b"Connection: keep-alive" in plain and plain.endswith(b"<still open>")


def test_the_real_ptb_bot_answers_many_messages_without_opening_new_connections(standin: BotApiStandin) -> None:
    with running_in_background(build_echo_application(standin)):
        standin.user_sends_text(CHAT, "first")
        standin.wait_for_reply(CHAT)
        opened = standin.connections_accepted
        for n in range(6):
            standin.user_sends_text(CHAT, f"message {n}")
            assert standin.wait_for_reply(CHAT).result["text"] == f"message {n}"
        sends = len(standin.calls_to("sendMessage"))
        assert standin.connections_accepted == opened
    assert sends == 7
    # One connection for the long poll, one for everything else (PTB keeps two HTTP clients).
    assert opened <= 2
