"""Every topic's first screen leads with a line a person can call or text now, where the directory
has one for that very topic, else with any line it lists; otherwise the directory's own order stays."""

from __future__ import annotations

from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press, Text
from resource_bot.directory import topics
from resource_bot.directory.catalog import Catalog


def _callable(phones: tuple[object, ...]) -> bool:
    return any(getattr(p, "kind", "") in ("voice", "sms", "whatsapp") for p in phones)


def test_each_screen_leads_with_a_number_where_its_own_services_have_one(bundled_catalog: Catalog) -> None:
    for topic in topics.walk():
        listed = bundled_catalog.national(topic)
        own_lines = [s for s in listed if s.topics[0] == topic and _callable(s.phones)]
        if listed and own_lines:
            assert _callable(listed[0].phones), f"{topic} opens with {listed[0].id}, which has no number"


def test_the_immigration_screen_opens_with_the_hhs_certification_line(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Press(buttons.topic("legal.immigration")))
    text = outcome.replies[-1].text

    listed = text[text.index("Places that can help:") :]
    assert listed.index("866-401-5510") < listed.index("Know your rights as a temporary worker")


def test_the_protective_order_screen_opens_with_the_hotline_s_legal_help_line(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Press(buttons.topic("legal.protective_order")))
    text = outcome.replies[-1].text

    listed = text[text.index("Places that can help:") :]
    assert listed.index("1-800-799-7233") < listed.index("WomensLaw.org")


def test_a_screen_that_already_opens_with_a_number_keeps_the_directory_order(bundled_catalog: Catalog) -> None:
    assert [s.id for s in bundled_catalog.national("work")][:3] == ["dol-whd", "osha", "eeoc"]
    assert bundled_catalog.national("trafficking")[0].id == "nhth"


def test_a_screen_without_a_line_of_its_own_leads_with_any_line_it_lists(engine: Engine) -> None:
    # Food's own services are websites (WIC); 211, which also helps with food, is a line to call now.
    outcome, _ = engine.handle(ChatState(), Press(buttons.topic("food")))
    text = outcome.replies[-1].text

    listed = text[text.index("Places that can help:") :]
    assert listed.index("211") < listed.index("WIC")


def test_the_remove_images_screen_opens_with_rainn_s_line_to_call_or_text(engine: Engine) -> None:
    # Take It Down and StopNCII are websites; RAINN's hotline supports people whose sexual images
    # were shared or are threatened, by phone, text and chat, any time.
    outcome, _ = engine.handle(ChatState(), Press(buttons.topic("online.image_removal")))
    text = outcome.replies[-1].text

    listed = text[text.index("Places that can help:") :]
    assert listed.index("1-800-656-4673") < listed.index("StopNCII")
    assert "64673" in listed


def test_the_immigration_screen_lists_the_t_and_u_visas(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Press(buttons.topic("legal.immigration")))
    text = outcome.replies[-1].text

    assert "T visa for trafficking survivors" in text
    assert "866-401-5510" in text[: text.index("T visa for trafficking survivors")]


def test_an_adult_blackmailed_with_nude_pictures_sees_a_line_to_call_or_text_any_time(engine: Engine) -> None:
    # Before, the online screen's only number was the CyberTipline, which is for children.
    outcome, _ = engine.handle(ChatState(), Text("someone is blackmailing me with my nudes, I'm 30"))
    text = outcome.replies[-1].text

    assert "Text HOPE to 64673" in text
    assert "1-800-656-4673" in text
