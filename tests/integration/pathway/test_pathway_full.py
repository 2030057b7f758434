"""The whole pathway on real databases (SQLite and PostgreSQL): implant → program change signed
by two clinicians → send → interrogation confirms → refill with reconciliation; a pocket fill at
refill 1 shows up as a discrepancy at refill 2; an uncertain send is settled by interrogation; a
blocked proposal changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pathway_scenario import (
    NURSE,
    PHYSICIAN,
    MovableClock,
    actor,
    cosign,
    implant,
    propose,
    refill,
    sign,
    verify,
)

from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal
from thecal.domain.audit import verify_chain
from thecal.domain.program_change import ProgramChangeBlocked, ProgramChangeState
from thecal.domain.refill import ReconciliationVerdict, RefillState
from thecal.domain.units import Duration
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import (
    SendProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pumps import GetPump, get_pump, implant_pump
from thecal.services.refills import perform_refill
from thecal.simulation.faults import TelemetryFailure


def pump_version(clinic: Thecal) -> int:
    return clinic.run(get_pump, GetPump(actor=actor(NURSE), pump_id="pump-1")).version


def audit_ok(clinic: Thecal) -> bool:
    with clinic.uow() as uow:
        entries = list(uow.audit_log.entries())
        head = uow.audit_log.recorded_head()
    return verify_chain(entries, key=clinic.settings.audit_key_bytes, anchor=head).ok


def test_the_whole_pathway_confirms_the_program_and_catches_a_pocket_fill_at_the_next_refill(
    clinic: Thecal, clock: MovableClock
) -> None:
    implanted = clinic.run_device(implant_pump, implant())
    assert implanted.pump.version == 1
    clock.advance(days=1)
    change = clinic.run(propose_program_change, propose("5.5")).change
    assert change.state is ProgramChangeState.REVIEWED
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    sent = clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE),
            change_id=change.change_id,
            expected_pump_version=pump_version(clinic),
        ),
    )
    assert sent.state is ProgramChangeState.SENT
    clock.advance(hours=1)
    reading = clinic.run_device(
        interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
    )
    assert [c.state for c in reading.resolved] == [ProgramChangeState.CONFIRMED]
    assert reading.pump.program == change.new_program

    clock.advance(days=30)
    clinic.run(verify_admixture, verify(clock.now()))
    with clinic.uow() as uow:  # the twin's pocket-fill knob, logged like any device command
        TwinStoreDriver.for_unit_of_work(uow, clock=clock).set_pocket_fill(
            "NGP-000123", Decimal(40)
        )
        uow.commit()
    first = clinic.run_device(perform_refill, refill(pump_version(clinic)))
    assert first.refill.state is RefillState.COMPLETED
    assert first.reconciliation is not None
    assert first.reconciliation.verdict is ReconciliationVerdict.WITHIN

    clock.advance(days=30)
    clinic.run(verify_admixture, verify(clock.now(), lot="LOT-2", ident="ver-2"))
    second = clinic.run_device(
        perform_refill,
        refill(pump_version(clinic), key="refill-2", verification_id="ver-2", lot="LOT-2"),
    )
    assert second.reconciliation is not None
    assert second.reconciliation.verdict is ReconciliationVerdict.LESS_WITHDRAWN_THAN_EXPECTED
    assert "ITS-REFILL-007" in {f.code for f in second.findings}
    assert audit_ok(clinic)


def test_an_uncertain_send_stays_sent_until_an_interrogation_shows_the_old_program(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    change = clinic.run(propose_program_change, propose("5.5")).change
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    with clinic.uow() as uow:
        driver = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
        driver.inject_fault(
            "NGP-000123", TelemetryFailure(applied=False, duration=Duration.hours(1))
        )
        uow.commit()
    sent = clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(PHYSICIAN),
            change_id=change.change_id,
            expected_pump_version=pump_version(clinic),
        ),
    )
    assert sent.send_outcomes[-1].value == "uncertain"
    assert sent.state is ProgramChangeState.SENT
    clock.advance(hours=2)  # the link is back
    reading = clinic.run_device(
        interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
    )
    assert [c.state for c in reading.resolved] == [ProgramChangeState.NOT_DELIVERED]
    assert reading.pump.program == change.old_program
    with clinic.uow() as uow:
        kinds = [t.task.kind.value for t in uow.tasks.for_patient("patient-1", open_only=True)]
    assert "program-resend" in kinds


def test_a_blocked_proposal_stores_nothing(clinic: Thecal) -> None:
    clinic.run_device(implant_pump, implant())
    with pytest.raises(ProgramChangeBlocked):
        clinic.run(propose_program_change, propose("500", key="ten-fold"))
    with clinic.uow() as uow:
        assert uow.program_changes.get_by_key("ten-fold") is None
