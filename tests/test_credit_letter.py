"""`resource-bot letter credit-block`: a blank letter to each credit bureau, one Letter page each, real text."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from resource_bot.cli import Context, main

BUREAUS = ("Equifax", "Experian", "TransUnion")


def make_letter(tmp_path: Path, lang: str) -> PdfReader:
    out = tmp_path / f"letter-{lang}.pdf"
    result = CliRunner().invoke(main, ["letter", "credit-block", "--lang", lang, "--out", str(out)], obj=Context())
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}: 3 pages, one per credit bureau (credit-block, {lang}).\n"
    return PdfReader(out)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_one_letter_page_per_bureau_with_the_law_and_where_to_send_it(tmp_path: Path, lang: str) -> None:
    reader = make_letter(tmp_path, lang)
    assert len(reader.pages) == 3
    for page, bureau in zip(reader.pages, BUREAUS, strict=True):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792), "US Letter"
        text = page.extract_text()
        assert bureau in text.splitlines()[1]
        assert "15 U.S.C. 1681c-3" in text and "12 CFR 1022.142" in text
        assert "1-888-373-7888" in text and "911" in text
    assert "transunion.com/human-trafficking" in reader.pages[2].extract_text()
    equifax = "".join(reader.pages[0].extract_text().split())  # the long address may wrap
    assert "equifax.com/personal/education/credit/report/credit-reporting-human-trafficking" in equifax


def test_the_spanish_letter_is_in_spanish_with_blanks_to_fill_by_hand(tmp_path: Path) -> None:
    text = make_letter(tmp_path, "es").pages[0].extract_text()
    assert "Solicitud para bloquear información que resultó de la trata" in text
    for blank in ("Nombre completo:", "Fecha de nacimiento:", "Firma:", "1.", "8."):
        assert blank in text
    assert "HHS" in text


def test_every_personal_detail_is_a_labelled_blank_line(tmp_path: Path) -> None:
    text = make_letter(tmp_path, "en").pages[1].extract_text()
    lines = text.splitlines()
    assert "Full name:" in lines and "Date of birth:" in lines and "Signature:" in lines


def test_a_file_that_is_not_a_pdf_gets_a_one_line_answer(tmp_path: Path) -> None:
    out = tmp_path / "letter.png"
    result = CliRunner().invoke(main, ["letter", "credit-block", "--out", str(out)], obj=Context())
    assert result.exit_code == 1
    assert result.output == f"Error: Cannot write {out}: the letter is a PDF; name the file like letter.pdf.\n"
    assert not out.exists()


def test_an_unknown_letter_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["letter", "eviction", "--out", str(tmp_path / "x.pdf")], obj=Context())
    assert result.exit_code == 2
    assert "'eviction' is not 'credit-block'" in result.output


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(main, ["letter", "--help"])
    assert "resource-bot letter credit-block --lang es --out carta-credito.pdf" in result.output
