"""Listed link sources (the only tags counted by name) and the once-a-day guard on listing reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Source counts already kept under unlisted tags stay as they are; maintainers
can list the tags they made (``resource-bot sources add``) to keep counting them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
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


def downgrade() -> None:
    op.drop_table("feedback_guard")
    op.drop_table("listed_source")
