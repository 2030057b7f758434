"""Opening a blank pathway form is refused to anyone the policy refuses the write it leads to;
the patient timeline's trial list is empty (and unaudited) for a reader who may not read trials,
and an audited read for one who may."""

from __future__ import annotations

import pytest
from pathway_scenario import (
    NURSE,
    PATIENT_ID,
    PATIENT_USER,
    PHARMACIST,
    PHYSICIAN,
    MovableClock,
    actor,
    implant,
)
from plans_scenario import plan_morphine_trial
from records_fakes import FakeUnitOfWork

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.domain.authorization import AccessDenied, Action
from thecal.domain.patient import PatientNotFound
from thecal.services.patients import OpenPatientForm, open_patient_form
from thecal.services.pumps import OpenPumpForm, implant_pump, open_pump_form
from thecal.services.trial_history import GetTrialHistory, get_trial_history
from thecal.services.trials import plan_trial


def test_a_trial_form_opens_for_a_physician_and_is_refused_to_a_nurse_and_a_pharmacist(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    opened = open_patient_form(
        OpenPatientForm(actor=actor(PHYSICIAN), patient_id=PATIENT_ID, action=Action.TRIAL_PLAN),
        uow=uow,
        clock=clock,
    )
    assert opened.id == PATIENT_ID
    assert uow.database.audit[-1].action == "patient.read"
    for user in (NURSE, PHARMACIST, PATIENT_USER):
        before = len(uow.database.audit)
        with pytest.raises(AccessDenied):
            open_patient_form(
                OpenPatientForm(actor=actor(user), patient_id=PATIENT_ID, action=Action.TRIAL_PLAN),
                uow=uow,
                clock=clock,
            )
        assert len(uow.database.audit) == before  # refused before the record is read


def test_a_form_for_an_unknown_patient_is_not_found(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    with pytest.raises(PatientNotFound):
        open_patient_form(
            OpenPatientForm(
                actor=actor(PHYSICIAN), patient_id="nobody", action=Action.PUMP_IMPLANT
            ),
            uow=uow,
            clock=clock,
        )


def test_an_mri_form_opens_for_a_nurse_and_is_refused_to_the_patient(
    uow: FakeUnitOfWork, clock: MovableClock, driver: TwinStoreDriver
) -> None:
    pump = implant_pump(implant(), uow=uow, clock=clock, driver=driver).pump
    opened = open_pump_form(
        OpenPumpForm(actor=actor(NURSE), pump_id=pump.id, action=Action.MRI_PLAN),
        uow=uow,
        clock=clock,
    )
    assert opened.serial == pump.serial
    with pytest.raises(AccessDenied):
        open_pump_form(
            OpenPumpForm(actor=actor(PATIENT_USER), pump_id=pump.id, action=Action.MRI_PLAN),
            uow=uow,
            clock=clock,
        )


def test_the_trial_history_is_an_audited_read_for_clinicians_and_empty_for_the_patient(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    planned = plan_trial(plan_morphine_trial(clock.now()), uow=uow, clock=clock)
    found = get_trial_history(
        GetTrialHistory(actor=actor(NURSE), patient_id=PATIENT_ID), uow=uow, clock=clock
    )
    assert [t.trial_id for t in found] == [planned.trial.trial_id]
    read = uow.database.audit[-1]
    assert read.action == "trial.read"
    assert read.details["returned"] == [planned.trial.trial_id]
    before = len(uow.database.audit)
    hidden = get_trial_history(
        GetTrialHistory(actor=actor(PATIENT_USER), patient_id=PATIENT_ID), uow=uow, clock=clock
    )
    assert hidden == ()
    assert len(uow.database.audit) == before
