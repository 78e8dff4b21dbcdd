"""The change sequence: triggers record the key of every device inserted, updated or deleted.

An update that sets only `last_provisioning` (a phone's fetch being recorded) is no change.
A later migration that adds a column to `devices` must add it to the update triggers' list.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Every column of `devices` but last_provisioning.
CHANGING_COLUMNS = "key, mac, token, vendor, model, document, created_at, updated_at"

SQLITE_TRIGGERS = [
    """CREATE TRIGGER device_inserted AFTER INSERT ON devices BEGIN
        INSERT INTO device_changes (key) VALUES (NEW.key);
    END""",
    f"""CREATE TRIGGER device_updated AFTER UPDATE OF {CHANGING_COLUMNS} ON devices BEGIN
        INSERT INTO device_changes (key) VALUES (OLD.key);
        INSERT INTO device_changes (key) SELECT NEW.key WHERE NEW.key <> OLD.key;
    END""",
    """CREATE TRIGGER device_deleted AFTER DELETE ON devices BEGIN
        INSERT INTO device_changes (key) VALUES (OLD.key);
    END""",
]

POSTGRESQL_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION device_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO device_changes (key) VALUES (NEW.key);
        ELSE
            INSERT INTO device_changes (key) VALUES (OLD.key);
            IF TG_OP = 'UPDATE' THEN
                IF NEW.key <> OLD.key THEN
                    INSERT INTO device_changes (key) VALUES (NEW.key);
                END IF;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$""",
    "CREATE TRIGGER device_inserted AFTER INSERT ON devices FOR EACH ROW EXECUTE FUNCTION device_changed()",
    f"CREATE TRIGGER device_updated AFTER UPDATE OF {CHANGING_COLUMNS} ON devices"
    " FOR EACH ROW EXECUTE FUNCTION device_changed()",
    "CREATE TRIGGER device_deleted AFTER DELETE ON devices FOR EACH ROW EXECUTE FUNCTION device_changed()",
]


def upgrade() -> None:
    op.create_table(
        "device_changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        sqlite_autoincrement=True,
    )
    triggers = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    for trigger in ("device_inserted", "device_updated", "device_deleted"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {trigger}"
            if op.get_bind().dialect.name == "sqlite"
            else f"DROP TRIGGER IF EXISTS {trigger} ON devices"
        )
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS device_changed()")
    op.drop_table("device_changes")
