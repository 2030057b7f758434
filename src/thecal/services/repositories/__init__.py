"""Repository ports: one module per aggregate, named as the aggregate is everywhere else.

The rule: the port of an aggregate's storage lives in ``services/repositories/<aggregate>.py``
(``refills.py``: :class:`RefillRepository`), beside the plain records only that port stores and the
domain does not define (``pharmacy.py``: the pharmacy verification; ``tasks.py``: the stored task;
``device_log.py``: the command log's and the interrogations' entries). Its SQL implementation has
the same name under ``adapters/sql/repositories/``. ``versioned.py`` holds the optimistic-locking
base every versioned port extends. Repositories load and store; they never commit (the unit of
work, ``services/unit_of_work.py``, gathers them and commits).
"""
