"""lastProvisioning in a narrow table of its own: recording a fetch no longer rewrites the device row.

Every update of `devices` is now a change: the update trigger loses its column list.

Revision ID: 0003
Revises: 0002
"""

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TRIGGERS = ("device_inserted", "device_updated", "device_deleted")

_SQLITE_TRIGGERS = {
    "device_inserted": """CREATE TRIGGER device_inserted AFTER INSERT ON devices BEGIN
        INSERT INTO device_changes (key) VALUES (NEW.key);
    END""",
    "device_updated": """CREATE TRIGGER device_updated AFTER UPDATE ON devices BEGIN
        INSERT INTO device_changes (key) VALUES (OLD.key);
        INSERT INTO device_changes (key) SELECT NEW.key WHERE NEW.key <> OLD.key;
    END""",
    "device_deleted": """CREATE TRIGGER device_deleted AFTER DELETE ON devices BEGIN
        INSERT INTO device_changes (key) VALUES (OLD.key);
    END""",
}
# The 0002 update trigger, put back by a downgrade.
_SQLITE_0002_UPDATED = """CREATE TRIGGER device_updated
    AFTER UPDATE OF key, mac, token, vendor, model, document, created_at, updated_at ON devices BEGIN
        INSERT INTO device_changes (key) VALUES (OLD.key);
        INSERT INTO device_changes (key) SELECT NEW.key WHERE NEW.key <> OLD.key;
    END"""

_POSTGRESQL_UPDATED = (
    "CREATE TRIGGER device_updated AFTER UPDATE ON devices FOR EACH ROW EXECUTE FUNCTION device_changed()"
)
_POSTGRESQL_0002_UPDATED = (
    "CREATE TRIGGER device_updated"
    " AFTER UPDATE OF key, mac, token, vendor, model, document, created_at, updated_at ON devices"
    " FOR EACH ROW EXECUTE FUNCTION device_changed()"
)

# A JSON null stored by an older Sonata is no record either.
_RECORDED = {
    "sqlite": "last_provisioning IS NOT NULL AND last_provisioning <> 'null'",
    "postgresql": "json_typeof(last_provisioning) <> 'null'",
}


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def _drop_triggers(names: tuple[str, ...]) -> None:
    for name in names:
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}" if _sqlite() else f"DROP TRIGGER IF EXISTS {name} ON devices"
        )


def _drop_last_provisioning() -> None:
    if sqlite3.sqlite_version_info >= (3, 35) or not _sqlite():
        op.drop_column("devices", "last_provisioning")
    else:  # older SQLite has no DROP COLUMN: the table is copied without it
        with op.batch_alter_table("devices") as batch:
            batch.drop_column("last_provisioning")


def upgrade() -> None:
    op.create_table(
        "device_provisioning",
        sa.Column("key", sa.String(length=128), primary_key=True),
        sa.Column("record", sa.JSON(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    op.execute(
        "INSERT INTO device_provisioning (key, record)"
        f" SELECT key, last_provisioning FROM devices WHERE {_RECORDED[dialect]}"
    )
    if _sqlite():
        # A copied table (batch mode) loses its triggers: all three are made anew.
        _drop_triggers(_TRIGGERS)
        _drop_last_provisioning()
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        _drop_triggers(("device_updated",))
        _drop_last_provisioning()
        op.execute(_POSTGRESQL_UPDATED)


def downgrade() -> None:
    _drop_triggers(_TRIGGERS if _sqlite() else ("device_updated",))
    op.add_column("devices", sa.Column("last_provisioning", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE devices SET last_provisioning ="
        " (SELECT record FROM device_provisioning WHERE device_provisioning.key = devices.key)"
    )
    op.drop_table("device_provisioning")
    if _sqlite():
        op.execute(_SQLITE_TRIGGERS["device_inserted"])
        op.execute(_SQLITE_0002_UPDATED)
        op.execute(_SQLITE_TRIGGERS["device_deleted"])
    else:
        op.execute(_POSTGRESQL_0002_UPDATED)
