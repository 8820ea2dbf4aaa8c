"""The danger files (``conversations/danger/<lang>.yaml``): their rule syntax and how they load.

A rule is a short pattern built from parts people combine ("{actor} ... {will}
{harm} ... {target}"), so one reviewed line covers "he is going to hurt my
kids", "my boss said he will kill us" and "they gonna beat me". The header of
each file explains the syntax for reviewers; :func:`compile_rule` enforces it
and every problem raises :class:`DangerFileError` naming the file and the fix.

A word written ``~matar`` (``~kill``) stands for every form of the verb, and
``~matar+me`` for its forms with "me" or "nos" attached ("matarme",
"golpeándonos"); :mod:`resource_bot.dialog.wordforms` recognises them in typed
words, and the detector puts the ``~`` token in the word's slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resource_bot.dialog.wordforms import is_spanish_verb
from resource_bot.matching.textnorm import normalize
from resource_bot.matching.wordfile import read_word_file

#: The most words a ``...`` gap may skip.
MAX_GAP = 4
#: The most words a ``...N`` gap may be told to skip ("...8": up to eight), for the few rules that
#: need a longer reach ("{pills} ...8 on purpose"); a long reach also finds words that belong to
#: another sentence, so it is kept short.
MAX_LONG_GAP = 12
_LONG_GAP = re.compile(r"^\.\.\.(\d+)$")

#: What a "danger now" is about; it picks the first line of the emergency screen.
KINDS = ("self_harm", "violence", "weapon", "held", "medical", "children", "trafficking")

_GROUP_REF = re.compile(r"^\{([a-z_]+)\}(\??)$")
#: A rule's tokens: a (choice of several words|another)? in brackets, or a run of non-spaces.
_TOKEN = re.compile(r"\([^()]*\)\??|[^\s()]+|[()]")
_GROUP_NAME = re.compile(r"^[a-z_]+$")

#: The lists a danger file may hold, each a list of rules (``now`` is a mapping kind -> rules).
RULE_LISTS = (
    "maybe",
    "not_danger",
    "not_now",
    "not_me",
    "not_real",
    "what_if",
    "present",
    "to_me",
    "serious",
    "turn",
    "done",
)


class DangerFileError(ValueError):
    """A danger file cannot be used; the message names the file and the fix."""


Words = tuple[frozenset[str], ...]  # consecutive words; each slot any one of a set


@dataclass(frozen=True)
class Element:
    """One step of a rule: one of ``alts`` (word sequences), or a gap of any words, or the message end."""

    alts: tuple[Words, ...] = ()
    low: int = 1  # 0: optional word or group; for a gap, the fewest words it skips
    high: int = 1  # for a gap, the most words it skips
    gap: bool = False
    end: bool = False
    #: ``alts`` by their first word, each as the words after it: a message word finds its few
    #: candidates in one lookup instead of trying every alternative of a big group.
    by_first: dict[str, tuple[Words, ...]] = field(default_factory=dict, compare=False)


def _sequence(alts: tuple[Words, ...], low: int) -> Element:
    index: dict[str, list[Words]] = {}
    for alt in alts:
        for word in alt[0]:
            index.setdefault(word, []).append(alt[1:])
    return Element(alts=alts, low=low, by_first={w: tuple(rest) for w, rest in index.items()})


@dataclass(frozen=True)
class Rule:
    """One compiled rule; ``source`` is the line as written, ``kind`` the kind of danger for ``now`` rules."""

    source: str
    elements: tuple[Element, ...]
    anchored: bool = False  # starts with ``^``: only at the start of the message
    kind: str = ""

    @property
    def first_words(self) -> frozenset[str]:
        return frozenset(w for alt in self.elements[0].alts for w in alt[0])


@dataclass
class LanguageRules:
    """Everything one danger file says."""

    language: str
    now: list[Rule] = field(default_factory=list)
    maybe: list[Rule] = field(default_factory=list)
    not_danger: list[Rule] = field(default_factory=list)
    not_now: list[Rule] = field(default_factory=list)
    not_me: list[Rule] = field(default_factory=list)
    not_real: list[Rule] = field(default_factory=list)
    #: A hypothetical or a question about what to do ("what if he ever", "qué hago si"): one step down,
    #: like ``not_real``, but only for the words it opens; a ``present`` or ``done`` phrase after it
    #: turns the message to now ("what if he finds me? hes at the door right now").
    what_if: list[Rule] = field(default_factory=list)
    present: list[Rule] = field(default_factory=list)
    to_me: list[Rule] = field(default_factory=list)  # the danger is aimed at the writer: not_me does not apply
    #: The message denies its own laugh ("not funny", "no es broma"): a laugh lowers nothing.
    serious: list[Rule] = field(default_factory=list)
    #: The story turns from the past to now ("but now", "pero ahora"): a past phrase before it
    #: does not calm the danger said after it.
    turn: list[Rule] = field(default_factory=list)
    #: A thing already done ("already took", "ya me tomé"): the question it follows ("what happens
    #: if", "qué pasa si") is about it, not a hypothetical.
    done: list[Rule] = field(default_factory=list)
    upgrades: list[Rule] = field(default_factory=list)  # kind: the kind a held/violence hit becomes
    spellings: dict[str, str] = field(default_factory=dict)  # "toy" -> "estoy": a typed word also reads as
    emoji: dict[str, str] = field(default_factory=dict)  # "🔪" -> "cuchillo": an emoji reads as a rule word

    def rules(self) -> list[Rule]:
        """Every rule of every list."""
        lists = (self.now, self.maybe, self.not_danger, self.not_now, self.not_me, self.not_real, self.what_if)
        extra = (self.present, self.to_me, self.serious, self.turn, self.done, self.upgrades)
        return [rule for rules in (*lists, *extra) for rule in rules]

    def words(self) -> set[str]:
        """Every word the rules name (``~verb`` tokens included)."""
        return {w for rule in self.rules() for el in rule.elements for alt in el.alts for words in alt for w in words}

    def verbs(self) -> set[str]:
        """The verbs rules name with ``~`` (without the ``~``)."""
        return {w[1:].partition("+")[0] for w in self.words() if w.startswith("~")}


def _words(text: str, where: str, source: str) -> Words:
    """``a|b c`` -> ({a, b}, {c}): a word sequence, each word with its alternatives."""
    out: list[frozenset[str]] = []
    for raw in text.split():
        alts: set[str] = set()
        for alt in raw.split("|"):
            # ~matar: any form of the verb; ~matar+me: one with me/nos attached (resource_bot.dialog.wordforms)
            verb = alt.startswith("~")
            base, plus, attached = alt[1:].partition("+") if verb else (alt, "", "")
            norm = normalize(base)
            if verb and (not norm.isalpha() or f"{plus}{attached}" not in ("", "+me")):
                raise DangerFileError(
                    f"{where}: in {source!r}, {alt!r}: a '~' goes right before one verb, as in ~matar, ~matar+me "
                    f"or ~kill."
                )
            if verb:
                norm = "~" + norm + plus + attached
            elif not norm or " " in norm:
                raise DangerFileError(
                    f"{where}: in {source!r}, {alt!r} must be exactly one word after removing "
                    f"punctuation; split it into separate words or write a second rule."
                )
            alts.add(norm)
        out.append(frozenset(alts))
    if not out:
        raise DangerFileError(f"{where}: in {source!r}, a choice is empty (two '|' in a row, or a '|' at an end).")
    return tuple(out)


def _choices(token: str, groups: dict[str, tuple[Words, ...]], where: str, source: str) -> tuple[Words, ...]:
    """One rule token, ``a|{group}|b``: the word sequences it may stand for."""
    alts: list[Words] = []
    for choice in token.split("|"):
        ref = _GROUP_REF.match(choice)
        if ref and not ref[2]:
            name = ref[1]
            if name not in groups:
                known = ", ".join(sorted(groups)) or "none yet"
                raise DangerFileError(
                    f"{where}: {source!r} uses {{{name}}}, which is not under 'groups:' (known: {known})."
                )
            alts.extend(groups[name])
        elif "{" in choice or "}" in choice or "?" in choice:
            raise DangerFileError(
                f"{where}: in {source!r}, {choice!r} is not a word or a {{group}}; a '?' goes at the end of a token."
            )
        else:
            alts.append(_words(choice, where, source))
    return tuple(alts)


def _phrases(inside: str, groups: dict[str, tuple[Words, ...]], where: str, source: str) -> tuple[Words, ...]:
    """A bracketed token, ``(out of control|out of hand|{group})``: whole phrases to choose from."""
    alts: list[Words] = []
    for phrase in inside.split("|"):
        if _GROUP_REF.match(phrase.strip()):
            alts.extend(_choices(phrase.strip(), groups, where, source))
        elif not phrase.strip() or any(c in phrase for c in "{}?*^$") or "..." in phrase:
            raise DangerFileError(
                f"{where}: in {source!r}, each choice in brackets must be plain words or a {{group}}: {phrase!r}."
            )
        else:
            alts.append(_words(phrase, where, source))
    return tuple(alts)


def compile_rule(
    source: str, groups: dict[str, tuple[Words, ...]] | None = None, where: str = "<rule>", kind: str = ""
) -> Rule:
    """Compile ``^ word a|b opt? (two words|other)? {group} {group}? * ... ...8 $``.

    Raise :class:`DangerFileError` naming ``where`` and the fix on misuse.
    """
    groups = groups or {}
    parts = _TOKEN.findall(source)
    anchored = bool(parts) and parts[0] == "^"
    if anchored:
        parts = parts[1:]
    elements: list[Element] = []
    for n, raw in enumerate(parts):
        if raw == "...":
            elements.append(Element(low=0, high=MAX_GAP, gap=True))
        elif long_gap := _LONG_GAP.match(raw):
            reach = int(long_gap[1])
            if not 1 <= reach <= MAX_LONG_GAP:
                raise DangerFileError(
                    f"{where}: in {source!r}, {raw!r}: a gap may skip 1 to {MAX_LONG_GAP} words (...8 skips up "
                    f"to eight; ... alone up to {MAX_GAP})."
                )
            elements.append(Element(low=0, high=reach, gap=True))
        elif raw == "*":
            elements.append(Element(low=1, high=1, gap=True))
        elif raw == "$":
            if n != len(parts) - 1:
                raise DangerFileError(f"{where}: in {source!r}, '$' (end of message) must come last.")
            elements.append(Element(low=0, end=True))
        elif raw == "^":
            raise DangerFileError(f"{where}: in {source!r}, '^' (start of message) must come first.")
        elif raw in ("(", ")"):
            raise DangerFileError(f"{where}: in {source!r}, a '(' has no matching ')' (or the reverse).")
        else:
            optional = raw.endswith("?")
            token = raw.removesuffix("?")
            if token.startswith("("):
                choices = _phrases(token[1:-1], groups, where, source)
            else:
                choices = _choices(token, groups, where, source)
            elements.append(_sequence(choices, 0 if optional else 1))
    if not elements or elements[0].gap or elements[0].end or elements[0].low != 1:
        raise DangerFileError(
            f"{where}: {source!r} must start with a required word or group (not '*', '...' or an optional one)."
        )
    last = elements[-2] if elements[-1].end and len(elements) > 1 else elements[-1]
    if last.gap and not elements[-1].end:
        raise DangerFileError(f"{where}: {source!r} must end with a word or group, not '*' or '...'.")
    return Rule(source, tuple(elements), anchored, kind)


def _rule_list(path: Path, key: str, items: object, groups: dict[str, tuple[Words, ...]], kind: str = "") -> list[Rule]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise DangerFileError(f"{path}: '{key}' must be a list of rules (one '- rule' per line).")
    out: list[Rule] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, str) or not item.strip():
            raise DangerFileError(f"{path}: {key} item {n} must be a non-empty rule in quotes, got {item!r}.")
        out.append(compile_rule(item, groups, f"{path}: {key} item {n}", kind))
    return out


def _groups(path: Path, doc: dict[str, Any]) -> dict[str, tuple[Words, ...]]:
    raw = doc.get("groups") or {}
    if not isinstance(raw, dict):
        raise DangerFileError(f"{path}: 'groups' must map a name to a list of words or short phrases.")
    groups: dict[str, tuple[Words, ...]] = {}
    for name, items in raw.items():
        if not isinstance(name, str) or not _GROUP_NAME.match(name):
            raise DangerFileError(f"{path}: group name {name!r} must be lower-case letters and '_' only.")
        if not isinstance(items, list) or not items:
            raise DangerFileError(f"{path}: group {name!r} must be a non-empty list ('- word' per line).")
        alts: list[Words] = []
        for n, item in enumerate(items, 1):
            if not isinstance(item, str) or not item.strip() or any(c in item for c in "{}?*^$") or "..." in item:
                raise DangerFileError(
                    f"{path}: group {name!r} item {n} must be plain words in quotes (a|b allowed), got {item!r}."
                )
            # In a group, "|" separates whole items: "ex husband|baby daddy" is two items.
            for phrase in item.split("|"):
                if not phrase.strip():
                    raise DangerFileError(f"{path}: group {name!r} item {n} has an empty choice in {item!r}.")
                alts.append(_words(phrase, f"{path}: group {name!r} item {n}", item))
        groups[name] = tuple(alts)
    return groups


def load_danger_file(path: Path) -> LanguageRules:
    """Read one reviewed danger file; any problem raises :class:`DangerFileError`."""
    doc: Any = read_word_file(path, DangerFileError)
    if not isinstance(doc, dict) or not isinstance(doc.get("now"), dict):
        raise DangerFileError(
            f"{path}: expected a mapping with 'language', 'groups', a 'now:' mapping (kind -> rules) and "
            f"the lists {', '.join(RULE_LISTS)}; see the comment at the top of the file."
        )
    unknown = sorted(set(doc) - {"language", "groups", "now", "upgrade", "spellings", "emoji", *RULE_LISTS})
    if unknown:
        raise DangerFileError(f"{path}: unknown section(s) {unknown}; the sections are explained at the top.")
    lang = doc.get("language", path.stem)
    if not isinstance(lang, str) or not lang:
        raise DangerFileError(f"{path}: 'language' must be a code such as en or es.")
    groups = _groups(path, doc)
    rules = LanguageRules(lang)
    for kind, items in doc["now"].items():
        if kind not in KINDS:
            raise DangerFileError(f"{path}: now: {kind!r} is not a kind of danger; use one of {', '.join(KINDS)}.")
        rules.now += _rule_list(path, f"now: {kind}", items, groups, kind)
    upgrade = doc.get("upgrade") or {}
    if not isinstance(upgrade, dict):
        raise DangerFileError(f"{path}: 'upgrade' must map a kind to a list of rules.")
    for kind, items in upgrade.items():
        if kind not in KINDS:
            raise DangerFileError(f"{path}: upgrade: {kind!r} is not a kind of danger; use one of {', '.join(KINDS)}.")
        rules.upgrades += _rule_list(path, f"upgrade: {kind}", items, groups, kind)
    for key in RULE_LISTS:
        setattr(rules, key, _rule_list(path, key, doc.get(key), groups))
    if not rules.now:
        raise DangerFileError(f"{path}: 'now' has no rules; a danger file must say what danger looks like.")
    rules.spellings = _spellings(path, doc.get("spellings"))
    rules.emoji = _emoji(path, doc.get("emoji"), rules.words())
    if lang != "es" and any(w.endswith("+me") for w in rules.words()):
        raise DangerFileError(f"{path}: '+me' after a ~verb is for Spanish (matarme); in {lang}, write 'me' as a word.")
    if lang == "es":
        wrong = sorted(v for v in rules.verbs() if not is_spanish_verb(v))
        if wrong:
            raise DangerFileError(
                f"{path}: ~{wrong[0]} is not a Spanish infinitive; write ~ before the infinitive (~matar, "
                f"~romper, ~seguir) and irregular forms (dio, hizo) as plain words."
            )
    return rules


def _spellings(path: Path, raw: object) -> dict[str, str]:
    """``spellings:`` maps a way people type a word ("toy", "bouta") to the word rules use."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DangerFileError(f"{path}: 'spellings' must map a typed word to a word ('toy: estoy').")
    out: dict[str, str] = {}
    for typed, meant in raw.items():
        a, b = normalize(str(typed)), normalize(str(meant))
        if not a or not b or " " in a or " " in b:
            raise DangerFileError(f"{path}: spellings: {typed!r}: {meant!r} must be one word on each side.")
        out[a] = b
    return out


#: Emoji presentation selector: "⛓️" is "⛓" followed by it.
_VS16 = "\ufe0f"


def _emoji(path: Path, raw: object, words: set[str]) -> dict[str, str]:
    """``emoji:`` maps one emoji ("🔪") to the rule word it reads as ("knife"); normalising drops emoji."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DangerFileError(f"{path}: 'emoji' must map one emoji to one word ('🔪: knife').")
    out: dict[str, str] = {}
    for typed, meant in raw.items():
        char = str(typed).replace(_VS16, "")
        word = normalize(str(meant))
        if len(char) != 1 or normalize(char):
            raise DangerFileError(f"{path}: emoji: {typed!r} must be one emoji (a letter or digit is a word).")
        if not word or " " in word:
            raise DangerFileError(f"{path}: emoji: {typed!r}: {meant!r} must be one word.")
        if word not in words:
            raise DangerFileError(
                f"{path}: emoji: {typed!r} reads as {word!r}, which no rule names; choose a word the rules hold."
            )
        out[char] = word
    return out
