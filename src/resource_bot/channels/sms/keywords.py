"""The words carriers give a meaning to, and how a text becomes an engine event.

Carriers (CTIA's guidelines, which Twilio and other providers apply) reserve a
few single-word replies: STOP and its synonyms end all texts until START, and
HELP (or INFO) asks who is texting and how to stop. As at Twilio, only a
message that is the keyword alone counts ("stop" or "STOP!" does, "please stop
calling me" does not), so a person's words are never mistaken for one.

YES and UNSTOP opt back in only a number that had sent STOP; from anyone else,
"yes" is an answer like any other. Quick exit words (EXIT, SALIR, BORRAR...)
are the engine's own (``dialog/quickexit.py``).
"""

from __future__ import annotations

import enum
import re

from resource_bot.dialog.events import Command, CommandName, Event, Press, Text


class Keyword(enum.Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    MENU = "menu"


#: Twilio's default opt-out words (its Advanced Opt-Out guide lists REVOKE and OPTOUT beside the older six).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
#: YES opts back in only after STOP; the other two also begin a conversation afresh.
RESTART_WORDS = frozenset({"START", "UNSTOP"})
#: Help, and the language to answer in ("AYUDA" is the Spanish for HELP).
HELP_WORDS = {"HELP": None, "INFO": None, "AYUDA": "es"}
MENU_WORDS = frozenset({"MENU", "MENÚ", "INICIO"})
_EDGES = re.compile(r"^[\s.!¡?¿'\"]+|[\s.!¡?¿'\"]+$")


def keyword_of(body: str) -> str:
    """The message as a keyword candidate: upper case, without the punctuation around it."""
    return _EDGES.sub("", body[:20]).upper() if len(body) <= 20 else ""


def classify(body: str, *, opted_out: bool = False) -> Keyword | None:
    word = keyword_of(body)
    if not word:
        return None
    if word in STOP_WORDS:
        return Keyword.STOP
    if word in RESTART_WORDS or (opted_out and word in START_WORDS):
        return Keyword.START
    if word in HELP_WORDS:
        return Keyword.HELP
    if word in MENU_WORDS:
        return Keyword.MENU
    return None


def help_language(body: str) -> str | None:
    return HELP_WORDS.get(keyword_of(body))


def event_for(body: str, choices: list[str]) -> Event:
    """What a text means to the engine: a number picks that choice; anything else is typed words."""
    text = body.strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(choices):
        return Press(choices[int(text) - 1])
    return Text(body)


def command_for(keyword: Keyword) -> Event:
    return Command(CommandName.HELP if keyword is Keyword.HELP else CommandName.MENU)
