"""Admixture changes at a refill (issue 12 §2): concentration change, drug rotation, adjuvant added
or removed.

The workflow, with its states (docs/pathway.md, "Admixture change at a refill")::

    propose_admixture_change ─▶ program change REVIEWED (or BLOCKED: a drug new to the pump is
        reviewed as a new start for that drug) ─sign─▶ SIGNED ─co-sign─▶ CO_SIGNED
    pharmacist verifies the NEW admixture for this pump (``services/pharmacy.py`` accepts a label
        that matches a co-signed admixture change of the pump)
    refill with ``program_change_id`` (``services/refills.py``): withdraw, inject the new
        admixture, send the new program behind the bridge bolus (or at once) ─▶ SENT
    the next interrogation ─▶ CONFIRMED (the record then runs the new program)

The change is an ordinary :class:`~thecal.domain.program_change.ProgramChange` carrying an
:class:`~thecal.domain.admixture_change.AdmixtureTransition`: its bridge decision and what the
tip receives are rows of the diff, signed and co-signed with the programs as one change (SR-16).
It is never sent on its own (``send_program_change`` refuses it): the pump would run the new
program on the old admixture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.admixture import Admixture
from thecal.domain.admixture_change import (
    AdmixtureChangeNotReady,
    plan_transition,
)
from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.idempotency import require_same_request
from thecal.domain.library import reference_library
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import ProgramChange, ProgramChangeState, SendOutcome
from thecal.domain.refill import AdmixtureMismatch
from thecal.domain.units import DoseRate, Volume
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.program_changes import (
    ProgramChangeNotFound,
    ProposalOutcome,
    ProposeProgramChange,
    PumpProgramMoved,
    propose_program_change,
)
from thecal.services.pump_care import require_in_care
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_driver import ProgramAck
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "AwaitingRefill",
    "ProposeAdmixtureChange",
    "awaiting_refill",
    "change_for_refill",
    "dead_space_of",
    "list_awaiting_refill",
    "new_admixture_program",
    "propose_admixture_change",
    "record_sent_program",
    "send_with_refill",
    "verified_change_for",
]

#: The states in which an admixture change waits for the refill that sends it.
_READY = (ProgramChangeState.CO_SIGNED, ProgramChangeState.NOT_DELIVERED)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposeAdmixtureChange:
    actor: Actor
    pump_id: str
    new_program: InfusionProgram  # the new admixture with its doses
    bridge: bool  # keep the tip dose continuous while the dead space empties
    idempotency_key: str
    rationale: str = ""
    change_id: str | None = None


def new_admixture_program(
    current: InfusionProgram, admixture: Admixture, daily_dose: DoseRate
) -> InfusionProgram:
    """The continuous program for a new admixture: the patient bolus is kept only when the primary
    drug stays the same (after a rotation its dose would be in the old drug, so it is switched off
    and the diff shows it); the low-reservoir alarm is kept."""
    same_drug = admixture.primary.drug_id == current.admixture.primary.drug_id
    return InfusionProgram.continuous(
        admixture,
        daily_dose,
        patient_bolus=current.patient_bolus if same_drug else None,
        low_reservoir_alarm=current.low_reservoir_alarm,
    )


def dead_space_of(pump: Pump) -> Volume:
    """The pump's internal path + its catheter's dead space (length × volume per cm, S53, S64)."""
    library = reference_library()
    catheter = library.catheter(pump.catheter_model_id).dead_space(pump.catheter_length_cm)
    return catheter + library.pump(pump.model_id).internal_volume.value


def propose_admixture_change(
    cmd: ProposeAdmixtureChange, *, uow: AbstractUnitOfWork, clock: Clock
) -> ProposalOutcome:
    """Propose a new admixture (and program) for a pump, sent at the refill that injects it.

    The safety review runs as for any program change; a drug new to the pump is a new start for
    that drug (ITS-START-*, ITS-ROT-*), so a switch at a multiple of a starting dose is blocked and
    nothing is stored.

    Raises:
        AccessDenied; PumpNotFound; RequestInvalid (the admixture does not change, or a program
        with no basal flow); DosingImpossible; ProgramChangeBlocked; ProposalKeyInUse.
    """
    authorize_function(cmd.actor, Action.PROGRAM_PROPOSE)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        authorize(cmd.actor, Action.PROGRAM_PROPOSE, Subject.patient(pump.patient_id))
        require_in_care(pump, "an admixture change")
        replay = uow.program_changes.get_by_key(cmd.idempotency_key)
        if replay is not None:  # a retry asks for the same bridge (the rest: propose below)
            require_same_request(
                key=cmd.idempotency_key,
                what=f"program change {replay.change_id}",
                first={"bridge": replay.transition.bridge if replay.transition else None},
                again={"bridge": cmd.bridge},
            )
        old_program, dead_space = pump.program, dead_space_of(pump)
    transition = (
        None
        if replay is not None  # a retry: the stored change answers, nothing is planned again
        else plan_transition(
            old_program=old_program,
            new_program=cmd.new_program,
            dead_space=dead_space,
            bridge=cmd.bridge,
        )
    )
    return propose_program_change(
        ProposeProgramChange(
            actor=cmd.actor,
            pump_id=cmd.pump_id,
            new_program=cmd.new_program,
            idempotency_key=cmd.idempotency_key,
            rationale=cmd.rationale,
            change_id=cmd.change_id,
            transition=transition,
        ),
        uow=uow,
        clock=clock,
    )


def awaiting_refill(uow: AbstractUnitOfWork, pump_id: str) -> Sequence[ProgramChange]:
    """The pump's co-signed admixture changes waiting for the refill that injects them."""
    return [
        change
        for change in uow.program_changes.for_pump(pump_id)
        if change.transition is not None and change.state in _READY
    ]


def verified_change_for(
    uow: AbstractUnitOfWork, pump: Pump, admixture: Admixture
) -> ProgramChange | None:
    """The co-signed admixture change of ``pump`` whose new admixture is ``admixture``."""
    return next(
        (
            change
            for change in awaiting_refill(uow, pump.id)
            if change.new_program.admixture == admixture and change.old_program == pump.program
        ),
        None,
    )


def change_for_refill(
    uow: AbstractUnitOfWork, pump: Pump, change_id: str, verified: Admixture
) -> ProgramChange:
    """The admixture change a refill carries, checked against the pump and the verified syringe.

    Raises:
        ProgramChangeNotFound: no such change for this pump.
        AdmixtureChangeNotReady: not an admixture change, or not co-signed (or already sent).
        PumpProgramMoved: the pump no longer runs the program the change was made from.
        AdmixtureMismatch: the verified syringe is not the change's new admixture.
    """
    change = uow.program_changes.get_change(change_id)
    if change is None or uow.program_changes.pump_of(change_id) != pump.id:
        raise ProgramChangeNotFound(ident=change_id)
    if change.transition is None or change.state not in _READY:
        raise AdmixtureChangeNotReady(
            change_id=change_id,
            state=change.state.value,
            why=(
                "it does not change the admixture: send it with thecal program-changes send"
                if change.transition is None
                else "only a co-signed admixture change is sent by a refill"
            ),
        )
    if pump.program != change.old_program:
        raise PumpProgramMoved(pump_id=pump.id, change_id=change_id)
    if verified != change.new_program.admixture:
        raise AdmixtureMismatch(
            what="the verified syringe vs the admixture change's new admixture",
            expected=change.new_program.admixture.describe(),
            got=verified.describe(),
        )
    return change


def send_with_refill(
    driver: ClinicPumpDriver,
    pump: Pump,
    change: ProgramChange,
    *,
    actor: Actor,
    at: dt.datetime,
) -> SendOutcome:
    """Send the change's program right after the new admixture was injected: behind the bridge
    bolus when the change has one, else at once. The answer is recorded as it is (never guessed).
    """
    transition = change.transition
    if transition is not None and transition.bridge:
        ack = driver.bridge_bolus(pump.serial, change.new_program)
    else:
        ack = driver.program(pump.serial, change.new_program)
    outcome = SendOutcome.ACKNOWLEDGED if ack is ProgramAck.ACKNOWLEDGED else SendOutcome.UNCERTAIN
    change.record_send(actor=actor, outcome=outcome, at=at)
    return outcome


def record_sent_program(pump: Pump, change: ProgramChange, *, at: dt.datetime) -> None:
    """The record's view of the send after the fill: with a bridge the pump keeps the current
    program's flow until the dead space has emptied (the bridge delivers exactly the dead space at
    that flow), so the new program's span starts then; the interrogation confirms it."""
    transition = change.transition
    starts = at + transition.lag.to_timedelta() if transition and transition.bridge else at
    acknowledged = change.send_outcomes[-1] is SendOutcome.ACKNOWLEDGED
    pump.record_send(change.new_program, at=starts, acknowledged=acknowledged)


@dataclass(frozen=True, slots=True, kw_only=True)
class AwaitingRefill:
    actor: Actor
    pump_id: str


def list_awaiting_refill(
    cmd: AwaitingRefill, *, uow: AbstractUnitOfWork, clock: Clock
) -> Sequence[ProgramChange]:
    """The pump's co-signed admixture changes waiting for their refill (an audited PHI read)."""
    authorize_function(cmd.actor, Action.PROGRAM_READ)
    with uow:
        pump = uow.pumps.get(cmd.pump_id)
        if pump is None:
            raise PumpNotFound(ident=cmd.pump_id)
        subject = Subject.patient(pump.patient_id)
        authorize(cmd.actor, Action.PROGRAM_READ, subject)
        found = awaiting_refill(uow, pump.id)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.PROGRAM_READ,
            subject=subject,
            at=clock.now(),
            details={"pump_id": pump.id, "admixture_changes": [c.change_id for c in found]},
        )
        uow.commit()
    return found
