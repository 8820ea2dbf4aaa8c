"""The words of the menus, read from ``conversations/<lang>.yaml``.

Every string a person reads lives in those files, so that translators and
maintainers change words without touching code. Loading checks that each
language has every key and every topic, and says which file to fix.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from resource_bot.dialog.bridge import BRIDGE_FILE, EMPTY, Bridge, BridgeError, read_bridge
from resource_bot.dialog.guides import GuideError, Guides
from resource_bot.directory import topics

#: Every ``ui`` key the engine uses (documented in conversations/README.md).
UI_KEYS: tuple[str, ...] = (
    "welcome",
    "main_prompt",
    "help",
    "back",
    "main_menu",
    "quick_exit",
    "change_language",
    "set_area",
    "next_page",
    "prev_page",
    "page_of",
    "services_heading",
    "no_services_here",
    "open_now_no_hours",
    "none_open_now",
    "nationwide",
    "statewide",
    "distance_miles",
    "call",
    "text_keyword",
    "text",
    "tty",
    "whatsapp",
    "website",
    "email",
    "always_open",
    "open_now",
    "opens_at",
    "closed",
    "languages",
    "cost",
    "eligibility",
    "how_to_apply",
    "address",
    "address_private",
    "confidential",
    "details",
    "open_now_filter",
    "show_all",
    "area_prompt",
    "share_location",
    "area_set",
    "area_saved",
    "area_set_none",
    "area_set_some",
    "no_local",
    "area_unknown",
    "area_cleared",
    "clear_area",
    "your_area",
    "language_prompt",
    "language_set",
    "did_you_mean",
    "not_sure",
    "safety_line",
    "switch_language",
    "crisis_first",
    "crisis_self_harm",
    "crisis_medical",
    "crisis_children",
    "crisis_trafficking",
    "safe_check",
    "safe_call",
    "safe_talk",
    "safe_help",
    "safe_talk_intro",
    "exit_done",
    "exit_not_cleared",
    "forget_done",
    "sorry_error",
    "try_again_later",
    "group_pointer",
    "slow_down",
    "share",
    "share_text",
    "report_problem",
    "report_prompt",
    "report_wrong_number",
    "report_closed",
    "report_moved",
    "report_other",
    "report_thanks",
)

#: The printable flyer's words (``flyer:`` in each conversations file).
FLYER_KEYS: tuple[str, ...] = (
    "kicker",
    "scan",
    "steps",
    "steps_web",
    "link",
    "area",
    "area_none",
    "numbers",
    "call",
    "text",
    "text_keyword",
    "danger",
    "checked",
    "other",
    "clinic",
    "discreet_title",
    "discreet_intro",
)


class MenuError(Exception):
    """A conversations file is missing something; the message names the file and key."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    ui: dict[str, str]
    labels: dict[str, str]
    intros: dict[str, str]
    flyer: dict[str, str]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Menus:
    """All languages' words, checked for completeness when loaded."""

    def __init__(self, languages: dict[str, Language], bridge: Bridge = EMPTY, guides: Guides | None = None) -> None:
        if "en" not in languages:
            raise MenuError("conversations/en.yaml is missing; English is the fallback language")
        self.languages = languages
        #: The interpreter bridge's languages (conversations/bridge/interpreters.yaml), if any.
        self.bridge = bridge
        #: The step-by-step guides (``conversations/guides/``).
        self.guides = guides or Guides()

    @classmethod
    def from_dir(cls, folder: Path) -> Menus:
        from resource_bot.dialog.guidecheck import load_guides  # it reads screens.py, which reads this module

        languages = {}
        for path in sorted(folder.glob("*.yaml")):
            language = _read_language(path)
            languages[language.code] = language
        try:
            bridge = read_bridge(folder / BRIDGE_FILE) if (folder / BRIDGE_FILE).exists() else EMPTY
        except BridgeError as exc:
            raise MenuError(str(exc)) from None
        try:
            guides = load_guides(folder / "guides")
        except GuideError as exc:
            raise MenuError(str(exc)) from None
        return cls(languages, bridge, guides)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.languages)

    def _lang(self, lang: str) -> Language:
        return self.languages.get(lang) or self.languages["en"]

    def ui(self, lang: str, key: str, **values: object) -> str:
        template = self._lang(lang).ui[key]
        return template.format(**values) if values else template

    def label(self, lang: str, topic: str) -> str:
        return self._lang(lang).labels[topic]

    def intro(self, lang: str, topic: str) -> str:
        return self._lang(lang).intros[topic]

    def name(self, lang: str) -> str:
        return self._lang(lang).name

    def flyer(self, lang: str) -> dict[str, str]:
        return self._lang(lang).flyer


def _read_language(path: Path) -> Language:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MenuError(f"{path}: cannot be read ({exc}); fix the YAML and try again") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("ui"), dict) or not isinstance(raw.get("topics"), dict):
        raise MenuError(f"{path}: needs `language`, `name`, `ui` and `topics` (see conversations/README.md)")
    code = raw.get("language")
    if code != path.stem:
        raise MenuError(f"{path}: `language: {code}` must match the file name {path.stem!r}")
    ui = raw["ui"]
    missing = [key for key in UI_KEYS if not isinstance(ui.get(key), str)]
    if missing:
        raise MenuError(f"{path}: ui is missing {', '.join(missing)}; add them (see conversations/README.md)")
    flyer = raw.get("flyer")
    missing_flyer = [key for key in FLYER_KEYS if not isinstance(flyer, dict) or not isinstance(flyer.get(key), str)]
    if missing_flyer:
        raise MenuError(f"{path}: flyer is missing {', '.join(missing_flyer)}; add them (see conversations/README.md)")
    labels, intros = {}, {}
    for topic in topics.walk():
        entry = raw["topics"].get(topic)
        if not isinstance(entry, dict) or not entry.get("label") or not entry.get("intro"):
            raise MenuError(f"{path}: topic {topic!r} needs a label and an intro")
        labels[topic] = str(entry["label"]).strip()
        intros[topic] = str(entry["intro"]).strip()
    texts = {k: str(v).strip() for k, v in ui.items()}
    assert isinstance(flyer, dict)
    flyer_words = {k: str(flyer[k]) for k in FLYER_KEYS}
    return Language(code, str(raw.get("name") or code), texts, labels, intros, flyer_words)


def check_placeholders(menus: Menus) -> list[str]:
    """Keys whose placeholders differ from English's: a translation that would break formatting."""
    english = menus.languages["en"]
    problems = []
    for code, language in menus.languages.items():
        for section, texts, reference in (("ui", language.ui, english.ui), ("flyer", language.flyer, english.flyer)):
            for key, text in texts.items():
                if key in reference and _placeholders(text) != _placeholders(reference[key]):
                    problems.append(f"conversations/{code}.yaml: {section}.{key} placeholders differ from English")
    return problems
