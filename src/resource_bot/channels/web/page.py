"""Engine replies as one small HTML page that works without JavaScript.

Every reply is plain text from the menus; here it is escaped, its phone numbers
become ``tel:`` links and its web addresses links that send no referrer. Each
button that sends data is a real ``<button>`` in a form that posts to ``/``;
each link button is a link. The quick-exit form is outside ``<main>`` and fixed
at the bottom of the screen, where a thumb reaches it. Nothing here touches the
network or the database: it is tested as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from resource_bot.channels.web.words import WebWords
from resource_bot.dialog import buttons
from resource_bot.dialog.events import Button, Reply, Role

#: Static files are named by a version so that a new release is fetched, not an old copy.
ASSET_VERSION = "2"
#: Longest typed request read; the engine cuts at 500 characters anyway.
MAX_TYPED = 500
#: US phone numbers as the menus and the directory write them: 1-888-373-7888, 713-555-0100, (713) 555-0100.
_PHONE = re.compile(r"(?<![\d-])(?:1[-. ])?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\d-])")
#: The three-digit lines the menus name: 911, 988 and 211, when they stand as words.
_SHORT = re.compile(r"(?<![\w./-])(911|988|211)(?![\w/-]|\.\w)")
_URL = re.compile(r"https?://[^\s<>\"')]+[^\s<>\"').,;:!?]")
_TOKENS = re.compile(f"{_URL.pattern}|{_PHONE.pattern}|{_SHORT.pattern}")


def tel_href(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}" if len(digits) == 11 else f"tel:{digits}"


def _link(match: re.Match[str]) -> str:
    found = match.group(0)
    shown = html.escape(found)
    if found.startswith(("http://", "https://")):
        return f'<a href="{html.escape(found, quote=True)}" rel="noreferrer noopener">{shown}</a>'
    return f'<a href="{tel_href(found)}">{shown}</a>'


def rich_text(text: str) -> str:
    """The reply's text, escaped, with phone numbers and addresses as links; line breaks kept by CSS."""
    out: list[str] = []
    last = 0
    for match in _TOKENS.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(_link(match))
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def shown_buttons(reply: Reply) -> tuple[list[list[Button]], list[Button]]:
    """The rows of buttons that post, and the link buttons, of one reply.

    The engine's own quick-exit button is left out: every page has the fixed one,
    which also leaves the page. Location buttons are left out: typing a ZIP code does it.
    """
    rows: list[list[Button]] = []
    links: list[Button] = []
    for row in reply.buttons:
        cells = [b for b in row if b.data is not None and b.data != buttons.QUICK_EXIT]
        links.extend(b for b in row if b.data is None and b.url is not None)
        if cells:
            rows.append(cells)
    return rows, links


@dataclass(frozen=True)
class PageParts:
    """What every page needs besides the replies."""

    words: WebWords
    exit_url: str
    token: str


def _hidden_token(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{html.escape(token, quote=True)}">'


def _reply_html(reply: Reply, index: int, lang: str, parts: PageParts) -> str:
    words = parts.words
    kind = "card" if reply.role is Role.CARD else "menu"
    head_id = f"said{index}"
    chunks = [
        f'<section class="reply {kind}" aria-labelledby="{head_id}">',
        f'<h2 id="{head_id}" class="hidden">{html.escape(words.get(lang, "reply_heading"))}</h2>',
        f'<div class="text">{rich_text(reply.text)}</div>',
    ]
    rows, links = shown_buttons(reply)
    if rows:
        label = _attr(words, lang, "choices_heading")
        chunks.append(f'<form method="post" action="/" class="choices" aria-label="{label}">')
        chunks.append(_hidden_token(parts.token))
        for row in rows:
            chunks.append('<div class="row">')
            for button in row:
                value = html.escape(button.data or "", quote=True)
                chunks.append(f'<button type="submit" name="b" value="{value}">{html.escape(button.label)}</button>')
            chunks.append("</div>")
        chunks.append("</form>")
    if links:
        chunks.append(f'<ul class="links" aria-label="{_attr(words, lang, "links_heading")}">')
        for button in links:
            href = html.escape(button.url or "", quote=True)
            label = html.escape(button.label)
            chunks.append(f'<li><a href="{href}" rel="noreferrer noopener">{label}</a></li>')
        chunks.append("</ul>")
    chunks.append("</section>")
    return "".join(chunks)


def _attr(words: WebWords, lang: str, key: str) -> str:
    return html.escape(words.get(lang, key), quote=True)


def render_page(lang: str, replies: Sequence[Reply], parts: PageParts, *, status_note: str | None = None) -> str:
    """The whole page: the replies, the box to type in, and the quick exit."""
    words = parts.words
    said = "".join(_reply_html(reply, i, lang, parts) for i, reply in enumerate(replies))
    note = f'<p class="note" role="status">{html.escape(status_note)}</p>' if status_note else ""
    exit_url = html.escape(parts.exit_url, quote=True)
    return (
        f'<!doctype html><html lang="{html.escape(lang, quote=True)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(words.get(lang, 'title'))}</title>"
        f'<link rel="stylesheet" href="/static/chat.css?v={ASSET_VERSION}">'
        f'<script src="/static/chat.js?v={ASSET_VERSION}" defer></script></head><body>'
        f"<header><h1>{html.escape(words.get(lang, 'title'))}</h1>"
        f'<p class="tagline">{html.escape(words.get(lang, "tagline"))}</p></header>'
        f'<main id="chat" tabindex="-1">{note}<div id="said" aria-live="polite">{said}</div>'
        '<form method="post" action="/" class="ask">'
        f"{_hidden_token(parts.token)}"
        f'<label for="typed">{html.escape(words.get(lang, "type_label"))}</label>'
        f'<p id="typed-hint" class="hint">{html.escape(words.get(lang, "type_hint"))}</p>'
        f'<div class="row"><input id="typed" name="t" type="text" maxlength="{MAX_TYPED}" autocomplete="off" '
        'autocapitalize="off" spellcheck="false" aria-describedby="typed-hint">'
        f'<button type="submit">{html.escape(words.get(lang, "send"))}</button></div></form>'
        f'<p class="privacy">{html.escape(words.get(lang, "privacy"))}</p></main>'
        f'<form id="exit" method="post" action="/exit" data-to="{exit_url}" class="exit">'
        '<button type="submit" id="quick-exit" aria-describedby="exit-hint">'
        f"{html.escape(words.get(lang, 'quick_exit'))}</button>"
        f'<p id="exit-hint" class="hidden">{html.escape(words.get(lang, "quick_exit_hint"))}</p></form>'
        "</body></html>"
    )


def notice_page(lang: str, text: str, parts: PageParts) -> str:
    """A page with one short message and a way on (slow down, an old page, a fault)."""
    go_on = Button(parts.words.get(lang, "slow_down_back"), buttons.MAIN)
    return render_page(lang, [Reply(text, ((go_on,),))], parts)
