"""A person at the web chat without JavaScript, as the TestClient sees it: open, tap, type, quick exit.

The page is read with the standard library's HTML parser: its buttons (label and the data
they post), its links, the text of its replies and its form token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from starlette.testclient import TestClient


@dataclass
class Page:
    status: int
    lang: str = ""
    token: str = ""
    buttons: dict[str, str] = field(default_factory=dict)  # label -> data
    links: dict[str, str] = field(default_factory=dict)  # text -> href
    replies: list[str] = field(default_factory=list)
    has_quick_exit: bool = False
    scripts: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.replies)


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page
        self._button: dict[str, str] | None = None
        self._link: str | None = None
        self._in_text = 0
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = a.get("lang", "")
        elif tag == "input" and a.get("name") == "csrf":
            self.page.token = a.get("value", "")
        elif tag == "button":
            self._button = {**a, "label": ""}
        elif tag == "a":
            self._link = a.get("href", "")
            self._chunks_link: list[str] = []
        elif tag == "div" and a.get("class") == "text":
            self._in_text = 1
            self._chunks = []
        elif tag == "div" and self._in_text:
            self._in_text += 1
        elif tag == "form" and a.get("action") == "/exit":
            self.page.has_quick_exit = True
        elif tag == "script":
            self.page.scripts.append(a.get("src", "<inline>"))
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.page.styles.append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            if self._button.get("name") == "b":
                self.page.buttons[self._button["label"].strip()] = self._button.get("value", "")
            self._button = None
        elif tag == "a" and self._link is not None:
            self.page.links["".join(self._chunks_link)] = self._link
            self._link = None
        elif tag == "div" and self._in_text:
            self._in_text -= 1
            if not self._in_text:
                self.page.replies.append("".join(self._chunks))

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button["label"] += data
        if self._link is not None:
            self._chunks_link.append(data)
        if self._in_text:
            self._chunks.append(data)


def read_page(status: int, html: str) -> Page:
    page = Page(status)
    _Reader(page).feed(html)
    return page


class Person:
    """One browser with JavaScript off: the cookie jar is the TestClient's."""

    def __init__(self, client: TestClient, *, lang: str = "en") -> None:
        self.client = client
        self.headers = {"accept-language": lang}
        self.page = Page(0)
        self.response: Any = None

    def _read(self, response: Any) -> Page:
        self.response = response
        self.page = read_page(response.status_code, response.text)
        return self.page

    def open(self, path: str = "/") -> Page:
        return self._read(self.client.get(path, headers=self.headers))

    def tap(self, label: str) -> Page:
        """Press the button whose label starts with (or, without emoji, is) ``label``."""
        found = [data for shown, data in self.page.buttons.items() if _plain(shown).startswith(_plain(label))]
        assert found, f"no button {label!r} on the page; there are {list(self.page.buttons)}"
        return self.post({"b": found[0]})

    def type(self, text: str) -> Page:
        return self.post({"t": text})

    def post(self, fields: dict[str, str], *, token: str | None = None) -> Page:
        data = {"csrf": self.page.token if token is None else token, **fields}
        return self._read(self.client.post("/", data=data, headers=self.headers, follow_redirects=False))

    def quick_exit(self) -> Any:
        self.response = self.client.post("/exit", headers=self.headers, follow_redirects=False)
        return self.response


def _plain(label: str) -> str:
    return re.sub(r"^\W+", "", label).strip().lower()


def echo_routes(runtime: object) -> list[Any]:
    """A door for tests of the door list: GET /echo answers "echo"."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def echo(request: object) -> PlainTextResponse:
        return PlainTextResponse("echo")

    return [Route("/echo", echo)]
