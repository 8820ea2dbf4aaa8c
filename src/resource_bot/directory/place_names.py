"""Place names from Open Referral data ("Austin, TX", "Harris County", "Texas", "77002") as service areas.

The HSDS importer uses this to turn a service's listed places into an ``area:``; a name it
cannot place for sure (unknown, or the same name in several states) gives None, never a guess.
"""

from __future__ import annotations

import re

from resource_bot.directory.service_area import ServiceArea
from resource_bot.directory.states import STATE_NAMES, plain_name, state_code
from resource_bot.directory.zip_index import ZIP_PATTERN, city_zips, county_key, zip_index


def _split_state(name: str) -> tuple[str, str | None]:
    """ "Austin, TX" -> ("Austin", "TX"); "Harris County Texas" stays whole unless after a comma."""
    head, comma, tail = name.rpartition(",")
    if comma:
        tail = re.sub(r"\s+\d{5}(?:-\d{4})?$", "", tail.strip())  # "Houston, TX 77002"
        code = state_code(tail)
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
    if ZIP_PATTERN.match(text):
        code = text[:5]
        return ServiceArea(national=False, zips=frozenset({code})) if code in zip_index().all_codes else None
    whole = state_code(text)
    if whole:
        return ServiceArea(national=False, states=frozenset({whole}))
    place, in_state = _split_state(text)
    hint = (state or "").strip().upper()
    states = [in_state] if in_state else [hint] if hint in STATE_NAMES else sorted(STATE_NAMES)
    data = zip_index()
    plain = plain_name(place)
    looks_county = county_key(place) != plain or plain.startswith(("county of ", "parish of "))
    city = re.sub(r"^(city|town|village) of ", "", plain)
    counties = [(s, c) for s in states if (c := data.counties.get(s, {}).get(county_key(place)))]
    cities = [zips for s in states if (zips := city_zips().get((s, city)))]
    if looks_county and len(counties) == 1:
        return ServiceArea(national=False, counties=frozenset(counties))
    if not looks_county and len(cities) == 1:
        return ServiceArea(national=False, zips=cities[0])
    if not looks_county and not cities and len(counties) == 1:  # "Travis, TX": a bare county name
        return ServiceArea(national=False, counties=frozenset(counties))
    return None
