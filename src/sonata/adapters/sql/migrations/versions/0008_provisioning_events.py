"""The provisioning events: each fetch of a known device, served or refused (provisioningEvents).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provisioning_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mac", sa.String(length=12), nullable=False),
        sa.Column("device_group", sa.String(length=128), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("filename", sa.String(length=64), nullable=True),
        sa.Column("refusal", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_provisioning_events_at", "provisioning_events", ["at"])
    op.create_index("ix_provisioning_events_mac_id", "provisioning_events", ["mac", "id"])


def downgrade() -> None:
    op.drop_index("ix_provisioning_events_mac_id", table_name="provisioning_events")
    op.drop_index("ix_provisioning_events_at", table_name="provisioning_events")
    op.drop_table("provisioning_events")
