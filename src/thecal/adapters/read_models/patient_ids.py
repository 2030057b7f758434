"""Every patient id, in id order (for bulk export): the one query the register port lacks."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine, select

from thecal.adapters.sql.tables.patients import patients

__all__ = ["all_patient_ids"]


def all_patient_ids(engine: Engine) -> Iterator[str]:
    """Patient ids, streamed in id order (no PHI beyond the opaque id)."""
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=1000).execute(
            select(patients.c.id).order_by(patients.c.id)
        )
        for row in result:
            yield row[0]
