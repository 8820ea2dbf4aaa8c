"""The SMS door benchmark still runs end to end and produces figures (tiny numbers; no timing is asserted).

``bench/bench_sms.py --quick`` starts the SMS door on a local port over a small
synthetic directory and texts it as a few dozen people, signed as Twilio signs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_sms_benchmark_reports_every_load() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_sms.py"), "--quick", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert [run["load"] for run in figures["runs"]] == ["saturated", "30/s", "5/s"]
    for run in figures["runs"]:
        assert run["texts"] > 0 and run["texts_per_s"] > 0 and run["lost"] == 0, run
        assert run["p99_ms"] >= run["median_ms"] > 0, run
        assert run["messages_per_text"] >= 1, "every text was answered"
    assert {"choice", "typed", "zip"} <= set(figures["kinds"]), "people picked numbers, typed and sent ZIPs"

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_sms
    finally:
        sys.path.remove(str(ROOT / "bench"))
    table = bench_sms.table(figures)
    assert table.count("| door | load | texts | texts/s | median ms | p99 ms |") == 1
    assert "SMS (`POST /sms`), SQLite | saturated" in table
