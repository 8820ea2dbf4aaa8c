"""Checking one data file's fields: the building blocks of :mod:`directory.validate`.

A :class:`FieldChecker` collects problems with file and line instead of raising, and knows how a
text, a link, a length, a language list, a yes/no and a phone number must look; the record-level
checks (a service, a location, an organization) build on it in ``validate.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import shortnumberinfo

from resource_bot.directory.entries import Problem, Translated
from resource_bot.directory.formulas import formula_problem, looks_like_formula
from resource_bot.directory.yamlsource import LineDict, LineList
from resource_bot.matching.fuzzy import did_you_mean

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_KINDS = ("voice", "sms", "tty", "whatsapp")
STATUSES = ("active", "inactive", "defunct")
SERVICE_FIELDS = (
    "id",
    "organization",
    "name",
    "description",
    "topics",
    "phones",
    "website",
    "email",
    "languages",
    "cost",
    "eligibility",
    "application_process",
    "confidential",
    "status",
    "area",
    "hours",
    "locations",
    "source",
    "verified",
)
PHONE_FIELDS = ("number", "kind", "keyword", "always_open", "languages", "note")
LOCATION_FIELDS = ("name", "address", "latitude", "longitude", "confidential")
ADDRESS_FIELDS = ("street", "city", "state", "zip")
ORGANIZATION_FIELDS = ("id", "name", "website", "description")
#: SMS short codes are 5 or 6 digits; N11 codes and 988 are 3.
SHORT_CODE = re.compile(r"^\d{3}$|^\d{5,6}$")
#: 555-0100 to 555-0199 are reserved for fiction; they belong in tests only.
FICTIONAL = re.compile(r"55501\d\d$")
#: The longest value each short column of the database holds (PostgreSQL refuses longer ones).
MAX_LENGTH = {"website": 500, "source": 500, "email": 254, "keyword": 40, "street": 300, "city": 120, "state": 2}


@functools.lru_cache(maxsize=65536)
def number_problem(number: str, kind: str) -> str | None:
    """What is wrong with a phone number, or None; cached, since a directory repeats its hotlines."""
    if re.search(r"[A-Za-z]", number):
        return f"phone {number!r} has letters; write the digits and put the word form in `note`"
    digits = re.sub(r"\D", "", number)
    if SHORT_CODE.match(digits) and digits == re.sub(r"[\s-]", "", number):
        if len(digits) == 3:
            parsed = phonenumbers.parse(digits, "US")
            if not shortnumberinfo.is_valid_short_number(parsed) and not re.match(r"^[2-9]11$", digits):
                return f"{number!r} is not a known US short number like 911, 988 or 211"
        elif kind == "voice":
            return f"{number!r} looks like an SMS short code; add `kind: sms` and its keyword"
        return None
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return f'phone {number!r} cannot be read; write it like "1-800-799-7233"'
    if not phonenumbers.is_valid_number(parsed):
        return f"phone {number!r} is not a valid number; check it against the source page"
    return None


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = did_you_mean(word, choices)
    return f"; did you mean {close!r}?" if close else ""


class FieldChecker:
    """Checks one file's fields; collects problems instead of raising."""

    def __init__(self, path: Path, today: dt.date, problems: list[Problem]) -> None:
        self.path = path
        self.today = today
        self.problems = problems

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def suggest(self, word: str, choices: Sequence[str]) -> str:
        """A "did you mean" hint; skipped once problems are only counted (it is the costly part)."""
        if len(self.problems) > getattr(self.problems, "limit", len(self.problems)):
            return ""
        return _suggest(word, choices)

    def unknown_keys(self, mapping: LineDict, allowed: Sequence[str], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(
                    mapping.line_of(key),
                    f"{what} has an unknown field {key!r}{self.suggest(str(key), allowed)} "
                    f"(allowed: {', '.join(allowed)})",
                )

    def text(self, mapping: LineDict, key: str, *, required: bool = False) -> Translated:
        value = mapping.get(key)
        line = mapping.line_of(key)
        if value is None:
            if required:
                self.problem(mapping.line, f"{key!r} is missing; add `{key}: ...` in plain words")
            return {}
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, dict) or not value:
            self.problem(line, f"{key!r} must be text, or a mapping like {{en: ..., es: ...}}")
            return {}
        result: Translated = {}
        for lang, text in value.items():
            if not isinstance(lang, str) or not LANGUAGE_PATTERN.match(lang):
                self.problem(line, f"{key!r} has a language {lang!r}; use a two-letter code like en or es")
            elif not isinstance(text, str) or not text.strip():
                self.problem(line, f"{key!r} in {lang!r} is empty; write the text or remove the language")
            elif looks_like_formula(words := " ".join(text.split())):
                self.problem(line, formula_problem(key, words))
            else:
                result[lang] = words
        if result and "en" not in result:
            self.problem(line, f"{key!r} has no English text; add `en: ...` (the bot falls back to English)")
        return result

    def url(self, value: Any, line: int, key: str) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in value:
            self.problem(line, f"{key!r} is not a web address: {value!r}; write it like https://example.org/page")
            return None
        return self.fits(str(value), line, key)

    def fits(self, value: str, line: int, key: str) -> str | None:
        """``value`` when it fits its database column; else a problem, and None."""
        limit = MAX_LENGTH[key]
        if len(value) > limit:
            self.problem(line, f"{key!r} is {len(value)} characters long; at most {limit} fit")
            return None
        if looks_like_formula(value.strip()):
            self.problem(line, formula_problem(key, value.strip()))
            return None
        return value

    def languages(self, value: Any, line: int) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and LANGUAGE_PATTERN.match(v) for v in value):
            self.problem(line, "languages must be a list of two-letter codes like [en, es]")
            return ()
        return tuple(value)

    def boolean(self, mapping: LineDict, key: str) -> bool:
        value = mapping.get(key, False)
        if not isinstance(value, bool):
            self.problem(mapping.line_of(key), f"{key!r} must be true or false, not {value!r}")
            return False
        return value

    def check_number(self, number: str, kind: str, line: int) -> None:
        if problem := number_problem(number, kind):
            self.problem(line, problem)
        elif FICTIONAL.search(re.sub(r"\D", "", number)) and "tests" not in self.path.parts:
            self.problem(line, f"phone {number!r} is a fictional 555-01xx number; real data only outside tests/")

    def list_of(self, raw: LineDict, key: str) -> LineList:
        value = raw.get(key)
        if value is None:
            return LineList()
        if not isinstance(value, LineList):
            self.problem(raw.line_of(key), f"{key!r} must be a list (each item on a line starting with '- ')")
            return LineList()
        return value
