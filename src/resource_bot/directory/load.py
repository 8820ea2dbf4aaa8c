"""Replace the whole directory in one transaction.

A load either fully succeeds or changes nothing: the files are validated first,
and the delete-and-insert happens inside one database transaction, so a
crash, a kill or an error half-way leaves the previous directory in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from resource_bot.db import create_schema, lift_statement_limit
from resource_bot.directory.entries import OrganizationEntry, Problem, ServiceEntry
from resource_bot.directory.models import (
    DirectoryVersion,
    Location,
    Organization,
    Phone,
    Service,
    ServiceTopic,
)
from resource_bot.directory.validate import validate_paths

#: Rows per INSERT statement: large enough to be fast, small enough for PostgreSQL's parameter limit.
BATCH = 2000


@dataclass(frozen=True)
class LoadResult:
    services: int
    organizations: int
    files: tuple[Path, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _batches(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _rows(
    organizations: Sequence[OrganizationEntry], services: Sequence[ServiceEntry]
) -> dict[type[Any], list[dict[str, Any]]]:
    rows: dict[type[Any], list[dict[str, Any]]] = {
        Organization: [],
        Service: [],
        ServiceTopic: [],
        Phone: [],
        Location: [],
    }
    for org in organizations:
        rows[Organization].append(
            {"id": org.id, "name": org.name, "description": org.description, "website": org.website}
        )
    for position, s in enumerate(services):
        rows[Service].append(
            {
                "id": s.id,
                "organization_id": s.organization,
                "name": s.name,
                "description": s.description,
                "eligibility": s.eligibility,
                "cost": s.cost,
                "application_process": s.application_process,
                "website": s.website,
                "email": s.email,
                "languages": list(s.languages),
                "status": s.status,
                "confidential": s.confidential,
                "area": s.area.to_yaml(),
                "hours": s.hours.to_yaml() if s.hours is not None else None,
                "source_url": s.source_url,
                "last_verified": s.last_verified,
                "source_file": _display_path(s.path),
                "source_line": s.line,
                "position": position,
            }
        )
        for i, topic in enumerate(s.topics):
            rows[ServiceTopic].append({"service_id": s.id, "topic_id": topic, "position": i})
        for i, p in enumerate(s.phones):
            rows[Phone].append(
                {
                    "service_id": s.id,
                    "number": p.number,
                    "kind": p.kind,
                    "keyword": p.keyword,
                    "always_open": p.always_open,
                    "languages": list(p.languages),
                    "note": p.note,
                    "position": i,
                }
            )
        for i, loc in enumerate(s.locations):
            rows[Location].append(
                {
                    "service_id": s.id,
                    "name": loc.name,
                    "street": loc.street,
                    "city": loc.city,
                    "state": loc.state,
                    "zip": loc.zip,
                    "latitude": loc.latitude,
                    "longitude": loc.longitude,
                    "confidential": loc.confidential,
                    "position": i,
                }
            )
    return rows


def files_digest(files: Iterable[Path]) -> str:
    """A digest of the data files' names and bytes: equal digests mean the same directory."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def replace_directory(
    engine: Engine,
    organizations: Sequence[OrganizationEntry],
    services: Sequence[ServiceEntry],
    files: Sequence[Path] = (),
    progress: Callable[[int], None] | None = None,
) -> None:
    """Swap the directory for these entries inside one transaction."""
    create_schema(engine)
    rows = _rows(organizations, services)
    with engine.begin() as connection:
        lift_statement_limit(connection)
        for model in (ServiceTopic, Phone, Location, Service, Organization):
            connection.execute(delete(model))
        for model in (Organization, Service, ServiceTopic, Phone, Location):
            for batch in _batches(rows[model]):
                connection.execute(insert(model), batch)
                if progress and model is Service:
                    progress(len(batch))
        connection.execute(
            insert(DirectoryVersion),
            {
                "loaded_at": dt.datetime.now(dt.UTC),
                "services": len(services),
                "files": "\n".join(_display_path(f) for f in files),
                "digest": files_digest(files),
            },
        )


def load_paths(
    engine: Engine,
    paths: Iterable[Path],
    *,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Validate ``paths`` and, only if every file is right, replace the directory with them."""
    validation = validate_paths(paths, today=today)
    if validation.ok:
        replace_directory(engine, validation.organizations, validation.services, validation.files, progress)
    return LoadResult(
        services=len(validation.services),
        organizations=len(validation.organizations),
        files=tuple(validation.files),
        problems=tuple(validation.problems),
    )


def current_version(engine: Engine) -> DirectoryVersion | None:
    """The last successful load, or None for an empty database."""
    with Session(engine) as session:
        return session.scalars(select(DirectoryVersion).order_by(DirectoryVersion.id.desc()).limit(1)).first()
