"""The demo clinic, seeded through the real use cases on SQLite and PostgreSQL: every pathway
feature appears, exactly one pocket fill, the audit chain verifies, the outcome report has
patients behind every procedure type, and the same seed gives the same clinic."""

from __future__ import annotations

import datetime as dt

import pytest
from records_db import AUDIT_KEY

from thecal.adapters.database import make_engine
from thecal.adapters.read_models.outcomes import SqlOutcomeReadModel
from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.entrypoints.cli.demo import ClinicNotEmpty, run_seed
from thecal.reports.outcome_policy import OutcomePolicy
from thecal.reports.outcome_source import outcome_summary
from thecal.reports.outcomes import Measure, ProcedureType
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.demo import SeedSummary
from thecal.services.demo.cohort import PUMP_MODELS

TODAY = dt.date(2026, 1, 10)
PATIENTS = 14
SEED = 424242


def seed(settings: Settings, *, only_if_empty: bool = False) -> SeedSummary | None:
    return run_seed(
        patients=PATIENTS, seed=SEED, today=TODAY, settings=settings, only_if_empty=only_if_empty
    )


def assert_every_feature(summary: SeedSummary) -> None:
    counts = summary.counts
    for kind in (
        "patients",
        "candidacy assessments",
        "trials succeeded",
        "trials failed",
        "implants",
        "program changes",
        "pharmacy verifications",
        "refills",
        "refill discrepancies",
        "patient bolus requests",
        "alarms",
        "interrogations",
        "assessments",
    ):
        assert counts.get(kind, 0) > 0, kind
    assert counts["pocket fills"] == 1
    assert counts["patients"] == PATIENTS
    assert set(summary.pumps_by_model) == set(PUMP_MODELS)
    assert set(summary.procedures_by_kind) == {
        "facet_joint_injection",
        "epidural_steroid_injection",
        "intrathecal_trial",
        "intrathecal_pump_implant",
    }
    assert set(summary.assessments_by_instrument) == {"nrs", "pgic", "odi", "eq5d5l", "bpi-sf"}
    assert "spasticity" in summary.by_indication


def assert_audit_chain_verifies(settings: Settings) -> None:
    app = bootstrap(settings, engine=make_engine(settings.database_url))
    try:
        with app.uow() as uow:
            user = uow.users.get_by_username("physician")
        assert user is not None
        report = app.run(verify_audit, VerifyAudit(actor=user.as_actor()))
    finally:
        app.close()
    assert report.ok
    assert report.entries_checked > PATIENTS * 10


def assert_outcomes_for_every_procedure_type(settings: Settings) -> None:
    policy = OutcomePolicy()
    engine = make_engine(settings.database_url)
    try:
        source = SqlOutcomeReadModel(engine)
        for procedure in ProcedureType:
            summary = outcome_summary(
                source,
                policy,
                report_date=TODAY,
                time_point=policy.time_point("1 month"),
                procedure=procedure,
            )
            pgic = next(m for m in summary.report.measures if m.measure is Measure.PGIC_IMPROVED)
            assert summary.report.episodes > 0, procedure
            assert pgic.eligible > 0, procedure
    finally:
        engine.dispose()


def test_a_small_seed_has_every_feature_a_sound_audit_chain_and_reportable_outcomes(
    settings: Settings,
) -> None:
    summary = seed(settings)
    assert summary is not None
    assert_every_feature(summary)
    assert_audit_chain_verifies(settings)
    assert_outcomes_for_every_procedure_type(settings)
    with pytest.raises(ClinicNotEmpty) as refused:
        seed(settings)
    assert refused.value.code == "THC-DEMO-001"
    assert seed(settings, only_if_empty=True) is None


def test_the_same_seed_gives_the_same_clinic(tmp_path_factory: pytest.TempPathFactory) -> None:
    clinics = []
    for run in ("first", "second"):
        url = f"sqlite:///{tmp_path_factory.mktemp(run)}/thecal.db"
        settings = Settings(database_url=url, audit_key=AUDIT_KEY, env="test")  # type: ignore[arg-type]
        summary = seed(settings)
        assert summary is not None
        app = bootstrap(settings, engine=make_engine(url))
        try:
            with app.uow() as uow:
                pumps = []
                for serial in summary.serials:
                    pump = uow.pumps.get_by_serial(serial)
                    assert pump is not None
                    pumps.append(
                        (pump.id, pump.model_id, pump.next_refill_due, pump.reservoir_volume)
                    )
                    refills = [
                        (r.refill_id, r.reconciliation.describe() if r.reconciliation else None)
                        for r in uow.refills.for_pump(pump.id)
                    ]
                    pumps.append(tuple(refills))
        finally:
            app.close()
        clinics.append((summary, pumps))
    (first, first_pumps), (second, second_pumps) = clinics
    assert first == second
    assert first_pumps == second_pumps
