"""The web chat: the same engine behind a server-rendered page (``resource-bot web``).

- ``words``: the page's own words, from ``conversations/web/<lang>.yaml``.
- ``page``: replies to HTML (pure; no JavaScript needed to use it).
- ``session``: the opaque session cookie and the form token.
- ``chat``: the Starlette routes: one turn per request, quick exit, flood slowing.
- ``headers``: no-store, no-referrer and a strict Content-Security-Policy on every response.
- ``static/``: one small stylesheet and one small script, served from our own origin.
"""
