"""The dialog engine: an event and a chat's state in, replies and the new state out.

Pure Python with no I/O and nothing from Telegram, in the spirit of h11: the
channels feed it events and carry out what comes back. Two rules hold in every
state: danger gets the emergency screen before anything else (maybe-danger a
one-tap "Are you safe right now?"), and a bad
event (forged button data, an unknown kind of event) gets a calm answer and
leaves the state exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from resource_bot.clock import Clock, system_clock
from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.danger import NO_DANGER, DangerDetector, Verdict
from resource_bot.dialog.deeplink import DeepLink, parse_payload, service_key
from resource_bot.dialog.events import (
    Command,
    CommandName,
    Effect,
    Event,
    Feedback,
    Outcome,
    Press,
    Reply,
    SharedLocation,
    Start,
    Text,
)
from resource_bot.dialog.guidechat import GuideChat
from resource_bot.dialog.menus import Menus
from resource_bot.dialog.quickexit import typed_exit_language
from resource_bot.dialog.screens import Screens, near_name
from resource_bot.directory import topics
from resource_bot.directory.catalog import Catalog, Found, pick
from resource_bot.directory.zip_index import Place, place_from_location, place_from_zip
from resource_bot.matching.need_matcher import NeedMatcher
from resource_bot.matching.service_index import ServiceText
from resource_bot.matching.topic_scoring import MIN_TOPIC_SCORE, WEAK_TOPIC_SCORE, close_topics

_ZIP_TEXT = re.compile(
    r"^\s*(?:(?:my\s+)?zip(?:\s*code)?(?:\s+is)?|c[oó]digo\s+postal)?\s*:?\s*(\d{5})(?:-\d{4})?\s*$", re.I
)
#: Typed text longer than this is cut before matching: nobody describes a need in more.
MAX_TYPED = 500

Result = tuple[Outcome, ChatState]


def service_texts(catalog: Catalog) -> Iterator[ServiceText]:
    """What the matcher needs to know about each service, one at a time (descriptions are read, not kept)."""
    for service_id, description in catalog.texts.descriptions():
        if (listing := catalog.services.get(service_id)) is not None:
            yield ServiceText(listing.id, tuple(listing.name.values()) + tuple(description.values()), listing.topics)


class Engine:
    """Answers one event at a time; holds the menus, the catalog and the matcher, never a chat.

    All that depends on the loaded directory is one :class:`Snapshot`, built whole and
    swapped in by a single assignment: each event is answered from start to end by the
    snapshot current when it came, so a reply never mixes two directories, and threads
    answering events need no lock while another swaps in a new directory.
    """

    def __init__(
        self,
        menus: Menus,
        catalog: Catalog,
        matcher: NeedMatcher,
        danger: DangerDetector,
        *,
        bot_username: str | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.snapshot = Snapshot.build(menus, catalog, matcher, danger, clock, bot_username)

    @property
    def menus(self) -> Menus:
        return self.snapshot.menus

    @property
    def danger(self) -> DangerDetector:
        return self.snapshot.danger

    @danger.setter
    def danger(self, danger: DangerDetector) -> None:
        self.snapshot = replace(self.snapshot, danger=danger)  # swapped whole, like a new directory

    @property
    def clock(self) -> Clock:
        return self.snapshot.clock

    @property
    def catalog(self) -> Catalog:
        return self.snapshot.catalog

    @property
    def matcher(self) -> NeedMatcher:
        return self.snapshot.matcher

    @property
    def screens(self) -> Screens:
        return self.snapshot.screens

    def use_catalog(self, catalog: Catalog, matcher: NeedMatcher) -> None:
        """Swap in a newly loaded directory (after /reload or another process's load), whole."""
        now = self.snapshot
        self.snapshot = Snapshot.build(now.menus, catalog, matcher, now.danger, now.clock, now.screens.bot_username)

    def handle(self, state: ChatState, event: Event) -> Result:
        return self.snapshot.handle(state, event)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The engine over one loaded directory; never changed once built (see :class:`Engine`)."""

    menus: Menus
    matcher: NeedMatcher
    danger: DangerDetector
    clock: Clock
    screens: Screens
    #: Deep-link service keys to service ids.
    _by_key: Mapping[str, str]

    @classmethod
    def build(
        cls,
        menus: Menus,
        catalog: Catalog,
        matcher: NeedMatcher,
        danger: DangerDetector,
        clock: Clock,
        bot_username: str | None,
    ) -> Snapshot:
        by_key = {service_key(service_id): service_id for service_id in catalog.services}
        return cls(menus, matcher, danger, clock, Screens(menus, catalog, bot_username), by_key)

    @property
    def catalog(self) -> Catalog:
        return self.screens.catalog

    # -- entry point ----------------------------------------------------------------------------
    def handle(self, state: ChatState, event: Event) -> Result:
        outcome, new = self._handle(state, event)
        # A guide's answers last only while its screen is shown: going anywhere else drops them.
        return outcome, new if new.guide is None or new.screen == "guide" else new.evolve(guide=None)

    def _handle(self, state: ChatState, event: Event) -> Result:
        if isinstance(event, Text):
            # Typed "exit" / "salir" does what the ❌ button does, in any state, answered in its language.
            if exit_lang := typed_exit_language(event.text):
                return self._quick_exit(state, exit_lang)
            return self._text(state, event.text)
        if isinstance(event, Press):
            return self._press(state, event.data)
        if isinstance(event, Start):
            return self._start(state, event)
        if isinstance(event, Command):
            return self._command(state, event.name)
        if isinstance(event, SharedLocation):
            return self._location(state, event)
        return self._calm(state)

    def main_menu(self, state: ChatState, *, prefix: str = "") -> Outcome:
        return Outcome((self.screens.main(state, prefix=prefix),))

    # -- helpers --------------------------------------------------------------------------------
    def place(self, state: ChatState) -> Place | None:
        if state.zip:
            return place_from_zip(state.zip)
        if state.latitude is not None and state.longitude is not None:
            return place_from_location(state.latitude, state.longitude)
        return None

    def _calm(self, state: ChatState) -> Result:
        """Anything we cannot read leads to the main menu and changes nothing."""
        return self.main_menu(state), state

    def _topic(self, state: ChatState, topic: str, *, prefix: str = "") -> Result:
        new = state.evolve(screen=f"topic:{topic}", topic=topic)
        reply = self.screens.topic(new, topic, self.place(new), self.clock(), prefix=prefix)
        return Outcome((reply,), stats=(("topic", topic),)), new

    def _service(self, state: ChatState, service_id: str) -> Result:
        listing = self.catalog.get(service_id)
        if listing is None:
            return self._calm(state)
        place = self.place(state)
        found = Found(listing, listing.miles_from(place) if place and not listing.national else None)
        reply = self.screens.service_card(state, found, self.clock())
        return Outcome((reply,), stats=(("service", service_id),)), state.evolve(screen=f"service:{service_id}")

    def _quick_exit(self, state: ChatState, lang: str | None = None) -> Result:
        """The neutral last line; a channel that could not delete everything says ``exit_not_cleared``."""
        reply = Reply(self.menus.ui(lang if lang in self.menus.codes else state.lang, "exit_done"))
        return Outcome((reply,), effects=frozenset({Effect.QUICK_EXIT}), stats=(("quick_exit", "1"),)), ChatState()

    def _back(self, state: ChatState) -> Result:
        screen_kind, _, target = state.screen.partition(":")
        if screen_kind in ("service", "report") and state.topic:
            return self._topic(state, state.topic)
        if screen_kind == "topic" and (parent := topics.parent_of(target)):
            return self._topic(state.evolve(page=0), parent)
        return self.main_menu(state), state.evolve(screen="main", page=0)

    def _area_set(self, lang: str, place: Place, topic: str | None) -> str:
        """Confirm a new area, promising help near it only where the directory has some.

        Going to a topic screen, that screen itself says when it has nothing local.
        """
        if topic:
            if self.catalog.has_local(place, topic):
                return self.menus.ui(lang, "area_set", place=place.label)
            return self.menus.ui(lang, "area_saved", place=place.label)
        # Promise help nearby only for the topics that have some (a state's labor office is not a shelter).
        near = [t for t in topics.TOP_LEVEL if t != "emergency" and self.catalog.has_local(place, t)]
        if not near:
            return self.menus.ui(lang, "area_set_none", place=place.label, near=near_name(place))
        if len(near) == len(topics.TOP_LEVEL) - 1:
            return self.menus.ui(lang, "area_set", place=place.label)
        listed = ", ".join(self.menus.label(lang, t) for t in near)
        return self.menus.ui(lang, "area_set_some", place=place.label, topics=listed)

    def _set_place(self, state: ChatState, new: ChatState, place: Place) -> Result:
        """After the area changes, confirm it and show again the screen the person was on."""
        topic = state.topic if state.screen.startswith("topic:") and state.topic else None
        prefix = self._area_set(new.lang, place, topic)
        if topic:
            return self._topic(new.evolve(page=0), topic, prefix=prefix)
        return self.main_menu(new, prefix=prefix), new.evolve(screen="main")

    # -- events ---------------------------------------------------------------------------------
    def _start(self, state: ChatState, event: Start) -> Result:
        link = parse_payload(event.payload, self.menus.bridge.codes)
        hint = (event.language_hint or "")[:2].lower()
        lang = link.lang or (hint if hint in self.menus.codes and state == ChatState() else state.lang)
        new = state.evolve(lang=lang, page=0, open_now=False)
        stats: list[tuple[str, str]] = [("language", lang)]
        if link.source:
            stats.append(("source", link.source))
        prefix = ""
        if link.zip and (place := place_from_zip(link.zip)):
            new = new.evolve(zip=link.zip, latitude=None, longitude=None)
            prefix = self._area_set(lang, place, link.topic if not link.service else None)
        outcome, new = self._open_link(new, link, prefix)
        return Outcome(outcome.replies, outcome.effects, tuple(stats) + outcome.stats), new

    def _open_link(self, state: ChatState, link: DeepLink, prefix: str) -> Result:
        if link.bridge:
            return self._press(state, buttons.bridge(link.bridge))
        guide_id = self.menus.guides.by_key(link.guide) if link.guide else None
        if guide_id and (opened := self._guides().open(state, guide_id)):
            return opened
        if link.service and (service_id := self._by_key.get(link.service)):
            listing = self.catalog.services[service_id]
            topic_state = state.evolve(topic=link.topic or topics.parent_of(listing.topics[0]) or listing.topics[0])
            return self._service(topic_state, service_id)
        if link.topic:
            return self._topic(state, link.topic, prefix=prefix)
        welcome = self.menus.ui(state.lang, "welcome")
        return self.main_menu(state, prefix=f"{welcome}\n\n{prefix}" if prefix else welcome), state.evolve(
            screen="main"
        )

    def _command(self, state: ChatState, name: CommandName) -> Result:
        if name is CommandName.MENU:
            return self.main_menu(state), state.evolve(screen="main", page=0)
        if name is CommandName.HELP:
            return self.main_menu(state, prefix=self.menus.ui(state.lang, "help")), state.evolve(screen="help")
        if name is CommandName.LANGUAGE:
            return Outcome((self.screens.language(state),)), state.evolve(screen="language")
        if name is CommandName.AREA:
            return self._area(state)
        if name is CommandName.EXIT:
            return self._quick_exit(state)
        if name is CommandName.FORGET:
            fresh = ChatState(lang=state.lang)
            reply = self.screens.main(fresh, prefix=self.menus.ui(state.lang, "forget_done"))
            return Outcome((reply,), effects=frozenset({Effect.FORGET})), fresh
        return self._calm(state)

    def _area(self, state: ChatState, *, prefix: str = "") -> Result:
        reply = self.screens.area(state, self.place(state), prefix=prefix)
        return Outcome((reply,), effects=frozenset({Effect.ASK_LOCATION})), state.evolve(screen="area")

    def _location(self, state: ChatState, event: SharedLocation) -> Result:
        place = place_from_location(event.latitude, event.longitude)
        if place is None:
            unknown = self.menus.ui(state.lang, "area_unknown", zip="?")
            return self._area(state, prefix=unknown)
        # The place's coordinates are already rounded to about a kilometre; nothing finer is kept.
        new = state.evolve(zip=None, latitude=place.latitude, longitude=place.longitude)
        return self._set_place(state, new, place)

    def _emergency(self, state: ChatState, kind: str, also: tuple[str, ...] = ()) -> Result:
        """Danger now: the emergency screen, its first line chosen by the kind of danger, then the lines
        of the other kinds the message said (:attr:`Verdict.also`)."""
        new = state.evolve(screen="topic:emergency", topic="emergency", page=0, open_now=False)
        reply = self.screens.emergency(new, kind, self.place(new), self.clock(), also)
        return Outcome((reply,), stats=(("crisis", kind), ("topic", "emergency"))), new

    def _text(self, state: ChatState, raw: str) -> Result:
        text = raw[:MAX_TYPED] if isinstance(raw, str) else ""
        # The one danger check of a message: everything below uses this verdict.
        verdict = self.danger.check(text)
        if verdict.now:  # in the language typed, as for any typed need; the chat's language stays
            typed = self.matcher.typed_language(text, state.lang)
            lang = typed if typed in self.menus.codes else state.lang
            outcome, new = self._emergency(state.evolve(lang=lang), verdict.kind or "violence", verdict.also)
            return outcome, new.evolve(lang=state.lang)
        if match := _ZIP_TEXT.match(text):
            zip_code = match[1]
            place = place_from_zip(zip_code)
            if place is None:
                return self._area(state, prefix=self.menus.ui(state.lang, "area_unknown", zip=zip_code))
            return self._set_place(state, state.evolve(zip=zip_code, latitude=None, longitude=None), place)
        # "safety plan" opens the guide, in the language of the words typed (maybe-danger asks first).
        named = self.menus.guides.match(text) if verdict.level != "maybe" else None
        if named and (opened := self._guides().open(state, *named)):
            return opened
        return self._typed_need(state, text, verdict)

    def _guides(self) -> GuideChat:
        return GuideChat(self.screens, self.clock())

    def _guide(self, state: ChatState, parsed: buttons.Parsed) -> Result:
        guides = self._guides()
        if (result := guides.press(state, parsed)) is not None:
            return result
        topic = guides.back_topic(state, parsed.target)  # Back from the first screen: the topic it came from
        return self._topic(state.evolve(page=0), topic) if topic else self._press(state, buttons.MAIN)

    def _typed_need(self, state: ChatState, text: str, verdict: Verdict = NO_DANGER) -> Result:
        """Typed words that are not danger: the topic they clearly name, or a choice with the safety line.

        The answer comes in the language typed (with a button to keep it); the chat's language stays.
        """
        typed = self.matcher.typed_language(text, state.lang)
        lang = typed if typed in self.menus.codes else state.lang
        view = state.evolve(lang=lang, page=0, open_now=False)
        switch = (self.screens.switch_language_row(lang),) if lang != state.lang else ()
        result = self.matcher.match(text, lang, max_topics=3, max_services=3)
        found = [s for s in result.topics if s.score >= MIN_TOPIC_SCORE]
        if verdict.level == "maybe":  # "Are you safe right now?", with the topics the words matched
            check = self.screens.safety_check(view, [s.id for s in found])
            reply = Reply(check.text, switch + check.buttons, check.role)
            return Outcome((reply,), stats=(("crisis", "maybe"),)), state.evolve(screen="safe_check")
        if not found or found[0].score < WEAK_TOPIC_SCORE:
            listings = [listing for s in result.services if (listing := self.catalog.get(s.id))]
            reply = self.screens.suggestions(view, listings, [s.id for s in found])
            return Outcome((Reply(reply.text, switch + reply.buttons, reply.role),)), state
        # A clear need opens its screen at once, numbers and all; only topics really close to it ride along.
        best, *others = (s.id for s in close_topics(found))
        outcome, new = self._topic(view, best)
        screen = outcome.replies[0]
        buttons_ = switch + self.screens.topic_buttons(lang, others) + screen.buttons
        reply = Reply(screen.text, buttons_, screen.role)
        return Outcome((reply,), stats=(("typed_topic", best),) + outcome.stats), new.evolve(lang=state.lang)

    def _press(self, state: ChatState, raw: str) -> Result:
        parsed = buttons.parse(raw)
        if parsed is None:
            return self._calm(state)
        kind = parsed.kind
        if kind == buttons.QUICK_EXIT:
            return self._quick_exit(state)
        if kind == buttons.MAIN:
            return self.main_menu(state), state.evolve(screen="main", page=0)
        if kind == buttons.BACK:
            return self._back(state)
        if kind == buttons.LANGUAGE:
            return self._command(state, CommandName.LANGUAGE)
        if kind == buttons.AREA:
            return self._area(state)
        if kind == buttons.CLEAR_AREA:
            new = state.evolve(zip=None, latitude=None, longitude=None)
            return self._area(new, prefix=self.menus.ui(state.lang, "area_cleared"))
        if kind == buttons.SAFE_CALL:
            return self._emergency(state, "violence")
        if kind == buttons.SAFE_TALK:
            new = state.evolve(screen="topic:emergency", topic="emergency", page=0, open_now=False)
            reply = self.screens.talk_now(new, self.place(new), self.clock())
            return Outcome((reply,), stats=(("topic", "emergency"),)), new
        if kind == "safe_help":
            if parsed.target:
                return self._topic(state.evolve(page=0, open_now=False), parsed.target)
            return self.main_menu(state), state.evolve(screen="main", page=0)
        if kind == "topic":
            return self._topic(state.evolve(page=parsed.page), parsed.target)
        if kind == "open":
            return self._topic(state.evolve(open_now=parsed.flag, page=0), parsed.target)
        if kind == "service":
            return self._service(state, parsed.target)
        if kind == "language":
            if parsed.target not in self.menus.codes:
                return self._calm(state)
            new = state.evolve(lang=parsed.target, screen="main")
            reply = self.screens.main(new, prefix=self.menus.ui(new.lang, "language_set"))
            return Outcome((reply,), stats=(("language", new.lang),)), new
        if kind == "report":
            return self._report(state, parsed.target, parsed.reason)
        if kind in ("share_topic", "share_service"):
            return self._share(state, kind, parsed.target)
        if kind == "bridge" and parsed.target in self.menus.bridge.languages:  # Back leads to the main menu
            return Outcome((self.screens.bridge(parsed.target),)), state.evolve(screen="language")
        if kind == "guide":
            return self._guide(state, parsed)
        return self._calm(state)

    def _report(self, state: ChatState, service_id: str, reason: str | None) -> Result:
        listing = self.catalog.get(service_id)
        if listing is None:
            return self._calm(state)
        if reason is None:
            return Outcome((self.screens.report(state, listing),)), state.evolve(screen=f"report:{service_id}")
        thanks = self.menus.ui(state.lang, "report_thanks")
        reply = Reply(thanks, self.screens.nav_rows(state.lang))
        return Outcome((reply,), feedback=(Feedback(service_id, reason),)), state

    def _share(self, state: ChatState, kind: str, target: str) -> Result:
        if kind == "share_topic":
            link = DeepLink(topic=target, lang=state.lang)
            title = self.menus.label(state.lang, target)
        else:
            listing = self.catalog.get(target)
            if listing is None:
                return self._calm(state)
            link = DeepLink(lang=state.lang, service=target)
            title = pick(listing.name, state.lang)
        reply = self.screens.share(state, title, link)
        return (Outcome((reply,)), state) if reply else self._calm(state)
