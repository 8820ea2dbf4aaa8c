"""The danger detector: is someone in danger right now, maybe, or not, and what kind of danger?

It runs once on every typed message, before anything else (see
:meth:`resource_bot.dialog.engine.Engine._text`), and answers with a
:class:`Verdict`: ``now`` (with a kind, which picks the first line of the
emergency screen), ``maybe`` (the bot asks "Are you safe right now?") or
``none``.

The rules are data (``conversations/danger/<lang>.yaml``, syntax in
:mod:`resource_bot.dialog.dangerfile`), reviewed by people who work with
survivors. A miss costs far more than a false alarm, so words are matched
tolerantly: accents, case, emoji, invisible characters and look-alike letters
are undone by :func:`~resource_bot.matching.textnorm.normalize`, one typo is
forgiven, a Spanish word typed as it sounds ("ensero", "pastiyas") reads as the
rule word, and a verb a rule names with ``~`` ("~matar") is found in any of its
forms (:mod:`resource_bot.dialog.wordforms`). The words are read once; then each
language's rules judge alone, with that language's own modifiers (a Spanish "actor",
a film's, never calms "my ex is an actor and he has a gun to my head"), and the most
severe verdict wins. In each language, in order:

1. ``now`` and ``maybe`` rules find danger; ``not_danger`` idioms ("this job is
   killing me") cancel only the hits they overlap, and not a hit whose rule reads
   on past the idiom's last word ("help me get" a form, but "help me get out of
   this house": see :func:`resource_bot.dialog.dangermatch.cancelled`).
2. Unless a ``present`` rule says it is happening now ("right now", "outside"),
   ``not_me`` (a helper or a question: "how can I help my friend") and
   ``not_now`` (the past: "two years ago") each lower the verdict one step:
   now to maybe, maybe to none. A ``to_me`` rule (the threat is aimed at the
   writer: "going to stab me", "me va a matar") keeps ``not_me`` from applying,
   so "my roommate said she will stab me" is not read as a helper's question.
   ``not_real`` (a film, a game, a laugh) lowers it one step even then. ``what_if`` (a hypothetical:
   "what if he ever", "qué hago si") lowers it one step too, unless the message turns to now in a later
   clause (:func:`~resource_bot.dialog.dangerclause.turn_to_now`). Three lists narrow these:
   a ``serious`` phrase ("not funny", "no es broma") denies the message's laugh, which then lowers
   nothing; a ``turn`` ("but now", "pero ahora") keeps a ``not_now`` phrase that ends before it from
   calming a hit said after it; a ``done`` phrase ("already took", "ya me tomé") makes the question it
   follows ("what happens if") about a thing done, so that question lowers nothing
   (:mod:`resource_bot.dialog.dangerclause`). A danger emoji (🔪, 🔫, 💊, 🩸) reads as the words the
   files' ``emoji`` sections give it ("knife" and "cuchillo", in one slot).
3. The kind: a self-harm rule wins over other rules on the same words (it is
   written in the first person; see :func:`~resource_bot.dialog.dangerkinds.yields` for the exceptions);
   otherwise :data:`KIND_PRIORITY` decides, and ``upgrade`` rules (of either
   language) turn a held, weapon or violence hit into children or trafficking
   when the message also says so ("my kids", "make me work"). The other kinds
   the message says go in :attr:`Verdict.also`, and their lines follow the
   kind's on the emergency screen (:func:`first_lines`): "voy a matar a mis
   hijos y después me mato" shows 911, Childhelp, then 988.
4. Where no rule of any language heard anything, a learned model of the language typed may still
   raise a message of three real words or more to danger now or to "Are you safe?"
   (:mod:`resource_bot.dialog.dangermodel`). What the rules heard, they judge alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from resource_bot.dialog.dangerclause import MAX_WORDS, after_turn, asks_about, turn_to_now, words_and_clauses
from resource_bot.dialog.dangerfile import (
    KINDS,
    DangerFileError,
    LanguageRules,
    load_danger_file,
)
from resource_bot.dialog.dangerkinds import (
    FIRST_LINES,
    KIND_PRIORITY,
    NO_DANGER,
    Level,
    Verdict,
    also_kinds,
    first_lines,
    severest,
    yields,
)
from resource_bot.dialog.dangermatch import RuleSet, Span, cancelled, overlaps
from resource_bot.dialog.dangermodel import LearnedModel, enough_words, load_models, pick_language, revise
from resource_bot.dialog.wordforms import NOT_TYPOS, VerbForms, sound_key

__all__ = [
    "FIRST_LINES",
    "KINDS",
    "MAX_WORDS",
    "DangerDetector",
    "DangerFileError",
    "Level",
    "Verdict",
    "NO_DANGER",
    "first_lines",
]

#: Kinds an ``upgrade`` rule may turn into children or trafficking.
_UPGRADABLE = frozenset({"violence", "held", "weapon"})
#: Emoji that laugh (💀 is "I'm dead", laughing); normalising drops emoji, so they are read as the word "lol".
_LAUGHING = frozenset("😂🤣😆😹😅😝😜🤪💀☠")
#: A typed laugh of any length ("jajajaja", "hahahah", "jsjsjs", "lmaooo", "xdd") also reads as "lol":
#: people stretch laughs freely, so no list of spellings or typo budget can hold them all.
_LAUGH_WORD = re.compile(
    r"a?([jh])([aeiou])(?:\1\2)+\1?"  # jajaja, hehe, hahah
    r"|a?j[jaes]*s[jaes]*j[jaes]*"  # jsjsjs, jajsj
    r"|l+o+l+(?:o+l*)*|l+m+f*a+o+|x+d+|k{4,}"  # lolol, lmaooo, xdd, kkkk
)

#: The prefix of the word an emoji of an ``emoji:`` section is read as, before its words are put in its slot.
_EMOJI_TOKEN = "emoji"

_FUZZY_MIN_LEN = 5
#: A one-letter word ("a", "o", "y") is too many words alike to be read by its sound ("ba" reads as "va").
_SOUND_MIN_LEN = 2
_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class _Sets:
    now: RuleSet
    maybe: RuleSet
    not_danger: RuleSet
    not_now: RuleSet
    not_me: RuleSet
    not_real: RuleSet
    what_if: RuleSet
    present: RuleSet
    to_me: RuleSet
    upgrades: RuleSet
    serious: RuleSet
    turn: RuleSet
    done: RuleSet


class DangerDetector:
    """Reads a message once and returns a :class:`Verdict`; see the module docstring for the steps."""

    def __init__(self, rules: Mapping[str, LanguageRules], learned: Mapping[str, LearnedModel] | None = None) -> None:
        self.rules = dict(rules)
        self._learned = dict(learned or {})
        self._sets = {
            lang: _Sets(
                RuleSet(r.now),
                RuleSet(r.maybe),
                RuleSet(r.not_danger),
                RuleSet(r.not_now),
                RuleSet(r.not_me),
                RuleSet(r.not_real),
                RuleSet(r.what_if),
                RuleSet(r.present),
                RuleSet(r.to_me),
                RuleSet(r.upgrades),
                RuleSet(r.serious),
                RuleSet(r.turn),
                RuleSet(r.done),
            )
            for lang, r in rules.items()
        }
        vocab = {w for r in rules.values() for w in r.words() if not w.startswith("~")}
        # ~matar in a rule: any form of the verb; and (Spanish) a word typed as it sounds.
        self._verbs = [forms for r in rules.values() if (forms := VerbForms(r.language, r.verbs()))]
        self._sounds: dict[str, set[str]] = {}
        for r in rules.values():
            if r.language == "es":
                for w in r.words():
                    if len(w) >= _SOUND_MIN_LEN and not w.startswith("~") and not w.isdigit():
                        self._sounds.setdefault(sound_key(w), set()).add(w)
        self._spellings = {typed: meant for r in rules.values() for typed, meant in r.spellings.items()}
        # 🔪 reads as "knife" and "cuchillo" in one slot: each language's file names its own word. The emoji
        # becomes a token normalising keeps ("emoji1f52a"), and the token's slot holds the words.
        self._emoji_tokens: dict[str, str] = {}
        self._emoji_words: dict[str, set[str]] = {}
        for r in rules.values():
            for char, word in r.emoji.items():
                token = self._emoji_tokens.setdefault(char, f"{_EMOJI_TOKEN}{ord(char):x}")
                self._emoji_words.setdefault(token, set()).add(word)
        self._vocab = frozenset(vocab)
        self._by_len: dict[int, list[str]] = {}
        # Short words ("kil", "knif", "hrut") are forgiven only a missing letter or two swapped ones.
        self._short: dict[str, set[str]] = {}
        for w in sorted(vocab):
            if len(w) >= _FUZZY_MIN_LEN - 1:
                self._by_len.setdefault(len(w), []).append(w)
            if 4 <= len(w) <= 5:
                for k in range(len(w)):
                    self._short.setdefault(w[:k] + w[k + 1 :], set()).add(w)
            if 3 <= len(w) <= 4:
                for k in range(len(w) - 1):
                    self._short.setdefault(w[:k] + w[k + 1] + w[k] + w[k + 2 :], set()).add(w)
        self._slot_cache: dict[str, frozenset[str]] = {}
        self._len_windows: dict[tuple[int, int], list[str]] = {}

    @classmethod
    def from_directory(cls, conversations_dir: Path) -> DangerDetector:
        """Load every ``danger/<lang>.yaml`` under ``conversations_dir``, and the models in ``danger/learned/``."""
        folder = conversations_dir / "danger"
        files = sorted(folder.glob("*.yaml"))
        if not files:
            raise DangerFileError(f"{folder}: no danger files (expected en.yaml, es.yaml).")
        rules: dict[str, LanguageRules] = {}
        for path in files:
            loaded = load_danger_file(path)
            if loaded.language in rules:
                raise DangerFileError(f"{path}: a second file for language {loaded.language!r}; merge them.")
            rules[loaded.language] = loaded
        try:
            learned = load_models(folder / "learned")
        except (OSError, ValueError) as exc:
            raise DangerFileError(str(exc)) from exc
        return cls(rules, learned)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._sets))

    def is_crisis(self, text: str, lang: str | None = None) -> bool:
        """True when ``text`` says someone is in danger now."""
        return self.check(text, lang).now

    def explain(self, text: str, lang: str | None = None) -> list[str]:
        """The rules behind the verdict; for tests and reviewers."""
        return list(self.check(text, lang).rules)

    def check(self, text: str, lang: str | None = None) -> Verdict:
        """The verdict on ``text``.

        ``lang`` None (or a language without a file) reads every language's rules, as the engine
        does: people in danger type in whichever language comes first.
        """
        if self._emoji_tokens and not self._emoji_tokens.keys().isdisjoint(text):
            text = "".join(f" {self._emoji_tokens[c]} " if c in self._emoji_tokens else c for c in text)
        words, clauses = words_and_clauses(text)
        if not words:
            return NO_DANGER
        laughs = [i for i, w in enumerate(words) if _LAUGH_WORD.fullmatch(w)]
        laughed = bool(laughs) or not _LAUGHING.isdisjoint(text)
        sets = [self._sets[lang]] if lang in self._sets else list(self._sets.values())
        slots = [self._slot(w) for w in words]  # one pass over the words: the slots serve every language
        # "lol not funny", "jaja no es broma": the message denies its own laugh, which then lowers nothing;
        # a denial in either language counts ("lol no es broma").
        present: frozenset[str] = frozenset().union(*slots)
        serious = [span for rs in sets for span in rs.serious.spans(slots, present)]
        if serious and laughed:
            for i in laughs:
                slots[i] = frozenset()
            present = frozenset().union(*slots)
            laughed = False
        elif laughed:
            slots.append(self._slot("lol"))  # 😂 or "jajaja" is a word here: it reads like "lol" (see not_real)
            present |= slots[-1]
        # Each language judges alone, with its own modifiers: a Spanish "show" never calms an English threat.
        upgrades = [rs.upgrades for rs in sets]
        verdict = severest([self._judge(rs, slots, present, laughed, upgrades, serious, clauses) for rs in sets])
        if not self._learned:
            return verdict
        # The model learned from text whose emoji normalising dropped: it reads the words without the tokens.
        typed = [w for w in words if w not in self._emoji_words] if self._emoji_words else words
        return self._second_opinion(verdict, typed, lang)

    def _second_opinion(self, verdict: Verdict, words: list[str], lang: str | None) -> Verdict:
        """The learned model's verdict where the rules heard nothing or only a "maybe" (see
        :mod:`resource_bot.dialog.dangermodel`); ``learned:`` in :attr:`Verdict.rules` says it spoke."""
        heard_maybe = verdict.level == "maybe"
        if (verdict.rules and not heard_maybe) or not enough_words(words):
            return verdict
        models = [self._learned[lang]] if lang in self._learned else pick_language(words, self._learned)
        if heard_maybe and any(m.thresholds.over_maybe is None for m in models):
            return verdict  # a language whose rules' question stands (English): no need to read the message
        reading, model = min(((m.read(words), m) for m in models), key=lambda rm: rm[0].now)
        change = revise(reading, model.thresholds, heard_maybe, len(words))
        if change is None:
            return verdict
        level, kind = change
        return Verdict(level, kind, (f"learned: {kind or level} ({reading.now:.2f})", *verdict.rules))

    @staticmethod
    def _judge(
        rs: _Sets,
        slots: Sequence[frozenset[str]],
        present: frozenset[str],
        laughed: bool,
        upgrades: Sequence[RuleSet],
        serious: Sequence[Span] = (),
        clauses: Sequence[int] = (),
    ) -> Verdict:
        """One language's verdict on the message's slots, with that language's rules only; but an
        ``upgrade`` of any language may name the kind ("mi boss tiene mi passport"): it never lowers a
        verdict, it only adds a line."""
        now = rs.now.spans(slots, present)
        maybe = rs.maybe.spans(slots, present)
        if not now and not maybe:
            return NO_DANGER
        # An idiom that reaches into a denial ("me encerró ... jaja no estoy jugando": "jugando") explains nothing.
        idioms = [s for s in rs.not_danger.spans(slots, present) if not overlaps(s, serious)]
        said_now = now
        if idioms:
            now = [s for s in now if not cancelled(s, idioms, slots)]
            maybe = [s for s in maybe if not cancelled(s, idioms, slots)]
        if not now and not maybe:
            if said_now and laughed and rs.to_me.spans(slots, present):
                # "he's going to kill me lol": a laugh never clears a threat aimed at the writer;
                # people laugh when they are scared, too. "Are you safe right now?" costs a joker a tap.
                return Verdict("maybe", None, tuple(rule.source for _, _, rule in said_now))
            # Not danger, but the rules heard it and judged: an idiom explained it ("die my hair").
            return Verdict("none", None, tuple(rule.source for _, _, rule in idioms))
        fired = tuple(rule.source for _, _, rule in now + maybe)
        level = 2 if now else 1  # 2 now, 1 maybe, 0 none
        not_me = rs.not_me.spans(slots, present)
        # "im not kidding", "no es broma": the denial itself is no joke ("kidding" is a laugh's word).
        not_real = [s for s in rs.not_real.spans(slots, present) if not overlaps(s, serious)]
        what_if = rs.what_if.spans(slots, present)
        past = rs.not_now.spans(slots, present)
        said_present = rs.present.spans(slots, present)
        turns = rs.turn.spans(slots, present) if (past or not_me or not_real or what_if) else []
        if not_me or not_real or what_if:
            # "what happens if i already took ...": a question about a thing done, not a hypothetical;
            # unless a past phrase follows ("... already took too many pills last year").
            done = [d for d in rs.done.spans(slots, present) if not any(p >= d[0] for p, _, _ in past)]
            if done:
                not_me = [s for s in not_me if not asks_about(s, done)]
                not_real = [s for s in not_real if not asks_about(s, done)]
                what_if = [s for s in what_if if not asks_about(s, done)]
            turned_at = [t[0] for t in turns]
            now_at = turn_to_now([*what_if, *not_me], [*said_present, *done], now + maybe, clauses, turned_at)
            if now_at is not None:
                what_if = [s for s in what_if if s[0] >= now_at]
                not_me = [s for s in not_me if s[0] >= now_at]
        if not said_present:
            if not rs.to_me.spans(slots, present):
                level -= bool(not_me)
            if past:
                level -= not any(after_turn(s, turns, past) for s in (now or maybe))
        level -= bool(not_real or what_if)  # a film or a joke, even "outside"; a what-if that stays one
        if level <= 0 and laughed and rs.to_me.spans(slots, present):
            level = 1  # as above: a laugh alone never clears a threat aimed at the writer
        if level <= 0:
            return Verdict("none", None, fired)
        if level == 1:
            return Verdict("maybe", None, fired)
        # A self-harm rule is written in the first person ("me quiero matar", "kill myself"); a
        # violence rule on the same words only matched a look-alike conjugation, so it yields;
        # unless it starts earlier and holds the whole self-harm hit: that is someone else's threat,
        # reported ("she keeps saying ill be dead by morning", "me dijo que no voy a amanecer").
        own = [
            s
            for s in now
            if s[2].kind == "self_harm"
            and not any(o[2].kind != "self_harm" and o[0] < s[0] and o[1] >= s[1] for o in now)
        ]
        others = {s[2].kind for s in now if s[2].kind != "self_harm" and not yields(s, own)}
        kinds = {span[2].kind for span in own} | others
        kind = next(k for k in KIND_PRIORITY if k in kinds)
        if kind in _UPGRADABLE:
            extra = {rule.kind for up in upgrades for _, _, rule in up.spans(slots, present)}
            kind = next((k for k in KIND_PRIORITY if k in extra), kind)
        return Verdict("now", kind, fired, also_kinds(kind, kinds))

    def _near_len(self, length: int, limit: int) -> list[str]:
        """Rule words whose length is within ``limit`` of ``length``: one list, so one fuzzy search per word."""
        key = (length, limit)
        found = self._len_windows.get(key)
        if found is None:
            found = [w for n in range(length - limit, length + limit + 1) for w in self._by_len.get(n, ())]
            self._len_windows[key] = found
        return found

    def _slot(self, word: str) -> frozenset[str]:
        """The word, what it spells ("toy" -> "estoy"), any rule word within one typo (two for long
        words) or (Spanish) sounding the same, and the ``~verb`` it is a form of ("matandome" -> ~matar)."""
        cached = self._slot_cache.get(word)
        if cached is not None:
            return cached
        if word in self._emoji_words:
            return frozenset({word, *self._emoji_words[word]})
        meant = self._spellings.get(word)
        near: set[str] = {word}
        if meant:
            near.add(meant)
        if word not in self._vocab and word not in NOT_TYPOS:
            if len(word) <= 4:
                near.update(self._short.get(word, ()))
            if len(word) >= _FUZZY_MIN_LEN:
                limit = 2 if len(word) >= 9 else 1
                choices = self._near_len(len(word), limit)
                if choices:
                    # Every near word, not the nearest few: "carto" is one letter from "corto" and
                    # from "canto", "carta", "cargo"...; the rule's word must not be crowded out.
                    found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None)
                    near.update(match for match, _, _ in found)
            if self._sounds and len(word) >= _SOUND_MIN_LEN:
                near.update(self._sounds.get(sound_key(word), ()))
        for forms in self._verbs:
            for w in list(near):
                near.update(forms.lemmas(w))
        result = frozenset(near)
        if len(self._slot_cache) < _CACHE_LIMIT:
            self._slot_cache[word] = result
        return result
