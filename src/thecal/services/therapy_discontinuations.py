"""Explant without replacement, and the end of intrathecal therapy with the pump left in place
(issue 12 §3).

Refused (THC-PATH-061, nothing changed, nothing sent) unless the recorded withdrawal plan covers
every drug of the pump's admixture with a withdrawal risk in the library — baclofen above all
(S18, S35b, S94), the opioids (S30), clonidine (ext:DURACLON) — see
``domain.therapy_discontinuation``. Then the reservoir is emptied through the port and reconciled
(the pump's count against the volume withdrawn) and:

* explant: the pump comes out; its twin takes no more commands, its history is kept;
* therapy stopped: the pump is set to "stopped" and stays implanted, emptied; it leaves the
  refill worklist (state ``discontinued``) and can be explanted later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from thecal.domain.authorization import Action, authorize_function
from thecal.domain.device_event_record import DeviceEventKind, DeviceEventRecord
from thecal.domain.drugs import Drug
from thecal.domain.errors import RequestInvalid
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram, ProgramMode
from thecal.domain.therapy_discontinuation import (
    DiscontinuationKind,
    WithdrawalPlan,
    check_withdrawal_plan,
    drugs_needing_a_plan,
)
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.device_event_records import (
    already_recorded,
    final_withdrawal,
    pump_in_care,
    reconciliation_facts,
    store_event,
)
from thecal.services.pump_care import leave_care
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_driver import ProgramAck
from thecal.services.pump_record import PumpState
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["DiscontinueTherapy", "discontinue_therapy"]

_KINDS = {
    DiscontinuationKind.EXPLANT: DeviceEventKind.EXPLANT,
    DiscontinuationKind.THERAPY_STOPPED: DeviceEventKind.THERAPY_STOPPED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscontinueTherapy:
    actor: Actor
    pump_id: str
    expected_pump_version: int
    kind: DiscontinuationKind
    reason: str
    withdrawal_plan: WithdrawalPlan | None = None
    event_id: str | None = None


def _plan_facts(reason: str, plan: WithdrawalPlan | None, drugs: list[Drug]) -> dict[str, str]:
    """The reason, the withdrawal plan and every drug with a withdrawal risk, for the record."""
    facts: dict[str, str] = {"reason": reason}
    if plan is not None:
        facts["withdrawal_plan"] = plan.text.strip()
        facts["withdrawal_plan_drugs"] = ", ".join(plan.drug_ids)
    facts["withdrawal_risk"] = "; ".join(
        f"{drug.name}: {drug.withdrawal_risk.value.value} ({drug.withdrawal_risk.cite()})"
        for drug in drugs_needing_a_plan(drugs)
    )
    return facts


def discontinue_therapy(
    cmd: DiscontinueTherapy, *, uow: AbstractUnitOfWork, clock: Clock, driver: ClinicPumpDriver
) -> DeviceEventRecord:
    """Explant the pump, or stop its therapy for good, with the withdrawal plan it needs.

    Raises:
        AccessDenied; PumpNotFound; StalePumpVersion; PumpOutOfCare (THC-PATH-062);
        WithdrawalPlanRequired (THC-PATH-061); RequestInvalid (no reason); DeviceError.
    """
    authorize_function(cmd.actor, Action.DEVICE_EVENT_RECORD)
    library = reference_library()
    now = clock.now()
    kind = _KINDS[cmd.kind]
    reason = cmd.reason.strip()
    if not reason:
        raise RequestInvalid(where="reason", detail="say why the therapy ends")
    with uow:
        stored = already_recorded(uow, cmd.event_id, kind)
        if stored is not None:
            return stored
        allowed = {PumpState.ACTIVE}
        if cmd.kind is DiscontinuationKind.EXPLANT:
            allowed.add(PumpState.DISCONTINUED)  # a pump left in place can come out later
        pump = pump_in_care(
            uow,
            cmd.actor,
            Action.DEVICE_EVENT_RECORD,
            pump_id=cmd.pump_id,
            expected_version=cmd.expected_pump_version,
            what="an explant" if cmd.kind is DiscontinuationKind.EXPLANT else "ending the therapy",
            allowed=frozenset(allowed),
        )
        drugs = [library.drug(drug_id) for drug_id in pump.admixture.drug_ids]
        if pump.state is PumpState.ACTIVE:
            check_withdrawal_plan(drugs, cmd.withdrawal_plan)
        facts = _plan_facts(reason, cmd.withdrawal_plan, drugs)
        if pump.state is PumpState.ACTIVE:  # a discontinued pump was emptied already
            reconciliation = final_withdrawal(uow, pump, driver, actor=cmd.actor, at=now)
            facts.update(reconciliation_facts(reconciliation))
        if cmd.kind is DiscontinuationKind.EXPLANT:
            driver.explant(pump.serial, reason=f"explanted without replacement: {reason}")
            pump.record_explanted(at=now)
            summary = f"the pump came out without replacement: {reason}"
        else:
            stopped = InfusionProgram(
                mode=ProgramMode.STOPPED,
                admixture=pump.program.admixture,
                low_reservoir_alarm=pump.program.low_reservoir_alarm,
            )
            ack = driver.program(pump.serial, stopped)
            facts["program_ack"] = ack.value
            pump.record_emptied(at=now)
            if ack is ProgramAck.ACKNOWLEDGED:
                pump.record_program(stopped, at=now)
            else:
                pump.record_send(stopped, at=now, acknowledged=False)
            pump.record_care(PumpState.DISCONTINUED)
            summary = (
                f"intrathecal therapy ended, the pump left in place, emptied and stopped: {reason}"
            )
        if cmd.withdrawal_plan is not None:
            summary += f"; withdrawal plan: {cmd.withdrawal_plan.text.strip()}"
        uow.pumps.update(pump)
        cleaned, clause = leave_care(
            uow,
            pump,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_RECORD,
            at=now,
            reason=(
                f"the pump was explanted: {reason}"
                if cmd.kind is DiscontinuationKind.EXPLANT
                else f"the intrathecal therapy was discontinued: {reason}"
            ),
        )
        facts.update(cleaned)
        summary += clause
        event = store_event(
            uow,
            event_id=cmd.event_id or str(uuid.uuid4()),
            pump=pump,
            kind=kind,
            actor=cmd.actor,
            action=Action.DEVICE_EVENT_RECORD,
            at=now,
            summary=summary,
            facts=facts,
        )
        replan_visits(uow, pump.patient_id)
        uow.commit()
    return event
