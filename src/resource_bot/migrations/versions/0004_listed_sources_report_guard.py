"""Listed link sources (the only tags counted by name), the once-a-day guard on listing reports,
and chat rows' expiry times rounded up to the whole hour.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Source counts already kept under unlisted tags stay as they are; maintainers
can list the tags they made (``resource-bot sources add``) to keep counting them.
Chat rows written before this revision had expiry times to the microsecond, a
timeline of each person's activity; they are rounded up like new ones.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database that create_all made from newer models (see resource_bot.migrations) may have them.
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "listed_source" not in tables:
        op.create_table(
            "listed_source",
            sa.Column("tag", sa.String(20), primary_key=True),
            sa.Column("added_on", sa.Date(), nullable=False),
        )
    if "feedback_guard" not in tables:
        op.create_table(
            "feedback_guard",
            sa.Column("token", sa.String(64), primary_key=True),
            sa.Column("day", sa.Date(), nullable=False),
        )
        op.create_index("ix_feedback_guard_day", "feedback_guard", ["day"])
    for name in ("chat_state", "chat_message"):
        _round_expiries(name)


def _next_hour(value: dt.datetime) -> dt.datetime:
    hour = value.replace(minute=0, second=0, microsecond=0)
    return hour if hour == value else hour + dt.timedelta(hours=1)


def _round_expiries(name: str) -> None:
    """One UPDATE per distinct expiry time (rows written in the same update share one), by its index."""
    table = sa.table(name, sa.column("expires_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    for (value,) in bind.execute(sa.select(table.c.expires_at).distinct()).all():
        rounded = _next_hour(value)
        if rounded != value:
            bind.execute(sa.update(table).where(table.c.expires_at == value).values(expires_at=rounded))


def downgrade() -> None:
    op.drop_table("feedback_guard")
    op.drop_table("listed_source")
