"""``letter``: print a blank request letter to fill in by hand."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("kind", type=click.Choice(["credit-block"]))
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True, help="The letter's language.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.pdf to write.")
def letter(kind: str, lang: str, out: Path) -> None:
    """Print a blank letter (PDF) that a person fills in by hand.

    credit-block: a trafficking survivor's request to each credit bureau
    (Equifax, Experian, TransUnion) to block information that resulted from
    the trafficking (15 U.S.C. 1681c-3, 12 CFR 1022.142). One US Letter page
    per bureau, with where to send it. It asks for no personal details and
    stores none: every detail is a blank line.

    \b
    Example:
      resource-bot letter credit-block --lang es --out carta-credito.pdf
    """
    from resource_bot.credit_letter import LETTER_FILE, LetterError, read_letter, save_letter
    from resource_bot.paths import conversations_dir

    if out.suffix.lower() != ".pdf":
        raise click.ClickException(f"Cannot write {out}: the letter is a PDF; name the file like letter.pdf.")
    try:
        pages = save_letter(read_letter(conversations_dir() / LETTER_FILE), lang, out)
    except LetterError as exc:
        raise click.ClickException(f"Cannot make the letter: {exc}.") from None
    except OSError as exc:
        raise click.ClickException(f"Cannot write {out}: {exc.strerror}; choose a folder you can write to.") from None
    click.echo(f"Wrote {out}: {pages} pages, one per credit bureau ({kind}, {lang}).")
