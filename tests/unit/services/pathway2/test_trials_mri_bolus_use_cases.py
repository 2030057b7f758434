"""Trials, MRI plans and patient boluses over the fakes (the twin behind the driver)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pathway_scenario import NURSE, PATIENT_USER, PHYSICIAN, MovableClock, actor, implant
from plans_scenario import observation, plan_morphine_trial, prometra_implant, with_patient_bolus
from records_fakes import FakeUnitOfWork

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.authorization import AccessDenied
from thecal.domain.mri import MriEmptyingMissing, MriState
from thecal.domain.program_change import OverrideJustification, OverrideReason
from thecal.domain.tasks import TaskKind
from thecal.domain.trial import (
    ObservationPeriodNotElapsed,
    PatientTooSedated,
    Sedation,
    TrialDecision,
    TrialNotSuccessful,
    TrialState,
)
from thecal.services.mri import (
    ClearMri,
    EmptyPumpForMri,
    PlanMri,
    RecordMriScan,
    clear_mri,
    empty_pump_for_mri,
    plan_mri,
    record_mri_scan,
)
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.pumps import implant_pump
from thecal.services.repositories.tasks import TaskState
from thecal.services.trials import (
    AdministerTrial,
    DecideTrial,
    DischargeTrial,
    ObserveTrial,
    TrialOverrideMissing,
    administer_trial,
    decide_trial,
    discharge_trial,
    observe_trial,
    plan_trial,
)


def _dosed_trial(uow: FakeUnitOfWork, clock: MovableClock) -> None:
    plan_trial(plan_morphine_trial(clock.now()), uow=uow, clock=clock)
    clock.advance(minutes=30)
    administer_trial(
        AdministerTrial(actor=actor(PHYSICIAN), trial_id="trial-1", expected_version=1),
        uow=uow,
        clock=clock,
    )


def _observe(uow: FakeUnitOfWork, clock: MovableClock, **kw: object) -> None:
    observe_trial(
        ObserveTrial(
            actor=actor(NURSE), trial_id="trial-1", observation=observation(clock.now(), **kw)
        ),  # type: ignore[arg-type]
        uow=uow,
        clock=clock,
    )


def test_a_trial_discharge_before_the_24_hour_label_period_is_refused_and_allowed_after_it(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    _dosed_trial(uow, clock)
    clock.advance(hours=6)
    _observe(uow, clock)
    trial = uow.database.plans.trials["trial-1"][0]
    with pytest.raises(ObservationPeriodNotElapsed) as refused:
        discharge_trial(
            DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=trial.version),
            uow=uow,
            clock=clock,
        )
    assert "S4" in refused.value.message
    assert uow.database.plans.trials["trial-1"][0].state is TrialState.ADMINISTERED
    clock.advance(hours=18)
    _observe(uow, clock, pain=4)
    version = uow.database.plans.trials["trial-1"][0].version
    discharged = discharge_trial(
        DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=version),
        uow=uow,
        clock=clock,
    )
    assert discharged.state is TrialState.DISCHARGED
    assert len(discharged.observations) == 2


def test_a_somnolent_patient_is_not_discharged_even_after_the_period(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    _dosed_trial(uow, clock)
    clock.advance(hours=25)
    _observe(uow, clock, sedation=Sedation.SOMNOLENT)
    version = uow.database.plans.trials["trial-1"][0].version
    with pytest.raises(PatientTooSedated):
        discharge_trial(
            DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=version),
            uow=uow,
            clock=clock,
        )


def test_a_62_percent_pain_reduction_lets_the_physician_decide_to_implant(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    _dosed_trial(uow, clock)
    clock.advance(hours=14)
    _observe(uow, clock, pain=3)  # 8 → 3: 62.5 % ≥ 50 % (S42)
    clock.advance(hours=10)
    _observe(uow, clock, pain=3)  # still 62.5 % 10 h later: sustained ≥ 8 h (S40)
    version = uow.database.plans.trials["trial-1"][0].version
    discharge_trial(
        DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=version),
        uow=uow,
        clock=clock,
    )
    decided = decide_trial(
        DecideTrial(
            actor=actor(PHYSICIAN),
            trial_id="trial-1",
            expected_version=version + 1,
            decision=TrialDecision.IMPLANT,
            rationale="62.5 % reduction, function improved",
        ),
        uow=uow,
        clock=clock,
    )
    assert decided.state is TrialState.DECIDED
    assert decided.evaluation is not None
    assert decided.evaluation.pain_reduction_pct == Decimal("62.5")


def test_an_implant_decision_after_a_failed_trial_is_refused(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    _dosed_trial(uow, clock)
    clock.advance(hours=24)
    _observe(uow, clock, pain=6)  # 8 → 6: 25 %
    version = uow.database.plans.trials["trial-1"][0].version
    discharge_trial(
        DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=version),
        uow=uow,
        clock=clock,
    )
    with pytest.raises(TrialNotSuccessful):
        decide_trial(
            DecideTrial(
                actor=actor(PHYSICIAN),
                trial_id="trial-1",
                expected_version=version + 1,
                decision=TrialDecision.IMPLANT,
                rationale="try anyway",
            ),
            uow=uow,
            clock=clock,
        )


def test_a_trial_dose_outside_the_library_range_needs_a_written_override(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    with pytest.raises(TrialOverrideMissing) as refused:
        plan_trial(plan_morphine_trial(clock.now(), dose_mg="0.8"), uow=uow, clock=clock)
    assert "ITS-TRIAL-001" in refused.value.message
    assert uow.database.plans.trials == {}
    cmd = plan_morphine_trial(clock.now(), dose_mg="0.8")
    justified = type(cmd)(
        **{
            **{f: getattr(cmd, f) for f in cmd.__dataclass_fields__},
            "overrides": (
                OverrideJustification(
                    finding_code="ITS-TRIAL-001",
                    reason=OverrideReason.TOLERANCE_DOCUMENTED,
                    text="on 200 mg oral morphine a day",
                ),
            ),
        }
    )
    planned = plan_trial(justified, uow=uow, clock=clock)
    assert [f.code for f in planned.findings] == ["ITS-TRIAL-001"]


def test_a_nurse_may_not_plan_a_trial(uow: FakeUnitOfWork, clock: MovableClock) -> None:
    cmd = plan_morphine_trial(clock.now())
    with pytest.raises(AccessDenied):
        plan_trial(
            type(cmd)(
                **{**{f: getattr(cmd, f) for f in cmd.__dataclass_fields__}, "actor": actor(NURSE)}
            ),
            uow=uow,
            clock=clock,
        )


def _plan_prometra_mri(uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver) -> None:
    implant_pump(prometra_implant(), uow=uow, clock=clock, driver=driver)
    plan_mri(
        PlanMri(
            actor=actor(NURSE),
            pump_id="pump-prometra",
            scan_at=clock.now() + dt.timedelta(days=2),
            field_strength_t=Decimal("1.5"),
            plan_id="mri-1",
        ),
        uow=uow,
        clock=clock,
    )


def test_clearing_a_prometra_for_mri_without_emptying_it_is_refused(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    _plan_prometra_mri(uow, clock, driver)
    with pytest.raises(MriEmptyingMissing) as refused:
        clear_mri(ClearMri(actor=actor(PHYSICIAN), plan_id="mri-1"), uow=uow, clock=clock)
    assert refused.value.code == "THC-PATH-051"
    assert uow.database.plans.mri["mri-1"][0].state is MriState.PLANNED
    assert not any(
        t.task.kind is TaskKind.POST_MRI_INTERROGATION for t in uow.database.pathway.tasks.values()
    )


def test_an_emptied_cleared_and_scanned_mri_leaves_one_open_post_mri_task_dated_from_the_scan(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    _plan_prometra_mri(uow, clock, driver)
    clock.advance(days=1)
    pump_version = uow.database.pathway.pumps["pump-prometra"].version
    emptied = empty_pump_for_mri(
        EmptyPumpForMri(actor=actor(NURSE), plan_id="mri-1", expected_pump_version=pump_version),
        uow=uow,
        clock=clock,
        driver=driver,
    )
    assert emptied.emptied_volume is not None
    assert (
        Decimal(15) < emptied.emptied_volume.ml <= Decimal(20)
    )  # 20 mL less one day at 0.2 mL/day
    commands = [c.kind for c in uow.database.pathway.commands if c.serial == emptied.pump_serial]
    assert commands[-1] == "withdraw"
    pump = uow.database.pathway.pumps["pump-prometra"]
    assert pump.reservoir_volume.ml == 0  # the next refill expects no residual
    assert pump.next_refill_due == clock.now()
    clear_mri(ClearMri(actor=actor(PHYSICIAN), plan_id="mri-1"), uow=uow, clock=clock)
    clock.advance(days=1, hours=1)
    scanned = record_mri_scan(
        RecordMriScan(actor=actor(NURSE), plan_id="mri-1"), uow=uow, clock=clock
    )
    assert scanned.state is MriState.SCANNED
    post_mri = [
        t
        for t in uow.database.pathway.tasks.values()
        if t.task.kind is TaskKind.POST_MRI_INTERROGATION
    ]
    open_tasks = [t for t in post_mri if t.state is TaskState.OPEN]
    assert len(post_mri) == 2
    assert len(open_tasks) == 1
    assert open_tasks[0].task.not_before == clock.now()
    assert "refill and restart" in open_tasks[0].task.reason


def test_a_patient_bolus_inside_the_lockout_is_denied_by_the_pump_and_logged(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(with_patient_bolus(implant()), uow=uow, clock=clock, driver=driver)
    clock.advance(hours=2)
    first = request_patient_bolus(
        RequestPatientBolus(actor=actor(PATIENT_USER)), uow=uow, clock=clock, driver=driver
    )
    clock.advance(hours=1)
    second = request_patient_bolus(
        RequestPatientBolus(actor=actor(PATIENT_USER)), uow=uow, clock=clock, driver=driver
    )
    assert first.granted
    assert not second.granted
    assert second.reason == "lockout"
    log = [(b.granted, b.reason, b.source) for b in uow.database.pathway.boluses]
    assert log[-2:] == [(True, first.reason, "request"), (False, "lockout", "request")]
    assert [e.action for e in uow.database.audit[-2:]] == ["pump.patient_bolus"] * 2


def test_a_nurse_may_not_press_the_patients_bolus_button(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    implant_pump(with_patient_bolus(implant()), uow=uow, clock=clock, driver=driver)
    before = len(uow.database.pathway.boluses)
    with pytest.raises(AccessDenied):
        request_patient_bolus(
            RequestPatientBolus(actor=actor(NURSE), pump_id="pump-1"),
            uow=uow,
            clock=clock,
            driver=driver,
        )
    assert len(uow.database.pathway.boluses) == before
