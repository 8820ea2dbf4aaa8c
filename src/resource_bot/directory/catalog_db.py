"""Read the catalog from the database: the loaded directory, with a handful of bulk queries.

Kept apart from :mod:`resource_bot.directory.catalog`, so that what uses the
in-memory catalog (the dialog engine above all) imports no database code.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Engine, select

from resource_bot.directory.catalog import Catalog, Listing, shared_area, shared_hours
from resource_bot.directory.entries import LocationEntry, PhoneEntry, Translated
from resource_bot.directory.models import (
    DirectoryVersion,
    Location,
    Organization,
    Phone,
    Service,
    ServiceTopic,
)

#: Shared by every listing without such a text; never mutated.
_NO_TEXT: Translated = {}


def _words(values: Iterable[str] | None) -> tuple[str, ...]:
    """Short repeated strings (language codes, topic ids) kept once in memory, not once per row."""
    return tuple(sys.intern(v) for v in values or ())


def read_catalog(engine: Engine) -> Catalog:
    """Build the catalog from the database with a handful of bulk queries."""
    with engine.connect() as connection:
        version = connection.execute(select(DirectoryVersion.id).order_by(DirectoryVersion.id.desc()).limit(1)).scalar()
        organizations = {row.id: row.name for row in connection.execute(select(Organization.id, Organization.name))}
        topic_rows: dict[str, list[str]] = defaultdict(list)
        for t in connection.execute(select(ServiceTopic).order_by(ServiceTopic.service_id, ServiceTopic.position)):
            topic_rows[t.service_id].append(sys.intern(t.topic_id))
        phones: dict[str, list[PhoneEntry]] = defaultdict(list)
        for p in connection.execute(select(Phone).order_by(Phone.service_id, Phone.position)):
            phones[p.service_id].append(
                PhoneEntry(
                    p.number, sys.intern(p.kind), p.keyword, p.always_open, _words(p.languages), p.note or _NO_TEXT
                )
            )
        locations: dict[str, list[LocationEntry]] = defaultdict(list)
        for loc in connection.execute(select(Location).order_by(Location.service_id, Location.position)):
            locations[loc.service_id].append(
                LocationEntry(
                    loc.name or _NO_TEXT,
                    loc.street,
                    sys.intern(loc.city) if loc.city else None,
                    sys.intern(loc.state) if loc.state else None,
                    loc.zip,
                    loc.latitude,
                    loc.longitude,
                    loc.confidential,
                )
            )
        listings = []
        rows = connection.execute(select(Service).where(Service.status == "active").order_by(Service.position))
        for row in rows:
            listings.append(
                Listing(
                    id=row.id,
                    name=row.name,
                    description=row.description,
                    topics=tuple(topic_rows.get(row.id, ())),
                    area=shared_area(row.area),
                    phones=tuple(phones.get(row.id, ())),
                    website=row.website,
                    email=row.email,
                    languages=_words(row.languages),
                    cost=row.cost or _NO_TEXT,
                    eligibility=row.eligibility or _NO_TEXT,
                    application_process=row.application_process or _NO_TEXT,
                    confidential=row.confidential,
                    hours=shared_hours(row.hours),
                    locations=tuple(locations.get(row.id, ())),
                    organization=organizations.get(row.organization_id, _NO_TEXT) if row.organization_id else _NO_TEXT,
                    source_url=row.source_url,
                    last_verified=row.last_verified,
                )
            )
    return Catalog(listings, version)
