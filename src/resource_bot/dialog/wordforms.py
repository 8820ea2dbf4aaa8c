"""Word forms for the danger rules: a verb named once (``~matar``) matches its conjugated forms,
and a Spanish word typed as it sounds ("ensero", "pastiyas", "save") reads as the rule word.

Spanish verbs come in dozens of forms and carry pronouns attached at the end ("matarme",
"matándome", "mátalo", "me matará"); a rule listing them one by one always misses some. A rule
word written ``~matar`` (the infinitive) instead matches every regular form of the verb, with up
to two attached pronouns; ``~matar+me`` only those with "me" or "nos" attached ("matarme",
"matándonos", "mátame": aimed at the writer). The table below is hand-written and small on purpose: it only has to
recognise the forms of the few verbs the rules name, and it runs on every word a person types,
so it must cost microseconds (a full stemmer costs a hundred times more and folds "golpea" and
"golpear" apart). Stem changes (e->ie, o->ue: "encierra"; e->i only in -ir verbs: "sigue"),
the spelling changes of the verb's own class ("ahorque", "pegue", "amenace", "sigo", "recojo",
"desaparezco") and the -ear/-iar mix of spoken Spanish ("golpiando") are accepted for every verb:
a made-up form matches nothing anybody types. But an everyday word that happens to look like a
form ("puso", "vivo", "casa") does: the changes are kept to the verb's class, and the words that
still look like one are listed in :data:`NOT_FORMS` (and words one typo from a rule word but
words of their own in :data:`NOT_TYPOS`). Irregular forms ("dio", "hizo") are still written as words.

English ``~kill`` matches kill, kills, killed, killing (and stabbed/stabbing, choked/choking,
buried/buries).

The sound key (Spanish only) folds spellings that sound the same in Latin American Spanish:
c/z/s before e and i, qu/k/c, v/b, ll/y, a silent h, doubled letters. A typed word that is not a
rule word but sounds like one also reads as that word; this catches the misspellings a
one-typo budget cannot ("ensero" for "encerró": two edits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Pronouns Spanish attaches to an infinitive, a gerund or a command.
_CLITICS = ("nos", "los", "las", "les", "me", "te", "se", "lo", "la", "le", "os")
#: Only these may carry a second pronoun before the last one ("dámelo", "quitárselas").
_FIRST_CLITICS = frozenset(("me", "te", "se", "nos", "os"))
#: Attached, these aim the verb at the writer: ``~matar+me`` in a rule.
_ME = frozenset(("me", "nos"))


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# fmt: off
_AR = _set("""
    ar o as a amos ais an e aste asteis aron aba abas abamos abais aban are aras ara aremos areis
    aran aria arias ariamos ariais arian es emos eis en aramos arais ase ases asemos aseis asen
    ando ado ada ados adas ad emo amo
""")
_ER_IR = """
    o es e emos eis en i iste io imos isteis ieron ia ias iamos iais ian a as amos ais an iera
    ieras ieramos ierais ieran iese ieses iesen iendo ido ida idos idas yendo yo yes ye yen ya yas
    yan yeron emo amo
"""
_ER = _set(_ER_IR + " er ere eras era eremos ereis eran eria erias eriamos eriais erian ed")
_IR = _set(_ER_IR + " ir is ire iras ira iremos ireis iran iria irias iriamos iriais irian id")
# fmt: on
_ENDINGS = {"ar": _AR, "er": _ER, "ir": _IR}
#: What may carry an attached pronoun: an infinitive, a gerund, a command ("mata", "mate",
#: "maten", "matad", "vos": "matá", "viví"), and "matémonos" without its s.
_HOSTS = _set("ar er ir ando iendo yendo a e i an en ad ed id emo amo")
#: Everyday words that look like a form of a rule's verb but are another word: "puso" and "puse"
#: are poner's (pushar's "pusho" still reads), "iria" is ir's, "era" ser's, "viendo" ver's, "entero"
#: whole (not enterrar by sound), "veces" times (besar by sound), "sueldo" a wage (soldar), "ultimo"
#: last ("la ultima vez" after "la renta" read as a threat; "me ultimaron" still reads), "patio" a yard
#: (patear); and English words that sound like Spanish forms ("phone" -> pone, "sure" -> zurre,
#: "here" -> herir). No verb claims them.
NOT_FORMS = _set("""
    puso puse pusiste pusimos pusieron pusiera pusieran pusiese
    iria irias iriamos irian era eras eramos eran here hierro
    patio patios viendo veces
    entero entera enteros enteras ultimo ultima ultimos ultimas sueldo sueldos
    hacienda chueca chueco phone phones sure supero violence asked
""")
#: Everyday words that are one typo (or one sound) from a rule word but are words of their own,
#: read only as themselves: "pagaron" is not "pegaron" mistyped, "tomando" not "tocando", "mirar" not
#: "tirar", "mirandome" not "matandome", "corre" not "corte", "queja" not "quema", "sintiendo" not
#: "siguiendo", "segundo" not "seguido", "pues" not "puse".
NOT_TYPOS = _set("""
    pues pagaron pagado pagados pagando tomando tomato mirar mirando mirandome
    corrieron costo mente sintiendo hicieron segundo segundos quiera quieran corre queja
    espina planear planeando arrestaron ala che
    spare scan scar shares recover comit chores
    atrasado atrasados atrasada atrasadas quejarme quejarse quejar queje quejo quejas quejamos ramas rama
    asada asado asadas asados
    explicacion explicaciones
""")
_SHORT_SOUND_ENDINGS = _set("ar er ir ando iendo")
_LONGEST = max(len(e) for e in _AR | _ER | _IR)

_EN_ENDINGS = frozenset(("", "s", "es", "ed", "d", "ing"))

#: The last vowel of a stem (not the silent u of gu, qu: segu-ir changes its e).
_VOWEL = re.compile(r"(?<![gq])[aeiou](?=(?:[gq]u|[^aeiou])*$)")
#: Spelling changes of a stem's last consonant before some endings, by how the infinitive ends
#: (ahorcar -> ahorque, pegar -> pegue, amenazar -> amenace, seguir -> sigo, recoger -> recojo,
#: desaparecer -> desaparezco). Only the verb's own class: a -car verb never takes z ("casa" is no
#: form of cascar), a -gar verb never takes j ("trajo" is no form of tragar).
_CONSONANT_SWAPS = {
    "car": (("c", "qu"),),
    "gar": (("g", "gu"),),
    "zar": (("z", "c"),),
    "guir": (("gu", "g"),),
    "ger": (("g", "j"),),
    "gir": (("g", "j"),),
    "cer": (("c", "z"), ("c", "zc")),
    "cir": (("c", "z"), ("c", "zc")),
    "quir": (("qu", "c"),),
}


def is_spanish_verb(word: str) -> bool:
    """A ``~`` word in a Spanish rule must be an infinitive."""
    return len(word) >= 4 and word[-2:] in _ENDINGS


def _spanish_stems(infinitive: str) -> set[str]:
    """The stems a Spanish verb's forms may start with."""
    stem = infinitive[:-2]
    stems = {stem}
    match = _VOWEL.search(stem)  # the last vowel of the stem changes: cerr-ar -> cierr-a
    if match:
        i = match.start()
        v = stem[i]
        # e -> i only in -ir verbs (seguir -> sigue, herir -> hirió): "vivo" is no form of beber.
        changes = {"e": ("ie", "i") if infinitive.endswith("ir") else ("ie",), "o": ("ue",), "u": ("ue",)}
        for new in changes.get(v, ()):
            stems.add(stem[:i] + new + stem[i + 1 :])
    if infinitive.endswith("ear"):  # golpear -> golpiar, golpiando
        stems.add(stem[:-1] + "i")
    swaps = next((sw for end, sw in _CONSONANT_SWAPS.items() if infinitive.endswith(end)), ())
    for s in list(stems):
        for old, new in swaps:
            if s.endswith(old):
                stems.add(s[: -len(old)] + new)
    return {s for s in stems if len(s) >= 2}


def _english_stems(verb: str) -> set[str]:
    stems = {verb}
    if verb.endswith("e"):
        stems.add(verb[:-1])  # choke -> chok-ing, chok-ed
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        stems.add(verb[:-1] + "i")  # bury -> buri-ed
    if len(verb) >= 3 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        stems.add(verb + verb[-1])  # stab -> stabb-ed
    return stems


_Stems = dict[str, list[tuple[str, frozenset[str]]]]  # stem -> (~verb, the endings its forms may have)


class VerbForms:
    """Tells which of the rules' ``~`` verbs a typed word is a form of."""

    def __init__(self, language: str, verbs: Iterable[str]) -> None:
        self.spanish = language == "es"
        self.stems: _Stems = {}
        self.sound_stems: _Stems = {}  # "enser" + o: encerro typed as heard
        for verb in verbs:
            if self.spanish:
                endings = _ENDINGS[verb[-2:]]
                for stem in _spanish_stems(verb):
                    self.stems.setdefault(stem, []).append(("~" + verb, endings))
                    heard = sound_key(stem)
                    # A silent h leaves two letters ("her-ir" -> "er"), and "era", "iria", "asi" would
                    # read as herir and hacer: such a stem is heard only as the infinitive or gerund ("aser").
                    short = endings & _SHORT_SOUND_ENDINGS if len(heard) < 3 else endings
                    self.sound_stems.setdefault(heard, []).append(("~" + verb, short))
            else:
                for stem in _english_stems(verb):
                    self.stems.setdefault(stem, []).append(("~" + verb, _EN_ENDINGS))

    def __bool__(self) -> bool:
        return bool(self.stems)

    def lemmas(self, word: str) -> set[str]:
        """The ``~verb`` tokens ``word`` is a form of (empty for most words)."""
        if not self.stems or word in NOT_FORMS:
            return set()
        found: set[str] = set()
        if self.spanish:
            self._with_clitics(word, self.stems, found)
            if not found:
                self._with_clitics(sound_key(word), self.sound_stems, found)
        else:
            for k in range(0, 4):
                for lemma, endings in self.stems.get(word[: len(word) - k], ()):
                    if word[len(word) - k :] in endings:
                        found.add(lemma)
        return found

    def _with_clitics(self, word: str, stems: _Stems, found: set[str]) -> None:
        """Forms of ``word`` as typed and without one or two attached pronouns; with "me" or "nos"
        attached ("matarme", "golpeandonos", "quitarmela") the verb also reads as ``~verb+me``."""
        self._spanish(word, stems, found, True)
        for clitic in _CLITICS:
            if word.endswith(clitic) and len(word) > len(clitic) + 2:
                rest = word[: -len(clitic)]
                self._attached(rest, stems, found, clitic in _ME)
                for first in _FIRST_CLITICS:
                    if rest.endswith(first) and len(rest) > len(first) + 2:
                        self._attached(rest[: -len(first)], stems, found, clitic in _ME or first in _ME)

    def _attached(self, host: str, stems: _Stems, found: set[str], to_me: bool) -> None:
        lemmas: set[str] = set()
        self._spanish(host, stems, lemmas, False)
        found |= lemmas
        if to_me:
            found.update(lemma + "+me" for lemma in lemmas)

    @staticmethod
    def _spanish(word: str, stems: _Stems, found: set[str], bare: bool) -> None:
        for k in range(1, min(_LONGEST, len(word) - 2) + 1):
            ending = word[-k:]
            if not bare and ending not in _HOSTS:
                continue
            for lemma, endings in stems.get(word[:-k], ()):
                if ending in endings:
                    found.add(lemma)


# Order matters: multi-letter spellings first.
_SOUNDS = (
    (re.compile(r"ch"), "\x01"),  # keep "ch" whole before h is dropped
    (re.compile(r"qu(?=[ei])"), "k"),
    (re.compile(r"gu(?=[ei])"), "\x02"),  # guerra: a hard g, kept apart from gente -> jente
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"\x02"), "g"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"[cq]"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"v"), "b"),
    (re.compile(r"h"), ""),
    (re.compile(r"ll"), "y"),
    (re.compile(r"(.)\1+"), r"\1"),  # rr -> r, stretched letters ("ayudaaa")
)


def sound_key(word: str) -> str:
    """How a Spanish word sounds, spelled one way: "encerro", "ensero" -> "ensero"."""
    for pattern, repl in _SOUNDS:
        word = pattern.sub(repl, word)
    return word
