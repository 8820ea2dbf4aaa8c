"""The guides, walked screen by screen through the engine in English and Spanish.

A person reaches a guide from its topic, by typing its words or by a deep link;
every screen has Back, Main menu and Quick exit and is marked protected; the end
screen shows what the answers added and the guide's 24/7 lines. Answers live
only in the chat's state while the guide is shown, and never reach the counts.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest

from resource_bot.channels.terminal import TerminalChat
from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState, GuideState
from resource_bot.dialog.deeplink import DeepLink, build_payload, parse_payload
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Command, CommandName, Effect, Outcome, Press, Reply, Start, Text
from resource_bot.dialog.guides import Guide, key_of

GUIDES = ("safety-plan", "disaster-plan", "job-check", "record-relief", "credit-block")
WALKS = [(guide, lang) for guide in GUIDES for lang in ("en", "es")]


def guide_of(engine: Engine, guide_id: str, lang: str) -> Guide:
    guide = engine.menus.guides.get(guide_id, lang)
    assert guide is not None and guide.lang == lang
    return guide


def press(engine: Engine, state: ChatState, data: str) -> tuple[Outcome, Reply, ChatState]:
    outcome, after = engine.handle(state, Press(data))
    (reply,) = outcome.replies
    return outcome, reply, after


def paths_to_every_screen(guide: Guide) -> dict[str, list[tuple[str, int]]]:
    """For each screen, the (screen, answer) taps that reach it from the first screen."""
    paths: dict[str, list[tuple[str, int]]] = {guide.start: []}
    queue = deque([guide.start])
    while queue:
        step = guide.steps[queue.popleft()]
        for index, answer in enumerate(step.answers):
            if answer.go not in paths:
                paths[answer.go] = [*paths[step.id], (step.id, index)]
                queue.append(answer.go)
    return paths


def assert_guide_screen(reply: Reply, guide: Guide, step_id: str) -> None:
    data = [b.data for b in reply.all_buttons()]
    assert reply.protect, f"{guide.id}/{step_id} shows what the person chose: protected"
    assert buttons.QUICK_EXIT in data and buttons.MAIN in data
    assert buttons.guide_step(guide.id, step_id, "b") in data, "Back on every screen"
    assert all(len(d.encode()) <= 64 for d in data if d)


@pytest.mark.parametrize(("guide_id", "lang"), WALKS)
def test_every_screen_of_every_guide_is_reached_in_both_languages(engine: Engine, guide_id: str, lang: str) -> None:
    guide = guide_of(engine, guide_id, lang)
    paths = paths_to_every_screen(guide)
    assert set(paths) == set(guide.steps), "every screen can be reached"
    for step_id, path in paths.items():
        outcome, reply, state = press(engine, ChatState(lang=lang), buttons.guide(guide_id))
        assert outcome.stats == (("guide", guide_id),), "opening a guide is counted, and nothing else"
        for at, index in path:
            outcome, reply, state = press(engine, state, buttons.guide_step(guide_id, at, str(index)))
            assert outcome.stats == (), "no answer reaches the counts"
        assert state.screen == "guide" and state.guide is not None and state.guide.step == step_id
        step = guide.steps[step_id]
        shown = step.text if not step.end or state.guide.items or not step.empty else step.empty
        assert shown in reply.text
        assert_guide_screen(reply, guide, step_id)
        for answer in step.answers:
            assert answer.label in [b.label for b in reply.all_buttons()]


@pytest.mark.parametrize(("guide_id", "lang"), WALKS)
def test_taking_every_first_answer_ends_with_the_list_and_the_24_7_lines(
    engine: Engine, guide_id: str, lang: str
) -> None:
    guide = guide_of(engine, guide_id, lang)
    _, reply, state = press(engine, ChatState(lang=lang), buttons.guide(guide_id))
    while state.guide is not None and not guide.steps[state.guide.step].end:
        _, reply, state = press(engine, state, buttons.guide_step(guide_id, state.guide.step, "0"))
    assert state.guide is not None
    added = {item for step in guide.steps.values() for answer in step.answers[:1] for item in answer.add}
    assert added and set(state.guide.items) == added
    for item in added:
        assert guide.items[item] in reply.text
    end = guide.steps[state.guide.step]
    for service_id in end.lines:
        listing = engine.catalog.get(service_id)
        assert listing is not None and listing.name[lang] in reply.text
    assert_guide_screen(reply, guide, end.id)


WARNINGS = [("en", "Someone who sees this phone could see this plan"),
            ("es", "Alguien que vea este teléfono podría ver este plan")]  # fmt: skip


@pytest.mark.parametrize(("lang", "warning"), WARNINGS)
def test_the_safety_plan_says_first_that_the_phone_could_show_it_and_offers_quick_exit(
    engine: Engine, lang: str, warning: str
) -> None:
    _, reply, state = press(engine, ChatState(lang=lang), buttons.guide("safety-plan"))
    for step, answer in (("start", 0), ("person", 0), ("code_word", 0), ("documents", 1), ("bag", 1)):
        _, reply, state = press(engine, state, buttons.guide_step("safety-plan", step, str(answer)))
    for step, answer in (("way_out", 1), ("phone_money", 1), ("children", 1), ("pets", 1), ("danger", 0)):
        _, reply, state = press(engine, state, buttons.guide_step("safety-plan", step, str(answer)))
    title, first, *_ = reply.text.split("\n\n")
    assert warning in first, "the warning comes before the plan"
    assert reply.text.index(warning) < reply.text.index("911")
    assert buttons.QUICK_EXIT in [b.data for b in reply.all_buttons()]
    assert state.guide is not None and state.guide.items == ("trusted_person", "code_word", "danger")
    assert "1-800-799-7233" in reply.text and "1-888-373-7888" in reply.text


def walk_job_check(engine: Engine, yes: set[str], lang: str = "en") -> tuple[Reply, ChatState]:
    _, reply, state = press(engine, ChatState(lang=lang), buttons.guide("job-check"))
    _, reply, state = press(engine, state, buttons.guide_step("job-check", "start", "0"))
    for step in ("documents", "debt", "leave", "threats", "pay", "lied", "housing", "age"):
        _, reply, state = press(engine, state, buttons.guide_step("job-check", step, "0" if step in yes else "1"))
    return reply, state


def test_the_job_check_lists_the_signs_told_never_a_label_and_where_to_ask(engine: Engine) -> None:
    reply, _ = walk_job_check(engine, {"documents", "debt", "threats"})
    assert "What you told me are signs that you may be owed help" in reply.text
    assert "Someone else keeps your passport, ID or papers." in reply.text
    assert "You owe money to your boss or recruiter." in reply.text
    assert "You are under 18" not in reply.text
    assert "you are a victim" not in reply.text.lower() and "you are being trafficked" not in reply.text.lower()
    for number in ("1-866-487-9243", "1-888-373-7888"):  # workers' rights line, trafficking hotline
        assert number in reply.text
    assert "Legal Services Corporation" in reply.text


@pytest.mark.parametrize(("lang", "none"), [("en", "Nothing you told me is one of these signs"),
                                            ("es", "Nada de lo que me contó es una de estas señales")])  # fmt: skip
def test_when_nothing_was_a_sign_the_job_check_says_so_and_still_shows_where_to_ask(
    engine: Engine, lang: str, none: str
) -> None:
    reply, state = walk_job_check(engine, set(), lang)
    assert none in reply.text
    assert "1-866-487-9243" in reply.text and "1-888-373-7888" in reply.text
    assert state.guide is not None and state.guide.items == ()


def test_back_asks_again_and_forgets_what_that_screen_had_added(engine: Engine) -> None:
    _, _, state = press(engine, ChatState(), buttons.guide("job-check"))
    _, _, state = press(engine, state, buttons.guide_step("job-check", "start", "0"))
    _, _, state = press(engine, state, buttons.guide_step("job-check", "documents", "0"))
    _, _, state = press(engine, state, buttons.guide_step("job-check", "debt", "0"))
    assert state.guide is not None and state.guide.items == ("documents", "debt")
    _, reply, state = press(engine, state, buttons.guide_step("job-check", "leave", "b"))
    assert state.guide == GuideState("job-check", "debt", "en", ("documents",))
    assert "Do you owe money" in reply.text
    _, _, state = press(engine, state, buttons.guide_step("job-check", "debt", "1"))
    assert state.guide is not None and state.guide.items == ("documents",)


def test_back_from_the_first_screen_returns_to_the_topic_it_came_from(engine: Engine) -> None:
    outcome, trafficking = engine.handle(ChatState(), Press("t:trafficking"))
    assert buttons.guide("safety-plan") in [b.data for b in outcome.replies[0].all_buttons()]
    _, _, state = press(engine, trafficking, buttons.guide("safety-plan"))
    _, reply, state = press(engine, state, buttons.guide_step("safety-plan", "start", "b"))
    assert state.screen == "topic:trafficking" and state.guide is None
    assert engine.menus.intro("en", "trafficking") in reply.text


@pytest.mark.parametrize(
    ("topic", "guide_id"),
    [("safety", "safety-plan"), ("work", "job-check"), ("legal.record_relief", "record-relief"),
     ("help_others", "disaster-plan")],
)  # fmt: skip
def test_each_guide_has_a_button_on_its_topic_screen(engine: Engine, topic: str, guide_id: str) -> None:
    for lang in ("en", "es"):
        outcome, _ = engine.handle(ChatState(lang=lang), Press(buttons.topic(topic)))
        labels = {b.data: b.label for b in outcome.replies[0].all_buttons()}
        assert labels[buttons.guide(guide_id)] == guide_of(engine, guide_id, lang).title


@pytest.mark.parametrize(
    ("typed", "guide_id", "lang"),
    [("safety plan", "safety-plan", "en"), ("I need a plan de seguridad", "safety-plan", "es"),
     ("Is this job legal?", "job-check", "en"), ("¿Es legal este trabajo?", "job-check", "es"),
     ("clear my record", "record-relief", "en"), ("family emergency plan", "disaster-plan", "en")],
)  # fmt: skip
def test_typed_words_open_the_guide_in_the_language_typed(engine: Engine, typed: str, guide_id: str, lang: str) -> None:
    outcome, state = engine.handle(ChatState(), Text(typed))
    assert state.guide == GuideState(guide_id, "start", lang)
    assert outcome.replies[0].text.startswith(guide_of(engine, guide_id, lang).title)
    assert state.lang == "en", "the chat keeps its language"


def test_fix_my_credit_leads_to_the_credit_topic_until_there_is_a_credit_guide(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Text("fix my credit"))
    assert state.screen == "topic:credit" and state.guide is None


def test_danger_in_typed_words_gets_the_emergency_screen_not_the_guide(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Text("he has a gun, I need a safety plan"))
    assert state.screen == "topic:emergency" and state.guide is None


@pytest.mark.parametrize(
    ("payload", "guide_id", "lang"),
    [("gjob_check", "job-check", "en"), ("gsafety_plan-es", "safety-plan", "es"),
     ("es-grecord_relief", "record-relief", "es"), ("gdisaster_plan-sclinic4", "disaster-plan", "en")],
)  # fmt: skip
def test_a_deep_link_opens_a_guide(engine: Engine, payload: str, guide_id: str, lang: str) -> None:
    outcome, state = engine.handle(ChatState(), Start(payload))
    assert state.guide == GuideState(guide_id, "start", lang) and state.lang == lang
    assert ("guide", guide_id) in outcome.stats
    assert build_payload(parse_payload(payload)) in (payload, payload.replace("es-g", "g", 1) + "-es")


def test_a_guide_link_parses_and_is_built_with_the_guide_first() -> None:
    assert parse_payload("gno_such_guide").guide == "no_such_guide"
    assert build_payload(DeepLink(guide="job-check", lang="es")) == "gjob_check-es"


def test_a_deep_link_to_an_unknown_guide_opens_the_welcome(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Start("gno_such_guide"))
    assert state.screen == "main" and state.guide is None


def test_quick_exit_mid_guide_clears_the_answers_and_a_stale_button_brings_none_back(engine: Engine) -> None:
    reply, state = walk_job_check(engine, {"documents", "threats"})
    outcome, after = engine.handle(state, Press(buttons.QUICK_EXIT))
    assert Effect.QUICK_EXIT in outcome.effects and after == ChatState()
    # A button from a message Telegram would not delete: its answer counts alone, the old ones are gone.
    _, reply, again = press(engine, after, buttons.guide_step("job-check", "age", "1"))
    assert again.guide == GuideState("job-check", "result", "en", ())
    assert "Nothing you told me is one of these signs" in reply.text


def test_forget_mid_guide_clears_the_answers(engine: Engine) -> None:
    _, state = walk_job_check(engine, {"pay"})
    outcome, after = engine.handle(state, Command(CommandName.FORGET))
    assert Effect.FORGET in outcome.effects
    assert after == ChatState(lang="en") and after.guide is None


def test_going_anywhere_else_drops_the_answers(engine: Engine) -> None:
    _, state = walk_job_check(engine, {"pay"})
    for event in (Press(buttons.MAIN), Text("I need a lawyer"), Command(CommandName.HELP), Press("t:legal")):
        _, after = engine.handle(state, event)
        assert after.guide is None and after.screen != "guide"
    _, after = engine.handle(state, Press("zzz"))
    assert after is state, "forged data changes nothing, the guide included"


def test_a_saved_guide_step_survives_a_restart_and_a_damaged_one_falls_back_to_the_menu() -> None:
    state = ChatState(lang="es", screen="guide", guide=GuideState("job-check", "pay", "es", ("documents",)))
    assert ChatState.from_dict(state.to_dict()) == state
    damaged = {**state.to_dict(), "guide": {"guide": "job-check", "step": "pay; drop table", "items": []}}
    assert ChatState.from_dict(damaged) == ChatState(lang="es")
    assert ChatState.from_dict({"screen": "guide"}) == ChatState(), "a guide screen without its guide is refused"


# -- the terminal chat -----------------------------------------------------------------------------
@pytest.mark.parametrize(("guide_id", "lang"), WALKS)
def test_each_guide_is_walked_in_the_terminal_chat_by_pressing_numbers(
    engine: Engine, guide_id: str, lang: str
) -> None:
    guide = guide_of(engine, guide_id, lang)
    steps = [guide.steps[guide.start]]
    while not steps[-1].end:
        steps.append(guide.steps[steps[-1].answers[0].go])
    out = io.StringIO()
    lines = iter([f"/start g{key_of(guide_id)}-{lang}\n"] + ["1\n"] * (len(steps) - 1) + ["/exit\n"])
    TerminalChat(engine, out, lang=lang).run(lambda: next(lines, ""))
    text = out.getvalue()
    position = 0
    for step in steps:  # every screen, in order
        position = text.index(step.text, position)
    assert f"[1] {steps[0].answers[0].label}" in text
    assert engine.menus.ui(lang, "quick_exit") in text
    assert text.rstrip().endswith(engine.menus.ui(lang, "exit_done"))


def test_the_real_chat_command_opens_the_job_check_from_typed_spanish(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "resource_bot", "chat", "--lang", "es"],
        input="¿es legal este trabajo?\n1\n1\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={"RESOURCE_BOT_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "¿Su jefe o la persona que le consiguió el trabajo se queda con su pasaporte" in result.stdout
    assert "¿Le debe dinero a su jefe" in result.stdout
