"""Text entities the way Telegram computes them, so bots see realistic Message objects.

Offsets and lengths are in UTF-16 code units, as in the Bot API; getting that wrong is a
classic source of bugs with emoji, so the stand-in does it properly.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])")

# HTML tags the Bot API accepts with parse_mode=HTML, mapped to the entity type they create.
_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "span": "spoiler",  # only with class="tg-spoiler", checked below
}


class EntityParseError(ValueError):
    """Formatted text Telegram would refuse with "Bad Request: can't parse entities: ..."."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities Telegram attaches to a user's text, e.g. for "/start legal"."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_length(text[: match.start()]),
            "length": utf16_length(match.group()),
        }
        for match in _COMMAND.finditer(text)
    ]


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.plain_parts: list[str] = []
        self.plain_utf16_length = 0
        self.open_tags: list[tuple[str, int, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_data(self, data: str) -> None:
        self.plain_parts.append(data)
        self.plain_utf16_length += utf16_length(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in _HTML_ENTITY_TYPES or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise EntityParseError(f'Unsupported start tag "{tag}"')
        extra: dict[str, Any] = {}
        if tag == "a":
            href = attributes.get("href") or ""
            if not href:
                raise EntityParseError('Can\'t find "href" attribute of the tag "a"')
            extra["url"] = href
        elif tag == "pre" and self.open_tags and self.open_tags[-1][0] == "pre":
            raise EntityParseError("Nested pre tags are not allowed")
        elif tag == "code" and self.open_tags and self.open_tags[-1][0] == "pre":
            language = (attributes.get("class") or "").removeprefix("language-")
            if language:
                self.open_tags[-1][2]["language"] = language
            self.open_tags.append(("code-in-pre", self.plain_utf16_length, {}))
            return
        elif tag == "blockquote" and "expandable" in attributes:
            extra["expandable"] = True
        elif tag == "tg-emoji":
            extra["custom_emoji_id"] = attributes.get("emoji-id") or ""
        self.open_tags.append((tag, self.plain_utf16_length, extra))

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise EntityParseError(f'Unexpected end tag "{tag}"')
        open_tag, start, extra = self.open_tags.pop()
        expected = "code" if open_tag == "code-in-pre" else open_tag
        if tag != expected:
            raise EntityParseError(f'Unmatched end tag, expected "</{expected}>", found "</{tag}>"')
        length = self.plain_utf16_length - start
        if open_tag == "code-in-pre" or length == 0:
            return
        entity_type = _HTML_ENTITY_TYPES[open_tag]
        if open_tag == "blockquote" and extra.pop("expandable", False):
            entity_type = "expandable_blockquote"
        self.entities.append({"type": entity_type, "offset": start, "length": length, **extra})


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities for parse_mode=HTML; raises EntityParseError like Telegram would."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.open_tags:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{parser.open_tags[-1][0]}"')
    parser.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(parser.plain_parts), parser.entities
