"""How a service reads on screen: a short summary in a list, or a full card.

Plain text only (no markup), so every channel can show it as it is and no
service's name can break a message's formatting.
"""

from __future__ import annotations

import datetime as dt

from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import CardText, Found, Listing, pick
from resource_bot.directory.entries import LocationEntry, PhoneEntry
from resource_bot.directory.hours import format_clock, format_when, status_at
from resource_bot.directory.states import state_name

#: Telegram's limit for one message.
MAX_MESSAGE = 4096
#: A summary in a list is cut to this many characters, so a page of five always fits.
MAX_SUMMARY = 450


def fit(text: str, limit: int = MAX_MESSAGE) -> str:
    """Cut ``text`` to ``limit`` characters at a line or word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    return (cut[:boundary] if boundary > limit // 2 else cut).rstrip() + "…"


def phone_line(menus: Menus, lang: str, phone: PhoneEntry) -> str:
    if phone.kind == "sms":
        line = (
            menus.ui(lang, "text_keyword", keyword=phone.keyword, number=phone.number)
            if phone.keyword
            else menus.ui(lang, "text", number=phone.number)
        )
    elif phone.kind == "tty":
        line = menus.ui(lang, "tty", number=phone.number)
    elif phone.kind == "whatsapp":
        line = menus.ui(lang, "whatsapp", number=phone.number)
    else:
        line = menus.ui(lang, "call", number=phone.number)
    extras = []
    if phone.always_open:
        extras.append(menus.ui(lang, "always_open"))
    if phone.note:
        extras.append(pick(phone.note, lang))
    return f"{line} ({', '.join(extras)})" if extras else line


def hours_line(menus: Menus, lang: str, listing: Listing, now: dt.datetime) -> str | None:
    if listing.always_open():
        return menus.ui(lang, "always_open")
    if listing.hours is None:
        return None
    status = status_at(listing.hours, now)
    if status.kind == "open" and status.until is not None:
        return menus.ui(lang, "open_now", until=format_clock(status.until, lang))
    if status.kind == "closed" and status.next_open is not None:
        return menus.ui(lang, "opens_at", when=format_when(status.next_open, now, lang))
    return menus.ui(lang, "closed")


def address_text(location: LocationEntry) -> str:
    """The address to print; a confidential location gives only its city (its street is never kept)."""
    if location.confidential:
        return ", ".join(part for part in (location.city, location.state) if part)
    tail = " ".join(part for part in (location.state, location.zip) if part)
    return ", ".join(part for part in (location.street, location.city, tail) if part)


def address_line(menus: Menus, lang: str, location: LocationEntry) -> str:
    if location.confidential:
        return menus.ui(lang, "address_private", city=address_text(location))
    return menus.ui(lang, "address", address=address_text(location))


def where_line(menus: Menus, lang: str, found: Found) -> str:
    if found.listing.national:
        return menus.ui(lang, "nationwide")
    if found.miles is not None:
        return menus.ui(lang, "distance_miles", miles=f"{found.miles:.1f}")
    area = found.listing.area
    if area.states and not (area.counties or area.zips or area.radius):
        # A state office with no address of its own: say it serves the whole state, so "near you" is plain.
        names = [state_name(code, lang) for code in area.states]
        return menus.ui(lang, "statewide", state=", ".join(names))
    return ""


def summary(menus: Menus, lang: str, found: Found, now: dt.datetime) -> str:
    """A few lines: name, where, how to reach it now."""
    listing = found.listing
    head = pick(listing.name, lang)
    where = where_line(menus, lang, found)
    lines = [f"▪️ {head}" + (f" ({where})" if where else "")]
    lines.extend(phone_line(menus, lang, p) for p in listing.phones[:3])
    if listing.website:
        lines.append(menus.ui(lang, "website", url=listing.website))
    if not listing.national and listing.locations:
        lines.append(address_line(menus, lang, listing.locations[0]))
    if (status := hours_line(menus, lang, listing, now)) and not listing.always_open():
        lines.append(status)
    return fit("\n".join(lines), MAX_SUMMARY)


def card(menus: Menus, lang: str, found: Found, text: CardText, now: dt.datetime) -> str:
    """Everything we know about one service, to keep or forward (``text``: what only its card shows)."""
    listing = found.listing
    lines = [pick(listing.name, lang)]
    if listing.organization:
        lines[0] += f" · {pick(listing.organization, lang)}"
    if where := where_line(menus, lang, found):
        lines.append(where)
    lines += ["", pick(text.description, lang), ""]
    lines.extend(phone_line(menus, lang, p) for p in listing.phones)
    if listing.website:
        lines.append(menus.ui(lang, "website", url=listing.website))
    if listing.email:
        lines.append(menus.ui(lang, "email", email=listing.email))
    if status := hours_line(menus, lang, listing, now):
        lines.append(status)
    for location in listing.locations:
        lines.append(address_line(menus, lang, location))
    if listing.languages:
        lines.append(menus.ui(lang, "languages", languages=", ".join(listing.languages)))
    for key, field in (
        ("cost", "cost"),
        ("eligibility", "eligibility"),
        ("how_to_apply", "application_process"),
    ):
        if said := getattr(text, field):
            placeholder = "steps" if key == "how_to_apply" else key
            lines.append(menus.ui(lang, key, **{placeholder: pick(said, lang)}))
    if listing.confidential:
        lines.append(menus.ui(lang, "confidential"))
    return fit("\n".join(lines).strip())
