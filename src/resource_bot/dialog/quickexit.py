"""Quick exit typed as words: "exit", "quick exit", "salir", "borrar", "/salir".

A person who needs to hide the chat may not find the button, so a few short
phrases do what ❌ does, in any state and in both languages. They count only
when they are the whole message (give or take "please", "por favor", "now",
case, accents and punctuation): "how do I exit a lease" is a question about a
lease, not a request to erase the chat. The list is short and exact on purpose:
a false match erases a conversation the person wanted to keep.

Pure: no I/O. The engine uses it to answer, and the Telegram channel uses
:func:`is_quick_exit` to serve an exit before anything that needs the database.
"""

from __future__ import annotations

from resource_bot.dialog import buttons
from resource_bot.dialog.events import Command, CommandName, Event, Press, Text
from resource_bot.matching.textnorm import normalize

#: Whole messages that mean "erase this chat", after :func:`normalize`, by the language they are in.
EXIT_PHRASES: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "exit",
            "quick exit",
            "exit chat",
            "exit this chat",
            "exit the chat",
            "erase",
            "erase chat",
            "erase this chat",
            "erase the chat",
            "erase everything",
            "delete chat",
            "delete this chat",
            "delete the chat",
            "clear chat",
            "clear this chat",
        }
    ),
    "es": frozenset(
        {
            "salir",
            "salida",
            "salida rapida",
            "salir rapido",
            "salir ya",
            "borrar",
            "borra",
            "borralo",
            "borrar todo",
            "borra todo",
            "borrar chat",
            "borrar el chat",
            "borrar este chat",
            "borra el chat",
            "borra este chat",
            "borrar conversacion",
            "borrar la conversacion",
        }
    ),
}
#: Polite or urgent words that may come before or after the phrase without changing what it asks.
_POLITE = ("por favor", "porfavor", "porfa", "please", "pls", "plz", "right now", "now", "ahora", "ya")
#: Longer than this is a sentence, not a request to leave (the longest phrase plus politeness is shorter).
_MAX_CHARS = 60


def _strip_polite(words: str) -> str:
    changed = True
    while changed and words:
        changed = False
        for polite in _POLITE:
            if words == polite:
                return ""
            if words.endswith(" " + polite):
                words, changed = words[: -len(polite) - 1], True
            elif words.startswith(polite + " "):
                words, changed = words[len(polite) + 1 :], True
    return words


def typed_exit_language(text: str) -> str | None:
    """The language of a typed quick exit ("en", "es"); None when the text is anything else.

    "/salir" and "/salir@the_bot" count as the word "salir".
    """
    if not isinstance(text, str) or len(text) > _MAX_CHARS:
        return None
    stripped = text.strip()
    if stripped.startswith("/"):
        word, _, rest = stripped[1:].partition(" ")
        stripped = f"{word.split('@', 1)[0]} {rest}"
    words = _strip_polite(normalize(stripped))
    if not words:
        return None
    for lang, phrases in EXIT_PHRASES.items():
        if words in phrases:
            return lang
    return None


def is_quick_exit(event: Event) -> bool:
    """Whether the event asks to erase the chat: the ❌ button, /exit, or typed exit words."""
    if isinstance(event, Press):
        parsed = buttons.parse(event.data)
        return parsed is not None and parsed.kind == buttons.QUICK_EXIT
    if isinstance(event, Command):
        return event.name is CommandName.EXIT
    if isinstance(event, Text):
        return typed_exit_language(event.text) is not None
    return False


def is_forget(event: Event) -> bool:
    return isinstance(event, Command) and event.name is CommandName.FORGET
