"""Time NeedMatcher.match over 50,000 synthetic services; prints build time, median and p99.

    PYTHONPATH=src python bench/bench_matcher.py [--services 50000] [--repeat 3]

The services are made up (random syllable names, template descriptions) and
never leave this script. No assertion: it reports, people judge.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import yaml

from resource_bot.directory.topics import ALL_TOPICS
from resource_bot.matching.need_matcher import NeedMatcher
from resource_bot.matching.service_index import ServiceText
from resource_bot.paths import conversations_dir

_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "sa",
    "tor",
    "vel",
    "dun",
    "bri",
    "cha",
    "fen",
    "gor",
    "hal",
    "ix",
    "jun",
    "kor",
    "lum",
    "nar",
    "ost",
    "pel",
    "quin",
    "ras",
    "sul",
    "tam",
    "ur",
    "vin",
    "wes",
    "yor",
    "zan",
]
_KINDS = [
    "Legal Aid",
    "Family Center",
    "Food Pantry",
    "Shelter",
    "Clinic",
    "Community Services",
    "Workers Center",
    "Housing Coalition",
    "Credit Counseling",
    "Youth Project",
    "Women's Network",
    "Recovery House",
]
_PLACES = [
    "Riverside",
    "Oakmont",
    "Brookfield",
    "Cedar Falls",
    "Maple Grove",
    "Pine Hollow",
    "Silver Lake",
    "Granite Bay",
    "Willow Creek",
    "Fairview",
]
_DESCRIPTIONS = [
    "Free legal help with protective orders, custody and immigration for survivors.",
    "Emergency shelter and transitional housing for families with children.",
    "Weekly food pantry with groceries, diapers and baby formula.",
    "Counseling and support groups for trauma, anxiety and depression.",
    "Helps workers recover unpaid wages and report unsafe conditions.",
    "Budget coaching, credit report repair and small business classes.",
    "Affordable child care and after-school programs for working parents.",
    "Ayuda gratis con comida, vivienda y trámites para familias.",
    "Job training, resume help and GED classes for adults.",
    "Medical care, dental care and prenatal visits on a sliding scale.",
]


def _name(rng: random.Random, wild: bool) -> str:
    if wild:  # random letters: a far bigger vocabulary than real names make
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 11)))
        return f"{word.capitalize()} {rng.choice(_PLACES)} {rng.choice(_KINDS)}"
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{word} {rng.choice(_PLACES)} {rng.choice(_KINDS)}"


def synthetic_services(n: int, seed: int = 7, wild: bool = False) -> list[ServiceText]:
    rng = random.Random(seed)
    topics = sorted(ALL_TOPICS)
    return [
        ServiceText(f"svc{i}", (_name(rng, wild), rng.choice(_DESCRIPTIONS)), (rng.choice(topics),)) for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="passes; later ones hit the typo cache")
    parser.add_argument("--wild", action="store_true", help="random-letter names (huge vocabulary)")
    args = parser.parse_args()
    services = synthetic_services(args.services, wild=args.wild)
    started = time.perf_counter()
    matcher = NeedMatcher.from_directory(conversations_dir(), services)
    print(f"built over {len(services):,} services in {time.perf_counter() - started:.2f} s")

    here = Path(__file__).resolve().parent.parent / "tests" / "data"
    queries = [
        (c["text"], c["lang"])
        for f in ("needs-dev.yaml", "needs-extra.yaml")
        for c in yaml.safe_load((here / f).read_text(encoding="utf-8"))
    ]
    rng = random.Random(11)
    wanted: dict[str, str] = {}
    for svc in rng.sample(services, 100):  # service names, half with a typo in the made-up word
        name = svc.texts[0]
        i = rng.randrange(1, name.index(" "))
        text = name if rng.random() < 0.5 else name[:i] + name[i + 1 :]
        queries.append((text, "en"))
        wanted[text] = svc.id
    queries.append(("help " * 1000, "en"))  # a pasted wall of text

    for n in range(args.repeat):
        times: list[float] = []
        found = 0
        for text, lang in queries:
            t0 = time.perf_counter()
            result = matcher.match(text, lang)
            times.append(time.perf_counter() - t0)
            if text in wanted and result.services and result.services[0].id == wanted[text]:
                found += 1
        times.sort()
        p99 = times[int(0.99 * (len(times) - 1))]
        print(
            f"pass {n + 1}: {len(times)} requests: median {1000 * statistics.median(times):.2f} ms, "
            f"p99 {1000 * p99:.2f} ms, max {1000 * times[-1]:.2f} ms; "
            f"service named first for {found}/{len(wanted)} name queries"
        )


if __name__ == "__main__":
    main()
