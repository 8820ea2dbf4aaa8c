"""Checks on a folder of guides, the way the menus are checked: no screen a person cannot reach,
no dead end, buttons that fit Telegram, the same screens in every language, sources cited.

``resource-bot validate`` prints these problems as ``file:line``; the bot refuses
to start on a folder that has any (see :func:`load_guides`).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from resource_bot.dialog import buttons
from resource_bot.dialog.guides import Guide, GuideError, Guides, guide_files, read_guide
from resource_bot.dialog.screens import MAX_LABEL
from resource_bot.directory import topics
from resource_bot.directory.entries import Problem

LANGUAGES = ("en", "es")
#: A screen is a few plain sentences; an end screen adds the list and the lines.
MAX_TEXT = 700
MAX_ANSWERS = 8
MAX_ITEMS = 30
MAX_DATA = 64


def _structure(guide: Guide) -> tuple[object, ...]:
    """What must be the same in every language: screens, where each answer goes, what it adds."""
    steps = tuple(
        (s.id, s.end, s.back, s.lines, bool(s.empty), bool(s.then), tuple((a.go, a.add) for a in s.answers))
        for s in guide.steps.values()
    )
    return steps, tuple(guide.items), guide.topics


def check_guide(guide: Guide, known_services: Collection[str] | None = None) -> list[Problem]:
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(guide.path, line, message))

    if not guide.sources or not all(s.startswith("https://") for s in guide.sources):
        problem(guide.lines.get("sources", 1), "`sources` must list the https:// pages every fact comes from")
    if len(guide.title) > MAX_LABEL:
        problem(guide.lines.get("title", 1), f"`title` is {len(guide.title)} characters; keep it to {MAX_LABEL}")
    for topic in guide.topics:
        if not topics.is_topic(topic):
            problem(guide.lines.get("topics", 1), f"unknown topic {topic!r}; see `resource-bot topics`")
    if len(guide.items) > MAX_ITEMS:
        problem(guide.lines.get("items", 1), f"{len(guide.items)} items; keep the list to {MAX_ITEMS}")
    owners: dict[str, str] = {}
    for step in guide.steps.values():
        where = f"screen {step.id!r}"
        if any(len(words or "") > MAX_TEXT for words in (step.text, step.empty, step.then)):
            problem(step.line, f"{where}: the text is over {MAX_TEXT} characters; split it into two screens")
        if step.end:
            if step.answers:
                problem(step.line, f"{where} is an end screen; it cannot have answers")
            if not step.lines:
                problem(step.line, f"{where} is an end screen; list its 24/7 lines under `lines:`")
            for service in step.lines:
                if known_services is not None and service not in known_services:
                    problem(step.line, f"{where}: no service {service!r} in the directory")
        elif not step.answers:
            problem(step.line, f"{where} is a dead end: give it answers, or mark it `end: true`")
        elif step.lines or step.empty or step.then:
            problem(step.line, f"{where}: only end screens have `lines`, `empty` and `then`")
        if len(step.answers) > MAX_ANSWERS:
            problem(step.line, f"{where} has {len(step.answers)} answers; keep it to {MAX_ANSWERS}")
        if step.back is not None and step.back not in guide.steps:
            problem(step.line, f"{where}: `back: {step.back}` is not a screen of this guide")
        datas = [buttons.guide_step(guide.id, step.id, "b")]
        for index, answer in enumerate(step.answers):
            datas.append(buttons.guide_step(guide.id, step.id, str(index)))
            if len(answer.label) > MAX_LABEL:
                problem(step.line, f"{where}: the button {answer.label!r} is over {MAX_LABEL} characters")
            if answer.go not in guide.steps:
                problem(step.line, f"{where}: an answer goes to {answer.go!r}, which is not a screen of this guide")
            elif answer.go == step.id:
                problem(step.line, f"{where}: an answer leads back to the same screen")
            for item in answer.add:
                if item not in guide.items:
                    problem(step.line, f"{where}: an answer adds {item!r}, which is not under `items:`")
                elif owners.setdefault(item, step.id) != step.id:
                    problem(step.line, f"{where}: item {item!r} is already added on screen {owners[item]!r}")
        for data in datas:
            if len(data.encode("utf-8")) > MAX_DATA:
                problem(step.line, f"{where}: button data {data!r} is over {MAX_DATA} bytes; use shorter ids")
    for item in guide.items:
        if item not in owners:
            problem(guide.lines.get("items", 1), f"item {item!r} is never added by an answer")
    if not problems:
        problems += _walk(guide)
    return problems


def _walk(guide: Guide) -> list[Problem]:
    """Every screen reachable from the first, every screen leads to an end, and no loops."""
    problems = []
    reachable = guide.after(guide.start)
    for step in guide.steps.values():
        if step.id not in reachable:
            problems.append(Problem(guide.path, step.line, f"screen {step.id!r} cannot be reached from the first"))
            continue
        onward = guide.after(step.id)
        if not any(guide.steps[s].end for s in onward):
            problems.append(Problem(guide.path, step.line, f"screen {step.id!r} never reaches an end screen"))
        if any(step.id in guide.after(a.go) for a in step.answers):
            problems.append(Problem(guide.path, step.line, f"screen {step.id!r} is in a loop; guides go one way"))
    return problems


def check_folder(folder: Path, known_services: Collection[str] | None = None) -> tuple[Guides, list[Problem]]:
    """Read and check every guide in ``folder``; the guides that could be read, and every problem."""
    problems: list[Problem] = []
    by_id: dict[str, dict[str, Guide]] = {}
    if not folder.is_dir():
        return Guides(), problems
    for path in guide_files(folder):
        guide = read_guide(path, problems)
        if guide is None:
            continue
        problems += check_guide(guide, known_services)
        by_id.setdefault(guide.id, {})[guide.lang] = guide
    for guide_id, languages in by_id.items():
        present = [lang for lang in LANGUAGES if lang in languages]
        for lang in LANGUAGES:
            if lang not in languages:
                problems.append(
                    Problem(folder / f"{guide_id}.{lang}.yaml", 0, f"guide {guide_id!r} has no {lang} file")
                )
        for lang in present[1:]:
            if _structure(languages[lang]) != _structure(languages[present[0]]):
                problems.append(
                    Problem(
                        languages[lang].path,
                        1,
                        f"screens, answers, items or topics differ from {guide_id}.{present[0]}.yaml; "
                        "every language has the same screens in the same order",
                    )
                )
    return Guides({gid: dict(langs) for gid, langs in by_id.items()}), problems


def load_guides(folder: Path) -> Guides:
    """The guides the bot serves; :class:`GuideError` listing the problems if there are any."""
    guides, problems = check_folder(folder)
    if problems:
        shown = "\n".join(str(p) for p in problems[:10])
        raise GuideError(f"{len(problems)} problem(s) in the guides; run `resource-bot validate`:\n{shown}")
    return guides
