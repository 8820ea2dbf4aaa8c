"""BotApiStandin: a local Telegram Bot API that the real PTB Application can talk to over HTTP.

Tests drive the real polling loop and the real HTTPXRequest against it, act as users
(text, button taps, locations), inspect every call and the per-chat message log, and
inject the faults Telegram really produces (502s, 429 flood waits, slow answers).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from ._formatting import EntityParseError, command_entities, parse_html
from ._http import HttpRequest, HttpResponse, HttpServerThread, UploadedFile

DEFAULT_TOKEN = "123456:TEST-token"
DEFAULT_BOT_USERNAME = "resource_test_bot"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
DEFAULT_GROUP_USER_ID = 7_000_001

# Update types Telegram delivers when allowed_updates is empty or was never set.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "purchased_paid_media",
    }
) - {"message_reaction"}

# Methods whose successful result is a message a user would read as the bot's answer.
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument", "sendLocation"})

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Parameters Telegram treats as plain strings even when they look like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "url",
        "secret_token",
        "callback_query_id",
        "parse_mode",
        "language_code",
        "action",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "ip_address",
        "photo",
        "document",
        "file_id",
        "description",
        "short_description",
        "name",
        "title",
    }
)
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_BOT_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class ApiError(Exception):
    """A Bot API error answer; raised inside method handlers, turned into {"ok": false, ...}."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class Call(tuple[str, dict[str, Any]]):
    """One Bot API request as received; unpacks as ``(method, params)`` and carries the outcome.

    ``status`` is the HTTP status answered (200 on success), ``result`` the ``result`` field of
    a successful answer (or the error description), ``index`` its position in ``calls``.
    ``in_webhook_answer``: the call came as the body of the bot's answer to a webhook POST
    (see :meth:`BotApiStandin.webhook_answered`), not as a request of its own.
    """

    status: int
    result: Any
    position: int
    at: float
    in_webhook_answer: bool

    def __new__(
        cls,
        method: str,
        params: dict[str, Any],
        *,
        status: int,
        result: Any,
        position: int,
        in_webhook_answer: bool = False,
    ) -> Call:
        call = super().__new__(cls, (method, params))
        call.status = status
        call.result = result
        call.position = position
        call.at = time.monotonic()
        call.in_webhook_answer = in_webhook_answer
        return call

    @property
    def method(self) -> str:
        return self[0]

    @property
    def params(self) -> dict[str, Any]:
        return self[1]

    @property
    def ok(self) -> bool:
        return self.status == 200

    def __repr__(self) -> str:
        shown = {key: value for key, value in self.params.items() if key != "reply_markup"}
        return f"#{self.position} {self.method} -> {self.status} {shown!r}"[:300]


@dataclass(slots=True)
class ChatMessage:
    """A message in a chat as Telegram holds it now; ``message`` is the Bot API Message dict.

    Edits replace ``message`` with a new dict, so results already handed out stay snapshots.
    ``sent_reply_markup`` keeps any reply keyboard the bot sent (Telegram does not echo those).
    """

    message: dict[str, Any]
    from_bot: bool
    deleted: bool = False
    sent_reply_markup: Any = None

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    @property
    def text(self) -> str | None:
        return self.message.get("text")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.message.get("reply_markup")


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None
    file_size: int | None
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(slots=True)
class WebhookSettings:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40


@dataclass(slots=True)
class _Fault:
    kind: str  # "fail" | "flood" | "delay" | "pass"
    status: int = 502
    retry_after: int = 1
    seconds: float = 0.0
    apply: bool = False


@dataclass(slots=True)
class _Chat:
    chat: dict[str, Any]
    user: dict[str, Any] | None = None
    next_message_id: int = 1
    blocked: bool = False
    user_action_mark: int = 0
    reply_cursor: int = 0
    messages: dict[int, ChatMessage] = field(default_factory=dict)  # ordered by message_id


class SentMessageId(int):
    """A simulated user's message id that also carries the Update dict announcing it."""

    update: dict[str, Any]

    def __new__(cls, message_id: int, update: dict[str, Any]) -> SentMessageId:
        sent = super().__new__(cls, message_id)
        sent.update = update
        return sent


class CallbackQueryId(str):
    """A simulated tap's callback query id that also carries the Update dict announcing it."""

    update: dict[str, Any]

    def __new__(cls, query_id: str, update: dict[str, Any]) -> CallbackQueryId:
        sent = super().__new__(cls, query_id)
        sent.update = update
        return sent


def _decode_params(fields: dict[str, str], files: dict[str, UploadedFile]) -> dict[str, Any]:
    """Form fields as PTB encodes them: plain strings stay strings, everything else is JSON."""
    params: dict[str, Any] = {}
    for name, raw in fields.items():
        if name in _STRING_PARAMS:
            params[name] = raw
            continue
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    for name, value in params.items():
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            params[name] = files[value[9:]]
    for name, upload in files.items():
        params.setdefault(name, upload)
    return params


def _json_response(status: int, payload: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def _error_response(error: ApiError) -> HttpResponse:
    payload: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        payload["parameters"] = error.parameters
    return _json_response(error.code, payload)


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise _bad_request(f"wrong parameter {name} in request") from exc


class BotApiStandin:
    """Local Bot API on 127.0.0.1; use as a context manager around the code under test."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = DEFAULT_BOT_USERNAME,
        *,
        bot_first_name: str = "Resource Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._server = HttpServerThread(self._handle_http, host, port)
        self._lock = threading.RLock()
        self._calls_changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._calls_by_method: dict[str, list[Call]] = defaultdict(list)
        self._chats: dict[int, _Chat] = {}
        self._pending_updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._last_queued_update_id = 0
        self._allowed_update_types: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_waiters: set[asyncio.Future[str]] = set()
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._callback_query_ids = itertools.count(4_000_000_000_001)
        self._open_callback_queries: dict[str, dict[str, Any]] = {}
        self._file_numbers = itertools.count(1)
        self.files: dict[str, StoredFile] = {}
        self.webhook = WebhookSettings()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": lambda params: True,
                "close": lambda params: True,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "deleteMessages": self._delete_messages,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendLocation": self._send_location,
                "getFile": self._get_file,
                "getUpdates": lambda params: None,  # answered by _get_updates (it may wait)
            }.items()
        }

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> BotApiStandin:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def connections_accepted(self) -> int:
        """TCP connections the stand-in has accepted: Telegram keeps HTTP/1.1 connections alive, so does it."""
        return self._server.connections_accepted

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``; PTB appends the token itself."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``; downloads of files the bot uploaded."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ----------------------------------------------------------------- fault injection

    def _canonical_method(self, method: str) -> str:
        try:
            return self._methods[method.lower()][0]
        except KeyError:
            raise ValueError(f"the stand-in does not implement {method!r}") from None

    def fail_next(self, method: str, times: int = 1, status: int = 502, *, after: int = 0) -> None:
        """Answer the next ``times`` calls of ``method`` with a bare HTTP error (nginx-style body).

        With ``after``, that many calls are served normally first (a failure partway through).
        """
        with self._lock:
            queued = self._faults[self._canonical_method(method)]
            queued.extend(_Fault("pass") for _ in range(after))
            queued.extend(_Fault("fail", status=status) for _ in range(times))

    def flood_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls with Telegram's 429 flood-wait JSON."""
        with self._lock:
            self._faults[self._canonical_method(method)].extend(
                _Fault("flood", status=429, retry_after=retry_after) for _ in range(times)
            )

    def delay_next(self, method: str, seconds: float, times: int = 1, *, apply: bool = False) -> None:
        """Answer the next ``times`` calls only after ``seconds``, so the client's read timeout fires.

        With ``apply=False`` the call has no effect and is finally answered 504; with
        ``apply=True`` it takes effect and the late answer is the real one: the "Telegram did
        send it but the client never heard back" case that makes naive retries duplicate.
        """
        with self._lock:
            self._faults[self._canonical_method(method)].extend(
                _Fault("delay", status=504, seconds=seconds, apply=apply) for _ in range(times)
            )

    def user_blocks_bot(self, chat_id: int, blocked: bool = True) -> None:
        """Make sends to this private chat fail with 403 like a user who blocked the bot."""
        with self._lock:
            self._chat_or_raise(chat_id).blocked = blocked

    # ----------------------------------------------------------------- call log

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return list(self._calls_by_method.get(method, ()))

    def wait_for(
        self,
        what: str | Callable[[Call], bool],
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int = 0,
    ) -> list[Call]:
        """Block until ``count`` calls matching ``what`` arrived; return the first ``count`` of them.

        A method name matches only successful calls of that method; a predicate sees every call,
        failed ones included (check ``call.ok``). ``since`` skips calls with a lower index.
        """
        matches: Callable[[Call], bool]
        if isinstance(what, str):
            method = what

            def matches_method(call: Call) -> bool:
                return call.ok and call.method == method

            matches = matches_method
            wanted = f"{count} successful {method}"
        else:
            matches = what
            wanted = f"{count} call(s) matching {getattr(what, '__name__', what)!r}"
        deadline = time.monotonic() + timeout
        found: list[Call] = []
        with self._calls_changed:
            scanned = since
            while True:
                for call in itertools.islice(self._calls, scanned, None):
                    if matches(call):
                        found.append(call)
                scanned = max(scanned, len(self._calls))
                if len(found) >= count:
                    return found[:count]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._describe_wait_failure(wanted, found, since, timeout))
                self._calls_changed.wait(remaining)

    def _describe_wait_failure(self, wanted: str, found: list[Call], since: int, timeout: float) -> str:
        recent = self._calls[since:][-40:]
        lines = "\n  ".join(repr(call) for call in recent) or "(none)"
        return f"timed out after {timeout}s waiting for {wanted}; {len(found)} matched. Calls seen:\n  {lines}"

    def wait_for_reply(
        self,
        chat_id: int,
        timeout: float = 5.0,
        *,
        methods: Iterable[str] = REPLY_METHODS,
    ) -> Call:
        """Next bot answer (send or text edit) to ``chat_id`` after the user's latest action there.

        Successive calls return successive answers; a new simulated user action in the chat
        moves the starting point to that action. ``call.result`` is the resulting Message dict.
        """
        wanted_methods = frozenset(methods)

        def is_reply(call: Call) -> bool:
            return (
                call.ok
                and call.method in wanted_methods
                and isinstance(call.result, dict)
                and call.result.get("chat", {}).get("id") == chat_id
            )

        is_reply.__name__ = f"reply to chat {chat_id}"
        with self._lock:
            chat = self._chats.get(chat_id)
            since = max(chat.user_action_mark, chat.reply_cursor) if chat else len(self._calls)
        (reply,) = self.wait_for(is_reply, 1, timeout, since=since)
        with self._lock:
            if chat is not None:
                chat.reply_cursor = reply.position + 1
        return reply

    def _record(
        self, method: str, params: dict[str, Any], status: int, result: Any, *, in_webhook_answer: bool = False
    ) -> Call:
        with self._calls_changed:
            position = len(self._calls)
            call = Call(
                method, params, status=status, result=result, position=position, in_webhook_answer=in_webhook_answer
            )
            self._calls.append(call)
            self._calls_by_method[method].append(call)
            self._calls_changed.notify_all()
            return call

    def webhook_answered(self, status: int, body: bytes) -> Call | None:
        """What Telegram does with the bot's HTTP answer to a webhook POST; the call it ran, if any.

        Over a webhook, a bot may put one Bot API method in the body of its 2xx answer, as a
        JSON object naming it in ``method`` (``{"method": "answerCallbackQuery", ...}``).
        Telegram runs it and tells no one the result; here it is recorded like any call, with
        ``in_webhook_answer`` set. Anything else in the body is ignored, as Telegram does.
        (Telegram also reads such a call as a form; the bot under test answers in JSON only.)
        """
        if not 200 <= status < 300 or not body.strip():
            return None
        try:
            params = json.loads(body)
        except ValueError:
            return None
        if not isinstance(params, dict) or not isinstance(params.get("method"), str):
            return None
        known = self._methods.get(params.pop("method").lower())
        if known is None or known[0] == "getUpdates":
            return None
        method, handler = known
        with self._lock:
            try:
                result, code = handler(params), 200
            except ApiError as error:
                result, code = error.description, error.code
            return self._record(method, params, code, result, in_webhook_answer=True)

    # ----------------------------------------------------------------- chat log

    def chat_messages(self, chat_id: int) -> list[ChatMessage]:
        """Messages still visible in the chat, user's and bot's, in order."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return [m for m in chat.messages.values() if not m.deleted] if chat else []

    def bot_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return [m for m in chat.messages.values() if m.from_bot and (include_deleted or not m.deleted)]

    def last_bot_message(self, chat_id: int) -> ChatMessage | None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return None
            for message in reversed(chat.messages.values()):
                if message.from_bot and not message.deleted:
                    return message
            return None

    def deleted_message_ids(self, chat_id: int) -> list[int]:
        with self._lock:
            chat = self._chats.get(chat_id)
            return [m.message_id for m in chat.messages.values() if m.deleted] if chat else []

    def commands_for(self, language_code: str = "", scope: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The command list the bot set for this scope and language ("" = all languages)."""
        with self._lock:
            return list(self.commands.get((self._scope_key(scope), language_code), []))

    @property
    def pending_update_count(self) -> int:
        with self._lock:
            return len(self._pending_updates)

    # ----------------------------------------------------------------- simulated users

    def make_text_update(
        self,
        chat_id: int,
        text: str,
        *,
        language_code: str = "en",
        chat_type: str = "private",
        user_id: int | None = None,
        username: str | None = None,
        first_name: str = "Test",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """An Update for a user's text (logged in the chat, NOT queued): POST it to a webhook."""
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self.make_message_update(
            chat_id,
            content,
            language_code=language_code,
            chat_type=chat_type,
            user_id=user_id,
            username=username,
            first_name=first_name,
            reply_to_message_id=reply_to_message_id,
        )

    def make_location_update(self, chat_id: int, latitude: float, longitude: float, **user: Any) -> dict[str, Any]:
        return self.make_message_update(chat_id, {"location": {"latitude": latitude, "longitude": longitude}}, **user)

    def make_message_update(
        self,
        chat_id: int,
        content: dict[str, Any],
        *,
        language_code: str = "en",
        chat_type: str = "private",
        user_id: int | None = None,
        username: str | None = None,
        first_name: str = "Test",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """An Update for any user message; ``content`` holds the Message fields beyond the basics."""
        with self._lock:
            chat = self._chat_for_user(chat_id, chat_type, user_id, username, first_name, language_code)
            assert chat.user is not None
            if reply_to_message_id is not None:
                target = chat.messages.get(reply_to_message_id)
                if target is None or target.deleted:
                    raise ValueError(f"chat {chat_id} has no message {reply_to_message_id} to reply to")
                content = {**content, "reply_to_message": target.message}
            record = self._new_message(chat, chat.user, content, from_bot=False)
            return {"update_id": next(self._update_ids), "message": record.message}

    def make_callback_update(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        language_code: str | None = None,
        check_button: bool = True,
    ) -> dict[str, Any]:
        """An Update for a tap on an inline button of a bot message (NOT queued).

        With ``check_button`` the message must be alive and carry a button with this data, since
        a real client cannot tap anything else; pass False to forge stale or hostile taps.
        """
        with self._lock:
            chat = self._chat_or_raise(chat_id)
            record = chat.messages.get(message_id)
            if check_button:
                if record is None or record.deleted or not record.from_bot:
                    raise ValueError(f"chat {chat_id} has no live bot message {message_id} to tap")
                buttons = (record.reply_markup or {}).get("inline_keyboard", [])
                offered = [b.get("callback_data") for row in buttons for b in row]
                if callback_data not in offered:
                    raise ValueError(f"message {message_id} offers no button {callback_data!r}; has {offered}")
            user = dict(chat.user or self._default_user(chat_id, "private", user_id, None, "Test", "en"))
            if user_id is not None:
                user["id"] = user_id
            if language_code is not None:
                user["language_code"] = language_code
            query_id = str(next(self._callback_query_ids))
            query: dict[str, Any] = {
                "id": query_id,
                "from": user,
                "chat_instance": str(abs(chat_id) * 7 + 1),
                "data": callback_data,
            }
            if record is not None:
                query["message"] = record.message
            self._open_callback_queries[query_id] = query
            chat.user_action_mark = len(self._calls)
            return {"update_id": next(self._update_ids), "callback_query": query}

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Hand an Update to getUpdates (waking a pending long poll); returns it."""
        loop = self._server.loop
        with self._lock:
            kind = next(key for key in update if key != "update_id")
            if kind not in self._allowed_update_types:
                return update  # Telegram does not even create updates of unsubscribed types
            if update["update_id"] <= self._last_queued_update_id:
                update["update_id"] = next(self._update_ids)
            self._last_queued_update_id = update["update_id"]
            self._pending_updates.append(update)
            wake = bool(self._poll_waiters)
        if wake and loop is not None:
            loop.call_soon_threadsafe(self._wake_pollers, "updates")
        return update

    def user_sends_text(self, chat_id: int, text: str, **user: Any) -> SentMessageId:
        """The user writes ``text``; returns its message id (``.update`` holds the Update)."""
        update = self.queue_update(self.make_text_update(chat_id, text, **user))
        return SentMessageId(update["message"]["message_id"], update)

    def user_sends_location(self, chat_id: int, latitude: float, longitude: float, **user: Any) -> SentMessageId:
        update = self.queue_update(self.make_location_update(chat_id, latitude, longitude, **user))
        return SentMessageId(update["message"]["message_id"], update)

    def user_taps(self, chat_id: int, message_id: int, callback_data: str, **options: Any) -> CallbackQueryId:
        """The user taps an inline button; returns the callback query id (``.update`` holds the Update)."""
        update = self.queue_update(self.make_callback_update(chat_id, message_id, callback_data, **options))
        return CallbackQueryId(update["callback_query"]["id"], update)

    def _default_user(
        self,
        chat_id: int,
        chat_type: str,
        user_id: int | None,
        username: str | None,
        first_name: str,
        language_code: str,
    ) -> dict[str, Any]:
        if user_id is None:
            user_id = chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat_for_user(
        self,
        chat_id: int,
        chat_type: str,
        user_id: int | None,
        username: str | None,
        first_name: str,
        language_code: str,
    ) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                chat_object: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
                if username:
                    chat_object["username"] = username
            else:
                chat_object = {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}
            chat = self._chats[chat_id] = _Chat(chat_object)
        chat.user = self._default_user(chat_id, chat.chat["type"], user_id, username, first_name, language_code)
        chat.user_action_mark = len(self._calls)
        return chat

    def _chat_or_raise(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"no simulated user has written in chat {chat_id} yet")
        return chat

    def _new_message(
        self, chat: _Chat, sender: dict[str, Any], content: dict[str, Any], *, from_bot: bool
    ) -> ChatMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = {
            "message_id": message_id,
            "from": sender,
            "chat": chat.chat,
            "date": int(time.time()),
            **content,
        }
        record = ChatMessage(message, from_bot)
        chat.messages[message_id] = record
        return record

    # ----------------------------------------------------------------- HTTP entry

    async def _handle_http(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/file/bot"):
            return self._download(request)
        token, slash, method_name = request.path.removeprefix("/bot").partition("/")
        if not request.path.startswith("/bot") or not slash or not method_name:
            return _error_response(ApiError(404, "Not Found"))
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        try:
            fields, files = request.form_fields()
            params = _decode_params(fields, files)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error_response(_bad_request(f"can't parse request: {exc}"))
        known = self._methods.get(method_name.lower())
        if known is None:
            self._record(method_name, params, 404, "Not Found")
            return _error_response(ApiError(404, "Not Found"))
        method, handler = known
        with self._lock:
            queued = self._faults.get(method)
            fault = queued.popleft() if queued else None
        if fault is not None and fault.kind != "pass":
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
                if not fault.apply:
                    self._record(method, params, 504, "Gateway Timeout (delayed, not applied)")
                    return HttpResponse(504, b"Gateway Timeout", "text/plain")
            elif fault.kind == "flood":
                error = ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
                self._record(method, params, 429, error.description)
                return _error_response(error)
            else:
                self._record(method, params, fault.status, "injected HTTP failure")
                return HttpResponse(fault.status, _NGINX_502 if fault.status == 502 else b"error", "text/html")
        if method == "getUpdates":
            return await self._get_updates(params)
        with self._lock:
            try:
                result = handler(params)
            except ApiError as error:
                self._record(method, params, error.code, error.description)
                return _error_response(error)
            self._record(method, params, 200, result)
            return _json_response(200, {"ok": True, "result": result})

    def _download(self, request: HttpRequest) -> HttpResponse:
        token, _, file_path = request.path.removeprefix("/file/bot").partition("/")
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        with self._lock:
            stored = next((f for f in self.files.values() if f.file_path == file_path), None)
        if stored is None or stored.data is None:
            return _error_response(ApiError(404, "Not Found"))
        return HttpResponse(200, stored.data, stored.mime_type or "application/octet-stream")

    # ----------------------------------------------------------------- getUpdates

    def _wake_pollers(self, reason: str) -> None:
        for waiter in self._poll_waiters:
            if not waiter.done():
                waiter.set_result(reason)

    def _take_updates(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        """Confirm updates below ``offset`` (negative: keep only the last -offset) and peek ``limit``."""
        pending = self._pending_updates
        if offset is not None and offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        elif offset is not None:
            while pending and pending[0]["update_id"] < offset:
                pending.popleft()
        return list(itertools.islice(pending, limit))

    async def _get_updates(self, params: dict[str, Any]) -> HttpResponse:
        try:
            offset = _int_param(params, "offset", 0) if "offset" in params else None
            limit = min(max(_int_param(params, "limit", 100), 1), 100)
            timeout = max(_int_param(params, "timeout", 0), 0)
        except ApiError as error:
            self._record("getUpdates", params, error.code, error.description)
            return _error_response(error)
        deadline = time.monotonic() + timeout
        loop = asyncio.get_running_loop()
        first_pass = True
        while True:
            with self._lock:
                if self.webhook.url:
                    webhook_active = ApiError(
                        409,
                        "Conflict: can't use getUpdates method while webhook is "
                        "active; use deleteWebhook to delete the webhook first",
                    )
                    self._record("getUpdates", params, 409, webhook_active.description)
                    return _error_response(webhook_active)
                if first_pass:
                    first_pass = False
                    self._wake_pollers("conflict")  # Telegram ends an older long poll when a new one arrives
                    if "allowed_updates" in params:
                        self._allowed_update_types = frozenset(params["allowed_updates"] or DEFAULT_UPDATE_TYPES)
                batch = self._take_updates(offset, limit)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0:
                    self._record("getUpdates", params, 200, batch)
                    return _json_response(200, {"ok": True, "result": batch})
                waiter: asyncio.Future[str] = loop.create_future()
                self._poll_waiters.add(waiter)
            try:
                reason = await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                reason = "timeout"
            finally:
                with self._lock:
                    self._poll_waiters.discard(waiter)
            if reason == "conflict":
                superseded = ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
                self._record("getUpdates", params, 409, superseded.description)
                return _error_response(superseded)

    # ----------------------------------------------------------------- bot methods

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = WebhookSettings(allowed_updates=self.webhook.allowed_updates)
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        self.webhook = WebhookSettings(
            url=url,
            secret_token=secret,
            allowed_updates=allowed if allowed is not None else self.webhook.allowed_updates,
            max_connections=_int_param(params, "max_connections", 40),
        )
        if allowed is not None:
            self._allowed_update_types = frozenset(allowed or DEFAULT_UPDATE_TYPES)
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        return info

    @staticmethod
    def _scope_key(scope: Any) -> str:
        return json.dumps(scope or {"type": "default"}, sort_keys=True)

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND.match(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[(self._scope_key(params.get("scope")), str(params.get("language_code", "")))] = commands
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get((self._scope_key(params.get("scope")), str(params.get("language_code", ""))), [])

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop((self._scope_key(params.get("scope")), str(params.get("language_code", ""))), None)
        return True

    def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._target_chat({"chat_id": chat_id})
        self.menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "default"}

    def _target_chat(self, params: dict[str, Any], *, sending: bool = False) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@")
            chat = next((c for c in self._chats.values() if c.chat.get("username") == name), None)
        else:
            chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad_request("chat not found")
        if sending and chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _formatted_text(self, params: dict[str, Any], field: str, max_length: int, too_long: str) -> dict[str, Any]:
        """The Message fields for a text or caption: plain text after parse_mode, plus entities."""
        text = params.get(field)
        if text is None or text == "":
            return {}
        text = str(text)
        entities = params.get("entities" if field == "text" else "caption_entities")
        if params.get("parse_mode", "").lower() == "html":
            try:
                text, entities = parse_html(text)
            except EntityParseError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from exc
        if not text.strip():
            raise _bad_request("message text is empty" if field == "text" else "message caption is empty")
        if len(text) > max_length:
            raise _bad_request(too_long)
        fields: dict[str, Any] = {field: text}
        if entities:
            fields["entities" if field == "text" else "caption_entities"] = entities
        return fields

    @staticmethod
    def _inline_markup(params: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
        """Validate reply_markup; return (inline keyboard Telegram echoes in the Message, raw markup)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None, markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad_request("can't parse inline keyboard button: Text must be non-empty")
                if "callback_data" in button:
                    data = str(button["callback_data"]).encode("utf-8")
                    if not 1 <= len(data) <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad_request("BUTTON_DATA_INVALID")
                elif "url" in button:
                    if not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                        raise _bad_request("BUTTON_URL_INVALID")
                elif len(button) == 1:
                    raise _bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    )
        return (markup if any(rows) else None), markup

    def _reply_target(self, chat: _Chat, params: dict[str, Any]) -> dict[str, Any]:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow_missing = (
                reply.get("message_id"),
                reply.get("allow_sending_without_reply", False),
            )
        else:
            message_id = params.get("reply_to_message_id")
            allow_missing = params.get("allow_sending_without_reply", False)
        if message_id is None:
            return {}
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            if allow_missing:
                return {}
            raise _bad_request("message to be replied not found")
        quoted = {key: value for key, value in target.message.items() if key != "reply_to_message"}
        return {"reply_to_message": quoted}

    def _bot_sends(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        """Shared tail of every send*: checks chat, reply target and markup, then logs the message."""
        chat = self._target_chat(params, sending=True)
        inline_markup, raw_markup = self._inline_markup(params)
        content = {**content, **self._reply_target(chat, params)}
        if params.get("protect_content") in (True, "true", "True"):
            content["has_protected_content"] = True  # as Telegram marks a protected message
        if inline_markup is not None:
            content["reply_markup"] = inline_markup
        record = self._new_message(chat, self.bot_user, content, from_bot=True)
        record.sent_reply_markup = raw_markup
        return record.message

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        self._target_chat(params, sending=True)
        content = self._formatted_text(params, "text", MAX_TEXT_LENGTH, "message is too long")
        if not content:
            raise _bad_request("message text is empty")
        return self._bot_sends(params, content)

    def _send_location(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            latitude, longitude = float(params["latitude"]), float(params["longitude"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad_request("wrong location") from exc
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _bad_request("wrong location")
        return self._bot_sends(params, {"location": {"latitude": latitude, "longitude": longitude}})

    def _stored_file(self, value: Any, kind: str, default_name: str) -> StoredFile:
        """A file sent by upload, by earlier file_id, or by URL, registered for getFile."""
        if isinstance(value, UploadedFile):
            number = next(self._file_numbers)
            stored = StoredFile(
                file_id=f"standin-{kind}-{number}",
                file_unique_id=f"u{kind[0]}{number}",
                file_path=f"{kind}s/file_{number}",
                data=value.data,
                file_size=value.size,
                file_name=value.filename or default_name,
                mime_type=value.content_type,
            )
        elif isinstance(value, str) and value in self.files:
            return self.files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            number = next(self._file_numbers)
            stored = StoredFile(
                file_id=f"standin-{kind}-{number}",
                file_unique_id=f"u{kind[0]}{number}",
                file_path=f"{kind}s/file_{number}",
                data=None,
                file_size=None,
                file_name=value.rsplit("/", 1)[-1] or default_name,
            )
        else:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        self.files[stored.file_id] = stored
        return stored

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._formatted_text(params, "caption", MAX_CAPTION_LENGTH, "message caption is too long")

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        self._target_chat(params, sending=True)
        caption = self._caption(params)
        stored = self._stored_file(params.get("photo"), "photo", "photo.jpg")
        size: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 640,
            "height": 480,
        }
        if stored.file_size is not None:
            size["file_size"] = stored.file_size
        return self._bot_sends(params, {"photo": [size], **caption})

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        self._target_chat(params, sending=True)
        caption = self._caption(params)
        stored = self._stored_file(params.get("document"), "document", "document")
        document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        for key in ("file_name", "mime_type", "file_size"):
            if getattr(stored, key) is not None:
                document[key] = getattr(stored, key)
        return self._bot_sends(params, {"document": document, **caption})

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad_request("invalid file_id")
        result: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.file_size is not None:
            result["file_size"] = stored.file_size
        return result

    def _message_to_change(self, params: dict[str, Any], not_found: str) -> ChatMessage:
        if "inline_message_id" in params:
            raise _bad_request("inline messages are not supported by the stand-in")
        chat = self._target_chat(params)
        try:
            record = chat.messages.get(int(params["message_id"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad_request("message identifier is not specified") from exc
        if record is None or record.deleted:
            raise _bad_request(not_found)
        return record

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._message_to_change(params, "message to edit not found")
        if not record.from_bot:
            raise _bad_request("message can't be edited")
        if "text" not in record.message:
            raise _bad_request("there is no text in the message to edit")
        content = self._formatted_text(params, "text", MAX_TEXT_LENGTH, "MESSAGE_TOO_LONG")
        if not content:
            raise _bad_request("text must be non-empty")
        inline_markup, _ = self._inline_markup(params)
        current = record.message
        if (
            current.get("text") == content["text"]
            and current.get("entities") == content.get("entities")
            and current.get("reply_markup") == inline_markup
        ):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        edited = {k: v for k, v in current.items() if k not in ("text", "entities", "reply_markup")}
        edited.update(content, edit_date=int(time.time()))
        if inline_markup is not None:
            edited["reply_markup"] = inline_markup
        record.message = edited
        return edited

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._message_to_change(params, "message to edit not found")
        if not record.from_bot:
            raise _bad_request("message can't be edited")
        inline_markup, _ = self._inline_markup(params)
        if record.message.get("reply_markup") == inline_markup:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        edited = {k: v for k, v in record.message.items() if k != "reply_markup"}
        edited["edit_date"] = int(time.time())
        if inline_markup is not None:
            edited["reply_markup"] = inline_markup
        record.message = edited
        return edited

    def _delete_message(self, params: dict[str, Any]) -> bool:
        self._message_to_change(params, "message to delete not found").deleted = True
        return True

    def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params)
        message_ids = params.get("message_ids")
        if not isinstance(message_ids, list) or not 1 <= len(message_ids) <= 100:
            raise _bad_request("message_ids must be a non-empty list of at most 100 identifiers")
        for message_id in message_ids:
            record = chat.messages.get(int(message_id))
            if record is not None:
                record.deleted = True  # missing ones are skipped silently, as Telegram does
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self._open_callback_queries.pop(query_id, None) is None:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[query_id] = params
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._target_chat(params, sending=True)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True
