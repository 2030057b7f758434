"""Procedures, assessments and the outcome read model on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from outcomes_clinic import PROCEDURE_DAY, REPORT_DATE, seed_clinic
from records_db import seed_user

from thecal.adapters.read_models.outcomes import SqlOutcomeReadModel
from thecal.bootstrap import Thecal
from thecal.domain.authorization import AccessDenied
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments import Instrument, Pgic
from thecal.domain.users import Actor, Role
from thecal.reports.outcome_policy import OutcomePolicy
from thecal.reports.outcome_source import EpisodeQuery, outcome_summary
from thecal.reports.outcomes import Measure, ProcedureType
from thecal.services.assessments import ListAssessments, list_assessments
from thecal.services.outcomes import OpenOutcomeReport, open_outcome_report
from thecal.services.procedures import ListProcedures, list_procedures

EPIDURAL = ProcedureType.EPIDURAL_STEROID_INJECTION


@pytest.fixture
def clinic(app: Thecal) -> dict[str, str]:
    nurse = seed_user(app, username="nina", role=Role.NURSE)
    return seed_clinic(app, nurse.as_actor())


def test_assessments_round_trip_with_their_scores_and_link(
    app: Thecal, clinic: dict[str, str]
) -> None:
    with app.uow() as uow:
        procedure = uow.procedures.get(clinic["P1"])
    assert procedure is not None
    assert procedure.performed_on == PROCEDURE_DAY
    reader = seed_user(app, username="phil", role=Role.PHYSICIAN).as_actor()
    found = app.run(
        list_assessments, ListAssessments(actor=reader, patient_id=procedure.patient_id)
    )
    by_kind = {(a.instrument, a.days_after_procedure): a for a in found}
    assert set(by_kind) == {
        (Instrument.NRS, -3),
        (Instrument.ODI, -3),
        (Instrument.NRS, 89),
        (Instrument.PGIC, 89),
        (Instrument.ODI, 89),
    }
    assert by_kind[Instrument.ODI, -3].figures.odi_percent == Decimal(60)
    assert by_kind[Instrument.ODI, -3].answers["pain_intensity"] == 5
    assert by_kind[Instrument.PGIC, 89].figures.pgic is Pgic.VERY_MUCH_IMPROVED
    assert by_kind[Instrument.NRS, 89].scores == {"pain": "2"}
    procedures = app.run(
        list_procedures, ListProcedures(actor=reader, patient_id=procedure.patient_id)
    )
    assert {p.id for p in procedures} == {clinic["P1"], clinic["P1-facet"]}


def test_the_read_model_gives_one_episode_per_procedure_with_latest_baselines(
    app: Thecal, clinic: dict[str, str]
) -> None:
    model = SqlOutcomeReadModel(app.engine)
    episodes = list(model.episodes(EpisodeQuery(procedure=EPIDURAL, first_day=60, last_day=120)))
    assert len(episodes) == 6
    assert {e.procedure for e in episodes} == {EPIDURAL}
    first = next(e for e in episodes if e.baseline_pain_nrs == Decimal(8))
    assert (first.baseline_odi_percent, first.procedure_date) == (Decimal(60), PROCEDURE_DAY)
    assert [(f.days_after, f.pain_nrs) for f in first.follow_ups if f.pain_nrs is not None] == [
        (89, Decimal(2))
    ]
    lost = next(e for e in episodes if e.baseline_pain_nrs == Decimal(9))
    assert lost.follow_ups == ()


def test_the_read_model_leaves_out_follow_ups_outside_the_requested_days(
    app: Thecal, clinic: dict[str, str]
) -> None:
    model = SqlOutcomeReadModel(app.engine)
    episodes = list(model.episodes(EpisodeQuery(procedure=EPIDURAL, first_day=1, last_day=30)))
    assert all(e.follow_ups == () for e in episodes)
    assert all(e.baseline_pain_nrs is not None for e in episodes)  # baselines always come


def test_the_read_model_filters_by_procedure_and_indication(
    app: Thecal, clinic: dict[str, str]
) -> None:
    model = SqlOutcomeReadModel(app.engine)
    facets = list(model.episodes(EpisodeQuery(procedure=ProcedureType.FACET_JOINT_INJECTION)))
    assert [e.indication for e in facets] == ["L-FACET"]
    assert len(list(model.episodes(EpisodeQuery(indication="L-RAD")))) == 6
    assert list(model.episodes(EpisodeQuery(indication="NONE"))) == []
    assert len(list(model.episodes(EpisodeQuery()))) == 7


def test_the_small_clinic_gives_the_hand_counted_figures(
    app: Thecal, clinic: dict[str, str]
) -> None:
    policy = OutcomePolicy()
    summary = outcome_summary(
        SqlOutcomeReadModel(app.engine),
        policy,
        report_date=REPORT_DATE,
        time_point=policy.time_point("3 months"),
        procedure=EPIDURAL,
        indication="L-RAD",
    )
    report = summary.report
    counts = {
        m.measure: (m.eligible, m.completers, m.responders, m.lost_to_follow_up, m.no_baseline)
        for m in report.measures
    }
    assert counts == {
        Measure.PGIC_IMPROVED: (6, 5, 2, 1, 0),  # P3 only minimally improved
        Measure.PAIN_SUBSTANTIAL: (5, 4, 2, 1, 1),
        Measure.PAIN_LESS: (5, 4, 2, 1, 1),
        Measure.FUNCTION_IMPROVED: (3, 3, 2, 0, 3),
        Measure.QUALITY_OF_LIFE_BETTER: (0, 0, 0, 0, 6),
    }
    assert report.result(Measure.FUNCTION_IMPROVED).sentence.startswith(
        "Over 66 % of our epidural patients with indication L-RAD improved in function"
    )
    assert dict(summary.pgic_distribution)[Pgic.MINIMALLY_WORSE] == 1
    three_months = next(p for p in summary.trajectory if p.time_point.name == "3 months")
    assert (three_months.pain_n, three_months.pain_baseline_mean, three_months.pain_mean) == (
        4,
        Decimal("6.5"),
        Decimal(4),
    )


def test_opening_a_report_is_audited_and_refused_to_pharmacists(
    app: Thecal, clinic: dict[str, str]
) -> None:
    def request(actor: Actor) -> OpenOutcomeReport:
        return OpenOutcomeReport(
            actor=actor,
            procedure="epidural_steroid_injection",
            indication=None,
            time_point="3 months",
            report_date=REPORT_DATE,
        )

    pharmacist = seed_user(app, username="pia", role=Role.PHARMACIST).as_actor()
    with pytest.raises(AccessDenied):
        app.run(open_outcome_report, request(pharmacist))
    admin = seed_user(app, username="ada", role=Role.ADMIN).as_actor()
    app.run(open_outcome_report, request(admin))
    with app.uow() as uow:
        last = list(uow.audit_log.entries())[-1]
    assert (last.action, last.subject, last.actor) == ("outcomes.report", "outcomes", admin.user_id)


def test_a_report_as_of_a_day_after_today_is_refused(app: Thecal, clinic: dict[str, str]) -> None:
    admin = seed_user(app, username="ada", role=Role.ADMIN).as_actor()
    with pytest.raises(ValueOutOfRange, match="report date"):
        app.run(
            open_outcome_report,
            OpenOutcomeReport(
                actor=admin,
                procedure=None,
                indication=None,
                time_point="3 months",
                report_date=dt.date(2025, 7, 2),  # the fixed clock's today is 2025-07-01
            ),
        )
