"""Check data files and turn them into entries, reporting every problem with file and line.

Validation never stops at the first problem: a maintainer fixing a file wants
the whole list at once. Each message says what is wrong and how to fix it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from resource_bot.clock import utc_today
from resource_bot.directory import topics
from resource_bot.directory.catalog import shared_area, shared_hours
from resource_bot.directory.entries import (
    LocationEntry,
    OrganizationEntry,
    PhoneEntry,
    Problem,
    ServiceEntry,
    Validation,
)
from resource_bot.directory.field_checks import (
    ADDRESS_FIELDS,
    EMAIL_PATTERN,
    ID_PATTERN,
    LOCATION_FIELDS,
    ORGANIZATION_FIELDS,
    PHONE_FIELDS,
    PHONE_KINDS,
    SERVICE_FIELDS,
    STATUSES,
    FieldChecker,
)
from resource_bot.directory.hours import HoursError, WeeklyHours
from resource_bot.directory.service_area import AreaError, ServiceArea
from resource_bot.directory.yamlsource import LineDict, LineList, SourceError, load_file
from resource_bot.directory.zip_index import place_from_zip


def data_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, or found directly inside named folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(path)
    return found


class _FileChecker(FieldChecker):
    """Checks one file's records on top of the field checks; collects problems instead of raising."""

    def phone(self, raw: Any, line: int) -> PhoneEntry | None:
        if not isinstance(raw, LineDict):
            self.problem(line, 'each phone must be a mapping like {number: "1-800-799-7233", kind: voice}')
            return None
        self.unknown_keys(raw, PHONE_FIELDS, "this phone")
        number = raw.get("number")
        kind = raw.get("kind", "voice")
        number_line = raw.line_of("number")
        if kind not in PHONE_KINDS:
            self.problem(raw.line_of("kind"), f"phone kind {kind!r} is unknown; use one of {', '.join(PHONE_KINDS)}")
            kind = "voice"
        if isinstance(number, int):
            number = str(number)
        if not isinstance(number, str) or not number.strip():
            self.problem(number_line, 'phone number is missing; write it in quotes, like "1-800-799-7233"')
            return None
        self.check_number(number, kind, number_line)
        keyword = raw.get("keyword")
        if keyword is not None and (kind != "sms" or not isinstance(keyword, str)):
            self.problem(raw.line_of("keyword"), "a keyword goes with `kind: sms` only, as a word like BEFREE")
            keyword = None
        elif keyword is not None:
            keyword = self.fits(keyword, raw.line_of("keyword"), "keyword")
        return PhoneEntry(
            number=number.strip(),
            kind=kind,
            keyword=keyword,
            always_open=self.boolean(raw, "always_open"),
            languages=self.languages(raw.get("languages"), raw.line_of("languages")),
            note=self.text(raw, "note"),
        )

    def location(self, raw: Any, line: int) -> LocationEntry | None:
        if not isinstance(raw, LineDict):
            self.problem(line, "each location must be a mapping with an address")
            return None
        self.unknown_keys(raw, LOCATION_FIELDS, "this location")
        address = raw.get("address") or LineDict()
        if not isinstance(address, LineDict):
            self.problem(raw.line_of("address"), "address must be a mapping {street, city, state, zip}")
            address = LineDict()
        else:
            self.unknown_keys(address, ADDRESS_FIELDS, "this address")
        zip_code = address.get("zip")
        latitude, longitude = raw.get("latitude"), raw.get("longitude")
        confidential = self.boolean(raw, "confidential")
        if confidential:
            # Data files are public: a secret address must never be written in one, not even to be hidden.
            for key, where in (("street", address), ("latitude", raw), ("longitude", raw)):
                if where.get(key) is not None:
                    self.problem(
                        where.line_of(key),
                        f"this location is confidential, so its {key} must not be in the data file "
                        "(data files are public); remove it and keep only city, state and ZIP",
                    )
            latitude = longitude = None
            if zip_code is None:
                self.problem(
                    raw.line_of("confidential"),
                    "a confidential location needs its ZIP code: the bot sorts by the ZIP's centre; add address.zip",
                )
        if zip_code is not None:
            zip_code = str(zip_code)
            place = place_from_zip(zip_code)
            if place is None:
                self.problem(address.line_of("zip"), f"unknown ZIP code {zip_code!r}; check it with the USPS")
            elif latitude is None and longitude is None:
                latitude, longitude = place.latitude, place.longitude
        for key, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
            if value is not None and (not isinstance(value, int | float) or not -bound <= value <= bound):
                self.problem(raw.line_of(key), f"{key} {value!r} is not a number between -{bound} and {bound}")
                latitude = longitude = None
        parts: dict[str, str | None] = {}
        for key in ("street", "city", "state"):
            value = parts[key] = address.get(key)
            if value is not None and not isinstance(value, str):
                self.problem(address.line_of(key), f"{key} {value!r} must be plain text")
                parts[key] = None
            elif value is not None:
                parts[key] = self.fits(value, address.line_of(key), key)
        state = parts["state"]
        return LocationEntry(
            name=self.text(raw, "name"),
            street=parts["street"],
            city=parts["city"],
            state=state.upper() if state else None,
            zip=zip_code,
            latitude=float(latitude) if latitude is not None else None,
            longitude=float(longitude) if longitude is not None else None,
            confidential=confidential,
        )

    def service(self, raw: Any, line: int) -> ServiceEntry | None:
        if not isinstance(raw, LineDict):
            self.problem(line, "each service must be a mapping; see data/README.md for a complete example")
            return None
        self.unknown_keys(raw, SERVICE_FIELDS, "this service")
        service_id = raw.get("id")
        if not isinstance(service_id, str) or not ID_PATTERN.match(service_id):
            self.problem(
                raw.line_of("id"),
                f"service id {service_id!r} must be 1-32 lowercase letters, digits, '_' or '-'",
            )
            return None
        topic_ids = self.topic_list(raw)
        phones = tuple(
            p for i, item in enumerate(self.list_of(raw, "phones")) if (p := self.phone(item, raw["phones"].line_of(i)))
        )
        website = self.url(raw.get("website"), raw.line_of("website"), "website")
        if not phones and not website:
            self.problem(raw.line, f"service {service_id!r} has no phone and no website; add how people reach it")
        email = raw.get("email")
        if email is not None and (not isinstance(email, str) or not EMAIL_PATTERN.match(email)):
            self.problem(raw.line_of("email"), f"email {email!r} is not an e-mail address")
            email = None
        elif email is not None:
            email = self.fits(email, raw.line_of("email"), "email")
        status = raw.get("status", "active")
        if status not in STATUSES:
            self.problem(raw.line_of("status"), f"status {status!r} is unknown; use one of {', '.join(STATUSES)}")
        area = self.area(raw)
        hours = self.hours(raw)
        source = self.url(raw.get("source"), raw.line_of("source"), "source")
        if "source" not in raw:
            self.problem(raw.line, f"service {service_id!r} has no `source:`; add the official page you checked")
        verified = self.verified(raw)
        locations = tuple(
            loc
            for i, item in enumerate(self.list_of(raw, "locations"))
            if (loc := self.location(item, raw["locations"].line_of(i)))
        )
        organization = raw.get("organization")
        if organization is not None and not isinstance(organization, str):
            self.problem(raw.line_of("organization"), "organization must be the id of an organization")
            organization = None
        name = self.text(raw, "name", required=True)
        description = self.text(raw, "description", required=True)
        if not (name and description and topic_ids and source and verified and area is not None):
            return None
        return ServiceEntry(
            id=service_id,
            name=name,
            description=description,
            topics=topic_ids,
            area=area,
            source_url=source,
            last_verified=verified,
            organization=organization,
            phones=phones,
            website=website,
            email=email,
            languages=self.languages(raw.get("languages"), raw.line_of("languages")),
            cost=self.text(raw, "cost"),
            eligibility=self.text(raw, "eligibility"),
            application_process=self.text(raw, "application_process"),
            confidential=self.boolean(raw, "confidential"),
            status=status if status in STATUSES else "active",
            hours=hours,
            locations=locations,
            path=self.path,
            line=raw.line,
        )

    def topic_list(self, raw: LineDict) -> tuple[str, ...]:
        value = raw.get("topics")
        if not isinstance(value, LineList) or not value:
            self.problem(raw.line_of("topics"), "topics must be a list of topic ids, like [legal, safety]")
            return ()
        good = []
        for i, topic in enumerate(value):
            if isinstance(topic, str) and topics.is_topic(topic):
                good.append(topic)
            else:
                known = sorted(topics.ALL_TOPICS)
                self.problem(
                    value.line_of(i),
                    f"unknown topic {topic!r}{self.suggest(str(topic), known)} (topics are listed in data/README.md)",
                )
        return tuple(good)

    def area(self, raw: LineDict) -> ServiceArea | None:
        try:
            return shared_area(raw.get("area"))
        except AreaError as exc:
            self.problem(raw.line_of("area"), str(exc))
            return None

    def hours(self, raw: LineDict) -> WeeklyHours | None:
        if raw.get("hours") is None:
            return None
        try:
            return shared_hours(raw["hours"])
        except HoursError as exc:
            self.problem(raw.line_of("hours"), str(exc))
            return None

    def verified(self, raw: LineDict) -> dt.date | None:
        value = raw.get("verified")
        line = raw.line_of("verified")
        if value is None:
            self.problem(raw.line, "`verified:` is missing; add the date you checked the source, like 2026-11-28")
            return None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            self.problem(line, f"verified {value!r} is not a date; write it as YYYY-MM-DD")
            return None
        if value > self.today:
            self.problem(line, f"verified {value} is in the future; write the day you checked the source")
            return None
        return value

    def organization(self, raw: Any, line: int) -> OrganizationEntry | None:
        if not isinstance(raw, LineDict):
            self.problem(line, "each organization must be a mapping with id and name")
            return None
        self.unknown_keys(raw, ORGANIZATION_FIELDS, "this organization")
        org_id = raw.get("id")
        if not isinstance(org_id, str) or not ID_PATTERN.match(org_id):
            self.problem(raw.line_of("id"), f"organization id {org_id!r} must be 1-32 lowercase letters or digits")
            return None
        name = self.text(raw, "name", required=True)
        if not name:
            return None
        return OrganizationEntry(
            id=org_id,
            name=name,
            website=self.url(raw.get("website"), raw.line_of("website"), "website"),
            description=self.text(raw, "description"),
            path=self.path,
            line=raw.line,
        )


def validate_paths(paths: Iterable[Path], *, today: dt.date | None = None) -> Validation:
    """Read and check every data file under ``paths``; never raises for bad data."""
    today = today or utc_today()
    paths = list(paths)
    result = Validation(files=data_files(paths))
    if not result.files:
        for folder in paths or [Path.cwd()]:
            where = folder.resolve() if folder == Path(".") else folder  # "." would say nothing
            message = "this folder has no .yaml files; name the folder that holds the directory's files"
            result.problems.append(Problem(where, 0, message))
    for path in result.files:
        checker = _FileChecker(path, today, result.problems)
        try:
            document = load_file(path)
        except SourceError as exc:
            result.problems.append(Problem(exc.path, exc.line, exc.message))
            continue
        if document is None:
            continue
        if not isinstance(document, LineDict):
            checker.problem(1, "a data file must be a mapping with a `services:` list")
            continue
        checker.unknown_keys(document, ("services", "organizations"), "the file")
        for i, item in enumerate(checker.list_of(document, "organizations")):
            if org := checker.organization(item, document["organizations"].line_of(i)):
                result.organizations.append(org)
        for i, item in enumerate(checker.list_of(document, "services")):
            if service := checker.service(item, document["services"].line_of(i)):
                result.services.append(service)
    _check_across_files(result)
    return result


def _check_across_files(result: Validation) -> None:
    seen: dict[str, ServiceEntry] = {}
    for service in result.services:
        if first := seen.get(service.id):
            result.problems.append(
                Problem(
                    service.path,
                    service.line,
                    f"duplicate id {service.id!r}: also used at {first.path}:{first.line}",
                )
            )
        else:
            seen[service.id] = service
    organizations: dict[str, OrganizationEntry] = {}
    for org in result.organizations:
        if first_org := organizations.get(org.id):
            result.problems.append(
                Problem(
                    org.path,
                    org.line,
                    f"duplicate organization id {org.id!r}: also at {first_org.path}:{first_org.line}",
                )
            )
        organizations[org.id] = org
    for service in result.services:
        if service.organization and service.organization not in organizations:
            result.problems.append(
                Problem(
                    service.path,
                    service.line,
                    f"organization {service.organization!r} is not defined; add it to an `organizations:` list",
                )
            )
