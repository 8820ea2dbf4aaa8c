"""The web chat benchmark still runs and reports its figures (a tiny directory; no timing is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def test_web_benchmark_serves_every_request_of_both_loads() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(BENCH)])}
    args = ["--quick", "--services", "300", "--requests", "60", "--sessions", "40", "--inflight", "8", "--json"]
    done = subprocess.run(
        [sys.executable, str(BENCH / "bench_web.py"), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    saturated, steady = figures["runs"]
    assert (saturated["load"], steady["load"]) == ("saturated", "30/s")
    for run in (saturated, steady):
        assert run["requests"] > 0 and run["failed"] == 0
        assert run["p99_ms"] >= run["median_ms"] > 0 and run["server_cpu_ms"] > 0
    assert {"first visit", "deep link", "tap", "typed"} <= set(saturated["kinds"]) | set(steady["kinds"])
