"""Directory upkeep: ``validate``, ``load``, ``ask``, ``stale``, ``coverage``, ``import-hsds``, ``export-hsds``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from resource_bot.cli.context import Context, data_paths, pass_context, progress, stop_on_problems
from resource_bot.directory.entries import Problem, ServiceEntry, count_problems


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--guides",
    "guides_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of guides to check (default: the bundled conversations/guides).",
)
@pass_context
def validate(ctx: Context, paths: tuple[Path, ...], guides_dir: Path | None) -> None:
    """Check directory YAML files and the guides; print every problem as file:line.

    Exit status 1 when any problem is found. With no PATH, checks the data folder,
    and that every line a guide ends with is a service in it.

    \b
    Example:
      resource-bot validate data/
      resource-bot validate data/legal.yaml
      resource-bot validate --guides conversations/guides
    """
    from resource_bot.dialog.guidecheck import check_folder
    from resource_bot.directory.validate import validate_paths
    from resource_bot.paths import conversations_dir

    result = validate_paths(data_paths(ctx, paths), today=ctx.today())
    known = None if paths else {service.id for service in result.services}
    _, guide_problems = check_folder(guides_dir or conversations_dir() / "guides", known)
    problems = [*result.problems, *_bridge_problems(result.services, whole=not paths), *guide_problems]
    stop_on_problems(problems, ". Fix them and run validate again.")
    click.echo(f"OK: {len(result.services)} services in {len(result.files)} file(s).")


def _bridge_problems(services: list[ServiceEntry], *, whole: bool) -> list[Problem]:
    """The interpreter bridge file: every language has every line, and its number is the hotline's.

    The number is checked when the hotline is among the files checked (always for the whole folder).
    """
    from resource_bot.dialog.bridge import BRIDGE_FILE, BridgeError, check_number, read_bridge
    from resource_bot.paths import conversations_dir

    path = conversations_dir() / BRIDGE_FILE
    try:
        bridge = read_bridge(path)
    except BridgeError as exc:
        return [Problem(path, 0, str(exc).removeprefix(f"{path}: "))]
    voice = {s.id: tuple(p.number for p in s.phones if p.kind == "voice") for s in services}
    if not whole and bridge.service not in voice:
        return []
    return [Problem(path, 0, message.split(": ", 1)[1]) for message in check_number(bridge, voice)]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@pass_context
def load(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Validate, then replace the whole directory in the database in one step.

    If any file has a problem, nothing changes: the bot keeps serving the
    directory it had. Uses DATABASE_URL (default: the embedded SQLite file).

    \b
    Example:
      resource-bot load
      DATABASE_URL=postgresql://localhost/bot resource-bot load data/
    """
    from resource_bot.db import make_engine
    from resource_bot.directory.load import replace_directory
    from resource_bot.directory.validate import validate_paths

    result = validate_paths(data_paths(ctx, paths), today=ctx.today())
    stop_on_problems(result.problems, "; the directory was not changed. Fix them and run load again.")
    engine = make_engine(ctx.settings.database_url)
    with progress(len(result.services), "Loading services") as step:
        replace_directory(engine, result.organizations, result.services, result.files, step)
    click.echo(f"Loaded {len(result.services)} services from {len(result.files)} file(s).")


@click.command()
@click.argument("text", nargs=-1)
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True, help="The asker's language.")
@click.option("--zip", "zip_code", metavar="ZIP", help="Only services serving this ZIP code (or nationwide).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per request, one per line.")
@pass_context
def ask(ctx: Context, text: tuple[str, ...], lang: str, zip_code: str | None, as_json: bool) -> None:
    """Show what the bot's need matcher makes of a typed request.

    For maintainers tuning the keyword files in conversations/keywords/.
    With no TEXT, reads one request per line from standard input.

    \b
    Example:
      resource-bot ask need lawer
      resource-bot ask --lang es --zip 77002 mi jefe no me paga
      printf 'wage theft\\nfoood\\n' | resource-bot ask --json
    """
    from resource_bot.asking import answer, format_answer
    from resource_bot.directory.zip_index import place_from_zip

    place = None
    if zip_code is not None:
        place = place_from_zip(zip_code)
        if place is None:
            raise click.BadParameter(
                f"{zip_code!r} is not a US ZIP code; give five digits like 77002.", param_hint="--zip"
            )
    runtime = ctx.runtime()
    requests = [" ".join(text)] if text else (line.rstrip("\n") for line in sys.stdin)
    for request in requests:
        if not request.strip():
            continue
        result = answer(runtime.dialog, request, lang, place)
        click.echo(format_answer(result, as_json=as_json))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--days", type=click.IntRange(min=1), default=180, show_default=True, help="Stale after this.")
@pass_context
def stale(ctx: Context, paths: tuple[Path, ...], days: int) -> None:
    """List entries whose `verified:` date is older than --days, oldest first, as file:line.

    Exit status 1 when any is found (or a file has problems), so it can run in
    CI or a weekly cron job. With no PATH, checks the data folder.

    \b
    Example:
      resource-bot stale
      resource-bot stale --days 365 data/legal.yaml
    """
    from resource_bot.maintenance import stale_entries

    report = stale_entries(data_paths(ctx, paths), days=days, today=ctx.today())
    for entry in report.entries:
        click.echo(str(entry))
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.problems:
        click.echo(f"{count_problems(report.problems)} problem(s); run `resource-bot validate` and fix them.", err=True)
    if report.entries:
        click.echo(
            f"{len(report.entries)} {'entry' if len(report.entries) == 1 else 'entries'} not verified "
            f"in {days} days. "
            "Check each against its `source` page, update `verified:`, then run stale again.",
            err=True,
        )
    if report.entries or report.problems:
        sys.exit(1)
    click.echo(f"OK: every entry was verified in the last {days} days.")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--state", "states", multiple=True, metavar="XX", help="Only these states (repeat for more).")
@pass_context
def coverage(ctx: Context, paths: tuple[Path, ...], states: tuple[str, ...]) -> None:
    """Print a states x topics table of what the directory holds, to see the gaps.

    The first row counts national services (they show everywhere); each state's
    row counts the local services there, with "." where there are none. With
    no PATH, reads the data folder.

    \b
    Example:
      resource-bot coverage
      resource-bot coverage --state TX --state MT data/
    """
    from resource_bot.directory.catalog import listing_from_entry
    from resource_bot.directory.coverage import STATES, coverage_of, format_table
    from resource_bot.directory.validate import validate_paths

    wanted = tuple(s.strip().upper() for s in states)
    if unknown := [s for s in wanted if s not in STATES]:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not a US state code; use two letters like TX.", param_hint="--state"
        )
    result = validate_paths(data_paths(ctx, paths), today=ctx.today())
    stop_on_problems(result.problems, ". Fix them with `resource-bot validate` first.")
    listings = (listing_from_entry(e) for e in result.services if e.status == "active")
    click.echo(format_table(coverage_of(listings), wanted or STATES))


@click.command("import-hsds")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the YAML files and import-report.txt; must hold no .yaml files yet.",
)
@click.option("--source", "source_url", help="Page to cite as `source` for records without a url of their own.")
@click.option(
    "--area",
    "default_area",
    help='Area for services whose own cannot be placed: "national", a state, "Harris County, TX".',
)
@click.option("--no-matcher", is_flag=True, help="Do not guess topics from names and descriptions.")
@pass_context
def import_hsds_command(
    ctx: Context, path: Path, out_dir: Path, source_url: str | None, default_area: str | None, no_matcher: bool
) -> None:
    """Import an Open Referral HSDS 3 package into YAML files that `validate` accepts.

    PATH is a folder of HSDS CSV files (with datapackage.json or without) or an
    HSDS JSON file. Taxonomy terms become topics through taxonomy_map.yaml;
    everything that could not be mapped is listed, with the reason, in
    OUT/import-report.txt. Review the files before moving them into data/.

    \b
    Example:
      resource-bot import-hsds hsds-export/ --out imported/
      resource-bot import-hsds services.json --out imported/ --area "Harris County, TX"
    """
    from resource_bot.directory.hsds import REPORT_NAME, ImportOptions, PackageError, import_hsds
    from resource_bot.directory.place_names import resolve_place_name
    from resource_bot.directory.service_area import NATIONAL

    if out_dir.is_dir() and any(out_dir.glob("*.yaml")):
        raise click.ClickException(f"{out_dir} already has .yaml files; choose an empty folder for the import.")
    area = None
    if default_area:
        area = NATIONAL if default_area.strip().casefold() == "national" else resolve_place_name(default_area)
        if area is None:
            raise click.ClickException(
                f"--area {default_area!r} is not a place the bot knows; "
                'try "national", "Texas", "Harris County, TX" or "Austin, TX".'
            )
    matcher = None
    if not no_matcher:
        from resource_bot.matching.need_matcher import NeedMatcher
        from resource_bot.paths import conversations_dir

        matcher = NeedMatcher.from_directory(conversations_dir(), [])
    options = ImportOptions(today=ctx.today(), source=source_url, default_area=area)
    try:
        report = import_hsds(path, out_dir, options, guess_topics=matcher.guess_topics if matcher else None)
    except PackageError as exc:
        raise click.ClickException(f"{exc}\nPoint PATH at the package folder or its .json file.") from None
    click.echo(report.summary())
    click.echo(
        f"Wrote {len(report.files_written)} file(s) to {out_dir}; "
        f"read {out_dir / REPORT_NAME} before review, then `resource-bot validate {out_dir}`."
    )


@click.command("export-hsds")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def export_hsds_command(ctx: Context, out_dir: Path) -> None:
    """Write the directory as an Open Referral HSDS 3 data package (CSV files + datapackage.json).

    Exports the data folder (or --data). Fields HSDS has no column for, like
    topics, Spanish text and SMS keywords, travel as `resource-bot` attributes,
    so `import-hsds` reads the package back unchanged.

    \b
    Example:
      resource-bot export-hsds hsds-export/
      resource-bot --data tests/fixtures export-hsds /tmp/hsds
    """
    from resource_bot.directory.hsds import export_hsds
    from resource_bot.directory.validate import validate_paths

    result = validate_paths([ctx.settings.data_dir], today=ctx.today())
    stop_on_problems(result.problems, "; nothing exported. Fix them and try again.")
    exported = export_hsds(result, out_dir)
    for note in exported.notes:
        click.echo(note, err=True)
    click.echo(f"Exported {len(result.services)} services as HSDS to {out_dir}.")
