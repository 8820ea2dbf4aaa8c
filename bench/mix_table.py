"""The Markdown table of ``bench_mix.py``'s figures: per mix, each bot's updates/s, CPU and calls per update."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

MIXES = ("text", "taps", "mixed")


# -- the table -----------------------------------------------------------------------------------------
def _calls(calls: dict[str, float]) -> str:
    short = {"sendMessage": "send", "editMessageText": "edit", "answerCallbackQuery": "answer"}
    total = sum(calls.values())
    parts = ", ".join(f"{short.get(m, m)} {n:.2f}" for m, n in sorted(calls.items(), key=lambda kv: -kv[1]))
    return f"{total:.2f} ({parts})" if parts else "0"


def _bot(run: dict[str, Any]) -> str:
    return str(run["bot"]) if run["database"] == "—" else f"{run['bot']}, {run['database']}"


def _spread(values: Sequence[float], fmt: str, suffix: str = "") -> str:
    """The median, and the range in brackets when there is more than one run."""
    if not values:
        return "—"
    mid = format(statistics.median(values), fmt) + suffix
    low, high = min(values), max(values)
    return mid if len(values) < 2 else f"{mid} ({format(low, fmt)}–{format(high, fmt)})"


def _groups(runs: list[dict[str, Any]], load: str) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    found: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in runs:
        if r["load"] == load:
            found.setdefault((r["mix"], r["bot"], r["database"]), []).append(r)
    return found


def _merged_calls(runs: list[dict[str, Any]]) -> dict[str, float]:
    merged: Counter[str] = Counter()
    for r in runs:
        merged.update(r["calls_per_update"])
    return {m: n / len(runs) for m, n in merged.items()}


def table(figures: dict[str, Any]) -> str:
    runs = figures["runs"]
    echo = {(r["mix"], r["repeat"]): r for r in runs if r["bot"].startswith("echo") and r["load"] == "saturated"}
    repeats = len({r["repeat"] for r in runs})
    lines = [
        f"Machine: {figures['machine']}. Run {figures['date']}.",
        "",
        f"Directory: {figures.get('directory_services', 0):,} services ({figures['services']:,} synthetic local). "
        f"Polling; {figures['inflight']} updates in flight over {figures['chats']:,} chats (saturated); "
        f"{repeats} run(s) of each bot, taken in turn: median (min–max). "
        "*Ratio*: updates/s against the echo bot's in the same round on the same mix; *per CPU*: the echo bot's "
        "CPU per update over this bot's. Calls: Bot API requests per update (send = sendMessage, "
        "edit = editMessageText, answer = answerCallbackQuery). Connections: new TCP connections the stand-in "
        "accepted during a run; it keeps every connection alive, but python-telegram-bot's pool (httpx) closes "
        "one idle for 5 s and always takes the first free one, so the spares a burst opened expire and the "
        "next burst opens them anew.",
        "",
        "| mix | bot | database | updates | updates/s | ratio to echo | bot CPU ms/update | ratio per CPU "
        "| Bot API calls/update | connections | lost |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for (mix, bot, database), group in sorted(_groups(runs, "saturated").items(), key=lambda kv: MIXES.index(kv[0][0])):
        pairs = [(r, echo.get((mix, r["repeat"]))) for r in group if not bot.startswith("echo")]
        ratio = [r["per_second"] / e["per_second"] for r, e in pairs if e and e["per_second"]]
        per_cpu = [e["cpu_ms_per_update"] / r["cpu_ms_per_update"] for r, e in pairs if e and r["cpu_ms_per_update"]]
        lines.append(
            f"| {mix} | {bot} | {database} | {sum(r['updates'] for r in group):,} | "
            f"{_spread([r['per_second'] for r in group], '.0f')} | {_spread(ratio, '.2f', '×') if pairs else '1'} | "
            f"{_spread([r['cpu_ms_per_update'] for r in group], '.1f')} | "
            f"{_spread(per_cpu, '.2f', '×') if pairs else '1'} | "
            f"{_calls(_merged_calls(group))} | {sum(r['new_connections'] for r in group)} | "
            f"{sum(r['lost'] for r in group)} |"
        )
    lines += [
        "",
        "| text at 30 updates/s | database | updates | median ms | p99 ms | bot CPU ms/update |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (_, bot, database), group in _groups(runs, "30/s").items():
        lines.append(
            f"| {bot} | {database} | {sum(r['updates'] for r in group):,} | "
            f"{_spread([r['median_ms'] for r in group], '.1f')} | {_spread([r['p99_ms'] for r in group], '.1f')} | "
            f"{_spread([r['cpu_ms_per_update'] for r in group], '.1f')} |"
        )
    lines.append("")
    startup = ", ".join(f"{name} {'/'.join(map(str, s))} s" for name, s in figures["startup_s"].items())
    lines.append(f"- Startup: {startup}.")
    for mix in MIXES:
        kinds: dict[str, Counter[str]] = {}
        for r in runs:
            if r["mix"] == mix and r["load"] == "saturated":
                kinds.setdefault(_bot(r), Counter()).update(r["kinds"])
        mixes = [f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())) for name, c in kinds.items()]
        lines.append(f"- Updates in the {mix} runs: " + "; ".join(mixes) + ".")
    if "postgres_skipped" in figures:
        lines.append(f"- PostgreSQL skipped: {figures['postgres_skipped']}.")
    return "\n".join(lines)
