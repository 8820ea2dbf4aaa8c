"""The dialog engine, fed events one at a time: what the person sees, and the state after."""

from __future__ import annotations

from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import (
    Command,
    CommandName,
    Effect,
    Press,
    Reply,
    SharedLocation,
    Start,
    Text,
)


def data_of(reply: Reply) -> list[str]:
    return [b.data for b in reply.all_buttons() if b.data]


def press_label(engine: Engine, state: ChatState, reply: Reply, label_part: str) -> tuple[Reply, ChatState]:
    button = next(b for b in reply.all_buttons() if label_part in b.label and b.data)
    outcome, state = engine.handle(state, Press(button.data or ""))
    return outcome.replies[-1], state


def test_start_shows_welcome_and_every_need_with_quick_exit(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Start())
    reply = outcome.replies[0]
    assert engine.menus.ui("en", "welcome") in reply.text
    for topic in ("emergency", "trafficking", "legal", "credit", "help_others"):
        assert buttons.topic(topic) in data_of(reply)
    assert buttons.QUICK_EXIT in data_of(reply)
    assert state.screen == "main"


def test_tapping_a_topic_lists_real_services_with_how_to_reach_them(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Press("t:trafficking"))
    text = outcome.replies[0].text
    assert "1-888-373-7888" in text
    assert "233733" in text
    assert state.screen == "topic:trafficking" and state.topic == "trafficking"
    assert ("topic", "trafficking") in outcome.stats


def test_subtopic_back_goes_to_parent_then_main(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Press("t:legal.record_relief"))
    outcome, state = engine.handle(state, Press(buttons.BACK))
    assert state.screen == "topic:legal"
    assert engine.menus.intro("en", "legal") in outcome.replies[0].text
    _, state = engine.handle(state, Press(buttons.BACK))
    assert state.screen == "main"


def test_service_details_come_as_their_own_card_and_back_returns_to_the_topic(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Press("t:credit"))
    outcome, state = engine.handle(state, Press("s:cfpb-trafficking-credit"))
    card = outcome.replies[0]
    assert card.role.value == "card"
    assert "block" in card.text.lower()
    assert buttons.report("cfpb-trafficking-credit") in data_of(card)
    assert state.screen == "service:cfpb-trafficking-credit"
    _, state = engine.handle(state, Press(buttons.BACK))
    assert state.screen == "topic:credit"


def test_forged_button_data_gives_the_main_menu_and_leaves_state_as_it_was(engine: Engine) -> None:
    _, state = engine.handle(ChatState(lang="es"), Press("t:legal"))
    for forged in (
        "t:nope",
        "s:../../etc",
        "zzz",
        "x" * 65,
        "",
        "t:legal:99999",
        "l:fr",
        "s:no-such-service",
    ):
        outcome, after = engine.handle(state, Press(forged))
        assert after is state
        assert buttons.topic("legal") in data_of(outcome.replies[0])


def test_unknown_event_kind_is_a_bad_event_and_leaves_state_as_it_was(engine: Engine) -> None:
    state = ChatState(lang="es", screen="topic:food", topic="food")
    outcome, after = engine.handle(state, object())  # type: ignore[arg-type]  # the wrong type is the point
    assert after is state
    assert outcome.replies


def test_danger_words_get_the_emergency_screen_first_in_any_state(engine: Engine) -> None:
    for state in (
        ChatState(),
        ChatState(screen="area"),
        ChatState(screen="topic:food", topic="food", page=3),
    ):
        outcome, after = engine.handle(state, Text("he's going to kill me"))
        text = outcome.replies[0].text
        assert text.startswith(engine.menus.ui(state.lang, "crisis_first"))
        assert "911" in text
        assert after.screen == "topic:emergency"


def test_a_typed_need_opens_its_topic_with_numbers_and_offers_the_other_close_ones(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Text("human trafficking"))
    reply = outcome.replies[0]
    assert state.screen == "topic:trafficking"
    assert "1-888-373-7888" in reply.text and "233733" in reply.text
    assert buttons.QUICK_EXIT in data_of(reply)
    assert ("typed_topic", "trafficking") in outcome.stats


def test_credit_repair_opens_credit_help(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Text("credit repair"))
    assert state.screen.startswith("topic:credit")
    assert "CFPB" in outcome.replies[0].text or "Consumer Financial Protection Bureau" in outcome.replies[0].text


def test_typed_nonsense_is_never_a_dead_end(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Text("what time is it"))
    reply = outcome.replies[0]
    assert "211" in reply.text
    assert buttons.topic("emergency") in data_of(reply)
    assert buttons.QUICK_EXIT in data_of(reply)


def test_language_switch_answers_in_spanish(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Press(buttons.LANGUAGE))
    outcome, state = engine.handle(state, Press(buttons.set_language("es")))
    assert state.lang == "es"
    assert engine.menus.ui("es", "language_set") in outcome.replies[0].text
    assert ("language", "es") in outcome.stats


def test_quick_exit_asks_the_channel_to_wipe_and_resets_state(engine: Engine) -> None:
    start = ChatState(lang="es", screen="topic:legal", topic="legal", zip="77002")
    for event in (Press(buttons.QUICK_EXIT), Command(CommandName.EXIT)):
        outcome, after = engine.handle(start, event)
        assert Effect.QUICK_EXIT in outcome.effects
        assert after == ChatState()


def test_forget_asks_the_channel_to_delete_everything(engine: Engine) -> None:
    outcome, after = engine.handle(ChatState(lang="es", zip="77002"), Command(CommandName.FORGET))
    assert Effect.FORGET in outcome.effects
    assert after.zip is None and after.lang == "es"


def test_deep_link_opens_topic_with_language_and_area(local_engine: Engine) -> None:
    outcome, state = local_engine.handle(ChatState(), Start("housing-es-z77002-sclinic4"))
    assert state.lang == "es" and state.zip == "77002" and state.screen == "topic:housing"
    assert "Refugio de Prueba Harris" in outcome.replies[0].text
    assert ("source", "clinic4") in outcome.stats


def test_deep_link_to_a_service_opens_its_card(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Start("vnhth"))
    assert state.screen == "service:nhth"
    assert "1-888-373-7888" in outcome.replies[0].text


def test_start_payload_legal_opens_legal(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Start("legal"))
    assert state.screen == "topic:legal"


def test_typing_a_zip_sets_the_area_and_shows_local_help(local_engine: Engine) -> None:
    _, state = local_engine.handle(ChatState(), Press("t:housing"))
    outcome, state = local_engine.handle(state, Text("77002"))
    assert state.zip == "77002"
    text = outcome.replies[0].text
    assert "Test Harris Shelter" in text
    assert "Houston" in text


def test_unknown_zip_says_so_and_offers_the_area_screen(local_engine: Engine) -> None:
    outcome, state = local_engine.handle(ChatState(), Text("00000"))
    assert "00000" in outcome.replies[0].text
    assert state.zip is None and state.screen == "area"


def test_shared_location_is_kept_only_rounded(local_engine: Engine) -> None:
    on_legal = ChatState(screen="topic:legal", topic="legal")
    outcome, state = local_engine.handle(on_legal, SharedLocation(30.26721, -97.74308))
    assert state.latitude == round(state.latitude or 0, 2)
    assert state.longitude == round(state.longitude or 0, 2)
    assert "Test Austin Legal Clinic" in outcome.replies[0].text


def test_services_outside_the_area_are_not_listed(local_engine: Engine) -> None:
    _, state = local_engine.handle(ChatState(zip="10001"), Press("t:housing"))
    outcome, _ = local_engine.handle(state, Press("t:housing"))
    assert "Test Harris Shelter" not in outcome.replies[0].text


def test_open_now_filter_hides_a_closed_clinic(local_engine: Engine) -> None:
    # Tuesday 10:30 in Austin: the clinic is open; the NYC pantry (Saturdays only) is closed.
    state = ChatState(zip="10001")
    outcome, state = local_engine.handle(state, Press(buttons.open_filter("food", True)))
    assert "Test Food Pantry" not in outcome.replies[0].text
    outcome, state = local_engine.handle(state, Press(buttons.open_filter("food", False)))
    assert "Test Food Pantry" in outcome.replies[0].text


def test_report_a_problem_stores_only_listing_and_reason(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Press("s:nhth"))
    outcome, state = engine.handle(state, Press(buttons.report("nhth")))
    assert buttons.report("nhth", "closed") in data_of(outcome.replies[0])
    outcome, _ = engine.handle(state, Press(buttons.report("nhth", "closed")))
    assert [(f.service_id, f.reason) for f in outcome.feedback] == [("nhth", "closed")]


def test_share_gives_a_link_without_personal_data(engine: Engine) -> None:
    state = ChatState(lang="es", zip="77002")
    outcome, after = engine.handle(state, Press(buttons.share_topic("legal")))
    reply = outcome.replies[0]
    assert "https://t.me/resource_test_bot?start=legal-es" in reply.text
    assert "77002" not in reply.text
    assert after is state
