#!/usr/bin/env python3
"""The whole stack under load: the real python-telegram-bot Application against the Bot API stand-in.

One process (pinned to one core) runs the stand-in (``tests/standin``) on
127.0.0.1 and plays thousands of people: ``/start`` (half of them deep links),
taps on a button of the bot's latest message, and typed requests from
``tests/data/needs-dev.yaml`` in English and Spanish, spread over many chats.
The bot runs in its own process pinned to the other core, exactly as
``resource-bot poll`` runs it (``build_application``: up to 64 updates at once,
per-chat ordering and flood control, 64 HTTP connections), over a directory of
50,000 synthetic services (``synthetic.py``) in SQLite or PostgreSQL.

The baseline is a bare python-telegram-bot echo bot with the same settings
(64 concurrent updates, 64 connections, the same timeouts and allowed updates)
on the same stand-in in the same run: one text in, the same text out. No bot on
this stack can beat it, so ``ours / echo`` is the headline figure. The echo bot
cannot answer taps, so its people type a button's label instead.

What is timed, per update: from the moment the stand-in's ``getUpdates`` hands
it to the bot (the stand-in logs every call with its time) to the bot's first
answer (``sendMessage`` or ``editMessageText``) for that chat arriving at the
stand-in. For webhooks: from the start of the POST to that answer. Each chat has
one update in flight at a time and waits at least 0.55 s between its updates,
which keeps every chat under the bot's per-chat flood limit (a burst of 8, then
one per 0.5 s: ``chats.py``), so nothing is dropped. Two loads:

- **saturated**: a fixed number of updates in flight (``--inflight``, 64 =
  the bot's concurrency), refilled as answers arrive: the most the bot does;
- **30/s**: updates at Telegram's own rate limit for a bot's messages, about 30
  a second: the delay a person sees when the bot is as busy as Telegram lets it be.

    /work/venv/bin/python bench/bench_stack.py            # 50,000 services: about 17 minutes on 2 busy cores
    /work/venv/bin/python bench/bench_stack.py --quick    # 300 services, tiny runs: a smoke test

Prints a Markdown table (``--json``: one JSON object). No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, ROOT / "src", BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

TOKEN = "123456:" + "A" * 35
SECRET = "bench_secret-" + "x" * 20
DEFAULT_POSTGRES = "postgresql://127.0.0.1:5432/test"
#: What build_application gives our bot: updates served at once, HTTP connections, timeouts.
#: The echo bot gets the same.
CONCURRENCY = 64
POOL = 64
REQUEST_TIMEOUT = 10.0
#: Telegram's limit on a bot's messages, in all chats together.
TELEGRAM_RATE = 30.0
#: Between one chat's answer and its next update: keeps every chat under the flood limit.
PACE_S = 0.55
#: An update with no answer after this long is counted lost, and its chat moves on.
LOST_AFTER_S = 20.0
REPLIES = frozenset({"sendMessage", "editMessageText"})
DEEP_LINKS = (
    "legal",
    "legal_record_relief-es-z77002-sclinic4",
    "food-z10001",
    "housing-es",
    "z60601",
    "safety-sclinic2",
    "work-en-z90012",
    "health_mental",
)
#: What echo-bot people type instead of tapping (it has no buttons): button-sized texts.
LABELS = ("Legal help", "Food", "Back", "Main menu", "Open now", "Español", "Shelter", "More")


# -- the bot processes ---------------------------------------------------------------------------
def _logging() -> None:
    """As ``resource-bot poll`` sets it up (httpx quiet: its lines would show the token)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def child_echo() -> None:
    """The bare PTB echo bot, with exactly the settings build_application gives ours."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    from resource_bot.channels.telegram.app import ALLOWED_UPDATES

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text is not None:
            await message.reply_text(message.text, do_quote=False)

    _logging()
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
        .concurrent_updates(CONCURRENCY)
        .connect_timeout(REQUEST_TIMEOUT)
        .read_timeout(REQUEST_TIMEOUT)
        .write_timeout(REQUEST_TIMEOUT)
        .pool_timeout(REQUEST_TIMEOUT)
        .connection_pool_size(POOL)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


def child_poll() -> None:
    """What ``resource-bot poll`` does, line for line."""
    from resource_bot.channels.telegram.app import ALLOWED_UPDATES, build_application
    from resource_bot.config import load_settings
    from resource_bot.runtime import open_runtime
    from resource_bot.sharing import bot_username

    _logging()
    settings = load_settings()
    application = build_application(open_runtime(settings, bot_username=bot_username(settings)))
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


def child_webhook() -> None:
    """What ``resource-bot webhook`` does, but listening on 127.0.0.1 only (it binds 0.0.0.0)."""
    import uvicorn

    from resource_bot.channels.telegram.serving import server_config
    from resource_bot.channels.telegram.webhook import build_webhook_app
    from resource_bot.config import load_settings
    from resource_bot.runtime import open_runtime
    from resource_bot.sharing import bot_username

    _logging()
    settings = load_settings()
    runtime = open_runtime(settings, bot_username=bot_username(settings))
    app = build_webhook_app(runtime)
    uvicorn.Server(server_config(app, host="127.0.0.1", port=runtime.settings.port)).run()


CHILDREN = {"echo": child_echo, "poll": child_poll, "webhook": child_webhook}


# -- people ---------------------------------------------------------------------------------------
def typed_requests() -> list[tuple[str, str]]:
    import yaml

    cases = yaml.safe_load((ROOT / "tests" / "data" / "needs-dev.yaml").read_text("utf-8"))
    return [(str(case["text"]), str(case["lang"])) for case in cases]


class People:
    """Each chat's next update: 20% /start (half with a deep link), 50% taps, 30% typed requests."""

    def __init__(self, api: Any, *, echo: bool, seed: int) -> None:
        self.api = api
        self.echo = echo
        self.rng = random.Random(seed)
        self.typed = typed_requests()
        self.started: set[int] = set()
        self.kinds: dict[str, int] = {}

    def lang(self, chat_id: int) -> str:
        return "es" if chat_id % 10 < 3 else "en"

    def next_update(self, chat_id: int) -> tuple[str, dict[str, Any]]:
        kind, update = self._choose(chat_id)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return kind, update

    def _choose(self, chat_id: int) -> tuple[str, dict[str, Any]]:
        api, rng, lang = self.api, self.rng, self.lang(chat_id)
        roll = rng.random()
        if chat_id not in self.started or roll < 0.2:
            self.started.add(chat_id)
            if rng.random() < 0.5:
                link = f"/start {rng.choice(DEEP_LINKS)}"
                return "deep link", api.make_text_update(chat_id, link, language_code=lang)
            return "start", api.make_text_update(chat_id, "/start", language_code=lang)
        if roll < 0.7:
            if self.echo:
                return "tap", api.make_text_update(chat_id, rng.choice(LABELS), language_code=lang)
            last = api.last_bot_message(chat_id)
            rows = (last.reply_markup or {}).get("inline_keyboard", []) if last is not None else []
            data = [b["callback_data"] for row in rows for b in row if b.get("callback_data") not in (None, "x")]
            if last is not None and data:
                return "tap", api.make_callback_update(chat_id, last.message_id, rng.choice(data))
            return "start", api.make_text_update(chat_id, "/start", language_code=lang)
        text, text_lang = rng.choice(self.typed)
        return "typed", api.make_text_update(chat_id, text, language_code=text_lang)


# -- driving one run -------------------------------------------------------------------------------
@dataclass
class Sent:
    chat: int
    kind: str
    queued: float
    handed: float | None = None
    replied: float | None = None


@dataclass
class Run:
    """One run's figures."""

    load: str
    updates: int
    per_second: float
    median_ms: float
    p99_ms: float
    lost: int
    extra_replies: int
    calls_per_second: float
    kinds: dict[str, int] = field(default_factory=dict)
    chats: int = 0
    seconds: float = 0.0
    bot_cpu: float = 0.0  # CPU seconds the bot process(es) used per wall second of the run
    driver_cpu: float = 0.0  # the same for this process: the stand-in and the load generator


class Deliver:
    """How an update reaches the bot: the stand-in's getUpdates queue, or POSTs to webhook servers."""

    def __init__(self, api: Any, webhook_urls: Sequence[str] = (), inflight: int = CONCURRENCY) -> None:
        self.api = api
        self.urls = itertools.cycle(webhook_urls) if webhook_urls else None
        self.failures = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Any = None
        if webhook_urls:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="webhook-client", daemon=True)
            self._thread.start()
            self._client = asyncio.run_coroutine_threadsafe(self._make_client(inflight), self._loop).result()

    @property
    def by_webhook(self) -> bool:
        return self.urls is not None

    async def _make_client(self, inflight: int) -> Any:
        import httpx

        limits = httpx.Limits(max_connections=inflight * 2, max_keepalive_connections=inflight * 2)
        return httpx.AsyncClient(limits=limits, timeout=LOST_AFTER_S)

    def __call__(self, sent: Sent, update: dict[str, Any]) -> None:
        if self.urls is None:
            self.api.queue_update(update)
            return
        assert self._loop is not None
        body = json.dumps(update).encode()
        asyncio.run_coroutine_threadsafe(self._post(sent, next(self.urls), body), self._loop)

    async def _post(self, sent: Sent, url: str, body: bytes) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        sent.handed = time.monotonic()
        try:
            answer = await self._client.post(url, content=body, headers=headers)
            ok = answer.status_code == 200
            # As Telegram does: run the one Bot API method the answer may carry (a tap's answerCallbackQuery).
            self.api.webhook_answered(answer.status_code, answer.content)
        except Exception:
            ok = False
        if not ok:
            self.failures += 1

    def close(self) -> None:
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def _is_watched(call: Any) -> bool:
    return bool(call.ok and (call.method == "getUpdates" or call.method in REPLIES))


def drive(
    api: Any,
    people: People,
    deliver: Deliver,
    chats: Sequence[int],
    total: int,
    *,
    inflight: int,
    rate: float | None,
    load: str,
    deadline_s: float,
    bot_pids: Sequence[int] = (),
) -> Run:
    """Send ``total`` updates from ``chats``, at most ``inflight`` at once (and ``rate`` a second)."""
    bot_cpu_before, driver_cpu_before, wall_before = cpu_seconds(bot_pids), _own_cpu(), time.monotonic()
    idle: deque[int] = deque(chats)
    ready_at = dict.fromkeys(chats, 0.0)
    outstanding: dict[int, Sent] = {}
    by_update: dict[int, Sent] = {}
    sents: list[Sent] = []
    kinds_before = dict(people.kinds)
    lost = extra = 0
    cursor = len(api.calls)
    first_call = cursor
    start = time.monotonic()
    next_at = start
    deadline = start + deadline_s
    while len(sents) < total or outstanding:
        now = time.monotonic()
        if now > deadline:
            lost += len(outstanding)
            break
        while len(sents) < total and len(outstanding) < inflight and idle and ready_at[idle[0]] <= now:
            if rate is not None and now < next_at:
                break
            chat = idle.popleft()
            kind, update = people.next_update(chat)
            sent = Sent(chat, kind, time.monotonic())
            sents.append(sent)
            outstanding[chat] = sent
            deliver(sent, update)
            by_update[update["update_id"]] = sent
            if rate is not None:
                next_at = max(next_at + 1 / rate, now - 1.0)
        wait = 0.05
        if rate is not None and len(sents) < total:
            wait = max(0.0005, min(wait, next_at - time.monotonic()))
        try:
            (call,) = api.wait_for(_is_watched, 1, wait, since=cursor)
        except AssertionError:  # nothing new within ``wait``
            call = None
        if call is not None:
            cursor = call.position + 1
            if call.method == "getUpdates":
                for update in call.result:
                    handed = by_update.get(update["update_id"])
                    if handed is not None and handed.handed is None:
                        handed.handed = call.at
            else:
                chat = call.result.get("chat", {}).get("id")
                waiting = outstanding.get(chat)
                if waiting is not None and waiting.handed is not None and call.at >= waiting.handed:
                    waiting.replied = call.at
                    del outstanding[chat]
                    idle.append(chat)
                    ready_at[chat] = call.at + PACE_S
                else:
                    extra += 1
        now = time.monotonic()
        for chat, sent in list(outstanding.items()):
            if now - sent.queued > LOST_AFTER_S:
                lost += 1
                del outstanding[chat]
                idle.append(chat)
                ready_at[chat] = now + PACE_S
    wall = time.monotonic() - wall_before
    bot_cpu = (cpu_seconds(bot_pids) - bot_cpu_before) / wall
    driver_cpu = (_own_cpu() - driver_cpu_before) / wall
    answered = [(s, s.replied) for s in sents if s.replied is not None]
    latencies = sorted((replied - (s.handed or s.queued)) * 1000 for s, replied in answered)
    span = (max(replied for _, replied in answered) - min(s.queued for s in sents)) if answered else 0.0
    # Bot API requests the bot made: not getUpdates, nor the calls that rode in a webhook's answer.
    calls = [c for c in api.calls[first_call:] if c.method != "getUpdates" and not c.in_webhook_answer]
    return Run(
        load=load,
        updates=len(answered),
        per_second=len(answered) / span if span else 0.0,
        median_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=percentile(latencies, 99),
        lost=lost,
        extra_replies=extra,
        calls_per_second=len(calls) / span if span else 0.0,
        kinds={k: v - kinds_before.get(k, 0) for k, v in people.kinds.items() if v - kinds_before.get(k, 0)},
        chats=len(chats),
        seconds=round(span, 2),
        bot_cpu=round(bot_cpu, 2),
        driver_cpu=round(driver_cpu, 2),
    )


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds of these processes (all their threads), from /proc."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def percentile(ordered: Sequence[float], p: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# -- processes, databases, machine ------------------------------------------------------------------
def _busy(core_ids: Sequence[int], seconds: float = 0.5) -> dict[int, float]:
    """How busy each core is (0..1) over ``seconds``, from /proc/stat."""

    def sample() -> dict[int, tuple[int, int]]:
        found = {}
        for line in Path("/proc/stat").read_text().splitlines():
            name, *numbers = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in core_ids:
                ticks = [int(n) for n in numbers]
                found[int(name[3:])] = (sum(ticks), ticks[3] + ticks[4])  # total, idle + iowait
        return found

    try:
        before = sample()
        time.sleep(seconds)
        after = sample()
    except OSError:
        return {}
    return {
        core: 1 - (after[core][1] - before[core][1]) / max(1, after[core][0] - before[core][0])
        for core in before
        if core in after
    }


def cores() -> tuple[int | None, int | None, dict[int, float]]:
    """(bot core, stand-in and load core, how busy each was before we started).

    The bot gets the core other work is using least; (None, None) when there are not two cores.
    """
    available = sorted(os.sched_getaffinity(0))
    busy = _busy(available)
    if len(available) < 2:
        return None, None, busy
    ranked = sorted(available, key=lambda core: (busy.get(core, 0.0), -core))
    return ranked[0], ranked[1], busy


def machine(bot_core: int | None, driver_core: int | None, busy: dict[int, float]) -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    pinned = (
        f"bot pinned to core {bot_core}, stand-in and load generator to core {driver_core}"
        if bot_core is not None
        else "not pinned (fewer than two cores)"
    )
    others = ", ".join(f"core {core} {share:.0%}" for core, share in sorted(busy.items()))
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}; {pinned}; "
        f"busy with other work just before: {others or 'unknown'}"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    log: Path
    startup_s: float = 0.0


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def bot_processes(
    kind: str,
    env: dict[str, str],
    core: int | None,
    workdir: Path,
    ready: Callable[[list[subprocess.Popen[bytes]]], None],
    *,
    count: int = 1,
    per_process_env: Sequence[dict[str, str]] = (),
    profile_dir: Path | None = None,
    name: str = "",
    script: Path | None = None,
) -> Iterator[list[BotProcess]]:
    """Start ``count`` bot processes of ``kind`` pinned to ``core``; ``ready`` returns once they serve.

    ``script`` (default: this file) is run as ``script --child kind``.
    """

    def pin() -> None:
        if core is not None:
            os.sched_setaffinity(0, {core})

    started: list[BotProcess] = []
    samplers: list[subprocess.Popen[bytes]] = []
    begin = time.monotonic()
    try:
        for n in range(count):
            log = workdir / f"{kind}-{n}-{secrets.token_hex(2)}.log"
            extra = per_process_env[n] if n < len(per_process_env) else {}
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, str(script or Path(__file__).resolve()), "--child", kind],
                    env={**os.environ, **env, **extra},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    preexec_fn=pin,
                    cwd=str(ROOT),
                )
            started.append(BotProcess(process, log))
        ready([p.process for p in started])
        for p in started:
            p.startup_s = round(time.monotonic() - begin, 1)
        if profile_dir is not None:
            for n, p in enumerate(started):
                samples = profile_dir / f"{name or kind}-{n}.txt"
                samplers.append(
                    subprocess.Popen(
                        [
                            "py-spy",
                            "record",
                            "--nonblocking",
                            "--rate",
                            "250",
                            "--format",
                            "raw",
                            "--output",
                            str(samples),
                            "--pid",
                            str(p.process.pid),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
        yield started
    finally:
        for sampler in samplers:
            sampler.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                sampler.wait(30)
        for p in started:
            _stop(p.process)
        for p in started:
            code = p.process.returncode
            if code not in (0, -signal.SIGINT, None):
                print(f"warning: {kind} process exited {code}; log {p.log}", file=sys.stderr)


def _check_alive(processes: list[subprocess.Popen[bytes]], what: str) -> None:
    for process in processes:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before serving")


def polling_ready(api: Any, timeout: float) -> Callable[[list[subprocess.Popen[bytes]]], None]:
    mark = len(api.calls)

    def ready(processes: list[subprocess.Popen[bytes]]) -> None:
        deadline = time.monotonic() + timeout
        while True:
            _check_alive(processes, "the bot")
            try:
                # start_polling calls deleteWebhook, then long-polls (logged only when answered)
                api.wait_for("deleteWebhook", 1, 1.0, since=mark)
                time.sleep(0.2)
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the bot did not start polling in time") from None

    return ready


def webhooks_ready(ports: Sequence[int], timeout: float) -> Callable[[list[subprocess.Popen[bytes]]], None]:
    def ready(processes: list[subprocess.Popen[bytes]]) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        waiting = list(ports)
        while waiting:
            _check_alive(processes, "a webhook process")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{waiting[0]}/healthz", timeout=2).status_code == 200:
                    waiting.pop(0)
                    continue
            if time.monotonic() > deadline:
                raise RuntimeError("the webhook processes did not start in time")
            time.sleep(0.2)

    return ready


def postgres_base() -> str | None:
    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception:  # any failure: skip PostgreSQL and say so
        return None
    return url


def load_directory(url: str, directory: tuple[list[Any], list[Any]]) -> float:
    """Write the synthetic directory as ``resource-bot load`` does after validating; seconds taken."""
    from resource_bot.db import create_schema, make_engine
    from resource_bot.directory.load import replace_directory

    start = time.perf_counter()
    engine = make_engine(url)
    try:
        create_schema(engine)
        replace_directory(engine, *directory)
    finally:
        engine.dispose()
    return time.perf_counter() - start


# -- the benchmark ------------------------------------------------------------------------------------
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


@dataclass
class Scenario:
    name: str
    runs: list[Run] = field(default_factory=list)
    startup_s: float = 0.0
    note: str = ""


class Chats:
    """Fresh chat ids for every run, so no run sees another's state."""

    def __init__(self) -> None:
        self._next = 10_000_001

    def take(self, n: int) -> list[int]:
        ids = list(range(self._next, self._next + n))
        self._next += n + 1000
        return ids


def run_loads(
    api: Any, scenario: Scenario, plan: Plan, chats: Chats, *, echo: bool, deliver: Deliver, pids: Sequence[int]
) -> None:
    """Per repeat: every chat opens the bot once (not timed), then the timed saturated and 30/s runs."""
    people = People(api, echo=echo, seed=len(scenario.runs) + 7)
    for _ in range(plan.repeats):
        group = chats.take(plan.chats)
        drive(
            api,
            people,
            deliver,
            group,
            len(group),
            inflight=plan.inflight,
            rate=None,
            load="warm-up",
            deadline_s=plan.deadline_s,
        )
        scenario.runs.append(
            drive(
                api,
                people,
                deliver,
                group,
                plan.updates,
                inflight=plan.inflight,
                rate=None,
                load="saturated",
                deadline_s=plan.deadline_s,
                bot_pids=pids,
            )
        )
        scenario.runs.append(
            drive(
                api,
                people,
                deliver,
                group,
                plan.slow_updates,
                inflight=plan.inflight,
                rate=TELEGRAM_RATE,
                load="30/s",
                deadline_s=plan.deadline_s,
                bot_pids=pids,
            )
        )


def benchmark(plan: Plan, *, postgres: bool, webhooks: bool, profile_dir: Path | None) -> dict[str, Any]:
    import synthetic
    from tests.standin import BotApiStandin

    bot_core, driver_core, busy = cores()
    if driver_core is not None:
        os.sched_setaffinity(0, {driver_core})
    workdir = Path(tempfile.mkdtemp(prefix="resource-bot-bench-stack-"))
    figures: dict[str, Any] = {
        "machine": machine(bot_core, driver_core, busy),
        "date": time.strftime("%Y-%m-%d"),
        "services": plan.services,
        "chats": plan.chats,
        "inflight": plan.inflight,
        "settings": f"concurrent updates {CONCURRENCY}, connection pool {POOL}",
        "scenarios": [],
    }
    scenarios: list[Scenario] = []
    chats = Chats()
    try:
        begin = time.perf_counter()
        directory = synthetic.entries(plan.services)
        figures["directory_services"] = len(directory[1])
        sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        figures["sqlite_load_s"] = round(load_directory(sqlite_url, directory) + time.perf_counter() - begin, 1)
        pg_base = postgres_base() if (postgres or webhooks) else None
        if (postgres or webhooks) and pg_base is None:
            figures["postgres_skipped"] = "PostgreSQL does not answer at " + DEFAULT_POSTGRES
        with BotApiStandin(token=TOKEN) as api, contextlib.ExitStack() as stack:
            base_env = {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": api.base_url,
                "RESOURCE_BOT_HOME": str(workdir),
                # Production keeps the key that hides chat ids out of the database (PostgreSQL and
                # webhooks require it); a fixed one made for the benchmark.
                "STATE_SECRET": "b3e1" * 16,
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            }

            def env_for(url: str) -> dict[str, str]:
                return {**base_env, "DATABASE_URL": url}

            polling = Deliver(api)
            ready = polling_ready
            echo = Scenario("echo bot (bare PTB), polling")
            with bot_processes(
                "echo",
                env_for(sqlite_url),
                bot_core,
                workdir,
                ready(api, plan.startup_timeout),
                profile_dir=profile_dir,
            ) as started:
                echo.startup_s = started[0].startup_s
                run_loads(api, echo, plan, chats, echo=True, deliver=polling, pids=[p.process.pid for p in started])
            scenarios.append(echo)

            def polling_scenario(label: str, url: str, name: str) -> Scenario:
                """Our bot polling over ``url``: started, loaded, measured, stopped."""
                ours = Scenario(label)
                with bot_processes(
                    "poll",
                    env_for(url),
                    bot_core,
                    workdir,
                    ready(api, plan.startup_timeout),
                    profile_dir=profile_dir,
                    name=name,
                ) as started:
                    ours.startup_s = started[0].startup_s
                    run_loads(
                        api, ours, plan, chats, echo=False, deliver=polling, pids=[p.process.pid for p in started]
                    )
                return ours

            scenarios.append(polling_scenario("resource-bot, polling, SQLite", sqlite_url, "poll-sqlite"))

            if pg_base is not None:
                from bench_load import fresh_schema

                pg_url = stack.enter_context(fresh_schema(pg_base))
                figures["postgres_load_s"] = round(load_directory(pg_url, directory), 1)
                if postgres:
                    scenarios.append(polling_scenario("resource-bot, polling, PostgreSQL", pg_url, "poll-postgres"))
                if webhooks:
                    ports = [free_port(), free_port()]
                    hooks = Scenario(
                        "resource-bot, 2 webhook processes, PostgreSQL",
                        note="from the POST; both processes on the bot's one core",
                    )
                    env = {
                        **env_for(pg_url),
                        "WEBHOOK_URL": "https://bot.example.org/telegram",
                        "WEBHOOK_SECRET": SECRET,
                    }
                    per_process = [{"PORT": str(port)} for port in ports]
                    with bot_processes(
                        "webhook",
                        env,
                        bot_core,
                        workdir,
                        webhooks_ready(ports, plan.startup_timeout * 2),
                        count=2,
                        per_process_env=per_process,
                        profile_dir=profile_dir,
                    ) as started:
                        hooks.startup_s = max(p.startup_s for p in started)
                        posting = Deliver(api, [f"http://127.0.0.1:{port}/telegram" for port in ports], plan.inflight)
                        try:
                            run_loads(
                                api,
                                hooks,
                                plan,
                                chats,
                                echo=False,
                                deliver=posting,
                                pids=[p.process.pid for p in started],
                            )
                        finally:
                            posting.close()
                        figures["webhook_failed_posts"] = posting.failures
                    scenarios.append(hooks)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures["scenarios"] = [
        {"name": s.name, "startup_s": s.startup_s, "note": s.note, "runs": [r.__dict__ for r in s.runs]}
        for s in scenarios
    ]
    return figures


# -- the table ---------------------------------------------------------------------------------------
def _summary(runs: list[dict[str, Any]], key: str) -> tuple[float, float, float]:
    values = [r[key] for r in runs]
    return statistics.median(values), min(values), max(values)


def _spread(runs: list[dict[str, Any]], key: str, fmt: str) -> str:
    mid, low, high = _summary(runs, key)
    text = format(mid, fmt)
    return text if len(runs) < 2 else f"{text} ({format(low, fmt)}–{format(high, fmt)})"


def _per_core(run: dict[str, Any]) -> float:
    """Updates per second per CPU-second the bot got: what one whole core would sustain if CPU-bound."""
    return float(run["per_second"] / run["bot_cpu"]) if run.get("bot_cpu") else 0.0


def _ratio(values: list[float], base: float | None) -> str:
    if not base or not values:
        return "—"
    ratios = [v / base for v in values]
    mid = f"{statistics.median(ratios):.0%}"
    return mid if len(ratios) < 2 else f"{mid} ({min(ratios):.0%}–{max(ratios):.0%})"


def table(figures: dict[str, Any]) -> str:
    scenarios = figures["scenarios"]
    echo_rate = echo_core = None
    for s in scenarios:
        saturated = [r for r in s["runs"] if r["load"] == "saturated"]
        if s["name"].startswith("echo") and saturated:
            echo_rate = statistics.median(r["per_second"] for r in saturated)
            echo_core = statistics.median(_per_core(r) for r in saturated)
    lines = [
        f"Machine: {figures['machine']}. Run {figures['date']}.",
        "",
        f"Directory: {figures.get('directory_services', 0):,} services ({figures['services']:,} synthetic local). "
        f"Saturated: {figures['inflight']} updates in flight over {figures['chats']:,} chats; "
        f"30/s: Telegram's rate for a bot's messages. Both bots: {figures.get('settings', '?')}. "
        f"Figures: median of the runs (min–max). *Per bot CPU*: updates/s divided by the share of a core "
        f"the bot process(es) really got (others' work shares the cores), i.e. what one whole core sustains.",
        "",
        "| scenario | load | updates | updates/s | median ms | p99 ms | bot CPU ms/update "
        "| updates/s per bot core | ratio to echo | ratio to echo per bot CPU |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scenarios:
        for load in ("saturated", "30/s"):
            runs = [r for r in s["runs"] if r["load"] == load]
            if not runs:
                continue
            total = sum(r["updates"] for r in runs)
            cpu_ms = [1000 * r["bot_cpu"] / r["per_second"] for r in runs if r["per_second"]]
            cpu = f"{statistics.median(cpu_ms):.1f}" if cpu_ms else "—"
            full = load == "saturated"
            per_core = f"{statistics.median(_per_core(r) for r in runs):.0f}" if full else "—"
            raw = _ratio([r["per_second"] for r in runs], echo_rate) if full else "—"
            normalized = _ratio([_per_core(r) for r in runs], echo_core) if full else "—"
            lines.append(
                f"| {s['name']} | {load} | {total:,} | {_spread(runs, 'per_second', '.0f')} | "
                f"{_spread(runs, 'median_ms', '.1f')} | {_spread(runs, 'p99_ms', '.1f')} | {cpu} | {per_core} | "
                f"{raw} | {normalized} |"
            )
    lines.append("")
    for s in scenarios:
        saturated = [r for r in s["runs"] if r["load"] == "saturated"]
        if not saturated:
            continue
        core_rate = statistics.median(_per_core(r) for r in saturated)
        calls = _summary(saturated, "calls_per_second")[0]
        bot_cpu, driver_cpu = _summary(saturated, "bot_cpu")[0], _summary(saturated, "driver_cpu")[0]
        lost = sum(r["lost"] for r in s["runs"])
        extra = sum(r["extra_replies"] for r in s["runs"])
        kinds: dict[str, int] = {}
        for r in s["runs"]:
            for k, v in r["kinds"].items():
                kinds[k] = kinds.get(k, 0) + v
        mix = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        lines.append(
            f"- {s['name']}: one core sustains {core_rate / TELEGRAM_RATE:.1f}× Telegram's 30 messages/s; "
            f"{calls:.0f} Bot API calls/s; bot CPU {bot_cpu:.0%} of a core, stand-in + load {driver_cpu:.0%}; "
            f"startup {s['startup_s']} s; lost {lost}; later replies of multi-message answers {extra}; "
            f"mix: {mix}{'; ' + s['note'] if s['note'] else ''}"
        )
    if "postgres_skipped" in figures:
        lines.append(f"- PostgreSQL skipped: {figures['postgres_skipped']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 services, a few dozen updates: a smoke run")
    parser.add_argument("--services", type=int, help="synthetic local services (default 50,000)")
    parser.add_argument("--updates", type=int, help="updates per saturated run (default 2,000)")
    parser.add_argument("--slow-updates", type=int, help="updates per 30/s run (default 300)")
    parser.add_argument("--chats", type=int, help="chats per repeat (default 300)")
    parser.add_argument("--inflight", type=int, default=CONCURRENCY, help="updates in flight when saturated")
    parser.add_argument("--repeats", type=int, help="runs of each load per scenario (default 2)")
    parser.add_argument("--no-postgres", action="store_true", help="skip polling on PostgreSQL")
    parser.add_argument("--no-webhook", action="store_true", help="skip the two webhook processes")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="py-spy each bot process into DIR")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        CHILDREN[args.child]()
        return
    quick = args.quick
    plan = Plan(
        services=args.services if args.services is not None else (300 if quick else synthetic_default()),
        updates=args.updates or (40 if quick else 2000),
        slow_updates=args.slow_updates or (15 if quick else 300),
        chats=args.chats or (25 if quick else 300),
        inflight=args.inflight,
        repeats=args.repeats or (1 if quick else 2),
        startup_timeout=120.0 if quick else 600.0,
        deadline_s=60.0 if quick else 180.0,
    )
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    figures = benchmark(
        plan,
        postgres=not args.no_postgres,
        webhooks=not args.no_webhook,
        profile_dir=args.profile.resolve() if args.profile else None,
    )
    print(json.dumps(figures) if args.json else table(figures))


def synthetic_default() -> int:
    import synthetic

    return int(synthetic.DEFAULT_SERVICES)


if __name__ == "__main__":
    main()
