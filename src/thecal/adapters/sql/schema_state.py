"""Is the database's schema the one this code needs? (``thecal serve`` and ``/readyz``).

The code's revision is the head of the packaged Alembic scripts; the database's is in its
``alembic_version`` table. ``thecal serve`` refuses to start unless they are equal, naming what to
do: a database *behind* the code (or never migrated) needs ``thecal db upgrade``; a database at a
revision the scripts do not know was migrated by a newer thecal, and this older code must not
write to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from thecal.adapters.sql.database import alembic_config, current_revision

__all__ = ["SchemaState", "SchemaVerdict", "code_revision", "schema_state"]


class SchemaVerdict(StrEnum):
    CURRENT = "current"
    EMPTY = "empty"  # never migrated
    BEHIND = "behind"  # an older revision this code knows: run `thecal db upgrade`
    UNKNOWN = "unknown"  # a revision this code does not know: a newer thecal migrated it


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaState:
    database: str | None
    code: str
    verdict: SchemaVerdict

    @property
    def current(self) -> bool:
        return self.verdict is SchemaVerdict.CURRENT

    def explain(self) -> str:
        """One sentence for an operator: where the database is and what to run."""
        match self.verdict:
            case SchemaVerdict.CURRENT:
                return f"database schema at revision {self.code} (current)"
            case SchemaVerdict.EMPTY:
                return (
                    f"the database has no thecal schema yet (this code needs revision "
                    f"{self.code}): run `thecal db upgrade`"
                )
            case SchemaVerdict.BEHIND:
                return (
                    f"the database is at revision {self.database}, behind this code's "
                    f"{self.code}: back it up (`thecal db backup`), then run `thecal db upgrade`"
                )
            case SchemaVerdict.UNKNOWN:
                return (
                    f"the database is at revision {self.database}, which this thecal does not "
                    f"know (it needs {self.code}): it was migrated by a newer thecal; run that "
                    f"version, or restore a backup taken before the upgrade"
                )


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def code_revision() -> str:
    """The newest revision of the packaged migrations (one head: the chain is linear)."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        msg = "no Alembic revisions are packaged"
        raise RuntimeError(msg)
    return head


def schema_state(engine: Engine) -> SchemaState:
    """Where ``engine``'s database is, against this code."""
    code = code_revision()
    database = current_revision(engine)
    if database is None:
        verdict = SchemaVerdict.EMPTY
    elif database == code:
        verdict = SchemaVerdict.CURRENT
    elif database in {script.revision for script in _scripts().walk_revisions()}:
        verdict = SchemaVerdict.BEHIND
    else:
        verdict = SchemaVerdict.UNKNOWN
    return SchemaState(database=database, code=code, verdict=verdict)
