"""Alembic migrations of the product's database, run by `assistant.store.Store.open`."""
