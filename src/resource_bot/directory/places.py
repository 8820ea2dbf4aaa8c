"""Where a user is, and which services cover them.

Everything here works offline from the ``zipcodes`` package, so a user's place
never leaves the process. A shared location is rounded to about a kilometre
before anything else sees it: the bot needs a town, not an address.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import zipcodes

#: USPS codes the directory accepts: 50 states, DC, Puerto Rico and the territories
#: and freely associated states that have ZIP codes. Military "states" (AA, AE, AP) are left out.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    "GU": "Guam",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
    "UM": "U.S. Minor Outlying Islands",
    "FM": "Micronesia",
    "MH": "Marshall Islands",
    "PW": "Palau",
}

#: Farther than this from every ZIP centroid, a location is not somewhere the bot knows.
MAX_MILES_FROM_ZIP = 50.0
_EARTH_MILES = 3958.8
_MILES_PER_DEGREE = 69.09
_CELL = 0.25  # degrees of the location grid; ~17 miles of latitude
_PO_BOX_PENALTY = 1.0 / _MILES_PER_DEGREE  # prefer a street-delivery ZIP at the same spot

_ZIP_RE = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")
_COUNTY_SUFFIXES = ("city and borough", "census area", "municipality", "municipio", "county", "parish", "borough", "co")
_COUNTY_PREFIXES = ("city and borough of ", "municipality of ", "county of ", "parish of ")


class AreaError(ValueError):
    """A service area that cannot be used; the message says what to change."""


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


def _plain(text: str) -> str:
    """Lowercase ASCII with single spaces, "saint" as "st", for forgiving name matching."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace(".", " ")
    text = " ".join(text.replace(",", " ").split())
    return re.sub(r"\bsaint\b", "st", text)


@functools.lru_cache(maxsize=8192)
def county_key(name: str) -> str:
    """A county's name with or without "County", "Parish", "Borough", ... compares equal.

    "city" is kept on purpose: Baltimore city and Baltimore County are different places.
    """
    key = _plain(name)
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


class _ZipData:
    """Every ZIP once, as Places, plus the indexes the lookups need. Built on first use."""

    def __init__(self) -> None:
        rows = _rows()
        zone_votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for _, _, _, _, state, county, zone, _, _ in rows:
            if "/" in zone:
                zone_votes[state, county][zone] += 1
        self.all_codes: frozenset[str] = frozenset(row[0] for row in rows)
        self.by_zip: dict[str, Place] = {}
        self.grid: dict[tuple[int, int], list[tuple[float, float, float, Place]]] = defaultdict(list)
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
                self.grid[_cell_of(lat, lon)].append((lat, lon, penalty, place))
        for (state, county), _ in spellings.most_common():
            self.counties[state].setdefault(county_key(county), county)
        self.max_abs_lat = max(abs(p.latitude) for p in self.by_zip.values())


@functools.cache
def _data() -> _ZipData:
    return _ZipData()


@functools.cache
def _cities() -> dict[tuple[str, str], frozenset[str]]:
    """(state, plain city name) -> its ZIPs; only the importer needs this, so it is built apart."""
    plain: dict[str, str] = {}
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for place in _data().by_zip.values():
        if place.city and place.state and place.zip:
            name = plain.get(place.city) or plain.setdefault(place.city, _plain(place.city))
            found[place.state, name].add(place.zip)
    return {key: frozenset(zips) for key, zips in found.items()}


def preload() -> None:
    """Build the ZIP indexes now (about a second), e.g. at startup, instead of on the first user."""
    _data()


def _cell_of(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _CELL), math.floor(lon / _CELL) % round(360 / _CELL)


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_MILES * math.asin(min(1.0, math.sqrt(h)))


def place_from_zip(text: str) -> Place | None:
    """The place of a five-digit ZIP (ZIP+4 accepted), or None when it is not a real ZIP."""
    match = _ZIP_RE.match(text.strip()) if isinstance(text, str) else None
    return _data().by_zip.get(match.group(1)) if match else None


def _nearest(lat: float, lon: float) -> Place | None:
    """The ZIP centroid nearest to a point, searching grid rings outwards until none can be nearer.

    Distances inside the search are equirectangular degrees around ``lat``; at
    50 miles that picks the same ZIP as haversine would, at a fraction of the cost.
    """
    data = _data()
    if abs(lat) > data.max_abs_lat + 1.0:
        return None
    squash = max(math.cos(math.radians(lat)), 0.01)
    reach = 1.2 * MAX_MILES_FROM_ZIP / _MILES_PER_DEGREE  # margin for the flat-earth estimate
    row0, col0 = _cell_of(lat, lon)
    cols = round(360 / _CELL)
    best, best_place = math.inf, None
    ring = 0
    while (ring - 1) * _CELL * squash <= min(best, reach):
        for row in range(row0 - ring, row0 + ring + 1):
            edge = row in (row0 - ring, row0 + ring)
            for col in range(col0 - ring, col0 + ring + 1) if edge else (col0 - ring, col0 + ring):
                for zlat, zlon, penalty, place in data.grid.get((row, col % cols), ()):
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
    near = _nearest(lat, lon)
    if near is None:
        return None
    return Place(near.zip, lat, lon, near.city, near.state, near.county, near.timezone)


@dataclass(frozen=True)
class ServiceArea:
    """Where a service helps; a place is covered when any one part covers it."""

    national: bool
    states: frozenset[str] = frozenset()
    counties: frozenset[tuple[str, str]] = frozenset()
    zips: frozenset[str] = frozenset()
    radius: tuple[float, float, float] | None = None
    _county_keys: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = frozenset((state.upper(), county_key(county)) for state, county in self.counties)
        object.__setattr__(self, "_county_keys", keys)

    @property
    def is_national(self) -> bool:
        return self.national

    def covers(self, place: Place) -> bool:
        if self.national or (place.state is not None and place.state in self.states):
            return True
        if place.zip is not None and place.zip in self.zips:
            return True
        if place.county and place.state and (place.state, county_key(place.county)) in self._county_keys:
            return True
        if self.radius is not None:
            lat, lon, miles = self.radius
            return miles_between(place.latitude, place.longitude, lat, lon) <= miles
        return False

    def to_yaml(self) -> str | dict[str, object]:
        """The data/README.md form, in plain types that also survive a JSON column."""
        if self.national:
            return "national"
        out: dict[str, object] = {}
        if self.states:
            out["states"] = sorted(self.states)
        if self.counties:
            out["counties"] = [{"state": s, "county": c} for s, c in sorted(self.counties)]
        if self.zips:
            out["zips"] = sorted(self.zips)
        if self.radius is not None:
            lat, lon, miles = self.radius
            out["radius"] = {"latitude": lat, "longitude": lon, "miles": miles}
        return out


NATIONAL = ServiceArea(national=True)
_MISSING = "area is missing: write `area: national` or list states, counties, zips or a radius"
_NAME_TO_CODE = {_plain(name): code for code, name in STATE_NAMES.items()}


def _listed(area: dict[object, object], key: str) -> list[object]:
    """The entries under ``key``; a lone entry is read as a list of one."""
    if key not in area:
        return []
    value = area[key]
    if isinstance(value, (str, dict)):
        return [value]
    if isinstance(value, (list, tuple)) and value:
        return list(value)
    if isinstance(value, (list, tuple)):
        raise AreaError(f"area {key} is empty: list at least one, or remove `{key}:`")
    raise AreaError(f"area {key} must be a list, like {key}: [...]")


def _state(value: object) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    if text in STATE_NAMES:
        return text
    code = _NAME_TO_CODE.get(_plain(value)) if isinstance(value, str) else None
    hint = code or "TX"
    raise AreaError(f"unknown state {value!r}: use a two-letter postal code like {hint}")


def _county(value: object) -> tuple[str, str]:
    if not (isinstance(value, dict) and isinstance(value.get("county"), str) and "state" in value):
        raise AreaError(f"county {value!r} needs a state and a name, like {{state: TX, county: Harris County}}")
    state = _state(value["state"])
    spelling = _data().counties.get(state, {}).get(county_key(value["county"]))
    if spelling is None:
        raise AreaError(
            f"unknown county {value['county']!r} in {state}: "
            f"spell it as the zipcodes package does, like Harris County or Orleans Parish"
        )
    return state, spelling


def _zip(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise AreaError(f'ZIP code {value} must be in quotes, like "{value:05d}"')
    if not (isinstance(value, str) and re.fullmatch(r"\d{5}", value.strip())):
        raise AreaError(f'ZIP code {value!r} must be five digits in quotes, like "77002"')
    if value.strip() not in _data().all_codes:
        raise AreaError(f"unknown ZIP code {value!r}: check it on the USPS site or remove it")
    return value.strip()


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _radius(value: object) -> tuple[float, float, float]:
    if not isinstance(value, dict):
        raise AreaError("radius needs latitude, longitude and miles")
    lat, lon, miles = (_number(value.get(k)) for k in ("latitude", "longitude", "miles"))
    if lat is None or lon is None or miles is None or set(value) - {"latitude", "longitude", "miles"}:
        raise AreaError("radius needs latitude, longitude and miles")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise AreaError(f"radius center {lat}, {lon} is not on Earth: latitude is -90..90, longitude -180..180")
    if miles <= 0:
        raise AreaError(f"radius miles must be more than 0, not {miles}")
    if _nearest(lat, lon) is None:
        raise AreaError(
            f"radius center {lat}, {lon} is not in the United States: "
            "check the numbers (mainland US longitudes are negative)"
        )
    return lat, lon, miles


def parse_area(value: object) -> ServiceArea:
    """Read and check a service's ``area:`` (see data/README.md, "Service areas")."""
    if isinstance(value, ServiceArea):
        return value
    if value is None or value == {} or (isinstance(value, str) and not value.strip()):
        raise AreaError(_MISSING)
    if isinstance(value, str):
        if value.strip().casefold() == "national":
            return NATIONAL
        raise AreaError(
            f"area {value!r} is not understood: write `area: national` or a mapping of states, counties, zips or radius"
        )
    if not isinstance(value, dict):
        raise AreaError(f"area must be `national` or a mapping, not {type(value).__name__}")
    unknown = sorted(str(k) for k in value if k not in ("states", "counties", "zips", "radius"))
    if unknown:
        raise AreaError(f"unknown area key {unknown[0]!r}: use states, counties, zips or radius")
    states = frozenset(_state(s) for s in _listed(value, "states"))
    counties = frozenset(_county(c) for c in _listed(value, "counties"))
    zips = frozenset(_zip(z) for z in _listed(value, "zips"))
    radius = _radius(value["radius"]) if "radius" in value else None
    return ServiceArea(national=False, states=states, counties=counties, zips=zips, radius=radius)


def _split_state(name: str) -> tuple[str, str | None]:
    """ "Austin, TX" -> ("Austin", "TX"); "Harris County Texas" stays whole unless after a comma."""
    head, comma, tail = name.rpartition(",")
    if comma:
        tail = re.sub(r"\s+\d{5}(?:-\d{4})?$", "", tail.strip())  # "Houston, TX 77002"
        code = tail.upper() if tail.upper() in STATE_NAMES else _NAME_TO_CODE.get(_plain(tail))
        if code:
            return head.strip(), code
    words = name.split()
    if len(words) > 1 and words[-1] in STATE_NAMES:  # "Austin TX", upper case only
        return " ".join(words[:-1]), words[-1]
    return name.strip(), None


def resolve_place_name(name: str, state: str | None = None) -> ServiceArea | None:
    """Turn a place name from Open Referral data into an area, or None when unknown or ambiguous.

    A state name or code is a state, a county is a county, a city is all of its
    ZIPs. Without a state (in the name or ``state``) a county or city must be
    unique across the country, or the answer is None rather than a guess.
    """
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        return None
    if _ZIP_RE.match(text):
        code = text[:5]
        return ServiceArea(national=False, zips=frozenset({code})) if code in _data().all_codes else None
    whole = text.upper() if text.upper() in STATE_NAMES else _NAME_TO_CODE.get(_plain(text))
    if whole:
        return ServiceArea(national=False, states=frozenset({whole}))
    place, in_state = _split_state(text)
    hint = (state or "").strip().upper()
    states = [in_state] if in_state else [hint] if hint in STATE_NAMES else sorted(STATE_NAMES)
    data = _data()
    plain = _plain(place)
    looks_county = county_key(place) != plain or plain.startswith(("county of ", "parish of "))
    city = re.sub(r"^(city|town|village) of ", "", plain)
    counties = [(s, c) for s in states if (c := data.counties.get(s, {}).get(county_key(place)))]
    cities = [zips for s in states if (zips := _cities().get((s, city)))]
    if looks_county and len(counties) == 1:
        return ServiceArea(national=False, counties=frozenset(counties))
    if not looks_county and len(cities) == 1:
        return ServiceArea(national=False, zips=cities[0])
    if not looks_county and not cities and len(counties) == 1:  # "Travis, TX": a bare county name
        return ServiceArea(national=False, counties=frozenset(counties))
    return None
