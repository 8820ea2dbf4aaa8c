"""Read an HSDS package in any of the forms Open Referral publishes into flat tables.

Three forms arrive in practice: a folder of CSV files (with or without
``datapackage.json``), the "tabular" JSON form (``{"services.csv": [rows]}``),
and the nested API form (a service, a list of services, a page of
``contents``, an organization with its services). The nested form is
flattened into the same tables, so the mapper only knows one shape.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resource_bot.directory.formulas import looks_like_formula
from resource_bot.directory.hsds.tables import FILES, Row, Tables, resource_name

#: Largest file of a package read (checked before reading); a national export is well under it.
MAX_FILE_BYTES = 200 * 1024 * 1024


class PackageError(ValueError):
    """The path is not an HSDS package; the message says what was expected."""


@dataclass(frozen=True)
class FormulaCell:
    """A cell left out of the import because a spreadsheet would run it as a formula."""

    table: str
    record: str  # the row's id
    column: str
    where: str  # "services.csv:12", or the JSON file and record

    def reason(self) -> str:
        return (
            f"{self.where}: {self.column!r} starts with a formula character (= + - @); left out, fix it at the source"
        )


def _drop_formulas(row: Row, table: str, where: str, found: list[FormulaCell]) -> None:
    """Leave out every cell a spreadsheet would run (phone numbers aside: they are checked as numbers)."""
    for column in [c for c, value in row.items() if looks_like_formula(value)]:
        if table == "phone" and column == "number":
            continue
        found.append(FormulaCell(table, str(row.get("id", "")), column, where))
        del row[column]


@dataclass
class Package:
    """An HSDS package as tables of rows, plus what its datapackage.json says about itself."""

    tables: Tables
    label: str
    source: str | None = None
    ignored_files: list[str] = field(default_factory=list)
    #: Cells left out because a spreadsheet would run them as formulas.
    formula_cells: list[FormulaCell] = field(default_factory=list)

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])


def read_package(path: Path) -> Package:
    """Read a folder of CSV files or a JSON file; raises PackageError when it is neither."""
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() == ".json":
        document = _read_json(path)
        try:
            return _from_json(document, path.name)
        except RecursionError:
            raise PackageError(f"{path} nests records too deeply to be an HSDS export") from None
    raise PackageError(f"{path} is neither a folder of HSDS CSV files nor a .json file")


def _check_size(path: Path) -> None:
    """Refuse a file too large to import, before reading any of it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackageError(f"{path}: cannot read it ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise PackageError(
            f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
            "import the package in parts (for example one region at a time)"
        )


def _inside(folder: Path, relative: str, descriptor: Path) -> Path:
    """``folder / relative``, refused when it resolves outside the package folder (``..``, ``/etc``, symlinks)."""
    root = folder.resolve()
    target = (folder / relative).resolve()
    if not target.is_relative_to(root):
        raise PackageError(
            f"{descriptor}: resource path {relative!r} points outside the package folder {folder}; "
            "an HSDS package may only name files inside its own folder"
        )
    return folder / relative


def _read_json(path: Path) -> Any:
    _check_size(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{path} is not readable JSON ({exc}); check the file or export it again") from None
    except RecursionError:
        raise PackageError(f"{path} nests too deeply to be an HSDS package") from None


def _clean(value: Any) -> Any:
    """Blank cells are absent; stray quotes around a value ('"+1 555"') are dropped.

    Every cell is text, as in a CSV file, whichever form the package came in: a
    number or true/false in JSON becomes its text, a list or object where a
    table has a cell is absent.
    """
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = repr(value)
    elif not isinstance(value, str):
        return None
    if isinstance(value, str):
        text = value.strip()
        while len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1].strip()
        return text or None
    return value


def _clean_row(raw: dict[str, Any]) -> Row:
    return {key.strip(): value for key, raw_value in raw.items() if key and (value := _clean(raw_value)) is not None}


def _read_folder(folder: Path) -> Package:
    descriptor_path = folder / "datapackage.json"
    files: dict[str, Path] = {}
    source: str | None = None
    if descriptor_path.is_file():
        descriptor = _read_json(descriptor_path)
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
            raise PackageError(f'{descriptor_path} is not a data package: expected {{"resources": [...]}}')
        source = _descriptor_source(descriptor)
        for resource in descriptor.get("resources", []):
            if isinstance(resource, dict) and isinstance(resource.get("path"), str):
                name = resource_name(str(resource.get("name") or resource["path"]))
                files[name] = _inside(folder, resource["path"], descriptor_path)
    for csv_path in sorted(folder.glob("*.csv")):
        files.setdefault(resource_name(csv_path.name), _inside(folder, csv_path.name, folder))
    if not any(path.is_file() for path in files.values()):
        raise PackageError(f"{folder} has no HSDS CSV files (like services.csv); is it the right folder?")
    tables: Tables = {}
    ignored = []
    refused: list[FormulaCell] = []
    for name, csv_path in files.items():
        if not csv_path.is_file():
            continue
        if name not in FILES:
            ignored.append(csv_path.name)
        _check_size(csv_path)
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                rows = tables[name] = []
                for raw in reader:
                    row = _clean_row(raw)
                    _drop_formulas(row, name, f"{csv_path.name}:{reader.line_num}", refused)
                    rows.append(row)
        except UnicodeDecodeError as exc:
            line = csv_path.read_bytes()[: exc.start].count(b"\n") + 1
            raise PackageError(f"{csv_path}:{line}: not UTF-8 text; export the package again as UTF-8") from None
        except csv.Error as exc:
            raise PackageError(f"{csv_path}: not a readable CSV file ({exc})") from None
    return Package(tables, folder.name, source, ignored, refused)


def _descriptor_source(descriptor: dict[str, Any]) -> str | None:
    """The package's own web page: its first ``sources`` path, else its ``homepage``."""
    sources = descriptor.get("sources")
    for item in sources if isinstance(sources, list) else []:
        if isinstance(item, dict) and str(item.get("path", "")).startswith(("http://", "https://")):
            return str(item["path"])
    homepage = descriptor.get("homepage")
    return homepage if isinstance(homepage, str) and homepage.startswith(("http://", "https://")) else None


#: Nested arrays: (parent table, key) -> (child table, the child's column naming its parent).
_CHILD_LISTS: dict[str, dict[str, tuple[str, str | None]]] = {
    "organization": {
        "services": ("service", "organization_id"),
        "locations": ("location", "organization_id"),
        "phones": ("phone", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "programs": ("program", "organization_id"),
        "funding": ("funding", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "languages": ("language", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "service_at_location": {
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
        "contacts": ("contact", "service_at_location_id"),
    },
    "location": {
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "languages": ("language", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
    },
    "phone": {"languages": ("language", "phone_id")},
    "contact": {"phones": ("phone", "contact_id")},
}
#: Nested single objects: (parent table, key) -> (child table, the parent's column naming the child).
_CHILD_OBJECTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id"), "service": ("service", "service_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}


def _flatten(record: dict[str, Any], table: str, tables: Tables) -> None:
    """Add ``record`` and everything nested in it to ``tables``, filling in the linking ids."""
    row: Row = {}
    for key, value in record.items():
        if key in _CHILD_LISTS.get(table, {}) and isinstance(value, list):
            child_table, parent_column = _CHILD_LISTS[table][key]
            for child in value:
                if isinstance(child, dict):
                    if parent_column and "id" in record:
                        child = {parent_column: record["id"], **child}
                    _flatten(child, child_table, tables)
        elif key in _CHILD_OBJECTS.get(table, {}) and isinstance(value, dict):
            child_table, own_column = _CHILD_OBJECTS[table][key]
            if "id" in value:
                row.setdefault(own_column, value["id"])
            _flatten(value, child_table, tables)
        elif key == "attributes" and isinstance(value, list):
            for attribute in value:
                if isinstance(attribute, dict):
                    _flatten({"link_id": record.get("id"), "link_entity": table, **attribute}, "attribute", tables)
        elif key == "metadata" and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _flatten({"resource_id": record.get("id"), "resource_type": table, **item}, "metadata", tables)
        elif not isinstance(value, (list, dict)):
            row[key] = value
    cleaned = _clean_row(row)
    existing = tables.setdefault(table, [])
    if "id" not in cleaned or all(other.get("id") != cleaned["id"] for other in existing):
        existing.append(cleaned)


def _nested_kind(record: dict[str, Any]) -> str:
    if "location" in record and "service" in record:
        return "service_at_location"
    if "services" in record or "organization_identifiers" in record or "website" in record:
        return "organization"
    return "service"


def _from_json(document: Any, label: str) -> Package:
    if (
        isinstance(document, dict)
        and document
        and all(isinstance(v, list) for v in document.values())
        and any(resource_name(k) in FILES for k in document)
    ):
        tables: Tables = {}
        for key, rows in document.items():
            tables.setdefault(resource_name(key), []).extend(_clean_row(r) for r in rows if isinstance(r, dict))
        return _without_formulas(Package(tables, label))
    records = document.get("contents") if isinstance(document, dict) and "contents" in document else document
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise PackageError(f"{label} is not HSDS JSON: expected tables, a service, an organization or a list")
    tables = {}
    for record in records:
        _flatten(record, _nested_kind(record), tables)
    return _without_formulas(Package(tables, label))


def _without_formulas(package: Package) -> Package:
    """A JSON package with its formula cells left out (JSON has no lines: the record says where)."""
    for table, rows in package.tables.items():
        for row in rows:
            where = f"{package.label} ({table} {row.get('id', '?')})"
            _drop_formulas(row, table, where, package.formula_cells)
    return package
