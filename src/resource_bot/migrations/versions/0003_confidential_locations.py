"""Locations can be confidential: a shelter's street is never kept, only its city and ZIP.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("location")}
    if "confidential" not in columns:
        # Every location kept so far showed its address, so none of them is confidential.
        op.add_column("location", sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("location") as batch:
        batch.drop_column("confidential")
