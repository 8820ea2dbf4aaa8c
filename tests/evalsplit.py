"""The one fixed rule that splits every evaluation set into a tuning half and a held-out half.

A case belongs to the held-out half when the first byte of the SHA-256 of its text (stripped,
lower-cased, UTF-8) is odd. The rule looks only at the text, so it never changes when cases are
added, removed or reordered, and nobody can move a case from one half to the other by hand.

Rules and keywords (conversations/) are written from the tuning half only; figures are reported on
the held-out half; a test fails if any held-out phrase appears verbatim in conversations/.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, TypeVar

Case = TypeVar("Case", bound=dict[str, Any])


def is_held_out(text: str) -> bool:
    return hashlib.sha256(text.strip().casefold().encode("utf-8")).digest()[0] % 2 == 1


def split(cases: Iterable[Case]) -> tuple[list[Case], list[Case]]:
    """(tuning half, held-out half) of cases that each have a ``text``."""
    tuning: list[Case] = []
    held_out: list[Case] = []
    for case in cases:
        (held_out if is_held_out(case["text"]) else tuning).append(case)
    return tuning, held_out
