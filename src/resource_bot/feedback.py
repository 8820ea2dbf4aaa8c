"""Reports that a listing is wrong ("Report a problem with this listing").

A report keeps the listing id, the reason and the day, and nothing about the
person who sent it, so maintainers can fix the directory without knowing who
asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Date, Engine, Integer, String, insert, select, update
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


def record_feedback(engine: Engine, reports: Iterable[Feedback], today: dt.date | None = None) -> int:
    day = today or utc_today()
    rows = [
        {"service_id": r.service_id, "reason": r.reason, "reported_on": day}
        for r in reports
        if r.reason in REPORT_REASONS
    ]
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(FeedbackReport), rows)
    return len(rows)


def list_reports(engine: Engine, *, include_done: bool = False) -> list[Report]:
    query = select(FeedbackReport).order_by(FeedbackReport.service_id, FeedbackReport.id)
    if not include_done:
        query = query.where(FeedbackReport.done_on.is_(None))
    with engine.connect() as connection:
        return [
            Report(r.id, r.service_id, r.reason, r.reported_on, r.done_on) for r in connection.execute(query)
        ]


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
