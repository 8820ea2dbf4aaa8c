"""Where a user is: every US ZIP code as a place, found by its code or from a shared location.

Everything here works offline from the ``zipcodes`` package, so a user's place
never leaves the process. A shared location is rounded to about a kilometre
before anything else sees it: the bot needs a town, not an address.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import zipcodes

from resource_bot.directory.geo import MILES_PER_DEGREE, LocationGrid, miles_between
from resource_bot.directory.states import plain_name

#: Farther than this from every ZIP centroid, a location is not somewhere the bot knows.
MAX_MILES_FROM_ZIP = 50.0
#: Degrees of the ZIP grid; ~17 miles of latitude.
_CELL = 0.25
_PO_BOX_PENALTY = 1.0 / MILES_PER_DEGREE  # prefer a street-delivery ZIP at the same spot

#: A five-digit ZIP code, ZIP+4 accepted.
ZIP_PATTERN = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")
_COUNTY_SUFFIXES = ("city and borough", "census area", "municipality", "municipio", "county", "parish", "borough", "co")
_COUNTY_PREFIXES = ("city and borough of ", "municipality of ", "county of ", "parish of ")


@dataclass(frozen=True, slots=True)
class Place:
    zip: str | None
    latitude: float
    longitude: float
    city: str | None
    state: str | None
    county: str | None
    timezone: str | None

    @property
    def label(self) -> str:
        """What the bot shows back to the user: "Houston, TX 77002"."""
        head = ", ".join(part for part in (self.city, self.state) if part)
        text = " ".join(part for part in (head, self.zip) if part)
        return text or f"{self.latitude:.2f}, {self.longitude:.2f}"


@functools.lru_cache(maxsize=8192)
def county_key(name: str) -> str:
    """A county's name with or without "County", "Parish", "Borough", ... compares equal.

    "city" is kept on purpose: Baltimore city and Baltimore County are different places.
    """
    key = plain_name(name)
    for prefix in _COUNTY_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
    for suffix in _COUNTY_SUFFIXES:
        if key.endswith(" " + suffix):
            return key[: -len(suffix) - 1]
    return key


_Row = tuple[str, str, bool, str, str, str, str, float, float]


def _rows() -> list[_Row]:
    """Every ZIP as a small tuple, fetched a leading digit at a time.

    ``zipcodes.list_all()`` would be one call, but it keeps all 42,000 dicts
    (~90 MB) cached for the life of the process; ten uncached prefix queries
    cost about the same time and peak at a tenth of the memory.
    """
    rows: list[_Row] = []
    for digit in "0123456789":
        found: list[dict[str, Any]] = zipcodes.similar_to(digit)  # type: ignore[no-untyped-call]
        rows.extend(
            (
                r["zip_code"],
                sys.intern(r["zip_code_type"]),
                bool(r["active"]),
                sys.intern(r["city"]),
                sys.intern(r["state"]),
                sys.intern(r["county"]),
                sys.intern(r["timezone"]),
                float(r["lat"]),
                float(r["long"]),
            )
            for r in found
        )
    return rows


class ZipIndex:
    """Every ZIP once, as Places, plus the indexes the lookups need. Built on first use."""

    def __init__(self) -> None:
        rows = _rows()
        zone_votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for _, _, _, _, state, county, zone, _, _ in rows:
            if "/" in zone:
                zone_votes[state, county][zone] += 1
        self.all_codes: frozenset[str] = frozenset(row[0] for row in rows)
        self.by_zip: dict[str, Place] = {}
        #: (latitude, longitude, distance penalty, place) of every active street or PO box ZIP.
        self.grid: LocationGrid[tuple[float, float, float, Place]] = LocationGrid(_CELL)
        self.counties: dict[str, dict[str, str]] = defaultdict(dict)  # state -> county_key -> spelling
        spellings: Counter[tuple[str, str]] = Counter()
        for code, kind, active, city, state, county, zone, lat, lon in rows:
            if kind == "MILITARY" or (lat == 0 and lon == 0):
                continue  # APO/FPO codes name a post office abroad, not a place
            if "/" not in zone:  # the data has a few bad values, like "Napakiak"
                votes = zone_votes.get((state, county))
                zone = votes.most_common(1)[0][0] if votes else ""
            place = Place(code, lat, lon, city or None, state or None, county or None, zone or None)
            self.by_zip[code] = place
            if county:
                spellings[state, county] += 1
            if active and kind in ("STANDARD", "PO BOX"):
                penalty = _PO_BOX_PENALTY if kind == "PO BOX" else 0.0
                self.grid.add(lat, lon, (lat, lon, penalty, place))
        for (state, county), _ in spellings.most_common():
            self.counties[state].setdefault(county_key(county), county)
        self.max_abs_lat = max(abs(p.latitude) for p in self.by_zip.values())


@functools.cache
def zip_index() -> ZipIndex:
    """The ZIP index, built on first use (about a second)."""
    return ZipIndex()


@functools.cache
def city_zips() -> dict[tuple[str, str], frozenset[str]]:
    """(state, plain city name) -> its ZIPs; only the importer needs this, so it is built apart."""
    plain: dict[str, str] = {}
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for place in zip_index().by_zip.values():
        if place.city and place.state and place.zip:
            name = plain.get(place.city) or plain.setdefault(place.city, plain_name(place.city))
            found[place.state, name].add(place.zip)
    return {key: frozenset(zips) for key, zips in found.items()}


def preload() -> None:
    """Build the ZIP indexes now (about a second), e.g. at startup, instead of on the first user."""
    zip_index()


def place_from_zip(text: str) -> Place | None:
    """The place of a five-digit ZIP (ZIP+4 accepted), or None when it is not a real ZIP."""
    match = ZIP_PATTERN.match(text.strip()) if isinstance(text, str) else None
    return zip_index().by_zip.get(match.group(1)) if match else None


def nearest_zip_place(lat: float, lon: float) -> Place | None:
    """The ZIP centroid nearest to a point, searching grid rings outwards until none can be nearer.

    Distances inside the search are equirectangular degrees around ``lat``; at
    50 miles that picks the same ZIP as haversine would, at a fraction of the cost.
    """
    data = zip_index()
    if abs(lat) > data.max_abs_lat + 1.0:
        return None
    squash = max(math.cos(math.radians(lat)), 0.01)
    reach = 1.2 * MAX_MILES_FROM_ZIP / MILES_PER_DEGREE  # margin for the flat-earth estimate
    center = data.grid.cell(lat, lon)
    best, best_place = math.inf, None
    ring = 0
    while (ring - 1) * _CELL * squash <= min(best, reach):
        for zlat, zlon, penalty, place in data.grid.ring(center, ring):
            dlon = (zlon - lon + 180.0) % 360.0 - 180.0
            dist = math.hypot(zlat - lat, dlon * squash) + penalty
            if dist < best:
                best, best_place = dist, place
        ring += 1
        if ring * _CELL * squash > 180:
            break
    if best_place is None:
        return None
    if miles_between(lat, lon, best_place.latitude, best_place.longitude) > MAX_MILES_FROM_ZIP:
        return None
    return best_place


def place_from_location(latitude: float, longitude: float) -> Place | None:
    """The town around a shared location, keeping only the location rounded to ~1 km.

    The ZIP is the nearest ZIP centroid's, so near a ZIP boundary it may be the
    neighbour's; city, county and time zone are right far more often than that.
    """
    try:
        lat, lon = round(float(latitude), 2), round(float(longitude), 2)
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    near = nearest_zip_place(lat, lon)
    if near is None:
        return None
    return Place(near.zip, lat, lon, near.city, near.state, near.county, near.timezone)
