"""Alembic revisions (one module per revision; Alembic loads them by path, not by import)."""
