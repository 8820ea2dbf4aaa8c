"""The ``resource-bot`` command: thin click commands over the library.

Each command's help ends with an example; each error is one line that says what to do
next (tests pin the exact text with click's CliRunner). Commands that take more than a
second show progress on a terminal and stay quiet in a pipe.

One module per family of commands, each a thin layer over library code:

    context.py   Context (data folder, settings, clock), one-line errors, shared helpers
    group.py     the ``resource-bot`` group and its --data option
    serving.py   chat, poll, webhook
    upkeep.py    validate, load, ask, stale, coverage, import-hsds, export-hsds
    database.py  db upgrade
    links.py     topics, link, flyer
    usage.py     feedback, stats, sources
    letters.py   letter

To add a command, write it in a module of its family (or a new module) as a plain
``@click.command()`` taking ``ctx: Context`` through ``@pass_context`` (see context.py),
then register it below with one line: ``main.add_command(module.command)``. Test it with
``CliRunner().invoke(main, [...], obj=Context(clock=...))`` and the exact error text.
"""

from resource_bot.cli import database, letters, links, serving, upkeep, usage
from resource_bot.cli.context import Context, database_trouble, pass_context
from resource_bot.cli.group import main

__all__ = ["Context", "database_trouble", "main", "pass_context"]

main.add_command(serving.chat)
main.add_command(serving.poll)
main.add_command(serving.webhook)
main.add_command(upkeep.validate)
main.add_command(upkeep.load)
main.add_command(upkeep.ask)
main.add_command(upkeep.stale)
main.add_command(upkeep.coverage)
main.add_command(upkeep.import_hsds_command)
main.add_command(upkeep.export_hsds_command)
main.add_command(database.db)
main.add_command(links.topics)
main.add_command(links.link)
main.add_command(links.flyer)
main.add_command(usage.feedback)
main.add_command(usage.stats)
main.add_command(usage.sources)
main.add_command(letters.letter)
