"""API tokens with a name, a role and a scope, and the audit log.

The token an earlier start generated (its hash in `credentials` as `api_token`) becomes the admin
token `initial`, so it keeps working; a downgrade puts it back.

Revision ID: 0006
Revises: 0005
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CREDENTIALS = sa.table("credentials", sa.column("name"), sa.column("secret_hash"))
GENERATED_TOKEN = "api_token"
"""Its row in `credentials` before this revision."""


def upgrade() -> None:
    tokens = op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_api_tokens_token_hash", "api_tokens", ["token_hash"], unique=True)
    op.create_table(
        "audit_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("token_name", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("mac", sa.String(length=12), nullable=True),
        sa.Column("device_group", sa.String(length=128), nullable=True),
        sa.Column("api_token", sa.String(length=64), nullable=True),
        sa.Column("changed", sa.JSON(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_mac_id", "audit_log", ["mac", "id"])

    generated = CREDENTIALS.c.name == GENERATED_TOKEN
    stored = op.get_bind().execute(sa.select(CREDENTIALS.c.secret_hash).where(generated)).scalar()
    if stored is not None:
        op.bulk_insert(
            tokens,
            [
                {
                    "name": "initial",
                    "token_hash": stored,
                    "role": "admin",
                    "groups": None,
                    "created_at": datetime.now(UTC),
                }
            ],
        )
        op.execute(sa.delete(CREDENTIALS).where(generated))


def downgrade() -> None:
    # The single token of the revision before: `initial`, if it is still the unscoped admin token.
    tokens = sa.table("api_tokens", *(sa.column(name) for name in ("name", "token_hash", "role")))
    tokens.append_column(sa.column("groups", sa.JSON))
    initial = (
        op.get_bind()
        .execute(sa.select(tokens).where(tokens.c.name == "initial", tokens.c.role == "admin"))
        .first()
    )
    if initial is not None and initial.groups is None:
        op.execute(sa.insert(CREDENTIALS).values(name=GENERATED_TOKEN, secret_hash=initial.token_hash))
    op.drop_index("ix_audit_log_mac_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_api_tokens_token_hash", table_name="api_tokens")
    op.drop_table("api_tokens")
