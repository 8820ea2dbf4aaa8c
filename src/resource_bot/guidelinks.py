"""Links that open the bot at a guide: ``resource-bot link --guide ID``.

The payload is ``g`` and the guide id with ``-`` written ``_`` (see dialog/deeplink.py),
so ``/start gjob_check`` opens the job check; a language part (``-es``) opens it in Spanish.
"""

from __future__ import annotations

import difflib

from resource_bot.config import Settings
from resource_bot.dialog.deeplink import DeepLink
from resource_bot.dialog.menus import Menus
from resource_bot.sharing import SharingError, share_link


def check_guide(guide_id: str, menus: Menus) -> None:
    """SharingError for a guide id the bot does not have, naming the ones it has."""
    ids = sorted(menus.guides.by_id)
    if guide_id in ids:
        return
    close = difflib.get_close_matches(guide_id.lower().replace("_", "-"), ids, n=1, cutoff=0.7)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    raise SharingError(f"There is no guide {guide_id!r}.{hint} The guides are: {', '.join(ids)}.")


def guide_link(settings: Settings, menus: Menus, guide_id: str, lang: str | None, source: str | None) -> str:
    check_guide(guide_id, menus)
    return share_link(settings, DeepLink(lang=lang, source=source, guide=guide_id), menus)
