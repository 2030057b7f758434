"""The clinic clock: system time plus an offset stored in the database (default 0).

The demo and training pump console can "advance simulated time" for every process at once (the CLI
and the web server share the database): :func:`set_clock_offset` stores the offset in the
one-row ``clinic_clock`` table, and every :class:`ClinicClock` reads it on each ``now()``. The twins
follow, because the persisted driver advances each twin to the use case's ``clock.now()``. In
production the offset stays 0 and the clock is the system clock.

The offset is read on a raw driver connection in autocommit mode, outside any unit of work, so it
never waits for (or takes) the SQLite write lock a running transaction holds. A database without
the table (before ``thecal db upgrade``) reads as offset 0. An offset may go back, but the twins
never do: a twin stays at its latest instant until the clock passes it again. Setting the offset
bumps the clinical generation (``adapters/sql/clinical_generation.py``), so cached read models follow.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update

from thecal.adapters.clock import SystemClock
from thecal.adapters.sql.clinical_generation import bump
from thecal.adapters.sql.database import read_row
from thecal.adapters.sql.tables.clinic_clock import clinic_clock

__all__ = ["ClinicClock", "clock_offset", "set_clock_offset"]

_READ_OFFSET = "SELECT offset_us FROM clinic_clock WHERE id = 1"  # static text, no parameters


def clock_offset(engine: Engine) -> dt.timedelta:
    """The stored offset (zero when the table or its row is missing)."""
    row = read_row(engine, _READ_OFFSET)
    return dt.timedelta(microseconds=int(row[0])) if row else dt.timedelta(0)


def set_clock_offset(engine: Engine, offset: dt.timedelta) -> None:
    """Store the clinic clock's offset from system time (the pump console's time travel).

    Bumps the clinical generation in the same transaction: what is due depends on the clock.
    """
    micros = (offset.days * 86_400 + offset.seconds) * 1_000_000 + offset.microseconds
    with engine.begin() as connection:
        connection.execute(
            update(clinic_clock).where(clinic_clock.c.id == 1).values(offset_us=micros)
        )
        bump(connection)


class ClinicClock:
    """``now()`` = system time (UTC) + the stored offset."""

    def __init__(self, engine: Engine, *, system: SystemClock | None = None) -> None:
        self._engine = engine
        self._system = system or SystemClock()

    def now(self) -> dt.datetime:
        return self._system.now() + clock_offset(self._engine)
