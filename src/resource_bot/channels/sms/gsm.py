"""Text an SMS carries in 7 bits, and how much of it fits in one message.

One character outside the GSM 03.38 alphabet (an emoji, a curly quote, an
"á") turns a whole message into UCS-2, with 70 characters to a segment instead
of 160: three times the cost, and some old phones show boxes. So every reply is
made of GSM-7 characters only.

The alphabet is the one in 3GPP TS 23.038 (GSM 03.38), read from the
``gsm0338`` codec rather than copied here. What we chose for Spanish: the
characters the basic table has stay as they are (é É ñ Ñ ü Ü à ¿ ¡), and only
the others lose their accent: á í ó ú Á Í Ó Ú become a i o u A I O U, since
"qué" and "niño" read right in GSM-7 and "está" reads well as "esta". Quotes
and dashes become their plain forms; emoji and symbols go (the words beside
them stay, as the conversations files require).

Segments: a message of up to 160 septets is one segment; a longer one is sent
in parts of 153 septets (the rest of each part holds the header that joins
them). Characters of the extension table (``€ [ ] { } ~ ^ | \\``) take two
septets, which a part never splits.
"""

from __future__ import annotations

import re
import unicodedata

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

CODEC = "gsm03.38"
#: Septets in a message sent whole, and in each part of a longer one.
SINGLE = 160
PART = 153
#: The most segments one message may use (more is sent as several messages).
MAX_SEGMENTS = 3
#: Plain forms of common characters that GSM-7 lacks and that an accent strip does not reach.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "-",
        "\u00b7": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\t": " ",
        "\u00b0": " ",
    }
)
_SPACES = re.compile(r"[ ]{2,}")
#: The gap a dropped emoji leaves inside brackets: "(🇺🇸 Nationwide)" -> "( Nationwide)".
_BRACKET_GAPS = re.compile(r"(?<=\() +| +(?=\))")


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM-7 basic or extension table."""
    try:
        text.encode(CODEC)
    except UnicodeEncodeError:
        return False
    return True


def _char(char: str) -> str:
    if is_gsm7(char):
        return char
    plain = char.translate(_PLAIN)
    if plain != char:
        return plain
    # "á" is "a" plus a combining accent: keep the letter when it is GSM-7.
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base if base and is_gsm7(base) else ""


def to_gsm7(text: str) -> str:
    """``text`` in GSM-7 characters only, each line tidied of the gaps dropped emoji leave."""
    if is_gsm7(text):
        return text
    kept = "".join(_char(char) for char in text)
    return "\n".join(_BRACKET_GAPS.sub("", _SPACES.sub(" ", line)).strip() for line in kept.split("\n"))


def _units(text: str) -> list[int]:
    """The septets of each character: 1, or 2 for the extension table (``text`` must be GSM-7)."""
    return [len(char.encode(CODEC)) for char in text]


def septets(text: str) -> int:
    return sum(_units(text))


def segments(text: str) -> int:
    """How many segments a GSM-7 message of ``text`` is sent in."""
    units = _units(text)
    if sum(units) <= SINGLE:
        return 1
    count, used = 1, 0
    for size in units:
        if used + size > PART:
            count, used = count + 1, 0
        used += size
    return count


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    return segments(text) <= max_segments


def _pieces(block: str, max_segments: int) -> list[str]:
    """A block too long for one message, cut at lines, then sentences, then words, then anywhere."""
    for pattern in (r"(?<=\n)", r"(?<=[.!?:])\s+", r"\s+"):
        parts = [p for p in re.split(pattern, block) if p.strip()]
        if len(parts) > 1:
            return pack(parts, max_segments, joiner="\n" if pattern == r"(?<=\n)" else " ")
    # One word longer than a message (a long link): cut by characters.
    cut, rest = "", block
    out = []
    for char in rest:
        if not fits(cut + char, max_segments):
            out.append(cut)
            cut = ""
        cut += char
    return [*out, cut] if cut else out


def pack(blocks: list[str], max_segments: int = MAX_SEGMENTS, *, joiner: str = "\n\n") -> list[str]:
    """Join ``blocks`` into as few messages as fit ``max_segments`` each, never splitting a block that fits.

    The blocks keep their order: the emergency lines that come first stay first.
    """
    messages: list[str] = []
    current = ""
    for raw in blocks:
        block = raw.strip("\n")
        if not block.strip():
            continue
        joined = f"{current}{joiner}{block}" if current else block
        if fits(joined, max_segments):
            current = joined
            continue
        if current:
            messages.append(current)
            current = ""
        if fits(block, max_segments):
            current = block
        else:
            *whole, current = _pieces(block, max_segments)
            messages.extend(whole)
    if current:
        messages.append(current)
    return messages
