"""The states and territories the directory knows, and how place names are compared."""

from __future__ import annotations

import re
import unicodedata

#: USPS codes the directory accepts: 50 states, DC, Puerto Rico and the territories
#: and freely associated states that have ZIP codes. Military "states" (AA, AE, AP) are left out.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    "GU": "Guam",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
    "UM": "U.S. Minor Outlying Islands",
    "FM": "Micronesia",
    "MH": "Marshall Islands",
    "PW": "Palau",
}


#: Names that Spanish writes differently (the usual forms in Spanish-language U.S. government pages
#: and the RAE's list); any other state keeps its English name in Spanish.
STATE_NAMES_ES: dict[str, str] = {
    "HI": "Hawái",
    "LA": "Luisiana",
    "MS": "Misisipi",
    "MO": "Misuri",
    "NH": "Nuevo Hampshire",
    "NJ": "Nueva Jersey",
    "NM": "Nuevo México",
    "NY": "Nueva York",
    "NC": "Carolina del Norte",
    "SC": "Carolina del Sur",
    "ND": "Dakota del Norte",
    "SD": "Dakota del Sur",
    "PA": "Pensilvania",
    "WV": "Virginia Occidental",
    "DC": "Distrito de Columbia",
    "VI": "Islas Vírgenes de EE. UU.",
    "AS": "Samoa Americana",
    "MP": "Islas Marianas del Norte",
    "UM": "Islas Ultramarinas Menores de EE. UU.",
    "MH": "Islas Marshall",
    "PW": "Palaos",
}


def state_name(code: str, lang: str = "en") -> str:
    """The state's name in ``lang`` ("Carolina del Norte" in Spanish), or the code if unknown."""
    if lang == "es" and code in STATE_NAMES_ES:
        return STATE_NAMES_ES[code]
    return STATE_NAMES.get(code, code)


def plain_name(text: str) -> str:
    """Lowercase ASCII with single spaces, "saint" as "st", for forgiving name matching."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace(".", " ")
    text = " ".join(text.replace(",", " ").split())
    return re.sub(r"\bsaint\b", "st", text)


_NAME_TO_CODE = {plain_name(name): code for code, name in STATE_NAMES.items()}


def state_code(text: str) -> str | None:
    """The postal code of a state written as its code ("tx") or its name ("Texas"), else None."""
    code = text.strip().upper()
    return code if code in STATE_NAMES else _NAME_TO_CODE.get(plain_name(text))
