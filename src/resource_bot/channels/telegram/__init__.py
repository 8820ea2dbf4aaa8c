"""The Telegram channel: long polling or a webhook, over the same dialog engine.

- ``adapter``: Updates to engine events, Replies to Telegram markup (pure).
- ``chats``: per-chat ordering and flood control.
- ``app``: the Application, its one handler, and how outcomes are carried out.
- ``admin``: /stats, /feedback, /reload for ADMIN_CHAT_IDS.
- ``webhook``: the Starlette app that Telegram (and a load balancer) calls.
"""

from resource_bot.channels.telegram.app import build_application, prepare_bot

__all__ = ["build_application", "prepare_bot"]
