"""What people used and reported: ``feedback``, ``stats`` and the ``sources`` they are counted by."""

from __future__ import annotations

from pathlib import Path

import click

from resource_bot.cli.context import Context, open_database, pass_context, served_directory


@click.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "include_done", is_flag=True, help="Also list reports already marked done.")
@click.option("--done", is_flag=True, help="Mark the report IDs given as done.")
@pass_context
def feedback(ctx: Context, ids: tuple[int, ...], include_done: bool, done: bool) -> None:
    """List "report a problem" reports per listing, or mark them done.

    Each listing shows its name, file:line, and the report ids per reason.
    Fix the entry, `resource-bot load`, then mark its reports done.

    \b
    Example:
      resource-bot feedback
      resource-bot feedback --done 12 15
    """
    from resource_bot.feedback import list_reports, mark_done
    from resource_bot.maintenance import feedback_by_listing

    engine = open_database(ctx)
    if done or ids:
        if not (done and ids):
            hint = "Give --done and the report ids, like: resource-bot feedback --done 12 15"
            raise click.ClickException(hint)
        known = {report.id: report for report in list_reports(engine, include_done=True)}
        marked = mark_done(engine, ids, today=ctx.today())
        click.echo(f"Marked {marked} report(s) done.")
        if already := sorted({i for i in ids if i in known and known[i].done_on is not None}):
            click.echo(f"Already done before: {', '.join(map(str, already))}.", err=True)
        if unknown := sorted({i for i in ids if i not in known}):
            raise click.ClickException(
                f"No report has the id{'s' if len(unknown) > 1 else ''} {', '.join(map(str, unknown))}; "
                f"nothing was marked for {'them' if len(unknown) > 1 else 'it'}. "
                "See every report id with: resource-bot feedback --all"
            )
        return
    served_directory(ctx, engine)
    groups = feedback_by_listing(engine, include_done=include_done)
    if not groups:
        click.echo("No open reports." if not include_done else "No reports.")
        return
    for group in groups:
        click.echo("\n".join(group.lines()))
    total = sum(len(g.open) for g in groups)
    click.echo(f"{total} open report(s) on {sum(1 for g in groups if g.open)} listing(s).", err=True)


@click.command()
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="Days to cover.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw a chart: FILE.png.")
@pass_context
def stats(ctx: Context, days: int, chart: Path | None) -> None:
    """Print anonymous usage counts: totals by kind and value, then one line per day for each kind.

    Counts only: no chat ids, no text. Use --chart for a picture to share.

    \b
    Example:
      resource-bot stats
      resource-bot stats --days 90 --chart stats.png
    """
    from resource_bot.maintenance import draw_stats_chart, stats_lines, summarize

    if chart is not None and chart.suffix.lower() != ".png":
        raise click.ClickException(f"{chart.name}: the chart is a PNG image; name it like stats.png")
    summary = summarize(open_database(ctx), days=days, today=ctx.today())
    click.echo("\n".join(stats_lines(summary)))
    if chart is not None:
        try:
            draw_stats_chart(summary, chart)
        except OSError as exc:
            message = f"Could not write {chart}: {exc.strerror}; choose another file."
            raise click.ClickException(message) from None
        click.echo(f"Wrote the chart to {chart}.", err=True)


@click.group()
def sources() -> None:
    """The link source tags counted by name in `resource-bot stats`; every other tag counts as "other".

    A source tag is whatever a link says, so only tags you made for a place (a clinic's
    flyer, a shelter's poster) are counted under their own name. Kept in the database
    (DATABASE_URL), so every bot process counts the same way.

    \b
    Example:
      resource-bot sources add clinic4
      resource-bot link --topic trafficking --source clinic4 --qr clinic4.png
    """


@sources.command("add")
@click.argument("tags", nargs=-1, required=True)
@pass_context
def sources_add(ctx: Context, tags: tuple[str, ...]) -> None:
    """List source tags, so their links are counted under their own names.

    \b
    Example:
      resource-bot sources add clinic4 shelter_b
    """
    from resource_bot.sources import SourceError, add_sources

    try:
        added = add_sources(open_database(ctx), tags)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    if added:
        click.echo(f"Listed {', '.join(added)}: links with these tags now count under their own names.")
    already = sorted(set(tags) - set(added))
    if already:
        click.echo(f"{', '.join(already)}: already listed.")


@sources.command("list")
@pass_context
def sources_list(ctx: Context) -> None:
    """Show the listed source tags, with the day each was listed.

    \b
    Example:
      resource-bot sources list
    """
    from resource_bot.sources import list_sources

    listed = list_sources(open_database(ctx))
    if not listed:
        click.echo('No sources listed; every source tag counts as "other". Add one: resource-bot sources add clinic4')
        return
    for source in listed:
        click.echo(f"{source.tag:<20} listed {source.added_on}")


@sources.command("remove")
@click.argument("tags", nargs=-1, required=True)
@pass_context
def sources_remove(ctx: Context, tags: tuple[str, ...]) -> None:
    """Unlist source tags: their links count as "other" from now on (past counts stay).

    \b
    Example:
      resource-bot sources remove clinic4
    """
    from resource_bot.sources import remove_sources

    removed = remove_sources(open_database(ctx), tags)
    if removed:
        click.echo(f'Unlisted {", ".join(removed)}: their links now count as "other"; past counts stay.')
    missing = sorted(set(tags) - set(removed))
    if missing:
        click.echo(f"{', '.join(missing)}: not listed, nothing to do. See: resource-bot sources list", err=True)
