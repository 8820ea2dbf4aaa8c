"""Write the validated directory as an HSDS 3.0 tabular data package (CSV files + datapackage.json).

Ids become UUIDs derived from ours, so the same directory always gives the
same package; what HSDS has no column for travels as ``resource-bot``
attributes (see extras.py). The output is a pure function of the entries:
no dates or clocks, so export -> import -> export can be compared byte for byte.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resource_bot.directory import topics
from resource_bot.directory.entries import OrganizationEntry, ServiceEntry, Translated
from resource_bot.directory.formulas import neutralised
from resource_bot.directory.hsds import extras
from resource_bot.directory.hsds.areas import rows_from_area
from resource_bot.directory.hsds.fields import HSDS_PHONE_TYPES, LANGUAGE_NAMES
from resource_bot.directory.hsds.schedules import rows_from_hours
from resource_bot.directory.hsds.tables import COLUMNS, FIELD_TYPES, FILES, HSDS_VERSION, Row, Tables

_TRANSLATED = (
    ("description", "description"),
    ("cost", "fees_description"),
    ("eligibility", "eligibility_description"),
    ("application_process", "application_process"),
)


@dataclass
class Exported:
    tables: Tables = field(default_factory=lambda: {name: [] for name in COLUMNS})
    notes: list[str] = field(default_factory=list)

    def add(self, table: str, row: Row) -> str:
        self.tables[table].append({k: v for k, v in row.items() if v is not None and v != ""})
        return str(row["id"])

    def attribute(self, table: str, record_id: str, code: str, value: str | None = None) -> None:
        kind = "topic" if code.startswith(extras.TOPIC_PREFIX) else "field"
        self.add(
            "attribute",
            {
                "id": extras.hsds_id("attribute", record_id, code),
                "link_id": record_id,
                "taxonomy_term_id": extras.term_id(code),
                "link_type": kind,
                "link_entity": table,
                "value": value,
            },
        )

    def spanish(self, table: str, record_id: str, name: str, text: Translated) -> None:
        if text.get("es"):
            self.attribute(table, record_id, extras.field_code(f"{name}.es"), text["es"])


def build_tables(organizations: list[OrganizationEntry], services: list[ServiceEntry]) -> Exported:
    """Every HSDS row for the directory, in a stable order."""
    out = Exported()
    _taxonomy(out)
    org_uuids: dict[str, str] = {}
    for org in sorted(organizations, key=lambda o: o.id):
        org_uuids[org.id] = _organization(out, org)
    for service in sorted(services, key=lambda s: s.id):
        _service(out, service, org_uuids)
    return out


def _taxonomy(out: Exported) -> None:
    taxonomy = out.add(
        "taxonomy",
        {
            "id": extras.taxonomy_id(),
            "name": extras.TAXONOMY_NAME,
            "version": "1",
            "description": "Need topics and fields of the resource-bot directory.",
        },
    )
    for topic in topics.walk():
        code = extras.topic_code(topic)
        out.add(
            "taxonomy_term",
            {
                "id": extras.term_id(code),
                "code": code,
                "name": topic,
                "taxonomy_id": taxonomy,
                "taxonomy": extras.TAXONOMY_NAME,
                "description": f"Need topic {topic}.",
            },
        )
    for name, description in extras.FIELD_TERMS.items():
        code = extras.field_code(name)
        out.add(
            "taxonomy_term",
            {
                "id": extras.term_id(code),
                "code": code,
                "name": name,
                "taxonomy_id": taxonomy,
                "taxonomy": extras.TAXONOMY_NAME,
                "description": description,
            },
        )


def _organization(out: Exported, org: OrganizationEntry) -> str:
    # HSDS requires a description; the name stands in, and the import drops a description equal to the name.
    org_uuid = out.add(
        "organization",
        {
            "id": extras.hsds_id("organization", org.id),
            "name": org.name["en"],
            "description": org.description.get("en") or org.name["en"],
            "website": org.website,
        },
    )
    out.attribute("organization", org_uuid, extras.field_code("id"), org.id)
    out.spanish("organization", org_uuid, "name", org.name)
    out.spanish("organization", org_uuid, "description", org.description)
    return org_uuid


def _service(out: Exported, service: ServiceEntry, org_uuids: dict[str, str]) -> None:
    org_uuid = org_uuids.get(service.organization or "")
    if org_uuid is None:  # HSDS tabular data needs an organization for every service
        org_uuid = out.add(
            "organization",
            {
                "id": extras.hsds_id("standalone-organization", service.id),
                "name": service.name["en"],
                "description": service.name["en"],
            },
        )
        out.attribute("organization", org_uuid, extras.field_code("standalone"), "true")
    sid = out.add(
        "service",
        {
            "id": extras.hsds_id("service", service.id),
            "organization_id": org_uuid,
            "name": service.name["en"],
            "description": service.description["en"],
            "url": service.website,
            "email": service.email,
            "status": service.status,
            "application_process": service.application_process.get("en"),
            "fees_description": service.cost.get("en"),
            "eligibility_description": service.eligibility.get("en"),
            "assured_date": service.last_verified.isoformat(),
        },
    )
    out.attribute("service", sid, extras.field_code("id"), service.id)
    out.attribute("service", sid, extras.field_code("source"), service.source_url)
    if service.confidential:
        out.attribute("service", sid, extras.field_code("confidential"), "true")
    out.spanish("service", sid, "name", service.name)
    for ours, _ in _TRANSLATED:
        out.spanish("service", sid, ours, getattr(service, ours))
    for topic in service.topics:
        out.attribute("service", sid, extras.topic_code(topic))
    for code in service.languages:
        _language(out, code, service_id=sid)
    _phones(out, service, sid)
    for n, area_row in enumerate(rows_from_area(service.area.to_yaml())):
        out.add(
            "service_area", {"id": extras.hsds_id("service_area", service.id, str(n)), "service_id": sid, **area_row}
        )
    if service.hours is not None:
        for n, (row, zone) in enumerate(rows_from_hours(service.hours.to_yaml())):
            schedule = out.add(
                "schedule", {"id": extras.hsds_id("schedule", service.id, str(n)), "service_id": sid, **row}
            )
            if zone:
                out.attribute("schedule", schedule, extras.field_code("timezone"), zone)
    _locations(out, service, sid)


def _language(out: Exported, code: str, **link: str) -> None:
    owner = next(iter(link.values()))
    out.add(
        "language",
        {"id": extras.hsds_id("language", owner, code), **link, "code": code, "name": LANGUAGE_NAMES.get(code, code)},
    )


def _phones(out: Exported, service: ServiceEntry, sid: str) -> None:
    for n, phone in enumerate(service.phones):
        pid = out.add(
            "phone",
            {
                "id": extras.hsds_id("phone", service.id, str(n)),
                "service_id": sid,
                "number": phone.number,
                "type": HSDS_PHONE_TYPES[phone.kind],
                "description": phone.note.get("en"),
            },
        )
        if phone.kind == "whatsapp":
            out.attribute("phone", pid, extras.field_code("kind"), "whatsapp")
        if phone.keyword:
            out.attribute("phone", pid, extras.field_code("keyword"), phone.keyword)
        if phone.always_open:
            out.attribute("phone", pid, extras.field_code("always_open"), "true")
        out.spanish("phone", pid, "note", phone.note)
        for code in phone.languages:
            _language(out, code, phone_id=pid)


def _locations(out: Exported, service: ServiceEntry, sid: str) -> None:
    for n, loc in enumerate(service.locations):
        if loc.confidential:
            # Open data travels far: a confidential location is left out whole (its city included), and said so.
            out.notes.append(
                f"{service.path}:{service.line}: location {n + 1} of {service.id!r} is confidential "
                "and is left out of the export"
            )
            continue
        lid = out.add(
            "location",
            {
                "id": extras.hsds_id("location", service.id, str(n)),
                "location_type": "physical",
                "name": loc.name.get("en"),
                "latitude": loc.latitude,
                "longitude": loc.longitude,
            },
        )
        out.spanish("location", lid, "name", loc.name)
        out.add(
            "service_at_location",
            {"id": extras.hsds_id("service_at_location", service.id, str(n)), "service_id": sid, "location_id": lid},
        )
        if loc.street and loc.city and loc.state and loc.zip:
            out.add(
                "address",
                {
                    "id": extras.hsds_id("address", service.id, str(n)),
                    "location_id": lid,
                    "address_1": loc.street,
                    "city": loc.city,
                    "state_province": loc.state,
                    "postal_code": loc.zip,
                    "country": "US",
                    "address_type": "physical",
                },
            )
        elif loc.street or loc.city or loc.zip:
            out.notes.append(
                f"{service.path}:{service.line}: location {n + 1} of {service.id!r} has part of an "
                "address; HSDS needs street, city, state and ZIP, so only its coordinates are written"
            )


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula gets a leading quote (see formulas.py)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return neutralised(str(value))


def write_package(exported: Exported, folder: Path) -> list[Path]:
    """The CSV files and datapackage.json; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    resources = []
    for table, columns in COLUMNS.items():
        path = folder / FILES[table]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in exported.tables[table]:
                writer.writerow({k: _cell(v) for k, v in row.items()})
        written.append(path)
        types = FIELD_TYPES.get(table, {})
        resources.append(
            {
                "name": table,
                "path": FILES[table],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "primaryKey": "id",
                    "fields": [{"name": c, "type": types.get(c, "string")} for c in columns],
                },
            }
        )
    descriptor = {
        "name": "resource-bot-directory",
        "title": "resource-bot directory of services",
        "profile": "tabular-data-package",
        "version": HSDS_VERSION,
        "description": "Hotlines and services from the resource-bot directory, as HSDS 3.0.",
        "resources": resources,
    }
    descriptor_path = folder / "datapackage.json"
    descriptor_path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    return [descriptor_path, *written]
