"""The refill, in one transaction: interrogate (expected residual) → withdraw (measured residual)
→ reconcile (discrepancy finding) → verified admixture → test volume and aspiration → inject →
pocket-fill checklist → new reservoir volume and next refill date.

Order of work inside the transaction (docs/persistence.md, "Refill"):

1. authorize; an idempotency key already used for this pump returns the stored refill, audited as
   a read (no second refill, no second device command);
2. lock the pump row and check the caller's ``expected_pump_version`` — the loser of a race gets
   :class:`~thecal.services.pump_record.StalePumpVersion` (a ``Conflict``) before touching the pump;
3. every check that can refuse the request without the pump: the pharmacy verification (unused,
   this pump), bedside lot, beyond-use date, the three-way match (SR-08), a complete checklist, and
   the safety review's refill rules (a ``block`` raises here: nothing has changed);
4. the device commands through the driver: interrogate, withdraw, then (aspiration confirmed)
   inject. The reconciliation comes from ``domain.refill.reconcile`` and the review's refill rules
   re-run with the measured residual (ITS-REFILL-007); a flagged refill goes on with an urgent
   reconciliation task. A negative aspiration halts the refill (pocket-fill watch task);
5. store refill, pump, verification, tasks and the audit entry; commit.

Physical truth comes from the twin: a pocket fill at this refill shows up as a discrepancy at the
next one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from thecal.domain.authorization import Action, Subject, authorize, authorize_function
from thecal.domain.errors import NotFound
from thecal.domain.forecast import RefillPlan, plan_next_refill
from thecal.domain.idempotency import require_same_request
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import FindingSummary, ProgramChange
from thecal.domain.refill import (
    AdmixtureMismatch,
    BedsideReadings,
    BeyondUseDatePassed,
    PharmacyLabel,
    PocketFillChecklist,
    PocketFillChecklistIncomplete,
    Reconciliation,
    Refill,
    RefillState,
)
from thecal.domain.safety.context import ActionKind, CurrentTherapy, Proposal, ReviewContext
from thecal.domain.safety.context import Refill as RefillFacts
from thecal.domain.safety.review import review
from thecal.domain.units import Volume
from thecal.domain.users import Actor, User
from thecal.domain.verification_code import looks_like_code, parse_code
from thecal.services.admixture_changes import (
    change_for_refill,
    record_sent_program,
    send_with_refill,
)
from thecal.services.clock import Clock
from thecal.services.device import record_snapshot
from thecal.services.program_changes import store_new_tasks
from thecal.services.pump_care import require_in_care
from thecal.services.pump_devices import ClinicPumpDriver
from thecal.services.pump_record import Pump, PumpNotFound
from thecal.services.pump_reservoir import refill_plan
from thecal.services.repositories.pharmacy import (
    PharmacyVerification,
    VerificationNotFound,
)
from thecal.services.review_context import patient_facts, prescription_of, proposer, pump_state
from thecal.services.safety_gate import review_or_block
from thecal.services.scheduling.planning import replan_visits
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = ["PerformRefill", "RefillOutcome", "perform_refill"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PerformRefill:
    actor: Actor
    pump_id: str
    idempotency_key: str  # unique per pump: a retried request returns the first refill
    expected_pump_version: int  # the pump version the nurse's screen showed
    verification_id: str  # the pharmacy verification of the syringe at hand
    ordered_volume: Volume  # the refill order's volume (three-way match with the label)
    lot_at_bedside: str
    test_volume: Volume  # ~5 mL injected and aspirated back first (S74)
    aspiration_returned: bool
    checklist: PocketFillChecklist
    refill_id: str | None = None  # generated when not given
    #: A co-signed admixture change this refill carries: the syringe holds its new admixture, and
    #: its program is sent (behind its bridge bolus) once the new admixture is in the reservoir.
    program_change_id: str | None = None
    #: the withdrawn and injected volumes as the nurse read them off the syringes (kept beside
    #: the pump's own figures; a gap beyond the model's threshold is ITS-REFILL-013)
    readings: BedsideReadings = field(default_factory=BedsideReadings)

    def __post_init__(self) -> None:
        # the code on the syringe, typed or scanned in any case (check character validated);
        # an older 36-character verification id is used as given
        if looks_like_code(self.verification_id):
            object.__setattr__(self, "verification_id", parse_code(self.verification_id))


@dataclass(frozen=True, slots=True, kw_only=True)
class RefillOutcome:
    refill: Refill
    findings: tuple[FindingSummary, ...]
    reconciliation: Reconciliation | None
    plan: RefillPlan | None  # None for a halted refill or a replayed request
    replayed: bool = False  # True: the idempotency key was already used; nothing was done now
    program_change: ProgramChange | None = None  # the admixture change it carried (sent)


def _checked_verification(
    uow: AbstractUnitOfWork, pump: Pump, cmd: PerformRefill, now: dt.datetime
) -> tuple[PharmacyVerification, User]:
    """Every check on the syringe at hand that needs no pump: unused, this pump, lot, date, list."""
    verification = uow.pharmacy.get(cmd.verification_id)
    if verification is None or verification.pump_id != pump.id:
        raise VerificationNotFound(ident=cmd.verification_id)
    verification.check_usable()  # neither used by a refill nor voided (its pump left care)
    label = verification.label
    pharmacist = uow.users.get(verification.verified_by)
    if pharmacist is None:
        raise NotFound(kind="user", ident=verification.verified_by)
    if cmd.lot_at_bedside.strip() != label.lot:
        raise AdmixtureMismatch(
            what="lot at the bedside", expected=label.lot, got=cmd.lot_at_bedside.strip()
        )
    if now > label.beyond_use:
        raise BeyondUseDatePassed(
            lot=label.lot, beyond_use=label.beyond_use.isoformat(), at=now.isoformat()
        )
    if cmd.checklist.unconfirmed:
        raise PocketFillChecklistIncomplete(items=", ".join(cmd.checklist.unconfirmed))
    return verification, pharmacist


def _ml_text(volume: Volume | None) -> str | None:
    return None if volume is None else str(volume.ml)


def _pump_to_refill(uow: AbstractUnitOfWork, cmd: PerformRefill) -> Pump:
    """The pump, locked, if the nurse may refill it, saw its current version and it is in care
    (an explanted, transferred or discontinued pump is never refilled: THC-PATH-062)."""
    pump = uow.pumps.get_for_update(cmd.pump_id)
    if pump is None:
        raise PumpNotFound(ident=cmd.pump_id)
    authorize(cmd.actor, Action.REFILL_PERFORM, Subject.patient(pump.patient_id))
    pump.check_version(cmd.expected_pump_version)
    require_in_care(pump, "a refill")
    return pump


def _require_retry(uow: AbstractUnitOfWork, existing: Refill, cmd: PerformRefill) -> None:
    """A key sent again must repeat the first refill's request (else 422, nothing replayed)."""
    verification = uow.pharmacy.get(cmd.verification_id)
    same_syringe = verification is not None and (
        verification.used_by_refill_id == existing.refill_id
    )
    first: dict[str, object] = {
        "nurse": existing.history[0].user_id,
        "pharmacy verification": cmd.verification_id if same_syringe else None,
        "ordered volume": existing.ordered_volume,
        "lot at the bedside": existing.label.lot if existing.label is not None else None,
        "test volume": existing.test_volume,
        "aspiration result": any(t.action == "aspiration confirmed" for t in existing.history),
    }
    again: dict[str, object] = {
        "nurse": cmd.actor.user_id,
        "pharmacy verification": cmd.verification_id,
        "ordered volume": cmd.ordered_volume,
        "lot at the bedside": cmd.lot_at_bedside.strip(),
        "test volume": cmd.test_volume,
        "aspiration result": cmd.aspiration_returned,
    }
    if not existing.bedside.empty or not cmd.readings.empty:
        first["volumes as read"], again["volumes as read"] = existing.bedside, cmd.readings
    if existing.checklist is not None:
        first["pocket-fill checklist"], again["pocket-fill checklist"] = (
            existing.checklist,
            cmd.checklist,
        )
    require_same_request(
        key=cmd.idempotency_key, what=f"refill {existing.refill_id}", first=first, again=again
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Filling:
    cmd: PerformRefill
    uow: AbstractUnitOfWork
    driver: ClinicPumpDriver
    pump: Pump
    change: ProgramChange | None
    at: dt.datetime


def _fill(
    filling: _Filling,
    refill: Refill,
    *,
    label: PharmacyLabel,
    program: InfusionProgram,
    policy: ClinicPolicy,
) -> RefillPlan:
    """Inject the verified admixture (then send a carried admixture change's program, behind its
    bridge bolus), close the checklist and the refill, and record the fill on the pump."""
    cmd, pump, change, now = filling.cmd, filling.pump, filling.change, filling.at
    filling.driver.inject(pump.serial, volume=cmd.ordered_volume, admixture=label.admixture)
    if change is not None:  # the new admixture is in: send its program (and bridge)
        send_with_refill(filling.driver, pump, change, actor=cmd.actor, at=now)
    refill.complete_pocket_fill_checklist(actor=cmd.actor, at=now, checklist=cmd.checklist)
    plan = refill.complete(
        actor=cmd.actor,
        at=now,
        reservoir_volume=cmd.ordered_volume,
        program=program,
        drugs=reference_library().drugs,
        policy=policy,
    )
    pump.record_fill(
        admixture=label.admixture, volume=cmd.ordered_volume, at=now, next_refill_due=plan.due
    )
    if change is not None:
        record_sent_program(pump, change, at=now)
        filling.uow.program_changes.update(change)
        # the bridge runs the old flow over the dead space first: the history's date, if earlier
        bridged = refill_plan(pump, policy).due
        pump.next_refill_due = min(plan.due, bridged)
    return plan


def perform_refill(
    cmd: PerformRefill,
    *,
    uow: AbstractUnitOfWork,
    clock: Clock,
    driver: ClinicPumpDriver,
    policy: ClinicPolicy | None = None,
) -> RefillOutcome:
    """Refill a pump from a verified admixture (see the module docstring for the order).

    Raises:
        AccessDenied; PumpNotFound; StalePumpVersion (a concurrent refill or change won);
        PumpOutOfCare (THC-PATH-062: explanted, transferred or discontinued);
        IdempotencyKeyReused (the key sent again with a different request: 422, nothing replayed);
        VerificationNotFound / VerificationAlreadyUsed / VerificationVoided; AdmixtureMismatch; BeyondUseDatePassed;
        PocketFillChecklistIncomplete; ReviewBlocked (ITS-REFILL-00x block); DeviceError.
    """
    authorize_function(cmd.actor, Action.REFILL_PERFORM)
    chosen = policy or ClinicPolicy()
    library = reference_library()
    now = clock.now()
    with uow:
        existing = uow.refills.get_by_key(cmd.pump_id, cmd.idempotency_key)
        if existing is not None:  # a retry: the stored refill, read back (and audited as a read)
            subject = Subject.patient(existing.patient_id)
            authorize(cmd.actor, Action.REFILL_PERFORM, subject)
            _require_retry(uow, existing, cmd)
            uow.audit.record(
                actor=cmd.actor,
                action=Action.PROGRAM_READ,
                subject=subject,
                at=now,
                details={
                    "pump_id": cmd.pump_id,
                    "refills": [existing.refill_id],
                    "replayed": True,
                },
            )
            uow.commit()
            return RefillOutcome(
                refill=existing,
                findings=uow.refills.findings_of(existing.refill_id),
                reconciliation=existing.reconciliation,
                plan=None,
                replayed=True,
            )
        pump = _pump_to_refill(uow, cmd)
        subject = Subject.patient(pump.patient_id)
        verification, pharmacist = _checked_verification(uow, pump, cmd, now)
        label = verification.label
        change = (
            None
            if cmd.program_change_id is None
            else change_for_refill(uow, pump, cmd.program_change_id, label.admixture)
        )
        program = pump.program if change is None else change.new_program  # after the refill
        alarm = program.low_reservoir_alarm or library.pump(pump.model_id).low_reservoir_alarm.value
        projected = plan_next_refill(
            filled_at=now,
            reservoir=cmd.ordered_volume,
            alarm=alarm,
            basal_flow=program.basal_flow,
            worst_case_flow=program.worst_case_flow,
            admixture=program.admixture,
            drugs=dict(library.drugs),
            policy=chosen,
        )

        def context(**residuals: Volume | None) -> ReviewContext:
            return ReviewContext(
                action=ActionKind.REFILL,
                at=now,
                proposer=proposer(cmd.actor),
                patient=patient_facts(uow, pump.patient_id, now),
                pump=pump_state(pump),
                current=CurrentTherapy(  # the signed order this refill follows
                    prescription=prescription_of(program), last_dose_change_at=pump.program_since
                ),
                proposal=Proposal(
                    refill=RefillFacts(
                        volume=cmd.ordered_volume,
                        admixture=program.admixture,
                        verified_admixture=label.admixture,
                        programmed_admixture=program.admixture,
                        aspiration_confirmed=True,  # the aspiration itself is recorded below
                        next_refill_at=projected.due,
                        expected_residual=residuals.get("expected"),
                        measured_residual=residuals.get("measured"),
                        expected_delivered=residuals.get("delivered"),
                        withdrawn_as_read=residuals.get("withdrawn_read"),
                        injected_as_read=residuals.get("injected_read"),
                    )
                ),
            )

        review_or_block(context(), action="the refill", policy=chosen)
        refill = Refill(
            refill_id=cmd.refill_id or str(uuid.uuid4()),
            idempotency_key=cmd.idempotency_key,
            patient_id=pump.patient_id,
            pump=library.pump(pump.model_id),
            pump_serial=pump.serial,
            ordered_admixture=program.admixture,
            ordered_volume=cmd.ordered_volume,
            opened_by=cmd.actor,
            opened_at=now,
        )
        refill.program_change_id = None if change is None else change.change_id
        refill.record_bedside_readings(cmd.readings)  # an impossible reading: nothing done
        # ---- the device: interrogate, withdraw
        snapshot = driver.interrogate(pump.serial)
        _, task_ids = record_snapshot(uow, pump, snapshot, actor=cmd.actor, at=now)
        refill.record_interrogation(
            actor=cmd.actor,
            at=now,
            expected_residual=min(snapshot.reservoir_estimate, pump.reservoir_volume),
            last_fill_volume=pump.reservoir_volume,
        )
        measured = driver.withdraw_residual(pump.serial).measured
        reconciliation = refill.record_withdrawal(
            actor=cmd.actor,
            at=now,
            measured_residual=min(measured, pump.reservoir_volume),
            threshold=chosen.refill_discrepancy_threshold,
            band_pct=chosen.refill_accuracy_band_pct,
        )
        findings = tuple(
            FindingSummary.of(f)
            for f in review(
                context(
                    expected=reconciliation.expected_residual,
                    measured=reconciliation.measured_residual,
                    delivered=reconciliation.programmed,
                    withdrawn_read=cmd.readings.withdrawn,
                    # injected only when the fill goes ahead (a halted refill injects nothing)
                    injected_read=cmd.readings.injected if cmd.aspiration_returned else None,
                ),
                library=library,
                policy=chosen,
            ).findings
        )
        refill.verify_admixture(actor=pharmacist.as_actor(), at=now, label=label)
        refill.inject_test_volume(actor=cmd.actor, at=now, volume=cmd.test_volume, lot=label.lot)
        plan: RefillPlan | None = None
        if refill.record_aspiration(actor=cmd.actor, at=now, returned=cmd.aspiration_returned) is (
            RefillState.ASPIRATION_CONFIRMED
        ):
            plan = _fill(
                _Filling(cmd=cmd, uow=uow, driver=driver, pump=pump, change=change, at=now),
                refill,
                label=label,
                program=program,
                policy=chosen,
            )
        else:
            pump.record_emptied(at=now)  # the residual was withdrawn; nothing was filled
        verification.use(refill.refill_id)
        uow.pumps.update(pump)
        uow.pharmacy.update(verification)
        uow.refills.add_for_pump(
            refill, pump_id=pump.id, verification_id=verification.id, findings=findings
        )
        task_ids += store_new_tasks(uow, refill.tasks, before=0, at=now)
        uow.audit.record(
            actor=cmd.actor,
            action=Action.REFILL_PERFORM,
            subject=subject,
            at=now,
            details={
                "refill_id": refill.refill_id,
                "pump_id": pump.id,
                "idempotency_key": cmd.idempotency_key,
                "state": refill.state.value,
                "reconciliation": reconciliation.describe(),
                "verdict": reconciliation.verdict.value,
                "findings": [f"{f.code} {f.severity.value}" for f in findings],
                "verification_id": verification.id,
                "volume_ml": str(cmd.ordered_volume.ml),
                "next_refill_due": plan.due.isoformat() if plan else None,
                "tasks": task_ids,
                "admixture_change_id": None if change is None else change.change_id,
                "admixture_change_state": None if change is None else change.state.value,
                "withdrawn_as_read_ml": _ml_text(cmd.readings.withdrawn),
                "injected_as_read_ml": _ml_text(cmd.readings.injected),
            },
        )
        replan_visits(uow, pump.patient_id)  # the visits its facts ask for
        uow.commit()
    return RefillOutcome(
        refill=refill,
        findings=findings,
        reconciliation=reconciliation,
        plan=plan,
        program_change=change,
    )
