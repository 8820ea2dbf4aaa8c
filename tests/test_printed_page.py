"""A printed page saved as PDF holds real text and shapes, in the font the layout measured with."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageFont
from pypdf import PdfReader

from resource_bot.printed_page import PrintedPage

DPI = 300
LETTER = (int(8.5 * DPI), 11 * DPI)


def page_with(face: ImageFont.FreeTypeFont) -> PrintedPage:
    page = PrintedPage(LETTER, DPI)
    page.rectangle((0, 0, LETTER[0] - 1, 300), (17, 75, 95))
    page.text(180, 120, "Ayuda gratis y privada: llame al 911", face, (255, 255, 255))
    page.line((180, 500, 2370, 500), (206, 212, 218), 4)
    page.rounded_rectangle((180, 600, 900, 900), 36, (232, 241, 243))
    return page


def font(kind: str) -> ImageFont.FreeTypeFont:
    if kind == "built-in":
        built_in = ImageFont.load_default(size=60)  # a FreeType font whenever Pillow has FreeType
        assert isinstance(built_in, ImageFont.FreeTypeFont)
        return built_in
    try:
        return ImageFont.truetype("DejaVuSans.ttf", 60)
    except OSError:
        pytest.skip("DejaVu Sans is not installed on this machine")


@pytest.mark.parametrize("kind", ["built-in", "file"], ids=["Pillow's font, held in memory", "a font file"])
def test_the_pdf_is_one_letter_page_of_real_text(tmp_path: Path, kind: str) -> None:
    chosen = font(kind)
    out = tmp_path / "page.pdf"

    page_with(chosen).save_pdf(out, title="test page")

    reader = PdfReader(out)
    (page,) = reader.pages
    assert [float(v) for v in page.mediabox] == [0, 0, 612, 792]
    assert page.extract_text().strip() == "Ayuda gratis y privada: llame al 911"
    assert not page.images
    assert reader.metadata is not None and reader.metadata.title == "test page"
