"""Map an HSDS package to directory records (plain YAML-ready dicts), noting all that did not map.

Records are built field by field; a field that cannot be used is left out and
noted, a record that cannot stand without it (no name, no topic, no area, no
way to reach it) is skipped and noted. Nothing is invented silently: every
assumption (a source page, a date, a time zone, a topic from the matcher) is
a note for the reviewer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from resource_bot.directory.hsds import extras
from resource_bot.directory.hsds.fields import zip_place
from resource_bot.directory.hsds.reader import Package
from resource_bot.directory.hsds.report import ImportReport, Kind
from resource_bot.directory.hsds.tables import Row
from resource_bot.directory.hsds.taxonomy import TaxonomyMap, Term
from resource_bot.directory.service_area import ServiceArea
from resource_bot.directory.zip_index import Place, place_from_location

#: Topics for a service from its name and description: (topic id, score 0..100) pairs, best first,
#: only those good enough to use. The CLI passes the need matcher's (NeedMatcher.guess_topics);
#: taking a function keeps directory/ from importing the dialog package.
TopicGuesser = Callable[[str, str], Sequence[tuple[str, float]]]

#: Tables the directory has no place for; their rows are listed in the report as not imported.
UNREAD_TABLES = (
    "program",
    "contact",
    "funding",
    "cost_option",
    "required_document",
    "accessibility",
    "organization_identifier",
    "meta_table_description",
)
_READ = {
    "service": {
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees_description",
        "fees",
        "eligibility_description",
        "assured_date",
        "last_modified",
        "keywords",
    },
    "organization": {"id", "name", "description", "website", "uri"},
    "location": {"id", "location_type", "name", "latitude", "longitude", "organization_id"},
    "address": {
        "id",
        "location_id",
        "address_1",
        "address_2",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    },
    "phone": {
        "id",
        "location_id",
        "service_id",
        "organization_id",
        "service_at_location_id",
        "number",
        "extension",
        "type",
        "description",
        "contact_id",
    },
}


@dataclass(frozen=True)
class ImportOptions:
    today: dt.date
    source: str | None = None  # the page to cite for records without a url of their own
    default_area: ServiceArea | None = None  # for services whose area cannot be placed


@dataclass
class Imported:
    organizations: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)


def _text(english: Any, spanish: str | None = None) -> str | dict[str, str] | None:
    en = " ".join(str(english).split()) if english else ""
    if not en:
        return None
    return {"en": en, "es": " ".join(spanish.split())} if spanish and spanish.strip() else en


def slug_id(name: str, hsds_id: str) -> str:
    """A readable, stable id: the name's first words plus a hash of the HSDS id (ids reach deep links)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:23].rstrip("-") or "record"
    return f"{base}-{hashlib.sha1(hsds_id.encode()).hexdigest()[:8]}"


def web_address(value: Any) -> str | None:
    text = str(value or "").strip()
    if text and "://" not in text and "." in text and " " not in text:
        text = "https://" + text
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and "." in parts.netloc and " " not in text else None


class _Index:
    """Rows by id and by linking column, built once per package."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.by_id = {
            table: {str(row["id"]): row for row in rows if "id" in row} for table, rows in package.tables.items()
        }
        self._groups: dict[tuple[str, str], dict[str, list[Row]]] = {}

    def get(self, table: str, row_id: Any) -> Row | None:
        return self.by_id.get(table, {}).get(str(row_id)) if row_id is not None else None

    def children(self, table: str, column: str, value: Any) -> list[Row]:
        key = (table, column)
        if key not in self._groups:
            groups: dict[str, list[Row]] = defaultdict(list)
            for row in self.package.rows(table):
                if row.get(column) is not None:
                    groups[str(row[column])].append(row)
            self._groups[key] = groups
        return self._groups[key].get(str(value), []) if value is not None else []

    def extras(self, row: Row) -> tuple[dict[str, str], list[str]]:
        return extras.read_extras(
            self.children("attribute", "link_id", row.get("id")), self.by_id.get("taxonomy_term", {})
        )

    def foreign_terms(self, row: Row) -> list[Term]:
        found = []
        for attribute in self.children("attribute", "link_id", row.get("id")):
            term = self.get("taxonomy_term", attribute.get("taxonomy_term_id"))
            if term is None:
                continue
            if not extras.is_ours(term):
                taxonomy = self.get("taxonomy", term.get("taxonomy_id")) or {}
                label = str(term.get("taxonomy") or taxonomy.get("name") or "")
                found.append(Term(str(term.get("code") or ""), str(term.get("name") or ""), label))
        return found


class PackageImporter:
    """Turns one package into directory records; see the module docstring."""

    def __init__(
        self, package: Package, options: ImportOptions, taxonomy_map: TaxonomyMap, guess_topics: TopicGuesser | None
    ) -> None:
        self.index = _Index(package)
        self.options = options
        self.map = taxonomy_map
        self.guess_topics = guess_topics
        self.report = ImportReport(package.label)
        self.org_ids: dict[str, str] = {}
        self.used_locations: set[str] = set()
        self.sources: dict[str, int] = defaultdict(int)

    def run(self) -> Imported:
        result = Imported()
        for row in self.index.package.rows("organization"):
            if (org := self.organization(row)) is not None:
                result.organizations.append(org)
        for row in self.index.package.rows("service"):
            if (service := self.service(row)) is not None:
                result.services.append(service)
        self._note_leftovers()
        for label, count in sorted(self.sources.items()):
            if label != "its resource-bot source":
                self.report.add("assumed", "service", "", "source", f"{count} service(s) cite {label}")
        self.report.imported_services = len(result.services)
        self.report.imported_organizations = len(result.organizations)
        return result

    def note(self, kind: Kind, table: str, row: Row, subject: str, reason: str) -> None:
        self.report.add(kind, table, str(row.get("id", "")), subject, reason)

    def unplaced(self, table: str, row: Row, also_read: frozenset[str] = frozenset()) -> None:
        """Note each filled column of ``row`` that the directory has no field for."""
        for column, value in row.items():
            if column not in _READ[table] and column not in also_read and value is not None:
                self.report.unplaced(table, column, str(row.get("id", "")))

    def organization(self, row: Row) -> dict[str, Any] | None:
        fields, _ = self.index.extras(row)
        if fields.get("standalone") == "true":
            return None  # written by our export only because HSDS needs an organization per service
        if not row.get("name") or not row.get("id"):
            self.note("skipped", "organization", row, "record", "no id or no name")
            return None
        org_id = fields.get("id") or slug_id(str(row["name"]), str(row["id"]))
        self.org_ids[str(row["id"])] = org_id
        self.unplaced("organization", row)
        out: dict[str, Any] = {"id": org_id, "name": _text(row["name"], fields.get("name.es"))}
        website = web_address(row.get("website") or row.get("uri"))
        if website:
            out["website"] = website
        elif row.get("website"):
            self.note("dropped", "organization", row, "website", f"{row['website']!r} is not a web address")
        # Our export writes the name where HSDS requires a description and we have none.
        described = row.get("description") if row.get("description") != row["name"] else None
        if (description := _text(described, fields.get("description.es"))) is not None:
            out["description"] = description
        return out

    def service(self, row: Row) -> dict[str, Any] | None:
        from resource_bot.directory.hsds.service_record import ServiceParts

        if not row.get("name") or not row.get("id"):
            self.note("skipped", "service", row, "record", "no id or no name: nothing to show people")
            return None
        return ServiceParts(self, row).build()

    def _note_leftovers(self) -> None:
        for table in UNREAD_TABLES:
            for row in self.index.package.rows(table):
                self.report.unplaced(table, "(whole table)", str(row.get("id", "")))
        for row in self.index.package.rows("location"):
            if str(row.get("id")) not in self.used_locations:
                self.note(
                    "skipped",
                    "location",
                    row,
                    "record",
                    "not linked to any imported service through service_at_location",
                )
        for name in self.index.package.ignored_files:
            self.report.add("skipped", name, "", "file", "not an HSDS 3.0 table")


def location_place(location: dict[str, Any]) -> Place | None:
    """Where an imported location is, from its ZIP or else its coordinates."""
    if location.get("address", {}).get("zip"):
        return zip_place(location["address"]["zip"])
    if location.get("latitude") is not None:
        return place_from_location(location["latitude"], location["longitude"])
    return None
