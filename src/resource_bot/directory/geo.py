"""Points on the map: the distance between two, and a grid that finds what is near one.

The grid is what both location lookups use: ZIP centroids (the ZIP nearest to a shared
location) and services with a radius area (which radius services may cover a person).
It buckets items by cells of whole latitude and longitude steps; columns wrap around the
180th meridian, so the Aleutians and Guam are neighbours of what lies across it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Generic, TypeVar

EARTH_MILES = 3958.8
MILES_PER_DEGREE = 69.09  # of latitude, anywhere; of longitude at the equator

Cell = tuple[int, int]
T = TypeVar("T")


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MILES * math.asin(min(1.0, math.sqrt(h)))


def cells_near(latitude: float, longitude: float, miles: float, degrees: float) -> list[Cell]:
    """The cells of a grid of ``degrees`` with a point within ``miles`` of the given one (and a cell more, for safety).

    Worked out once for an item that goes into several grids of the same cell size.
    """
    columns = round(360 / degrees)
    reach = miles / MILES_PER_DEGREE + degrees
    lon_reach = reach / max(math.cos(math.radians(latitude)), 0.05)
    rows = range(math.floor((latitude - reach) / degrees), math.floor((latitude + reach) / degrees) + 1)
    first = math.floor((longitude - lon_reach) / degrees)
    last = min(math.floor((longitude + lon_reach) / degrees), first + columns - 1)
    wrapped = sorted({c % columns for c in range(first, last + 1)})
    return [(row, column) for row in rows for column in wrapped]


class LocationGrid(Generic[T]):
    """Items by grid cell of ``degrees`` on a side; an item may sit in one cell or in all a circle touches."""

    def __init__(self, degrees: float) -> None:
        self.degrees = degrees
        self.columns = round(360 / degrees)
        self._cells: dict[Cell, list[T]] = {}

    def cell(self, latitude: float, longitude: float) -> Cell:
        """The cell a point is in."""
        return math.floor(latitude / self.degrees), math.floor(longitude / self.degrees) % self.columns

    def cells_near(self, latitude: float, longitude: float, miles: float) -> list[Cell]:
        """Every cell with a point within ``miles`` of the given one: see :func:`cells_near`."""
        return cells_near(latitude, longitude, miles, self.degrees)

    def add(self, latitude: float, longitude: float, item: T) -> None:
        """Put ``item`` in the cell of its point."""
        self._cells.setdefault(self.cell(latitude, longitude), []).append(item)

    def add_to(self, cells: Iterable[Cell], item: T) -> None:
        """Put ``item`` in each of ``cells`` (from :meth:`cells_near`, worked out once for many grids)."""
        for cell in cells:
            self._cells.setdefault(cell, []).append(item)

    def at(self, latitude: float, longitude: float) -> Sequence[T]:
        """The items in the cell of a point."""
        return self._cells.get(self.cell(latitude, longitude), ())

    def ring(self, center: Cell, distance: int) -> Iterator[T]:
        """The items in the cells exactly ``distance`` cells from ``center`` (the edge of a square)."""
        row0, col0 = center
        for row in range(row0 - distance, row0 + distance + 1):
            edge = row in (row0 - distance, row0 + distance)
            for col in range(col0 - distance, col0 + distance + 1) if edge else (col0 - distance, col0 + distance):
                yield from self._cells.get((row, col % self.columns), ())

    def __bool__(self) -> bool:
        return bool(self._cells)

    def __iter__(self) -> Iterator[T]:
        """Every item once per cell it is in."""
        for items in self._cells.values():
            yield from items
