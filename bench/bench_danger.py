"""Time DangerDetector.check, the one danger check every typed message goes through.

    PYTHONPATH=src:. python bench/bench_danger.py [--repeat 5] [--json] [--rules-only]

Messages: every text of the danger evaluation sets (both languages, both halves: only timed,
never printed), plus typed requests of the needs sets and long pasted messages. Each message is
timed cold (the first time its words are seen: the typo lookups run) and warm (as the bot sees
a common word again). No assertion: it reports, people judge.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resource_bot.dialog.danger import DangerDetector  # noqa: E402
from resource_bot.paths import conversations_dir  # noqa: E402


def messages() -> list[str]:
    data = ROOT / "tests" / "data"
    texts: list[str] = []
    for name in ("danger-eval-en.yaml", "danger-eval-es.yaml", "needs-dev.yaml", "needs-extra.yaml"):
        path = data / name
        if path.exists():
            texts += [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
    rng = random.Random(2026)
    words = " ".join(texts).split()
    texts += [" ".join(rng.choices(words, k=90)) for _ in range(50)]  # long pasted messages (~500 chars)
    return texts


def timed(detector: DangerDetector, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        start = time.perf_counter()
        detector.check(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {
        "median_ms": round(statistics.median(ms), 4),
        "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 4),
        "max_ms": round(ms[-1], 4),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--rules-only", action="store_true", help="leave out the learned model, to see its cost")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    detector = DangerDetector.from_directory(conversations_dir())
    load_ms = (time.perf_counter() - start) * 1000
    if args.rules_only:
        detector = DangerDetector(detector.rules)
    texts = messages()
    cold = timed(detector, texts)
    warm: list[float] = []
    for _ in range(args.repeat):
        warm += timed(detector, texts)
    figures = {"messages": len(texts), "load_ms": round(load_ms, 1), "cold": summary(cold), "warm": summary(warm)}
    if args.json:
        print(json.dumps(figures))
        return
    what = "rules alone" if args.rules_only else "rules and learned model"
    print(f"danger check, {what}, over {len(texts)} messages (loaded in {figures['load_ms']} ms)")
    for name in ("cold", "warm"):
        f = figures[name]
        assert isinstance(f, dict)
        print(f"  {name:4}  median {f['median_ms']:.3f} ms   p99 {f['p99_ms']:.3f} ms   max {f['max_ms']:.3f} ms")


if __name__ == "__main__":
    main()
