"""The one SQLAlchemy ``MetaData`` every table is declared on: the database shape, nothing else.

Conventions for every table module in this package (one per aggregate, named as the aggregate is
everywhere else): column names carry their unit at this boundary (``daily_dose_mcg_per_day``);
exact numbers use :class:`~thecal.adapters.sql.tables.column_types.ExactDecimal` (NUMERIC on
PostgreSQL, canonical text on SQLite), never floats; instants use
:class:`~thecal.adapters.sql.tables.column_types.UtcDateTime`. Every aggregate table has a
``version`` column with ``CHECK (version >= 1)`` for optimistic locking. Domain objects are never
mapped onto these tables; ``adapters/sql/mappers/<aggregate>.py`` converts rows explicitly.

Importing any module of ``thecal.adapters.sql.tables`` imports them all (the package's
``__init__``), so this metadata is always complete.

Adding an aggregate: declare its tables in ``tables/<aggregate>.py`` (and import it in the package's
``__init__``), write its row ↔ domain functions in ``mappers/<aggregate>.py``, its repository in
``repositories/<aggregate>.py``, and a new Alembic revision under ``adapters/sql/migrations/versions/``.
"""

from __future__ import annotations

from sqlalchemy import MetaData

__all__ = ["metadata"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
