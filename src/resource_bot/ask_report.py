"""The need matcher as a maintainer sees it: ``resource-bot ask``.

Kept apart from the CLI so that its output format (a public interface:
``{"text", "crisis", "danger", "topics", "services"}``) is tested on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from resource_bot.dialog.engine import Engine
from resource_bot.directory.catalog import pick
from resource_bot.directory.zip_index import Place

#: How many candidates to draw before the area filter keeps the best five.
_DRAW = 50


@dataclass(frozen=True)
class Answer:
    text: str
    crisis: bool
    danger: dict[str, str | None]  # {"level": now|maybe|none, "kind": self_harm|violence|...|None}
    topics: list[dict[str, object]]
    services: list[dict[str, object]]


def answer(engine: Engine, text: str, lang: str, place: Place | None = None, *, limit: int = 5) -> Answer:
    """Topics best first, and services (covering ``place`` when given) best first."""
    verdict = engine.danger.check(text)
    result = engine.matcher.match(
        text, lang, max_topics=limit, max_services=_DRAW if place else limit, crisis=verdict.now
    )
    services: list[dict[str, object]] = []
    for scored in result.services:
        listing = engine.catalog.get(scored.id)
        if listing is None or (place is not None and not listing.area.covers(place)):
            continue
        services.append({"id": scored.id, "name": pick(listing.name, lang), "score": round(scored.score, 1)})
        if len(services) == limit:
            break
    topics = [{"id": t.id, "score": round(t.score, 1)} for t in result.topics]
    return Answer(text, verdict.now, {"level": verdict.level, "kind": verdict.kind}, topics, services)


def format_answer(answer: Answer, *, as_json: bool) -> str:
    if as_json:
        return json.dumps(
            {
                "text": answer.text,
                "crisis": answer.crisis,
                "danger": answer.danger,
                "topics": answer.topics,
                "services": answer.services,
            },
            ensure_ascii=False,
        )
    level, kind = answer.danger["level"], answer.danger["kind"]
    danger = f"{level.upper() if level else 'none'} ({kind})" if kind else (level or "none")
    lines = [f"{answer.text}", f"  crisis: {'YES' if answer.crisis else 'no'}", f"  danger: {danger}"]
    lines += [f"  topic   {t['score']:>5}  {t['id']}" for t in answer.topics] or ["  topic   (none)"]
    lines += [f"  service {s['score']:>5}  {s['id']}  {s['name']}" for s in answer.services]
    return "\n".join(lines)
