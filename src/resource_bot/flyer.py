"""A one-page printable flyer: QR code, link, a few words about the topic, and hotline numbers.

It hangs in waiting rooms and clinics, where many people will not scan
anything, so the key numbers are written out large, and every number comes
from the directory (never typed here), but for the clinic's own, which the
case worker gives. Laid out with Pillow's font metrics at 300 dpi on US
Letter, saved as a PNG picture or a one-page PDF of real text (printed_page.py).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from PIL import Image, ImageFont

from resource_bot.dialog.menus import Menus
from resource_bot.directory import topics
from resource_bot.directory.catalog import Catalog, Found, Listing, pick
from resource_bot.directory.states import state_name
from resource_bot.directory.zip_index import place_from_zip
from resource_bot.printed_page import PrintedPage
from resource_bot.sharing import make_qr

DPI = 300
PAGE = (int(8.5 * DPI), 11 * DPI)  # US Letter
MARGIN = int(0.6 * DPI)
#: Always on the flyer, in this order: emergency, crisis line, trafficking hotline.
KEY_SERVICES = ("us-911", "lifeline-988", "nhth")
MORE_SERVICES = 3
SUFFIXES = (".png", ".pdf")
FOOTER_TOP = PAGE[1] - DPI
#: The footer grows by one line for the clinic's own name and number.
CLINIC_LINE = int(0.27 * DPI)
CLINIC_NAME_MAX = 60
INTRO_SIZE = 54

INK, MUTED, RULE = (24, 32, 41), (72, 84, 96), (206, 212, 218)
BRAND, BRAND_LIGHT, DANGER = (17, 75, 95), (232, 241, 243), (180, 35, 24)
WHITE, BLACK = (255, 255, 255), (0, 0, 0)
FONT = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}

#: Intro sentences that talk about buttons on the screen make no sense on paper.
_SCREEN_TALK = re.compile(r"\b(below|tap|button|abajo|toque|botón)\b", re.IGNORECASE)


class FlyerError(Exception):
    """The flyer cannot be made; the message says what to change."""


@dataclass(frozen=True)
class Hotline:
    name: str
    number: str
    more: str = ""


@dataclass(frozen=True)
class FlyerContent:
    lang: str
    #: The flyer's words in ``lang``, from conversations/<lang>.yaml.
    words: Mapping[str, str]
    title: str
    intro: str
    link: str
    hotlines: tuple[Hotline, ...]
    checked: dt.date
    zip: str | None = None
    #: Whether the directory has local services for the topic near ``zip``; the flyer promises only then.
    local: bool = False
    #: The clinic's own name and number, as the case worker gave them (see clinic_line).
    clinic: str = ""


@dataclass(frozen=True)
class Flyer:
    page: PrintedPage
    #: Where the QR code's first module (border included) starts, and the size of one module in pixels.
    qr_origin: tuple[int, int]
    module_px: int
    #: Hotline rows that fit on the page (the key ones always do).
    numbers_shown: int

    @property
    def image(self) -> Image.Image:
        return self.page.picture()


def plain(text: str) -> str:
    """Menu text without emoji, which print fonts do not have."""
    kept = (ch for ch in text if unicodedata.category(ch) != "So" and ch not in "\ufe0f\u200d")
    return " ".join("".join(kept).split())


def _paper_intro(intro: str) -> str:
    """Whole sentences of the topic's intro, as many as fit in three lines, none about buttons."""
    face, kept = font("regular", INTRO_SIZE), ""
    for sentence in re.split(r"(?<=[.!?])\s+", plain(intro)):
        longer = f"{kept} {sentence}".strip()
        if _SCREEN_TALK.search(sentence) or len(wrap(longer, face, PAGE[0] - 2 * MARGIN)) > 3:
            continue
        kept = longer
    return kept


def _hotline(listing: Listing, lang: str, words: Mapping[str, str]) -> Hotline | None:
    voice = [p.number for p in listing.phones if p.kind == "voice"]
    texts = [
        words["text_keyword"].format(keyword=p.keyword, number=p.number)
        if p.keyword
        else words["text"].format(number=p.number)
        for p in listing.phones
        # An SMS line with a caveat but no keyword (text-to-911 "only in some areas") is left to the chat.
        if p.kind == "sms" and (p.keyword or not p.note)
    ]
    if not voice and not texts:
        # Web-only services (most legal help) still belong on paper, by their short address.
        return Hotline(pick(listing.name, lang), "", short_url(listing.website)) if listing.website else None
    number = voice[0] if voice else texts.pop(0)
    return Hotline(pick(listing.name, lang), number, " · ".join(dict.fromkeys(texts)))


def _local_hotline(found: Found, lang: str, words: Mapping[str, str]) -> Hotline | None:
    """A local service on paper: its number (or short web address) and town only; never a street.

    A state office with no address of its own is printed with its state's name, so the flyer's
    "help near ZIP code" promise is kept by what the chat shows for that ZIP.
    """
    listing = found.listing
    hotline = _hotline(listing, lang, words)
    if hotline is None:
        return None
    town = next((", ".join(p for p in (loc.city, loc.state) if p) for loc in listing.locations if loc.city), "")
    if not town and not listing.locations:
        town = ", ".join(state_name(code, lang) for code in listing.area.states)
    return Hotline(hotline.name, hotline.number, " · ".join(part for part in (town, hotline.more) if part))


def short_url(url: str) -> str:
    """``https://www.lawhelp.org/`` as people type it: ``lawhelp.org``."""
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def _for_paper(listing: Listing, topic: str) -> bool:
    """Whether a service's lines belong under "Call or text now" on this topic's flyer.

    Its main topic must be this topic (or the parent a subtopic borrows from), or it must
    answer day and night. A service that only lists the topic among others does not: on the
    trafficking flyer, TransUnion's identity-check line and the CyberTipline are steps for some
    survivors, not lines to call now.
    """
    main = listing.topics[0]
    home = topics.parent_of(topic) or topic
    return topics.within(main, topic) or topics.within(main, home) or listing.always_open()


def clinic_line(name: str | None, phone: str | None) -> str:
    """The clinic's name and number as printed ("Riverside Clinic · 713-555-0100"); FlyerError if odd."""
    parts = []
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > CLINIC_NAME_MAX:
            raise FlyerError(f'--clinic-name must be 1-{CLINIC_NAME_MAX} characters, like "Riverside Clinic"')
        parts.append(name)
    if phone is not None:
        phone = " ".join(phone.split())
        try:
            possible = phonenumbers.is_possible_number(phonenumbers.parse(phone, "US"))
        except phonenumbers.NumberParseException:
            possible = False
        if not possible or re.search(r"[A-Za-z]", phone):
            raise FlyerError(f"--clinic-phone {phone!r} is not a phone number; write it like 713-555-0100")
        parts.append(phone)
    return " · ".join(parts)


def flyer_content(
    topic: str,
    lang: str,
    link: str,
    catalog: Catalog,
    menus: Menus,
    *,
    zip_code: str | None = None,
    clinic: str = "",
    discreet: bool = False,
) -> FlyerContent:
    """What goes on the page: numbers only from the directory (and the clinic's own), words only from the menus.

    A ``discreet`` flyer's headline and intro name no topic (for a wall where someone
    who controls a person may read it); the numbers and their names stay as listed.
    """
    if lang not in menus.codes:
        raise FlyerError(f"flyers are written in {', '.join(menus.codes)}; choose one of those with --lang")
    words = menus.flyer(lang)
    keys: list[Listing] = [s for i in KEY_SERVICES if (s := catalog.get(i)) is not None]
    # With a ZIP, the nearest local lines come right after the key ones, so the flyer's promise holds.
    place = place_from_zip(zip_code) if zip_code else None
    local = [
        (f.listing, h) for f in (catalog.local(topic, place) if place else []) if (h := _local_hotline(f, lang, words))
    ]
    local = local[:MORE_SERVICES]
    # A subtopic with few phone lines borrows its parent's (legal.record_relief from legal).
    national = catalog.national(topic) + catalog.national(topics.parent_of(topic) or topic)
    extra = list(
        {
            s.id: s for s in national if s.id not in KEY_SERVICES and _for_paper(s, topic) and _hotline(s, lang, words)
        }.values()
    )
    extra.sort(key=lambda s: not any(p.kind in ("voice", "sms") for p in s.phones))  # phones first
    extra = extra[:MORE_SERVICES]
    hotlines = tuple(h for s in keys if (h := _hotline(s, lang, words)))
    hotlines += tuple(h for _, h in local)
    hotlines += tuple(h for s in extra if (h := _hotline(s, lang, words)))
    picked = keys + [listing for listing, _ in local] + extra
    if not hotlines:
        raise FlyerError("the directory has no services with phone numbers; run `resource-bot validate`")
    return FlyerContent(
        lang=lang,
        words=words,
        title=words["discreet_title"] if discreet else plain(menus.label(lang, topic)),
        intro=_paper_intro(words["discreet_intro"] if discreet else menus.intro(lang, topic)),
        link=link,
        hotlines=hotlines,
        checked=min(s.last_verified for s in picked),
        zip=zip_code,
        local=bool(local),
        clinic=clinic,
    )


def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    """DejaVu when installed (wide Spanish and symbol coverage), else Pillow's own TrueType font."""
    try:
        return ImageFont.truetype(FONT[kind], size)
    except OSError:
        fallback = ImageFont.load_default(size=size)
        assert isinstance(fallback, ImageFont.FreeTypeFont), "Pillow was built without FreeType"
        return fallback


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _fit(text: str, kind: str, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The largest face up to ``size`` that fits ``text`` on one line (links cannot wrap)."""
    face = font(kind, size)
    while size > 20 and face.getlength(text) > width:
        size -= 2
        face = font(kind, size)
    return face


class _Page:
    """A cursor that writes wrapped lines down the page."""

    def __init__(self) -> None:
        self.canvas = PrintedPage(PAGE, DPI)
        self.y = 0

    def lines(
        self,
        text: str,
        face: ImageFont.FreeTypeFont,
        *,
        x: int = MARGIN,
        width: int | None = None,
        fill: tuple[int, int, int] = INK,
        gap: float = 1.3,
        max_lines: int = 99,
    ) -> None:
        width = width or PAGE[0] - MARGIN - x
        for line in wrap(text, face, width)[:max_lines]:
            self.canvas.text(x, self.y, line, face, fill)
            self.y += int(face.size * gap)


def _header(page: _Page, content: FlyerContent) -> None:
    words = content.words
    height = int(1.75 * DPI)
    page.canvas.rectangle((0, 0, PAGE[0], height), BRAND)
    page.y = int(0.42 * DPI)
    page.lines(words["kicker"], font("bold", 46), fill=(170, 214, 222))
    page.y += 10
    page.lines(content.title, _fit(content.title, "bold", 124, PAGE[0] - 2 * MARGIN), fill=WHITE, max_lines=1)
    page.y = height + int(0.38 * DPI)
    page.lines(content.intro, font("regular", INTRO_SIZE), fill=INK, max_lines=3)


def _scan_block(page: _Page, content: FlyerContent, menus: Menus) -> tuple[tuple[int, int], int]:
    words = content.words
    qr = make_qr(content.link)
    modules = int(qr.symbol_size(scale=1, border=4)[0])
    module_px = int(2.7 * DPI) // modules
    top = page.y + int(0.2 * DPI)
    box = (MARGIN - 12, top - 12, PAGE[0] - MARGIN + 12, top + modules * module_px + 12)
    page.canvas.rounded_rectangle(box, 36, BRAND_LIGHT)
    qr_x = MARGIN + 24
    page.canvas.rectangle((qr_x, top, qr_x + modules * module_px - 1, top + modules * module_px - 1), WHITE)
    for row, bits in enumerate(qr.matrix_iter(scale=1, border=4)):
        for col, dark in enumerate(bits):
            if dark:
                x, y = qr_x + col * module_px, top + row * module_px
                page.canvas.rectangle((x, y, x + module_px - 1, y + module_px - 1), BLACK)
    text_x = qr_x + modules * module_px + int(0.35 * DPI)
    width = PAGE[0] - MARGIN - 36 - text_x
    page.y = top + int(0.3 * DPI)
    page.lines(words["scan"], font("bold", 60), x=text_x, width=width, fill=BRAND)
    page.y += 20
    quick_exit = plain(menus.ui(content.lang, "quick_exit"))
    steps = words["steps" if content.link.startswith("https://t.me/") else "steps_web"]  # Telegram, or the web chat
    for number, step in enumerate(steps.format(exit=quick_exit).split("|"), start=1):
        page.lines(f"{number}.  {step}", font("regular", 46), x=text_x, width=width)
        page.y += 14
    if content.zip:
        area = words["area" if content.local else "area_none"].format(zip=content.zip)
        page.lines(area, font("regular", 46), x=text_x, width=width, fill=MUTED)
    page.y = box[3] + int(0.22 * DPI)
    page.lines(words["link"], font("regular", 42), fill=MUTED)
    page.lines(content.link, _fit(content.link, "mono", 50, PAGE[0] - 2 * MARGIN), fill=INK, max_lines=1)
    return (qr_x, top), module_px


def _numbers(page: _Page, content: FlyerContent) -> int:
    """Draw the hotline rows that fit above the footer; returns how many did."""
    words = content.words
    page.y += int(0.22 * DPI)
    page.canvas.line((MARGIN, page.y, PAGE[0] - MARGIN, page.y), RULE, 4)
    page.y += int(0.25 * DPI)
    page.lines(words["numbers"], font("bold", 64), fill=BRAND)
    page.y += int(0.12 * DPI)
    number_face, name_face, more_face = font("bold", 72), font("regular", 44), font("regular", 38)
    column = MARGIN + max(int(number_face.getlength(h.number)) for h in content.hotlines) + int(0.35 * DPI)
    shown = 0
    for hotline in content.hotlines:
        row_top = page.y
        if row_top + 2 * int(number_face.size) > _footer_top(content):
            break  # the key numbers come first, so only extras are ever left out
        shown += 1
        color = DANGER if hotline.number == "911" else INK
        page.canvas.text(MARGIN, row_top, hotline.number, number_face, color)
        page.y = row_top + int(number_face.size - name_face.size) // 2
        page.lines(hotline.name, name_face, x=column, max_lines=2, gap=1.2)
        if hotline.more:
            page.lines(
                hotline.more,
                more_face,
                x=column,
                fill=MUTED if hotline.number else BRAND,
                max_lines=1,
                gap=1.2,
            )
        page.y = max(page.y, row_top + int(number_face.size * 1.25)) + int(0.07 * DPI)
    return shown


def _footer_top(content: FlyerContent) -> int:
    return FOOTER_TOP - (CLINIC_LINE if content.clinic else 0)


def _footer(page: _Page, content: FlyerContent) -> None:
    words = content.words
    top = _footer_top(content)
    page.canvas.rectangle((0, top, PAGE[0], PAGE[1]), BRAND_LIGHT)
    page.y = top + int(0.16 * DPI)
    page.lines(words["danger"], font("bold", 58), fill=DANGER)
    if content.clinic:
        clinic = words["clinic"].format(clinic=content.clinic)
        page.lines(clinic, _fit(clinic, "bold", 52, PAGE[0] - 2 * MARGIN), fill=BRAND, max_lines=1)
    page.lines(words["other"], font("regular", 40), fill=INK)
    page.lines(words["checked"].format(date=content.checked.isoformat()), font("regular", 32), fill=MUTED)


def render_flyer(content: FlyerContent, menus: Menus) -> Flyer:
    page = _Page()
    _header(page, content)
    origin, module_px = _scan_block(page, content, menus)
    shown = _numbers(page, content)
    _footer(page, content)
    return Flyer(page.canvas, origin, module_px, shown)


def save_flyer(flyer: Flyer, path: Path) -> None:
    """PNG or one-page PDF by suffix, both at 300 dpi so the page prints at Letter size."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FlyerError(f"{path.name}: a flyer can be written as .pdf or .png; change the file name")
    if not path.parent.is_dir():
        raise FlyerError(f"the folder {path.parent} does not exist; create it or choose another file")
    if suffix == ".pdf":
        flyer.page.save_pdf(path, title="resource-bot flyer")
    else:
        flyer.page.save_png(path)
