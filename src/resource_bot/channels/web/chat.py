"""The web chat's routes: one request, one turn of the engine, one page back.

A request is served like a Telegram update: the session's turns run one after
another (the Telegram chat gate, keyed by the session's number), a session that
floods is slowed the same way, and the database work runs in a worker thread with
the same time limit. The page is the answer itself (a POST is answered with the
page, not a redirect): what the engine said is never stored to be shown again.

Quick exit never waits for the database. ``POST /exit`` (the fixed button with
JavaScript off; a beacon with it on) drops the cookie, queues the session's rows to
be deleted, tries to delete them at once for a short while, and redirects to the
neutral site. Without its cookie the browser cannot reach the old conversation
again, even while the rows wait.

No IP address, user agent or typed text is stored or logged here (uvicorn's
access log is off; see channels/telegram/serving.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from resource_bot.channels.telegram.chats import ChatGate, Verdict
from resource_bot.channels.telegram.webhook import read_capped
from resource_bot.channels.terminal import parse_line
from resource_bot.channels.web import session as sessions
from resource_bot.channels.web.page import PageParts, notice_page, render_page
from resource_bot.channels.web.words import WebWords
from resource_bot.config import ConfigError
from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.events import Command, CommandName, Effect, Event, Outcome, Press, Start
from resource_bot.feedback import purge_report_guards
from resource_bot.paths import conversations_dir
from resource_bot.pending import PendingForgets
from resource_bot.runtime import Runtime
from resource_bot.state_store import StateStore

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Where quick exit goes unless QUICK_EXIT_URL says otherwise: a plain weather page.
DEFAULT_EXIT_URL = "https://www.weather.gov/"
#: The longest form body read; a typed request is at most 500 characters.
MAX_FORM = 8 * 1024
#: Longest one request's database work may take (as for a Telegram update).
DB_TURN_SECONDS = 8.0
#: How long a quick exit waits to delete the rows before answering (they are queued anyway).
EXIT_DB_SECONDS = 2.0
PURGE_SECONDS = 600.0
_DB_ERRORS = (DBAPIError, PoolTimeout, TimeoutError)


def exit_url_from(env: Mapping[str, str]) -> str:
    """QUICK_EXIT_URL, or the weather page; it must be a whole http(s) address."""
    url = env.get("QUICK_EXIT_URL") or DEFAULT_EXIT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c in url for c in " '\";"):
        raise ConfigError(
            f"QUICK_EXIT_URL={url!r} is not a web address; set it to a neutral page such as {DEFAULT_EXIT_URL}"
        )
    return url


def _log_failure(what: str, exc: BaseException) -> None:
    """Where it broke and the exception's type, never its message (it could quote what someone typed)."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-6:])
    log.error("%s: %s\n%s", what, type(exc).__name__, frames)


def _refused(why: str) -> Response:
    """A forged or cross-site post: nothing done, and where to go on."""
    return Response(f"{why} Open the chat again at / to go on.", status_code=403, media_type="text/plain")


def redisplay(state: ChatState) -> Event:
    """The event that shows the screen a session is on again (a reload, a new tab)."""
    kind, _, target = state.screen.partition(":")
    if kind == "topic" and target:
        return Press(buttons.topic(target, state.page))
    if kind == "service" and target:
        return Press(buttons.service(target))
    by_screen = {"language": CommandName.LANGUAGE, "area": CommandName.AREA, "help": CommandName.HELP}
    return Command(by_screen.get(state.screen, CommandName.MENU))


@dataclass
class Turn:
    outcome: Outcome
    lang: str


def _static(name: str) -> bytes:
    return resources.files("resource_bot.channels.web").joinpath("static", name).read_bytes()


class WebChat:
    """The web door: routes over the runtime's engine and a state store shared with the other doors."""

    def __init__(
        self,
        runtime: Runtime,
        store: StateStore,
        *,
        exit_url: str = DEFAULT_EXIT_URL,
        gate: ChatGate | None = None,
        words: WebWords | None = None,
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.menus = runtime.dialog.menus
        self.words = words or WebWords.from_dir(conversations_dir(), self.menus.codes)
        self.exit_url = exit_url
        self.gate = gate or ChatGate()
        self.pending = PendingForgets()
        self.db_seconds = DB_TURN_SECONDS
        self._purged_at = 0.0
        self._assets = {
            "chat.css": (_static("chat.css"), "text/css; charset=utf-8"),
            "chat.js": (_static("chat.js"), "text/javascript; charset=utf-8"),
        }

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.page, methods=["GET", "HEAD"]),
            Route("/", self.post, methods=["POST"]),
            Route("/exit", self.quick_exit, methods=["POST"]),
            Route("/static/{name}", self.asset, methods=["GET", "HEAD"]),
        ]

    # -- helpers ----------------------------------------------------------------------------------
    def _lang(self, hint: str | None) -> str:
        code = (hint or "")[:2].lower()
        return code if code in self.menus.codes else self.menus.codes[0]

    @staticmethod
    def _hint(request: Request) -> str | None:
        """The browser's first language, read for a new conversation and never kept."""
        first = request.headers.get("accept-language", "").split(",", 1)[0].strip()
        return first[:2] or None

    def _parts(self, session: str) -> PageParts:
        return PageParts(self.words, self.exit_url, sessions.form_token(session))

    def _html(self, session: str, fresh: bool, body: str, status: int = 200) -> Response:
        response = HTMLResponse(body, status_code=status)
        if fresh:
            sessions.set_session(response, session)
        return response

    async def _in_db_thread(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.wait_for(asyncio.to_thread(work, *args), self.db_seconds)

    async def _in_lane(self, session: str, work: Callable[[], Awaitable[Response]], *, exit_: bool = False) -> Response:
        """Run ``work`` after the session's earlier requests (a quick exit cuts ahead of them)."""
        box: list[Response] = []

        async def run() -> None:
            box.append(await work())

        await self.gate.serialized(sessions.chat_number(session), run(), quick_exit=exit_)
        # A request a quick exit made moot gets the start page; its browser has left anyway.
        return box[0] if box else RedirectResponse("/", status_code=303)

    def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._purged_at >= PURGE_SECONDS:
            self._purged_at = now
            self.store.purge_expired()
            purge_report_guards(self.runtime.db)

    # -- one turn ---------------------------------------------------------------------------------
    def _turn(self, session: str, event: Event | None, hint: str | None, *, count: bool = True) -> Turn:
        """The database side of one request (a worker thread): one connection, one commit.

        ``event`` None shows the session's screen again, without counting it.
        """
        self.pending.drain(self.store)
        self.runtime.refresh_if_changed()
        self._purge_now_and_then()
        key = self.store.key_for(sessions.chat_number(session))
        cleared = False
        with self.store.begin() as connection:
            before = self.store.load(key, new_chat=ChatState(lang=self._lang(hint)), connection=connection)
            if event is None:
                event, count = redisplay(before), False
            outcome, after = self.runtime.dialog.handle(before, event)
            if count:
                self.runtime.record(outcome, connection, report_token=self.store.report_token(key))
            if Effect.QUICK_EXIT in outcome.effects:
                self.store.forget(key, connection=connection)
                cleared = True
            elif Effect.FORGET in outcome.effects:
                self.store.forget_state(key, connection=connection)
                cleared = True
            elif after != before:
                # Unchanged (a first visit's welcome, a reload) writes nothing: a flood of new visitors
                # without cookies costs no rows. A changed state is saved, and its expiry moves on.
                self.store.save(key, after, connection=connection)
        if cleared:
            self.store.scrub_files()  # after the commit: no copy of the old state left in SQLite's log
        return Turn(outcome, after.lang if after != ChatState() else before.lang)

    async def _answer(self, session: str, fresh: bool, event: Event | None, hint: str | None) -> Response:
        """Admit the request through the session's flood gate, run the turn, render the page."""
        verdict = self.gate.admit(sessions.chat_number(session))
        lang = self._lang(hint)
        if verdict is not Verdict.SERVE:
            # No database work for a flood: one calm page (each time; a browser must get an answer).
            text = self.menus.ui(lang, "slow_down")
            return self._html(session, fresh, notice_page(lang, text, self._parts(session)), 429)

        async def work() -> Response:
            try:
                turn = await self._in_db_thread(self._turn, session, event, hint)
            except _DB_ERRORS as exc:
                _log_failure("database unavailable", exc)
                body = notice_page(lang, self.menus.ui(lang, "try_again_later"), self._parts(session))
                return self._html(session, fresh, body, 503)
            except Exception as exc:
                _log_failure("request failed", exc)
                sorry = self.menus.ui(lang, "sorry_error")
                menu = self.runtime.dialog.screens.main(ChatState(lang=lang), prefix=sorry)
                return self._html(session, fresh, render_page(lang, [menu], self._parts(session)), 500)
            if Effect.QUICK_EXIT in turn.outcome.effects:  # typed "exit" or "salir"
                return self._leave()
            body = render_page(turn.lang, turn.outcome.replies, self._parts(session))
            return self._html(session, fresh, body)

        return await self._in_lane(session, work)

    def _leave(self) -> Response:
        response = RedirectResponse(self.exit_url, status_code=303)
        sessions.drop_session(response)
        return response

    # -- routes -----------------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        """GET /: a new conversation, a deep link (``/?start=legal-es-z77002``), or the screen again."""
        known = sessions.session_of(request)
        session = known or sessions.new_session()
        payload = request.query_params.get("start")
        hint = self._hint(request)
        event: Event | None
        if payload is not None:
            event = Start(payload[:64], hint)
        elif known is None:
            event = Start(None, hint)
        else:
            event = None
        return await self._answer(session, known is None, event, hint)

    async def post(self, request: Request) -> Response:
        """POST /: a button (``b``) or typed words (``t``), with the form token (``csrf``)."""
        if not sessions.same_origin(request):
            return _refused("Forms are accepted only from this site.")
        form = await self._form(request)
        if form is None:
            return Response("That form was too large.", status_code=413, media_type="text/plain")
        known = sessions.session_of(request)
        hint = self._hint(request)
        if known is None:
            # No session (the browser was closed, or quick exit dropped it): start afresh; nothing is done.
            session = sessions.new_session()
            lang = self._lang(hint)
            note = self.words.get(lang, "expired")
            welcome = self.runtime.dialog.screens.main(ChatState(lang=lang), prefix=self.menus.ui(lang, "welcome"))
            return self._html(session, True, render_page(lang, [welcome], self._parts(session), status_note=note))
        if not sessions.token_ok(known, form.get("csrf", "")):
            return _refused("This form did not come from this page.")
        pressed = form.get("b")
        if pressed == buttons.QUICK_EXIT:
            return await self.quick_exit(request)
        event = Press(pressed) if pressed is not None else parse_line(form.get("t", "")[:1000], [])
        return await self._answer(known, False, event, hint)

    async def quick_exit(self, request: Request) -> Response:
        """Leave for the neutral site at once; the session's rows go now or as soon as the database answers.

        No form token is asked for: another site cannot send our cookie (SameSite=Strict),
        and quick exit must work even from an old page.
        """
        session = sessions.session_of(request)
        if session is None:
            return self._leave()
        key = self.store.key_for(sessions.chat_number(session))
        self.pending.add(key)

        async def forget() -> Response:
            try:
                await asyncio.wait_for(asyncio.to_thread(self.pending.drain, self.store), EXIT_DB_SECONDS)
            except (TimeoutError, *_DB_ERRORS) as exc:
                _log_failure("quick exit: rows wait for the database", exc)
            return self._leave()

        return await self._in_lane(session, forget, exit_=True)

    async def asset(self, request: Request) -> Response:
        found = self._assets.get(request.path_params["name"])
        if found is None:
            return Response(status_code=404)
        return Response(found[0], media_type=found[1])

    async def _form(self, request: Request) -> dict[str, str] | None:
        """The urlencoded form, first value of each field; None when too large.

        Parsed with the standard library: Starlette's own form parser needs python-multipart,
        a dependency for something two lines of ``parse_qs`` do.
        """
        try:
            body = await read_capped(request, MAX_FORM)
        except ClientDisconnect:
            return {}
        if body is None:
            return None
        try:
            fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
        except ValueError:  # more fields than any of our forms has
            return None
        return {name: values[0] for name, values in fields.items() if values}
