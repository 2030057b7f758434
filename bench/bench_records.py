"""Worklist over 100,000 pumps (issue 5 §8): the read model's query + mapping, SQLite and PostgreSQL.

Synthetic clinic, bulk-inserted with Core ``executemany`` (no use cases): 100,000 patients each with
one active pump whose refill, projected low-reservoir alarm, stability expiry, ERI and end-of-service
dates are spread over ±200 days around *now* (seeded), plus 20,000 open tasks, 2,000 discharged
trials and 2,000 signed program changes. Each case times ``SqlWorklistReadModel.page`` (SQL and
mapping into ``WorklistRow``) — median (p50) of 7 runs after one warm-up. Target < 2 s.

PostgreSQL from ``THECAL_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
in a throw-away schema.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.adapters.sql.database import make_engine, upgrade_database
from thecal.adapters.sql.tables.patients import patients
from thecal.adapters.sql.tables.program_changes import program_changes
from thecal.adapters.sql.tables.pumps import pumps
from thecal.adapters.sql.tables.tasks import tasks
from thecal.adapters.sql.tables.trials import trials
from thecal.services.worklist import WorklistKind, WorklistQuery

POSTGRES = os.environ.get(
    "THECAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PUMPS = 100_000
TASKS = 20_000
TRIALS = 2_000
CHANGES = 2_000
NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
RUNS = 7

CASES: list[tuple[str, WorklistQuery]] = [
    ("first page (50 rows), every kind", WorklistQuery(limit=50)),
    (
        "due in the next 14 days, one page of 500",
        WorklistQuery(due_before=NOW + dt.timedelta(days=14), limit=500),
    ),
    (
        "refills overdue, page 10 (offset 4,500)",
        WorklistQuery(kinds=frozenset({WorklistKind.REFILL_OVERDUE}), limit=500, offset=4_500),
    ),
    (
        "post-MRI interrogations + trials awaiting decision",
        WorklistQuery(
            kinds=frozenset({WorklistKind.POST_MRI_INTERROGATION, WorklistKind.TRIAL_DECISION}),
            limit=100,
        ),
    ),
]


def _at(rng: random.Random, days: int = 200) -> dt.datetime:
    return NOW + dt.timedelta(seconds=rng.randint(-days * 86_400, days * 86_400))


def load(engine: Engine) -> float:
    """Insert the synthetic clinic; returns the seconds it took."""
    rng = random.Random(20251126)
    started = time.perf_counter()
    patient_rows, pump_rows = [], []
    for i in range(PUMPS):
        pid = f"p{i:07d}"
        patient_rows.append(
            {
                "id": pid,
                "mrn": f"MRN{i:07d}",
                "family_name": f"Family{i % 977}",
                "family_name_folded": f"family{i % 977}",
                "given_names": "Alex",
                "birth_date": dt.date(1960, 1, 1) + dt.timedelta(days=i % 9000),
                "sex": "female",
                "registered_at": NOW,
                "version": 1,
            }
        )
        implanted = _at(rng, 2000)
        pump_rows.append(
            {
                "id": f"u{i:07d}",
                "patient_id": pid,
                "model_id": "synchromed-ii-20",
                "serial": f"NGP{i:07d}",
                "implant_id": f"i{i:07d}",
                "implanted_at": implanted,
                "catheter_model_id": "indura-1p-8709sc",
                "catheter_length_cm": Decimal(60),
                "catheter_tip_level": "T10",
                "admixture_json": "{}",
                "reservoir_volume_ml": Decimal(20),
                "last_filled_at": implanted,
                "program_json": "{}",
                "program_since": implanted,
                "next_refill_due": _at(rng),
                "state": "active",
                "rng_seed": i,
                "version": 1,
                "low_reservoir_alarm_at": _at(rng),
                "stability_expires_at": _at(rng),
                "eri_at": _at(rng, 2000),
                "end_of_service_at": _at(rng, 2000),
            }
        )
    kinds = [
        "post-mri-interrogation",
        "pocket-fill-watch",
        "program-resend",
        "reconciliation-review",
    ]
    task_rows = [
        {
            "id": f"t{i:07d}",
            "kind": kinds[i % 4],
            "patient_id": f"p{rng.randrange(PUMPS):07d}",
            "origin": "bench",
            "due": _at(rng),
            "reason": "synthetic task",
            "source": "bench",
            "priority": "urgent" if i % 10 == 0 else "routine",
            "state": "open",
            "created_at": NOW,
            "version": 1,
        }
        for i in range(TASKS)
    ]
    trial_rows = [
        {
            "id": f"r{i:07d}",
            "patient_id": f"p{i * 37 % PUMPS:07d}",
            "state": "discharged",
            "drug_id": "morphine",
            "drug_class": "opioid",
            "dose_mcg": Decimal(300),
            "route": "it-bolus",
            "spinal_level": "L3-L4",
            "observation_period_s": Decimal(86400),
            "observation_source": "S4",
            "baseline_json": "{}",
            "planned_by": "bench",
            "planned_at": NOW,
            "discharged_at": _at(rng),
            "findings_json": "[]",
            "history_json": "[]",
            "version": 1,
        }
        for i in range(TRIALS)
    ]
    change_rows = [
        {
            "id": f"c{i:07d}",
            "patient_id": f"p{i * 53 % PUMPS:07d}",
            "pump_id": f"u{i * 53 % PUMPS:07d}",
            "idempotency_key": f"k{i}",
            "state": "signed",
            "proposed_by": "bench",
            "proposed_at": _at(rng),
            "diff_digest": "0" * 64,
            "old_program_json": "{}",
            "new_program_json": "{}",
            "findings_json": "[]",
            "overrides_json": "[]",
            "state_json": "{}",
            "version": 1,
        }
        for i in range(CHANGES)
    ]
    with engine.begin() as connection:
        for table, rows in (
            (patients, patient_rows),
            (pumps, pump_rows),
            (tasks, task_rows),
            (trials, trial_rows),
            (program_changes, change_rows),
        ):
            for start in range(0, len(rows), 10_000):
                connection.execute(insert(table), rows[start : start + 10_000])
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _time(call: Callable[[], object]) -> tuple[float, object]:
    call()  # warm-up
    samples, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def measure(engine: Engine, label: str) -> list[str]:
    seconds = load(engine)
    model = SqlWorklistReadModel(engine, cached=False)  # every run reads the database
    lines = [
        f"| {label} | bulk load of {PUMPS:,} pumps + tasks/trials/changes | {seconds:.1f} s | — |"
    ]
    for name, query in CASES:
        p50, page = _time(lambda q=query: model.page(q, now=NOW))  # type: ignore[misc]
        rows = len(page.rows)  # type: ignore[attr-defined]
        verdict = "**met**" if p50 < 2 else "**MISSED**"
        lines.append(f"| {label} | {name} | {p50 * 1000:.1f} ms ({rows} rows) | {verdict} |")
    return lines


def _postgres_engine() -> tuple[Engine, Engine, str] | None:
    schema = f"thecal_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a generated identifier
    except Exception:  # noqa: BLE001 - the bench reports an unreachable server instead of failing
        admin.dispose()
        return None
    url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
    return make_engine(url.render_as_string(hide_password=False)), admin, schema


def run() -> str:
    """Load and time on both databases; a Markdown section."""
    lines = [
        f"## Worklist (issue 5 §8): {PUMPS:,} pumps",
        "",
        (
            "`SqlWorklistReadModel.page` — the `UNION ALL` of indexed branches, the page joined to "
            f"patients and pumps, rows mapped to `WorklistRow`. Median of {RUNS} runs after a "
            "warm-up. Target: under 2 s."
        ),
        "",
        "| database | case | p50 | target < 2 s |",
        "|---|---|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_database(engine)
        lines += measure(engine, "SQLite")
        engine.dispose()
    postgres = _postgres_engine()
    if postgres is None:
        lines.append(f"| PostgreSQL | not reachable at {make_url(POSTGRES)!r} | — | — |")
    else:
        engine, admin, schema = postgres
        try:
            upgrade_database(engine)
            lines += measure(engine, "PostgreSQL")
        finally:
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
