"""Admixture changes in the demo clinic's history (issue 12 §2): a concentration change with a
bridge bolus and a drug rotation (morphine → hydromorphone) with a bridge, each at a refill,
through the real use cases: proposed and signed by the physician, co-signed by the second
physician, the new syringe verified by the pharmacist, injected by the nurse's refill that sends
the new program behind the bridge, and confirmed by an interrogation after the bridge.

Which pumps: the morphine pumps in the order they are implanted — the first gets a concentration
change, the second a rotation, then every tenth one alternates between the two. The change comes
90–240 days after the implant (if before today) and starts a new refill chain, like a refill out
of the chain (``PumpCare.refill_out_of_chain``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from thecal.domain.admixture import Admixture
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    ConfirmationToken,
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    ProgramChangeBlocked,
    ProgramChangeState,
)
from thecal.domain.refill import PharmacyLabel
from thecal.domain.units import Concentration, DoseRate, Mass, Volume
from thecal.domain.users import Actor
from thecal.services.admixture_changes import (
    ProposeAdmixtureChange,
    new_admixture_program,
    propose_admixture_change,
)
from thecal.services.demo.context import SeedContext
from thecal.services.demo.pump_care import CHECKED, PumpCare
from thecal.services.identity import Reauthenticate
from thecal.services.pharmacy import VerifyAdmixture, verify_admixture
from thecal.services.program_changes import (
    CoSignProgramChange,
    SignProgramChange,
    cosign_program_change,
    sign_program_change,
)
from thecal.services.pump_record import StalePumpVersion
from thecal.services.pumps import GetPump, get_pump
from thecal.services.refills import PerformRefill, RefillOutcome, perform_refill

__all__ = ["schedule_admixture_change"]

PlanAt = Callable[[dt.datetime, Callable[[], dt.datetime | None]], None]
_EVERY = 10  # after the first two, every tenth morphine pump
#: Intrathecal morphine : hydromorphone 5–6 : 1 (S15), started 30 % or more below the
#: equivalent dose for incomplete cross-tolerance (ext:PALLCARE): the review's rotation rule
#: checks it (ITS-ROT-002 asks for an override below a 25 % reduction).
_ROTATION_FACTOR = Decimal("0.115")


def _new_program(current: InfusionProgram, *, rotation: bool) -> InfusionProgram:
    morphine = current.admixture.primary.concentration
    dose = current.basal_daily_dose
    if rotation:
        hydromorphone = Admixture.single("hydromorphone", Concentration.from_mg_per_ml(5))
        new_dose = DoseRate((dose.value * _ROTATION_FACTOR).quantize(Decimal(1)))
        rotated = new_admixture_program(current, hydromorphone, new_dose)
        bolus = current.patient_bolus
        if bolus is None:
            return rotated
        # the patient keeps a bolus button: its dose rotated like the daily dose, in whole mcg
        dose_mcg = (bolus.dose.mcg * _ROTATION_FACTOR).quantize(Decimal(1))
        return dataclasses.replace(
            rotated,
            patient_bolus=dataclasses.replace(bolus, dose=Mass.from_mcg(dose_mcg)),
        )
    # a stronger admixture where the flow stays at or above 0.1 mL/day, else a weaker one (a
    # low dose at 10 mg/mL can fall under the pump's minimum flow after an increase)
    if morphine.mg_per_ml == 25:
        strength = 20
    else:
        strength = 25 if dose.mg_per_day / 25 >= Decimal("0.1") else 5
    changed = Admixture.single("morphine", Concentration.from_mg_per_ml(strength))
    return new_admixture_program(current, changed, dose)


def schedule_admixture_change(care: PumpCare, *, implanted: dt.datetime, plan_at: PlanAt) -> None:
    """Plan an admixture change at a refill for this pump, if it is one of the chosen ones (its
    own generator: the rest of the patient's course draws the same numbers as before)."""
    rng = random.Random(f"admixture-{care.plan.seed}")
    plan = care.plan
    if care.program.admixture.drug_ids != ("morphine",) or plan.pocket_fill or plan.mri:
        return  # a pump with its own story (a pocket fill, an MRI) keeps it
    ctx = care.ctx
    ctx.tally.add("morphine pumps")
    order = ctx.tally.counts["morphine pumps"]
    if order > 2 and order % _EVERY:
        return
    rotation = order == 2 or (order > 2 and (order // _EVERY) % 2 == 0)
    at = implanted + dt.timedelta(days=rng.randint(90, 240), minutes=rng.randrange(0, 300))
    plan_at(at, lambda: _change_at_refill(care, rotation=rotation, plan_at=plan_at))


def _token(ctx: SeedContext, actor: Actor, change: ProgramChange) -> ConfirmationToken:
    token: ConfirmationToken = ctx.clinic.run(
        ctx.clinic.identity.reauthenticate,
        Reauthenticate(
            actor=actor,
            password=ctx.staff.passwords[actor.user_id],
            change_id=change.change_id,
            diff_digest=change.diff.digest,
        ),
    )
    return token


def _signed(ctx: SeedContext, change: ProgramChange) -> ProgramChange:
    staff = ctx.staff
    overrides = tuple(
        OverrideJustification(
            finding_code=f.code,
            reason=OverrideReason.CLINICAL_JUDGEMENT,
            text="rotation discussed with the patient; reduced equianalgesic dose",
        )
        for f in change.findings
        if f.severity.value == "override"
    )
    warnings = frozenset(f.code for f in change.findings if f.severity.value == "warn")
    change = ctx.clinic.run(
        sign_program_change,
        SignProgramChange(
            actor=staff.physician,
            change_id=change.change_id,
            token=_token(ctx, staff.physician, change),
            overrides=overrides,
            acknowledged_warnings=warnings,
        ),
    )
    return ctx.clinic.run(
        cosign_program_change,
        CoSignProgramChange(
            actor=staff.second_physician,
            change_id=change.change_id,
            token=_token(ctx, staff.second_physician, change),
        ),
    )


def _change_at_refill(care: PumpCare, *, rotation: bool, plan_at: PlanAt) -> dt.datetime | None:
    ctx, staff = care.ctx, care.ctx.staff
    new_program = _new_program(care.program, rotation=rotation)
    care.changes += 1
    key = ctx.ident("admixture-change", care.plan.number, care.changes)
    try:
        change = ctx.clinic.run(
            propose_admixture_change,
            ProposeAdmixtureChange(
                actor=staff.physician,
                pump_id=care.pump_id,
                new_program=new_program,
                bridge=True,
                idempotency_key=key,
                rationale=(
                    "opioid rotation for side effects" if rotation else "concentration change"
                ),
                change_id=key,
            ),
        ).change
    except ProgramChangeBlocked:
        ctx.tally.add("admixture changes blocked")
        return None
    if change.state is not ProgramChangeState.REVIEWED:
        ctx.tally.add("admixture changes blocked")
        return None
    change = _signed(ctx, change)
    care.refills += 1
    verification = ctx.clinic.run(
        verify_admixture,
        VerifyAdmixture(
            actor=staff.pharmacist,
            pump_id=care.pump_id,
            label=PharmacyLabel(
                admixture=new_program.admixture,
                volume=care.volume,
                lot=f"LOT-{care.plan.number:05d}-{care.refills:02d}",
                beyond_use=ctx.clock.now() + dt.timedelta(days=30),
            ),
            verification_id=ctx.ident("verification", care.plan.number, care.refills),
        ),
    )
    care.refill_epoch += 1  # the change's refill starts a new chain

    def refill(version: int) -> RefillOutcome:
        return ctx.clinic.run_device(
            perform_refill,
            PerformRefill(
                actor=staff.nurse,
                pump_id=care.pump_id,
                idempotency_key=ctx.ident("refill", care.plan.number, care.refills),
                expected_pump_version=version,
                verification_id=verification.id,
                ordered_volume=care.volume,
                lot_at_bedside=verification.label.lot,
                test_volume=Volume.from_ml(5),
                aspiration_returned=True,
                checklist=CHECKED,
                refill_id=ctx.ident("refill-record", care.plan.number, care.refills),
                program_change_id=change.change_id,
            ),
        )

    try:
        outcome = refill(care.version)
    except StalePumpVersion:
        outcome = refill(_version(care))
    care.version = _version(care)  # the refill moved it (the fill and the send)
    care.program = new_program
    ctx.tally.add("pharmacy verifications")
    ctx.tally.add("refills")
    ctx.tally.add("drug rotations" if rotation else "concentration changes")
    transition = change.transition
    lag = transition.lag.to_timedelta() if transition else dt.timedelta(0)
    confirm_at = ctx.clock.now() + lag + dt.timedelta(days=1)

    def confirm() -> dt.datetime | None:
        care.interrogate()
        return None

    plan_at(confirm_at, confirm)
    if outcome.plan is None:
        return None
    care.next_due = outcome.plan.due
    return care.refill_time(care.rng)


def _version(care: PumpCare) -> int:
    pump = care.ctx.clinic.run(get_pump, GetPump(actor=care.ctx.staff.nurse, pump_id=care.pump_id))
    return pump.version
