"""Write imported records as reviewable YAML files, then prove them with the real validator.

One file per organization keeps a review small. The mapper already checks
each field; the validator runs afterwards as a backstop, and any service it
still refuses is taken out and reported, so the folder always validates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from resource_bot.directory.hsds.importer import Imported
from resource_bot.directory.hsds.report import ImportReport
from resource_bot.directory.validate import validate_paths

UNAFFILIATED = "services"
_MAX_ROUNDS = 5


@dataclass
class _Span:
    path: Path
    first: int
    last: int
    record: dict[str, Any]
    kind: str  # "service" or "organization"


def _dump(item: dict[str, Any]) -> str:
    return yaml.safe_dump([item], sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def _file_name(org_id: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_-]", "-", org_id) or UNAFFILIATED
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return f"{name}.yaml"


def _write(imported: Imported, folder: Path, header: str) -> list[_Span]:
    by_org: dict[str | None, list[dict[str, Any]]] = {}
    for service in imported.services:
        by_org.setdefault(service.get("organization"), []).append(service)
    spans: list[_Span] = []
    taken: set[str] = set()
    groups: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = [
        (org["id"], [org], by_org.pop(org["id"], [])) for org in imported.organizations
    ]
    if by_org.get(None):
        groups.append((UNAFFILIATED, [], by_org.pop(None)))
    for org_id, orgs, services in groups:
        path = folder / _file_name(org_id, taken)
        lines = header.splitlines()
        for key, items in (("organizations", orgs), ("services", services)):
            if not items:
                continue
            lines.append(f"{key}:")
            for item in items:
                chunk = _dump(item).splitlines()
                spans.append(_Span(path, len(lines) + 1, len(lines) + len(chunk), item, key[:-1]))
                lines.extend(chunk)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spans


def write_yaml(imported: Imported, folder: Path, report: ImportReport, today: dt.date) -> list[Path]:
    """Write the records under ``folder`` so that ``resource-bot validate folder`` passes; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Imported from the HSDS package {report.label!r} on {today} by `resource-bot import-hsds`.\n"
        "# Review every entry against its source page before it joins data/; see import-report.txt.\n"
    )
    written: set[Path] = set()
    for _ in range(_MAX_ROUNDS):
        for old in written:
            old.unlink(missing_ok=True)
        spans = _write(imported, folder, header)
        written = {span.path for span in spans}
        if not written:
            break  # nothing could be imported; the report says why
        result = validate_paths(sorted(written), today=today)
        if result.ok:
            break
        refused: dict[int, str] = {}
        for problem in result.problems:
            span = next((s for s in spans if s.path == problem.path and s.first <= problem.line <= s.last), None)
            if span is not None:
                refused.setdefault(id(span.record), f"{span.kind} {span.record['id']}: {problem.message}")
        if not refused:
            raise RuntimeError(f"imported YAML does not validate: {result.problems[0]}")
        for reason in refused.values():
            report.add("skipped", "validation", "", reason.split(":", 1)[0], reason.split(":", 1)[1].strip())
        imported.services = [s for s in imported.services if id(s) not in refused]
        kept_orgs = [o for o in imported.organizations if id(o) not in refused]
        dropped_orgs = {o["id"] for o in imported.organizations} - {o["id"] for o in kept_orgs}
        imported.organizations = kept_orgs
        for service in imported.services:
            if service.get("organization") in dropped_orgs:
                del service["organization"]
    report.imported_services = len(imported.services)
    report.imported_organizations = len(imported.organizations)
    report.files_written = [str(p) for p in sorted(written)]
    return sorted(written)
