"""`resource-bot load` killed half-way (SIGKILL) leaves the previous directory intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from resource_bot.db import make_engine
from resource_bot.directory.catalog_db import read_catalog
from resource_bot.directory.load import load_paths
from resource_bot.paths import data_dir

SERVICE = """\
  - id: test-many-{i}
    name: Test Service {i}
    description: A made-up service number {i}.
    topics: [food]
    phones:
      - {{number: "212-555-01{last:02d}"}}
    area: {{zips: ["10001"]}}
    source: https://example.org/{i}
    verified: 2026-01-01
"""


def big_directory(folder: Path, count: int) -> Path:
    target = folder / "tests" / "big"
    target.mkdir(parents=True)
    body = "".join(SERVICE.format(i=i, last=i % 100) for i in range(count))
    (target / "many.yaml").write_text("services:\n" + body, encoding="utf-8")
    return target


def test_a_load_killed_mid_transaction_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    assert load_paths(engine, [data_dir()]).ok
    before = sorted(read_catalog(engine).services)
    engine.dispose()

    folder = big_directory(tmp_path, 6000)
    process = subprocess.Popen(
        [sys.executable, "-m", "resource_bot", "load", str(folder)],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wal = Path(f"{database}-wal")
    deadline = time.monotonic() + 120
    # Wait until the new rows are being written (the write-ahead log grows), then kill.
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 256 * 1024:
            break
        time.sleep(0.01)
    assert process.poll() is None, "load finished before it could be killed; make the directory bigger"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    after = sorted(read_catalog(make_engine(url)).services)
    assert after == before
