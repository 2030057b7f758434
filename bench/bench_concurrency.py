"""SR-24: 100 trials × N ∈ {2, 4, 8, 16} concurrent refills of one pump, on SQLite and PostgreSQL:
exactly 1 commit per trial, 0 lost updates, 0 duplicate refills, every loser gets a 409.

Each trial is what ``tests/integration/pathway/test_pathway_concurrency.py`` does once, with the
real use cases through ``Thecal.run_device``: a fresh pump is implanted (its own serial, so its
twin starts clean), the clock moves 30 days, the pharmacy verifies the admixture, then N threads
released together by a barrier each call ``perform_refill`` with their own idempotency key and
the pump version they all read. Counted per trial:

* commits — refill outcomes returned (must be 1);
* losers answered 409 — ``Conflict`` errors (HTTP 409 at the API; must be N − 1); any other
  error is counted separately (must be 0);
* duplicate refills — refills stored for the pump beyond one, and ``withdraw`` commands in the
  pump's device log beyond one (a second refill reaching the twin);
* lost updates — the pump record, the used pharmacy verification and the stored refill must all
  be the winner's: the pump's version advanced by exactly one refill's increment (measured on a
  reference pump refilled alone) and the verification is used by the winner's refill.

After every N the audit chain is verified end to end. Trial clocks restart at the same instant
(each pump's own history is 30 days long). PostgreSQL from ``THECAL_TEST_POSTGRES_URL`` in a
throw-away schema. The integration tests keep their one round per N.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "unit" / "services" / "pathway"))

from pathway_scenario import (  # noqa: E402 - the tests' clinic, users and commands
    NURSE,
    START,
    MovableClock,
    actor,
    implant,
    refill,
    seed_clinic,
    verify,
)

from thecal.bootstrap import Thecal, bootstrap  # noqa: E402
from thecal.config import Settings  # noqa: E402
from thecal.domain.audit import verify_chain  # noqa: E402
from thecal.domain.errors import Conflict  # noqa: E402
from thecal.services.pharmacy import verify_admixture  # noqa: E402
from thecal.services.pumps import GetPump, get_pump, implant_pump  # noqa: E402
from thecal.services.refills import RefillOutcome, perform_refill  # noqa: E402

POSTGRES = os.environ.get(
    "THECAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
AUDIT_KEY = "bench-concurrency-audit-key-0123456789abcdef"
TRIALS = int(os.environ.get("THECAL_BENCH_CONCURRENCY_TRIALS", "100"))
THREADS = (2, 4, 8, 16)


@dataclass
class Tally:
    trials: int = 0
    commits: list[int] = field(default_factory=list)  # per trial
    conflicts: int = 0
    conflict_codes: set[str] = field(default_factory=set)
    other_errors: list[str] = field(default_factory=list)
    duplicate_refills: int = 0
    lost_updates: int = 0
    seconds: float = 0.0

    @property
    def exactly_one(self) -> int:
        return sum(1 for c in self.commits if c == 1)


def _version(clinic: Thecal, pump_id: str) -> int:
    return clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id=pump_id)).version


def _prepared_pump(clinic: Thecal, clock: MovableClock, tag: str) -> tuple[str, str, int]:
    """A fresh pump 30 days after implant with a verified syringe: (pump id, verification, version)."""
    pump_id, serial, verification = f"pump-{tag}", f"NGP-{tag}", f"ver-{tag}"
    clock.at = START
    clinic.run_device(implant_pump, implant(serial=serial, pump_id=pump_id))
    clock.advance(days=30)
    clinic.run(verify_admixture, verify(clock.now(), ident=verification, pump_id=pump_id))
    return pump_id, verification, _version(clinic, pump_id)


def _withdrawals(clinic: Thecal, serial: str) -> int:
    with clinic.uow() as uow:
        return sum(1 for c in uow.device_commands.for_serial(serial) if c.kind == "withdraw")


def _one_refill_increment(clinic: Thecal, clock: MovableClock) -> int:
    pump_id, verification, version = _prepared_pump(clinic, clock, "reference")
    clinic.run_device(
        perform_refill, refill(version, pump_id=pump_id, verification_id=verification)
    )
    return _version(clinic, pump_id) - version


def _trial(
    clinic: Thecal, clock: MovableClock, *, n: int, index: int, increment: int, tally: Tally
) -> None:
    tag = f"n{n}-t{index}"
    pump_id, verification, version = _prepared_pump(clinic, clock, tag)
    barrier = threading.Barrier(n)

    def attempt(k: int) -> RefillOutcome | Exception:
        command = refill(version, key=f"{tag}-{k}", pump_id=pump_id, verification_id=verification)
        barrier.wait()
        try:
            return clinic.run_device(perform_refill, command)
        except Exception as error:  # noqa: BLE001 - every outcome is counted, none is lost
            return error

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(attempt, range(n)))
    winners = [r for r in results if isinstance(r, RefillOutcome)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    tally.trials += 1
    tally.commits.append(len(winners))
    tally.conflicts += len(conflicts)
    tally.conflict_codes |= {c.code for c in conflicts}
    tally.other_errors += [
        f"{type(r).__name__}: {r}"
        for r in results
        if isinstance(r, Exception) and r not in conflicts
    ]
    with clinic.uow() as uow:
        stored = list(uow.refills.for_pump(pump_id))
        used = uow.pharmacy.get(verification)
        pump = uow.pumps.get(pump_id)
    tally.duplicate_refills += max(0, len(stored) - 1) + max(
        0, _withdrawals(clinic, f"NGP-{tag}") - 1
    )
    winner_id = winners[0].refill.refill_id if len(winners) == 1 else None
    consistent = (
        winner_id is not None
        and pump is not None
        and pump.version == version + increment
        and used is not None
        and used.used_by_refill_id == winner_id
        and [r.refill_id for r in stored] == [winner_id]
    )
    tally.lost_updates += 0 if consistent else 1


@contextmanager
def _database(backend: str) -> Iterator[str | None]:
    if backend == "SQLite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/concurrency.db"
        return
    schema = f"thecal_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a generated identifier
    except Exception:  # noqa: BLE001 - the bench reports an unreachable server instead
        admin.dispose()
        yield None
        return
    try:
        url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _measure(url: str) -> tuple[dict[int, Tally], bool, int]:
    clock = MovableClock()
    clinic = bootstrap(Settings(database_url=url, audit_key=AUDIT_KEY), clock=clock)  # type: ignore[arg-type]
    try:
        clinic.upgrade_database()
        seed_clinic(clinic.uow())
        increment = _one_refill_increment(clinic, clock)
        tallies: dict[int, Tally] = {}
        for n in THREADS:
            tally = Tally()
            started = time.perf_counter()
            for index in range(TRIALS):
                _trial(clinic, clock, n=n, index=index, increment=increment, tally=tally)
            tally.seconds = time.perf_counter() - started
            tallies[n] = tally
        with clinic.uow() as uow:
            chain_ok = verify_chain(
                uow.audit_log.entries(), AUDIT_KEY.encode(), anchor=uow.audit_log.recorded_head()
            ).ok
    finally:
        clinic.close()
    return tallies, chain_ok, increment


def run() -> str:
    lines = [
        "## Concurrent refills of one pump (SR-24)",
        "",
        (
            f"{TRIALS} trials per N; each trial: a fresh pump, N threads released together, each "
            "`perform_refill` with its own idempotency key on the same pump version (real use "
            "cases through `Thecal.run_device`)."
        ),
        "",
        (
            "| database | N | trials | exactly 1 commit | losers with 409 (codes) | other errors "
            "| duplicate refills | lost updates | seconds |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    verdicts: list[str] = []
    for backend in ("SQLite", "PostgreSQL"):
        with _database(backend) as url:
            if url is None:
                lines.append(
                    f"| {backend} | — | PostgreSQL unreachable: not measured | | | | | | |"
                )
                continue
            tallies, chain_ok, _ = _measure(url)
        for n, t in tallies.items():
            codes = ", ".join(sorted(t.conflict_codes)) or "—"
            lines.append(
                f"| {backend} | {n} | {t.trials} | {t.exactly_one} | {t.conflicts} of "
                f"{t.trials * (n - 1)} ({codes}) | {len(t.other_errors)} | {t.duplicate_refills} "
                f"| {t.lost_updates} | {t.seconds:.0f} |"
            )
            ok = (
                t.exactly_one == t.trials
                and t.conflicts == t.trials * (n - 1)
                and not t.other_errors
                and t.duplicate_refills == 0
                and t.lost_updates == 0
            )
            if not ok:
                verdicts.append(f"{backend} N={n} FAILS: {t.other_errors[:3]}")
        verdicts.append(f"{backend}: audit chain verifies after all trials: {chain_ok}")
    lines += ["", *(f"- {v}" for v in verdicts)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
