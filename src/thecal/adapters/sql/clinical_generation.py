"""The clinical generation: a database counter that changes whenever clinical data does.

Every transaction of the unit of work that wrote a clinical table bumps
``clinical_generation.value`` in the same transaction (:func:`bump_if_clinical`, called by
``SqlAlchemyUnitOfWork`` just before it commits), and so does a change of the clinic clock's offset
(``adapters/sql/clinic_clock.py``). Because the counter lives in the database, a write from another
process (the CLI, a second worker) changes it too. Caches of clinical read models key on it
(``adapters/read_models/worklist.py``): a reader reads the counter first, in its own read
transaction, so what it then reads is at least as new as the generation it files it under.

Which tables were written is noted from the statements themselves (a ``do_orm_execute`` listener
on every :class:`~sqlalchemy.orm.Session`): any ``INSERT``/``UPDATE``/``DELETE`` on a table that is
not listed in :data:`NOT_CLINICAL` bumps the counter. Deny by default: a new table invalidates
until someone lists it. The audit trail, log-in sessions, failures, API tokens and user accounts
are not clinical data, so a transaction that only audits a read (or notes session activity) leaves
the counter, and the caches, alone.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from thecal.adapters.sql.database import read_row
from thecal.adapters.sql.tables.clinical_generation import clinical_generation

__all__ = ["NOT_CLINICAL", "READ_GENERATION", "bump", "bump_if_clinical", "read_generation"]

#: Tables whose writes do not change clinical data.
NOT_CLINICAL = frozenset(
    {
        "audit_entries",
        "audit_chain_head",
        "auth_sessions",
        "login_failures",
        "api_tokens",
        "users",
        "clinical_generation",
    }
)
_WRITTEN = "thecal_written_tables"

READ_GENERATION = select(clinical_generation.c.value).where(clinical_generation.c.id == 1)
_READ_GENERATION_SQL = "SELECT value FROM clinical_generation WHERE id = 1"  # static text
_BUMP = (
    update(clinical_generation)
    .where(clinical_generation.c.id == 1)
    .values(value=clinical_generation.c.value + 1)
)


@event.listens_for(Session, "do_orm_execute")
def _note_written_table(state: ORMExecuteState) -> None:
    statement = state.statement
    if statement.is_dml:
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None) or "?"  # an unknown target counts as clinical
        state.session.info.setdefault(_WRITTEN, set()).add(name)


def bump(connection: Connection) -> None:
    """Bump the generation in the connection's transaction."""
    connection.execute(_BUMP)


def read_generation(engine: Engine) -> int | None:
    """The current generation, read on its own (None: the table or its row is missing)."""
    row = read_row(engine, _READ_GENERATION_SQL)
    return int(row[0]) if row is not None else None


def bump_if_clinical(session: Session) -> bool:
    """Bump the generation in this session's transaction if it wrote a clinical table."""
    written: set[str] = session.info.get(_WRITTEN, set())
    if not written - NOT_CLINICAL:
        return False
    session.execute(_BUMP)
    return True
