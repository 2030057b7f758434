"""What the worklist read model needs on existing tables (revision ``0005``).

* Projected dates on ``pumps`` (``services/pump_projection.py``), written by the pump mapper on
  every insert and update: ``low_reservoir_alarm_at``, ``stability_expires_at``, ``eri_at``,
  ``end_of_service_at``.
* Composite indexes that let every branch of the worklist be an index range scan in due order
  (``state`` first, then the date), so ``ORDER BY due LIMIT n`` over the ``UNION ALL`` is a merge
  of index scans on both SQLite and PostgreSQL.

* ``clinical_generation`` (revision ``0008``): one row, a counter every transaction that wrote a
  clinical table bumps in the same transaction (``adapters/unit_of_work.py``), as does a change of
  the clinic clock's offset (``adapters/clinic_clock.py``). The worklist cache is keyed by it
  (``adapters/read_models/worklist.py``), so a write from any process invalidates it.

Columns are appended to the pathway tables from here (``Table.append_column``) so the pathway
module keeps its shape; ``orm_pathway.py`` imports this module at its end, once its tables exist.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, Table

from thecal.adapters.orm import UtcDateTime, metadata
from thecal.adapters.orm_pathway import device_events, program_changes, pumps, tasks

__all__ = ["PROJECTION_COLUMNS", "WORKLIST_INDEXES", "clinical_generation"]

PROJECTION_COLUMNS = (
    "low_reservoir_alarm_at",
    "stability_expires_at",
    "eri_at",
    "end_of_service_at",
)

for _name in PROJECTION_COLUMNS:
    if _name not in pumps.c:
        pumps.append_column(Column(_name, UtcDateTime, nullable=True))

WORKLIST_INDEXES = (
    Index("ix_pumps_state_next_refill_due", pumps.c.state, pumps.c.next_refill_due),
    Index("ix_pumps_state_low_reservoir_alarm_at", pumps.c.state, pumps.c.low_reservoir_alarm_at),
    Index("ix_pumps_state_stability_expires_at", pumps.c.state, pumps.c.stability_expires_at),
    Index("ix_pumps_state_eri_at", pumps.c.state, pumps.c.eri_at),
    Index("ix_pumps_state_end_of_service_at", pumps.c.state, pumps.c.end_of_service_at),
    Index("ix_tasks_state_due", tasks.c.state, tasks.c.due),
    Index(
        "ix_program_changes_state_proposed_at",
        program_changes.c.state,
        program_changes.c.proposed_at,
    ),
    Index("ix_device_events_code_at", device_events.c.code, device_events.c.at),
)

clinical_generation = Table(
    "clinical_generation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
