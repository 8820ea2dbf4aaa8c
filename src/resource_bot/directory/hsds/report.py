"""What an import could not map, and why, so a reviewer fixes data instead of trusting a guess.

Three kinds of notes: ``skipped`` (a whole record left out), ``dropped`` (one
field or child left out of a record that was kept) and ``assumed`` (something
filled in or guessed that a person should check). Notes about a field the
directory has no place for are grouped, one line per field, with the records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["skipped", "dropped", "assumed"]
KINDS: tuple[Kind, ...] = ("skipped", "dropped", "assumed")


@dataclass(frozen=True)
class Note:
    kind: Kind
    table: str
    record: str  # the HSDS id, or "" for the package
    subject: str  # the field, child or record concerned
    reason: str  # what happened and what to do about it

    def __str__(self) -> str:
        where = f"{self.table} {self.record}" if self.record else self.table
        return f"{self.kind}: {where}: {self.subject}: {self.reason}"


@dataclass
class ImportReport:
    """Every note of one import, plus the counts a summary line needs."""

    label: str
    notes: list[Note] = field(default_factory=list)
    unplaced_fields: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    imported_services: int = 0
    imported_organizations: int = 0
    files_written: list[str] = field(default_factory=list)

    def add(self, kind: Kind, table: str, record: str, subject: str, reason: str) -> None:
        self.notes.append(Note(kind, table, record, subject, reason))

    def unplaced(self, table: str, column: str, record: str) -> None:
        """A filled HSDS column the directory has no field for."""
        self.unplaced_fields.setdefault((table, column), []).append(record)

    def of_kind(self, kind: Kind) -> list[Note]:
        return [note for note in self.notes if note.kind == kind]

    def summary(self) -> str:
        counts = Counter(note.kind for note in self.notes)
        return (
            f"Imported {self.imported_services} service(s) and {self.imported_organizations} "
            f"organization(s) from {self.label}: {counts['skipped']} record(s) skipped, "
            f"{counts['dropped']} field(s) dropped, {counts['assumed']} assumption(s) to review, "
            f"{len(self.unplaced_fields)} HSDS column(s) with no place in the directory."
        )

    def render(self) -> str:
        """The whole report as plain text, one note a line, grouped by kind."""
        lines = [self.summary(), ""]
        titles = {"skipped": "Records skipped", "dropped": "Fields dropped", "assumed": "Assumptions to review"}
        for kind in KINDS:
            notes = self.of_kind(kind)
            if notes:
                lines.append(f"## {titles[kind]} ({len(notes)})")
                lines.extend(f"- {note}" for note in notes)
                lines.append("")
        if self.unplaced_fields:
            lines.append(f"## HSDS columns with no place in the directory ({len(self.unplaced_fields)})")
            for (table, column), records in sorted(self.unplaced_fields.items()):
                shown = ", ".join(records[:3]) + (f" and {len(records) - 3} more" if len(records) > 3 else "")
                lines.append(f"- {table}.{column}: not imported, the directory has no such field ({shown})")
            lines.append("")
        return "\n".join(lines)
