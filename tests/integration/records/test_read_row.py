"""The raw single-row reads every request makes (adapters/sql/database.py ``read_row``), on SQLite
and PostgreSQL: the clinic clock's offset and the clinical generation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from thecal.adapters.sql.clinic_clock import clock_offset, set_clock_offset
from thecal.adapters.sql.clinical_generation import read_generation
from thecal.adapters.sql.database import read_row


def test_a_row_no_row_and_no_table(migrated: Engine) -> None:
    assert read_row(migrated, "SELECT value FROM clinical_generation WHERE id = 1") is not None
    assert read_row(migrated, "SELECT value FROM clinical_generation WHERE id = 2") is None
    assert read_row(migrated, "SELECT value FROM no_such_table") is None
    # the failed read left no broken connection behind in the pool
    for _ in range(3):
        assert read_row(migrated, "SELECT id FROM clinic_clock WHERE id = 1") == (1,)


def test_the_reads_follow_committed_writes(migrated: Engine) -> None:
    before = read_generation(migrated)
    assert before is not None
    assert clock_offset(migrated) == dt.timedelta(0)
    set_clock_offset(migrated, dt.timedelta(days=3, seconds=5))  # bumps the generation too
    assert clock_offset(migrated) == dt.timedelta(days=3, seconds=5)
    assert read_generation(migrated) == before + 1
    with migrated.begin() as connection:  # an uncommitted change is not seen
        connection.execute(text("UPDATE clinical_generation SET value = value + 10"))
        assert read_generation(migrated) == before + 1
        connection.rollback()
    assert read_generation(migrated) == before + 1


def test_before_the_migrations_the_clock_reads_zero_and_the_generation_none(
    engine: Engine,
) -> None:
    assert clock_offset(engine) == dt.timedelta(0)
    assert read_generation(engine) is None
