"""The first schema: the directory tables and the chat state store.

Revision ID: 0001
Revises:
Create Date: 2026-11-20

directory_version has no ``digest`` yet; 0002 adds it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("website", sa.String(500)),
    )
    op.create_table(
        "service",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("organization_id", sa.String(64), sa.ForeignKey("organization.id")),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("cost", sa.JSON(), nullable=False),
        sa.Column("application_process", sa.JSON(), nullable=False),
        sa.Column("website", sa.String(500)),
        sa.Column("email", sa.String(254)),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("hours", sa.JSON()),
        sa.Column("source_url", sa.String(500), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=False),
        sa.Column("source_file", sa.String(300), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_service_organization_id", "service", ["organization_id"])
    op.create_table(
        "service_topic",
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("topic_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_service_topic_topic_id", "service_topic", ["topic_id"])
    op.create_table(
        "phone",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("keyword", sa.String(40)),
        sa.Column("always_open", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("note", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_phone_service_id", "phone", ["service_id"])
    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("street", sa.String(300)),
        sa.Column("city", sa.String(120)),
        sa.Column("state", sa.String(2)),
        sa.Column("zip", sa.String(10)),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_location_service_id", "location", ["service_id"])
    op.create_table(
        "directory_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("loaded_at", _TZ, nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
    )
    op.create_table(
        "chat_state",
        sa.Column("chat_key", sa.String(64), primary_key=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
    )
    op.create_index("ix_chat_state_expires_at", "chat_state", ["expires_at"])
    op.create_table(
        "chat_message",
        sa.Column("chat_key", sa.String(64), primary_key=True),
        sa.Column("message_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("expires_at", _TZ, nullable=False),
    )
    op.create_index("ix_chat_message_expires_at", "chat_message", ["expires_at"])
    op.create_table(
        "bot_secret",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "bot_secret",
        "chat_message",
        "chat_state",
        "directory_version",
        "location",
        "phone",
        "service_topic",
        "service",
        "organization",
    ):
        op.drop_table(table)
