"""The web chat's only cookie: an opaque random session id, and the form token made from it.

The cookie holds 128 random bits and nothing else; it is HttpOnly, Secure,
SameSite=Strict and has no expiry date, so the browser drops it when it closes.
The conversation's state is stored like a Telegram chat's, under the keyed hash
of a number made from the id (:func:`chat_number`), so the database never holds
the cookie either. The form token is a one-way function of the id: a page from
another site cannot know it, and no server-side secret or table is needed for it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

#: ``__Host-``: browsers accept this cookie only from this very host over HTTPS (or localhost), with
#: Path=/ and no Domain, so a sibling subdomain cannot plant a session id chosen in advance.
COOKIE = "__Host-sid"
_SESSION = re.compile(r"^[0-9a-f]{32}$")
#: Web session numbers start above every Telegram chat id (those fit in 52 bits), so the
#: two doors can never share a row in the state store.
WEB_NUMBERS = 1 << 128


def new_session() -> str:
    return secrets.token_hex(16)


def session_of(request: Request) -> str | None:
    """The session id the browser sent, when it is one we could have made."""
    value = request.cookies.get(COOKIE, "")
    return value if _SESSION.match(value) else None


def chat_number(session: str) -> int:
    """The number that stands for this session in the state store and the flood gate."""
    return WEB_NUMBERS + int(session, 16)


def form_token(session: str) -> str:
    return hmac.new(session.encode(), b"resource-bot form", hashlib.sha256).hexdigest()[:32]


def token_ok(session: str, given: str) -> bool:
    return hmac.compare_digest(form_token(session).encode(), given.encode())


def set_session(response: Response, session: str) -> None:
    # No max_age and no expires: a session cookie, gone when the browser closes.
    response.set_cookie(COOKIE, session, path="/", secure=True, httponly=True, samesite="strict")


def drop_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site.

    Browsers send ``Sec-Fetch-Site`` on every request and ``Origin`` with a POST (as
    ``null`` for a plain form post under our no-referrer policy); either naming another
    site is enough to refuse. A client sending neither is not a
    browser being tricked by another site (the form token still has to match).
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # "null": our own Referrer-Policy (no-referrer) makes browsers hide the origin of a form post.
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
