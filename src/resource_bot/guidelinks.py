"""Links that open the bot at a guide: ``resource-bot link --guide ID``.

The payload is ``g`` and the guide id with ``-`` written ``_`` (see dialog/deeplink.py),
so ``/start gjob_check`` opens the job check; a language part (``-es``) opens it in Spanish.
"""

from __future__ import annotations

from resource_bot.config import Settings
from resource_bot.dialog.deeplink import DeepLink
from resource_bot.dialog.menus import Menus
from resource_bot.matching.fuzzy import did_you_mean
from resource_bot.sharing import SharingError, share_link


def check_guide(guide_id: str, menus: Menus) -> None:
    """SharingError for a guide id the bot does not have, naming the ones it has."""
    ids = sorted(menus.guides.by_id)
    if guide_id in ids:
        return
    close = did_you_mean(guide_id.lower().replace("_", "-"), ids)
    hint = f' Did you mean "{close}"?' if close else ""
    raise SharingError(f"There is no guide {guide_id!r}.{hint} The guides are: {', '.join(ids)}.")


def guide_link(settings: Settings, menus: Menus, guide_id: str, lang: str | None, source: str | None) -> str:
    check_guide(guide_id, menus)
    return share_link(settings, DeepLink(lang=lang, source=source, guide=guide_id), menus)
