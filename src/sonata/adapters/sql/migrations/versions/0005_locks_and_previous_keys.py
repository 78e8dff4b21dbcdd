"""The address a device is locked to (lock_to_first_address), and the keys rotateDeviceKey replaced.

`devices.locked_address` is set by the first fetch after a save and cleared by the next save; like
every update of `devices`, setting it is a change, so every process re-reads the device.
`device_previous_keys` finds a device by a key it had, for the phone route during the grace.

Revision ID: 0005
Revises: 0004
"""

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("locked_address", sa.String(length=64), nullable=True))
    op.create_table(
        "device_previous_keys",
        sa.Column("key", sa.String(length=128), primary_key=True),
        sa.Column("device_key", sa.String(length=128), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_device_previous_keys_device_key", "device_previous_keys", ["device_key"])


def downgrade() -> None:
    op.drop_index("ix_device_previous_keys_device_key", table_name="device_previous_keys")
    op.drop_table("device_previous_keys")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite or sqlite3.sqlite_version_info >= (3, 35):
        op.drop_column("devices", "locked_address")
        return
    # Older SQLite has no DROP COLUMN: the table is copied without it, which loses its triggers.
    triggers = (
        op.get_bind()
        .execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'devices'"))
        .scalars()
        .all()
    )
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("locked_address")
    for statement in triggers:
        op.execute(statement)
