"""Directory digest, anonymous daily counts and listing reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Databases made by ``create_all`` before migrations existed may already have
some of these (the digest came early), so each step checks first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "digest" not in {c["name"] for c in inspector.get_columns("directory_version")}:
        # Existing rows get "": no digest known, so the bundled data is loaded again once.
        op.add_column("directory_version", sa.Column("digest", sa.String(64), nullable=False, server_default=""))
    if "daily_count" not in tables:
        op.create_table(
            "daily_count",
            sa.Column("day", sa.Date(), primary_key=True),
            sa.Column("kind", sa.String(16), primary_key=True),
            sa.Column("value", sa.String(64), primary_key=True),
            sa.Column("count", sa.Integer(), nullable=False),
        )
    if "feedback_report" not in tables:
        op.create_table(
            "feedback_report",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("service_id", sa.String(64), nullable=False),
            sa.Column("reason", sa.String(16), nullable=False),
            sa.Column("reported_on", sa.Date(), nullable=False),
            sa.Column("done_on", sa.Date()),
        )
        op.create_index("ix_feedback_report_service_id", "feedback_report", ["service_id"])
        op.create_index("ix_feedback_report_done_on", "feedback_report", ["done_on"])


def downgrade() -> None:
    op.drop_table("feedback_report")
    op.drop_table("daily_count")
    with op.batch_alter_table("directory_version") as batch:
        batch.drop_column("digest")
