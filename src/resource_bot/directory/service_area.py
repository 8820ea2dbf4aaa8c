"""Where a service helps: its ``area:`` (national, states, counties, ZIP codes or a radius), read and checked.

The format is in data/README.md, "Service areas". A place is covered when any one part covers it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from resource_bot.directory.geo import miles_between
from resource_bot.directory.states import STATE_NAMES, state_code
from resource_bot.directory.zip_index import Place, county_key, nearest_zip_place, zip_index


class AreaError(ValueError):
    """A service area that cannot be used; the message says what to change."""


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
    hint = (state_code(value) if isinstance(value, str) else None) or "TX"
    raise AreaError(f"unknown state {value!r}: use a two-letter postal code like {hint}")


def _county(value: object) -> tuple[str, str]:
    if not (isinstance(value, dict) and isinstance(value.get("county"), str) and "state" in value):
        raise AreaError(f"county {value!r} needs a state and a name, like {{state: TX, county: Harris County}}")
    state = _state(value["state"])
    spelling = zip_index().counties.get(state, {}).get(county_key(value["county"]))
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
    if value.strip() not in zip_index().all_codes:
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
    if nearest_zip_place(lat, lon) is None:
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
