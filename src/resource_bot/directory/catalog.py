"""A read-only, in-memory view of the directory, built once per load.

A tap must be answered in milliseconds over tens of thousands of services, so
everything a screen needs is precomputed here when the directory loads: the
services under each topic, national ones apart, local ones bucketed by state
(and radius areas by grid cell) so that a user's area is checked against a few
candidates instead of the whole directory.

Nothing here touches the database (:mod:`resource_bot.directory.catalog_db`
reads the catalog from it), so the dialog engine imports no database code.

Card-only text (a service's description, cost, eligibility, how to apply) is
most of a directory's bytes and is read only when a card is opened, so a
listing does not hold it: the catalog asks its :class:`CardTexts` (the
database, handed in by ``catalog_db``; or a dict, for a catalog built from
entries) for one service's text when its card opens.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from resource_bot.directory import topics
from resource_bot.directory.entries import LocationEntry, PhoneEntry, ServiceEntry, Translated
from resource_bot.directory.geo import LocationGrid, cells_near, miles_between
from resource_bot.directory.hours import WeeklyHours, is_open_at, parse_hours
from resource_bot.directory.service_area import ServiceArea, parse_area
from resource_bot.directory.zip_index import Place, place_from_zip

#: Radius areas are bucketed in a grid of cells this many degrees on a side.
_CELL_DEGREES = 1.0


def pick(text: Translated, lang: str) -> str:
    """The text in ``lang``, else English, else any language it has."""
    return text.get(lang) or text.get("en") or next(iter(text.values()), "")


#: Shared by every service without such a text; never mutated.
NO_TEXT: Translated = {}


@dataclass(frozen=True, slots=True)
class CardText:
    """What only a service's card shows; read when the card opens, not kept per listing."""

    description: Translated = field(default_factory=dict)
    cost: Translated = field(default_factory=dict)
    eligibility: Translated = field(default_factory=dict)
    application_process: Translated = field(default_factory=dict)

    @classmethod
    def of(cls, entry: ServiceEntry) -> CardText:
        return cls(entry.description, entry.cost, entry.eligibility, entry.application_process)


#: A card whose text cannot be read (the database away): the card shows what is in memory.
NO_CARD_TEXT = CardText()


class CardTexts(Protocol):
    """Where a catalog reads card-only text: one service's at a time, or every description once."""

    def card_text(self, service_id: str) -> CardText | None:
        """The service's card text; None when it cannot be read now."""

    def descriptions(self) -> Iterator[tuple[str, Translated]]:
        """(service id, description) for every service, once, to build the matcher's index."""


class TextsInMemory(dict[str, CardText]):
    """Card texts held in a dict: for a catalog built from entries (tests, benchmarks, coverage)."""

    def card_text(self, service_id: str) -> CardText | None:
        return self.get(service_id)

    def descriptions(self) -> Iterator[tuple[str, Translated]]:
        return ((sid, text.description) for sid, text in self.items())


@dataclass(frozen=True, slots=True)
class Listing:
    """One service as the bot keeps it in memory: all a list shows, and a card but its :class:`CardText`.

    Built from a :class:`~resource_bot.directory.entries.ServiceEntry` (:func:`listing_from_entry`)
    or from the database's row (``catalog_db``); see ``entries`` for why both shapes exist.
    """

    id: str
    name: Translated
    topics: tuple[str, ...]
    area: ServiceArea
    phones: tuple[PhoneEntry, ...] = ()
    website: str | None = None
    email: str | None = None
    languages: tuple[str, ...] = ()
    confidential: bool = False
    hours: WeeklyHours | None = None
    locations: tuple[LocationEntry, ...] = ()
    organization: Translated = field(default_factory=dict)
    source_url: str = ""
    last_verified: dt.date = dt.date.min

    @property
    def national(self) -> bool:
        return self.area.national

    def always_open(self) -> bool:
        return bool(self.hours and self.hours.always_open) or any(p.always_open for p in self.phones)

    def open_at(self, now: dt.datetime) -> bool:
        """Open now, or reachable now: 24/7 phones count, unknown hours do not."""
        if self.always_open():
            return True
        return self.hours is not None and is_open_at(self.hours, now)

    def miles_from(self, place: Place) -> float | None:
        distances = [
            miles_between(place.latitude, place.longitude, loc.latitude, loc.longitude)
            for loc in self.locations
            if loc.latitude is not None and loc.longitude is not None
        ]
        if not distances and self.area.radius:
            lat, lon, _ = self.area.radius
            distances.append(miles_between(place.latitude, place.longitude, lat, lon))
        return min(distances) if distances else None


@dataclass(frozen=True, slots=True)
class Found:
    listing: Listing
    miles: float | None


def _reachable(listing: Listing) -> bool:
    """Has a line to call or text (a TTY line alone is not one most people can use)."""
    return any(p.kind in ("voice", "sms", "whatsapp") for p in listing.phones)


class Catalog:
    """Every active service, indexed for the questions screens ask."""

    def __init__(self, listings: Iterable[Listing], version: int | None = None, texts: CardTexts | None = None) -> None:
        self.version = version
        self.texts: CardTexts = TextsInMemory() if texts is None else texts
        self.services: dict[str, Listing] = {}
        self._national: dict[str, list[Listing]] = defaultdict(list)
        self._by_state: dict[str, dict[str, list[Listing]]] = defaultdict(lambda: defaultdict(list))
        self._by_cell: dict[str, LocationGrid[Listing]] = defaultdict(lambda: LocationGrid(_CELL_DEGREES))
        for listing in listings:
            self.services[listing.id] = listing
            if listing.national:
                for topic in self._topics_of(listing):
                    self._national[topic].append(listing)
                continue
            # Where a local service is, worked out once, not once per topic.
            states = self._states_of(listing.area)
            cells = cells_near(*listing.area.radius, _CELL_DEGREES) if listing.area.radius else []
            for topic in self._topics_of(listing):
                for state in states:
                    self._by_state[topic][state].append(listing)
                if cells:
                    self._by_cell[topic].add_to(cells, listing)
        for topic, national in self._national.items():
            # Services whose main topic this is come first; the sort is stable, so file order stays.
            national.sort(key=lambda listing: not topics.within(listing.topics[0], topic))  # noqa: B023
            # A screen leads with a line to call or text now where the directory has one for this very topic;
            # failing that, with any line the screen lists (211 on Food), rather than with a website.
            if national and not _reachable(national[0]):
                lead = next((s for s in national if s.topics[0] == topic and _reachable(s)), None)
                if lead is None:
                    lead = next((s for s in national if _reachable(s)), None)
                if lead is not None:
                    national.remove(lead)
                    national.insert(0, lead)

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[ServiceEntry],
        organizations: Mapping[str, Translated] | None = None,
        version: int | None = None,
    ) -> Catalog:
        """A catalog of ``entries`` (active or not: callers choose), card texts held in memory."""
        texts = TextsInMemory()
        listings = []
        for entry in entries:
            names = organizations.get(entry.organization) if organizations and entry.organization else None
            listings.append(listing_from_entry(entry, names))
            texts[entry.id] = CardText.of(entry)
        return cls(listings, version, texts)

    def card_text(self, service_id: str) -> CardText:
        """A service's card-only text, read now; empty when it cannot be read (the card still shows the rest)."""
        return self.texts.card_text(service_id) or NO_CARD_TEXT

    @staticmethod
    def _topics_of(listing: Listing) -> set[str]:
        """A service shows under each of its topics and their parents."""
        found = set()
        for topic in listing.topics:
            found.add(topic)
            if parent := topics.parent_of(topic):
                found.add(parent)
        return found

    @staticmethod
    def _states_of(area: ServiceArea) -> set[str]:
        states = set(area.states) | {state for state, _ in area.counties}
        for zip_code in area.zips:
            if (place := place_from_zip(zip_code)) and place.state:
                states.add(place.state)
        return states

    def __len__(self) -> int:
        return len(self.services)

    def get(self, service_id: str) -> Listing | None:
        return self.services.get(service_id)

    def national(self, topic: str) -> list[Listing]:
        return self._national.get(topic, [])

    def local(self, topic: str, place: Place) -> list[Found]:
        """Local services under ``topic`` that cover ``place``, nearest first."""
        candidates: dict[str, Listing] = {}
        if place.state:
            for listing in self._by_state.get(topic, {}).get(place.state, []):
                candidates[listing.id] = listing
        radius = self._by_cell.get(topic)
        for listing in radius.at(place.latitude, place.longitude) if radius else ():
            candidates[listing.id] = listing
        found = [
            Found(listing, listing.miles_from(place)) for listing in candidates.values() if listing.area.covers(place)
        ]
        found.sort(key=lambda f: (f.miles is None, f.miles or 0.0))
        return found

    def for_topic(self, topic: str, place: Place | None) -> list[Found]:
        """What a topic screen lists: local services for the user's area and every national one.

        Local services come first, nearest first, since help nearby is what a
        person cannot find elsewhere; on the emergency screen the national
        hotlines (911, 988) come first.
        """
        national = [Found(listing, None) for listing in self.national(topic)]
        local = self.local(topic, place) if place else []
        return national + local if topic == "emergency" else local + national

    def has_local(self, place: Place, topic: str | None = None) -> bool:
        """Whether any local service covers ``place`` (under ``topic``, or under any topic)."""
        return any(self.local(t, place) for t in ((topic,) if topic else topics.TOP_LEVEL))

    def has_services(self, topic: str) -> bool:
        return bool(self._national.get(topic) or self._by_state.get(topic) or self._by_cell.get(topic))


@functools.lru_cache(maxsize=8192)
def _parsed(kind: str, key: str) -> ServiceArea | WeeklyHours:
    value = json.loads(key)
    return parse_area(value) if kind == "area" else parse_hours(value)


def _shared(kind: str, value: object) -> ServiceArea | WeeklyHours:
    """Parse an area or a schedule once per distinct value, so services that share one share the object.

    Services share "TX", a county or "mon-fri 09:00-17:00"; parsing these was
    most of the catalog's build time at 50,000 services, and both results are
    frozen, so sharing them is safe.
    """
    try:
        key = json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return parse_area(value) if kind == "area" else parse_hours(value)
    return _parsed(kind, key)


def shared_area(value: object) -> ServiceArea:
    area = _shared("area", value)
    assert isinstance(area, ServiceArea)
    return area


def shared_hours(value: object) -> WeeklyHours | None:
    if value is None:
        return None
    hours = _shared("hours", value)
    assert isinstance(hours, WeeklyHours)
    return hours


def listing_from_entry(entry: ServiceEntry, organization: Translated | None = None) -> Listing:
    """The in-memory listing of ``entry`` (its card text apart: :meth:`CardText.of`)."""
    return Listing(
        id=entry.id,
        name=entry.name,
        topics=entry.topics,
        area=entry.area,
        phones=entry.phones,
        website=entry.website,
        email=entry.email,
        languages=entry.languages,
        confidential=entry.confidential,
        hours=entry.hours,
        locations=entry.locations,
        organization=organization or {},
        source_url=entry.source_url,
        last_verified=entry.last_verified,
    )
