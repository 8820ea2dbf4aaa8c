"""A printed page drawn once, as a list of shapes and lines of text, then saved two ways.

As a PNG, Pillow paints the list into a picture. As a PDF, fpdf2 writes the same
list as real text (selectable, searchable, read aloud by a screen reader, sharp at
any size) and vector shapes, with the fonts embedded. Both use the same pixel
layout, so what the flyer's code measures with Pillow is what prints.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]
#: PDF sizes are in points, 72 to the inch.
POINTS_PER_INCH = 72


@dataclass(frozen=True)
class _Shape:
    kind: str  # "rectangle", "rounded" or "line"
    box: Box
    fill: Color
    radius: int = 0
    width: int = 0


@dataclass(frozen=True)
class _Text:
    x: int
    y: int
    text: str
    face: ImageFont.FreeTypeFont
    fill: Color


class PrintedPage:
    """Shapes and text in pixels at ``dpi``, in drawing order; boxes are inclusive, as in Pillow."""

    def __init__(self, size: tuple[int, int], dpi: int) -> None:
        self.size = size
        self.dpi = dpi
        self._items: list[_Shape | _Text] = []

    def rectangle(self, box: Box, fill: Color) -> None:
        self._items.append(_Shape("rectangle", box, fill))

    def rounded_rectangle(self, box: Box, radius: int, fill: Color) -> None:
        self._items.append(_Shape("rounded", box, fill, radius=radius))

    def line(self, box: Box, fill: Color, width: int) -> None:
        self._items.append(_Shape("line", box, fill, width=width))

    def text(self, x: int, y: int, text: str, face: ImageFont.FreeTypeFont, fill: Color) -> None:
        """A line of text whose top (the font's ascender) is at ``y``, as Pillow draws it."""
        self._items.append(_Text(x, y, text, face, fill))

    def picture(self) -> Image.Image:
        image = Image.new("RGB", self.size, "white")
        draw = ImageDraw.Draw(image)
        for item in self._items:
            if isinstance(item, _Text):
                draw.text((item.x, item.y), item.text, font=item.face, fill=item.fill)
            elif item.kind == "rectangle":
                draw.rectangle(item.box, fill=item.fill)
            elif item.kind == "rounded":
                draw.rounded_rectangle(item.box, radius=item.radius, fill=item.fill)
            else:
                draw.line(item.box, fill=item.fill, width=item.width)
        return image

    def save_png(self, path: Path) -> None:
        self.picture().save(path, "PNG", dpi=(self.dpi, self.dpi), optimize=True)

    def save_pdf(self, path: Path, title: str) -> None:
        """One page of real text and vector shapes, each font embedded (subset to the glyphs used)."""
        scale = POINTS_PER_INCH / self.dpi
        pdf = FPDF(unit="pt", format=(self.size[0] * scale, self.size[1] * scale))
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.set_title(title)
        pdf.set_creator("resource-bot")
        pdf.add_page()
        families: dict[int, str] = {}
        with tempfile.TemporaryDirectory() as scratch:
            for item in self._items:
                if isinstance(item, _Text):
                    family = families.get(id(item.face))
                    if family is None:
                        family = families[id(item.face)] = f"face{len(families)}"
                        pdf.add_font(family, fname=_font_file(item.face, Path(scratch) / f"{family}.ttf"))
                    pdf.set_font(family, size=item.face.size * scale)
                    pdf.set_text_color(*item.fill)
                    ascent = item.face.getmetrics()[0]
                    pdf.text(item.x * scale, (item.y + ascent) * scale, item.text)  # fpdf2 places the baseline
                    continue
                x0, y0, x1, y1 = item.box
                if item.kind == "line":
                    pdf.set_draw_color(*item.fill)
                    pdf.set_line_width(item.width * scale)
                    pdf.line(x0 * scale, y0 * scale, x1 * scale, y1 * scale)
                    continue
                pdf.set_fill_color(*item.fill)
                width, height = (x1 - x0 + 1) * scale, (y1 - y0 + 1) * scale
                rounded = item.kind == "rounded"
                pdf.rect(x0 * scale, y0 * scale, width, height, style="F", round_corners=rounded,
                         corner_radius=item.radius * scale)  # fmt: skip
            pdf.output(str(path))


def _font_file(face: ImageFont.FreeTypeFont, spare: Path) -> str:
    """The face's TrueType file; Pillow's built-in font (used when DejaVu is missing) lives in memory,
    so its bytes are written to ``spare`` for fpdf2, which embeds fonts from files."""
    source = face.path
    if isinstance(source, (str, bytes, os.PathLike)):
        return os.fsdecode(source)
    if isinstance(source, io.BytesIO):
        spare.write_bytes(source.getvalue())
    else:
        source.seek(0)
        spare.write_bytes(source.read())
    return str(spare)
