"""One HSDS service, with its phones, locations, schedules and areas, as one directory record."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from resource_bot.directory.field_checks import EMAIL_PATTERN
from resource_bot.directory.hsds.areas import area_from_rows
from resource_bot.directory.hsds.fields import (
    PHONE_TYPES,
    US_COUNTRIES,
    coordinates,
    date_of,
    language_code,
    phone_number,
    state_code,
    zip_place,
)
from resource_bot.directory.hsds.report import Kind
from resource_bot.directory.hsds.schedules import hours_from_rows
from resource_bot.directory.hsds.tables import Row
from resource_bot.directory.service_area import ServiceArea

if TYPE_CHECKING:
    from resource_bot.directory.hsds.importer import PackageImporter

_STATUSES = {"active": "active", "inactive": "inactive", "defunct": "defunct", "temporarily closed": "inactive"}
_TEXTS = (
    ("description", "description"),
    ("cost", "fees_description"),
    ("eligibility", "eligibility_description"),
    ("application_process", "application_process"),
)
#: The need matcher gives a topic only when the taxonomy gave none, and only its best one:
#: a wrong topic puts a service in front of the wrong people; the others go in the report.
MATCHER_TOPICS = 1


def _unique(rows: list[Row]) -> list[Row]:
    """Rows reached through two links (service and service_at_location) count once."""
    return list({str(row.get("id", id(row))): row for row in rows}.values())


#: location_type values that mark a secret address (proposals in the open HSDS issues, not yet standard).
CONFIDENTIAL_TYPES = frozenset({"confidential", "private"})


class ServiceParts:
    """Builds one record; every field it leaves out or fills in becomes a report note."""

    def __init__(self, importer: PackageImporter, row: Row) -> None:
        from resource_bot.directory.hsds.importer import slug_id

        self.importer = importer
        self.index = importer.index
        self.row = row
        self.fields, self.own_topics = self.index.extras(row)
        self.id = self.fields.get("id") or slug_id(str(row["name"]), str(row["id"]))

    def note(self, kind: Kind, subject: str, reason: str) -> None:
        self.importer.note(kind, "service", self.row, subject, reason)

    def skip(self, reason: str) -> None:
        self.note("skipped", "record", reason)

    def build(self) -> dict[str, Any] | None:
        from resource_bot.directory.hsds.importer import _text, web_address

        row = self.row
        self.importer.unplaced("service", row)
        out: dict[str, Any] = {"id": self.id}
        org = self.importer.org_ids.get(str(row.get("organization_id")))
        if org:
            out["organization"] = org
        out["name"] = _text(row["name"], self.fields.get("name.es"))
        for key, column in _TEXTS:
            english = row.get(column) or (row.get("fees") if key == "cost" else None)
            if (value := _text(english, self.fields.get(f"{key}.es"))) is not None:
                out[key] = value
        if "description" not in out:
            out["description"] = out["name"]
            self.note("assumed", "description", "blank; the name stands in for it: write one or two sentences")
        topics = self.topics()
        if not topics:
            self.skip("no need topic: map one of its taxonomy terms in taxonomy_map.yaml")
            return None
        out["topics"] = topics
        out["phones"] = self.phones()
        website = web_address(row.get("url"))
        if row.get("url") and website is None:
            self.note("dropped", "url", f"{row['url']!r} is not a web address")
        if website:
            out["website"] = website
        if not out["phones"] and not website:
            self.skip("no usable phone and no website: nobody could reach it")
            return None
        if row.get("email"):
            if EMAIL_PATTERN.match(str(row["email"])):
                out["email"] = str(row["email"])
            else:
                self.note("dropped", "email", f"{row['email']!r} is not an e-mail address")
        if languages := self.languages(self.index.children("language", "service_id", row["id"])):
            out["languages"] = languages
        if self.fields.get("confidential") == "true":
            out["confidential"] = True
        out["status"] = self.status()
        locations = self.locations()
        area = self.area(locations)
        if area is None:
            self.skip("no service area the bot can filter on: fix its service_areas names or pass --area")
            return None
        out["area"] = area.to_yaml()
        if (hours := self.hours(locations)) is not None:
            out["hours"] = hours
        if locations:
            out["locations"] = locations
        source = self.source(website)
        if source is None:
            self.skip("no page to cite as `source`: give it a url or pass --source")
            return None
        out["source"] = source
        out["verified"] = self.verified()
        if not out["phones"]:
            del out["phones"]
        return out

    def topics(self) -> list[str]:
        if self.own_topics:
            return list(dict.fromkeys(self.own_topics))
        found: list[str] = []
        for term in self.index.foreign_terms(self.row):
            mapped = self.importer.map.topics_for(term)
            if mapped is None:
                self.note("dropped", "taxonomy term", f"{term.label} has no mapping in taxonomy_map.yaml")
            found.extend(mapped or ())
        if self.row.get("keywords"):
            found.extend(self.importer.map.keyword_topics(str(self.row["keywords"])))
        if not found and self.importer.guess_topics is not None:
            scored = self.importer.guess_topics(str(self.row["name"]), str(self.row.get("description") or ""))
            picked = scored[:MATCHER_TOPICS]
            if picked:
                shown = ", ".join(f"{topic} ({score:.0f})" for topic, score in picked)
                others = ", ".join(f"{topic} ({score:.0f})" for topic, score in scored[MATCHER_TOPICS:])
                self.note(
                    "assumed",
                    "topics",
                    f"guessed by the need matcher from name and description: {shown}"
                    + (f"; it also suggested {others}" if others else ""),
                )
            found = [topic for topic, _ in picked]
        return list(dict.fromkeys(found))

    def phones(self) -> list[dict[str, Any]]:
        from resource_bot.directory.hsds.importer import _text

        rows = list(self.index.children("phone", "service_id", self.row["id"]))
        for link in self.index.children("service_at_location", "service_id", self.row["id"]):
            rows += self.index.children("phone", "service_at_location_id", link.get("id"))
            rows += self.index.children("phone", "location_id", link.get("location_id"))
        rows = _unique(rows)
        out: list[dict[str, Any]] = []
        seen: set[str] = set()  # kind, number and SMS keyword (HOME and AYUDA to 741741 are two lines)
        for phone in rows:
            self.importer.unplaced("phone", phone)
            extra, _ = self.index.extras(phone)
            subject = f"phone {phone.get('id', '')}"
            hsds_type = str(phone.get("type") or "voice").casefold()
            kind = extra.get("kind") or PHONE_TYPES.get(hsds_type, "voice")
            if kind is None:
                self.note("dropped", subject, f"type {hsds_type}: the directory lists numbers people can call or text")
                continue
            number, why = phone_number(str(phone.get("number") or ""), kind)
            if number is None:
                self.note("dropped", subject, why or "no number")
                continue
            keyword = extra.get("keyword") if kind == "sms" else None
            line = " ".join(p for p in (kind, number, keyword) if p)
            if line in seen:
                self.note("dropped", subject, f"{line} is listed twice")
                continue
            seen.add(line)
            item: dict[str, Any] = {"number": number}
            if kind != "voice":
                item["kind"] = kind
            if keyword:
                item["keyword"] = keyword
            if extra.get("always_open") == "true":
                item["always_open"] = True
            if languages := self.languages(self.index.children("language", "phone_id", phone.get("id"))):
                item["languages"] = languages
            note = " ".join(
                p
                for p in (
                    str(phone.get("description") or ""),
                    f"ext. {phone['extension']}" if phone.get("extension") else "",
                )
                if p
            )
            if (text := _text(note, extra.get("note.es"))) is not None:
                item["note"] = text
            out.append(item)
        return out

    def languages(self, rows: list[Row]) -> list[str]:
        codes: list[str] = []
        for row in rows:
            code = language_code(row.get("code"), row.get("name"))
            if code is None:
                self.note(
                    "dropped",
                    f"language {row.get('id', '')}",
                    f"{row.get('code') or row.get('name')!r} is not a language code or name we know",
                )
            elif code not in codes:
                codes.append(code)
        return codes

    def status(self) -> str:
        raw = str(self.row.get("status") or "active").casefold()
        status = _STATUSES.get(raw)
        if status is None or raw == "temporarily closed":
            self.note("assumed", "status", f"{raw!r} read as inactive: it will not be shown")
            return "inactive"
        return status

    def locations(self) -> list[dict[str, Any]]:
        out = []
        for link in self.index.children("service_at_location", "service_id", self.row["id"]):
            location = self.index.get("location", link.get("location_id"))
            if location is None:
                self.note(
                    "dropped",
                    f"service_at_location {link.get('id', '')}",
                    f"location {link.get('location_id')!r} is not in the package",
                )
                continue
            self.importer.used_locations.add(str(location["id"]))
            if (item := self.location(location)) is not None:
                out.append(item)
        return out

    def location(self, location: Row) -> dict[str, Any] | None:
        from resource_bot.directory.hsds.importer import _text

        subject = f"location {location['id']}"
        self.importer.unplaced("location", location)
        kind = str(location.get("location_type") or "physical").casefold()
        extra, _ = self.index.extras(location)
        # HSDS 3.0 has no field for a secret address (openreferral/specification#166, #487 are open);
        # our attribute, or a location_type of "confidential" or "private", marks one.
        confidential = kind in CONFIDENTIAL_TYPES or extra.get("confidential", "").casefold() == "true"
        if kind != "physical" and not confidential:
            self.note("dropped", subject, f"a {location.get('location_type')} location is not a place to go")
            return None
        item: dict[str, Any] = {}
        if (name := _text(location.get("name"), extra.get("name.es"))) is not None:
            item["name"] = name
        addresses = self.index.children("address", "location_id", location["id"])
        address = next((a for a in addresses if a.get("address_type") == "physical"), None) or (
            addresses[0] if addresses else None
        )
        if address is not None:
            self.importer.unplaced("address", address)
            if str(address.get("country") or "US").casefold() not in US_COUNTRIES:
                self.note("dropped", subject, f"address in country {address.get('country')!r}: US places only")
                return None
            state = state_code(address.get("state_province"))
            if address.get("state_province") and state is None:
                self.note("dropped", subject, f"state {address['state_province']!r} is not a US state")
                return None
            parts = {
                "street": " ".join(str(address[k]) for k in ("address_1", "address_2") if address.get(k)),
                "city": address.get("city"),
                "state": state,
            }
            postal = str(address.get("postal_code") or "")[:5]
            if postal and zip_place(postal) is None:
                self.note("dropped", f"{subject} postal_code", f"{address['postal_code']!r} is not a US ZIP code")
            elif postal:
                parts["zip"] = postal
            item["address"] = {k: v for k, v in parts.items() if v}
        if location.get("latitude") is not None or location.get("longitude") is not None:
            found = coordinates(location.get("latitude"), location.get("longitude"))
            if found is None:
                self.note(
                    "dropped",
                    f"{subject} coordinates",
                    f"{location.get('latitude')}, {location.get('longitude')} are not near any US ZIP",
                )
            else:
                item["latitude"], item["longitude"] = found
        if not item.get("address") and "latitude" not in item:
            self.note("dropped", subject, "no US address and no usable coordinates")
            return None
        if confidential:
            return self.confidential(item, subject)
        return item

    def confidential(self, item: dict[str, Any], subject: str) -> dict[str, Any] | None:
        """Only the city, state and ZIP of a secret address are written; the street and coordinates never are."""
        address = {k: v for k, v in item.get("address", {}).items() if k != "street"}
        if "zip" not in address:
            self.note("dropped", subject, "confidential, with no ZIP code to place it by; nothing of it is kept")
            return None
        kept: dict[str, Any] = {"name": item["name"]} if "name" in item else {}
        self.note("assumed", subject, "confidential: only its city, state and ZIP are kept")
        return {**kept, "address": address, "confidential": True}

    def area(self, locations: list[dict[str, Any]]) -> ServiceArea | None:
        from resource_bot.directory.hsds.importer import location_place

        rows = self.index.children("service_area", "service_id", self.row["id"])
        places = [p for loc in locations if (p := location_place(loc)) is not None]
        hint = next((p.state for p in places if p.state), None)
        area = area_from_rows(rows, hint, self.note)
        if area is None and places:
            counties = frozenset((p.state, p.county) for p in places if p.state and p.county)
            if counties:
                area = ServiceArea(national=False, counties=counties)
                shown = ", ".join(f"{c}, {s}" for s, c in sorted(counties))
                self.note("assumed", "area", f"no service area could be placed; using its locations' counties: {shown}")
        if area is None and self.importer.options.default_area is not None:
            area = self.importer.options.default_area
            self.note("assumed", "area", f"no service area could be placed; using --area {area.to_yaml()}")
        if area is not None:
            for loc, place in zip(locations, [location_place(loc) for loc in locations], strict=True):
                if place is not None and not area.covers(place):
                    where = loc.get("name") or place.label
                    self.note(
                        "assumed",
                        "area",
                        f"location {where!r} ({place.label}) lies outside the stated "
                        "service area; both kept: check which is right",
                    )
        return area

    def hours(self, locations: list[dict[str, Any]]) -> Any:
        rows = list(self.index.children("schedule", "service_id", self.row["id"]))
        links = self.index.children("service_at_location", "service_id", self.row["id"])
        for link in links:
            rows += self.index.children("schedule", "service_at_location_id", link.get("id"))
        if not rows:
            for link in links:
                rows += self.index.children("schedule", "location_id", link.get("location_id"))
            if rows:
                self.note("assumed", "hours", "taken from its location's schedule")
        if not rows:
            return None
        rows = _unique(rows)
        zone = next((z for r in rows if (z := self.index.extras(r)[0].get("timezone"))), None)
        if zone is None:
            from resource_bot.directory.hsds.importer import location_place

            zone = next((p.timezone for loc in locations if (p := location_place(loc)) and p.timezone), None)
        return hours_from_rows(rows, zone, self.importer.options.today, self.note)

    def source(self, website: str | None) -> str | None:
        from resource_bot.directory.hsds.importer import web_address

        org = self.index.get("organization", self.row.get("organization_id")) or {}
        choices = (
            ("its resource-bot source", web_address(self.fields.get("source"))),
            ("the service's url", website),
            ("--source", self.importer.options.source),
            ("the package's datapackage.json", self.index.package.source),
            ("its organization's website", web_address(org.get("website") or org.get("uri"))),
        )
        for label, value in choices:
            if value:
                self.importer.sources[label] += 1
                return value
        return None

    def verified(self) -> dt.date:
        today = self.importer.options.today
        for column in ("assured_date", "last_modified"):
            found = date_of(self.row.get(column))
            if found is not None and found <= today:
                return found
            if found is not None:
                self.note("dropped", column, f"{found} is in the future")
        self.note(
            "assumed",
            "verified",
            f"no assured_date or last_modified: set to the import date, {today}; "
            "check the service before relying on it",
        )
        return today
