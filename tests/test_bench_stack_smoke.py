"""The full-stack benchmark still runs end to end and produces figures (tiny numbers; no timing is asserted).

``bench/bench_stack.py --quick`` starts the Bot API stand-in, a bare echo bot and
the real bot (polling on SQLite; on PostgreSQL and as two webhook processes when
PostgreSQL answers on 127.0.0.1:5432), and drives a few dozen updates through each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_stack_benchmark_reports_figures_for_every_scenario() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_stack.py"), "--quick", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    names = [scenario["name"] for scenario in figures["scenarios"]]
    assert names[:2] == ["echo bot (bare PTB), polling", "resource-bot, polling, SQLite"]
    if "postgres_skipped" not in figures:
        assert len(names) == 4
    for scenario in figures["scenarios"]:
        loads = {run["load"] for run in scenario["runs"]}
        assert loads == {"saturated", "30/s"}, scenario["name"]
        for run in scenario["runs"]:
            assert run["updates"] > 0 and run["per_second"] > 0, (scenario["name"], run)
            assert run["p99_ms"] >= run["median_ms"] > 0, (scenario["name"], run)

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_stack
    finally:
        sys.path.remove(str(ROOT / "bench"))
    table = bench_stack.table(figures)
    assert table.count("| scenario | load | updates | updates/s | median ms | p99 ms |") == 1
    assert "resource-bot, polling, SQLite" in table
