"""Service areas to and from HSDS service_area rows.

HSDS names an area in free text ("Harris County", "Austin, TX", "Statewide")
and may add a GeoJSON extent. The bot filters on states, counties, ZIPs and
one radius, so each name is resolved with ``resolve_place_name``; a name it
cannot place is reported, never stretched into a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from resource_bot.directory.hsds.report import Kind
from resource_bot.directory.hsds.tables import Row
from resource_bot.directory.place_names import resolve_place_name
from resource_bot.directory.service_area import ServiceArea
from resource_bot.directory.states import STATE_NAMES

_NATIONAL = frozenset(
    {
        "united states",
        "united states of america",
        "usa",
        "us",
        "u.s.",
        "u.s.a.",
        "nationwide",
        "national",
        "all states",
        "all 50 states",
    }
)
_STATEWIDE = re.compile(r"^(?:statewide|state ?wide|all of|entire state of)\s*", re.IGNORECASE)
RADIUS_PROPERTY = "radius_miles"

Notify = Callable[[Kind, str, str], None]


def _radius(row: Row) -> tuple[float, float, float] | None:
    """A GeoJSON Point (or Feature) with a radius_miles property, as our export writes it."""
    if str(row.get("extent_type") or "").casefold() != "geojson" or not row.get("extent"):
        return None
    try:
        shape = json.loads(str(row["extent"]))
    except json.JSONDecodeError:
        return None
    props = shape.get("properties") or {} if isinstance(shape, dict) else {}
    geometry = shape.get("geometry", shape) if isinstance(shape, dict) else {}
    if not isinstance(geometry, dict) or geometry.get("type") != "Point" or RADIUS_PROPERTY not in props:
        return None
    lon, lat = geometry["coordinates"][:2]
    return float(lat), float(lon), float(props[RADIUS_PROPERTY])


def _names(text: str) -> list[str]:
    whole = " ".join(text.split())
    return [whole] + [part.strip() for part in re.split(r"[;|\n]", text) if part.strip() and part.strip() != whole]


def area_from_rows(rows: list[Row], state_hint: str | None, notify: Notify) -> ServiceArea | None:
    """The union of every area the rows name; None when none of them could be placed."""
    states: set[str] = set()
    counties: set[tuple[str, str]] = set()
    zips: set[str] = set()
    radius: tuple[float, float, float] | None = None
    national = False
    for row in rows:
        subject = f"service_area {row.get('id', '')}"
        circle = _radius(row)
        if circle is not None:
            if radius is not None:
                notify("dropped", subject, "a second radius: the directory holds one per service")
            radius = radius or circle
            continue
        if row.get("extent"):
            notify(
                "dropped", subject, f"extent of type {row.get('extent_type')!r} is not read; the name is used instead"
            )
        text = str(row.get("name") or "").strip()
        if not text:
            notify("dropped", subject, "no name to place (free-text description is not read as a place)")
            continue
        plain = _STATEWIDE.sub("", text.casefold()).strip(" .")
        if plain in _NATIONAL:
            national = True
            continue
        found = _place(text, state_hint)
        if found is None:
            notify(
                "dropped",
                subject,
                f"could not place {text!r} in the US: name a state, a county with "
                "its state ('Harris County, TX'), a city ('Austin, TX') or a ZIP",
            )
            continue
        area, used_hint = found
        if used_hint:
            notify("assumed", subject, f"{text!r} read as being in {state_hint}, the state of its locations")
        states |= area.states
        counties |= area.counties
        zips |= area.zips
    if national:
        return ServiceArea(national=True)
    if not (states or counties or zips or radius):
        return None
    return ServiceArea(
        national=False, states=frozenset(states), counties=frozenset(counties), zips=frozenset(zips), radius=radius
    )


def _place(text: str, state_hint: str | None) -> tuple[ServiceArea, bool] | None:
    """Resolve a name, first on its own, then in the hint state, then part by part."""
    found = resolve_place_name(text)
    if found is not None:
        return found, False
    if state_hint:
        found = resolve_place_name(text, state_hint)
        if found is not None:
            return found, True
    parts = [resolve_place_name(part, state_hint) for part in _names(text)[1:]]
    if parts and all(part is not None for part in parts):
        merged = ServiceArea(national=False)
        for part in parts:
            assert part is not None
            merged = ServiceArea(
                national=False,
                states=merged.states | part.states,
                counties=merged.counties | part.counties,
                zips=merged.zips | part.zips,
            )
        return merged, state_hint is not None
    return None


def rows_from_area(area: Any) -> list[Row]:
    """service_area rows (without ids) for a data/README.md ``area`` value."""
    if area == "national":
        return [{"name": "United States", "description": "Nationwide"}]
    rows: list[Row] = [{"name": STATE_NAMES[code], "description": "State"} for code in area.get("states", [])]
    rows += [
        {"name": f"{item['county']}, {item['state']}", "description": "County"} for item in area.get("counties", [])
    ]
    rows += [{"name": code, "description": "ZIP code"} for code in area.get("zips", [])]
    if "radius" in area:
        circle = area["radius"]
        shape = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [circle["longitude"], circle["latitude"]]},
            "properties": {RADIUS_PROPERTY: circle["miles"]},
        }
        rows.append(
            {
                "name": f"Within {circle['miles']:g} miles of {circle['latitude']}, {circle['longitude']}",
                "description": "Radius",
                "extent": json.dumps(shape, separators=(",", ":")),
                "extent_type": "geojson",
            }
        )
    return rows
