"""The SMS door: the last numbered choices of each text conversation, and the numbers that sent STOP.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Both keyed by the keyed hash of the phone number, never the number
(see resource_bot/channels/sms/tables.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database that create_all made from newer models (see resource_bot.migrations) may have them.
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "sms_menu" not in tables:
        op.create_table(
            "sms_menu",
            sa.Column("chat_key", sa.String(64), primary_key=True),
            sa.Column("choices", sa.JSON(), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_sms_menu_expires_at", "sms_menu", ["expires_at"])
    if "sms_opt_out" not in tables:
        op.create_table("sms_opt_out", sa.Column("chat_key", sa.String(64), primary_key=True))


def downgrade() -> None:
    op.drop_table("sms_opt_out")
    op.drop_table("sms_menu")
