"""Put the parts together: database, directory, menus, matcher and engine.

Every channel (terminal, polling, webhook) starts from :func:`open_runtime`,
so they all serve the same directory in the same way.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import logging
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from resource_bot.config import Settings
from resource_bot.db import STATEMENT_TIMEOUT, create_schema, make_engine
from resource_bot.dialog.danger import DangerDetector
from resource_bot.dialog.engine import Engine as DialogEngine
from resource_bot.dialog.engine import service_texts
from resource_bot.dialog.events import Outcome
from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import Catalog
from resource_bot.directory.catalog_db import read_catalog
from resource_bot.directory.load import current_version, files_digest, load_paths
from resource_bot.directory.validate import data_files
from resource_bot.directory.zip_index import preload
from resource_bot.feedback import ReportToken, record_feedback
from resource_bot.matching.need_matcher import NeedMatcher
from resource_bot.paths import conversations_dir
from resource_bot.stats import Tally

#: How often a long-running process asks the database whether the directory changed.
REFRESH_SECONDS = 30.0
#: How often the anonymous counts kept in memory are written (and at shutdown): what a crash can lose.
COUNT_FLUSH_SECONDS = 5.0

log = logging.getLogger(__name__)


class DirectoryError(Exception):
    """The directory could not be loaded; the message lists each problem with file and line."""


@dataclass
class Runtime:
    settings: Settings
    db: Engine
    dialog: DialogEngine
    #: What a maintainer should know about the directory served (see ensure_directory).
    warnings: tuple[str, ...] = ()
    _checked_at: float = field(default_factory=time.monotonic)
    _refreshing: threading.Lock = field(default_factory=threading.Lock)
    _tally: Tally = field(default_factory=Tally)
    _flushed_at: float = field(default_factory=time.monotonic)
    _flusher: threading.Thread | None = None
    _closed: threading.Event = field(default_factory=threading.Event)

    @property
    def catalog(self) -> Catalog:
        return self.dialog.catalog

    def record(
        self, outcome: Outcome, connection: Connection | None = None, *, report_token: ReportToken | None = None
    ) -> None:
        """Keep the anonymous counts and listing reports an outcome carries; nothing else.

        The counts go to memory, and reach the database within :data:`COUNT_FLUSH_SECONDS`
        (and at shutdown, :meth:`close`) in a transaction of their own: no write per message.
        Not in the caller's transaction, although one write fewer: if that rolled back, the
        counts would be lost or, put back, could be counted twice. ``connection`` is still
        taken, so channels call this the same way. Listing reports, rare, are committed at
        once on their own, so call this before the caller's transaction writes anything
        (SQLite lets one connection write at a time). ``report_token`` limits a chat to one
        report per listing per day (see record_feedback).
        """
        if outcome.feedback:
            record_feedback(self.db, outcome.feedback, token=report_token)
        if outcome.stats:
            self._tally.add(outcome.stats)
            if self._flusher is None:
                self._start_flusher()

    def flush_counts(self) -> int:
        """Write the counts kept in memory now; how many distinct counts went (see :class:`Tally`)."""
        self._flushed_at = time.monotonic()
        return self._tally.flush(self.db)

    def counts_due(self, connection: Connection) -> Counter[tuple[dt.date, str, str]] | None:
        """When the counts have waited :data:`COUNT_FLUSH_SECONDS`, write them in the caller's transaction.

        A group commit (``group_commit``) carries them this way. Returns what was written, for
        :meth:`counts_back` should that transaction roll back; None when none were due.
        """
        if time.monotonic() - self._flushed_at < COUNT_FLUSH_SECONDS or not len(self._tally):
            return None
        self._flushed_at = time.monotonic()
        taken = self._tally.take()
        try:
            self._tally.write(connection, taken)
        except BaseException:
            self._tally.put_back(taken)
            raise
        return taken

    def counts_back(self, taken: Counter[tuple[dt.date, str, str]]) -> None:
        """Counts whose transaction rolled back wait in memory again."""
        self._tally.put_back(taken)

    def close(self) -> None:
        """Stop the periodic flush and write the counts still in memory; call at shutdown."""
        self._closed.set()
        flusher = self._flusher
        if flusher is not None and flusher is not threading.current_thread():
            flusher.join()
        self.flush_counts()

    def _start_flusher(self) -> None:
        with self._refreshing:
            if self._flusher is not None:
                return
            # The thread holds the runtime weakly: a runtime nobody uses any more stops its flusher.
            me = weakref.ref(self)
            self._flusher = threading.Thread(target=_flush_now_and_then, args=(me, self._closed), daemon=True)
            self._flusher.start()
        atexit.register(_flush_at_exit, me)

    def refresh_if_changed(self, *, force: bool = False) -> bool:
        """Swap in the directory another process loaded; cheap, and at most every 30 s unless forced.

        Worker threads call this before each update. One of them checks (and rebuilds, which
        takes seconds over a big directory) while the others go on answering from the directory
        they have; a forced refresh (/reload) waits for a rebuild under way, then checks again.
        """
        if not force and time.monotonic() - self._checked_at < REFRESH_SECONDS:
            return False
        if not self._refreshing.acquire(blocking=force):
            return False
        try:
            now = time.monotonic()
            if not force and now - self._checked_at < REFRESH_SECONDS:
                return False  # another thread has just checked
            self._checked_at = now
            version = current_version(self.db)
            if version is None or version.id == self.catalog.version:
                return False
            catalog = read_catalog(self.db)
            self.dialog.use_catalog(catalog, build_matcher(catalog))
            settle_heap()
            return True
        finally:
            self._refreshing.release()


def _flush_now_and_then(runtime: weakref.ref[Runtime], closed: threading.Event) -> None:
    while not closed.wait(COUNT_FLUSH_SECONDS):
        alive = runtime()
        if alive is None:
            return
        try:
            alive.flush_counts()
        except Exception as exc:  # the database is away: the counts wait in memory for the next try
            log.warning("anonymous counts not written yet: %s", type(exc).__name__)
        del alive


def _flush_at_exit(runtime: weakref.ref[Runtime]) -> None:
    """At interpreter exit (Ctrl-C, SIGTERM handled by the server): the counts still in memory."""
    alive = runtime()
    if alive is not None:
        alive._closed.set()
        try:
            alive.flush_counts()
        except Exception as exc:
            log.warning("anonymous counts lost at exit: %s", type(exc).__name__)


def settle_heap() -> None:
    """Move what exists now (the directory, the matcher) out of the garbage collector's sight.

    They live as long as the process, and a full collection walking their
    millions of objects was a pause of tens of milliseconds in someone's reply.
    """
    gc.collect()
    gc.freeze()


def build_matcher(catalog: Catalog) -> NeedMatcher:
    return NeedMatcher.from_directory(conversations_dir(), service_texts(catalog))


def ensure_directory(settings: Settings, db: Engine) -> str | None:
    """Fill an empty database from the data folder; leave a loaded directory as it is.

    The rule: the database holds the loaded directory, and only `resource-bot load` (or an
    admin's /reload, the same step) replaces it. So a directory loaded from another folder
    stays, and a broken data folder does not stop a bot that has a directory to serve.
    Returns a warning when the data folder differs from the directory served.
    """
    create_schema(db)
    version = current_version(db)
    if version is None:
        result = load_paths(db, [settings.data_dir])
        if not result.ok:
            problems = "\n".join(str(p) for p in result.problems)
            raise DirectoryError(f"The directory in {settings.data_dir} has problems:\n{problems}")
        return None
    try:
        same = version.digest == files_digest(data_files([settings.data_dir]))
    except OSError:
        same = False
    if same:
        return None
    loaded = version.loaded_at.strftime("%Y-%m-%d %H:%M UTC")
    first, _, more = (version.files or "?").partition("\n")
    where = f"{first} and {more.count(chr(10)) + 1} more file(s)" if more else first
    return (
        f"Serving the directory in the database ({version.services} services loaded {loaded} from {where}); "
        f"the data folder {settings.data_dir} differs from it. "
        "To serve the folder, run `resource-bot load` (it checks the files first)."
    )


def open_runtime(settings: Settings, *, bot_username: str | None = None) -> Runtime:
    # Build the ZIP index now (about 1.5 s) rather than on some person's first ZIP.
    preload()
    db = make_engine(settings.database_url, statement_timeout=STATEMENT_TIMEOUT)
    warning = ensure_directory(settings, db)
    catalog = read_catalog(db)
    folder = conversations_dir()
    dialog = DialogEngine(
        Menus.from_dir(folder),
        catalog,
        build_matcher(catalog),
        DangerDetector.from_directory(folder),
        bot_username=bot_username or settings.bot_username,
    )
    settle_heap()
    return Runtime(settings, db, dialog, warnings=(warning,) if warning else ())
