"""Each screen of the bot as a reply: its words and its buttons.

Every screen ends with the Quick exit button, and every screen but the main
menu offers Back and Main menu, so no screen is a dead end. Button data is
short and stable (see :mod:`resource_bot.dialog.buttons`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from urllib.parse import quote

from resource_bot.dialog import buttons as data
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.danger import first_lines
from resource_bot.dialog.deeplink import DeepLink, build_payload
from resource_bot.dialog.events import Button, Reply, Role
from resource_bot.dialog.menus import Menus
from resource_bot.dialog.render import fit, summary
from resource_bot.directory import topics
from resource_bot.directory.catalog import Catalog, Found, Listing, pick
from resource_bot.directory.zip_index import Place

PAGE_SIZE = 5
#: The 24/7 lines behind "talk to someone now" on the safety check, in this order.
TALK_LINES = ("lifeline-988", "ndvh", "nhth", "crisis-text-line")
#: The first line of the emergency screen, by kind of danger (``ui`` keys).
CRISIS_LINES = {
    "self_harm": "crisis_self_harm",
    "medical": "crisis_medical",
    "children": "crisis_children",
    "trafficking": "crisis_trafficking",
}
#: Button labels are cut to this many characters so they stay readable on a phone.
MAX_LABEL = 40


def short(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def near_name(place: Place) -> str:
    """How a place is named in "I don't have listings near Absarokee yet": its town, else its label."""
    return place.city or place.label


def _pairs(row: Sequence[Button]) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(row[i : i + 2]) for i in range(0, len(row), 2))


class Screens:
    """Builds replies from the menus' words and the catalog's services."""

    def __init__(self, menus: Menus, catalog: Catalog, bot_username: str | None = None) -> None:
        self.menus = menus
        self.catalog = catalog
        self.bot_username = bot_username

    # -- pieces ---------------------------------------------------------------------------------
    def exit_row(self, lang: str) -> tuple[Button, ...]:
        return (Button(self.menus.ui(lang, "quick_exit"), data.QUICK_EXIT),)

    def nav_rows(self, lang: str) -> tuple[tuple[Button, ...], ...]:
        return (
            (
                Button(self.menus.ui(lang, "back"), data.BACK),
                Button(self.menus.ui(lang, "main_menu"), data.MAIN),
            ),
            self.exit_row(lang),
        )

    def topic_buttons(self, lang: str, topic_ids: Sequence[str]) -> tuple[tuple[Button, ...], ...]:
        return _pairs([Button(self.menus.label(lang, t), data.topic(t)) for t in topic_ids])

    def share_link(self, link: DeepLink) -> str | None:
        if not self.bot_username:
            return None
        return f"https://t.me/{self.bot_username}?start={build_payload(link)}"

    # -- screens --------------------------------------------------------------------------------
    def main(self, state: ChatState, *, prefix: str = "") -> Reply:
        lang = state.lang
        text = self.menus.ui(lang, "main_prompt")
        rows = self.topic_buttons(lang, topics.TOP_LEVEL) + (
            (
                Button(self.menus.ui(lang, "change_language"), data.LANGUAGE),
                Button(self.menus.ui(lang, "set_area"), data.AREA),
            ),
            self.exit_row(lang),
        )
        return Reply(fit(f"{prefix}\n\n{text}" if prefix else text), rows)

    def topic(
        self,
        state: ChatState,
        topic: str,
        place: Place | None,
        now: dt.datetime,
        *,
        prefix: str = "",
        first: Sequence[str] = (),
    ) -> Reply:
        """A topic's screen; the services in ``first`` (ids) lead the list, in that order."""
        lang = state.lang
        found = self.catalog.for_topic(topic, place)
        if first:
            leads = [Found(listing, None) for sid in first if (listing := self.catalog.get(sid))]
            found = leads + [f for f in found if f.listing.id not in first]
        # Saying where we have nothing is part of the truth (the emergency screen stays short).
        no_local = bool(place) and topic != "emergency" and all(f.listing.national for f in found)
        # When "open now" leaves nothing, say why: no hours listed is not "nothing here".
        empty_reason = "no_services_here"
        if state.open_now:
            listed, found = found, [f for f in found if f.listing.open_at(now)]
            if listed and not found:
                hours_known = any(f.listing.hours is not None for f in listed)
                empty_reason = "none_open_now" if hours_known else "open_now_no_hours"
        pages = max(1, math.ceil(len(found) / PAGE_SIZE))
        page = min(state.page, pages - 1)
        shown = found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        parts = [prefix] if prefix else []
        parts += [self.menus.label(lang, topic), self.menus.intro(lang, topic)]
        if place:
            parts.append(self.menus.ui(lang, "your_area", place=place.label))
            if no_local:
                parts.append(self.menus.ui(lang, "no_local", near=near_name(place)))
        if shown:
            parts.append(self.menus.ui(lang, "services_heading"))
            parts.extend(summary(self.menus, lang, f, now) for f in shown)
            if pages > 1:
                parts.append(self.menus.ui(lang, "page_of", page=page + 1, pages=pages))
        else:
            parts.append(self.menus.ui(lang, empty_reason))
        rows: list[tuple[Button, ...]] = list(self.topic_buttons(lang, topics.children_of(topic)))
        rows += [
            (
                Button(
                    short(self.menus.ui(lang, "details", name=pick(f.listing.name, lang))),
                    data.service(f.listing.id),
                ),
            )
            for f in shown
        ]
        # The step-by-step guides of this topic, after its services (conversations/guides/).
        guides = self.menus.guides
        rows += [(Button(g.title, data.guide(g.id)),) for i in guides.for_topic(topic) if (g := guides.get(i, lang))]
        paging = []
        if page > 0:
            paging.append(Button(self.menus.ui(lang, "prev_page"), data.topic(topic, page - 1)))
        if page < pages - 1:
            paging.append(Button(self.menus.ui(lang, "next_page"), data.topic(topic, page + 1)))
        if paging:
            rows.append(tuple(paging))
        toggle = (
            Button(self.menus.ui(lang, "show_all"), data.open_filter(topic, False))
            if state.open_now
            else Button(self.menus.ui(lang, "open_now_filter"), data.open_filter(topic, True))
        )
        rows.append((toggle, Button(self.menus.ui(lang, "set_area"), data.AREA)))
        if self.bot_username:
            rows.append((Button(self.menus.ui(lang, "share"), data.share_topic(topic)),))
        return Reply(fit("\n\n".join(parts)), tuple(rows) + self.nav_rows(lang))

    def emergency(
        self, state: ChatState, kind: str, place: Place | None, now: dt.datetime, also: Sequence[str] = ()
    ) -> Reply:
        """Danger now: the emergency screen, led by the line for this kind of danger (988 for self-harm),
        then the lines of the ``also`` kinds the message said too (a child threatened and "después me
        mato": 911, Childhelp, 988)."""
        prefix = self.menus.ui(state.lang, CRISIS_LINES.get(kind, "crisis_first"))
        return self.topic(state, "emergency", place, now, prefix=prefix, first=first_lines(kind, also))

    def talk_now(self, state: ChatState, place: Place | None, now: dt.datetime) -> Reply:
        """The 24/7 lines, for "talk to someone now" on the safety check."""
        prefix = self.menus.ui(state.lang, "safe_talk_intro")
        return self.topic(state, "emergency", place, now, prefix=prefix, first=TALK_LINES)

    def safety_check(self, state: ChatState, topic_ids: Sequence[str]) -> Reply:
        """Maybe danger: "Are you safe right now?" with three ways forward, and the topics the text matched."""
        lang = state.lang
        rows: tuple[tuple[Button, ...], ...] = (
            (Button(self.menus.ui(lang, "safe_call"), data.SAFE_CALL),),
            (Button(self.menus.ui(lang, "safe_talk"), data.SAFE_TALK),),
            (Button(self.menus.ui(lang, "safe_help"), data.safe_help(topic_ids[0] if topic_ids else None)),),
        )
        rows += self.topic_buttons(lang, [t for t in topic_ids[1:3] if t != "emergency"])
        return Reply(self.menus.ui(lang, "safe_check"), rows + (self.exit_row(lang),))

    def service_card(self, state: ChatState, found: Found, now: dt.datetime) -> Reply:
        from resource_bot.dialog.render import card

        lang = state.lang
        listing = found.listing
        rows: list[tuple[Button, ...]] = [(Button(self.menus.ui(lang, "report_problem"), data.report(listing.id)),)]
        if self.bot_username:
            rows.append((Button(self.menus.ui(lang, "share"), data.share_service(listing.id)),))
        text = self.catalog.card_text(listing.id)
        return Reply(card(self.menus, lang, found, text, now), tuple(rows) + self.nav_rows(lang), Role.CARD)

    def language(self, state: ChatState) -> Reply:
        choices = tuple((Button(self.menus.name(code), data.set_language(code)),) for code in self.menus.codes)
        # Then every interpreter-bridge language, by its own name, two to a row.
        bridge = self.menus.bridge
        others = _pairs([Button(language.name, data.bridge(code)) for code, language in bridge.languages.items()])
        return Reply(self.menus.ui(state.lang, "language_prompt"), choices + others + self.nav_rows(state.lang))

    def bridge(self, code: str) -> Reply:
        """One screen in a language the bot does not speak: call the hotline or 911 for an interpreter."""
        bridge = self.menus.bridge
        rows = (
            tuple(Button(self.menus.name(lang), data.set_language(lang)) for lang in self.menus.codes),
            (Button(f"❌ {bridge.languages[code].lines['exit']}", data.QUICK_EXIT),),
        )
        return Reply(bridge.text(code), rows)

    def area(self, state: ChatState, place: Place | None, *, prefix: str = "") -> Reply:
        lang = state.lang
        parts = [prefix] if prefix else []
        if place:
            parts.append(self.menus.ui(lang, "your_area", place=place.label))
        parts.append(self.menus.ui(lang, "area_prompt"))
        rows: tuple[tuple[Button, ...], ...] = ()
        if place:
            rows = ((Button(self.menus.ui(lang, "clear_area"), data.CLEAR_AREA),),)
        return Reply(fit("\n\n".join(parts)), rows + self.nav_rows(lang))

    def report(self, state: ChatState, listing: Listing) -> Reply:
        lang = state.lang
        reasons = tuple(
            (Button(self.menus.ui(lang, f"report_{reason}"), data.report(listing.id, reason)),)
            for reason in data.REPORT_REASONS
        )
        text = self.menus.ui(lang, "report_prompt", name=pick(listing.name, lang))
        return Reply(text, reasons + self.nav_rows(lang))

    def suggestions(self, state: ChatState, listings: Sequence[Listing], topic_ids: Sequence[str] = ()) -> Reply:
        """Typed text that named no topic clearly: what it may mean (weak topics, services), or every topic.

        Whatever it shows, it always carries the safety line (911, 988, the trafficking hotline).
        """
        lang = state.lang
        safety = self.menus.ui(lang, "safety_line")
        if not listings and not topic_ids:
            return Reply(
                fit(f"{self.menus.ui(lang, 'not_sure')}\n\n{safety}"),
                self.topic_buttons(lang, topics.TOP_LEVEL) + (self.exit_row(lang),),
            )
        rows = [*self.topic_buttons(lang, topic_ids)]
        rows += [(Button(short(pick(listing.name, lang)), data.service(listing.id)),) for listing in listings]
        rows.append((Button(self.menus.ui(lang, "main_menu"), data.MAIN),))
        return Reply(fit(f"{self.menus.ui(lang, 'did_you_mean')}\n\n{safety}"), tuple(rows) + (self.exit_row(lang),))

    def switch_language_row(self, lang: str) -> tuple[Button, ...]:
        """One button, in ``lang``: use ``lang`` in this chat from now on."""
        return (Button(self.menus.ui(lang, "switch_language"), data.set_language(lang)),)

    def share(self, state: ChatState, title: str, link: DeepLink) -> Reply | None:
        url = self.share_link(link)
        if url is None:
            return None
        text = self.menus.ui(state.lang, "share_text", title=title, link=url)
        forward = f"https://t.me/share/url?url={quote(url, safe='')}"
        return Reply(text, ((Button(self.menus.ui(state.lang, "share"), url=forward),),), Role.CARD)
