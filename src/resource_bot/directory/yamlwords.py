"""PyYAML's syntax errors, said in a maintainer's words, at the line to fix.

PyYAML reports where its parser stopped ("expected <block end>, but found
'<block mapping start>'"), which is the grammar's view. A maintainer editing a
data file needs the likely mistake (a key indented by one space too many, a
colon in an unquoted value, a tab) and the line where it was made. No library
translates these messages, so this table does: each entry matches a PyYAML
problem and gives the plain words, and whether the line to show is where the
parser stopped or where the construct it was reading began (an unclosed quote
is reported at the end of the file, but made where it opened).
"""

from __future__ import annotations

import re

import yaml

#: (PyYAML's problem, matched from its start; line from the context mark?; the plain words).
_RULES: tuple[tuple[re.Pattern[str], bool, str], ...] = tuple(
    (re.compile(pattern), at_start, words)
    for pattern, at_start, words in (
        (
            r"found character '\\t' that cannot start any token|found a tab character",
            False,
            "a tab is used here; YAML needs spaces to indent (and after a colon). Replace the tab with spaces",
        ),
        (
            r"mapping values are not allowed here",
            False,
            "there is a colon (:) where a new `key: value` cannot start. If the value has a colon in it, "
            'put the value in quotes, like name: "Help: 24/7"; if it is a key, line it up with the keys above it',
        ),
        (
            r"could not find expected ':'",
            True,
            "this line has no colon after its key (write it as key: value), or a value runs on "
            "to the next line where a key was expected; check this line and the next",
        ),
        (
            r"expected <block end>, but found '<block mapping start>'",
            False,
            "this line is indented differently from the lines above it; the keys of one entry "
            "must start at the same column (the same number of spaces)",
        ),
        (
            r"expected <block end>, but found '(<block sequence start>|-)'",
            False,
            "this list item (the line starting with -) does not line up with the items above it; "
            "start every `- ` of one list at the same column",
        ),
        (
            r"expected <block end>, but found '\?'",
            False,
            "this key does not line up with the keys of the entry above it (it is indented too little, "
            "or sits in a list of plain values); line it up under the keys after that entry's `- `",
        ),
        (
            r"expected <block end>, but found '<scalar>'",
            False,
            "there is more text after a quoted value on this line (or a quote mark inside it). "
            "Put the whole value in one pair of quotes; inside single quotes write ' as ''",
        ),
        (
            r"expected (<block end>|the node content), but found '[\]}]'",
            False,
            "there is a ] or } here without its opening [ or {; remove it, or put the value in quotes",
        ),
        (
            r"expected ',' or ']'",
            True,
            "the list in [ ] that starts on this line is not closed with ], or a comma is missing; "
            "write it like [legal, food]",
        ),
        (
            r"expected ',' or '}'",
            True,
            "the { } that starts on this line is not closed with }, or a comma is missing; write it like {state: TX}",
        ),
        (
            r"found unexpected end of stream",
            True,
            "a quote mark opened on this line is never closed; end the value with the same quote mark",
        ),
        (
            r"found unknown escape character",
            False,
            "a backslash (\\) inside double quotes starts a code YAML does not know; put the value in "
            "single quotes instead, or write the backslash twice",
        ),
        (
            r"found character '(?P<char>.)' that cannot start any token",
            False,
            "a value starts with {char}, which YAML keeps for itself; put the whole value in quotes",
        ),
        (
            r"expected chomping or indentation indicators",
            False,
            "after | or > nothing may follow on the same line; start the text on the next line, indented",
        ),
    )
)


def plain_problem(error: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """The line (1-based) and plain words for a PyYAML syntax error; None when no rule knows it."""
    problem = error.problem or ""
    for pattern, at_start, words in _RULES:
        if match := pattern.match(problem):
            mark = (error.context_mark if at_start else None) or error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            return line, words.replace("{char}", match["char"]) if "char" in pattern.groupindex else words
    return None
