"""Validated directory entries: what a data file says once it is known to be right.

These are plain frozen dataclasses, independent of the database, so that the
loader, the HSDS exporter and the tests can share them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Translated = dict[str, str]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file, said so that a maintainer can fix it."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


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
    id: str
    name: Translated
    description: Translated
    topics: tuple[str, ...]
    area: Any
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
    hours: Any = None
    locations: tuple[LocationEntry, ...] = ()
    path: Path = Path()
    line: int = 0


@dataclass
class Validation:
    """Everything read from a set of data files, and everything wrong with them."""

    files: list[Path] = field(default_factory=list)
    organizations: list[OrganizationEntry] = field(default_factory=list)
    services: list[ServiceEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems
