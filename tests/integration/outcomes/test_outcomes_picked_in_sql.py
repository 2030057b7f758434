"""The read model's fast path (SQL picks the baseline and each time point's follow-up) gives exactly
what ``analyse`` and ``outcome_summary`` get from every follow-up, on SQLite and PostgreSQL.

The data are seeded to be hard: several assessments of one measure on the same day (ties broken by
the assessment id, with ids that are prefixes of each other: ``a1`` < ``a12``), follow-ups the same
distance before and after the target, missing measures, assessments outside every window,
procedures without any assessment, and a window cut by ``first_day``/``last_day``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert

from thecal.adapters.read_models.outcomes import SqlOutcomeReadModel
from thecal.adapters.sql.tables.assessments import assessments
from thecal.adapters.sql.tables.patients import patients
from thecal.adapters.sql.tables.procedures import procedures
from thecal.reports.outcome_policy import OutcomePolicy, TimePoint
from thecal.reports.outcome_source import EpisodeQuery, outcome_summary
from thecal.reports.outcomes import Episode, ProcedureType, analyse

REPORT_DATE = dt.date(2025, 7, 1)
AT = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
KINDS = (
    "facet_joint_injection",
    "epidural_steroid_injection",
    "intrathecal_pump_implant",
    "refill",
)


def _seed(engine: Engine, *, procedures_n: int = 240, seed: int = 7) -> None:
    rng = random.Random(seed)
    patient_rows, procedure_rows, assessment_rows = [], [], []
    serial = 0
    for number in range(procedures_n):
        pid, proc = f"p{number}", f"x{number}"
        patient_rows.append(
            {
                "id": pid,
                "mrn": f"M{number}",
                "family_name": "T",
                "family_name_folded": "t",
                "given_names": "T",
                "birth_date": dt.date(1960, 1, 1),
                "sex": "female",
                "phone": "",
                "email": "",
                "address": "",
                "registered_at": AT,
                "version": 1,
            }
        )
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
        procedure_rows.append(
            {
                "id": proc,
                "patient_id": pid,
                "kind": rng.choice(KINDS),
                "performed_on": day,
                "indication": rng.choice(("L-RAD", "FBSS")),
                "performer_id": "u",
                "recorded_by": "u",
                "recorded_at": AT,
                "notes": "",
                "version": 1,
            }
        )
        if number % 17 == 0:
            continue  # no assessment at all
        days = [rng.randint(-20, 0) for _ in range(3)] + [
            rng.choice((60, 75, 90, 105, 120, 30, 180, 200, 365, 400, 1, 500))
            for _ in range(rng.randint(0, 12))
        ]
        for offset in days:
            serial += 1
            for _ in range(rng.choice((1, 1, 2))):  # sometimes two on one day
                serial += rng.choice((1, 10))  # ids that are prefixes of later ones
                assessment_rows.append(
                    {
                        "id": f"a{serial}",
                        "patient_id": pid,
                        "procedure_id": proc,
                        "instrument": "nrs",
                        "assessed_on": day + dt.timedelta(days=offset),
                        "days_after_procedure": offset,
                        "pain_nrs": rng.choice((None, Decimal(rng.randint(0, 10)), Decimal("7.5"))),
                        "odi_percent": rng.choice((None, Decimal(rng.randint(0, 100)) / 3)),
                        "pgic": rng.choice((None, rng.randint(1, 7))),
                        "eq_vas": rng.choice((None, rng.randint(0, 100))),
                        "answers_json": "{}",
                        "scores_json": "{}",
                        "recorded_by": "u",
                        "recorded_at": AT,
                        "version": 1,
                    }
                )
    with engine.begin() as connection:
        connection.execute(insert(patients), patient_rows)
        connection.execute(insert(procedures), procedure_rows)
        connection.execute(insert(assessments), assessment_rows)


class _AllFollowUps:
    """The same read model with the time points dropped: every follow-up, the reference path."""

    def __init__(self, model: SqlOutcomeReadModel) -> None:
        self.model = model

    def episodes(self, query: EpisodeQuery) -> Iterable[Episode]:
        return self.model.episodes(dataclasses.replace(query, time_points=()))


@pytest.fixture
def model(migrated: Engine) -> SqlOutcomeReadModel:
    _seed(migrated)
    return SqlOutcomeReadModel(migrated)


POLICY = OutcomePolicy()
OVERLAPPING = TimePoint(name="around 3 months", target_day=100, window_days=45)


@pytest.mark.parametrize("procedure", [None, ProcedureType.EPIDURAL_STEROID_INJECTION])
@pytest.mark.parametrize("point", [*POLICY.time_points, OVERLAPPING])
def test_the_picked_follow_ups_give_the_same_report_as_every_follow_up(
    model: SqlOutcomeReadModel, point: TimePoint, procedure: ProcedureType | None
) -> None:
    def report(query: EpisodeQuery) -> object:
        return analyse(
            model.episodes(query),
            POLICY,
            report_date=REPORT_DATE,
            time_point=point,
            procedure=procedure,
        )

    wide = EpisodeQuery(procedure=procedure, first_day=point.first_day, last_day=point.last_day)
    picked = dataclasses.replace(wide, time_points=(point,))
    expected = report(wide)
    assert report(picked) == expected
    assert expected.result(expected.measures[0].measure).completers > 0  # a report, not zeros


def test_the_summary_with_trajectories_is_the_same_from_picks_and_from_every_follow_up(
    model: SqlOutcomeReadModel,
) -> None:
    point = POLICY.time_point("3 months")
    for indication in (None, "FBSS"):
        fast = outcome_summary(
            model, POLICY, report_date=REPORT_DATE, time_point=OVERLAPPING, indication=indication
        )
        reference = outcome_summary(
            _AllFollowUps(model),
            POLICY,
            report_date=REPORT_DATE,
            time_point=OVERLAPPING,
            indication=indication,
        )
        assert fast == reference
        assert fast.trajectory[1].time_point == point
        assert fast.trajectory[1].pain_n > 0


def test_a_window_cut_away_by_the_days_asked_for_picks_nothing(
    model: SqlOutcomeReadModel,
) -> None:
    point = POLICY.time_point("12 months")
    query = EpisodeQuery(first_day=1, last_day=200, time_points=(point,))
    episodes = list(model.episodes(query))
    assert episodes  # every episode still comes, without follow-ups
    assert all(not e.follow_ups for e in episodes)
    assert sorted(e.patient_id for e in episodes) == sorted(
        e.patient_id for e in model.episodes(dataclasses.replace(query, time_points=()))
    )
