"""A directory swapped in while worker threads answer people: each reply comes from one directory, whole.

Every test directory here is one generation of the same made-up service: its id
and its name carry the generation number, so a reply that mixed the catalog of
one generation with the matcher or the link keys of another would show two
numbers, or none where one is due.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from resource_bot import runtime as runtime_module
from resource_bot.config import load_settings
from resource_bot.db import make_engine as open_database
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.danger import DangerDetector
from resource_bot.dialog.deeplink import DeepLink, build_payload, service_key
from resource_bot.dialog.engine import Engine, service_texts
from resource_bot.dialog.events import Event, Press, Reply, Start, Text
from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import CardText, Catalog, Listing, TextsInMemory
from resource_bot.directory.catalog_db import read_catalog
from resource_bot.directory.entries import PhoneEntry
from resource_bot.directory.load import load_paths
from resource_bot.directory.service_area import NATIONAL
from resource_bot.matching import fuzzy
from resource_bot.matching.fuzzy import FuzzyVocab
from resource_bot.matching.keywords import load_keyword_dir
from resource_bot.matching.need_matcher import NeedMatcher
from resource_bot.paths import conversations_dir
from resource_bot.runtime import Runtime

FIXTURES = Path(__file__).parent / "fixtures"
GENERATIONS = range(1, 7)
SWAPS = 300
WORKERS = 8
NAME = "Zephyr Quill Line"
#: Typed words the vocabularies do not hold: each is a fuzzy lookup, remembered in the typo cache.
TYPOS = ("zephir", "quil", "zefyr", "lyne", "qwill", "zaphyr", "quell", "zepher", "linne", "quilt")


def generation(number: int) -> tuple[Catalog, NeedMatcher]:
    listing = Listing(
        id=f"zephyr-{number}",
        name={"en": f"{NAME}, generation {number}"},
        topics=("legal",),
        area=NATIONAL,
        phones=(PhoneEntry("713-555-0101"),),
        source_url="https://example.org/zephyr",
        last_verified=dt.date(2026, 1, 15),
    )
    catalog = Catalog(
        [listing],
        version=number,
        texts=TextsInMemory({listing.id: CardText({"en": "A made-up legal line for tests."})}),
    )
    phrases, ordinary = load_keyword_dir(conversations_dir() / "keywords")
    return catalog, NeedMatcher(phrases, service_texts(catalog), ordinary_words=ordinary)


def generations_in(reply: Reply) -> set[int]:
    shown = " ".join([reply.text, *(button.label for button in reply.all_buttons())])
    return {int(n) for n in re.findall(r"generation (\d+)", shown)}


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Threads take turns far more often than usual, so that a swap lands in the middle of replies."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_replies_never_mix_two_directories_while_another_thread_swaps_them(
    menus: Menus, danger: DangerDetector, busy_switching: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tiny typo cache: threads typing the same few typos hit and evict each other's entries all the time.
    monkeypatch.setattr(fuzzy, "FUZZY_CACHE_SIZE", 4)
    directories = [generation(number) for number in GENERATIONS]
    engine = Engine(menus, *directories[0], danger)
    swapping = threading.Event()
    swapping.set()
    problems: list[str] = []
    seen: set[int] = set()

    def swap() -> None:
        try:
            for i in range(SWAPS):
                engine.use_catalog(*directories[i % len(directories)])
        finally:
            swapping.clear()

    def answer(worker: int) -> None:
        rng = random.Random(worker)
        while swapping.is_set():
            number = rng.choice(GENERATIONS)
            typo = " ".join(rng.sample(TYPOS, 3))
            # (event, must it show the service?)
            events: list[tuple[Event, bool]] = [
                (Text(NAME.lower()), True),  # the matcher finds the id, the catalog names it
                (Text(typo), False),
                (Press("t:legal"), True),
                (Press(f"s:zephyr-{number}"), False),  # a card if that generation is current
                (Start(build_payload(DeepLink(service=service_key(f"zephyr-{number}")))), False),
            ]
            for event, must_show in events:
                try:
                    outcome, _ = engine.handle(ChatState(), event)
                except Exception as exc:  # any exception is a failure to report
                    problems.append(f"{event}: {type(exc).__name__}: {exc}")
                    continue
                shown = set().union(*(generations_in(reply) for reply in outcome.replies))
                seen.update(shown)
                if len(shown) > 1 or (must_show and not shown):
                    problems.append(f"{event}: generations {sorted(shown)}")

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(WORKERS)]
    threads.append(threading.Thread(target=swap))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert len(seen) > 1  # the swaps really happened while people were being answered


def test_the_typo_cache_answers_right_while_threads_hit_and_evict_it(
    busy_switching: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fuzzy, "FUZZY_CACHE_SIZE", 2)
    words = ("harbor", "legal", "shelter", "housing")
    typos = ("harbr", "legl", "shelterr", "housng", "hrbor")
    alone = FuzzyVocab(words, first_letter_buckets=False, prefixes=False)
    expected = {typo: alone.lookup(typo) for typo in typos}
    shared = FuzzyVocab(words, first_letter_buckets=False, prefixes=False)
    problems: list[str] = []

    def look(worker: int) -> None:
        rng = random.Random(worker)
        for _ in range(20_000):
            typo = rng.choice(typos)
            try:
                found = shared.lookup(typo)
            except Exception as exc:  # any exception is a failure to report
                problems.append(f"{typo}: {type(exc).__name__}: {exc}")
                return
            if found != expected[typo]:
                problems.append(f"{typo}: {found} instead of {expected[typo]}")

    threads = [threading.Thread(target=look, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []


def _directory_named(tmp_path: Path, name: str) -> Path:
    """The fictional test directory with its Houston shelter renamed: a new directory version to load."""
    folder = tmp_path / name / "tests"  # fictional 555-01xx numbers need a tests/ path
    folder.mkdir(parents=True)
    text = (FIXTURES / "directory" / "local.yaml").read_text(encoding="utf-8")
    (folder / "local.yaml").write_text(text.replace("Test Harris Shelter", name), encoding="utf-8")
    return folder


def housing_in_houston(runtime: Runtime) -> str:
    outcome, _ = runtime.dialog.handle(ChatState(zip="77002"), Press("t:housing"))
    return outcome.replies[0].text


@pytest.fixture
def runtime(tmp_path: Path, make_engine: Callable[..., Engine]) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    database = open_database(url)
    assert load_paths(database, [_directory_named(tmp_path, "First Shelter")]).ok
    settings = load_settings({"DATABASE_URL": url, "RESOURCE_BOT_HOME": str(tmp_path)})
    yield Runtime(settings, database, make_engine(read_catalog(database)))
    database.dispose()


def test_one_thread_rebuilds_a_new_directory_while_the_others_answer_from_the_one_they_have(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "First Shelter" in housing_in_houston(runtime)
    assert load_paths(runtime.db, [_directory_named(tmp_path, "Second Shelter")]).ok  # another process's load
    monkeypatch.setattr(runtime_module, "REFRESH_SECONDS", 0.0)  # every update checks
    reading, finish = threading.Event(), threading.Event()
    reads: list[object] = []

    def slow_read(database: object) -> Catalog:
        """The rebuild, held open until the other workers have had their turn."""
        reads.append(database)
        if len(reads) == 1:
            reading.set()
            assert finish.wait(timeout=60)
        return read_catalog(runtime.db)

    monkeypatch.setattr(runtime_module, "read_catalog", slow_read)
    rebuilt: list[bool] = []
    rebuilder = threading.Thread(target=lambda: rebuilt.append(runtime.refresh_if_changed()))
    rebuilder.start()
    assert reading.wait(timeout=60)
    others = [runtime.refresh_if_changed() for _ in range(5)]
    during = housing_in_houston(runtime)
    finish.set()
    rebuilder.join()
    assert others == [False] * 5  # they did not wait for the rebuild, nor start one of their own
    assert "First Shelter" in during
    assert rebuilt == [True] and len(reads) == 1
    assert "Second Shelter" in housing_in_houston(runtime)
    assert runtime.refresh_if_changed() is False  # nothing new since
