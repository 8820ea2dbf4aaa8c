#!/usr/bin/env python3
"""The web chat under load: `resource-bot web` on one core, with the 50,000-service directory.

The server runs in its own process pinned to one core, exactly as ``resource-bot web``
builds it (``channels/doors.py``: uvicorn with the bounded protocol, no access log),
over a SQLite directory of synthetic services (``synthetic.py``). This process, pinned
to the other core, plays hundreds of browsers with JavaScript on (each its own session
cookie and form token): a first visit (half of them deep links, as from a flyer's QR
code), then taps on a button of the page it was shown, typed requests from
``tests/data/needs-dev.yaml`` in English and Spanish, and ZIP codes. Each session waits
at least 0.55 s between its requests, which keeps it under the per-session flood limit
(the Telegram chat gate's: a burst of 8, then one per 0.5 s), so nothing is slowed.

Timed: from sending a request to reading the whole page back. The server's CPU time per
request (all its threads, from /proc) gives "replies/s per server core": what one core
would sustain with nothing else running, the fair figure on a shared machine. Two loads, like the
Telegram benchmark (bench_stack.py): **saturated** (``--inflight`` requests at once,
refilled as pages come back) and **30/s** (a steady 30 requests a second).

    .venv/bin/python bench/bench_web.py            # 50,000 services: a few minutes
    .venv/bin/python bench/bench_web.py --quick    # 2,000 services, small runs: a smoke run

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
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, ROOT / "src", BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_stack import (  # noqa: E402
    DEEP_LINKS,
    cores,
    cpu_seconds,
    free_port,
    load_directory,
    machine,
    percentile,
    typed_requests,
)

_TOKEN = re.compile(r'name="csrf" value="([0-9a-f]{32})"')
_BUTTON = re.compile(r'name="b" value="([^"]+)"')
ZIPS = ("77002", "10001", "60601", "94103", "33125", "98101")


def child_server() -> None:
    """What ``resource-bot web`` does, but listening on 127.0.0.1 only (it binds 0.0.0.0)."""
    import uvicorn

    from resource_bot.channels.doors import build_app
    from resource_bot.channels.telegram.serving import server_config
    from resource_bot.config import load_settings
    from resource_bot.logs import setup_logging
    from resource_bot.runtime import open_runtime

    setup_logging()
    runtime = open_runtime(load_settings())
    uvicorn.Server(server_config(build_app(runtime), host="127.0.0.1", port=runtime.settings.port)).run()


# -- browsers -----------------------------------------------------------------------------------------
@dataclass
class Session:
    lang: str
    cookie: str = ""
    token: str = ""
    buttons: list[str] = field(default_factory=list)
    ready_at: float = 0.0


@dataclass
class Run:
    load: str
    requests: int
    per_second: float
    median_ms: float
    p99_ms: float
    failed: int
    server_cpu_ms: float
    kinds: dict[str, int]


class Browsers:
    """Each session's next request: a first visit (half deep links), then 60% taps, 30% typed, 10% ZIP codes."""

    def __init__(self, count: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.typed = typed_requests()
        self.sessions = [Session("es" if i % 10 < 3 else "en") for i in range(count)]
        self.kinds: dict[str, int] = {}

    def next_request(self, session: Session) -> tuple[str, str, str, dict[str, str] | None]:
        """(kind, method, path, form)."""
        rng = self.rng
        if not session.cookie:
            if rng.random() < 0.5:
                return "deep link", "GET", f"/?start={rng.choice(DEEP_LINKS)}", None
            return "first visit", "GET", "/", None
        roll = rng.random()
        if roll < 0.6 and session.buttons:
            return "tap", "POST", "/", {"csrf": session.token, "b": rng.choice(session.buttons)}
        if roll < 0.9:
            text, _ = rng.choice(self.typed)
            return "typed", "POST", "/", {"csrf": session.token, "t": text}
        return "zip", "POST", "/", {"csrf": session.token, "t": rng.choice(ZIPS)}


async def drive(base: str, browsers: Browsers, total: int, *, inflight: int, rate: float | None) -> list[float]:
    """Send ``total`` requests; returns each one's seconds (failures count as none)."""
    import httpx

    latencies: list[float] = []
    failures = [0]
    sessions = browsers.sessions
    turn = [0]

    def pick() -> Session:
        now = time.monotonic()
        for _ in range(len(sessions)):
            session = sessions[turn[0] % len(sessions)]
            turn[0] += 1
            if session.ready_at <= now:
                return session
        return min(sessions, key=lambda s: s.ready_at)

    async def one(client: httpx.AsyncClient) -> None:
        session = pick()
        session.ready_at = float("inf")  # taken
        kind, method, path, form = browsers.next_request(session)
        browsers.kinds[kind] = browsers.kinds.get(kind, 0) + 1
        headers = {"accept-language": session.lang}
        if session.cookie:
            headers["cookie"] = f"__Host-sid={session.cookie}"
        start = time.perf_counter()
        try:
            response = await client.request(method, path, data=form, headers=headers)
            page = response.text
        except httpx.HTTPError:
            failures[0] += 1
            session.ready_at = time.monotonic() + 0.55
            return
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            failures[0] += 1
        if found := re.search(r"__Host-sid=([0-9a-f]{32})", response.headers.get("set-cookie", "")):
            session.cookie = found[1]
        if token := _TOKEN.search(page):
            session.token = token[1]
        session.buttons = [b for b in _BUTTON.findall(page) if b != "x"]
        session.ready_at = time.monotonic() + 0.55

    limits = httpx.Limits(max_connections=inflight, max_keepalive_connections=inflight)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        if rate is None:
            queue = iter(range(total))

            async def worker() -> None:
                for _ in queue:
                    await one(client)

            await asyncio.gather(*(worker() for _ in range(inflight)))
        else:
            tasks = []
            start = time.monotonic()
            for i in range(total):
                await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
                tasks.append(asyncio.ensure_future(one(client)))
            await asyncio.gather(*tasks)
    drive.failures = failures[0]  # type: ignore[attr-defined]
    return latencies


def measure(base: str, pid: int, label: str, total: int, sessions: int, *, inflight: int, rate: float | None) -> Run:
    browsers = Browsers(sessions, seed=total + sessions)
    cpu_before, start = cpu_seconds([pid]), time.perf_counter()
    latencies = asyncio.run(drive(base, browsers, total, inflight=inflight, rate=rate))
    wall, cpu = time.perf_counter() - start, cpu_seconds([pid]) - cpu_before
    ordered = sorted(latencies)
    failed = int(getattr(drive, "failures", 0))
    return Run(
        label,
        len(latencies),
        (len(latencies) - failed) / wall,
        statistics.median(ordered) * 1000 if ordered else 0.0,
        percentile(ordered, 99) * 1000,
        failed,
        cpu / max(1, len(latencies)) * 1000,
        dict(browsers.kinds),
    )


@contextlib.contextmanager
def server(url: str, home: Path, core: int | None, timeout: float) -> Any:
    import httpx

    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "RESOURCE_BOT_HOME": str(home), "PORT": str(port), "LOG_LEVEL": "WARNING"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(BENCH)])
    for name in ("WEBHOOK_URL", "TWILIO_AUTH_TOKEN", "QUICK_EXIT_URL"):
        env.pop(name, None)

    def pin() -> None:
        if core is not None:
            os.sched_setaffinity(0, {core})

    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, __file__, "--child"], env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=pin
        )
    started = time.perf_counter()
    try:
        base = f"http://127.0.0.1:{port}"
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            if time.perf_counter() - started > timeout:
                raise RuntimeError("the server did not start in time")
            time.sleep(0.5)
        yield base, process.pid, time.perf_counter() - started
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(30)
        if process.poll() is None:
            process.kill()


def benchmark(services: int, requests: int, paced: int, sessions: int, inflight: int) -> dict[str, Any]:
    import synthetic

    server_core, driver_core, busy = cores()
    if driver_core is not None:
        os.sched_setaffinity(0, {driver_core})
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        home = Path(folder)
        url = f"sqlite:///{home / 'bot.sqlite3'}"
        load_s = load_directory(url, synthetic.entries(services))
        with server(url, home, server_core, timeout=600) as (base, pid, startup_s):
            measure(base, pid, "warm-up", min(300, requests), sessions, inflight=inflight, rate=None)
            saturated = measure(base, pid, "saturated", requests, sessions, inflight=inflight, rate=None)
            steady = measure(base, pid, "30/s", paced, sessions, inflight=inflight, rate=30.0)
    return {
        "machine": machine(server_core, driver_core, busy).replace("bot pinned", "server pinned"),
        "services": services + len(synthetic.national_entries()[1]),
        "load_s": load_s,
        "startup_s": startup_s,
        "sessions": sessions,
        "inflight": inflight,
        "runs": [run.__dict__ for run in (saturated, steady)],
    }


def table(figures: dict[str, Any]) -> str:
    rows = [
        f"Machine: {figures['machine']}",
        "",
        f"Directory: {figures['services']:,} services in SQLite; {figures['sessions']} browser sessions, "
        f"{figures['inflight']} requests at most in flight; server ready {figures['startup_s']:.0f} s after start.",
        "",
        "| scenario | load | requests | replies/s | median ms | p99 ms | server CPU ms/request "
        "| replies/s per server core | not 200 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in figures["runs"]:
        rows.append(
            f"| web chat, SQLite | {run['load']} | {run['requests']:,} | {run['per_second']:.0f} | "
            f"{run['median_ms']:.1f} | {run['p99_ms']:.1f} | {run['server_cpu_ms']:.1f} | "
            f"{1000 / max(run['server_cpu_ms'], 0.001):.0f} | {run['failed']} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="2,000 services and small runs")
    parser.add_argument("--services", type=int)
    parser.add_argument("--requests", type=int, help="requests in the saturated run (default 3,000)")
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--inflight", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.child:
        child_server()
        return
    services = args.services or (2_000 if args.quick else 50_000)
    requests = args.requests or (300 if args.quick else 3_000)
    paced = 60 if args.quick else 300
    figures = benchmark(services, requests, paced, args.sessions, args.inflight)
    print(json.dumps(figures) if args.json else table(figures), flush=True)


if __name__ == "__main__":
    main()
