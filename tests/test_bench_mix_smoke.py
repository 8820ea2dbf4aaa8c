"""The per-kind benchmark still runs end to end and says what each bot did (tiny numbers; no timing asserted).

``bench/bench_mix.py --quick`` starts the Bot API stand-in, a bare echo bot with a
menu, and the real bot polling on SQLite (and on PostgreSQL when it answers on
127.0.0.1:5432), and drives a few dozen text, tap and mixed updates through each.
What is checked is what the table claims: both bots answer a typed message with
sendMessage only and a tap on a topic with the same two calls (answer it, edit
the menu), and the calls ride kept-alive connections (fewer new ones than updates).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_mix_benchmark_reports_every_mix_for_both_bots() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_mix.py"), "--quick", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    runs = figures["runs"]
    databases = ["—", "SQLite"] + ([] if "postgres_skipped" in figures else ["PostgreSQL"])
    for database in databases:
        mine = {(r["mix"], r["load"]): r for r in runs if r["database"] == database}
        assert set(mine) == {("text", "saturated"), ("text", "30/s"), ("taps", "saturated"), ("mixed", "saturated")}
        for run in mine.values():
            assert run["updates"] > 0 and run["per_second"] > 0 and run["cpu_ms_per_update"] > 0, run
            assert run["p99_ms"] >= run["median_ms"] > 0, run
            # Kept alive, a call rides a connection opened before; closed, each call would open one.
            assert run["new_connections"] < run["updates"], run
        assert mine[("text", "saturated")]["kinds"] == {"typed": mine[("text", "saturated")]["updates"]}
        # A typed message is answered by new messages only (a long answer may take more than one).
        assert set(mine[("text", "saturated")]["calls_per_update"]) == {"sendMessage"}
        assert mine[("taps", "saturated")]["kinds"] == {"tap": mine[("taps", "saturated")]["updates"]}
        assert mine[("taps", "saturated")]["calls_per_update"] == {"answerCallbackQuery": 1.0, "editMessageText": 1.0}

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_mix
    finally:
        sys.path.remove(str(ROOT / "bench"))
    table = bench_mix.table(figures)
    assert table.count("| mix | bot | database |") == 1
    assert "| taps | resource-bot | SQLite |" in table
