"""The Telegram channel: long polling or a webhook, over the same dialog engine.

- ``adapter``: Updates to engine events, Replies to Telegram markup (pure).
- ``chats``: per-chat ordering and flood control.
- ``app``: the Application around the handler, and the command lists at start.
- ``handler``: the one handler every update goes to (``TelegramBot``).
- ``turns``: the database side of one update, in a worker thread.
- ``delivery``: carrying out an outcome (menus edited in place, cards sent).
- ``calls``: Bot API calls with bounded retries of flood waits and network errors.
- ``exiting``: Quick exit under every fault.
- ``admin``: /stats, /feedback, /reload for ADMIN_CHAT_IDS.
- ``webhook``: the Starlette app that Telegram (and a load balancer) calls.
"""

from resource_bot.channels.telegram.app import build_application, prepare_bot

__all__ = ["build_application", "prepare_bot"]
