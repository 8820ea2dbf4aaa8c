"""The blank credit-block letter: one US Letter page per credit bureau, filled in by hand.

A trafficking survivor can ask each nationwide credit bureau to block adverse
information that resulted from the trafficking (FCRA section 605C, 15 U.S.C.
1681c-3, and Regulation V, 12 CFR 1022.142). The words, the bureaus and the
sources live in ``conversations/letters/credit-block.yaml``; this module lays
them out with fpdf2 as real, selectable text. It asks for nothing and keeps
nothing: every personal detail is a blank line for a pen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from fpdf import FPDF

LETTER_FILE = Path("letters") / "credit-block.yaml"
LANGUAGES = ("en", "es")
#: Every word the letter needs, in each language.
WORDS = (
    *("title", "to", "date", "body", "me", "fields", "items"),
    *("enclosed", "enclosures", "reply", "sign", "tips", "help"),
)
#: How many lines the person gets for the items to block.
ITEM_LINES = 8
_MARGIN = 54  # points: three quarters of an inch
_FONT = "helvetica"  # a PDF core font: Latin-1 letters, which Spanish fits in


class LetterError(Exception):
    """The letter's file is missing something; the message says what to fix."""


@dataclass(frozen=True)
class Bureau:
    name: str
    where: dict[str, str]


@dataclass(frozen=True)
class LetterWords:
    bureaus: tuple[Bureau, ...]
    words: dict[str, dict[str, str]]


def read_letter(path: Path) -> LetterWords:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        bureaus = tuple(
            Bureau(str(b["name"]), {lang: str(b["where"][lang]) for lang in LANGUAGES}) for b in raw["bureaus"]
        )
        words = {lang: {key: " ".join(str(raw["words"][lang][key]).split()) for key in WORDS} for lang in LANGUAGES}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise LetterError(f"{path} cannot be used ({exc!r}); see the comment at its top") from None
    return LetterWords(bureaus, words)


def _blank(pdf: FPDF, label: str, width: float) -> None:
    """A label and a line to write on, one row high."""
    pdf.set_font(_FONT, size=10)
    pdf.cell(pdf.get_string_width(label) + 6, 22, label)
    x, y = pdf.get_x(), pdf.get_y() + 18
    pdf.line(x, y, _MARGIN + width, y)
    pdf.ln(22)


def _page(pdf: FPDF, bureau: Bureau, words: dict[str, str], lang: str) -> None:
    width = pdf.w - 2 * _MARGIN
    pdf.add_page()
    pdf.set_font(_FONT, style="B", size=14)
    pdf.multi_cell(width, 18, words["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(_FONT, style="B", size=12)
    pdf.cell(width, 16, words["to"].format(bureau=bureau.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=9)
    pdf.multi_cell(width, 12, bureau.where[lang], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _blank(pdf, words["date"], width / 2)
    pdf.set_font(_FONT, size=10)
    pdf.multi_cell(width, 13, words["body"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(_FONT, style="B", size=11)
    pdf.cell(width, 16, words["me"], new_x="LMARGIN", new_y="NEXT")
    for field in words["fields"].split("|"):
        _blank(pdf, f"{field}:", width)
    pdf.ln(4)
    pdf.set_font(_FONT, style="B", size=11)
    pdf.multi_cell(width, 14, words["items"], new_x="LMARGIN", new_y="NEXT")
    for number in range(1, ITEM_LINES + 1):
        _blank(pdf, f"{number}.", width)
    pdf.ln(4)
    pdf.set_font(_FONT, style="B", size=11)
    pdf.cell(width, 16, words["enclosed"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=10)
    for enclosure in words["enclosures"].split("|"):
        pdf.multi_cell(width, 13, f"[  ]  {enclosure}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(width, 16, words["reply"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _blank(pdf, f"{words['sign']}:", width)
    pdf.ln(6)
    pdf.set_font(_FONT, size=8.5)
    pdf.multi_cell(width, 11, words["tips"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, style="B", size=8.5)
    pdf.multi_cell(width, 11, words["help"], new_x="LMARGIN", new_y="NEXT")


def save_letter(letter: LetterWords, lang: str, path: Path) -> int:
    """Write the PDF; returns its number of pages (one per bureau)."""
    pdf = FPDF(unit="pt", format="Letter")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_title(letter.words[lang]["title"])
    pdf.set_creator("resource-bot")
    for number, bureau in enumerate(letter.bureaus, start=1):
        _page(pdf, bureau, letter.words[lang], lang)
        if pdf.page != number or pdf.get_y() > pdf.h - _MARGIN / 2:
            raise LetterError(f"the {bureau.name} page does not fit on one Letter page; shorten the words")
    pdf.output(str(path))
    return pdf.page
