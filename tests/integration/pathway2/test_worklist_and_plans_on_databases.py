"""Trials, MRI plans, patient boluses and the worklist on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pathway_scenario import (
    NURSE,
    PATIENT_USER,
    PHYSICIAN,
    MovableClock,
    actor,
    implant,
    propose,
    refill,
    sign,
    verify,
)
from plans_scenario import observation, plan_morphine_trial, prometra_implant, with_patient_bolus

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.bootstrap import Thecal
from thecal.domain.mri import MriEmptyingMissing
from thecal.domain.trial import ObservationPeriodNotElapsed, TrialState
from thecal.services.clock import Clock
from thecal.services.mri import (
    ClearMri,
    EmptyPumpForMri,
    PlanMri,
    clear_mri,
    empty_pump_for_mri,
    plan_mri,
)
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import propose_program_change, sign_program_change
from thecal.services.pumps import GetPump, get_pump, implant_pump
from thecal.services.refills import perform_refill
from thecal.services.trials import (
    AdministerTrial,
    DischargeTrial,
    GetTrial,
    ObserveTrial,
    administer_trial,
    discharge_trial,
    get_trial,
    observe_trial,
    plan_trial,
)
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.services.worklist import (
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

FAR = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)


def worklist(clinic: Thecal, query: WorklistQuery) -> WorklistPage:
    source = SqlWorklistReadModel(clinic.engine)

    def use_case(cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock) -> WorklistPage:
        return read_worklist(cmd, uow=uow, clock=clock, source=source)

    return clinic.run(use_case, ReadWorklist(actor=actor(NURSE), query=query))


def _dose_trial(clinic: Thecal, clock: MovableClock) -> None:
    clinic.run(plan_trial, plan_morphine_trial(clock.now()))
    clock.advance(minutes=20)
    clinic.run(
        administer_trial,
        AdministerTrial(actor=actor(PHYSICIAN), trial_id="trial-1", expected_version=1),
    )
    clock.advance(hours=4)
    clinic.run(
        observe_trial,
        ObserveTrial(actor=actor(NURSE), trial_id="trial-1", observation=observation(clock.now())),
    )


def test_a_trial_discharge_before_the_observation_period_is_refused_on_the_database(
    clinic: Thecal, clock: MovableClock
) -> None:
    _dose_trial(clinic, clock)
    with pytest.raises(ObservationPeriodNotElapsed):
        clinic.run(
            discharge_trial,
            DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=3),
        )
    stored = clinic.run(get_trial, GetTrial(actor=actor(NURSE), trial_id="trial-1")).trial
    assert stored.state is TrialState.ADMINISTERED
    assert stored.observations[0].vitals is not None
    assert stored.observations[0].vitals.spo2_pct == 97
    assert [t.action for t in stored.history] == ["plan", "administer", "observe"]


def test_mri_clearance_of_an_unemptied_prometra_is_refused_on_the_database(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, prometra_implant())
    clinic.run(
        plan_mri,
        PlanMri(
            actor=actor(NURSE),
            pump_id="pump-prometra",
            scan_at=clock.now() + dt.timedelta(days=3),
            field_strength_t=Decimal("1.5"),
            plan_id="mri-1",
        ),
    )
    with pytest.raises(MriEmptyingMissing):
        clinic.run(clear_mri, ClearMri(actor=actor(PHYSICIAN), plan_id="mri-1"))
    page = worklist(
        clinic,
        WorklistQuery(kinds=frozenset({WorklistKind.POST_MRI_INTERROGATION}), due_before=FAR),
    )
    assert page.rows == ()


def test_a_patient_bolus_inside_the_lockout_is_denied_and_logged_on_the_database(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, with_patient_bolus(implant()))
    clock.advance(hours=1)
    first = clinic.run_device(request_patient_bolus, RequestPatientBolus(actor=actor(PATIENT_USER)))
    clock.advance(minutes=30)
    second = clinic.run_device(
        request_patient_bolus, RequestPatientBolus(actor=actor(PATIENT_USER))
    )
    assert (first.granted, second.granted, second.reason) == (True, False, "lockout")
    with clinic.uow() as uow:
        log = [(b.granted, b.reason, b.source) for b in uow.device_log.boluses("pump-1")]
    assert log == [(True, first.reason, "request"), (False, "lockout", "request")]


def test_the_worklist_shows_every_kind_in_due_order_with_patient_and_pump(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())  # post-implant monitoring task
    clinic.run_device(implant_pump, prometra_implant())
    version = clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version
    clinic.run(verify_admixture, verify(clock.now()))
    clinic.run_device(perform_refill, refill(version))  # next refill due
    change = clinic.run(propose_program_change, propose("5.5")).change
    clinic.run(sign_program_change, sign(change, clock.now()))  # awaits co-signature
    clinic.run(
        plan_mri,
        PlanMri(
            actor=actor(NURSE),
            pump_id="pump-prometra",
            scan_at=clock.now() + dt.timedelta(days=2),
            field_strength_t=Decimal("1.5"),
            plan_id="mri-1",
        ),
    )
    prometra = clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-prometra"))
    clinic.run_device(
        empty_pump_for_mri,
        EmptyPumpForMri(
            actor=actor(NURSE), plan_id="mri-1", expected_pump_version=prometra.version
        ),
    )
    clinic.run(clear_mri, ClearMri(actor=actor(PHYSICIAN), plan_id="mri-1"))  # post-MRI task
    _dose_trial(clinic, clock)
    clock.advance(hours=21)
    clinic.run(
        discharge_trial,
        DischargeTrial(actor=actor(NURSE), trial_id="trial-1", expected_version=3),
    )  # awaits decision

    page = worklist(clinic, WorklistQuery(due_before=FAR, limit=100))
    kinds = {r.kind for r in page.rows}
    assert kinds == {
        WorklistKind.REFILL_DUE,
        WorklistKind.REFILL_OVERDUE,  # the Prometra emptied for the MRI holds 0 mL
        WorklistKind.LOW_RESERVOIR,
        WorklistKind.STABILITY_EXPIRY,
        WorklistKind.ELECTIVE_REPLACEMENT,
        WorklistKind.END_OF_SERVICE,
        WorklistKind.TRIAL_DECISION,
        WorklistKind.PROGRAM_COSIGN,
        WorklistKind.POST_MRI_INTERROGATION,
        WorklistKind.POST_IMPLANT_MONITORING,
        WorklistKind.VISIT_TO_BOOK,  # refills, replacements and the post-MRI visit (scheduling)
    }
    assert [r.due for r in page.rows] == sorted(r.due for r in page.rows)
    assert {r.mrn for r in page.rows} == {"MRN-1"}
    assert page.next_offset is None
    refill_row = next(r for r in page.rows if r.kind is WorklistKind.REFILL_DUE)
    assert (refill_row.pump_id, refill_row.serial) == ("pump-1", "NGP-000123")
    emptied_row = next(r for r in page.rows if r.kind is WorklistKind.REFILL_OVERDUE)
    assert emptied_row.pump_id == "pump-prometra"  # due from the moment it was emptied
    cosign_row = next(r for r in page.rows if r.kind is WorklistKind.PROGRAM_COSIGN)
    assert cosign_row.record_id == change.change_id

    clock.at = refill_row.due + dt.timedelta(days=1)
    overdue = worklist(
        clinic,
        WorklistQuery(kinds=frozenset({WorklistKind.REFILL_OVERDUE, WorklistKind.REFILL_DUE})),
    )
    assert [(r.kind, r.priority, r.pump_id) for r in overdue.rows] == [
        (WorklistKind.REFILL_OVERDUE, "urgent", "pump-prometra"),
        (WorklistKind.REFILL_OVERDUE, "urgent", "pump-1"),
    ]

    first = worklist(clinic, WorklistQuery(due_before=FAR, limit=3))
    second = worklist(clinic, WorklistQuery(due_before=FAR, limit=3, offset=3))
    assert first.next_offset == 3
    assert [r.record_id for r in first.rows + second.rows] == [r.record_id for r in page.rows[:6]]
