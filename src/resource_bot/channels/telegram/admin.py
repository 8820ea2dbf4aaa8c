"""Admin commands, for the chat ids in ADMIN_CHAT_IDS only.

/stats, /feedback and /reload answer an admin; for anyone else they do not
exist: the update goes on to the engine and gets what any unknown command
gets, and they are not in the command list Telegram shows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import Update

from resource_bot.channels.telegram.adapter import command_of
from resource_bot.clock import utc_today
from resource_bot.directory.catalog import pick
from resource_bot.directory.entries import count_problems
from resource_bot.directory.load import load_paths
from resource_bot.feedback import list_reports
from resource_bot.runtime import Runtime
from resource_bot.stats import FEWER, MIN_SHOWN, read_counts, shown

if TYPE_CHECKING:
    from resource_bot.channels.telegram.handler import TelegramBot

#: Telegram's message limit, less a margin.
MAX_TEXT = 4000


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


class Admin:
    def __init__(self, runtime: Runtime, today: Callable[[], dt.date] = utc_today) -> None:
        self.runtime = runtime
        self.today = today
        self._commands: dict[str, Callable[[], str]] = {
            "stats": self.stats,
            "feedback": self.feedback,
            "reload": self.reload,
        }

    def command_for(self, update: Update) -> Callable[[], str] | None:
        chat, message = update.effective_chat, update.message
        if chat is None or message is None or chat.id not in self.runtime.settings.admin_chat_ids:
            return None
        command = command_of(message)
        return self._commands.get(command[0]) if command else None

    async def handles(self, bot: TelegramBot, update: Update) -> bool:
        """Answer an admin command; False (and nothing sent) for everything and everyone else."""
        command = self.command_for(update)
        if command is None:
            return False
        assert update.effective_chat is not None
        text = await asyncio.to_thread(command)
        await bot.send(update.effective_chat.id, _clip(text))
        return True

    def stats(self) -> str:
        today = self.today()
        rows = read_counts(self.runtime.db, today - dt.timedelta(days=6))
        week: Counter[tuple[str, str]] = Counter()
        day: Counter[tuple[str, str]] = Counter()
        for row in rows:
            week[(row.kind, row.value)] += row.count
            if row.day == today:
                day[(row.kind, row.value)] += row.count
        if not week:
            return "No use counted in the last 7 days."
        lines = [
            f"Counts for {today.isoformat()} (today) and the last 7 days:",
            "kind value: today / 7 days",
            f"(a count under {MIN_SHOWN} shows as {FEWER!r}: it could point to one person)",
        ]
        for kind, value in sorted(week):
            lines.append(f"{kind} {value}: {shown(day[(kind, value)])} / {shown(week[(kind, value)])}")
        return "\n".join(lines)

    def feedback(self) -> str:
        reports = list_reports(self.runtime.db)
        if not reports:
            return "No open listing reports."
        lines = [f"{len(reports)} open listing report(s):"]
        for report in reports:
            listing = self.runtime.catalog.get(report.service_id)
            label = f" ({pick(listing.name, 'en')})" if listing is not None else ""
            day = report.reported_on.isoformat()
            lines.append(f"#{report.id} {day} {report.service_id}{label}: {report.reason}")
        return "\n".join(lines)

    def reload(self) -> str:
        settings = self.runtime.settings
        result = load_paths(self.runtime.db, [settings.data_dir])
        if not result.ok:
            problems = "\n".join(str(problem) for problem in result.problems)
            count = count_problems(result.problems)
            return f"Not reloaded: {count} problem(s); the directory was not changed.\n{problems}"
        self.runtime.refresh_if_changed(force=True)
        return f"Reloaded: {result.services} services from {len(result.files)} file(s)."
