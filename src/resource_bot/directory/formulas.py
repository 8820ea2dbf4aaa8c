"""Text a spreadsheet would run as a formula ("CSV injection").

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) is a formula to Excel, LibreOffice and Google Sheets; one like
``=HYPERLINK(...)`` or ``=cmd|...`` acts when a maintainer opens an exported
file. Following OWASP's CSV injection guidance, validation and import refuse
such text in the directory, and the HSDS export prefixes any that reaches it
with a single quote, which spreadsheets show as text. Numbers and phone numbers
(``-95.36``, ``+1 800-799-7233``) start that way legitimately and run nothing;
they are left alone.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A number, or a phone number: digits, spaces and + - . ( ) only. Nothing a spreadsheet can call.
_NUMBER_LIKE = re.compile(r"^[+-]?[\d\s().-]*\d[\d\s().-]*$")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula (numbers and phone numbers aside)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER_LIKE.match(value)


def formula_problem(field: str, value: str) -> str:
    """The one-line message for a refused value."""
    return (
        f"{field!r} starts with {value[:1]!r}, which a spreadsheet runs as a formula; start it with a letter or a digit"
    )


def neutralised(value: str) -> str:
    """``value`` made inert for a spreadsheet: a single quote before a formula, else unchanged."""
    return "'" + value if looks_like_formula(value) else value
