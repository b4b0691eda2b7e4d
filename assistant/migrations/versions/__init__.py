"""Migration scripts (revision files); Alembic skips this __init__."""
