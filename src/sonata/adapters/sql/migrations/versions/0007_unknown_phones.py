"""Phones that asked on a group's common link for a MAC no device has (unknownPhones).

One row per group token and MAC, written in batches by every serving process; the oldest go past
a bound in number and age.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unknown_phones",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("token", sa.String(length=128), nullable=False),
        sa.Column("mac", sa.String(length=12), nullable=False),
        sa.Column("vendor", sa.String(length=64), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("firmware", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("token", "mac", name="uq_unknown_phones_token_mac"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_unknown_phones_last_seen", "unknown_phones", ["last_seen"])


def downgrade() -> None:
    op.drop_index("ix_unknown_phones_last_seen", table_name="unknown_phones")
    op.drop_table("unknown_phones")
