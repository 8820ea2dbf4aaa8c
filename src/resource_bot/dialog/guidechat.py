"""Walking a person through a guide: its screens as replies, and what each tap does.

The chat's state holds only the guide's screen and the ids of the items the
answers so far add to the end list (:class:`GuideState`); the engine drops them
as soon as the person goes anywhere else, and Quick exit and /forget drop them
with the rest of the state. Going Back to a screen forgets what that screen and
the screens after it had added, so the list always matches the answers on the
way to the screen shown. Nothing answered goes into the counts: opening a guide
counts as ("guide", id), and that is all.

Every guide screen is marked ``protect`` (see :class:`Reply`): which guide a
person is in, and which screen, follows from what they chose.
"""

from __future__ import annotations

import datetime as dt

from resource_bot.dialog import buttons as data
from resource_bot.dialog.buttons import Parsed
from resource_bot.dialog.chatstate import ChatState, GuideState
from resource_bot.dialog.events import Button, Outcome, Reply
from resource_bot.dialog.guides import Guide, Step
from resource_bot.dialog.render import fit, summary
from resource_bot.dialog.screens import Screens
from resource_bot.directory.catalog import Found

Result = tuple[Outcome, ChatState]


class GuideChat:
    """Guide screens over one snapshot's menus and catalog; holds no chat."""

    def __init__(self, screens: Screens, now: dt.datetime) -> None:
        self.screens = screens
        self.menus = screens.menus
        self.now = now

    def guide(self, guide_id: str, lang: str) -> Guide | None:
        return self.menus.guides.get(guide_id, lang)

    def open(self, state: ChatState, guide_id: str, lang: str | None = None) -> Result | None:
        """The guide's first screen, with nothing answered yet; None for an unknown guide."""
        guide = self.guide(guide_id, lang or state.lang)
        if guide is None:
            return None
        place = GuideState(guide.id, guide.start, guide.lang)
        outcome, new = self._show(state, guide, place)
        return Outcome(outcome.replies, stats=(("guide", guide.id),)), new

    def press(self, state: ChatState, parsed: Parsed) -> Result | None:
        """A guide button; None when Back leaves the guide from its first screen (the caller shows the topic)."""
        if parsed.step is None:
            return self.open(state, parsed.target)
        now = state.guide if state.guide is not None and state.guide.guide == parsed.target else None
        guide = self.guide(parsed.target, now.lang if now else state.lang)
        step = guide.steps.get(parsed.step) if guide else None
        if guide is None or step is None:
            return self.open(state, parsed.target)  # a stale button from an older version: start again
        items = now.items if now else ()
        if parsed.flag:
            back = guide.back_of(step.id)
            if back is None:
                return None
            # The answers of the screen we go back to, and of every screen after it, are asked again.
            forget = guide.items_from(guide.after(back))
            kept = tuple(item for item in items if item not in forget)
            return self._show(state, guide, GuideState(guide.id, back, guide.lang, kept))
        if parsed.page >= len(step.answers):
            return self._show(state, guide, GuideState(guide.id, step.id, guide.lang, items))
        answer = step.answers[parsed.page]
        added = tuple(item for item in answer.add if item not in items)
        return self._show(state, guide, GuideState(guide.id, answer.go, guide.lang, items + added))

    def back_topic(self, state: ChatState, guide_id: str) -> str | None:
        """The topic Back leads to from a guide's first screen: the one the person came from, if it has the guide."""
        guide = self.guide(guide_id, state.lang)
        if guide is None or not guide.topics:
            return None
        return state.topic if state.topic in guide.topics else guide.topics[0]

    # -- screens ----------------------------------------------------------------------------------
    def _show(self, state: ChatState, guide: Guide, place: GuideState) -> Result:
        step = guide.steps[place.step]
        reply = self.render(guide, step, place.items)
        return Outcome((reply,)), state.evolve(screen="guide", guide=place, page=0, open_now=False)

    def render(self, guide: Guide, step: Step, items: tuple[str, ...]) -> Reply:
        lang = guide.lang
        parts = [guide.title]
        rows: list[tuple[Button, ...]] = [
            (Button(answer.label, data.guide_step(guide.id, step.id, str(index))),)
            for index, answer in enumerate(step.answers)
        ]
        if step.end:
            listed = [words for item, words in guide.items.items() if item in items]
            if listed or not step.empty:
                parts.append(step.text)
                parts.append("\n".join(f"• {words}" for words in listed))
                parts.append(step.then or "")
            else:
                parts.append(step.empty)
            found = [Found(listing, None) for sid in step.lines if (listing := self.screens.catalog.get(sid))]
            parts.extend(summary(self.menus, lang, f, self.now) for f in found)
        else:
            parts.append(step.text)
        rows.append(
            (
                Button(self.menus.ui(lang, "back"), data.guide_step(guide.id, step.id, "b")),
                Button(self.menus.ui(lang, "main_menu"), data.MAIN),
            )
        )
        rows.append(self.screens.exit_row(lang))
        text = fit("\n\n".join(part for part in parts if part))
        return Reply(text, tuple(rows), protect=True)
