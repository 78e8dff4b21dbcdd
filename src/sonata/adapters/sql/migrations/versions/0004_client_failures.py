"""The failure budget shared by every serving process: counted refusals per client address and slot,
and the addresses blocked.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_failures",
        sa.Column("address", sa.String(length=64), primary_key=True),
        sa.Column("slot", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("failures", sa.Integer(), nullable=False),
    )
    op.create_index("ix_client_failures_slot", "client_failures", ["slot"])
    op.create_table(
        "client_blocks",
        sa.Column("address", sa.String(length=64), primary_key=True),
        sa.Column("blocked_at", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("client_blocks")
    op.drop_index("ix_client_failures_slot", table_name="client_failures")
    op.drop_table("client_failures")
