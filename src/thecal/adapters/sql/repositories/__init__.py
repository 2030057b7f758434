"""SQLAlchemy implementations of the repository ports, one module per aggregate: the module
``repositories/<aggregate>.py`` implements ``services/repositories/<aggregate>.py``.

Parameterised Core statements only; repositories execute on the unit of work's session and never
commit. Versioned writes go through :func:`.versioned.versioned_update`
(``UPDATE … WHERE id = :id AND version = :loaded``), which reports whether a row matched: that is
how a concurrent change is detected (the port raises ``StaleAggregate``).
"""
