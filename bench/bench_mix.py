#!/usr/bin/env python3
"""Per kind of update: the echo bot and resource-bot on text only, taps only, and mixed, SQLite and PostgreSQL.

The same stack as ``bench_stack.py`` (the real python-telegram-bot Application
polling the Bot API stand-in on 127.0.0.1, the bot pinned to one core, the
stand-in and the people to the other, 50,000 synthetic services), in three
update mixes, each one after the other on the same running bot:

- **text**: typed requests from ``tests/data/needs-dev.yaml`` (English and
  Spanish) only; saturated, then at 30 updates a second (the median and p99
  reply a person sees when the bot is as busy as Telegram lets it be);
- **taps**: taps on a topic button of the bot's latest menu (``t:...``; the
  main menu's button when a screen has no topic left), as a person walking the
  topics does (the latest message with buttons: the echo bot's echoes have none);
- **mixed**: 20% ``/start`` (half of them deep links), 50% such taps, 30% typed.

The baseline is a bare python-telegram-bot bot with the same settings
(``bench_stack.CONCURRENCY`` updates at once, the same connection pool and
timeouts): ``/start`` sends a menu of topic buttons, a text is echoed, a tap is
answered (``answerCallbackQuery``) and edits the menu (``editMessageText``) —
the calls resource-bot makes for a tap on a menu. Every run reports the Bot API
calls per update of each bot, so a difference in calls shows.

Before the timed runs every chat sends ``/start`` once (not timed), and again
before the taps, so every chat starts the taps on a menu. Each bot is started
afresh ``--repeats`` times (default 2), the bots taken in turn (echo, SQLite,
PostgreSQL, echo, ...), so a busy spell on a shared machine does not fall on
one bot only; a ratio compares a bot with the echo bot of the same round. *Bot CPU per update*
is the bot process's CPU time (user + system, from ``/proc``) during a run
divided by the updates answered in it: on a shared machine it is the fairer
figure, since updates/s depends on how much of its core the bot got.

    .venv/bin/python bench/bench_mix.py            # 50,000 services, 2 rounds: about 12-25 minutes
    .venv/bin/python bench/bench_mix.py --quick    # 300 services, a few dozen updates: a smoke run

Prints a Markdown table (``--json``: one JSON object). No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, ROOT / "src", BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import bench_stack as stack  # noqa: E402  (after the path set-up above)
from mix_table import MIXES, table  # noqa: E402

__all__ = ["MIXES", "table"]

#: The echo bot's menu: topic buttons, as resource-bot's main menu has.
ECHO_TOPICS = (
    ("Emergency", "t:emergency"),
    ("Trafficking", "t:trafficking"),
    ("Safety", "t:safety"),
    ("Legal help", "t:legal"),
    ("Credit", "t:credit"),
    ("Childcare", "t:childcare"),
    ("Work", "t:work"),
    ("Housing", "t:housing"),
    ("Food", "t:food"),
    ("Money", "t:money"),
)


# -- the baseline bot ----------------------------------------------------------------------------------
def child_menu_echo() -> None:
    """A bare PTB bot: /start sends a menu, text is echoed, a tap is answered and edits the menu."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

    from resource_bot.channels.telegram.app import ALLOWED_UPDATES

    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in ECHO_TOPICS]
    menu = InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text("Pick a topic", reply_markup=menu, do_quote=False)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text is not None:
            await message.reply_text(message.text, do_quote=False)

    async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        # The query id keeps the text new: Telegram refuses an edit that changes nothing.
        await query.edit_message_text(f"{query.data} ({query.id})", reply_markup=menu)

    stack._logging()
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
        .concurrent_updates(stack.CONCURRENCY)
        .connect_timeout(stack.REQUEST_TIMEOUT)
        .read_timeout(stack.REQUEST_TIMEOUT)
        .write_timeout(stack.REQUEST_TIMEOUT)
        .pool_timeout(stack.REQUEST_TIMEOUT)
        .connection_pool_size(stack.POOL)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(tapped))
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


CHILDREN = {"menu-echo": child_menu_echo, "poll": stack.child_poll}


# -- people --------------------------------------------------------------------------------------------
class MixPeople(stack.People):
    """Each chat's next update in the current ``mix`` ("start" for the untimed rounds)."""

    def __init__(self, api: Any, *, seed: int) -> None:
        super().__init__(api, echo=False, seed=seed)
        self.mix = "start"

    def _choose(self, chat_id: int) -> tuple[str, dict[str, Any]]:
        api, rng, lang = self.api, self.rng, self.lang(chat_id)
        if self.mix == "start" or chat_id not in self.started:
            self.started.add(chat_id)
            return "start", api.make_text_update(chat_id, "/start", language_code=lang)
        roll = rng.random() if self.mix == "mixed" else 0.5
        if self.mix == "text" or roll >= 0.7:
            text, text_lang = rng.choice(self.typed)
            return "typed", api.make_text_update(chat_id, text, language_code=text_lang)
        if roll < 0.2:
            if rng.random() < 0.5:
                link = f"/start {rng.choice(stack.DEEP_LINKS)}"
                return "deep link", api.make_text_update(chat_id, link, language_code=lang)
            return "start", api.make_text_update(chat_id, "/start", language_code=lang)
        return self._tap(chat_id, lang)

    def _tap(self, chat_id: int, lang: str) -> tuple[str, dict[str, Any]]:
        """A topic button of the bot's latest menu (its main-menu button when no topic is left on it).

        The latest message with buttons, not the latest message: the echo bot's echo has none, and
        a person can tap a menu above it, so both bots get the same share of taps in the mixed run.
        """
        for message in reversed(self.api.bot_messages(chat_id)):
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            data = [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]
            topics = [d for d in data if d.startswith("t:")]
            choice = self.rng.choice(topics) if topics else ("m" if "m" in data else None)
            if choice is not None:
                return "tap", self.api.make_callback_update(chat_id, message.message_id, choice)
        return "start", self.api.make_text_update(chat_id, "/start", language_code=lang)


# -- runs ----------------------------------------------------------------------------------------------
@dataclass
class MixRun:
    bot: str
    database: str
    repeat: int
    mix: str
    load: str
    updates: int
    per_second: float
    median_ms: float
    p99_ms: float
    lost: int
    cpu_ms_per_update: float
    calls_per_update: dict[str, float] = field(default_factory=dict)
    new_connections: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    services: int
    updates: int
    slow_updates: int
    chats: int
    inflight: int
    repeats: int
    startup_timeout: float
    deadline_s: float


def measure(api: Any, people: MixPeople, chats: Sequence[int], plan: Plan, pids: Sequence[int], **what: Any) -> MixRun:
    """One timed run of ``what['mix']``: the bench_stack figures plus CPU, calls and connections per update."""
    mix, load = what.pop("mix"), what.pop("load")
    people.mix = mix
    cursor, connections, cpu = len(api.calls), api.connections_accepted, stack.cpu_seconds(pids)
    rate = stack.TELEGRAM_RATE if load == "30/s" else None
    total = plan.slow_updates if rate else plan.updates
    deliver = stack.Deliver(api)
    run = stack.drive(
        api, people, deliver, chats, total, inflight=plan.inflight, rate=rate, load=load, deadline_s=plan.deadline_s
    )
    cpu = stack.cpu_seconds(pids) - cpu
    calls = Counter(c.method for c in api.calls[cursor:] if c.method != "getUpdates")
    answered = max(run.updates, 1)
    return MixRun(
        mix=mix,
        load=load,
        updates=run.updates,
        per_second=round(run.per_second, 1),
        median_ms=round(run.median_ms, 1),
        p99_ms=round(run.p99_ms, 1),
        lost=run.lost,
        cpu_ms_per_update=round(1000 * cpu / answered, 2),
        calls_per_update={m: round(n / answered, 2) for m, n in sorted(calls.items())},
        new_connections=api.connections_accepted - connections,
        kinds=run.kinds,
        **what,
    )


def untimed_starts(api: Any, people: MixPeople, chats: Sequence[int], plan: Plan) -> None:
    people.mix = "start"
    stack.drive(
        api,
        people,
        stack.Deliver(api),
        chats,
        len(chats),
        inflight=plan.inflight,
        rate=None,
        load="warm-up",
        deadline_s=plan.deadline_s,
    )


def run_bot(api: Any, plan: Plan, group: Sequence[int], pids: Sequence[int], **who: Any) -> list[MixRun]:
    """Every mix on one running bot: text (saturated, then 30/s), taps, mixed."""
    people = MixPeople(api, seed=11 + who["repeat"])
    untimed_starts(api, people, group, plan)
    runs = [measure(api, people, group, plan, pids, mix="text", load="saturated", **who)]
    runs.append(measure(api, people, group, plan, pids, mix="text", load="30/s", **who))
    untimed_starts(api, people, group, plan)
    for mix in ("taps", "mixed"):
        runs.append(measure(api, people, group, plan, pids, mix=mix, load="saturated", **who))
    return runs


def benchmark(plan: Plan, *, postgres: bool) -> dict[str, Any]:
    import synthetic
    from tests.standin import BotApiStandin

    bot_core, driver_core, busy = stack.cores()
    if driver_core is not None:
        os.sched_setaffinity(0, {driver_core})
    workdir = Path(tempfile.mkdtemp(prefix="resource-bot-bench-mix-"))
    figures: dict[str, Any] = {
        "machine": stack.machine(bot_core, driver_core, busy),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "services": plan.services,
        "chats": plan.chats,
        "inflight": plan.inflight,
        "runs": [],
        "startup_s": {},
    }
    runs: list[MixRun] = []
    chats = stack.Chats()
    script = Path(__file__).resolve()
    try:
        directory = synthetic.entries(plan.services)
        figures["directory_services"] = len(directory[1])
        sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        stack.load_directory(sqlite_url, directory)
        pg_base = stack.postgres_base() if postgres else None
        if postgres and pg_base is None:
            figures["postgres_skipped"] = "PostgreSQL does not answer at " + stack.DEFAULT_POSTGRES
        with BotApiStandin(token=stack.TOKEN) as api, contextlib.ExitStack() as exits:
            base_env = {
                "TELEGRAM_BOT_TOKEN": stack.TOKEN,
                "TELEGRAM_BASE_URL": api.base_url,
                "RESOURCE_BOT_HOME": str(workdir),
                "STATE_SECRET": "b3e1" * 16,
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            }
            bots = [
                ("echo bot (bare PTB)", "—", "menu-echo", sqlite_url),
                ("resource-bot", "SQLite", "poll", sqlite_url),
            ]
            if pg_base is not None:
                from bench_load import fresh_schema

                pg_url = exits.enter_context(fresh_schema(pg_base))
                stack.load_directory(pg_url, directory)
                bots.append(("resource-bot", "PostgreSQL", "poll", pg_url))
            # Repeats go round all the bots, so a busy spell on the machine does not fall on one bot only.
            for repeat, (bot, database, kind, url) in itertools.product(range(plan.repeats), bots):
                ready = stack.polling_ready(api, plan.startup_timeout)
                env = {**base_env, "DATABASE_URL": url}
                with stack.bot_processes(kind, env, bot_core, workdir, ready, script=script) as started:
                    name = bot if kind == "menu-echo" else f"{bot}, {database}"
                    figures["startup_s"].setdefault(name, []).append(started[0].startup_s)
                    pids = [p.process.pid for p in started]
                    group = chats.take(plan.chats)
                    runs += run_bot(api, plan, group, pids, bot=bot, database=database, repeat=repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures["runs"] = [asdict(r) for r in runs]
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 services, a few dozen updates: a smoke run")
    parser.add_argument("--services", type=int, help="synthetic local services (default 50,000)")
    parser.add_argument("--updates", type=int, help="updates per saturated run (default 2,000)")
    parser.add_argument("--slow-updates", type=int, help="updates in the text run at 30/s (default 300)")
    parser.add_argument("--chats", type=int, help="chats per bot (default 500)")
    parser.add_argument("--inflight", type=int, default=stack.CONCURRENCY, help="updates in flight when saturated")
    parser.add_argument("--repeats", type=int, help="runs of each bot, taken in turn (default 2; 1 with --quick)")
    parser.add_argument("--no-postgres", action="store_true", help="skip resource-bot on PostgreSQL")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        CHILDREN[args.child]()
        return
    quick = args.quick
    plan = Plan(
        services=args.services if args.services is not None else (300 if quick else stack.synthetic_default()),
        updates=args.updates or (30 if quick else 2000),
        slow_updates=args.slow_updates or (15 if quick else 300),
        chats=args.chats or (20 if quick else 500),
        inflight=args.inflight,
        repeats=args.repeats or (1 if quick else 2),
        startup_timeout=120.0 if quick else 600.0,
        deadline_s=60.0 if quick else 300.0,
    )
    figures = benchmark(plan, postgres=not args.no_postgres)
    print(json.dumps(figures) if args.json else table(figures), flush=True)


if __name__ == "__main__":
    main()
