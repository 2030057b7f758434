"""Explicit row ↔ domain conversions, one module per aggregate (the names of ``tables/``).

No ORM instrumentation touches domain classes. Each aggregate has a ``<name>_to_row`` (a dict of
column values) and a ``<name>_from_row`` (from a ``RowMapping``); units are decided here. What
several aggregates store inside their JSON columns has its own module: ``transitions`` (history),
``findings`` (the safety review), ``instants`` (ISO text), ``tasks`` (a task as a dict),
``pharmacy`` (a label as a dict). The security records (sessions, tokens) and the append-only
logs (device log, implant record) convert in their repository, where the conversion is a few lines.
"""
