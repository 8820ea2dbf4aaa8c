"""Maintainers' reports: stale entries, open listing reports, anonymous counts.

Plain functions that return data and text lines, so that the CLI and the
Telegram admin commands show the same thing. Entries are read from the YAML
files, not the database: that is where a maintainer fixes them, by file:line.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import Engine, select

from resource_bot.clock import utc_today
from resource_bot.directory.entries import Problem
from resource_bot.directory.models import Service
from resource_bot.directory.validate import validate_paths
from resource_bot.feedback import Report, list_reports
from resource_bot.flyer import BRAND, BRAND_LIGHT, INK, MUTED, RULE, font
from resource_bot.stats import FEWER, KINDS, MIN_SHOWN, read_counts, shown, shown_total, visible


def display_path(path: Path) -> str:
    """Relative to the current folder when inside it, so editors and CI logs can jump there."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _today(today: dt.date | None) -> dt.date:
    return today or utc_today()


# --- stale entries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleEntry:
    service_id: str
    name: str
    path: Path
    line: int
    verified: dt.date
    age_days: int

    def __str__(self) -> str:
        return (
            f"{display_path(self.path)}:{self.line}: {self.service_id} ({self.name}) "
            f"last verified {self.verified}, {self.age_days} days ago"
        )


@dataclass(frozen=True)
class StaleReport:
    entries: list[StaleEntry]
    #: Entries with problems cannot be dated; the maintainer should run validate.
    problems: list[Problem]


def stale_entries(paths: Iterable[Path], *, days: int = 180, today: dt.date | None = None) -> StaleReport:
    """Entries whose ``verified`` date is more than ``days`` old, oldest (worst) first."""
    today = _today(today)
    validation = validate_paths(paths, today=today)
    cutoff = today - dt.timedelta(days=days)
    stale = [
        StaleEntry(s.id, s.name.get("en", s.id), s.path, s.line, s.last_verified, (today - s.last_verified).days)
        for s in validation.services
        if s.last_verified < cutoff
    ]
    stale.sort(key=lambda e: (e.verified, str(e.path), e.line))
    return StaleReport(stale, list(validation.problems))


# --- listing reports -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingReports:
    """Every report about one listing, with where to fix it."""

    service_id: str
    name: str
    where: str
    reports: list[Report] = field(default_factory=list)

    @property
    def open(self) -> list[Report]:
        return [r for r in self.reports if r.done_on is None]

    def lines(self) -> list[str]:
        head = f"{self.service_id} ({self.name}) at {self.where}: {len(self.open)} open of {len(self.reports)}"
        ids: dict[str, list[str]] = defaultdict(list)
        for report in self.reports:
            ids[report.reason].append(f"#{report.id}" + (" done" if report.done_on else ""))
        counts = Counter(r.reason for r in self.reports)
        body = [f"  {reason} x{n}: {', '.join(ids[reason])}" for reason, n in counts.most_common()]
        newest = max(r.reported_on for r in self.reports)
        return [head, *body, f"  last report {newest}"]


def feedback_by_listing(engine: Engine, *, include_done: bool = False) -> list[ListingReports]:
    """Reports grouped per listing, most open reports first; names and file:line of the loaded directory."""
    grouped: dict[str, list[Report]] = defaultdict(list)
    for report in list_reports(engine, include_done=include_done):
        grouped[report.service_id].append(report)
    with engine.connect() as connection:
        listed = connection.execute(
            select(Service.id, Service.name, Service.source_file, Service.source_line).where(
                Service.id.in_(list(grouped))
            )
        )
        known = {row.id: row for row in listed}
    result = []
    for service_id, reports in grouped.items():
        row = known.get(service_id)
        name = row.name.get("en", service_id) if row else "no longer in the directory"
        where = f"{row.source_file}:{row.source_line}" if row else "-"
        result.append(ListingReports(service_id, name, where, reports))
    result.sort(key=lambda g: (-len(g.open), -len(g.reports), g.service_id))
    return result


# --- anonymous counts ------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsSummary:
    first: dt.date
    last: dt.date
    #: kind -> [(value, count)], biggest first; kinds in stats.KINDS order.
    totals: dict[str, list[tuple[str, int]]]
    #: kind -> one count per day from first to last, zeros included.
    daily: dict[str, list[int]]

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def summarize(engine: Engine, *, days: int = 30, today: dt.date | None = None) -> StatsSummary:
    last = _today(today)
    first = last - dt.timedelta(days=days - 1)
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    daily: dict[str, list[int]] = {}
    for row in read_counts(engine, first):
        if row.day > last:
            continue
        totals[row.kind][row.value] += row.count
        daily.setdefault(row.kind, [0] * days)[(row.day - first).days] += row.count
    order = [k for k in KINDS if k in totals] + sorted(set(totals) - set(KINDS))
    return StatsSummary(
        first,
        last,
        {k: sorted(totals[k].items(), key=lambda vc: (-vc[1], vc[0])) for k in order},
        {k: daily[k] for k in order},
    )


_BARS = " ▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    top = max(values, default=0)
    return "".join(_BARS[0 if not v else max(1, round(v / top * 8))] for v in values) if top else ""


def stats_lines(summary: StatsSummary, *, top: int = 10) -> list[str]:
    """A totals table by kind then value, then one per-day line for each kind.

    Counts too small to be anonymous read "fewer than 5"; a total that would give one
    away reads "about N"; the per-day lines leave out days with fewer than 5.
    """
    span = f"{summary.first} to {summary.last} ({len(summary.days)} days)"
    if not summary.totals:
        return [f"No counts from {span}."]
    width = max(len(v) for rows in summary.totals.values() for v, _ in rows[:top])
    width = max(width, len("value"), len(f"({top} more)"))
    column = max(len("count"), len(FEWER), len("about 100000"))
    lines = [f"Anonymous counts, {span}", "", f"{'kind':<12} {'value':<{width}} {'count':>{column}}"]
    for kind, rows in summary.totals.items():
        for i, (value, count) in enumerate(rows[:top]):
            lines.append(f"{kind if i == 0 else '':<12} {value:<{width}} {shown(count):>{column}}")
        if len(rows) > top:
            rest = [c for _, c in rows[top:]]
            more = f"({len(rows) - top} more)"
            lines.append(f"{'':<12} {more:<{width}} {shown_total(sum(rest), rest):>{column}}")
        counts = [c for _, c in rows]
        lines.append(f"{'':<12} {'total':<{width}} {shown_total(sum(counts), counts):>{column}}")
    lines += ["", f"Per day, {summary.first} to {summary.last} (days with fewer than {MIN_SHOWN} left blank):"]
    for kind, series in summary.daily.items():
        days = visible(series)
        busiest = max(range(len(days)), key=lambda i: days[i])
        peak = f"busiest {summary.days[busiest]} ({days[busiest]})" if days[busiest] else f"no day with {MIN_SHOWN}+"
        lines.append(f"{kind:<12} {sparkline(days) or ' ' * len(days)}  {peak}")
    return lines


def draw_stats_chart(summary: StatsSummary, path: Path) -> None:
    """One strip of daily bars per kind, with its total and top values: the month at a glance."""
    kinds = list(summary.daily) or ["none"]
    width, left, row_h, top_pad = 1800, 330, 190, 150
    image = Image.new("RGB", (width, top_pad + row_h * len(kinds) + 70), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 36), "resource-bot: anonymous counts per day", font=font("bold", 44), fill=BRAND)
    draw.text((40, 94), f"{summary.first} to {summary.last}", font=font("regular", 30), fill=MUTED)
    days = summary.days
    slot = (width - left - 40) / len(days)
    for row, kind in enumerate(kinds):
        y0 = top_pad + row * row_h
        base = y0 + row_h - 50
        counts = summary.daily.get(kind, [0] * len(days))
        series = visible(counts)  # days with fewer than 5 are drawn as nothing
        peak = max(series, default=0) or 1
        draw.rectangle((left, y0 + 10, width - 40, base), fill=BRAND_LIGHT if row % 2 == 0 else (246, 249, 250))
        draw.text((40, y0 + 20), kind, font=font("bold", 34), fill=INK)
        draw.text((40, y0 + 66), f"total {shown_total(sum(counts), counts)}", font=font("regular", 28), fill=MUTED)
        leaders = ", ".join(v for v, _ in summary.totals.get(kind, [])[:3] if v != "1")  # "1": a plain tally
        draw.text((40, y0 + 102), leaders[:22], font=font("regular", 24), fill=MUTED)
        for i, value in enumerate(series):
            if value:
                x = left + i * slot
                height = (base - y0 - 56) * value / peak  # headroom for the "max" label
                draw.rectangle((x + slot * 0.15, base - height, x + slot * 0.85, base), fill=BRAND)
        draw.text(
            (width - 40, y0 + 14),
            f"max {max(series, default=0)}",
            font=font("regular", 24),
            fill=MUTED,
            anchor="ra",
        )
        draw.line((left, base, width - 40, base), fill=RULE, width=2)
    axis_y = top_pad + row_h * len(kinds) - 40
    for i in (0, len(days) // 2, len(days) - 1):
        draw.text(
            (left + (i + 0.5) * slot, axis_y),
            days[i].strftime("%b %d"),
            font=font("regular", 26),
            fill=MUTED,
            anchor="ma",
        )
    if not summary.daily:
        draw.text((left + 20, top_pad + 60), "No counts in this period.", font=font("regular", 34), fill=MUTED)
    image.save(path, "PNG", optimize=True)
