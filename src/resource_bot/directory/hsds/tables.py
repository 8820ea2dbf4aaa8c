"""The HSDS 3.0 tables this package reads and writes: names, files and columns.

Column lists follow the order of the specification's ``datapackage.json`` so an
exported CSV reads like any other HSDS package. Only the tables the directory
can say something about are written; the reader accepts every table.
"""

from __future__ import annotations

from typing import Any

#: One record of an HSDS table, as read: blank cells are absent, not "".
Row = dict[str, Any]
Tables = dict[str, list[Row]]

HSDS_VERSION = "3.0.0"

#: Resource name -> the columns we write, in specification order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "organization": (
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "logo",
        "uri",
        "parent_organization_id",
    ),
    "service": (
        "id",
        "organization_id",
        "program_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "wait_time",
        "fees",
        "accreditations",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "assurer_email",
        "licenses",
        "alert",
        "last_modified",
    ),
    "attribute": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "location": (
        "id",
        "location_type",
        "url",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "transportation",
        "latitude",
        "longitude",
        "external_identifier",
        "external_identifier_type",
    ),
    "phone": (
        "id",
        "location_id",
        "service_id",
        "organization_id",
        "contact_id",
        "service_at_location_id",
        "number",
        "extension",
        "type",
        "description",
    ),
    "address": (
        "id",
        "location_id",
        "attention",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ),
    "schedule": (
        "id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "dtstart",
        "timezone",
        "until",
        "count",
        "wkst",
        "freq",
        "interval",
        "byday",
        "byweekno",
        "bymonthday",
        "byyearday",
        "description",
        "opens_at",
        "closes_at",
        "schedule_link",
        "attending_type",
        "notes",
    ),
    "service_area": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    "language": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "taxonomy_term": (
        "id",
        "code",
        "name",
        "description",
        "parent_id",
        "taxonomy",
        "language",
        "taxonomy_id",
        "term_uri",
    ),
    "taxonomy": ("id", "name", "description", "uri", "version"),
}

#: Columns that are not strings in the specification's datapackage; everything else is a string.
FIELD_TYPES: dict[str, dict[str, str]] = {
    "organization": {"year_incorporated": "number"},
    "service": {"minimum_age": "number", "maximum_age": "number", "assured_date": "date", "last_modified": "datetime"},
    "location": {"latitude": "number", "longitude": "number"},
    "phone": {"extension": "number"},
    "schedule": {
        "valid_from": "date",
        "valid_to": "date",
        "dtstart": "date",
        "timezone": "number",
        "until": "date",
        "count": "number",
        "interval": "number",
        "opens_at": "time",
        "closes_at": "time",
    },
}

#: Resource name -> CSV file name, for every HSDS 3.0 table (the reader accepts them all).
FILES: dict[str, str] = {
    "organization": "organizations.csv",
    "program": "programs.csv",
    "service": "services.csv",
    "attribute": "attributes.csv",
    "service_at_location": "service_at_location.csv",
    "location": "locations.csv",
    "phone": "phones.csv",
    "contact": "contacts.csv",
    "address": "addresses.csv",
    "schedule": "schedules.csv",
    "funding": "funding.csv",
    "service_area": "service_areas.csv",
    "required_document": "required_documents.csv",
    "language": "languages.csv",
    "accessibility": "accessibility.csv",
    "taxonomy_term": "taxonomy_terms.csv",
    "metadata": "metadata.csv",
    "meta_table_description": "meta_table_descriptions.csv",
    "cost_option": "cost_options.csv",
    "organization_identifier": "organization_identifiers.csv",
    "taxonomy": "taxonomies.csv",
}
_BY_FILE = {file: name for name, file in FILES.items()}


def resource_name(label: str) -> str:
    """The resource a file or JSON key names: "services.csv", "services" and "service" are all "service"."""
    key = label.rsplit("/", 1)[-1].strip().lower()
    if key in _BY_FILE:
        return _BY_FILE[key]
    stem = key.removesuffix(".csv")
    if stem in FILES:
        return stem
    return _BY_FILE.get(stem + ".csv", stem)
