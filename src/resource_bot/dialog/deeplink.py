"""Deep-link payloads: ``https://t.me/<bot>?start=<payload>``.

Telegram allows 64 characters of ``A-Z a-z 0-9 _ -``. Our grammar is a list
of parts joined by ``-``; every part is optional and they may come in any
order, except that a topic, when present, comes first:

- a topic id with ``.`` written as ``_`` (``legal``, ``legal_record_relief``),
- a language: ``en`` or ``es``,
- ``z`` and a five-digit ZIP code: ``z77002``,
- ``s`` and an anonymous source tag of 1-20 letters, digits or ``_``: ``sclinic4``,
- ``v`` and a service id with ``-`` written as ``_``: ``vnhth`` (opens that service's card),
- an interpreter-bridge language code (``vi``, ``ar``; conversations/bridge/interpreters.yaml),
  read only when the caller passes the bridge's codes; it wins over a ``v``/``s`` reading
  of the same two letters (``so`` is Somali, not source tag ``o``).
- ``g`` and a guide id with ``-`` written as ``_``: ``gjob_check`` (opens that guide).

Example: ``legal_record_relief-es-z77002-sclinic4``. Parts that do not parse
are ignored, so an old or mangled link still opens the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from resource_bot.directory import topics

MAX_PAYLOAD = 64
_ALLOWED = re.compile(r"^[A-Za-z0-9_-]*$")
_SOURCE = re.compile(r"^[A-Za-z0-9_]{1,20}$")
_ZIP = re.compile(r"^\d{5}$")
_SERVICE = re.compile(r"^[a-z0-9_]{1,32}$")
_GUIDE = re.compile(r"^[a-z0-9_]{1,24}$")

_BY_PAYLOAD = {topic.replace(".", "_"): topic for topic in topics.ALL_TOPICS}
assert len(_BY_PAYLOAD) == len(topics.ALL_TOPICS), "two topic ids collide in deep-link form"


class PayloadError(ValueError):
    """A link that cannot be made; the message says which part and why."""


@dataclass(frozen=True)
class DeepLink:
    topic: str | None = None
    lang: str | None = None
    zip: str | None = None
    source: str | None = None
    #: A service id in link form (``-`` written as ``_``); see :func:`service_key`.
    service: str | None = None
    #: An interpreter-bridge language code: opens that language's one screen.
    bridge: str | None = None
    #: A guide id in link form (``-`` written as ``_``).
    guide: str | None = None


def service_key(service_id: str) -> str:
    """A service id as it travels in a link; the validator keeps these unique."""
    return service_id.replace("-", "_")


def parse_payload(payload: str | None, bridge_codes: tuple[str, ...] = ()) -> DeepLink:
    """Read what a payload asks for; never raises."""
    if not payload or len(payload) > MAX_PAYLOAD or not _ALLOWED.match(payload):
        return DeepLink()
    parts = payload.split("-")
    topic = _BY_PAYLOAD.get(parts[0].lower())
    lang = zip_code = source = service = bridge = guide = None
    for part in parts[1:] if topic else parts:
        lowered = part.lower()
        if lowered in ("en", "es"):
            lang = lowered
        elif lowered in bridge_codes:
            bridge = lowered
        elif lowered.startswith("z") and _ZIP.match(part[1:]):
            zip_code = part[1:]
        elif lowered.startswith("s") and _SOURCE.match(part[1:]):
            source = part[1:]
        elif lowered.startswith("v") and _SERVICE.match(lowered[1:]):
            service = lowered[1:]
        elif lowered.startswith("g") and _GUIDE.match(lowered[1:]):
            guide = lowered[1:]
    return DeepLink(topic, lang, zip_code, source, service, bridge, guide)


def build_payload(link: DeepLink) -> str:
    """The payload for ``link``; raises :class:`PayloadError` saying what to change."""
    parts = []
    if link.topic is not None:
        if not topics.is_topic(link.topic):
            raise PayloadError(f"unknown topic {link.topic!r}; use one of: {', '.join(topics.walk())}")
        parts.append(link.topic.replace(".", "_"))
    if link.guide is not None:
        key = link.guide.replace("-", "_")
        if not _GUIDE.match(key):
            raise PayloadError(f"guide id {link.guide!r} cannot travel in a link")
        parts.append("g" + key)
    if link.lang is not None:
        if link.lang not in ("en", "es"):
            raise PayloadError(f"language {link.lang!r} is not offered; use en or es")
        parts.append(link.lang)
    if link.zip is not None:
        if not _ZIP.match(link.zip):
            raise PayloadError(f"ZIP code {link.zip!r} must be five digits, like 77002")
        parts.append("z" + link.zip)
    if link.source is not None:
        if not _SOURCE.match(link.source):
            raise PayloadError(f"source tag {link.source!r} must be 1-20 letters, digits or _ (no names, please)")
        parts.append("s" + link.source)
    if link.service is not None:
        key = service_key(link.service)
        if not _SERVICE.match(key):
            raise PayloadError(f"service id {link.service!r} cannot travel in a link")
        parts.append("v" + key)
    payload = "-".join(parts)
    if len(payload) > MAX_PAYLOAD:
        raise PayloadError(f"the link payload {payload!r} is {len(payload)} characters; Telegram allows 64")
    return payload
