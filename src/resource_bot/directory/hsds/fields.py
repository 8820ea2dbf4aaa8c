"""Small conversions from HSDS values to the directory's: phones, languages, addresses, clocks.

Each returns the value, or a reason it cannot be used, so the caller can put
that reason in the import report instead of guessing or failing.
"""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from phonenumbers import shortnumberinfo

from resource_bot.directory.hours import parse_clock
from resource_bot.directory.states import STATE_NAMES
from resource_bot.directory.zip_index import Place, place_from_location, place_from_zip

#: HSDS phone types (RFC 6350) -> our kinds; None means the directory does not list such numbers.
PHONE_TYPES: dict[str, str | None] = {
    "voice": "voice",
    "cell": "voice",
    "work": "voice",
    "home": "voice",
    "main": "voice",
    "text": "sms",
    "sms": "sms",
    "textphone": "tty",
    "tty": "tty",
    "whatsapp": "whatsapp",
    "fax": None,
    "pager": None,
    "video": None,
}
#: Our kinds -> the HSDS type written on export (whatsapp travels as an attribute).
HSDS_PHONE_TYPES = {"voice": "voice", "sms": "text", "tty": "textphone", "whatsapp": "cell"}

#: ISO 639-2/3 codes and English names of the languages US services list most, -> ISO 639-1.
LANGUAGES: dict[str, str] = {
    "eng": "en",
    "english": "en",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "zho": "zh",
    "chi": "zh",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "vie": "vi",
    "vietnamese": "vi",
    "kor": "ko",
    "korean": "ko",
    "tgl": "tl",
    "tagalog": "tl",
    "fil": "tl",
    "ara": "ar",
    "arabic": "ar",
    "fra": "fr",
    "fre": "fr",
    "french": "fr",
    "hat": "ht",
    "haitian creole": "ht",
    "rus": "ru",
    "russian": "ru",
    "por": "pt",
    "portuguese": "pt",
    "hin": "hi",
    "hindi": "hi",
    "urd": "ur",
    "urdu": "ur",
    "pol": "pl",
    "polish": "pl",
    "slk": "sk",
    "slo": "sk",
    "slovak": "sk",
    "som": "so",
    "somali": "so",
    "amh": "am",
    "amharic": "am",
    "fas": "fa",
    "per": "fa",
    "persian": "fa",
    "farsi": "fa",
    "deu": "de",
    "ger": "de",
    "german": "de",
    "jpn": "ja",
    "japanese": "ja",
    "ukr": "uk",
    "ukrainian": "uk",
    "nep": "ne",
    "nepali": "ne",
}
#: ISO 639-1 -> English name, for the language table's `name` on export.
LANGUAGE_NAMES: dict[str, str] = {
    code: name.title()
    for name, code in LANGUAGES.items()
    if len(name) > 3 and name.isascii() and name not in ("mandarin", "cantonese", "farsi", "fil")
}
_NAME_TO_STATE = {name.casefold(): code for code, name in STATE_NAMES.items()}
US_COUNTRIES = frozenset({"us", "usa", "united states", "united states of america", "u.s.", "u.s.a."})


def language_code(code: str | None, name: str | None) -> str | None:
    """ISO 639-1 from an HSDS language row's code or name, or None when neither is known."""
    for text in (code, name):
        key = (text or "").strip().casefold()
        if re.fullmatch(r"[a-z]{2}", key):
            return key
        key = key.split("-")[0].split("_")[0] if len(key) > 3 and "-" in key[:4] else key
        if key in LANGUAGES:
            return LANGUAGES[key]
    return None


def phone_number(number: str, kind: str) -> tuple[str | None, str]:
    """The number as it should be written, or None with the reason it cannot be dialled."""
    text = " ".join(str(number).split())
    if re.search(r"[A-Za-z]", text):
        return None, f"{text!r} has letters; write the digits in the source"
    digits = re.sub(r"\D", "", text)
    if re.fullmatch(r"\d{3}", digits):
        parsed = phonenumbers.parse(digits, "US")
        ok = shortnumberinfo.is_valid_short_number(parsed) or re.fullmatch(r"[2-9]11", digits)
        return (digits, "") if ok else (None, f"{text!r} is not a known US short number")
    if re.fullmatch(r"\d{5,6}", digits):
        if kind != "sms":
            return None, f"{text!r} looks like an SMS short code but its type is not text"
        return digits, ""
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None, f"{text!r} cannot be read as a phone number"
    if not phonenumbers.is_valid_number(parsed):
        return None, f"{text!r} is not a valid phone number"
    return text, ""


def state_code(text: str | None) -> str | None:
    """A two-letter USPS code from "TX", "tx" or "Texas"; None for anything else."""
    key = (text or "").strip()
    if key.upper() in STATE_NAMES:
        return key.upper()
    return _NAME_TO_STATE.get(key.casefold())


def zip_place(text: str | None) -> Place | None:
    return place_from_zip(str(text)) if text else None


def coordinates(latitude: object, longitude: object) -> tuple[float, float] | None:
    """Coordinates that lie in the area the bot knows (near a US ZIP), else None."""
    try:
        lat, lon = float(str(latitude)), float(str(longitude))
    except ValueError:
        return None
    if place_from_location(lat, lon) is None:
        return None
    return lat, lon


_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_DAY_END_ALIASES = frozenset({"23:59", "23:59:59", "11:59 pm", "11:59pm"})


def clock_minutes(text: object, *, closing: bool) -> int:
    """Minutes after midnight from "09:00", "09:00:00-05:00" or "3pm"; a closing 23:59 ends the day.

    Raises HoursError with the reason when the time cannot be read.
    """
    raw = str(text).strip()
    trimmed = _OFFSET.sub("", raw).strip() if re.match(r"^\d{1,2}:\d{2}", raw) else raw
    if re.fullmatch(r"\d{1,2}:\d{2}:\d{2}", trimmed):
        trimmed = trimmed[:-3]
    if closing and trimmed.casefold() in _DAY_END_ALIASES:
        return 1440
    minute = parse_clock(trimmed)
    return 1440 if closing and minute == 0 else minute


def utc_offset_hours(text: object) -> float | None:
    try:
        return float(str(text))
    except ValueError:
        return None


#: Standard-time UTC offsets of US zones -> the zone most places with that offset use.
OFFSET_ZONES: dict[float, str] = {
    -4.0: "America/Puerto_Rico",
    -5.0: "America/New_York",
    -6.0: "America/Chicago",
    -7.0: "America/Denver",
    -8.0: "America/Los_Angeles",
    -9.0: "America/Anchorage",
    -10.0: "Pacific/Honolulu",
    10.0: "Pacific/Guam",
}


def date_of(text: object) -> dt.date | None:
    """The date of an ISO date or date-time ("2023-03-15T10:30:45.123Z"), or None."""
    raw = str(text or "").strip()
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None
