"""The events of a pump's life (issue 12 §3) on SQLite and PostgreSQL, with the twin as oracle.

A SynchroMed II with morphine 25 mg/mL at 5 mg/day (0.2 mL/day) on 60 cm of InDura catheter:
replaced at its elective replacement indicator by a Prometra II (therapy carried over, new path
primed, old twin retired with its history); refused where the new model cannot carry the therapy
(baclofen is not approved in the Prometra II) with nothing changed; a catheter revision (catheter
primed alone, the drug it pushes in mg); explant and end of therapy refused without a withdrawal
plan; an interruption and its restart, reviewed as a new start after the clinic's tolerance
interval; transfers of care out and in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pathway_scenario import (
    NURSE,
    PATIENT_ID,
    PHYSICIAN,
    SERIAL,
    MovableClock,
    actor,
    cosign,
    implant,
    sign,
    token,
)
from sqlalchemy import select

from thecal.adapters.fhir.pump_therapy import ExportPumpTherapy, export_pump_therapy
from thecal.adapters.fhir.pump_therapy_resources import pump_therapy_resources
from thecal.adapters.sql.tables.audit import audit_entries
from thecal.adapters.sql.tables.device_log import pump_device_commands
from thecal.adapters.twin.store import TwinStoreDriver
from thecal.bootstrap import Thecal
from thecal.domain.admixture import Admixture
from thecal.domain.catheter_revision import CapCheck
from thecal.domain.device_event_record import (
    CatheterNotPatent,
    DeliveryAlreadySuspended,
    DeliveryNotSuspended,
    DeviceEventKind,
    PumpOutOfCare,
    RestartAwaitingSignatures,
    RestartOverrideMissing,
)
from thecal.domain.interruption import InterruptionReason
from thecal.domain.program import InfusionProgram, ProgramMode
from thecal.domain.program_change import (
    ProgramChangeKind,
    ProgramChangeState,
    ProgramChangeStateError,
    SameClinicianTwice,
)
from thecal.domain.pump_replacement import ReplacementReason, TherapyNotCarriedOver
from thecal.domain.safety.context import MonitoringPlan
from thecal.domain.therapy_discontinuation import (
    DiscontinuationKind,
    WithdrawalPlan,
    WithdrawalPlanRequired,
)
from thecal.domain.units import Concentration, DoseRate, Duration, Volume
from thecal.services.care_transfers import TransferCare, TransferDirection, transfer_care
from thecal.services.catheter_revisions import ReviseCatheter, revise_catheter
from thecal.services.device import InterrogatePump, interrogate_pump
from thecal.services.device_event_records import GetDeviceEvents, list_device_events
from thecal.services.interruptions import (
    RestartDelivery,
    SuspendDelivery,
    restart_delivery,
    suspend_delivery,
)
from thecal.services.program_changes import (
    CoSignProgramChange,
    GetProgramChange,
    SendProgramChange,
    WithdrawProgramChange,
    cosign_program_change,
    get_program_change,
    send_program_change,
    sign_program_change,
    withdraw_program_change,
)
from thecal.services.pump_record import Pump, PumpState
from thecal.services.pump_replacements import ReplacePump, replace_pump
from thecal.services.pumps import implant_pump
from thecal.services.safety_gate import ReviewBlocked
from thecal.services.therapy_discontinuations import DiscontinueTherapy, discontinue_therapy
from thecal.simulation.errors import PumpNotProgrammable

NEW_SERIAL = "PII-000900"
BACLOFEN = Admixture.single("baclofen", Concentration.from_mcg_per_ml(500))


def _pump(clinic: Thecal, pump_id: str = "pump-1") -> Pump:
    with clinic.uow() as uow:
        pump = uow.pumps.get(pump_id)
    assert pump is not None
    return pump


def _commands(clinic: Thecal, serial: str) -> list[str]:
    with clinic.engine.connect() as conn:
        rows = conn.execute(
            select(pump_device_commands.c.kind)
            .where(pump_device_commands.c.serial == serial)
            .order_by(pump_device_commands.c.seq)
        )
        return [row[0] for row in rows]


def _audited(clinic: Thecal, action: str) -> int:
    with clinic.engine.connect() as conn:
        rows = conn.execute(select(audit_entries).where(audit_entries.c.action == action))
        return len(rows.all())


def _fhir(clinic: Thecal) -> list[dict[str, Any]]:
    record = clinic.run(
        export_pump_therapy, ExportPumpTherapy(actor=actor(PHYSICIAN), patient_id=PATIENT_ID)
    )
    return pump_therapy_resources(record)


def _replace(pump: Pump, **changes: object) -> ReplacePump:
    cmd = ReplacePump(
        actor=actor(PHYSICIAN),
        pump_id=pump.id,
        expected_pump_version=pump.version,
        reason=ReplacementReason.ELECTIVE_REPLACEMENT,
        new_pump_model_id="prometra-ii-20",
        new_pump_serial=NEW_SERIAL,
        fill_volume=Volume.from_ml(20),
        event_id="replacement-1",
        new_pump_id="pump-2",
    )
    return dataclasses.replace(cmd, **changes)  # type: ignore[arg-type]


def test_replacement_at_eri_carries_the_therapy_into_a_prometra_ii(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=30)
    old = _pump(clinic)

    event = clinic.run_device(replace_pump, _replace(old))

    assert event.kind is DeviceEventKind.PUMP_REPLACEMENT
    assert event.related_pump_id == "pump-2"
    # the old pump: emptied, reconciled, explanted — its twin's log is kept and ends with it
    retired = _pump(clinic)
    assert retired.state is PumpState.EXPLANTED
    assert retired.next_refill_due is None
    assert _commands(clinic, SERIAL)[-3:] == ["interrogate", "withdraw", "explant"]
    assert event.facts["reconciliation"] == "within"
    assert Decimal(event.facts["withdrawn_residual_ml"]) > Decimal(0)
    with clinic.uow() as uow:
        driver = TwinStoreDriver.for_unit_of_work(uow, clock=clock)
        with pytest.raises(PumpNotProgrammable):
            driver.program(SERIAL, old.program)
        uow.rollback()
    # the new pump: same program, same catheter, primed catheter + pump path
    new = _pump(clinic, "pump-2")
    assert new.model_id == "prometra-ii-20"
    assert new.serial == NEW_SERIAL
    assert new.state is PumpState.ACTIVE
    assert new.program == old.program
    assert new.catheter_model_id == old.catheter_model_id
    assert new.catheter_length_cm == old.catheter_length_cm
    # 60 cm × 0.0026 mL/cm + the Prometra II's 0.25 mL path = 0.406 mL, holding 10.15 mg morphine
    assert event.facts["priming_volume_ml"] == "0.406"
    assert Decimal(event.facts["priming_morphine_mcg"]) == Decimal(10150)
    assert Decimal(event.facts["flow_ml_per_day"]) == Decimal("0.2")
    assert "accuracy" in event.facts["notes"]
    assert "10.2 mg" in event.summary or "10.15 mg" in event.summary
    assert _commands(clinic, NEW_SERIAL) == [
        "implant",
        "inject",
        "program",
        "priming-bolus",
    ]
    # the twin of the new pump delivers the carried-over 5 mg/day at the tip once primed
    clock.advance(days=3)
    with clinic.uow() as uow:
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clock).twin(NEW_SERIAL)
        twin.advance_to(clock.now())
        before = twin.truth.tip_mass["morphine"]
        twin.advance_to(clock.now() + dt.timedelta(days=2))
        per_day = (twin.truth.tip_mass["morphine"] - before) / 2
        uow.rollback()
    assert abs(per_day.mg - Decimal(5)) / Decimal(5) < Decimal("0.01")
    # retried with the same event id: the stored event, nothing done twice
    again = clinic.run_device(replace_pump, _replace(old))
    assert again == event
    assert _audited(clinic, "device_event.record") == 1
    events = clinic.run(list_device_events, GetDeviceEvents(actor=actor(NURSE), pump_id="pump-2"))
    assert [e.event_id for e in events] == ["replacement-1"]
    # the FHIR export: the old pump inactive, the new one active, the replacement a Procedure
    resources = _fhir(clinic)
    devices = {r["id"]: r["status"] for r in resources if r["resourceType"] == "Device"}
    assert devices["pump-1"] == "inactive"
    assert devices["pump-2"] == "active"
    (procedure,) = [
        r
        for r in resources
        if r["resourceType"] == "Procedure" and r["code"]["coding"][0]["code"] == "pump_replacement"
    ]
    assert [f["manipulated"]["reference"] for f in procedure["focalDevice"]] == [
        "Device/pump-1",
        "Device/pump-2",
    ]
    assert "carried over" in procedure["note"][0]["text"]


def test_a_replacement_the_new_model_cannot_run_is_refused_and_changes_nothing(
    clinic: Thecal, clock: MovableClock
) -> None:
    baclofen = InfusionProgram.continuous(BACLOFEN, DoseRate.from_mcg_per_day(200))
    clinic.run_device(
        implant_pump,
        dataclasses.replace(implant(), initial_fill=BACLOFEN, initial_program=baclofen),
    )
    clock.advance(days=1)
    before = _pump(clinic)
    commands = _commands(clinic, SERIAL)

    with pytest.raises(TherapyNotCarriedOver) as refused:
        clinic.run_device(replace_pump, _replace(before))

    assert refused.value.code == "THC-PATH-060"
    assert "is approved in the SynchroMed II 20 mL but not in the Prometra II" in str(refused.value)
    after = _pump(clinic)
    assert after.version == before.version
    assert after.state is PumpState.ACTIVE
    assert _commands(clinic, SERIAL) == commands
    assert _commands(clinic, NEW_SERIAL) == []
    with clinic.uow() as uow:
        assert uow.pumps.get("pump-2") is None


def test_catheter_revision_primes_the_new_catheter_only(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=10)
    pump = _pump(clinic)
    cmd = ReviseCatheter(
        actor=actor(PHYSICIAN),
        pump_id=pump.id,
        expected_pump_version=pump.version,
        catheter_model_id="ascenda-8780",
        implanted_length_cm=Decimal(40),
        tip_level="T9",
        cap_check=CapCheck.CSF_ASPIRATED,
        event_id="revision-1",
    )
    with pytest.raises(CatheterNotPatent):
        clinic.run_device(revise_catheter, dataclasses.replace(cmd, cap_check=CapCheck.NO_CSF))
    assert _pump(clinic).version == pump.version

    event = clinic.run_device(revise_catheter, cmd)

    # 40 cm × 0.0026 mL/cm = 0.104 mL, primed alone; at 25 mg/mL it pushes 2.6 mg of morphine
    assert event.facts["new_dead_space_ml"] == "0.104"
    assert event.facts["old_dead_space_ml"] == "0.156"
    assert event.facts["priming_volume_ml"] == "0.104"
    assert event.facts["priming_mode"] == "after-catheter-revision"
    assert Decimal(event.facts["pushed_morphine_mcg"]) == Decimal(2600)
    assert "(Infumorph) 2.6 mg to the tip" in event.summary
    assert event.facts["catheter_access_port"] == "csf-aspirated"
    revised = _pump(clinic)
    assert (revised.catheter_model_id, revised.catheter_length_cm) == ("ascenda-8780", 40)
    assert revised.catheter_tip_level == "T9"
    assert _commands(clinic, SERIAL)[-2:] == ["catheter-revision", "catheter-priming"]
    # the twin's path is the new catheter + the pump path, and the tip dose returns to 5 mg/day
    clock.advance(days=2)
    with clinic.uow() as uow:
        twin = TwinStoreDriver.for_unit_of_work(uow, clock=clock).twin(SERIAL)
        twin.advance_to(clock.now())
        assert twin.catheter.id == "ascenda-8780"
        assert twin.dead_space == Volume.from_ml(Decimal("0.304"))
        came_in, now = twin.mech.conservation()
        assert came_in == now
        before = twin.truth.tip_mass["morphine"]
        twin.advance_to(clock.now() + dt.timedelta(days=2))
        per_day = (twin.truth.tip_mass["morphine"] - before) / 2
        uow.rollback()
    assert abs(per_day.mg - Decimal(5)) / Decimal(5) < Decimal("0.03")  # SynchroMed bias +2.5 %


def test_explant_and_end_of_therapy_need_a_withdrawal_plan(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=5)
    pump = _pump(clinic)
    stop = DiscontinueTherapy(
        actor=actor(PHYSICIAN),
        pump_id=pump.id,
        expected_pump_version=pump.version,
        kind=DiscontinuationKind.THERAPY_STOPPED,
        reason="pain resolved after spinal surgery",
    )
    with pytest.raises(WithdrawalPlanRequired) as refused:
        clinic.run_device(discontinue_therapy, stop)
    assert refused.value.code == "THC-PATH-061"
    assert "Morphine" in str(refused.value)
    assert _pump(clinic).version == pump.version

    plan = WithdrawalPlan(
        drug_ids=("morphine",), text="oral morphine 30 mg/day, taper over 4 weeks"
    )
    event = clinic.run_device(discontinue_therapy, dataclasses.replace(stop, withdrawal_plan=plan))

    assert event.kind is DeviceEventKind.THERAPY_STOPPED
    assert "taper over 4 weeks" in event.summary
    stopped = _pump(clinic)
    assert stopped.state is PumpState.DISCONTINUED
    assert stopped.program.mode is ProgramMode.STOPPED
    assert stopped.next_refill_due is None
    # later the pump comes out: no new plan needed, it was emptied already
    clock.advance(days=60)
    explant = DiscontinueTherapy(
        actor=actor(PHYSICIAN),
        pump_id=pump.id,
        expected_pump_version=stopped.version,
        kind=DiscontinuationKind.EXPLANT,
        reason="no further use",
    )
    out = clinic.run_device(discontinue_therapy, explant)
    assert out.kind is DeviceEventKind.EXPLANT
    assert _pump(clinic).state is PumpState.EXPLANTED
    assert _commands(clinic, SERIAL)[-1] == "explant"
    with pytest.raises(PumpOutOfCare):
        clinic.run_device(
            discontinue_therapy,
            dataclasses.replace(explant, expected_pump_version=_pump(clinic).version),
        )


def _suspend(clinic: Thecal, key: str) -> None:
    pump = _pump(clinic)
    clinic.run_device(
        suspend_delivery,
        SuspendDelivery(
            actor=actor(NURSE),
            pump_id=pump.id,
            expected_pump_version=pump.version,
            reason=InterruptionReason.INFECTION,
            note="pocket infection, on antibiotics",
            event_id=key,
        ),
    )


def _change_state(clinic: Thecal, change_id: str) -> ProgramChangeState:
    with clinic.uow() as uow:
        change = uow.program_changes.get_change(change_id)
    assert change is not None
    return change.state


def _sign_cosign_send_confirm(clinic: Thecal, clock: MovableClock, change_id: str) -> None:
    """The physician signs the restart's program change, a nurse co-signs, it is sent and an
    interrogation confirms it."""
    change = clinic.run(
        get_program_change, GetProgramChange(actor=actor(NURSE), change_id=change_id)
    )
    assert change.kind is ProgramChangeKind.RESTART
    assert change.state is ProgramChangeState.REVIEWED
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    change = clinic.run(cosign_program_change, cosign(change, clock.now()))
    clinic.run_device(
        send_program_change,
        SendProgramChange(
            actor=actor(NURSE), change_id=change_id, expected_pump_version=_pump(clinic).version
        ),
    )
    clock.advance(hours=1)
    reading = clinic.run_device(
        interrogate_pump, InterrogatePump(actor=actor(NURSE), pump_id="pump-1")
    )
    assert [c.state for c in reading.resolved] == [ProgramChangeState.CONFIRMED]


def _restart(**changes: object) -> RestartDelivery:
    cmd = RestartDelivery(actor=actor(PHYSICIAN), pump_id="pump-1", expected_pump_version=0)
    return dataclasses.replace(cmd, **changes)  # type: ignore[arg-type]


MORPHINE_10 = Admixture.single("morphine", Concentration.from_mg_per_ml(10))
TWO_MG = InfusionProgram.continuous(MORPHINE_10, DoseRate.from_mg_per_day(2))
WATCHED = MonitoringPlan(respiratory=Duration.hours(24), naloxone_available=True)


def test_interruption_and_restart_reviewed_as_a_new_start_after_tolerance_is_lost(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(
        implant_pump,
        dataclasses.replace(implant(), initial_fill=MORPHINE_10, initial_program=TWO_MG),
    )
    clock.advance(days=5)
    with pytest.raises(DeliveryNotSuspended):
        clinic.run_device(restart_delivery, _restart(expected_pump_version=_pump(clinic).version))
    _suspend(clinic, "suspend-1")
    suspended = _pump(clinic)
    assert suspended.program.mode is ProgramMode.STOPPED
    with pytest.raises(DeliveryAlreadySuspended):
        _suspend(clinic, "suspend-again")
    # a short interruption: restarted as before
    clock.advance(hours=12)
    event = clinic.run_device(
        restart_delivery, _restart(expected_pump_version=suspended.version, event_id="restart-1")
    )
    assert event.facts["as_new_start"] == "no"
    assert _pump(clinic).program == TWO_MG
    # four days without the drug (clinic policy: tolerance counted lost after 3 days)
    clock.advance(days=1)
    _suspend(clinic, "suspend-2")
    clock.advance(days=4)
    version = _pump(clinic).version
    with pytest.raises(ReviewBlocked) as blocked:  # 2 mg/day: above the label's naive start
        clinic.run_device(restart_delivery, _restart(expected_pump_version=version))
    assert "new start" in str(blocked.value)
    assert _pump(clinic).version == version
    with pytest.raises(RestartOverrideMissing):  # above the consensus start range
        clinic.run_device(
            restart_delivery,
            _restart(
                expected_pump_version=version,
                daily_dose=DoseRate.from_mg_per_day(Decimal("0.8")),
            ),
        )
    commands_before = _commands(clinic, SERIAL)
    restarted = clinic.run_device(
        restart_delivery,
        _restart(
            expected_pump_version=version,
            daily_dose=DoseRate.from_mg_per_day(Decimal("0.5")),
            monitoring=MonitoringPlan(respiratory=Duration.hours(24), naloxone_available=True),
            event_id="restart-2",
        ),
    )
    assert restarted.facts["as_new_start"] == "yes"
    assert restarted.facts["new_start_drugs"] == "morphine"
    assert restarted.facts["tolerance_source"].startswith("clinic policy")
    assert restarted.facts["respiratory_monitoring_hours"] == "24"
    # a restart as a new start is two-person signed: nothing is sent on one physician's word
    assert _pump(clinic).program.mode is ProgramMode.STOPPED
    assert _commands(clinic, SERIAL) == commands_before
    _sign_cosign_send_confirm(clinic, clock, restarted.facts["program_change_id"])
    assert _pump(clinic).program.basal_daily_dose == DoseRate.from_mg_per_day(Decimal("0.5"))
    kinds = [
        e.kind
        for e in clinic.run(
            list_device_events, GetDeviceEvents(actor=actor(NURSE), pump_id="pump-1")
        )
    ]
    assert kinds == [
        DeviceEventKind.INTERRUPTION,
        DeviceEventKind.RESTART,
        DeviceEventKind.INTERRUPTION,
        DeviceEventKind.RESTART,
    ]


def test_transfer_of_care_out_and_back(clinic: Thecal, clock: MovableClock) -> None:
    clinic.run_device(implant_pump, implant())
    clock.advance(days=5)
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
    assert out.summary == "care transferred to Northgate Pain Centre"
    moved = _pump(clinic)
    assert moved.state is PumpState.TRANSFERRED
    assert moved.next_refill_due is None
    clock.advance(days=200)
    back = clinic.run(
        transfer_care,
        TransferCare(
            actor=actor(NURSE),
            pump_id=pump.id,
            expected_pump_version=moved.version,
            direction=TransferDirection.IN,
            clinic="Northgate Pain Centre",
        ),
    )
    assert back.kind is DeviceEventKind.TRANSFER_IN
    assert _pump(clinic).state is PumpState.ACTIVE
    assert _pump(clinic).next_refill_due is not None
    assert back.patient_id == PATIENT_ID
    encounters = [r for r in _fhir(clinic) if r["resourceType"] == "Encounter"]
    assert [e["hospitalization"] for e in encounters] == [
        {"destination": {"display": "Northgate Pain Centre"}},
        {"origin": {"display": "Northgate Pain Centre"}},
    ]


def test_a_restart_as_a_new_start_waits_for_a_second_clinicians_co_signature(
    clinic: Thecal, clock: MovableClock
) -> None:
    clinic.run_device(
        implant_pump,
        dataclasses.replace(implant(), initial_fill=MORPHINE_10, initial_program=TWO_MG),
    )
    clock.advance(days=5)
    _suspend(clinic, "suspend-1")
    clock.advance(days=4)  # tolerance counted lost after 3 days (clinic policy)
    half = DoseRate.from_mg_per_day(Decimal("0.5"))
    commands = _commands(clinic, SERIAL)
    first = clinic.run_device(
        restart_delivery,
        _restart(expected_pump_version=_pump(clinic).version, daily_dose=half, monitoring=WATCHED),
    )
    change_id = first.facts["program_change_id"]
    assert f"proposed as program change {change_id}" in first.summary
    # a second restart while the first awaits its signatures is refused, nothing changed
    with pytest.raises(RestartAwaitingSignatures) as waiting:
        clinic.run_device(
            restart_delivery,
            _restart(expected_pump_version=_pump(clinic).version, daily_dose=half),
        )
    assert waiting.value.code == "THC-PATH-069"
    assert change_id in str(waiting.value)
    change = clinic.run(
        get_program_change, GetProgramChange(actor=actor(NURSE), change_id=change_id)
    )
    assert change.old_program.mode is ProgramMode.STOPPED
    assert change.new_program.basal_daily_dose == half
    assert change.proposed_by == PHYSICIAN.id
    change = clinic.run(sign_program_change, sign(change, clock.now()))
    # the physician who signed cannot co-sign: not sent, the pump still stopped
    with pytest.raises(SameClinicianTwice):
        clinic.run(
            cosign_program_change,
            CoSignProgramChange(
                actor=actor(PHYSICIAN),
                change_id=change_id,
                token=token(PHYSICIAN, change, clock.now()),
            ),
        )
    with pytest.raises(ProgramChangeStateError):  # signed, not co-signed: the send refuses it
        clinic.run_device(
            send_program_change,
            SendProgramChange(
                actor=actor(PHYSICIAN),
                change_id=change_id,
                expected_pump_version=_pump(clinic).version,
            ),
        )
    assert _pump(clinic).program.mode is ProgramMode.STOPPED
    assert _commands(clinic, SERIAL) == commands
    assert _change_state(clinic, change_id) is ProgramChangeState.SIGNED
    # withdrawn, the interruption goes on: the clinician restarts again, differently
    clinic.run(
        withdraw_program_change,
        WithdrawProgramChange(
            actor=actor(PHYSICIAN), change_id=change_id, reason="restart at a lower dose"
        ),
    )
    lower = DoseRate.from_mg_per_day(Decimal("0.48"))
    again = clinic.run_device(
        restart_delivery,
        _restart(expected_pump_version=_pump(clinic).version, daily_dose=lower, monitoring=WATCHED),
    )
    assert again.facts["program_change_id"] != change_id
    change = clinic.run(
        get_program_change,
        GetProgramChange(actor=actor(NURSE), change_id=again.facts["program_change_id"]),
    )
    assert change.new_program.basal_daily_dose == lower
    _sign_cosign_send_confirm(clinic, clock, change.change_id)
    assert _pump(clinic).program.basal_daily_dose == lower
    with pytest.raises(DeliveryNotSuspended):
        clinic.run_device(restart_delivery, _restart(expected_pump_version=_pump(clinic).version))
