"""Outcome report at scale: 100,000 patients and 2,000,000 assessments on SQLite and PostgreSQL.

The data are seeded (``random.Random(2025)``) and bulk-loaded into a freshly migrated database —
a temporary SQLite file, and a temporary schema on the PostgreSQL server at
``THECAL_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) — with
``executemany`` and ``COPY``. The timed report is the real path: the SQL read model
(``SqlOutcomeReadModel``) streaming episodes into ``analyse()`` for every procedure type together
at 3 months. The same figures are then computed from the same tables by two independent
references — vectorised pandas and DuckDB — and compared exactly (every count of every measure).

Run alone: ``python bench/run.py bench_outcomes`` (about two to four minutes, mostly loading).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from decimal import Context, Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy import Engine, bindparam, create_engine, text
from sqlalchemy.engine import make_url

from thecal.adapters.read_models.outcomes import SqlOutcomeReadModel
from thecal.adapters.sql.database import make_engine, upgrade_database
from thecal.reports.outcome_policy import OutcomePolicy, TimePoint
from thecal.reports.outcome_source import EpisodeQuery
from thecal.reports.outcomes import Measure, OutcomeReport, analyse

PATIENTS = 100_000
PER_PATIENT = 20  # 3 baseline + 16 at four visits + 1 diary entry = 2,000,000 assessments
REPORT_DATE = dt.date(2025, 7, 1)
KINDS = (
    "facet_joint_injection",
    "epidural_steroid_injection",
    "intrathecal_trial",
    "intrathecal_pump_implant",
)
INDICATIONS = ("L-RAD", "L-FACET", "FBSS", "CRPS", "CANCER")
VISITS = (30, 90, 180, 365)
RUNS = 5  # each path this many times, in turn: medians and ranges
_ODI = Context(prec=28)
POSTGRES = os.environ.get("THECAL_TEST_POSTGRES_URL") or (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
RECORDED = "2025-07-01 00:00:00.000000"

PROCEDURE_COLUMNS = (
    "id, patient_id, kind, performed_on, indication, performer_id, recorded_by, recorded_at, "
    "notes, version"
)
ASSESSMENT_COLUMNS = (
    "id, patient_id, procedure_id, instrument, assessed_on, days_after_procedure, pain_nrs, "
    "odi_percent, pgic, eq_vas, answers_json, scores_json, recorded_by, recorded_at, version"
)


def _odi(rng: random.Random) -> Decimal:
    answered = 10 if rng.random() < 0.85 else 9
    total = sum(rng.randint(0, 5) for _ in range(answered))
    return _ODI.divide(Decimal(total * 100), Decimal(5 * answered))


def generate(chunk: int = 5_000) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
    """Seeded rows in chunks: (patients, procedures, assessments)."""
    rng = random.Random(2025)
    start = dt.date(2022, 1, 1)
    serial = 0
    for first in range(0, PATIENTS, chunk):
        patients, procedures, assessments = [], [], []
        for number in range(first, min(first + chunk, PATIENTS)):
            pid, proc = f"p{number:07d}", f"x{number:07d}"
            patients.append(
                (
                    pid,
                    f"MRN{number:07d}",
                    "Bench",
                    "bench",
                    "Patient",
                    "1960-01-01",
                    "female",
                    RECORDED,
                )
            )
            day = start + dt.timedelta(days=rng.randint(0, 1276))
            procedures.append(
                (proc, pid, rng.choice(KINDS), day.isoformat(), rng.choice(INDICATIONS))
            )
            base_pain = rng.randint(3, 10)
            base_odi = _odi(rng)
            rows: list[tuple] = [
                (rng.randint(-14, 0), "nrs", Decimal(base_pain), None, None, None),
                (rng.randint(-14, 0), "odi", None, base_odi, None, None),
                (rng.randint(-14, 0), "eq5d5l", None, None, None, rng.randint(10, 90)),
            ]
            for target in VISITS:
                visit = target + rng.randint(-target // 2, target // 2)
                rows += [
                    (
                        visit,
                        "nrs",
                        Decimal(min(10, max(0, base_pain - rng.randint(-2, 7)))),
                        None,
                        None,
                        None,
                    ),
                    (visit, "pgic", None, None, rng.randint(1, 7), None),
                    (visit, "odi", None, _odi(rng), None, None),
                    (visit, "eq5d5l", None, None, None, rng.randint(10, 100)),
                ]
            rows.append((rng.randint(1, 500), "nrs", Decimal(rng.randint(0, 10)), None, None, None))
            for days, instrument, pain, odi, pgic, vas in rows:
                serial += 1
                on = day + dt.timedelta(days=days)
                assessments.append(
                    (
                        f"a{serial:08d}",
                        pid,
                        proc,
                        instrument,
                        on.isoformat(),
                        days,
                        pain,
                        odi,
                        pgic,
                        vas,
                    )
                )
        yield patients, procedures, assessments


def _patient_rows(rows: list[tuple]) -> list[tuple]:
    return [(*r[:7], "", "", "", r[7], 1) for r in rows]


def _procedure_rows(rows: list[tuple]) -> list[tuple]:
    return [(*r[:3], r[3], r[4], "u-bench", "u-bench", RECORDED, "", 1) for r in rows]


def _assessment_rows(rows: list[tuple], *, as_text: bool) -> list[tuple]:
    def number(value: Decimal | None) -> object:
        return None if value is None else (str(value) if as_text else value)

    return [
        (*r[:6], number(r[6]), number(r[7]), r[8], r[9], "{}", "{}", "u-bench", RECORDED, 1)
        for r in rows
    ]


def load_sqlite(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")  # thecal's engine runs pysqlite without implicit transactions
        for patients, procedures, assessments in generate():
            cursor.executemany(
                "INSERT INTO patients (id, mrn, family_name, family_name_folded, given_names, "
                "birth_date, sex, phone, email, address, registered_at, version) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                _patient_rows(patients),
            )
            cursor.executemany(
                f"INSERT INTO procedures ({PROCEDURE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: S608 - constant column lists
                _procedure_rows(procedures),
            )
            cursor.executemany(
                f"INSERT INTO assessments ({ASSESSMENT_COLUMNS}) "  # noqa: S608 - constant column lists
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                _assessment_rows(assessments, as_text=True),
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def load_postgres(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for patients, procedures, assessments in generate():
            for table, columns, rows in (
                (
                    "patients",
                    (
                        "id, mrn, family_name, family_name_folded, given_names, birth_date, sex, "
                        "phone, email, address, registered_at, version"
                    ),
                    _patient_rows(patients),
                ),
                ("procedures", PROCEDURE_COLUMNS, _procedure_rows(procedures)),
                ("assessments", ASSESSMENT_COLUMNS, _assessment_rows(assessments, as_text=False)),
            ):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in rows:
                        copy.write_row(row)
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def timed_report(
    engine: Engine, policy: OutcomePolicy, point: TimePoint, *, picked: bool = True
) -> tuple[float, float, OutcomeReport]:
    """Wall and CPU seconds (this process) of the report, and the report.

    ``picked``: the query names its time point, so SQL picks each episode's follow-ups (one row
    per episode); otherwise every follow-up in the window streams into Python (the former path).
    """
    model = SqlOutcomeReadModel(engine)
    query = EpisodeQuery(
        first_day=point.first_day,
        last_day=point.last_day,
        time_points=(point,) if picked else (),
    )
    began, cpu = time.perf_counter(), time.process_time()
    report = analyse(model.episodes(query), policy, report_date=REPORT_DATE, time_point=point)
    return time.perf_counter() - began, time.process_time() - cpu, report


#: Slack for comparing float differences of ODI scores (stored as 28-digit Decimals) with a
#: points threshold: a difference that is exactly the threshold in Decimal must not come out a few
#: units in the last place below it as a float. Answers are whole numbers over 9 or 10 items, so
#: no true difference lies within 1e-9 of a threshold without equalling it; and the counts are
#: compared with thecal's exactly, so a wrong slack would show as a disagreement.
FLOAT_SLACK = 1e-9


def reference_rows(
    engine: Engine, point: TimePoint
) -> tuple[float, pd.DataFrame, pd.Index, tuple[int, int]]:
    """What both references read, filtered in SQL as thecal's read model filters.

    The due episodes of the four procedure types, the baseline (day ≤ 0) and window assessments of
    those episodes, and the totals (episodes, not yet due); with the seconds the reads took.
    """
    began = time.perf_counter()
    cutoff_day = REPORT_DATE - dt.timedelta(days=point.last_day)  # due: older than the window
    cutoff: object = cutoff_day if engine.dialect.name == "postgresql" else cutoff_day.isoformat()
    kinds = bindparam("kinds", expanding=True)
    episodes_sql = text(
        "SELECT count(*), coalesce(sum(CASE WHEN performed_on < :cutoff THEN 0 ELSE 1 END), 0) "
        "FROM procedures WHERE kind IN :kinds"
    ).bindparams(kinds)
    due_sql = text(
        "SELECT id FROM procedures WHERE kind IN :kinds AND performed_on < :cutoff"
    ).bindparams(kinds)
    rows_sql = text(
        "SELECT a.id, a.procedure_id, a.days_after_procedure AS day, a.pain_nrs, "
        "a.odi_percent, a.pgic, a.eq_vas FROM assessments a "
        "JOIN procedures p ON p.id = a.procedure_id "
        "WHERE p.kind IN :kinds AND p.performed_on < :cutoff "
        "AND (a.days_after_procedure <= 0 OR a.days_after_procedure BETWEEN :first AND :last)"
    ).bindparams(kinds)
    params = {"cutoff": cutoff, "kinds": list(KINDS)}
    with engine.connect() as connection:
        episodes, not_due = connection.execute(episodes_sql, params).one()
        due = pd.read_sql(due_sql, connection, params=params)
        rows = pd.read_sql(
            rows_sql,
            connection,
            params={**params, "first": point.first_day, "last": point.last_day},
        )
    for column in ("pain_nrs", "odi_percent", "pgic", "eq_vas"):
        rows[column] = pd.to_numeric(rows[column], errors="raise").astype("float64")
    return time.perf_counter() - began, rows, pd.Index(due["id"]), (int(episodes), int(not_due))


def pandas_counts(
    rows: pd.DataFrame,
    due: pd.Index,
    totals: tuple[int, int],
    policy: OutcomePolicy,
    point: TimePoint,
) -> tuple[float, dict]:
    """The counts with idiomatic vectorised pandas over the rows SQL selected (a reference)."""
    began = time.perf_counter()
    target = point.target_day
    base = rows[rows["day"] <= 0].sort_values(["procedure_id", "day", "id"])
    window = rows[rows["day"] >= point.first_day]
    window = window.assign(
        rank=np.where(
            window["day"] <= target, 2 * (target - window["day"]), 2 * (window["day"] - target) + 1
        )
    ).sort_values(["procedure_id", "rank", "day", "id"])
    baselines = base.groupby("procedure_id").last().reindex(due)  # last non-null per column
    closest = window.groupby("procedure_id").first().reindex(due)  # first non-null per column

    counts: dict[str, tuple[int, int, int, int]] = {}
    pgic = closest["pgic"]
    counts["pgic_improved"] = (
        len(due),
        int(pgic.notna().sum()),
        int((pgic <= float(policy.pgic_threshold.value)).sum()),
        0,
    )
    base_pain, pain = baselines["pain_nrs"], closest["pain_nrs"]
    usable = base_pain.notna() & (base_pain != 0)
    done = usable & pain.notna()
    drop = (base_pain - pain) * 100
    for name, threshold in (
        ("pain_substantial", policy.substantial_pain_percent),
        ("pain_less", policy.less_pain_percent),
    ):
        responders = done & (drop >= float(threshold) * base_pain)
        counts[name] = (
            int(usable.sum()),
            int(done.sum()),
            int(responders.sum()),
            int((~usable).sum()),
        )
    for name, column, points, lower in (
        ("function_improved", "odi_percent", policy.odi_points, True),
        ("quality_of_life_better", "eq_vas", policy.eq_vas_points, False),
    ):
        start, end = baselines[column], closest[column]
        has_base = start.notna()
        completed = has_base & end.notna()
        change = (start - end) if lower else (end - start)
        responders = completed & (change >= float(points) - FLOAT_SLACK)
        counts[name] = (
            int(has_base.sum()),
            int(completed.sum()),
            int(responders.sum()),
            int((~has_base).sum()),
        )
    counts["_episodes"] = (totals[0], totals[1], 0, 0)
    return time.perf_counter() - began, counts


DUCKDB_COUNTS = """
WITH base AS (
    SELECT procedure_id,
        last(pain_nrs ORDER BY day, id) FILTER (WHERE pain_nrs IS NOT NULL) AS pain,
        last(odi_percent ORDER BY day, id) FILTER (WHERE odi_percent IS NOT NULL) AS odi,
        last(eq_vas ORDER BY day, id) FILTER (WHERE eq_vas IS NOT NULL) AS vas
    FROM rows WHERE day <= 0 GROUP BY procedure_id
), ranked AS (
    SELECT *, CASE WHEN day <= $target THEN 2 * ($target - day) ELSE 2 * (day - $target) + 1 END
        AS rank
    FROM rows WHERE day >= $first
), closest AS (
    SELECT procedure_id,
        first(pain_nrs ORDER BY rank, day, id) FILTER (WHERE pain_nrs IS NOT NULL) AS pain,
        first(odi_percent ORDER BY rank, day, id) FILTER (WHERE odi_percent IS NOT NULL) AS odi,
        first(eq_vas ORDER BY rank, day, id) FILTER (WHERE eq_vas IS NOT NULL) AS vas,
        first(pgic ORDER BY rank, day, id) FILTER (WHERE pgic IS NOT NULL) AS pgic
    FROM ranked GROUP BY procedure_id
), episode AS (
    SELECT b.pain AS b_pain, b.odi AS b_odi, b.vas AS b_vas,
        c.pain AS c_pain, c.odi AS c_odi, c.vas AS c_vas, c.pgic AS c_pgic
    FROM due d LEFT JOIN base b ON b.procedure_id = d.id LEFT JOIN closest c ON c.procedure_id = d.id
)
SELECT
    count(*) AS due,
    count(c_pgic) AS pgic_done,
    count(*) FILTER (WHERE c_pgic <= $pgic) AS pgic_yes,
    count(*) FILTER (WHERE b_pain IS NOT NULL AND b_pain <> 0) AS pain_usable,
    count(*) FILTER (WHERE b_pain IS NOT NULL AND b_pain <> 0 AND c_pain IS NOT NULL) AS pain_done,
    count(*) FILTER (WHERE b_pain <> 0 AND (b_pain - c_pain) * 100 >= $substantial * b_pain)
        AS substantial,
    count(*) FILTER (WHERE b_pain <> 0 AND (b_pain - c_pain) * 100 >= $less * b_pain) AS less,
    count(b_odi) AS odi_base,
    count(*) FILTER (WHERE b_odi IS NOT NULL AND c_odi IS NOT NULL) AS odi_done,
    count(*) FILTER (WHERE b_odi - c_odi >= $odi - $slack) AS odi_yes,
    count(b_vas) AS vas_base,
    count(*) FILTER (WHERE b_vas IS NOT NULL AND c_vas IS NOT NULL) AS vas_done,
    count(*) FILTER (WHERE c_vas - b_vas >= $vas - $slack) AS vas_yes
FROM episode
"""


def duckdb_counts(
    rows: pd.DataFrame,
    due: pd.Index,
    totals: tuple[int, int],
    policy: OutcomePolicy,
    point: TimePoint,
) -> tuple[float, dict]:
    """The counts with DuckDB's SQL over the same rows (the strongest anchor at hand)."""
    began = time.perf_counter()
    connection = duckdb.connect()
    try:
        connection.register("rows", rows)
        connection.register("due", pd.DataFrame({"id": due}))
        answer = connection.execute(
            DUCKDB_COUNTS,
            {
                "target": point.target_day,
                "first": point.first_day,
                "pgic": float(policy.pgic_threshold.value),
                "substantial": float(policy.substantial_pain_percent),
                "less": float(policy.less_pain_percent),
                "odi": float(policy.odi_points),
                "vas": float(policy.eq_vas_points),
                "slack": FLOAT_SLACK,
            },
        ).fetchone()
    finally:
        connection.close()
    assert answer is not None  # noqa: S101 - an aggregate always answers one row
    (
        due_n,
        pgic_done,
        pgic_yes,
        usable,
        pain_done,
        substantial,
        less,
        odi_base,
        odi_done,
        odi_yes,
        vas_base,
        vas_done,
        vas_yes,
    ) = (int(v) for v in answer)
    counts = {
        "pgic_improved": (due_n, pgic_done, pgic_yes, 0),
        "pain_substantial": (usable, pain_done, substantial, due_n - usable),
        "pain_less": (usable, pain_done, less, due_n - usable),
        "function_improved": (odi_base, odi_done, odi_yes, due_n - odi_base),
        "quality_of_life_better": (vas_base, vas_done, vas_yes, due_n - vas_base),
        "_episodes": (totals[0], totals[1], 0, 0),
    }
    return time.perf_counter() - began, counts


def thecal_counts(report: OutcomeReport) -> dict:
    counts = {
        m.measure.value: (m.eligible, m.completers, m.responders, m.no_baseline)
        for m in report.measures
    }
    counts["_episodes"] = (report.episodes, report.not_yet_due, 0, 0)
    return counts


def _median_range(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def measure(engine: Engine, loader: object, label: str) -> tuple[str, bool]:
    policy = OutcomePolicy()
    point = policy.time_point("3 months")
    began = time.perf_counter()
    loader(engine)  # type: ignore[operator]
    load_s = time.perf_counter() - began
    with engine.connect() as connection:
        n = connection.execute(text("SELECT count(*) FROM assessments")).scalar_one()
        m = connection.execute(text("SELECT count(*) FROM procedures")).scalar_one()
    runs, before, reads, pandas_s, duck_s = [], [], [], [], []
    agree = True
    counts: dict[str, dict] = {}
    for _ in range(RUNS):  # in turn, so every path sees the same load
        runs.append(timed_report(engine, policy, point))
        before.append(timed_report(engine, policy, point, picked=False))
        read_s, rows, due, totals = reference_rows(engine, point)
        reads.append(read_s)
        seconds, counts["pandas"] = pandas_counts(rows, due, totals, policy, point)
        pandas_s.append(seconds)
        seconds, counts["duckdb"] = duckdb_counts(rows, due, totals, policy, point)
        duck_s.append(seconds)
        counts["thecal"] = thecal_counts(runs[-1][2])
        counts["before"] = thecal_counts(before[-1][2])
        agree = agree and all(c == counts["thecal"] for c in counts.values())
    report = runs[0][2]
    pgic = report.result(Measure.PGIC_IMPROVED)
    totals_pandas = [r + c for r, c in zip(reads, pandas_s, strict=True)]
    totals_duck = [r + c for r, c in zip(reads, duck_s, strict=True)]
    line = (
        f"| {label} | {m:,} | {n:,} | {load_s:.1f} s | "
        f"**{_median_range([r[0] for r in runs])}**; CPU here "
        f"{statistics.median(r[1] for r in runs):.2f} s | {_median_range([r[0] for r in before])} | "
        f"{_median_range(reads)} | {_median_range(pandas_s)} → {_median_range(totals_pandas)} | "
        f"{_median_range(duck_s)} → {_median_range(totals_duck)} | "
        f"{'yes' if agree else '**NO**'} |"
    )
    detail = json.dumps(counts, sort_keys=True)
    if not agree:
        line += f"\n\n<!-- disagreement on {label}: {detail} -->"
    return line + f"\n<!-- {label}: {pgic.sentence} -->", agree


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
    """Load, time and compare on both databases; a Markdown section."""
    lines = [
        "## Outcome report (issue 7): 100,000 patients, 2,000,000 assessments",
        "",
        (
            "The full report (all four procedure types, 3 months, report date 2025-07-01): the SQL "
            "read model streaming episodes into `analyse()`. *thecal report*: the query names the "
            "time point, so SQL picks each episode's baselines and follow-ups (one row per "
            "episode); *CPU here* is this process's CPU time (on SQLite all of it; on PostgreSQL "
            "the client's). *before*: every follow-up in the window streams into Python (the "
            "former path). The references read the rows they need with SQL that filters as "
            "thecal's read model does (due episodes of the four types; their baseline and window "
            "assessments) into one pandas frame (*reference read*), then count: *pandas* with "
            "idiomatic vectorised pandas (sort, `groupby().last()/first()`, boolean masks), "
            "*DuckDB* with one SQL query (ordered `first`/`last` aggregates with `FILTER`) over "
            "the same frame in memory; each shown as compute → read + compute. Every path ran "
            f"{RUNS} times in turn: medians with (min–max). *agree*: every count of every measure "
            "(eligible, completers, responders, without baseline) and the episode and "
            "not-yet-due totals are identical for thecal, the former path, pandas and DuckDB, in "
            "every run."
        ),
        "",
        (
            "| database | episodes | assessments | bulk load | thecal report | before | "
            "reference read | pandas | DuckDB | agree |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_database(engine)
        line, _ = measure(engine, load_sqlite, "SQLite")
        engine.dispose()
        lines.append(line)
    postgres = _postgres_engine()
    if postgres is None:
        lines.append(
            f"| PostgreSQL | — | — | — | not reachable at {make_url(POSTGRES)!r} | — | — | — | — | — |"
        )
    else:
        engine, admin, schema = postgres
        try:
            upgrade_database(engine)
            line, _ = measure(engine, load_postgres, "PostgreSQL")
            lines.append(line)
        finally:
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
