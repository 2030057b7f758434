"""The program editor and pending changes (issue 12 §1, §4) on SQLite and PostgreSQL.

A flex schedule with a patient bolus typed in the drug's unit is proposed, signed, co-signed, sent
and confirmed by interrogation; a pending change is withdrawn with its reason (audited, nothing
else changed); a change made from a program the pump no longer runs cannot be signed or
co-signed (THC-PUMP-021), not only refused at its send.
"""

from __future__ import annotations

import pytest
from pathway_scenario import NURSE, MovableClock, actor, cosign, implant, propose, sign

from thecal.bootstrap import Thecal
from thecal.domain.errors import ValueOutOfRange
from thecal.domain.program import ProgramMode
from thecal.domain.program_change import ProgramChangeState, ProgramChangeStateError
from thecal.domain.program_entry import DoseNotInDrugUnit, PatientBolusEntry, ProgramEntry
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.program_changes import (
    ProposeProgramChange,
    PumpProgramMoved,
    SendProgramChange,
    WithdrawProgramChange,
    cosign_program_change,
    pending_program_changes,
    program_from_entry,
    propose_program_change,
    send_program_change,
    sign_program_change,
    withdraw_program_change,
)
from thecal.services.pump_reads import ListProgramChanges, list_program_changes
from thecal.services.pumps import GetPump, get_pump, implant_pump

FLEX = ProgramEntry(
    steps=("00:00=4 mg/day", "08:00=6 mg/day", "20:00=4 mg/day"),
    patient_bolus=PatientBolusEntry(
        dose="0.2 mg", duration="10 min", lockout="4 h", max_per_day="3"
    ),
    low_reservoir_alarm="3 mL",
)


def _pump(clinic: Thecal):  # type: ignore[no-untyped-def]
    return clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1"))


def _pending(clinic: Thecal) -> list[ProgramChangeState]:
    page = clinic.run(
        list_program_changes, ListProgramChanges(actor=actor(NURSE), pump_id="pump-1")
    )
    return [c.state for c in pending_program_changes(page.items)]


def test_a_flex_schedule_with_a_patient_bolus_goes_to_the_pump_and_is_confirmed(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=14)
    program = program_from_entry(_pump(clinic), FLEX)
    assert program.mode is ProgramMode.FLEX
    with pytest.raises(DoseNotInDrugUnit):  # morphine is entered in mg, never mcg
        program_from_entry(_pump(clinic), ProgramEntry(daily_dose="5500 mcg/day"))
    change = clinic.run(
        propose_program_change,
        ProposeProgramChange(
            actor=actor(NURSE),
            pump_id="pump-1",
            new_program=program,
            idempotency_key="flex-1",
            rationale="more cover through the day",
        ),
    ).change
    assert change.state is ProgramChangeState.REVIEWED, change.findings
    assert "step 3 rate" in {e.parameter for e in change.diff.changes}
    assert _pending(clinic) == [ProgramChangeState.REVIEWED]
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    sent = clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE),
            change_id=change.change_id,
            expected_pump_version=_pump(clinic).version,
        ),
    )
    assert sent.state is ProgramChangeState.SENT
    clock.advance(hours=1)
    reading = clinic.run_device(
        interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
    )
    assert [c.state for c in reading.resolved] == [ProgramChangeState.CONFIRMED]
    assert reading.pump.program == program
    assert _pending(clinic) == []


def test_a_pending_change_is_withdrawn_with_its_reason(clinic: Thecal, clock: MovableClock) -> None:
    clinic.run_device(implant_pump, implant())
    change = clinic.run(propose_program_change, propose("5.5")).change
    with pytest.raises(ValueOutOfRange):
        clinic.run(
            withdraw_program_change,
            WithdrawProgramChange(actor=actor(NURSE), change_id=change.change_id, reason=" "),
        )
    assert _pending(clinic) == [ProgramChangeState.REVIEWED]  # nothing changed
    withdrawn = clinic.run(
        withdraw_program_change,
        WithdrawProgramChange(
            actor=actor(NURSE), change_id=change.change_id, reason="patient declined"
        ),
    )
    assert withdrawn.state is ProgramChangeState.WITHDRAWN
    assert withdrawn.withdrawal_reason == "patient declined"
    assert _pending(clinic) == []
    with pytest.raises(ProgramChangeStateError):
        clinic.run(sign_program_change, sign(withdrawn, clock.now()))
    with clinic.uow() as uow:
        actions = [e.action for e in uow.audit_log.entries()]
    assert "program.withdraw" in actions


def test_a_change_from_an_older_program_cannot_be_signed_or_co_signed(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=14)
    stale = clinic.run(propose_program_change, propose("5.5", key="stale")).change
    stale_signed = clinic.run(propose_program_change, propose("5.2", key="stale-signed")).change
    stale_signed = clinic.run(sign_program_change, sign(stale_signed, clock.now()))
    fresh = clinic.run(propose_program_change, propose("5.4", key="fresh")).change
    fresh = clinic.run(sign_program_change, sign(fresh, clock.now()))
    fresh = clinic.run(cosign_program_change, cosign(fresh, clock.now()))
    clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE),
            change_id=fresh.change_id,
            expected_pump_version=_pump(clinic).version,
        ),
    )
    with pytest.raises(PumpProgramMoved) as caught:
        clinic.run(sign_program_change, sign(stale, clock.now()))
    assert caught.value.code == "THC-PUMP-021"
    with pytest.raises(PumpProgramMoved):
        clinic.run(cosign_program_change, cosign(stale_signed, clock.now()))
    with clinic.uow() as uow:
        assert uow.program_changes.get_change(stale.change_id).state is ProgramChangeState.REVIEWED  # type: ignore[union-attr]
