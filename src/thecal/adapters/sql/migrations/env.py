"""Alembic environment: thecal's metadata, batch mode for SQLite, the URL from settings.

Programmatic runs (``thecal db upgrade``, tests) pass an open connection in
``config.attributes["connection"]``; the plain ``alembic`` command falls back to
``THECAL_DATABASE_URL`` through :class:`thecal.config.Settings` (never a URL in alembic.ini).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from thecal.adapters.sql.database import make_engine
from thecal.adapters.sql.tables.metadata import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    configured = context.config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    from thecal.config import Settings  # noqa: PLC0415 - only for the plain `alembic` command

    return Settings().database_url


def run_migrations() -> None:
    if context.is_offline_mode():
        context.configure(url=_url(), target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as opened:
            _run(opened)
    finally:
        engine.dispose()


run_migrations()
