"""Alembic migrations, shipped inside the package so ``thecal db upgrade`` works when installed.

Revisions live in ``versions/`` as ``rNNNN_<slug>.py`` with revision ids ``"NNNN"``.
"""
