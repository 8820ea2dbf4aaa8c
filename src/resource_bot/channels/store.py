"""The conversation state store every door opens the same way (Telegram, SMS, web chat)."""

from __future__ import annotations

import logging

from resource_bot.config import MAKE_STATE_SECRET
from resource_bot.runtime import Runtime
from resource_bot.state import StateStore

log = logging.getLogger(__name__)


def open_state_store(runtime: Runtime, *, webhook: bool) -> StateStore:
    """The state store, keyed by STATE_SECRET where production needs it; says which key it uses.

    Raises ConfigError when STATE_SECRET is required and missing (see Settings.state_secret_for).
    """
    store = StateStore(runtime.db, runtime.settings.state_secret_for(webhook=webhook))
    if store.key_source == "STATE_SECRET":
        log.info("chat ids are hidden with the key from STATE_SECRET")
        if store.drop_stored_secret():
            log.info("deleted the key this database kept from before STATE_SECRET was set")
    else:
        log.warning(
            "chat ids are hidden with a key kept in the database itself: fine for a local trial, "
            "not for real use. Set STATE_SECRET (%s) before going live.",
            MAKE_STATE_SECRET,
        )
    return store
