"""A pump out of care cannot be treated (issue 12 follow-up), on SQLite and PostgreSQL.

Once a pump is explanted, transferred to another clinic or its therapy discontinued, every treating
action (refill, pharmacy verification, program and admixture change proposal, signature,
co-signature, send, patient bolus; interrogation unless it is still implanted here) is refused
with THC-PATH-062 naming the state and the action, nothing changed and nothing sent to the pump.
The event that takes it out of care withdraws its unsent changes with the reason, audited; the
worklist shows no task of a pump out of care and the replacement pump gets its own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from pathway_scenario import (
    NURSE,
    PATIENT_USER,
    PHYSICIAN,
    SERIAL,
    MovableClock,
    actor,
    cosign,
    implant,
    program,
    propose,
    refill,
    sign,
    verify,
)
from sqlalchemy import select

from thecal.adapters.read_models.worklist import SqlWorklistReadModel
from thecal.adapters.sql.tables.audit import audit_entries
from thecal.adapters.sql.tables.device_log import pump_device_commands
from thecal.bootstrap import Thecal
from thecal.domain.admixture import Admixture
from thecal.domain.device_event_record import PumpOutOfCare
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ProgramChange, ProgramChangeState
from thecal.domain.pump_replacement import ReplacementReason
from thecal.domain.therapy_discontinuation import DiscontinuationKind, WithdrawalPlan
from thecal.domain.units import Concentration, DoseRate, Volume
from thecal.services.admixture_changes import ProposeAdmixtureChange, propose_admixture_change
from thecal.services.care_transfers import TransferCare, TransferDirection, transfer_care
from thecal.services.clock import Clock
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.patient_bolus import RequestPatientBolus, request_patient_bolus
from thecal.services.pharmacy import verify_admixture
from thecal.services.program_changes import (
    SendProgramChange,
    cosign_program_change,
    propose_program_change,
    send_program_change,
    sign_program_change,
)
from thecal.services.pump_record import Pump, PumpState
from thecal.services.pump_replacements import ReplacePump, replace_pump
from thecal.services.pumps import implant_pump
from thecal.services.refills import perform_refill
from thecal.services.repositories.device_log import LoggedDeviceEvent
from thecal.services.repositories.pharmacy import PharmacyVerification, VerificationVoided
from thecal.services.therapy_discontinuations import DiscontinueTherapy, discontinue_therapy
from thecal.services.unit_of_work import AbstractUnitOfWork
from thecal.services.worklist import (
    ReadWorklist,
    WorklistKind,
    WorklistPage,
    WorklistQuery,
    read_worklist,
)

MORPHINE_20 = Admixture.single("morphine", Concentration.from_mg_per_ml(20))
PLAN = WithdrawalPlan(drug_ids=("morphine",), text="oral morphine 30 mg/day, taper over 4 weeks")


def _pump(clinic: Thecal, pump_id: str = "pump-1") -> Pump:
    with clinic.uow() as uow:
        pump = uow.pumps.get(pump_id)
    assert pump is not None
    return pump


def _change(clinic: Thecal, change_id: str) -> ProgramChange:
    with clinic.uow() as uow:
        change = uow.program_changes.get_change(change_id)
    assert change is not None
    return change


def _commands(clinic: Thecal, serial: str = SERIAL) -> list[str]:
    with clinic.engine.connect() as conn:
        rows = conn.execute(
            select(pump_device_commands.c.kind).where(pump_device_commands.c.serial == serial)
        )
        return [row[0] for row in rows]


def _audit(clinic: Thecal, action: str) -> list[dict[str, object]]:
    with clinic.engine.connect() as conn:
        rows = conn.execute(
            select(audit_entries.c.details_json).where(audit_entries.c.action == action)
        ).all()
    return [json.loads(row[0]) for row in rows]


def _verification(clinic: Thecal, ident: str) -> PharmacyVerification:
    with clinic.uow() as uow:
        verification = uow.pharmacy.get(ident)
    assert verification is not None
    return verification


def _worklist(clinic: Thecal) -> WorklistPage:
    source = SqlWorklistReadModel(clinic.engine)

    def use_case(cmd: ReadWorklist, *, uow: AbstractUnitOfWork, clock: Clock) -> WorklistPage:
        return read_worklist(cmd, uow=uow, clock=clock, source=source)

    return clinic.run(use_case, ReadWorklist(actor=actor(NURSE), query=WorklistQuery(limit=200)))


def _pending(clinic: Thecal, clock: MovableClock) -> tuple[ProgramChange, ProgramChange]:
    """A proposed change and a co-signed one, neither sent."""
    proposed = clinic.run(propose_program_change, propose("5.5", key="proposed")).change
    other = clinic.run(propose_program_change, propose("6", key="cosigned")).change
    other = clinic.run(sign_program_change, sign(other, clock.now()))
    other = clinic.run(cosign_program_change, cosign(other, clock.now()))
    assert other.state is ProgramChangeState.CO_SIGNED
    return proposed, other


def _refused(state: str, action: str, call: Callable[[], object]) -> None:
    with pytest.raises(PumpOutOfCare) as refused:
        call()
    assert refused.value.code == "THC-PATH-062"
    assert f"is {state}: {action} is not possible" in str(refused.value)


def test_an_explanted_pump_cannot_be_treated_and_its_pending_changes_are_withdrawn(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=10)
    proposed, cosigned = _pending(clinic, clock)
    clinic.run(verify_admixture, verify(clock.now()))  # a syringe verified before the explant
    pump = _pump(clinic)

    event = clinic.run_device(
        discontinue_therapy,
        DiscontinueTherapy(
            actor=actor(PHYSICIAN),
            pump_id=pump.id,
            expected_pump_version=pump.version,
            kind=DiscontinuationKind.EXPLANT,
            reason="pocket infection",
            withdrawal_plan=PLAN,
            event_id="explant-1",
        ),
    )

    # the event withdrew both unsent changes, each with the reason and its own audit entry
    for change in (proposed, cosigned):
        after = _change(clinic, change.change_id)
        assert after.state is ProgramChangeState.WITHDRAWN
        assert after.withdrawal_reason == "the pump was explanted: pocket infection"
    assert set(event.facts["withdrawn_changes"].split(", ")) == {
        proposed.change_id,
        cosigned.change_id,
    }
    withdrawals = _audit(clinic, "program.withdraw")
    assert {d["change_id"] for d in withdrawals} == {proposed.change_id, cosigned.change_id}
    assert all(d["reason"] == "the pump was explanted: pocket infection" for d in withdrawals)

    explanted = _pump(clinic)
    commands = _commands(clinic)
    clock.advance(days=1)
    now = clock.now()
    _refused(
        "explanted",
        "a refill",
        lambda: clinic.run_device(perform_refill, refill(explanted.version)),
    )
    _refused(
        "explanted",
        "a pharmacy verification",
        lambda: clinic.run(verify_admixture, verify(now, ident="ver-2")),
    )
    _refused(
        "explanted",
        "a program change",
        lambda: clinic.run(propose_program_change, propose("4", key="after")),
    )
    _refused(
        "explanted",
        "an admixture change",
        lambda: clinic.run(
            propose_admixture_change,
            ProposeAdmixtureChange(
                actor=actor(PHYSICIAN),
                pump_id="pump-1",
                new_program=InfusionProgram.continuous(MORPHINE_20, DoseRate.from_mg_per_day(5)),
                bridge=True,
                idempotency_key="conc-after",
            ),
        ),
    )
    _refused(
        "explanted",
        "signing a program change",
        lambda: clinic.run(sign_program_change, sign(proposed, now)),
    )
    _refused(
        "explanted",
        "co-signing a program change",
        lambda: clinic.run(cosign_program_change, cosign(proposed, now)),
    )
    _refused(
        "explanted",
        "sending a program change",
        lambda: clinic.run_device(
            send_program_change,
            SendProgramChange(
                actor=actor(PHYSICIAN),
                change_id=cosigned.change_id,
                expected_pump_version=explanted.version,
            ),
        ),
    )
    _refused(
        "explanted",
        "a patient bolus",
        lambda: clinic.run_device(
            request_patient_bolus, RequestPatientBolus(actor=actor(PATIENT_USER))
        ),
    )
    _refused(
        "explanted",
        "an interrogation",
        lambda: clinic.run_device(
            interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
        ),
    )
    # nothing changed, nothing reached the pump, nothing new was proposed
    assert _pump(clinic).version == explanted.version
    assert _commands(clinic) == commands
    with clinic.uow() as uow:
        assert len(uow.program_changes.for_pump("pump-1")) == 2
        assert uow.pharmacy.get("ver-2") is None
    assert _change(clinic, proposed.change_id).state is ProgramChangeState.WITHDRAWN


def test_a_discontinued_pump_is_interrogated_but_never_refilled(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=10)
    (proposed, _) = _pending(clinic, clock)
    pump = _pump(clinic)
    clinic.run_device(
        discontinue_therapy,
        DiscontinueTherapy(
            actor=actor(PHYSICIAN),
            pump_id=pump.id,
            expected_pump_version=pump.version,
            kind=DiscontinuationKind.THERAPY_STOPPED,
            reason="pain resolved after spinal surgery",
            withdrawal_plan=PLAN,
        ),
    )
    assert _change(clinic, proposed.change_id).withdrawal_reason == (
        "the intrathecal therapy was discontinued: pain resolved after spinal surgery"
    )
    clock.advance(days=30)
    # still implanted: its alarms and battery are read
    read = clinic.run_device(
        interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
    )
    assert read.pump.state is PumpState.DISCONTINUED
    stopped = _pump(clinic)
    _refused(
        "discontinued",
        "a pharmacy verification",
        lambda: clinic.run(verify_admixture, verify(clock.now())),
    )
    _refused(
        "discontinued",
        "a refill",
        lambda: clinic.run_device(perform_refill, refill(stopped.version)),
    )
    _refused(
        "discontinued",
        "a program change",
        lambda: clinic.run(propose_program_change, propose("4", key="after")),
    )
    assert _pump(clinic).version == stopped.version


def test_a_transferred_pump_is_no_longer_ours_to_treat_or_read(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=10)
    proposed, cosigned = _pending(clinic, clock)
    pump = _pump(clinic)
    out = clinic.run(
        transfer_care,
        TransferCare(
            actor=actor(NURSE),
            pump_id=pump.id,
            expected_pump_version=pump.version,
            direction=TransferDirection.OUT,
            clinic="Northgate Pain Centre",
        ),
    )
    for change in (proposed, cosigned):
        after = _change(clinic, change.change_id)
        assert after.state is ProgramChangeState.WITHDRAWN
        assert (
            after.withdrawal_reason == "care of the pump was transferred to Northgate Pain Centre"
        )
    assert out.facts["withdrawn_changes"]
    moved = _pump(clinic)
    commands = _commands(clinic)
    _refused(
        "transferred",
        "an interrogation",
        lambda: clinic.run_device(
            interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
        ),
    )
    _refused(
        "transferred",
        "sending a program change",
        lambda: clinic.run_device(
            send_program_change,
            SendProgramChange(
                actor=actor(PHYSICIAN),
                change_id=cosigned.change_id,
                expected_pump_version=moved.version,
            ),
        ),
    )
    _refused(
        "transferred",
        "a patient bolus",
        lambda: clinic.run_device(
            request_patient_bolus, RequestPatientBolus(actor=actor(PATIENT_USER), pump_id="pump-1")
        ),
    )
    assert _pump(clinic).version == moved.version
    assert _commands(clinic) == commands
    assert not [r for r in _worklist(clinic).rows if r.pump_id == "pump-1"]


def test_after_a_replacement_the_worklist_follows_the_new_pump_only(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=30)
    proposed = clinic.run(propose_program_change, propose("5.5", key="before-eri")).change
    with clinic.uow() as uow:  # the old pump's interrogation reported its ERI
        uow.device_log.add_events(
            [
                LoggedDeviceEvent(
                    pump_id="pump-1",
                    at=clock.now(),
                    code=WorklistKind.ELECTIVE_REPLACEMENT.value,
                    detail="battery at the elective replacement indicator",
                    priority=None,
                    interrogated_at=clock.now(),
                )
            ]
        )
        uow.commit()
    clinic.run(verify_admixture, verify(clock.now()))  # a syringe verified for the old pump
    before = {(r.kind, r.pump_id) for r in _worklist(clinic).rows}
    assert (WorklistKind.ELECTIVE_REPLACEMENT, "pump-1") in before
    assert (WorklistKind.REFILL_DUE, "pump-1") in before
    old = _pump(clinic)

    event = clinic.run_device(
        replace_pump,
        ReplacePump(
            actor=actor(PHYSICIAN),
            pump_id=old.id,
            expected_pump_version=old.version,
            reason=ReplacementReason.ELECTIVE_REPLACEMENT,
            new_pump_model_id="prometra-ii-20",
            new_pump_serial="PII-000900",
            fill_volume=Volume.from_ml(20),
            event_id="replacement-1",
            new_pump_id="pump-2",
        ),
    )

    assert event.facts["withdrawn_changes"] == proposed.change_id
    withdrawn = _change(clinic, proposed.change_id)
    assert withdrawn.state is ProgramChangeState.WITHDRAWN
    assert "propose and verify again for the new pump" in (withdrawn.withdrawal_reason or "")
    assert event.facts["voided_verifications"] == "ver-1"
    assert _verification(clinic, "ver-1").voided_reason == withdrawn.withdrawal_reason
    rows = _worklist(clinic).rows
    assert not [r for r in rows if r.pump_id == "pump-1"]
    new_rows = {r.kind for r in rows if r.pump_id == "pump-2"}
    assert WorklistKind.REFILL_DUE in new_rows
    assert WorklistKind.LOW_RESERVOIR in new_rows
    # the new pump is treated as any other: a change is proposed for it
    change = clinic.run(
        propose_program_change,
        dataclasses.replace(propose("5.5", key="new-pump"), pump_id="pump-2"),
    ).change
    assert change.state is not ProgramChangeState.WITHDRAWN
    assert program("5.5") == change.new_program


def _sent_and_signed(clinic: Thecal, clock: MovableClock) -> tuple[ProgramChange, ProgramChange]:
    """A change signed and awaiting its co-signature, and one sent but not yet confirmed."""
    signed = clinic.run(propose_program_change, propose("4.5", key="signed")).change
    signed = clinic.run(sign_program_change, sign(signed, clock.now()))
    sent = clinic.run(propose_program_change, propose("5.5", key="sent")).change
    sent = clinic.run(sign_program_change, sign(sent, clock.now()))
    sent = clinic.run(cosign_program_change, cosign(sent, clock.now()))
    sent = clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE),
            change_id=sent.change_id,
            expected_pump_version=_pump(clinic).version,
        ),
    )
    assert (signed.state, sent.state) == (ProgramChangeState.SIGNED, ProgramChangeState.SENT)
    return signed, sent


def test_an_explant_withdraws_unconfirmed_changes_and_voids_unused_verifications(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=10)
    signed, sent = _sent_and_signed(clinic, clock)
    clinic.run(verify_admixture, verify(clock.now()))
    cosign_rows = [r for r in _worklist(clinic).rows if r.kind is WorklistKind.PROGRAM_COSIGN]
    assert [r.record_id for r in cosign_rows] == [signed.change_id]
    pump = _pump(clinic)

    event = clinic.run_device(
        discontinue_therapy,
        DiscontinueTherapy(
            actor=actor(PHYSICIAN),
            pump_id=pump.id,
            expected_pump_version=pump.version,
            kind=DiscontinuationKind.EXPLANT,
            reason="pocket infection",
            withdrawal_plan=PLAN,
        ),
    )

    reason = "the pump was explanted: pocket infection"
    # the explant's final interrogation settles the send; the change awaiting its co-signature
    # is withdrawn with the event's reason
    assert _change(clinic, sent.change_id).state is ProgramChangeState.CONFIRMED
    after = _change(clinic, signed.change_id)
    assert after.state is ProgramChangeState.WITHDRAWN
    assert after.withdrawal_reason == reason
    assert event.facts["withdrawn_changes"] == signed.change_id
    was = {d["change_id"]: d["was"] for d in _audit(clinic, "program.withdraw")}
    assert was == {signed.change_id: "signed"}
    voided = _verification(clinic, "ver-1")
    assert voided.voided_reason == reason
    assert voided.voided_by == PHYSICIAN.id
    assert voided.used_by_refill_id is None
    assert event.facts["voided_verifications"] == "ver-1"
    assert "1 unconfirmed program change withdrawn" in event.summary
    assert "1 unused pharmacy verification voided (ver-1)" in event.summary
    # the worklist keeps nothing of the explanted pump: no co-signature awaited, no refill
    assert not [r for r in _worklist(clinic).rows if r.pump_id == "pump-1"]
    assert not [r for r in _worklist(clinic).rows if r.record_id == signed.change_id]


def test_a_transfer_out_withdraws_a_sent_change_and_its_voided_verifications_stay_void(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=10)
    signed, sent = _sent_and_signed(clinic, clock)
    clinic.run(verify_admixture, verify(clock.now()))
    clinic.run(verify_admixture, verify(clock.now(), ident="ver-2", lot="LOT-2"))
    for direction, where in (
        (TransferDirection.OUT, "Northgate Pain Centre"),
        (TransferDirection.IN, "Northgate Pain Centre"),
    ):
        pump = _pump(clinic)
        event = clinic.run(
            transfer_care,
            TransferCare(
                actor=actor(NURSE),
                pump_id=pump.id,
                expected_pump_version=pump.version,
                direction=direction,
                clinic=where,
            ),
        )
        if direction is TransferDirection.OUT:
            assert event.facts["voided_verifications"] == "ver-1, ver-2"
            assert set(event.facts["withdrawn_changes"].split(", ")) == {
                signed.change_id,
                sent.change_id,
            }
    reason = "care of the pump was transferred to Northgate Pain Centre"
    # no interrogation here will settle the send any more: the sent change is withdrawn too
    for change in (signed, sent):
        after = _change(clinic, change.change_id)
        assert after.state is ProgramChangeState.WITHDRAWN
        assert after.withdrawal_reason == reason
    was = {d["change_id"]: d["was"] for d in _audit(clinic, "program.withdraw")}
    assert was == {signed.change_id: "signed", sent.change_id: "sent"}
    assert _verification(clinic, "ver-1").voided_reason == reason
    back = _pump(clinic)
    assert back.state is PumpState.ACTIVE
    commands = _commands(clinic)
    with pytest.raises(VerificationVoided) as refused:
        clinic.run_device(perform_refill, refill(back.version))
    assert refused.value.code == "THC-PHARM-003"
    assert reason in str(refused.value)
    # nothing changed, nothing reached the pump; a fresh verification is filled as usual
    assert _pump(clinic).version == back.version
    assert _commands(clinic) == commands
    assert _verification(clinic, "ver-1").used_by_refill_id is None
    clinic.run(verify_admixture, verify(clock.now(), ident="ver-3", lot="LOT-3"))
    done = clinic.run_device(
        perform_refill, refill(back.version, key="refill-3", verification_id="ver-3", lot="LOT-3")
    )
    assert done.plan is not None  # filled, not halted
