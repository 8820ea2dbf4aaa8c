"""Validated directory entries: what a data file says once it is known to be right.

These are plain frozen dataclasses, independent of the database, so that the
loader, the HSDS exporter and the tests can share them.

A service has three shapes, each for its own reader:

- :class:`ServiceEntry` (here): everything a data file says, typed, with the
  file and line it came from; what ``validate`` checks and ``load`` writes.
- :class:`resource_bot.directory.models.Service`: the database row (SQLAlchemy),
  with area and hours as JSON and card text per language.
- :class:`resource_bot.directory.catalog.Listing`: what the running bot keeps in
  memory per service, built from an entry or a row; it leaves out card-only text
  (description, cost, eligibility, how to apply), read when a card is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from resource_bot.directory.hours import WeeklyHours
from resource_bot.directory.service_area import ServiceArea

Translated = dict[str, str]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file, said so that a maintainer can fix it."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        # Line 0 is the file or folder as a whole (one that cannot be read, a folder with no files).
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class MoreProblems(Problem):
    """Stands for the problems past MAX_PROBLEMS, which are counted but not kept."""

    count: int = 0

    def __str__(self) -> str:
        return f"... and {self.count:,} more problem(s) not shown; fix these first, then validate again"


#: Problems kept in full; a huge broken file must not print (or hold in memory) millions of them.
MAX_PROBLEMS = 1000


class Problems(list[Problem]):
    """A list of problems that keeps the first MAX_PROBLEMS and counts the rest in one last entry."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        super().__init__()
        self.limit = limit

    def append(self, problem: Problem) -> None:
        if len(self) < self.limit:
            super().append(problem)
            return
        last = self[-1] if len(self) > self.limit else None
        count = last.count + 1 if isinstance(last, MoreProblems) else 1
        more = MoreProblems(Path("."), 0, "more problems", count)
        if last is None:
            super().append(more)
        else:
            self[-1] = more


def count_problems(problems: Iterable[Problem]) -> int:
    """How many problems there were, those only counted included."""
    return sum(p.count if isinstance(p, MoreProblems) else 1 for p in problems)


@dataclass(frozen=True, slots=True)
class PhoneEntry:
    number: str
    kind: str = "voice"
    keyword: str | None = None
    always_open: bool = False
    languages: tuple[str, ...] = ()
    note: Translated = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LocationEntry:
    name: Translated = field(default_factory=dict)
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    #: A shelter's secret address: only the city is ever shown, and the coordinates are the ZIP's centre.
    confidential: bool = False


@dataclass(frozen=True)
class OrganizationEntry:
    id: str
    name: Translated
    website: str | None = None
    description: Translated = field(default_factory=dict)
    path: Path = Path()
    line: int = 0


@dataclass(frozen=True)
class ServiceEntry:
    """One service as its data file says it; see the module docstring for its other shapes."""

    id: str
    name: Translated
    description: Translated
    topics: tuple[str, ...]
    area: ServiceArea
    source_url: str
    last_verified: dt.date
    organization: str | None = None
    phones: tuple[PhoneEntry, ...] = ()
    website: str | None = None
    email: str | None = None
    languages: tuple[str, ...] = ()
    cost: Translated = field(default_factory=dict)
    eligibility: Translated = field(default_factory=dict)
    application_process: Translated = field(default_factory=dict)
    confidential: bool = False
    status: str = "active"
    hours: WeeklyHours | None = None
    locations: tuple[LocationEntry, ...] = ()
    path: Path = Path()
    line: int = 0


@dataclass
class Validation:
    """Everything read from a set of data files, and everything wrong with them."""

    files: list[Path] = field(default_factory=list)
    organizations: list[OrganizationEntry] = field(default_factory=list)
    services: list[ServiceEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=Problems)

    @property
    def ok(self) -> bool:
        return not self.problems
