"""Crash safety (SR-25): refills and program changes killed with SIGKILL at random SQL statements.

A forked child runs refill and program-change transactions and kills itself at statement k (k
drawn from a seeded generator); after every kill the parent checks that the database is sound
(``PRAGMA integrity_check`` on SQLite), that every acknowledged commit is present, that the pump's
command log agrees with the records (one withdrawal per stored refill: no device command without
its record, none lost), and at the end that the audit chain verifies. 200 kill points on SQLite,
a dozen on PostgreSQL; the child is forked, so a kill point costs milliseconds, not an import.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import tempfile
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from crash_workload import run_until_killed
from pathway_scenario import MovableClock, implant
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from thecal.adapters.sql.tables.device_log import pump_device_commands
from thecal.adapters.sql.tables.program_changes import program_changes
from thecal.adapters.sql.tables.refills import refills
from thecal.bootstrap import Thecal
from thecal.config import Settings
from thecal.domain.audit import verify_chain
from thecal.services.pumps import implant_pump

SEED = 20251125
#: One refill + program-change cycle runs ~92 SQL statements; kill points are drawn from 1..120 so
#: every statement of the cycle can be hit and some children finish a cycle before dying.
STATEMENTS_PER_CYCLE_BOUND = 120
KILLS = {"sqlite": int(os.environ.get("THECAL_CRASH_KILLS", "200")), "postgresql": 12}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """As the records fixture, but SQLite lives on tmpfs when there is one: a SIGKILL tests the
    process dying, not the disk, and 200 kill points then fit in a CI minute."""
    if request.param == "postgres":
        yield from _postgres_schema(request.getfixturevalue("postgres_url"))
        return
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp folder below it
    folder = Path(tempfile.mkdtemp(prefix="thecal-crash-", dir=shm if shm.is_dir() else None))
    try:
        yield f"sqlite:///{folder}/thecal.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _postgres_schema(server: str) -> Iterator[str]:
    schema = f"thecal_crash_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a generated identifier
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _fork_and_kill(app: Thecal, acks: Path, kill_at: int, after: dt.datetime) -> int:
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            run_until_killed(app, acks, kill_at=kill_at, start_after=after)
        except BaseException:  # noqa: BLE001 - the parent reports why the child stopped early
            (acks.parent / "child-error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    return status


def _latest(engine: Engine) -> dt.datetime:
    with engine.connect() as connection:
        found = connection.execute(select(func.max(pump_device_commands.c.at))).scalar_one()
    assert isinstance(found, dt.datetime)
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


@pytest.mark.slow  # 200 forked kill points on SQLite: ~30 s; run first (tests/conftest.py)
def test_random_kills_during_refills_and_program_changes_lose_no_acknowledged_commit(
    clinic: Thecal, clock: MovableClock, settings: Settings, tmp_path: Path
) -> None:
    clinic.run_device(implant_pump, implant())
    engine = clinic.engine
    dialect = engine.dialect.name
    acks = tmp_path / "acks.txt"
    acks.touch()
    rng = random.Random(SEED)
    kills = 0
    for _ in range(KILLS[dialect]):
        after = _latest(engine)
        engine.dispose()  # no open connection crosses the fork (SQLite forbids it)
        status = _fork_and_kill(clinic, acks, rng.randint(1, STATEMENTS_PER_CYCLE_BOUND), after)
        error = acks.parent / "child-error.txt"
        assert os.WIFSIGNALED(status), (
            error.read_text(encoding="utf-8") if error.exists() else status
        )
        assert os.WTERMSIG(status) == signal.SIGKILL
        kills += 1
        with engine.connect() as connection:
            if dialect == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            keys = set(connection.execute(select(refills.c.idempotency_key)).scalars())
            changes = set(connection.execute(select(program_changes.c.id)).scalars())
            stored_withdrawals = connection.execute(
                select(func.count()).where(pump_device_commands.c.kind == "withdraw")
            ).scalar_one()
        for line in acks.read_text(encoding="utf-8").splitlines():
            kind, ident = line.split(" ", 1)
            assert ident in (keys if kind == "refill" else changes), f"lost acknowledged {line}"
        assert stored_withdrawals == len(keys)
    assert kills == KILLS[dialect]
    with clinic.uow() as uow:
        report = verify_chain(
            list(uow.audit_log.entries()),
            key=clinic.settings.audit_key_bytes,
            anchor=uow.audit_log.recorded_head(),
        )
    assert report.ok
    assert len(acks.read_text(encoding="utf-8").splitlines()) > 0
    del clock
