"""One chat sending 1,000 messages in a burst is slowed down; every other chat still gets every reply.

Runs bench/bench_flood.py's ``measure`` (the real Application against the
stand-in) with fewer taps; the figures for bench/FLOOD.md come from the same
function at full size. Times are not judged here beyond a generous sanity
bound: a busy machine must not fail the suite.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_flood.py"


def load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_flood", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_burst_of_1000_messages_is_slowed_down_and_other_chats_get_every_reply() -> None:
    bench = load_bench()
    figures = bench.measure(flood=1000, taps=30)
    assert figures["flooding_chat_slow_downs"] >= 1, "the flooding chat is told to slow down"
    assert figures["flooding_chat_replies"] < 50, f"far fewer than 1,000 replies: {figures}"
    assert figures["tapping_chats_replies"] == figures["tapping_chats_updates"], "nobody else loses a reply"
    assert figures["during_flood"]["median_ms"] < 2000, f"other chats stay responsive: {figures}"
    assert "| during the flood |" in bench.markdown(figures)
