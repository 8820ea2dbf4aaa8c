"""Which language a typed message is in, when it clearly is not the chat's.

A person whose chat is set to English may still type "necesito un abogado", and the reverse.
The answer should come in the language typed. The signal is deliberately simple and cautious:

- common function words that belong to one language only ("the", "my", "is" / "el", "mi",
  "para"), listed below; and
- the words of the keyword files (``conversations/keywords/<lang>.yaml``) that appear in one
  language's file only ("lawyer" / "abogado"), stemmed the way the matcher stems them.

Words both languages use ("no", "me", "a", "he", names, "visa") count for neither, and the
chat's language changes only when the other language has at least two words and outnumbers
the chat's own at least three to one. So one stray word, a name or a mixed sentence such as
"I need ayuda con la renta" keeps the chat's language. No library does this well on a few
words of phone typing (general language detectors need whole sentences), so it is written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from resource_bot.matching.textnorm import STOPWORDS, normalize, stem

_ENGLISH = """
    the my i im ive is are was were am be been to and for with of in on at it its this that
    she her him his they them their you your we our what how where when why who which need needs
    want have has had can cant could dont doesnt didnt wont would should will please from about
    get got just help hes shes theyre there here not any some an or but if
"""
_SPANISH = """
    el la los las mi mis tu tus su sus es y o en para con que necesito necesita ayuda ayudame
    ayudeme quiero quiere tengo tiene tienen de del al un una unos unas por favor como donde
    cuando esta estoy estan soy eres hay puedo puede pueden nos pero muy porque tambien hola
    gracias yo usted ellos ella le les lo mas algo alguien nadie nada
"""
#: Function words of one language only; words English and Spanish share ("no", "me", "a", "he") are left out.
FUNCTION_WORDS: Mapping[str, frozenset[str]] = {"en": frozenset(_ENGLISH.split()), "es": frozenset(_SPANISH.split())}

#: The other language needs at least this many words...
MIN_WORDS = 2
#: ...and this many times as many as the chat's language.
MIN_RATIO = 3


def exclusive_words(words_by_lang: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Per language, the (stemmed) words no other language's keyword file uses."""
    sets = {lang: frozenset(words) for lang, words in words_by_lang.items()}
    return {
        lang: words.difference(*(other for code, other in sets.items() if code != lang)) for lang, words in sets.items()
    }


def typed_language(text: str, chat_lang: str, keyword_words: Mapping[str, frozenset[str]]) -> str:
    """The language ``text`` is written in when that is clearly another one than ``chat_lang``; else ``chat_lang``."""
    counts = dict.fromkeys(keyword_words.keys() | FUNCTION_WORDS.keys(), 0)
    for word in normalize(text, max_chars=600).split()[:60]:
        stemmed = stem(word)
        for lang in counts:
            if word in FUNCTION_WORDS.get(lang, ()) or (
                word not in STOPWORDS and stemmed in keyword_words.get(lang, ())
            ):
                counts[lang] += 1
    own = counts.get(chat_lang, 0)
    best = max((lang for lang in counts if lang != chat_lang), key=counts.__getitem__, default=None)
    if best is not None and counts[best] >= MIN_WORDS and counts[best] >= MIN_RATIO * own:
        return best
    return chat_lang
