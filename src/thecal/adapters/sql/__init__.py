"""The SQL database: tables, row mappers and repositories (one module per aggregate in each),
the unit of work, engines, the Alembic migrations, and what lives beside the records in the
database (the audit group commit, the clinical generation, the clinic clock's offset).

Everything about refills, for example: ``tables/refills.py``, ``mappers/refills.py``,
``repositories/refills.py`` (the port it implements: ``services/repositories/refills.py``).
"""
