"""Alembic environment: Sonata runs its migrations itself, on a connection it hands over."""

from alembic import context
from sqlmodel import SQLModel

from sonata.adapters.sql import tables  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
