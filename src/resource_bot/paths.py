"""Where the bundled directory and menus live.

In a source checkout they are the repository's ``data/`` and ``conversations/``
folders; in an installed wheel they ship inside the package as
``resource_bot/bundled/``. Either way the bot works from any folder.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _first_existing(name: str) -> Path:
    for candidate in (_PACKAGE / "bundled" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"The bundled {name}/ folder is missing from {_PACKAGE}; reinstall resource-bot "
        f"or point --data / RESOURCE_BOT_DATA at a folder of YAML files."
    )


def data_dir() -> Path:
    """The bundled directory of services (``data/*.yaml``)."""
    return _first_existing("data")


def conversations_dir() -> Path:
    """The bundled menus and word lists (``conversations/``)."""
    return _first_existing("conversations")
