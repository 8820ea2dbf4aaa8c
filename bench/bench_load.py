"""How long ``resource-bot load`` takes for a big directory, how much memory it needs, and how fast the bot starts.

Writes a synthetic directory (``synthetic.py``) as YAML under a temporary
``tests`` folder, then, each step in its own process pinned to one core (so
wall time and peak resident set, from ``wait4``, belong to that step alone):

1. ``resource-bot validate`` on the files: reading and checking them, the part
   of ``load`` that does not depend on the database;
2. per database, writing the validated directory with ``replace_directory``
   (what ``load`` does after validating) into SQLite (a temporary file) and
   PostgreSQL (``127.0.0.1:5432/test``, or ``BENCH_POSTGRES_URL``, in a fresh
   schema dropped afterwards), when reachable;
3. per database, the bot's startup: ``read_catalog`` and building the matcher.

``load`` = step 1 + step 2; with ``--cli`` the real ``resource-bot load``
command runs end to end per database instead (slower: it validates each time).

    PYTHONPATH=src python bench/bench_load.py [--services 50000] [--quick] [--cli]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import synthetic

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql://127.0.0.1:5432/test"
#: No step may run longer than this; a stuck database must not hang the benchmark.
STEP_TIMEOUT_S = 900.0


def pin_one_core() -> int:
    """Pin to one core; child processes inherit it."""
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def run_step(args: Sequence[str], env: dict[str, str] | None = None, timeout: float = STEP_TIMEOUT_S) -> dict[str, Any]:
    """Run one process; its wall time, peak resident set (its own, from wait4) and stdout."""
    child_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]), **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(args, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - start
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}... failed ({process.returncode}):\n{err[-2000:]}")
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "stdout": out}


def postgres_url() -> str | None:
    """The benchmark database, or None when nothing answers there."""
    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception:  # any failure means: skip PostgreSQL, say so
        return None
    return url


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new, empty schema, dropped afterwards; yields a SQLAlchemy URL whose connections use it."""
    import psycopg

    schema = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def write_step(url: str, n: int, seed: int) -> None:
    """In a child: write the synthetic directory as ``load`` does after validating, and time only that."""
    from resource_bot.db import make_engine
    from resource_bot.directory.load import replace_directory

    organizations, services = synthetic.entries(n, seed)
    engine = make_engine(url)
    start = time.perf_counter()
    replace_directory(engine, organizations, services)
    print(json.dumps({"write_s": round(time.perf_counter() - start, 2), "services": len(services)}))


def startup_step(url: str) -> None:
    """In a child: what the bot does at startup (and after each load): read the catalog, build the matcher."""
    from resource_bot.db import make_engine
    from resource_bot.directory.catalog_db import read_catalog
    from resource_bot.directory.zip_index import preload
    from resource_bot.runtime import build_matcher

    preload()
    engine = make_engine(url)
    start = time.perf_counter()
    catalog = read_catalog(engine)
    read = time.perf_counter()
    matcher = build_matcher(catalog)
    built = time.perf_counter()
    status = Path("/proc/self/status").read_text().splitlines()
    rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    print(
        json.dumps(
            {
                "read_s": round(read - start, 2),
                "matcher_s": round(built - read, 2),
                "services": len(catalog),
                "rss_mb": round(rss, 1),
            }
        )
    )
    del matcher


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, help="synthetic local services (default 50,000; 5,000 with --quick)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cli", action="store_true", help="run the real `resource-bot load` end to end per database")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--write-step", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--startup-step", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = args.services if args.services is not None else (5_000 if args.quick else synthetic.DEFAULT_SERVICES)
    if args.write_step:
        write_step(args.write_step, n, args.seed)
        return {}
    if args.startup_step:
        startup_step(args.startup_step)
        return {}

    core = pin_one_core()
    me = [sys.executable, str(Path(__file__).resolve()), "--services", str(n), "--seed", str(args.seed)]
    cli = [sys.executable, "-m", "resource_bot"]
    tmp = Path(tempfile.mkdtemp(prefix="resource-bot-bench-"))
    figures: dict[str, Any] = {"synthetic_local": n, "core": core, "databases": {}}
    try:
        folder = tmp / "tests" / "directory"  # 555-01xx numbers are accepted only under a `tests` folder
        start = time.perf_counter()
        files = synthetic.write_yaml(folder, n, args.seed)
        figures["yaml_write_s"] = round(time.perf_counter() - start, 2)
        figures["yaml_mb"] = round(sum(f.stat().st_size for f in files) / 2**20, 1)
        figures["files"] = len(files)
        if not args.cli:
            figures["validate"] = {k: v for k, v in run_step([*cli, "validate", str(folder)]).items() if k != "stdout"}

        targets = [("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}")]
        pg = None if args.no_postgres else postgres_url()
        if pg:
            targets.append(("PostgreSQL", pg))
        else:
            figures["postgres_skipped"] = "not reachable" if not args.no_postgres else "--no-postgres"
        for label, base in targets:
            with fresh_schema(base) if label == "PostgreSQL" else _same(base) as url:
                result: dict[str, Any] = {}
                if args.cli:
                    step = run_step([*cli, "load", str(folder)], env={"DATABASE_URL": url})
                    result["load"] = {"wall_s": step["wall_s"], "peak_rss_mb": step["peak_rss_mb"]}
                else:
                    step = run_step([*me, "--write-step", url])
                    result["write"] = {
                        "wall_s": step["wall_s"],
                        "peak_rss_mb": step["peak_rss_mb"],
                        **json.loads(step["stdout"]),
                    }
                step = run_step([*me, "--startup-step", url])
                result["startup"] = {
                    "wall_s": step["wall_s"],
                    "peak_rss_mb": step["peak_rss_mb"],
                    **json.loads(step["stdout"]),
                }
                if label == "SQLite":
                    result["file_mb"] = round((tmp / "bench.sqlite3").stat().st_size / 2**20, 1)
                figures["databases"][label] = result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(figures) if args.json else report(figures))
    return figures


@contextmanager
def _same(url: str) -> Iterator[str]:
    yield url


def report(figures: dict[str, Any]) -> str:
    """Plain text for a person at a terminal."""
    lines = [
        f"{figures['synthetic_local']:,} synthetic services in {figures['files']} YAML files "
        f"({figures['yaml_mb']} MB), pinned to core {figures['core']}"
    ]
    if "validate" in figures:
        v = figures["validate"]
        lines.append(f"resource-bot validate: {v['wall_s']} s, peak {v['peak_rss_mb']} MB")
    for label, result in figures["databases"].items():
        if "load" in result:
            lines.append(
                f"{label}: resource-bot load {result['load']['wall_s']} s, peak {result['load']['peak_rss_mb']} MB"
            )
        else:
            w = result["write"]
            lines.append(f"{label}: write {w['write_s']} s (process {w['wall_s']} s, peak {w['peak_rss_mb']} MB)")
        s = result["startup"]
        lines.append(
            f"{label}: startup read_catalog {s['read_s']} s + matcher {s['matcher_s']} s, "
            f"resident {s['rss_mb']} MB (peak {s['peak_rss_mb']} MB)"
        )
    if "postgres_skipped" in figures:
        lines.append(f"PostgreSQL skipped: {figures['postgres_skipped']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
