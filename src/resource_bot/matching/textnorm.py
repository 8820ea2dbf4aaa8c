"""Text normalisation shared by the need matcher and the danger-word detector.

Both must see "Protección", "proteccion" and "PROTECCIÓN!!" as the same word,
and "he's" the same as "hes", or a phrase reviewed in a YAML file would silently
miss what people actually type. Keeping one function for both (and for the
YAML phrases themselves) makes that impossible to get out of step.

It also undoes what hides a word from a reader that compares letters: invisible
format characters ("k\u200bill"), full-width and other compatibility forms, and
Cyrillic or Greek letters that look like Latin ones ("kіll" with a Cyrillic і).
"""

from __future__ import annotations

import unicodedata

#: Telegram caps a message at 4,096 characters; nothing longer is ever needed.
MAX_INPUT_CHARS = 4096

#: Apostrophes people type inside words ("he's", "can’t"); dropped, not split on.
_APOSTROPHES = frozenset("'’‘ʼ`´")

#: Very common words in both languages. They never fuzzy-match (so "the" cannot
#: become "then") and count for little inside a multi-word keyword.
_STOPWORD_TEXT = """
    a an the and or but if of to in on at by for from with without about as into over under
    is are was were be been being am do does did done have has had having can could will would
    shall should may might must i me my mine you your yours we us our they them their
    he him his she her it its this that these those there here what which who whom whose when
    where why how not no yes so than then too very just also only all any some each every
    im ive id youre hes shes its were theyre dont doesnt didnt cant wont isnt arent
    get got getting need needs want wants wanna please help thanks thank ok okay hi hello hey
    el la los las un una unos unas y o u de del al a en con sin por para que se su sus mi mis
    tu tus yo me te le les lo nos es son soy eres esta estan estoy este esto eso ese esa ser
    estar hay como cuando donde quien cual muy mas menos ya si pero tambien porque pues
    necesito necesita quiero quiere ayuda ayudame hola gracias favor
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


#: Cyrillic and Greek letters that look like a Latin letter, folded to it (lower case: the text is
#: case-folded first). Hand-written because it is a few dozen letters: Unicode's full confusables
#: table (and the libraries that ship it) maps whole strings for spoof checks, not one letter to
#: one letter, and would pull in thousands of mappings a chat message never needs.
# fmt: off
_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ɡ": "g", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s",
    # Latin letters from other alphabets' blocks (IPA, small capitals) that read as plain ones
    "ı": "i", "ɑ": "a", "ɩ": "i", "ʟ": "l", "ᴀ": "a", "ʀ": "r", "ᴇ": "e", "ᴏ": "o",
}
# fmt: on


def _fold_char(ch: str) -> str:
    """Map one (already decomposed) character to what the matcher should see."""
    folded = _LOOKALIKES.get(ch)
    if folded is not None:
        return folded
    if ch.isalnum():
        return ch
    category = unicodedata.category(ch)
    # "he's" -> "hes"; accents left by NFKD (Mn); zero-width spaces, joiners, soft hyphens and
    # direction marks (Cf) vanish instead of splitting a word in two.
    if ch in _APOSTROPHES or category in ("Mn", "Cf"):
        return ""
    return " "


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table filled on first sight of each character, so folding runs in C."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < 20_000:  # bounded: random Unicode must not grow it forever
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def normalize(text: str, max_chars: int = MAX_INPUT_CHARS) -> str:
    """Lowercase, strip accents, fold punctuation/emoji/control characters to spaces.

    NFKD applies the same compatibility mappings as NFKC (full-width "ｋｉｌｌ", ligatures,
    circled letters) and also splits accents off, so they can be dropped. Format characters
    vanish and look-alike letters become Latin before any matching.
    The input is cut to ``max_chars`` *before* any work, so a pasted novel costs
    no more than a long message.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text[:max_chars].casefold())
    return " ".join(decomposed.translate(_FOLD).split())


def tokens(text: str, max_chars: int = MAX_INPUT_CHARS) -> list[str]:
    """The words of ``text`` after :func:`normalize`."""
    return normalize(text, max_chars).split()


def stem(token: str) -> str:
    """A deliberately crude suffix strip so "lawyers", "trafficked" and "sleeping" meet their keywords.

    Applied to both sides (keywords and typed text), so it only has to be consistent,
    not linguistically right.
    """
    n = len(token)
    if n >= 6 and token.endswith("ing"):
        return token[:-3]
    if n >= 5 and token.endswith("ied"):
        return token[:-3] + "y"
    if n >= 5 and token.endswith("ies"):
        return token[:-3] + "y"
    if n >= 6 and token.endswith("sses"):  # "classes" -> "class", never "classe" (a typo of "glasses")
        return token[:-2]
    if n >= 5 and token.endswith("ed"):
        return token[:-2]
    if n >= 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token
