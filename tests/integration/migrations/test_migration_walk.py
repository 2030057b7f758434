"""The whole Alembic chain walked with data, on SQLite and PostgreSQL (issue 16 §3).

From an empty database: upgrade one revision at a time, filling every table the revision created
or changed (``walk_data.py``: generic rows from the reflected columns, overrides where a CHECK
needs them) and extending the audit chain; every earlier row must survive each step. At the
head the chain verifies and the schema is the code's. Then downgrade one revision at a time to
the base — every row of every table that still exists survives each step — and up again to the
head, filled again. A revision another helper adds is walked the same way without a line here;
a revision that changes no table needs a populate function in ``walk_data.POPULATE``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    Table,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy import table as table_named
from walk_data import AT, AUDIT_KEY, OVERRIDES, POPULATE, ROWS_PER_STEP, SKIPPED, every_step

from thecal.adapters.sql.database import (
    alembic_config,
    downgrade_database,
    make_engine,
    upgrade_database,
)
from thecal.adapters.sql.schema_state import schema_state
from thecal.config import Settings
from thecal.domain.audit import ChainHead, verify_chain
from thecal.entrypoints.cli.demo import run_seed

pytestmark = pytest.mark.slow

Shape = dict[str, frozenset[str]]  # table → its columns
Templates = dict[str, dict[str, Any]]  # table → a demo clinic's row


def _revisions() -> list[str]:
    """The chain from the base to the head, in order."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _shape(engine: Engine) -> Shape:
    inspector = inspect(engine)
    return {
        table: frozenset(c["name"] for c in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: int(
                connection.execute(select(func.count()).select_from(table_named(name))).scalar_one()
            )
            for name in inspect(connection).get_table_names()
        }


def _reflected(connection: Connection) -> dict[str, Table]:
    meta = MetaData()
    meta.reflect(bind=connection)
    return dict(meta.tables)


_BY_TYPE: list[tuple[type[Any], Any]] = [  # first match wins: Boolean before Integer
    (Boolean, lambda n: n % 2 == 0),
    (Integer, lambda n: n),
    (BigInteger, lambda n: n),
    (Numeric, Decimal),
    (DateTime, lambda n: AT + dt.timedelta(hours=n)),
    (Date, lambda n: (AT + dt.timedelta(days=n)).date()),
]


def _value(table: Table, column: Any, n: int, context: _Context) -> Any:
    given = OVERRIDES.get(table.name, {}) | context.parents[n % ROWS_PER_STEP]
    if column.name not in context.unique:
        given = context.template | given  # as the demo clinic has it, unless overridden
    if column.name in given:
        return given[column.name]
    for kind, make in _BY_TYPE:
        if isinstance(column.type, kind):
            return make(n)
    if column.name.endswith("_json"):
        return "{}"
    length = getattr(column.type, "length", None) or 200
    if column.primary_key and len(table.primary_key.columns) == 1:
        return f"{table.name}-{n}"[-length:]
    return f"{column.name}-{n}"[:length]


@dataclass(frozen=True, slots=True)
class _Context:
    parents: list[dict[str, Any]]  # per row of the step: foreign-key column → a parent's key
    unique: set[str]  # columns that must differ from row to row
    template: dict[str, Any]  # the demo clinic's row of this table (may be empty)


def _unique_columns(connection: Connection, table: Table) -> set[str]:
    inspector = inspect(connection)
    found = {c.name for c in table.primary_key.columns}
    for constraint in inspector.get_unique_constraints(table.name):
        found.update(constraint["column_names"])
    for index in inspector.get_indexes(table.name):
        if index.get("unique"):
            found.update(name for name in index["column_names"] if name)
    return found


def _parents(connection: Connection, table: Table) -> list[dict[str, Any]]:
    """For row ``i`` of a step, each foreign-key column → a key of the ``i``-th existing row of
    the table it refers to (all columns of a composite key from the same parent row)."""
    rows: list[dict[str, Any]] = [{} for _ in range(ROWS_PER_STEP)]
    for constraint in table.foreign_key_constraints:
        referred = [element.column for element in constraint.elements]
        found = connection.execute(select(*referred).order_by(*referred)).all()
        name = f"{table.name} → {constraint.referred_table.name}"
        assert found, f"{name}: the parent table is empty"
        for i, row in enumerate(rows):
            parent = found[i % len(found)]
            for element, value in zip(constraint.elements, parent, strict=True):
                row[element.parent.name] = value
    return rows


def _ordered(tables: list[Table]) -> list[Table]:
    """Parents before children (foreign keys among the tables being filled)."""
    names = {t.name for t in tables}
    done: list[Table] = []
    pending = list(tables)
    while pending:
        for table in pending:
            needs = {fk.column.table.name for fk in table.foreign_keys} & names
            if needs <= {t.name for t in done} | {table.name}:
                done.append(table)
                pending.remove(table)
                break
        else:  # pragma: no cover - a cycle among new tables
            msg = f"cannot order {[t.name for t in pending]} by their foreign keys"
            raise AssertionError(msg)
    return done


def _fill(
    engine: Engine, changed: set[str], revision: str, step: int, templates: Templates
) -> None:
    with engine.begin() as connection:
        tables = _reflected(connection)
        for table in _ordered([tables[name] for name in sorted(changed - SKIPPED)]):
            context = _Context(
                parents=_parents(connection, table),
                unique=_unique_columns(connection, table),
                template=templates.get(table.name, {}),
            )
            for index in range(ROWS_PER_STEP):
                n = step * ROWS_PER_STEP + index
                row = {c.name: _value(table, c, n, context) for c in table.columns}
                connection.execute(insert(table).values(**row))
        every_step(connection, step)
        extra = POPULATE.get(revision)
        if extra is not None:
            extra(connection, step)


def _chain_verifies(engine: Engine) -> int:
    from thecal.adapters.sql.mappers.audit import audit_entry_from_row  # noqa: PLC0415
    from thecal.adapters.sql.tables.audit import audit_chain_head, audit_entries  # noqa: PLC0415

    with engine.connect() as connection:
        rows = connection.execute(select(audit_entries).order_by(audit_entries.c.sequence))
        entries = [audit_entry_from_row(row._mapping) for row in rows]
        head = connection.execute(select(audit_chain_head)).one()
    anchor = ChainHead(sequence=head.last_sequence, entry_hash=head.last_hash)
    report = verify_chain(entries, AUDIT_KEY, anchor=anchor)
    assert report.ok, report.first_break
    return report.entries_checked


def _walk_up(
    engine: Engine, templates: Templates, *, first_step: int
) -> Iterator[tuple[str, dict[str, int]]]:
    shape = _shape(engine)
    for step, revision in enumerate(_revisions(), start=first_step):
        before = _counts(engine)
        upgrade_database(engine, revision)
        after_shape = _shape(engine)
        changed = {t for t, cols in after_shape.items() if shape.get(t) != cols}
        assert changed or revision in POPULATE, (
            f"revision {revision} changes no table: add a populate function to "
            f"walk_data.POPULATE so the walk exercises it"
        )
        _fill(engine, changed, revision, step, templates)
        counts = _counts(engine)
        for table, rows in before.items():  # every earlier row survived the upgrade
            assert counts.get(table, 0) >= rows, (revision, table, rows, counts.get(table))
        filled = (changed - SKIPPED) & set(counts)
        assert all(counts[t] > 0 for t in filled), (revision, {t: counts[t] for t in filled})
        shape = after_shape
        yield revision, counts


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """One row of every table of a small demo clinic (SQLite, at the code's head), by table."""
    url = f"sqlite:///{tmp_path_factory.mktemp('walk-template')}/demo.db"
    settings = Settings(database_url=url, audit_key=AUDIT_KEY.decode(), env="test")  # type: ignore[arg-type]
    run_seed(
        patients=14, seed=424242, today=dt.date(2026, 1, 10), settings=settings, only_if_empty=False
    )
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found: Templates = {}
            for name, table in _reflected(connection).items():
                row = connection.execute(select(table).limit(1)).mappings().first()
                found[name] = dict(row) if row is not None else {}
    finally:
        engine.dispose()
    return found


def test_the_whole_chain_upgrades_downgrades_and_upgrades_again_with_data(
    engine: Engine, templates: Templates
) -> None:
    assert sum(1 for row in templates.values() if row) > 20  # the demo fills nearly every table
    walked = list(_walk_up(engine, templates, first_step=1))
    revisions = [revision for revision, _ in walked]
    assert revisions == _revisions()
    assert schema_state(engine).current
    assert _chain_verifies(engine) == len(revisions)

    down = list(reversed(revisions))
    for revision, target in zip(down, [*down[1:], "base"], strict=True):
        before = _counts(engine)
        downgrade_database(engine, target)
        after = _counts(engine)
        for table, rows in after.items():  # rows of every remaining table survived
            if table != "alembic_version":  # emptied at the base
                assert rows == before[table], (f"{revision} → {target}", table, before[table], rows)
        assert set(after) <= set(before)
    assert set(_counts(engine)) <= {"alembic_version"}

    again = list(_walk_up(engine, templates, first_step=len(revisions) + 1))
    assert [revision for revision, _ in again] == revisions
    assert schema_state(engine).current
    assert _chain_verifies(engine) == len(revisions)
