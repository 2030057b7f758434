"""The demo clinic, seeded through the real use cases on SQLite and PostgreSQL: every pathway
feature appears, exactly one pocket fill, the audit chain verifies, the outcome report has
patients behind every procedure type, MRIs leave one post-MRI task on today's worklist, every
patient with a bolus button presses it (some presses refused in the lockout), the pump twins
rebuilt from their snapshots equal full replays, and the same seed gives the same clinic."""

from __future__ import annotations

import datetime as dt

import pytest
from records_db import AUDIT_KEY

from thecal.adapters.read_models.outcomes import SqlOutcomeReadModel
from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.adapters.sql.database import make_engine
from thecal.adapters.sql.tables.twin import pump_twin_snapshots
from thecal.adapters.twin import state as twin_state
from thecal.adapters.twin.commands import UnitOfWorkCommandLog
from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal, bootstrap
from thecal.config import Settings
from thecal.domain.tasks import TaskClosure, TaskKind, TaskPriority
from thecal.domain.users import Role
from thecal.entrypoints.cli.demo import ClinicNotEmpty, run_seed
from thecal.reports.outcome_policy import OutcomePolicy
from thecal.reports.outcome_source import outcome_summary
from thecal.reports.outcomes import Measure, ProcedureType
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.clock import Clock
from thecal.services.demo import SeedSummary
from thecal.services.demo.cohort import PUMP_MODELS
from thecal.services.repositories.device_log import DeviceSnapshot
from thecal.services.repositories.tasks import StoredTask
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.services.worklist import (
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

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
        "concentration changes",  # at a refill, with a bridge bolus (issue 12 §2)
        "drug rotations",  # morphine → hydromorphone, with a bridge bolus
        "catheter revisions",  # device events (issue 12 §3)
        "interruptions",
        "restarts",
        "restarts as new starts",  # after a long interruption: signed and co-signed, then sent
        "flex titrations",  # a higher day rate over the day (issue 12 §1)
        "periodic boluses",  # on a pump that runs them (Prometra)
        "pump replacements",  # at ERI, SynchroMed II → Prometra II
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


def assert_mris_and_one_open_post_mri_task(app: Thecal, summary: SeedSummary) -> None:
    """Past MRIs are closed (by the interrogation, or by the nurse after an emptied pump's
    refill); yesterday's scan leaves its task open, due today, on today's worklist."""
    counts = summary.counts
    assert counts["MRI scans"] == counts["MRI plans"] >= 3
    assert counts["MRI pump emptyings"] >= 1  # a Prometra
    assert counts["post-MRI tasks closed"] >= 1  # the nurse, after the refill
    closed: list[StoredTask] = []
    still_open: list[StoredTask] = []
    with app.uow() as uow:
        for serial in summary.serials:
            pump = uow.pumps.get_by_serial(serial)
            assert pump is not None
            for stored in uow.tasks.for_patient(pump.patient_id):
                if stored.task.kind is TaskKind.POST_MRI_INTERROGATION:
                    (still_open if stored.completion is None else closed).append(stored)
    assert len(still_open) == 1
    (task,) = still_open
    today = dt.datetime.combine(TODAY, dt.time(0, 0), tzinfo=dt.UTC)
    assert today <= task.task.due < today + dt.timedelta(days=1)
    hows = {t.completion.how for t in closed if t.completion is not None}
    assert TaskClosure.CLOSED_BY_INTERROGATION in hows  # a SynchroMed, once its motor resumed
    assert TaskClosure.COMPLETED_BY_USER in hows  # a Prometra, refilled and restarted
    source = SqlWorklistReadModel(app.engine)

    def worklist(cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock) -> WorklistPage:
        return read_worklist(cmd, uow=uow, clock=clock, source=source)

    with app.uow() as uow:
        nurse = uow.users.get_by_username("nurse")
    assert nurse is not None
    tomorrow = today + dt.timedelta(days=1)
    query = WorklistQuery(
        kinds=frozenset({WorklistKind.POST_MRI_INTERROGATION}), due_before=tomorrow
    )
    page = app.run(worklist, ReadWorklist(actor=nurse.as_actor(), query=query))
    assert [row.record_id for row in page.rows] == [task.id]


def assert_no_stale_urgent_task(app: Thecal, summary: SeedSummary) -> None:
    """The demo leaves no urgent task open past its due date: the nurse closed each on its day,
    with a note (only the last day's post-MRI task, due today, is still open)."""
    today = dt.datetime.combine(TODAY, dt.time(0, 0), tzinfo=dt.UTC)
    assert summary.counts["urgent tasks closed on their day"] >= 1
    with app.uow() as uow:
        stale = [
            (t.task.kind.value, t.task.due)
            for t in uow.tasks.open_tasks(limit=500)
            if t.task.priority is TaskPriority.URGENT and t.task.due < today
        ]
        for serial in summary.serials:
            pump = uow.pumps.get_by_serial(serial)
            assert pump is not None
            for stored in uow.tasks.for_patient(pump.patient_id):
                done = stored.completion
                urgent = stored.task.priority is TaskPriority.URGENT
                if urgent and done is not None and done.how is TaskClosure.COMPLETED_BY_USER:
                    assert done.note, stored.id  # the rule: what was done
                    assert done.at < stored.task.due + dt.timedelta(days=1)  # on its day
    assert stale == []


def assert_every_bolus_button_is_pressed(app: Thecal, summary: SeedSummary) -> None:
    """Every pump whose program has a bolus button gets requests from its patient's own portal
    account, granted and refused in the lockout; a baclofen pump (no button) gets none."""
    counts = summary.counts
    assert counts["patient bolus requests refused: lockout"] > 0
    assert counts["patient bolus requests granted"] > counts["patient bolus requests"] / 2
    with_button = 0
    with app.uow() as uow:
        for serial in summary.serials:
            pump = uow.pumps.get_by_serial(serial)
            assert pump is not None
            assert pump.program is not None
            requests = [b for b in uow.device_log.boluses(pump.id) if b.source == "request"]
            if pump.program.patient_bolus is None:
                assert requests == []
                continue
            with_button += 1
            assert len(requests) >= 3, serial
            assert any(b.granted for b in requests), serial
            portal = [
                u
                for u in uow.users.page(limit=100, offset=0)
                if u.role is Role.PATIENT and u.patient_id == pump.patient_id
            ]
            assert len(portal) == 1, serial
    assert with_button >= 4
    assert counts["portal accounts"] == with_button - 1  # the demo patient already had one


class _WithoutSnapshots(UnitOfWorkCommandLog):
    def latest_snapshot(self, serial: str) -> DeviceSnapshot | None:
        del serial
        return None


def assert_snapshots_resume_the_twins_a_full_replay_builds(
    app: Thecal, summary: SeedSummary
) -> None:
    with app.engine.connect() as connection:
        saved = connection.execute(pump_twin_snapshots.select()).all()
    assert len(saved) >= 3
    for serial in summary.serials:
        with app.uow() as uow:
            resumed = TwinStoreDriver.for_unit_of_work(uow, clock=app.clock)
            replayed = TwinStoreDriver(_WithoutSnapshots(uow), clock=app.clock)
            state = twin_state.snapshot(resumed.twin(serial))
            assert state == twin_state.snapshot(replayed.twin(serial)), serial
            assert resumed.snapshots_ignored == 0
            full = len(uow.device_commands.for_serial(serial))
            assert replayed.replayed_commands == full
            if uow.device_commands.latest_snapshot(serial) is not None:
                assert resumed.replayed_commands < full


def test_a_small_seed_has_every_feature_a_sound_audit_chain_and_reportable_outcomes(
    settings: Settings,
) -> None:
    summary = seed(settings)
    assert summary is not None
    assert_every_feature(summary)
    assert_audit_chain_verifies(settings)
    assert_outcomes_for_every_procedure_type(settings)
    app = bootstrap(settings, engine=make_engine(settings.database_url))
    try:
        assert_mris_and_one_open_post_mri_task(app, summary)
        assert_no_stale_urgent_task(app, summary)
        assert_every_bolus_button_is_pressed(app, summary)
        assert_snapshots_resume_the_twins_a_full_replay_builds(app, summary)
    finally:
        app.close()
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
                    boluses = uow.device_log.boluses(pump.id)
                    pumps.append(tuple((b.at, b.granted, b.reason, b.source) for b in boluses))
        finally:
            app.close()
        clinics.append((summary, pumps))
    (first, first_pumps), (second, second_pumps) = clinics
    assert first == second
    assert first_pumps == second_pumps
