"""Opening the database: a SQLAlchemy engine for a URL (SQLite in WAL mode with real transactions, or
PostgreSQL through psycopg 3) and its schema brought to the newest Alembic revision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from retrieval.errors import OcaError

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD_REVISION = "0001"  # the newest file in migrations/versions (a test checks that they agree)
_MIGRATION_LOCK = 7_310_221  # any fixed number: PostgreSQL advisory lock held while migrating


class StoreError(OcaError):
    """The database cannot be opened or refused a change."""


def build_db_engine(url: str) -> Engine:
    """A SQLAlchemy engine for `url`: SQLite in WAL mode with real transactions, PostgreSQL through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver the project ships
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 15})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, says when a transaction begins
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("oca_write") else "BEGIN")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision; several processes may do this at once."""
    if schema_revision(engine) == HEAD_REVISION:
        return  # the usual case: no need to load Alembic
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        conn = conn.execution_options(oca_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, None for a database that was never migrated."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]
