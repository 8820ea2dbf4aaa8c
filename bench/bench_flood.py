"""One chat floods the bot; how fast does everyone else still get answers?

The real python-telegram-bot Application runs against the local Bot API
stand-in (tests/standin) with the bundled directory in a temporary SQLite
file. Other chats tap through menus, one tap after the reply to the last, first
with nobody else around, then while one chat sends a burst of messages all at
once. Reported: that chat's replies (it should get a few and one "slow down",
not one per message) and the other chats' reply latency, from the
moment its tap is queued to the moment the reply reaches the Bot API.

    PYTHONPATH=src python bench/bench_flood.py [--flood 1000] [--taps 100] [--write bench/FLOOD.md] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.standin

from tests.standin import BotApiStandin  # noqa: E402
from tests.standin.echo_bot import BackgroundApplication  # noqa: E402

from resource_bot.channels.telegram.app import build_application, prepare_bot  # noqa: E402
from resource_bot.config import load_settings  # noqa: E402
from resource_bot.runtime import open_runtime  # noqa: E402

TOKEN = "123456:" + "F" * 35
FLOODER = 5001
#: Taps per tapping chat: with its /start, within the 8 updates a chat may send at once.
TAPS_PER_CHAT = 6
#: The menus the tapping chat goes back and forth between.
TOPICS = ("t:legal", "t:food", "t:work", "t:safety")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _tap_through(api: BotApiStandin, taps: int, first_chat: int) -> tuple[list[float], int]:
    """``taps`` taps, each after the reply to the last, spread over enough chats that none of them
    taps faster than a person could (each stays inside its burst allowance); returns the latency
    of each, in milliseconds, and how many replies the tapping chats got in all."""
    chats = [first_chat + n for n in range(max(1, -(-taps // TAPS_PER_CHAT)))]
    menus = {}
    for chat in chats:
        api.user_sends_text(chat, "/start")
        menus[chat] = api.wait_for_reply(chat, timeout=30).result["message_id"]
    latencies = []
    for n in range(taps):
        chat = chats[n % len(chats)]
        turn = n // len(chats)
        started = time.monotonic()
        api.user_taps(chat, menus[chat], TOPICS[turn % len(TOPICS)] if turn % 2 == 0 else "m")
        reply = api.wait_for_reply(chat, timeout=30)
        latencies.append((reply.at - started) * 1000)
    return latencies, len(chats) + taps


def _wait_until_idle(api: BotApiStandin, application: Any, timeout: float = 60.0) -> None:
    """Until every queued update was fetched and no handler is still running."""
    processor = application.update_processor
    deadline = time.monotonic() + timeout
    while api.pending_update_count or not application.update_queue.empty() or processor.current_concurrent_updates:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not finish the flood")
        time.sleep(0.01)


def _figures(latencies: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
    }


def measure(flood: int = 1000, taps: int = 100) -> dict[str, Any]:
    """Run both phases; the figures, and what the flooding chat received."""
    with tempfile.TemporaryDirectory() as home, BotApiStandin(token=TOKEN) as api:
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": api.base_url,
                "DATABASE_URL": f"sqlite:///{Path(home) / 'bot.sqlite3'}",
                "RESOURCE_BOT_HOME": home,
            }
        )
        runtime = open_runtime(settings)
        application = build_application(runtime, request_timeout=10.0)
        slow_down = runtime.dialog.menus.ui("en", "slow_down")
        try:
            with BackgroundApplication(application) as background:
                background.run(prepare_bot(application))
                _tap_through(api, 12, 6000)  # warm up: connections, caches
                quiet, _ = _tap_through(api, taps, 7000)

                start = len(api.calls)
                flood_started = time.monotonic()
                for n in range(flood):
                    api.user_sends_text(FLOODER, f"food {n}")
                during, expected = _tap_through(api, taps, 8000)
                _wait_until_idle(api, application)
                flood_seconds = time.monotonic() - flood_started
                sent = [
                    c
                    for c in api.calls[start:]
                    if c.ok and c.method == "sendMessage" and c.params.get("chat_id") == FLOODER
                ]
                tapper_replies = sum(
                    1
                    for c in api.calls[start:]
                    if c.ok
                    and c.method in ("sendMessage", "editMessageText")
                    and isinstance(c.result, dict)
                    and c.result["chat"]["id"] >= 8000
                )
        finally:
            runtime.db.dispose()
    return {
        "flood_messages": flood,
        "taps": taps,
        "flooding_chat_replies": len(sent),
        "flooding_chat_slow_downs": sum(1 for c in sent if c.params.get("text") == slow_down),
        "tapping_chats_updates": expected,
        "tapping_chats_replies": tapper_replies,
        "flood_seconds": round(flood_seconds, 2),
        "quiet": _figures(quiet),
        "during_flood": _figures(during),
    }


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def markdown(figures: dict[str, Any]) -> str:
    quiet, during = figures["quiet"], figures["during_flood"]
    return "\n".join(
        [
            "# One chat floods the bot: everyone else's replies",
            "",
            "Produced by `PYTHONPATH=src python bench/bench_flood.py --write bench/FLOOD.md` (the real",
            "python-telegram-bot Application against the local Bot API stand-in, SQLite, the bundled",
            "directory). `tests/test_flood.py` runs the same function and checks the outcome, not the times.",
            "",
            f"Machine: {machine()}.",
            "",
            f"One chat sends {figures['flood_messages']:,} messages in one burst. It got "
            f"{figures['flooding_chat_replies']} replies, {figures['flooding_chat_slow_downs']} of them the "
            '"slow down" answer; the rest were dropped by its token bucket '
            "(8 at once, then one every 0.5 s).",
            f"Meanwhile other chats tapped {figures['taps']} times in all, each tap after the reply to the "
            f"last, {TAPS_PER_CHAT} taps a chat (within the 8 a chat may send at once), and got "
            f"{figures['tapping_chats_replies']} replies to their {figures['tapping_chats_updates']} updates.",
            "",
            "| the other chats' reply latency | median | p99 | max |",
            "| --- | ---: | ---: | ---: |",
            f"| nobody else around | {quiet['median_ms']} ms | {quiet['p99_ms']} ms | {quiet['max_ms']} ms |",
            f"| during the flood | {during['median_ms']} ms | {during['p99_ms']} ms | {during['max_ms']} ms |",
            "",
            "Latency is from the moment the tap is queued at the stand-in to the moment the reply reaches it:",
            "the long poll, the handler, the database and the Bot API call, without Telegram's own network.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood", type=int, default=1000)
    parser.add_argument("--taps", type=int, default=100)
    parser.add_argument("--write", type=Path, help="write the Markdown results note here")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    figures = measure(args.flood, args.taps)
    if args.write:
        args.write.write_text(markdown(figures), encoding="utf-8")
    print(json.dumps(figures) if args.json else markdown(figures))


if __name__ == "__main__":
    main()
