"""Reports that a listing is wrong ("Report a problem with this listing").

A report keeps the listing id, the reason and the day, and nothing about the
person who sent it, so maintainers can fix the directory without knowing who
asked. One chat files at most one report per listing per day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Date, Engine, Integer, String, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from resource_bot.clock import utc_today
from resource_bot.db import Base
from resource_bot.dialog.buttons import REPORT_REASONS
from resource_bot.dialog.events import Feedback


class FeedbackReport(Base):
    __tablename__ = "feedback_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    reported_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)


@dataclass(frozen=True)
class Report:
    id: int
    service_id: str
    reason: str
    reported_on: dt.date
    done_on: dt.date | None


class ReportGuard(Base):
    """That one chat reported one listing today, as a keyed hash only (see :func:`record_feedback`)."""

    __tablename__ = "feedback_guard"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)


#: Makes the guard token for (listing id, day); the Telegram bot's is a keyed hash of the chat too.
ReportToken = Callable[[str, dt.date], str]


def session_report_token() -> ReportToken:
    """Guard tokens for a chat with no chat id (the terminal): keyed by a random key that lives
    only as long as this session, so the guard rows say nothing, even to whoever holds the database."""
    key = secrets.token_bytes(32)

    def token(service_id: str, day: dt.date) -> str:
        return hmac.new(key, f"report\x1f{service_id}\x1f{day.isoformat()}".encode(), hashlib.sha256).hexdigest()

    return token


def record_feedback(
    engine: Engine,
    reports: Iterable[Feedback],
    today: dt.date | None = None,
    *,
    token: ReportToken | None = None,
) -> int:
    """Keep the reports; with ``token``, at most one per listing per chat per day. Returns how many were kept.

    A report button's data can be forged and sent again and again; the guard row
    (a keyed hash of chat, listing and day, which says nothing without the bot's key)
    turns every repeat into a no-op. Guard rows of earlier days go with
    :func:`purge_report_guards`, which the bot runs with its other purges.
    """
    day = today or utc_today()
    wanted = [r for r in reports if r.reason in REPORT_REASONS]
    if not wanted:
        return 0
    insert_guard = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(ReportGuard)
    kept = []
    with engine.begin() as connection:
        for report in wanted:
            if token is not None:
                guard = insert_guard.values(token=token(report.service_id, day), day=day).on_conflict_do_nothing()
                if not connection.execute(guard).rowcount:
                    continue  # this chat already reported this listing today
            kept.append({"service_id": report.service_id, "reason": report.reason, "reported_on": day})
        if kept:
            connection.execute(insert(FeedbackReport), kept)
    return len(kept)


def purge_report_guards(engine: Engine, today: dt.date | None = None) -> int:
    """Drop guard rows of earlier days (they only matter on their own day); returns how many went."""
    day = today or utc_today()
    with engine.begin() as connection:
        return int(connection.execute(delete(ReportGuard).where(ReportGuard.day < day)).rowcount or 0)


def list_reports(engine: Engine, *, include_done: bool = False) -> list[Report]:
    query = select(FeedbackReport).order_by(FeedbackReport.service_id, FeedbackReport.id)
    if not include_done:
        query = query.where(FeedbackReport.done_on.is_(None))
    with engine.connect() as connection:
        return [Report(r.id, r.service_id, r.reason, r.reported_on, r.done_on) for r in connection.execute(query)]


def mark_done(engine: Engine, report_ids: Iterable[int], today: dt.date | None = None) -> int:
    ids = list(report_ids)
    if not ids:
        return 0
    day = today or utc_today()
    with engine.begin() as connection:
        result = connection.execute(
            update(FeedbackReport)
            .where(FeedbackReport.id.in_(ids), FeedbackReport.done_on.is_(None))
            .values(done_on=day)
        )
    return int(result.rowcount or 0)
