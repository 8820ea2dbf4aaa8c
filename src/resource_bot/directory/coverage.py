"""What the directory holds, state by state and topic by topic, so maintainers see the gaps.

National services count in every state; local ones count in each state their
area or locations reach. A cell with no local service is a place where the
bot can offer only national lines and 211, and says so to the person asking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resource_bot.directory import topics
from resource_bot.directory.catalog import Listing
from resource_bot.directory.states import STATE_NAMES
from resource_bot.directory.zip_index import place_from_location, place_from_zip

#: The rows of the table: states, DC and the territories (the freely associated states have few ZIPs
#: and no listings to expect, but they are US postal codes the directory accepts, so they are shown too).
STATES: tuple[str, ...] = tuple(STATE_NAMES)


@dataclass(frozen=True)
class Coverage:
    #: Active national services under each top-level topic (a service counts once per topic).
    national: Counter[str]
    #: Active local services under each (state, top-level topic).
    local: Counter[tuple[str, str]]

    def gaps(self, states: Sequence[str] = STATES) -> int:
        """State-topic cells with no local service."""
        return sum(1 for state in states for topic in topics.TOP_LEVEL if not self.local[state, topic])


def _top_topics(listing: Listing) -> set[str]:
    return {topics.parent_of(t) or t for t in listing.topics}


def states_reached(listing: Listing) -> set[str]:
    """The states a local service's area or locations reach."""
    area = listing.area
    found = set(area.states) | {state for state, _ in area.counties}
    found |= {p.state for z in area.zips if (p := place_from_zip(z)) and p.state}
    if area.radius and (centre := place_from_location(area.radius[0], area.radius[1])) and centre.state:
        found.add(centre.state)
    found |= {loc.state for loc in listing.locations if loc.state}
    return found


def coverage_of(listings: Iterable[Listing]) -> Coverage:
    national: Counter[str] = Counter()
    local: Counter[tuple[str, str]] = Counter()
    for listing in listings:
        tops = _top_topics(listing)
        if listing.national:
            national.update(tops)
            continue
        for state in states_reached(listing):
            local.update((state, topic) for topic in tops)
    return Coverage(national, local)


def format_table(coverage: Coverage, states: Sequence[str] = STATES) -> str:
    """A plain-text table: a row of national counts, then one row per state with its local counts."""
    heads = list(topics.TOP_LEVEL)
    widths = [max(len(h), 3) for h in heads]
    first = max(len("national"), 5)

    def row(label: str, cells: Iterable[object]) -> str:
        return "  ".join([label.ljust(first)] + [str(c).rjust(w) for c, w in zip(cells, widths, strict=True)])

    lines = [
        row("", heads),
        row("national", (coverage.national[t] for t in heads)),
        "-" * len(row("", heads)),
    ]
    for state in states:
        lines.append(row(state, (coverage.local[state, t] or "." for t in heads)))
    total = len(states) * len(heads)
    lines.append("")
    lines.append(
        "National services show in every state. Numbers by a state are local services there; "
        f'"." marks a gap. {coverage.gaps(states)} of {total} state-topic cells have no local listing.'
    )
    return "\n".join(lines)
