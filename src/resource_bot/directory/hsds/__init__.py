"""Open Referral HSDS 3.0: import a package into reviewable YAML, export the directory as a package.

``import_hsds`` reads a package (CSV folder or JSON), maps it field by field
and writes YAML that ``resource-bot validate`` accepts, with a report of
everything it could not map. ``export_hsds`` writes the directory back out.
"""

from __future__ import annotations

from pathlib import Path

from resource_bot.dialog.matcher import NeedMatcher
from resource_bot.directory.entries import Validation
from resource_bot.directory.hsds.exporter import Exported, build_tables, write_package
from resource_bot.directory.hsds.importer import ImportOptions, PackageImporter
from resource_bot.directory.hsds.reader import PackageError, read_package
from resource_bot.directory.hsds.report import ImportReport
from resource_bot.directory.hsds.taxonomy import MappingError, TaxonomyMap
from resource_bot.directory.hsds.writer import write_yaml

REPORT_NAME = "import-report.txt"

__all__ = ["REPORT_NAME", "ImportOptions", "ImportReport", "MappingError", "PackageError", "export_hsds", "import_hsds"]


def import_hsds(path: Path, out_dir: Path, options: ImportOptions, *, taxonomy_map: TaxonomyMap | None = None,
                matcher: NeedMatcher | None = None) -> ImportReport:
    """Read the package at ``path``, write YAML and ``import-report.txt`` into ``out_dir``, return the report."""
    package = read_package(path)
    importer = PackageImporter(package, options, taxonomy_map or TaxonomyMap.load(), matcher)
    imported = importer.run()
    write_yaml(imported, out_dir, importer.report, options.today)
    (out_dir / REPORT_NAME).write_text(importer.report.render(), encoding="utf-8")
    return importer.report


def export_hsds(directory: Validation, out_dir: Path) -> Exported:
    """Write a validated directory as an HSDS package in ``out_dir``; returns the rows and any notes."""
    exported = build_tables(directory.organizations, directory.services)
    write_package(exported, out_dir)
    return exported

