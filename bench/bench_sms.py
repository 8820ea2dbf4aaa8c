#!/usr/bin/env python3
"""The SMS door under load: signed Twilio-style form posts to ``POST /sms``, answered in TwiML.

The door runs in its own process pinned to one core, as ``python -m
resource_bot.channels.sms`` serves it (uvicorn with the webhook's settings,
``build_sms_app``), over a directory of 50,000 synthetic services
(``synthetic.py``) in SQLite. This process, pinned to the other core, plays
hundreds of people texting it: each signs its form as Twilio does (Twilio's
``RequestValidator``, the same as the tests' stand-in), waits for the answer,
and after at least 0.55 s sends its next text (under the per-number flood
limit, so nothing is dropped). A person's texts: 50% a number picked from the
choices of their last answer, 30% typed requests from
``tests/data/needs-dev.yaml`` in English and Spanish, 10% a ZIP code, 10%
"hi" or "menu". Every person first says "hi" once, untimed.

Three loads: as for Telegram (``bench_stack.py``), **saturated** (64 texts in
flight, refilled as answers come) and **30/s**; and **5/s**, the delay one
person sees when the door is not busy. Timed per text: from sending
the POST to having the whole TwiML answer. The door's CPU time per text comes
from /proc.

    .venv/bin/python bench/bench_sms.py            # 50,000 services (a few minutes)
    .venv/bin/python bench/bench_sms.py --quick    # 300 services, small runs: a smoke test

Prints a Markdown table (``--json``: one JSON object). No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, ROOT / "src", BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_stack import (  # noqa: E402  (after the path set-up above)
    cores,
    cpu_seconds,
    free_port,
    load_directory,
    machine,
    percentile,
    typed_requests,
)

PUBLIC_URL = "https://bot.example.org"
AUTH_TOKEN = "b" * 32
STATE_SECRET = "b3e1" * 16
#: Texts in flight at once in the saturated load (as many as the Telegram benchmark's updates).
INFLIGHT = 64
RATE = 30.0
#: A light load, for the delay one person sees when the door is not busy.
LIGHT = 5.0
PACE_S = 0.55
LOST_AFTER_S = 20.0
#: Real ZIP codes the synthetic directory has services near.
ZIPS = ("77002", "10001", "60601", "90012", "33101", "98101", "30303", "85004")
_CHOICE = re.compile(r"^\[(\d+)\] (.*)$", re.M)


def child() -> None:
    """The door alone, as ``python -m resource_bot.channels.sms`` runs it, on 127.0.0.1."""
    import logging

    import uvicorn

    from resource_bot.channels.sms.server import build_sms_app
    from resource_bot.channels.telegram.serving import server_config
    from resource_bot.config import load_settings
    from resource_bot.runtime import open_runtime

    logging.basicConfig(level=logging.WARNING)
    runtime = open_runtime(load_settings())
    config = server_config(build_sms_app(runtime), host="127.0.0.1", port=runtime.settings.port)
    config.log_level = logging.WARNING
    uvicorn.Server(config).run()


# -- people ---------------------------------------------------------------------------------------
@dataclass
class Person:
    number: str
    choices: list[str] = field(default_factory=list)
    ready_at: float = 0.0


class People:
    def __init__(self, count: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.typed = [text for text, _lang in typed_requests()]
        self.people = [Person(f"+1555{seed % 1000:03d}{n:04d}") for n in range(count)]
        self.kinds: dict[str, int] = {}

    def next_text(self, person: Person) -> str:
        roll = self.rng.random()
        usable = [n for n, label in enumerate(person.choices, 1) if label != "Quick exit"]
        if roll < 0.5 and usable:
            kind, text = "choice", str(self.rng.choice(usable))
        elif roll < 0.8:
            kind, text = "typed", self.rng.choice(self.typed)
        elif roll < 0.9:
            kind, text = "zip", self.rng.choice(ZIPS)
        else:
            kind, text = "hello", self.rng.choice(("hi", "menu", "hola"))
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return text


@dataclass
class Run:
    load: str
    texts: int
    seconds: float
    latencies_ms: list[float]
    lost: int
    messages: int
    cpu_s: float

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "load": self.load,
            "texts": self.texts,
            "texts_per_s": self.texts / self.seconds if self.seconds else 0.0,
            "median_ms": statistics.median(ordered) if ordered else 0.0,
            "p99_ms": percentile(ordered, 99),
            "max_ms": ordered[-1] if ordered else 0.0,
            "lost": self.lost,
            "messages_per_text": self.messages / max(1, len(ordered)),
            "cpu_ms_per_text": 1000 * self.cpu_s / max(1, self.texts),
        }


async def drive(
    port: int, people: People, total: int, *, load: str, rate: float | None, pid: int, timed: bool = True
) -> Run:
    import httpx
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(AUTH_TOKEN)
    url = f"{PUBLIC_URL}/sms"
    latencies: list[float] = []
    lost = messages = 0
    queue: asyncio.Queue[Person] = asyncio.Queue()
    for person in people.people:
        queue.put_nowait(person)
    limits = httpx.Limits(max_connections=INFLIGHT, max_keepalive_connections=INFLIGHT)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=LOST_AFTER_S) as client:

        async def one(person: Person, text: str) -> None:
            nonlocal lost, messages
            form = {"From": person.number, "To": "+15550100100", "Body": text, "MessageSid": "SM" + "0" * 32}
            headers = {"X-Twilio-Signature": validator.compute_signature(url, form)}
            start = time.perf_counter()
            try:
                response = await client.post("/sms", data=form, headers=headers)
                response.raise_for_status()
            except httpx.HTTPError:
                lost += 1
            else:
                latencies.append(1000 * (time.perf_counter() - start))
                messages += response.text.count("<Message>")
                found = _CHOICE.findall(response.text.replace("&amp;", "&"))
                if found:
                    person.choices = [label for _n, label in found]
            person.ready_at = time.monotonic() + PACE_S
            queue.put_nowait(person)

        cpu_before, began = cpu_seconds([pid]), time.perf_counter()
        tasks: set[asyncio.Task[None]] = set()
        for sent in range(total):
            if rate is not None:
                await asyncio.sleep(max(0.0, began + sent / rate - time.perf_counter()))
            while len(tasks) >= INFLIGHT:
                _, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            person = await queue.get()
            await asyncio.sleep(max(0.0, person.ready_at - time.monotonic()))
            text = "hi" if not timed else people.next_text(person)
            tasks.add(asyncio.create_task(one(person, text)))
        if tasks:
            await asyncio.wait(tasks)
        seconds = time.perf_counter() - began
        cpu = cpu_seconds([pid]) - cpu_before
    return Run(load, total, seconds, latencies, lost, messages, cpu)


# -- the process ------------------------------------------------------------------------------------
@contextlib.contextmanager
def door_process(env: dict[str, str], core: int | None, log: Path, timeout: float) -> Iterator[int]:
    import httpx

    def pin() -> None:
        if core is not None:
            os.sched_setaffinity(0, {core})

    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child"],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=pin,
            cwd=str(ROOT),
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the SMS door exited with {process.returncode}; log {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{env['PORT']}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the SMS door did not start in time")
            time.sleep(0.2)
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def benchmark(services: int, people: int, texts: int, slow_texts: int) -> dict[str, Any]:
    import synthetic

    door_core, driver_core, busy = cores()
    if driver_core is not None:
        os.sched_setaffinity(0, {driver_core})
    workdir = Path(tempfile.mkdtemp(prefix="resource-bot-bench-sms-"))
    figures: dict[str, Any] = {"machine": machine(door_core, driver_core, busy), "date": time.strftime("%Y-%m-%d")}
    try:
        directory = synthetic.entries(services)
        figures["services"] = len(directory[1])
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        load_directory(url, directory)
        del directory
        port = free_port()
        env = {
            "DATABASE_URL": url,
            "RESOURCE_BOT_HOME": str(workdir),
            "STATE_SECRET": STATE_SECRET,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_URL": PUBLIC_URL,
            "PORT": str(port),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
        runs = []
        with door_process(env, door_core, workdir / "door.log", 300) as pid:
            crowd = People(people, seed=7)
            asyncio.run(drive(port, crowd, people, load="warm-up", rate=None, pid=pid, timed=False))
            runs.append(asyncio.run(drive(port, crowd, texts, load="saturated", rate=None, pid=pid)).summary())
            runs.append(asyncio.run(drive(port, crowd, slow_texts, load=f"{RATE:g}/s", rate=RATE, pid=pid)).summary())
            light = max(20, slow_texts // 4)
            runs.append(asyncio.run(drive(port, crowd, light, load=f"{LIGHT:g}/s", rate=LIGHT, pid=pid)).summary())
            figures["kinds"] = crowd.kinds
        figures["runs"] = runs
        figures["people"] = people
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


def table(figures: dict[str, Any]) -> str:
    rows = [
        f"Machine: {figures['machine']}",
        "",
        f"Directory: {figures['services']:,} services in SQLite; {figures['people']} people texting; "
        f"texts sent: {', '.join(f'{k} {v:,}' for k, v in sorted(figures['kinds'].items()))}.",
        "",
        "| door | load | texts | texts/s | median ms | p99 ms | door CPU ms/text | texts/s per door core "
        "| texts sent back per answer | lost |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in figures["runs"]:
        rows.append(
            f"| SMS (`POST /sms`), SQLite | {run['load']} | {run['texts']:,} | {run['texts_per_s']:.0f} | "
            f"{run['median_ms']:.1f} | {run['p99_ms']:.1f} | {run['cpu_ms_per_text']:.1f} | "
            f"{1000 / run['cpu_ms_per_text'] if run['cpu_ms_per_text'] else 0:.0f} | "
            f"{run['messages_per_text']:.1f} | {run['lost']} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="300 services and short runs: a smoke test")
    parser.add_argument("--services", type=int, help="synthetic local services (default 50,000)")
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--texts", type=int, help="texts in the saturated run (default 3,000)")
    parser.add_argument("--slow-texts", type=int, help="texts in the 30/s run (default 600)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    if args.child:
        child()
        return
    import synthetic

    services = args.services if args.services is not None else (300 if args.quick else synthetic.DEFAULT_SERVICES)
    texts = args.texts or (200 if args.quick else 3000)
    slow = args.slow_texts or (60 if args.quick else 600)
    people = min(args.people, 60) if args.quick else args.people
    figures = benchmark(int(services), people, texts, slow)
    print(json.dumps(figures) if args.json else table(figures), flush=True)


if __name__ == "__main__":
    main()
