"""Interruption and restart of intrathecal delivery (issue 12 §3).

* suspend (a clinician; infection, surgery, empty reservoir, other): the pump is sent the
  "stopped" program and interrogated; the record runs "stopped" once the interrogation shows it
  (else the send is kept as uncertain). The program that ran before is kept on the event, and the
  summary names every drug with a withdrawal risk to watch while delivery is stopped (baclofen,
  S18, S94). A pump already stopped is refused (THC-PATH-063).
* restart (a physician): the program before the suspension, or a lower continuous daily dose
  (with the patient-bolus settings before).
  After an interruption of at least ``ClinicPolicy.opioid_tolerance_lost_after`` (a clinic policy
  value: no retrieved source gives the interval) every opioid restarts as a **new start**: the
  safety review runs as for a new start in an opioid-naive patient — a dose above the label's
  starting range blocks (THC-PUMP-010), one above the consensus range needs the physician's
  written justification (THC-PATH-065). A higher dose than before is a program change, not a
  restart. A pump that is not suspended is refused (THC-PATH-064).

  A restart as a new start is **two-person signed**, like every other program reviewed as a new
  start: it is not sent on one physician's word. It becomes a program change of kind ``restart``
  (from the stopped program to the restart program) carrying the review's findings; the
  physician signs it, a second clinician co-signs it, it is sent and the next interrogation
  confirms it (``services/program_changes.py``). The restart event records the change's id and
  the pump stays stopped until it is sent. A second restart while one awaits its signatures is
  refused (THC-PATH-069); a withdrawn restart change lets the clinician restart again. A short
  restart (tolerance kept) returns to the program before, or a lower dose, in one step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.device_event_record import (
    DeliveryAlreadySuspended,
    DeliveryNotSuspended,
    DeviceEventKind,
    DeviceEventRecord,
    RestartAwaitingSignatures,
    RestartOverrideMissing,
)
from thecal.domain.drugs import WithdrawalRisk
from thecal.domain.errors import RequestInvalid
from thecal.domain.interruption import InterruptionReason, review_restart
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram, ProgramMode
from thecal.domain.program_change import (
    FindingSeverity,
    FindingSummary,
    ProgramChange,
    ProgramChangeKind,
    ProgramChangeState,
)
from thecal.domain.quantity_display import in_drug_unit, shown
from thecal.domain.safety.context import (
    ActionKind,
    MonitoringPlan,
    OpioidStatus,
    Proposal,
    ReviewContext,
)
from thecal.domain.units import DoseRate, plain
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.device import record_snapshot
from thecal.services.device_event_records import already_recorded, pump_in_care, store_event
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_driver import ProgramAck
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.pump_reservoir import refresh_refill_due
from thecal.services.review_context import patient_facts, prescription_of, proposer, pump_state
from thecal.services.safety_gate import review_or_block
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "GetPendingRestart",
    "RestartDelivery",
    "SuspendDelivery",
    "pending_restart",
    "restart_delivery",
    "suspend_delivery",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SuspendDelivery:
    actor: Actor
    pump_id: str
    expected_pump_version: int
    reason: InterruptionReason
    note: str = ""
    event_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RestartDelivery:
    actor: Actor
    pump_id: str
    expected_pump_version: int
    #: A lower continuous daily dose of the primary drug (None: the program before the suspension).
    daily_dose: DoseRate | None = None
    #: The physician's justification for the review's override findings of a new start.
    justification: str | None = None
    #: After a restart as a new start: respiratory monitoring and naloxone at hand (S3, S4, S99).
    monitoring: MonitoringPlan | None = None
    event_id: str | None = None


def _send_and_confirm(
    uow: AbstractUnitOfWork,
    pump: Pump,
    program: InfusionProgram,
    driver: ClinicPumpDriver,
    *,
    actor: Actor,
    now: dt.datetime,
) -> tuple[ProgramAck, bool]:
    """Send ``program``, interrogate, and put it on the record if the pump runs it."""
    ack = driver.program(pump.serial, program)
    pump.record_send(program, at=now, acknowledged=ack is ProgramAck.ACKNOWLEDGED)
    snapshot = driver.interrogate(pump.serial)
    record_snapshot(uow, pump, snapshot, actor=actor, at=now)
    confirmed = snapshot.program == program
    if confirmed:
        pump.record_program(program, at=now, effective_from=now)
        refresh_refill_due(pump)
    return ack, confirmed


#: A restart change in one of these states never reached the pump: the interruption goes on.
_RESTART_NOT_DONE = frozenset({ProgramChangeState.WITHDRAWN, ProgramChangeState.FAILED})
#: A restart change on its way (to be signed, co-signed or sent).
_RESTART_PENDING = frozenset(
    {
        ProgramChangeState.REVIEWED,
        ProgramChangeState.SIGNED,
        ProgramChangeState.CO_SIGNED,
        ProgramChangeState.SENT,
        ProgramChangeState.NOT_DELIVERED,
    }
)


def _restart_change(uow: AbstractUnitOfWork, event: DeviceEventRecord) -> ProgramChange | None:
    change_id = event.facts.get("program_change_id", "")
    return uow.program_changes.get_change(change_id) if change_id else None


def _last_interruption(uow: AbstractUnitOfWork, pump: Pump) -> DeviceEventRecord | None:
    """The interruption still going on (None: delivery runs, or a restart is on its way); a
    restart whose program change was withdrawn or failed did not end it."""
    events = [e for e in uow.device_events.for_pump(pump.id) if e.pump_id == pump.id]
    for event in reversed(events):
        if event.kind is DeviceEventKind.RESTART:
            change = _restart_change(uow, event)
            if change is not None and change.state in _RESTART_NOT_DONE:
                continue
            return None
        if event.kind is DeviceEventKind.INTERRUPTION:
            return event
    return None


def _pending_restart(uow: AbstractUnitOfWork, pump: Pump) -> ProgramChange | None:
    for change in uow.program_changes.for_pump(pump.id):
        if change.kind is ProgramChangeKind.RESTART and change.state in _RESTART_PENDING:
            return change
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPendingRestart:
    actor: Actor
    pump_id: str


def pending_restart(
    cmd: GetPendingRestart, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProgramChange | None:
    """The pump's restart-as-new-start change still on its way (to be signed, co-signed, sent or
    confirmed), if any: while it waits, another restart is refused (THC-PATH-069). Read with the
    events page (whose event list is the audited read).

    Raises:
        AccessDenied; PumpNotFound.
    """
    del clock  # read only
    authorize_function(cmd.actor, Action.DEVICE_EVENT_READ)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        authorize(cmd.actor, Action.DEVICE_EVENT_READ, Subject.patient(pump.patient_id))
        return _pending_restart(uow, pump)


def suspend_delivery(
    cmd: SuspendDelivery, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> DeviceEventRecord:
    """Stop delivery for now; the program before is kept for the restart.

    Raises:
        AccessDenied; PumpNotFound; StalePumpVersion; PumpOutOfCare (THC-PATH-062);
        DeliveryAlreadySuspended (THC-PATH-063); DeviceError.
    """
    authorize_function(cmd.actor, Action.DEVICE_EVENT_SUSPEND)
    library = reference_library()
    now = clock.now()
    with uow:
        stored = already_recorded(uow, cmd.event_id, DeviceEventKind.INTERRUPTION)
        if stored is not None:
            return stored
        pump = pump_in_care(
            uow,
            cmd.actor,
            Action.DEVICE_EVENT_SUSPEND,
            pump_id=cmd.pump_id,
            expected_version=cmd.expected_pump_version,
            what="suspending delivery",
        )
        if pump.program.mode is ProgramMode.STOPPED:
            last = _last_interruption(uow, pump)
            since = last.at.isoformat() if last is not None else pump.program_since.isoformat()
            raise DeliveryAlreadySuspended(ident=pump.id, since=since)
        before = pump.program
        stopped = InfusionProgram(
            mode=ProgramMode.STOPPED,
            admixture=before.admixture,
            low_reservoir_alarm=before.low_reservoir_alarm,
        )
        ack, confirmed = _send_and_confirm(uow, pump, stopped, driver, actor=cmd.actor, now=now)
        uow.pumps.update(pump)
        drugs = [library.drug(drug_id) for drug_id in before.admixture.drug_ids]
        watch = [
            f"{drug.name} ({drug.withdrawal_risk.value.value} withdrawal risk,"
            f" {drug.withdrawal_risk.cite()})"
            for drug in drugs
            if drug.withdrawal_risk.value is not WithdrawalRisk.NONE
        ]
        policy = ClinicPolicy()
        opioids = [drug.name for drug in drugs if drug.is_opioid]
        summary = f"delivery suspended ({cmd.reason.value})" + (
            "" if confirmed else "; the pump did not confirm it: interrogate again"
        )
        if watch:
            summary += f"; watch for withdrawal of {', '.join(watch)}"
        if opioids:
            summary += (
                f"; a restart after {shown(policy.opioid_tolerance_lost_after)} or more is reviewed"
                f" as a new start of {', '.join(opioids)}"
                f" ({ClinicPolicy.source('opioid_tolerance_lost_after')})"
            )
        if cmd.note.strip():
            summary += f": {cmd.note.strip()}"
        event = store_event(
            uow,
            event_id=cmd.event_id or str(uuid.uuid4()),
            pump=pump,
            kind=DeviceEventKind.INTERRUPTION,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_SUSPEND,
            at=now,
            summary=summary,
            facts={
                "reason": cmd.reason.value,
                "note": cmd.note.strip(),
                "program_ack": ack.value,
                "confirmed": "yes" if confirmed else "no",
                "daily_dose_before_mcg_per_day": plain(before.basal_daily_dose.mcg_per_day),
            },
            program=before,
        )
        replan_visits(uow, pump.patient_id)
        uow.commit()
    return event


def _restart_program(pump: Pump, before: InfusionProgram, dose: DoseRate | None) -> InfusionProgram:
    if dose is None:
        return before
    if dose > before.basal_daily_dose:
        drug = before.admixture.primary.drug_id
        raise RequestInvalid(
            where="restart daily dose",
            detail=(
                f"{in_drug_unit(dose, drug)} is above the dose before the interruption"
                f" ({in_drug_unit(before.basal_daily_dose, drug)}):"
                " restart as before or lower, then propose the increase as a program change"
            ),
        )
    del pump
    return InfusionProgram.continuous(  # the patient's bolus button as before (reviewed with it)
        before.admixture,
        dose,
        patient_bolus=before.patient_bolus,
        low_reservoir_alarm=before.low_reservoir_alarm,
    )


def _review_new_start(
    uow: AbstractUnitOfWork,
    pump: Pump,
    program: InfusionProgram,
    cmd: RestartDelivery,
    now: dt.datetime,
    *,
    why: str,
    facts: dict[str, str],
) -> tuple[FindingSummary, ...]:
    """The review of a restart as a new start in an opioid-naive patient (its facts added to
    ``facts``). Raises ReviewBlocked; RestartOverrideMissing (an override finding and no
    justification)."""
    patient = patient_facts(uow, pump.patient_id, now)
    context = ReviewContext(
        action=ActionKind.NEW_START,
        at=now,
        proposer=proposer(cmd.actor),
        patient=dataclasses.replace(patient, opioid_status=OpioidStatus.NAIVE),
        pump=pump_state(pump, at=now),
        current=None,
        proposal=Proposal(
            prescription=prescription_of(program),
            programmed_admixture=program.admixture,
            monitoring=cmd.monitoring,
        ),
    )
    findings = review_or_block(context, action="the restart as a new start")
    overrides = [f for f in findings if f.severity is FindingSeverity.OVERRIDE]
    justification = (cmd.justification or "").strip()
    if overrides and not justification:
        raise RestartOverrideMissing(
            why=why, findings="; ".join(f"{f.code}: {f.message}" for f in overrides)
        )
    facts["findings"] = ", ".join(f.code for f in findings)
    if justification:
        facts["justification"] = justification
    if cmd.monitoring is not None and cmd.monitoring.respiratory is not None:
        facts["respiratory_monitoring_hours"] = plain(cmd.monitoring.respiratory.in_hours)
        facts["naloxone_available"] = "yes" if cmd.monitoring.naloxone_available else "not recorded"
    return findings


def _propose_restart(
    uow: AbstractUnitOfWork,
    pump: Pump,
    program: InfusionProgram,
    cmd: RestartDelivery,
    now: dt.datetime,
    *,
    findings: tuple[FindingSummary, ...],
    why: str,
) -> ProgramChange:
    """The restart as a new start, as a reviewed program change of kind ``restart`` from the
    stopped program: signed by a physician and co-signed by a second clinician before its send."""
    justification = (cmd.justification or "").strip()
    change = ProgramChange(
        change_id=str(uuid.uuid4()),
        patient_id=pump.patient_id,
        old_program=pump.program,
        new_program=program,
        proposed_by=cmd.actor,
        proposed_at=now,
        rationale=f"restart as a new start after {why}"
        + (f": {justification}" if justification else ""),
        kind=ProgramChangeKind.RESTART,
    )
    change.review(findings=findings, at=now)
    key = f"restart:{cmd.event_id}" if cmd.event_id else f"restart:{change.change_id}"
    uow.program_changes.add_for_pump(change, pump_id=pump.id, idempotency_key=key)
    uow.audit.record(
        actor=cmd.actor,
        action=Action.PROGRAM_PROPOSE,
        subject=Subject.patient(pump.patient_id),
        at=now,
        details={
            "pump_id": pump.id,
            "change_id": change.change_id,
            "kind": change.kind.value,
            "state": change.state.value,
            "rationale": change.rationale,
            "diff_digest": change.diff.digest,
            "findings": [f"{f.code} {f.severity.value}" for f in change.findings],
        },
    )
    return change


def restart_delivery(
    cmd: RestartDelivery, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> DeviceEventRecord:
    """Restart delivery after an interruption, reviewed as a new start when tolerance is lost.

    Raises:
        AccessDenied; PumpNotFound; StalePumpVersion; PumpOutOfCare (THC-PATH-062);
        DeliveryNotSuspended (THC-PATH-064); RequestInvalid (a higher dose);
        ReviewBlocked (THC-PUMP-010); RestartOverrideMissing (THC-PATH-065);
        RestartAwaitingSignatures (THC-PATH-069); DeviceError.

    After an interruption of at least the tolerance interval nothing is sent: the restart is a
    reviewed program change of kind ``restart`` (its id in the event's ``program_change_id``)
    to be signed, co-signed, sent and confirmed like any other.
    """
    authorize_function(cmd.actor, Action.DEVICE_EVENT_RECORD)
    library = reference_library()
    policy = ClinicPolicy()
    now = clock.now()
    with uow:
        stored = already_recorded(uow, cmd.event_id, DeviceEventKind.RESTART)
        if stored is not None:
            return stored
        pump = pump_in_care(
            uow,
            cmd.actor,
            Action.DEVICE_EVENT_RECORD,
            pump_id=cmd.pump_id,
            expected_version=cmd.expected_pump_version,
            what="a restart",
        )
        pending = _pending_restart(uow, pump)
        if pending is not None:
            raise RestartAwaitingSignatures(
                ident=pump.id, change_id=pending.change_id, state=pending.state.value
            )
        interruption = _last_interruption(uow, pump)
        if pump.program.mode is not ProgramMode.STOPPED or interruption is None:
            raise DeliveryNotSuspended(ident=pump.id)
        before = interruption.program or pump.program
        program = _restart_program(pump, before, cmd.daily_dose)
        drugs = [library.drug(drug_id) for drug_id in program.admixture.drug_ids]
        restart = review_restart(
            suspended_at=interruption.at, restart_at=now, drugs=drugs, policy=policy
        )
        facts = {
            "interrupted_hours": plain(restart.interrupted_for.in_hours),
            "tolerance_lost_after_hours": plain(restart.tolerance_lost_after.in_hours),
            "tolerance_source": restart.source,
            "as_new_start": "yes" if restart.as_new_start else "no",
            "new_start_drugs": ", ".join(restart.new_start_drug_ids),
            "daily_dose_mcg_per_day": plain(program.basal_daily_dose.mcg_per_day),
        }
        names = ", ".join(library.drug(d).name for d in restart.new_start_drug_ids)
        why = (
            f"interrupted {shown(restart.interrupted_for)}, tolerance counted lost after"
            f" {shown(restart.tolerance_lost_after)} ({restart.source})"
        )
        findings: tuple[FindingSummary, ...] = ()
        if restart.as_new_start:
            findings = _review_new_start(uow, pump, program, cmd, now, why=why, facts=facts)
        unit = library.drug(program.admixture.primary.drug_id).dose_unit
        if restart.as_new_start:
            change = _propose_restart(uow, pump, program, cmd, now, findings=findings, why=why)
            facts.update({"program_change_id": change.change_id, "state": change.state.value})
            summary = (
                f"restart at {shown(program.basal_daily_dose, mass=unit)} after {why}: reviewed"
                f" as a new start of {names} and proposed as program change {change.change_id},"
                " sent once a physician signs it and a second clinician co-signs it"
                " (the pump stays stopped until then)"
            )
        else:
            ack, confirmed = _send_and_confirm(uow, pump, program, driver, actor=cmd.actor, now=now)
            uow.pumps.update(pump)
            summary = (
                f"delivery restarted at {shown(program.basal_daily_dose, mass=unit)} after {why}:"
                " restarted as before"
                + ("" if confirmed else "; the pump did not confirm it: interrogate again")
            )
            facts.update({"program_ack": ack.value, "confirmed": "yes" if confirmed else "no"})
        event = store_event(
            uow,
            event_id=cmd.event_id or str(uuid.uuid4()),
            pump=pump,
            kind=DeviceEventKind.RESTART,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_RECORD,
            at=now,
            summary=summary,
            facts=facts,
            program=program,
        )
        replan_visits(uow, pump.patient_id)
        uow.commit()
    return event
