"""The directory's own facts that HSDS has no column for, carried as HSDS attributes.

HSDS extends itself through attributes: a taxonomy term linked to a record,
with an optional value. The export links every service to a term per need
topic, and writes the few fields HSDS lacks (our id, the source page,
Spanish text, SMS keywords, ...) as values of terms in one taxonomy,
``resource-bot``. The import reads them back first, which is what makes
export -> import -> export give the same package.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from resource_bot.directory.hsds.tables import Row

TAXONOMY_NAME = "resource-bot"
TERM_PREFIX = "resource-bot/"
TOPIC_PREFIX = TERM_PREFIX + "topic/"
FIELD_PREFIX = TERM_PREFIX + "field/"

#: Fixed so that the same directory always exports to the same UUIDs.
_NAMESPACE = uuid.UUID("6f2b7a52-1f7e-5b7c-9a0e-4a8f1d3c2e10")

#: Field terms and what they hold, for the taxonomy_terms table.
FIELD_TERMS: dict[str, str] = {
    "id": "The record's id in the resource-bot directory (deep links use it).",
    "source": "The official page the facts were checked against.",
    "confidential": "true when the organization promises confidentiality.",
    "standalone": "true on an organization written only because HSDS needs one per service.",
    "kind": "The phone's kind when HSDS has no type for it (whatsapp).",
    "keyword": "The word to text to an SMS number.",
    "always_open": "true when the phone is answered 24 hours a day, 7 days a week.",
    "timezone": "The IANA time zone the schedule's times are in.",
    "name.es": "The name in Spanish.",
    "description.es": "The description in Spanish.",
    "cost.es": "The cost in Spanish.",
    "eligibility.es": "The eligibility in Spanish.",
    "application_process.es": "The application process in Spanish.",
    "note.es": "The phone's note in Spanish.",
}


def hsds_id(*parts: str) -> str:
    """A stable UUID for a record of ours: the same parts always give the same id."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def taxonomy_id() -> str:
    return hsds_id("taxonomy", TAXONOMY_NAME)


def term_id(code: str) -> str:
    return hsds_id("taxonomy_term", code)


def topic_code(topic: str) -> str:
    return TOPIC_PREFIX + topic


def field_code(name: str) -> str:
    return FIELD_PREFIX + name


def read_extras(attributes: Iterable[Row], terms: dict[str, Row]) -> tuple[dict[str, str], list[str]]:
    """Our field values and topics among a record's attributes; other attributes are left for the mapper."""
    fields: dict[str, str] = {}
    topics: list[str] = []
    for attribute in attributes:
        code = str(terms.get(str(attribute.get("taxonomy_term_id")), {}).get("code", ""))
        if code.startswith(TOPIC_PREFIX):
            topics.append(code.removeprefix(TOPIC_PREFIX))
        elif code.startswith(FIELD_PREFIX) and attribute.get("value") is not None:
            fields[code.removeprefix(FIELD_PREFIX)] = str(attribute["value"])
    return fields, topics


def is_ours(term: Row) -> bool:
    return str(term.get("code", "")).startswith(TERM_PREFIX)
