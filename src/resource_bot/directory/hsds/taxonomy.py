"""From a package's taxonomy terms to our need topics, through the reviewable taxonomy_map.yaml.

The mapping is data, not code, so that the people who know 211 codes and
Open Eligibility can change it without touching Python; this module only
reads it, checks that every topic exists, and applies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from resource_bot.directory import topics as taxonomy

_AIRS_CODE = re.compile(r"^[A-Z]{1,2}(-\d{4}(\.\d{4}(-\d{3}(\.\d{2,3})?)?)?)?$")


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the entry and the fix."""


@dataclass(frozen=True)
class Term:
    code: str = ""
    name: str = ""
    taxonomy: str = ""

    @property
    def label(self) -> str:
        shown = " ".join(part for part in (self.code, f"'{self.name}'" if self.name else "") if part)
        return f"{shown} ({self.taxonomy})" if self.taxonomy else shown


@dataclass
class TaxonomyMap:
    airs: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # longest prefix first
    open_eligibility: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keywords: list[tuple[re.Pattern[str], tuple[str, ...]]] = field(default_factory=list)
    ignore: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path | None = None) -> TaxonomyMap:
        """Read the mapping file (the bundled one by default), checking every topic id."""
        text = (
            path.read_text(encoding="utf-8")
            if path is not None
            else resources.files(__package__).joinpath("taxonomy_map.yaml").read_text(encoding="utf-8")
        )
        document = yaml.safe_load(text) or {}
        if not isinstance(document, dict):
            raise MappingError("the taxonomy map must be a mapping with airs, open_eligibility, keywords, ignore")
        unknown = set(document) - {"airs", "open_eligibility", "keywords", "ignore"}
        if unknown:
            raise MappingError(f"unknown section {sorted(unknown)[0]!r}: use airs, open_eligibility, keywords, ignore")
        airs = _section(document, "airs")
        keywords = _section(document, "keywords")
        return cls(
            airs=sorted(((code.upper(), found) for code, found in airs.items()), key=lambda item: -len(item[0])),
            open_eligibility={name.casefold(): found for name, found in _section(document, "open_eligibility").items()},
            keywords=[
                (re.compile(rf"(?<!\w){re.escape(word.casefold())}(?!\w)"), found) for word, found in keywords.items()
            ],
            ignore=frozenset(str(item).casefold() for item in document.get("ignore") or []),
        )

    def topics_for(self, term: Term) -> tuple[str, ...] | None:
        """Topics for one term; () when it is on the ignore list; None when nothing maps it."""
        code, name = term.code.strip(), term.name.strip()
        if code.casefold() in self.ignore or name.casefold() in self.ignore:
            return ()
        if _AIRS_CODE.match(code):
            for prefix, found in self.airs:
                if code.startswith(prefix) and not code[len(prefix) : len(prefix) + 1].isdigit():
                    return found
            if code[:1].casefold() in self.ignore:
                return ()
        if name.casefold() in self.open_eligibility:
            return self.open_eligibility[name.casefold()]
        found_words = self.keyword_topics(f"{name} {code}")
        return found_words or None

    def keyword_topics(self, text: str) -> tuple[str, ...]:
        """Every keyword topic found as whole words in ``text``, in the order the text names them."""
        folded = text.casefold()
        hits = sorted(
            (match.start(), n) for n, (pattern, _) in enumerate(self.keywords) if (match := pattern.search(folded))
        )
        found: list[str] = []
        for _, n in hits:
            found.extend(t for t in self.keywords[n][1] if t not in found)
        return tuple(found)


def _section(document: dict[str, Any], name: str) -> dict[str, tuple[str, ...]]:
    raw = document.get(name) or {}
    if not isinstance(raw, dict):
        raise MappingError(f"{name} must be a mapping of term -> topic id(s)")
    checked: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        for topic in values:
            if not isinstance(topic, str) or not taxonomy.is_topic(topic):
                raise MappingError(f"{name}: {key!r} maps to unknown topic {topic!r}; see data/README.md")
        checked[str(key)] = tuple(values)
    return checked
