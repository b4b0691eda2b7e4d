"""Alembic environment: the store hands over an open connection (`config.attributes["connection"]`)."""

from __future__ import annotations

from alembic import context

from assistant.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through assistant.store.Store.open, which supplies the connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
