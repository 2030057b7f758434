"""`thecal db …`: create or upgrade the database, and the CLI's session plumbing.

The database comes from ``THECAL_DATABASE_URL`` (default ``sqlite:///var/thecal.db``). Migrations
ship inside the package, so ``thecal db upgrade`` works from any directory and from an installed
wheel.

Commands that touch records act as a named user (``--as USERNAME`` or ``THECAL_USER``); the
account must exist and be active. Local shell access is trusted to name the user: the CLI is an
operator tool on the server, not a way in for remote users.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from thecal.adapters.sql.database import current_revision
from thecal.bootstrap import Thecal, bootstrap
from thecal.domain.users import Actor, UnknownUser
from thecal.entrypoints.cli import db_backup
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.identity import reach_of

__all__ = ["AsUser", "Json", "app", "open_app", "resolve_actor"]

app = typer.Typer(
    no_args_is_help=True, help="Create, upgrade, back up and restore the thecal database."
)

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
AsUser = Annotated[
    str,
    typer.Option("--as", envvar="THECAL_USER", help="Act as this user (or set THECAL_USER)."),
]


@contextmanager
def open_app() -> Iterator[Thecal]:
    """The wired application for one command; the engine is disposed afterwards."""
    thecal = bootstrap()
    try:
        yield thecal
    finally:
        thecal.close()


def resolve_actor(thecal: Thecal, username: str) -> Actor:
    """The active user named ``username`` as an actor.

    Raises:
        UnknownUser: no such user, or the account is disabled.
    """
    with thecal.uow() as uow:
        user = uow.users.get_by_username(username)
        reach = reach_of(uow, user, thecal.clock.now())
    if user is None or not user.active:
        raise UnknownUser(username=username)
    return dataclasses.replace(user.as_actor(), reach=reach)  # care teams' patients, refills


@app.command()
def upgrade(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
    as_json: Json = False,
) -> None:
    """Apply the database migrations up to REVISION (default: the newest)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        thecal.upgrade_database(revision)
        now = current_revision(thecal.engine)
        emit({"revision": now}, f"database at revision {now}", as_json=as_json)


@app.command()
def current(as_json: Json = False) -> None:
    """Show the revision the database is at."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        now = current_revision(thecal.engine)
        emit({"revision": now}, f"database at revision {now or '(none)'}", as_json=as_json)


app.command(name="backup")(db_backup.backup)
app.command(name="restore")(db_backup.restore)
