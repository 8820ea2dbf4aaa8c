"""The danger detector's second opinion: a small learned model, per language, over letters and words.

The rules (:mod:`resource_bot.dialog.danger`) are the reviewable floor. But rules written from examples
catch only about four in five danger messages said in words no rule holds, and say nothing at all about
the rest. This model reads a message of :data:`FEWEST_WORDS` words or more as parts of words and pairs
of words, learned from every tuning message, probe and everyday message the project has written, and
each language's limits (:class:`Thresholds`) say when it speaks:

- where the rules heard nothing, it may raise the message to danger now, when it is sure (``now``),
  with the kind it reads (which picks the first line of the emergency screen); or to "Are you safe
  right now?" (``maybe``, on danger now and maybe together);
- where the rules heard only a "maybe" ("ya viene subiendo las escaleras"), it may raise it to danger
  now when it is very sure (``over_maybe``; Spanish only, as English requests such as "my ex is stalking
  me" read as sure there).

It never lowers a verdict, and a verdict the rules heard and lowered themselves (an idiom, a past time,
a helper's question) stands. The model reads surface cues where the rules read how a message is built:
it was sure there was no danger in "estoy en peligro", in "jaja no es chiste, trae una pistola" and in
"i was abused as a kid and now i want to kill myself", all of which the rules catch.

The weights are data (``conversations/danger/learned/<lang>.json``), trained by
``python -m tests.dangertrain`` with scikit-learn's logistic regression over TF-IDF features. Only
the arithmetic of a prediction is written here (a few dict look-ups and sums per message), so the
bot does not carry scikit-learn, NumPy and SciPy to read one short message; tests/test_danger_model.py
checks that it gives the probabilities scikit-learn gave when the weights were written.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from resource_bot.matching.typedlang import FUNCTION_WORDS

__all__ = [
    "FEWEST_WORDS",
    "LearnedModel",
    "Reading",
    "Thresholds",
    "enough_words",
    "features",
    "load_models",
    "pick_language",
    "revise",
]

Level = Literal["now", "maybe"]
#: Classes that are not a kind of danger now; every other class is a kind (self_harm, violence...).
_NOT_KINDS = frozenset({"none", "maybe"})
#: One or two words are too few to judge from their parts ("pay", "no", "kids"): the rules and the topics read them.
#: Only words of two letters or more count: "0:O:X" is no message, though the Spanish model read "o" and "x" as
#: the "or" and "por" of a plea.
FEWEST_WORDS = 3
#: Letter runs this long are read from each word, padded with a space on both sides.
_SHORTEST, _LONGEST = 2, 5


def features(words: Sequence[str]) -> list[str]:
    """The parts a message is read as: letter runs of 2 to 5 inside each word (" kil", "ill "), each
    word ("w kill"), and each pair of neighbouring words ("b kill me"). Training and reading share this."""
    out: list[str] = []
    for word in words:
        padded = f" {word} "
        size = len(padded)
        for n in range(_SHORTEST, min(_LONGEST, size) + 1):
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    out.extend("w " + w for w in words)
    out.extend(f"b {a} {b}" for a, b in zip(words, words[1:], strict=False))
    return out


@dataclass(frozen=True)
class Reading:
    """What the model reads in a message: how likely it is danger now, or maybe, and the likeliest kind."""

    now: float
    maybe: float
    kind: str


@dataclass(frozen=True)
class Thresholds:
    """How sure the model must be: of danger now, or of danger now and maybe together, where the rules heard
    nothing; and of danger now where the rules heard only a "maybe" (None: the rules' question stands)."""

    now: float
    maybe: float
    over_maybe: float | None = None


class LearnedModel:
    """One language's weights; :meth:`read` is a multinomial logistic regression over TF-IDF features."""

    def __init__(self, spec: Mapping[str, Any], source: str = "model") -> None:
        retrain = "retrain with python -m tests.dangertrain"
        try:
            self.language = str(spec["language"])
            self.classes = tuple(str(c) for c in spec["classes"])
            self._intercepts = tuple(float(b) for b in spec["intercepts"])
            limits = spec["thresholds"]
            over = limits.get("over_maybe")
            self.thresholds = Thresholds(
                float(limits["now"]), float(limits["maybe"]), None if over is None else float(over)
            )
            rows = list(spec["features"].items())
            width = len(self.classes) + 1  # each feature's idf, then its weight for each class
            self._kinds = tuple(k for k, c in enumerate(self.classes) if c not in _NOT_KINDS)
            self._maybe = self.classes.index("maybe")
            if not self._kinds or len(self._intercepts) != len(self.classes) or any(len(r) != width for _, r in rows):
                raise ValueError("its weights do not match its classes")
            # One flat array of 32-bit floats and each feature's offset in it: a third of the memory of a tuple
            # of floats per feature (11 MB for both languages, where tuples took 23 for fewer features).
            self._offsets = {str(f): i * width for i, (f, _) in enumerate(rows)}
            self._weights = array("f", (float(x) for _, row in rows for x in row))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{source}: not a danger model file ({exc}); {retrain}") from exc

    @classmethod
    def from_file(cls, path: Path) -> LearnedModel:
        return cls(json.loads(path.read_text(encoding="utf-8")), str(path))

    def probabilities(self, words: Sequence[str]) -> list[float]:
        """The probability of each class (in :attr:`classes` order) for the normalised ``words``."""
        scores = list(self._intercepts)
        weights, width = self._weights, len(scores)
        present: list[tuple[float, int]] = []
        total = 0.0
        for feature, count in Counter(features(words)).items():
            at = self._offsets.get(feature)
            if at is not None:
                value = (1.0 + math.log(count)) * weights[at]  # sublinear term frequency times idf
                total += value * value
                present.append((value, at + 1))
        if total:
            scale = 1.0 / math.sqrt(total)  # each message's vector has length 1
            for value, at in present:
                x = value * scale
                for k in range(width):
                    scores[k] += x * weights[at + k]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        whole = sum(exps)
        return [e / whole for e in exps]

    def read(self, words: Sequence[str]) -> Reading:
        p = self.probabilities(words)
        kind = max(self._kinds, key=p.__getitem__)
        return Reading(sum(p[k] for k in self._kinds), p[self._maybe], self.classes[kind])


def load_models(folder: Path) -> dict[str, LearnedModel]:
    """Every ``<lang>.json`` in ``folder`` (none when the folder is missing: the rules then judge alone)."""
    models: dict[str, LearnedModel] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        model = LearnedModel.from_file(path)
        models[model.language] = model
    return models


def enough_words(words: Sequence[str]) -> bool:
    """Whether a message says enough for the model to judge: :data:`FEWEST_WORDS` words of two letters or more."""
    return sum(len(w) > 1 and not w.isdigit() for w in words) >= FEWEST_WORDS


#: A message of this many words or fewer the rules only ask about is never raised to trafficking: "me quitaron
#: el pasaporte" is how people ask for the topic (the needs sets send it there), and "Are you safe?" already
#: offers the hotline. A longer one that says more ("...y no me deja hablar con mi familia") still is.
SHORT_ASK = 4


def revise(
    reading: Reading, limits: Thresholds, heard_maybe: bool = False, words: int = SHORT_ASK + 1
) -> tuple[Level, str | None] | None:
    """The (level, kind) the model raises a message of ``words`` words to, or None to leave it: one the rules
    heard nothing in, or (``heard_maybe``) one they heard only a "maybe" in ("ya viene subiendo las escaleras")."""
    if heard_maybe:
        short_ask = reading.kind == "trafficking" and words <= SHORT_ASK
        sure = limits.over_maybe is not None and reading.now > limits.over_maybe and not short_ask
        return ("now", reading.kind) if sure else None
    if reading.now > limits.now:
        return "now", reading.kind
    if reading.now + reading.maybe > limits.maybe:
        return "maybe", None
    return None


def pick_language(words: Sequence[str], models: Mapping[str, LearnedModel]) -> list[LearnedModel]:
    """The model of the language the words are in, by the function words only one language uses
    ("the", "my" / "el", "mi"); both when as many of each, or none: then both must be sure."""
    counts = {lang: sum(w in FUNCTION_WORDS.get(lang, ()) for w in words) for lang in models}
    top = max(counts.values(), default=0)
    return [models[lang] for lang, n in counts.items() if n == top]
