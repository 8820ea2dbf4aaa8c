"""Reading a word file under ``conversations/`` (keywords, danger words): YAML to a mapping, or a clear error.

The keyword loader and the danger loader (``dialog/dangerfile.py``) both use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_word_file(path: Path, error: type[ValueError]) -> Any:
    """The YAML document in ``path``; broken YAML raises ``error`` naming the file and the line to fix.

    What the document must hold is the caller's to check: the result may be any YAML value.
    """
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc}); fix the syntax at the line shown.") from exc
