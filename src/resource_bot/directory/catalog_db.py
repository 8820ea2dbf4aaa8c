"""Read the catalog from the database: the loaded directory, with a handful of bulk queries.

Kept apart from :mod:`resource_bot.directory.catalog`, so that what uses the
in-memory catalog (the dialog engine above all) imports no database code: the
catalog gets a :class:`DatabaseCardTexts` to read card-only text when a card
opens, and never learns it is a database.
"""

from __future__ import annotations

import logging
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from resource_bot.directory.catalog import NO_TEXT, CardText, Catalog, Listing, shared_area, shared_hours
from resource_bot.directory.entries import LocationEntry, PhoneEntry, Translated
from resource_bot.directory.models import (
    DirectoryVersion,
    Location,
    Organization,
    Phone,
    Service,
    ServiceTopic,
)

_NO_TEXT = NO_TEXT
log = logging.getLogger(__name__)


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
        columns = (
            Service.id,
            Service.name,
            Service.area,
            Service.website,
            Service.email,
            Service.languages,
            Service.confidential,
            Service.hours,
            Service.organization_id,
            Service.source_url,
            Service.last_verified,
        )
        rows = connection.execute(select(*columns).where(Service.status == "active").order_by(Service.position))
        for row in rows:
            listings.append(
                Listing(
                    id=row.id,
                    name=row.name,
                    topics=tuple(topic_rows.get(row.id, ())),
                    area=shared_area(row.area),
                    phones=tuple(phones.get(row.id, ())),
                    website=row.website,
                    email=row.email,
                    languages=_words(row.languages),
                    confidential=row.confidential,
                    hours=shared_hours(row.hours),
                    locations=tuple(locations.get(row.id, ())),
                    organization=organizations.get(row.organization_id, _NO_TEXT) if row.organization_id else _NO_TEXT,
                    source_url=row.source_url,
                    last_verified=row.last_verified,
                )
            )
    return Catalog(listings, version, DatabaseCardTexts(engine))


class DatabaseCardTexts:
    """Card-only text read from the database when a card opens (see :class:`~resource_bot.directory.catalog.CardTexts`).

    A card opens a few times a second at most, and reading one row by its key
    costs well under a millisecond; keeping every description in memory cost
    tens of megabytes over a large directory.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def card_text(self, service_id: str) -> CardText | None:
        columns = (Service.description, Service.cost, Service.eligibility, Service.application_process)
        try:
            with self.engine.connect() as connection:
                row = connection.execute(select(*columns).where(Service.id == service_id)).first()
        except SQLAlchemyError as exc:  # the card still opens, with what is in memory
            log.warning("card text of %s could not be read: %s", service_id, type(exc).__name__)
            return None
        if row is None:
            return None
        return CardText(
            row.description or _NO_TEXT,
            row.cost or _NO_TEXT,
            row.eligibility or _NO_TEXT,
            row.application_process or _NO_TEXT,
        )

    def descriptions(self) -> Iterator[tuple[str, Translated]]:
        query = select(Service.id, Service.description).where(Service.status == "active").order_by(Service.position)
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                yield row.id, row.description or _NO_TEXT
