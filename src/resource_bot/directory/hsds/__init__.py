"""Open Referral HSDS 3.0: import a package into reviewable YAML, export the directory as a package.

``import_hsds`` reads a package (CSV folder or JSON), maps it field by field
and writes YAML that ``resource-bot validate`` accepts, with a report of
everything it could not map. ``export_hsds`` writes the directory back out.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from resource_bot.directory.entries import Validation
from resource_bot.directory.hsds.exporter import Exported, build_tables, write_package
from resource_bot.directory.hsds.importer import ImportOptions, PackageImporter, TopicGuesser
from resource_bot.directory.hsds.reader import PackageError, read_package
from resource_bot.directory.hsds.report import ImportReport
from resource_bot.directory.hsds.taxonomy import MappingError, TaxonomyMap
from resource_bot.directory.hsds.writer import write_yaml

REPORT_NAME = "import-report.txt"

__all__ = [
    "REPORT_NAME",
    "ImportOptions",
    "ImportReport",
    "MappingError",
    "PackageError",
    "TopicGuesser",
    "export_hsds",
    "import_hsds",
]


def import_hsds(
    path: Path,
    out_dir: Path,
    options: ImportOptions,
    *,
    taxonomy_map: TaxonomyMap | None = None,
    guess_topics: TopicGuesser | None = None,
) -> ImportReport:
    """Read the package at ``path``, write YAML and ``import-report.txt`` into ``out_dir``, return the report.

    ``guess_topics`` gives topics to services whose taxonomy terms gave none (see TopicGuesser).
    """
    package = read_package(path)
    importer = PackageImporter(package, options, taxonomy_map or TaxonomyMap.load(), guess_topics)
    imported = importer.run()
    report = importer.report
    for cell in package.formula_cells:
        report.add("dropped", cell.table, cell.record, cell.column, cell.reason())
    # Everything is written and validated in a staging folder next to out_dir, then moved in:
    # an import that fails half-way leaves nothing behind in out_dir.
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        written = write_yaml(imported, staging, report, options.today)
        (staging / REPORT_NAME).write_text(report.render(), encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        for file in [*written, staging / REPORT_NAME]:
            file.replace(out_dir / file.name)
        report.files_written = [str(out_dir / file.name) for file in written]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def export_hsds(directory: Validation, out_dir: Path) -> Exported:
    """Write a validated directory as an HSDS package in ``out_dir``; returns the rows and any notes."""
    exported = build_tables(directory.organizations, directory.services)
    write_package(exported, out_dir)
    return exported
