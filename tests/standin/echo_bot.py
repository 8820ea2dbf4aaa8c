"""Run a real PTB Application against the stand-in from synchronous test code.

``BackgroundApplication`` runs initialize/start/start_polling on a private event loop in a
thread, so the test thread is free to act as the user and wait on the stand-in.
``build_echo_application`` is the bare baseline bot benchmarks compare the real bot with.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from ._api import BotApiStandin

T = TypeVar("T")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def application_builder_for(standin: BotApiStandin, *, request_timeout: float = 5.0) -> Any:
    """An ApplicationBuilder pointed at the stand-in with short timeouts, ready for more options."""
    return (
        Application.builder()
        .token(standin.token)
        .base_url(standin.base_url)
        .base_file_url(standin.file_base_url)
        .connect_timeout(request_timeout)
        .read_timeout(request_timeout)
        .write_timeout(request_timeout)
        .pool_timeout(request_timeout)
        .get_updates_connect_timeout(request_timeout)
        .get_updates_read_timeout(request_timeout)
        .get_updates_write_timeout(request_timeout)
        .get_updates_pool_timeout(request_timeout)
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text, do_quote=False)


def build_echo_application(
    standin: BotApiStandin, *, concurrent_updates: bool | int = False, request_timeout: float = 5.0
) -> AnyApplication:
    """Bare PTB echo bot: one MessageHandler that answers every text with the same text."""
    application: AnyApplication = (
        application_builder_for(standin, request_timeout=request_timeout).concurrent_updates(concurrent_updates).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


class BackgroundApplication:
    """Context manager running ``application`` with real long polling in a background thread."""

    def __init__(self, application: AnyApplication, *, poll_timeout: int = 1, start_timeout: float = 10.0) -> None:
        self.application = application
        self._poll_timeout = poll_timeout
        self._start_timeout = start_timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ptb-application", daemon=True)

    def __enter__(self) -> BackgroundApplication:
        self._thread.start()
        try:
            self.run(self._start(), timeout=self._start_timeout)
        except BaseException:
            self._shutdown_loop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.run(self._stop(), timeout=self._start_timeout + self._poll_timeout)
        finally:
            self._shutdown_loop()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the application's loop (e.g. ``bot.send_message``) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self) -> None:
        await self.application.initialize()
        updater = self.application.updater
        assert updater is not None, "build the Application with an Updater to poll"
        await updater.start_polling(poll_interval=0, timeout=self._poll_timeout)
        await self.application.start()

    async def _stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    def _shutdown_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self._loop.close()


@contextmanager
def running_in_background(application: AnyApplication, *, poll_timeout: int = 1) -> Iterator[AnyApplication]:
    """``with running_in_background(app):`` runs the app polling until the block ends."""
    with BackgroundApplication(application, poll_timeout=poll_timeout):
        yield application
