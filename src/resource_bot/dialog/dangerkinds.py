"""What a danger verdict is, and what the emergency screen puts first for it.

The detector (:mod:`resource_bot.dialog.danger`) finds the rules that fire; this module holds
what their verdict means: the kinds of danger, which leads when a message says several
(:data:`KIND_PRIORITY`), and the lines each kind puts first (:data:`FIRST_LINES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from resource_bot.dialog.dangermatch import Span, overlaps

__all__ = [
    "FIRST_LINES",
    "KIND_PRIORITY",
    "NO_DANGER",
    "Level",
    "Verdict",
    "also_kinds",
    "first_lines",
    "severest",
    "yields",
]

Level = Literal["now", "maybe", "none"]

#: When one message says several kinds of danger, the first of these leads and the others follow
#: (:attr:`Verdict.also`): danger from someone else to children or by traffickers (911, then the
#: line for them), then a weapon, being held, violence (911); then a medical emergency, which an
#: overdose or poison already taken or heavy bleeding is even when done on purpose (911, then 988
#: right after); then self-harm (988 first).
KIND_PRIORITY = ("children", "trafficking", "weapon", "held", "violence", "medical", "self_harm")


@dataclass(frozen=True)
class Verdict:
    """What the detector decided; ``rules`` are the rules that fired (never the message text)."""

    level: Level = "none"
    kind: str | None = None
    rules: tuple[str, ...] = ()
    #: The other kinds of danger the message says, by :data:`KIND_PRIORITY`; their first lines follow
    #: the kind's ("voy a matar a mis hijos y después me mato": 911, Childhelp, then 988).
    also: tuple[str, ...] = ()

    @property
    def now(self) -> bool:
        return self.level == "now"


NO_DANGER = Verdict()


def yields(span: Span, own: Iterable[Span]) -> bool:
    """Whether a hit of another kind is only a look-alike of a self-harm hit in ``own``.

    It is when it overlaps one; but a child named after the self-harm words is someone else in
    danger ("voy a matar a mis hijos": the children hit runs on past "voy a matar"), and a medical
    hit yields only to a longer self-harm hit that holds it ("going to overdose"): pills taken, on
    purpose or not, read as medical from the same words ("i took all my pills"), with 988 after 911.
    """
    a, b, rule = span
    if rule.kind == "medical":
        return any(c <= a and b <= d and d - c > b - a for c, d, _ in own)
    if rule.kind == "children":
        return any(a < d and c < b and b <= d for c, d, _ in own)
    return overlaps(span, own)


_LEVELS: dict[str, int] = {"none": 0, "maybe": 1, "now": 2}


def severest(verdicts: Sequence[Verdict]) -> Verdict:
    """The most severe of the languages' verdicts (now > maybe > none); of two "now" verdicts, the kind
    that comes first in :data:`KIND_PRIORITY`."""
    top = max(_LEVELS[v.level] for v in verdicts)
    chosen = [v for v in verdicts if _LEVELS[v.level] == top]
    if len(chosen) == 1:
        return chosen[0]
    rules = tuple(rule for v in chosen for rule in v.rules)
    if not rules and top == 0:
        return NO_DANGER
    kinds = {k for v in chosen for k in (v.kind, *v.also) if k}
    kind = next((k for k in KIND_PRIORITY if k in kinds), None)
    return Verdict(chosen[0].level, kind, rules, also_kinds(kind, kinds) if kind else ())


def also_kinds(kind: str, kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds other than ``kind``, most urgent first."""
    return tuple(k for k in KIND_PRIORITY if k in kinds and k != kind)


def first_lines(kind: str, also: Iterable[str] = ()) -> tuple[str, ...]:
    """The lines the emergency screen puts first: the kind's, then each other kind's, without repeats."""
    lines: list[str] = []
    for k in (kind, *also):
        for line in FIRST_LINES.get(k, ("us-911",)):
            if line not in lines:
                lines.append(line)
    return tuple(lines)


#: The lines the emergency screen puts first, by kind of danger (service ids in data/crisis.yaml);
#: every other emergency line follows them.
FIRST_LINES: dict[str, tuple[str, ...]] = {
    "self_harm": ("lifeline-988", "us-911"),
    "violence": ("us-911",),
    "weapon": ("us-911",),
    "held": ("us-911",),
    "medical": ("us-911",),
    "children": ("us-911", "childhelp"),
    "trafficking": ("us-911", "nhth"),
}
