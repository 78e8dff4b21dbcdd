"""Devices (looked-up columns plus the JSON document) and generated credentials.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("key", sa.String(length=128), primary_key=True),
        sa.Column("mac", sa.String(length=12), nullable=False),
        sa.Column("token", sa.String(length=128), nullable=True),
        sa.Column("vendor", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_provisioning", sa.JSON(), nullable=True),
    )
    op.create_index("ix_devices_mac", "devices", ["mac"], unique=True)
    op.create_index("ix_devices_token", "devices", ["token"])
    op.create_index("ix_devices_vendor", "devices", ["vendor"])
    op.create_table(
        "credentials",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("credentials")
    op.drop_index("ix_devices_vendor", "devices")
    op.drop_index("ix_devices_token", "devices")
    op.drop_index("ix_devices_mac", "devices")
    op.drop_table("devices")
