"""The benchmarks still run and still produce figures (tiny directories; no timing is asserted).

Speed is judged by people reading ``bench/run``'s table, never by a test: a
timed assertion fails on a busy CI machine and teaches nobody anything.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(BENCH)])}


def run_json(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, *args, "--json"], env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def test_engine_benchmark_reports_every_workload() -> None:
    figures = run_json(str(BENCH / "bench_engine.py"), "--quick", "--services", "300", "--no-heap")
    workloads = figures["workloads"]
    assert isinstance(workloads, dict) and len(workloads) == 5
    for name, w in workloads.items():
        assert w["requests"] > 0 and w["p99_ms"] >= w["median_ms"] > 0, name
    assert figures["peak_rss_mb"] and figures["services"]


def test_load_benchmark_loads_validates_and_reads_back(tmp_path: Path) -> None:
    figures = run_json(str(BENCH / "bench_load.py"), "--services", "60", "--cli", "--no-postgres")
    sqlite = figures["databases"]["SQLite"]
    assert sqlite["load"]["wall_s"] > 0
    assert sqlite["startup"]["services"] > 60  # the synthetic ones and the real national ones


def test_synthetic_entries_are_what_validation_makes_of_the_yaml(tmp_path: Path) -> None:
    """The engine benchmark skips YAML; this keeps its entries honest."""
    sys.path.insert(0, str(BENCH))
    try:
        import synthetic
    finally:
        sys.path.remove(str(BENCH))
    from resource_bot.directory.validate import validate_paths

    folder = tmp_path / "tests" / "directory"
    synthetic.write_yaml(folder, 40, national=False)
    validation = validate_paths([folder])
    assert validation.ok, "\n".join(map(str, validation.problems[:5]))
    _, made = synthetic.entries(40)
    local = [e for e in made if e.id.startswith("svc-")]
    assert [dataclasses.replace(e, path=Path(), line=0) for e in validation.services] == local


def test_synthetic_yaml_refuses_a_folder_outside_tests(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import synthetic
    finally:
        sys.path.remove(str(BENCH))
    if "tests" in tmp_path.parts:
        pytest.skip("the temporary folder is itself under a tests folder")
    with pytest.raises(ValueError, match="tests"):
        synthetic.write_yaml(tmp_path / "directory", 1)


def test_danger_benchmark_times_cold_and_warm_checks() -> None:
    figures = run_json(str(BENCH / "bench_danger.py"), "--repeat", "1")
    assert figures["messages"] > 100
    for name in ("cold", "warm"):
        f = figures[name]
        assert isinstance(f, dict) and f["max_ms"] >= f["p99_ms"] >= f["median_ms"] > 0, name
