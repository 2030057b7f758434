"""Device events in the demo clinic's history (issue 12 §3), through the real use cases:

* a **catheter revision** (a longer catheter of the same model, 10 cm more, the catheter alone
  primed; the SynchroMed's catheter access port checked, S54);
* an **interruption** for surgery and its restart two days later (as before: under the clinic's
  tolerance interval);
* an **interruption** for a pocket infection on a morphine 10 mg/mL pump, restarted five days
  later as a **new start** (tolerance counted lost): 1 mg/day with 24 h of respiratory
  monitoring and naloxone at hand, a program change of kind restart that the physician signs, a
  second physician co-signs, sent and confirmed by interrogation;
* a **replacement at the elective replacement indicator with a change of model**: the
  SynchroMed II's battery reaches ERI early (a twin input), and a week later the physician
  replaces it by the Prometra II of the same reservoir, the morphine therapy carried over and the
  new path primed. The pump's care continues on the new pump.

Which pumps: the SynchroMed pumps with no pocket fill or MRI of their own, in the order they are
implanted — the first gets the interruption (60–90 days after the implant) and the revision
(150–200 days); the first with morphine (which the Prometra II is approved for) the replacement
(250–320 days; it may be the same pump, whose care then goes on with the new one). Each act happens only if
its day is before today; an act the clinic's rules refuse is counted, not forced.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from thecal.domain.admixture import Admixture
from thecal.domain.catheter_revision import CapCheck
from thecal.domain.errors import ThecalError
from thecal.domain.interruption import InterruptionReason
from thecal.domain.library import reference_library
from thecal.domain.pump_replacement import ReplacementReason
from thecal.domain.safety.context import MonitoringPlan
from thecal.domain.units import Concentration, DoseRate, Duration
from thecal.services.catheter_revisions import ReviseCatheter, revise_catheter
from thecal.services.demo.pump_care import PumpCare
from thecal.services.interruptions import (
    RestartDelivery,
    SuspendDelivery,
    restart_delivery,
    suspend_delivery,
)
from thecal.services.program_changes import GetProgramChange, get_program_change
from thecal.services.pump_replacements import ReplacePump, replace_pump
from thecal.services.pumps import GetPump, get_pump
from thecal.simulation.faults import BatteryDepletion

__all__ = ["schedule_device_events"]

PlanAt = Callable[[dt.datetime, Callable[[], dt.datetime | None]], None]
_NEW_MODEL = {"synchromed-ii-20": "prometra-ii-20", "synchromed-ii-40": "prometra-ii-40"}
_MORPHINE_10 = Admixture.single("morphine", Concentration.from_mg_per_ml(10))


def schedule_device_events(care: PumpCare, *, implanted: dt.datetime, plan_at: PlanAt) -> None:
    """Plan this pump's device events, if it is one of the chosen ones (its own generator)."""
    plan = care.plan
    model_id = plan.pump_model_id or "synchromed-ii-20"
    if plan.pocket_fill or plan.mri:
        return  # a pump with its own story keeps it
    _schedule_long_interruption(care, implanted=implanted, plan_at=plan_at)
    if model_id not in _NEW_MODEL:
        return
    ctx = care.ctx
    rng = random.Random(f"device-events-{plan.seed}")
    if not ctx.tally.counts.get("interruptions planned"):
        ctx.tally.add("interruptions planned")
        at = implanted + dt.timedelta(days=rng.randint(60, 90), minutes=rng.randrange(60, 300))
        plan_at(at, lambda: _suspend(care))
        plan_at(at + dt.timedelta(days=2), lambda: _restart(care))
        at = implanted + dt.timedelta(days=rng.randint(150, 200), minutes=rng.randrange(60, 300))
        plan_at(at, lambda: _revise(care))
    if care.program.admixture.drug_ids == ("morphine",) and not ctx.tally.counts.get(
        "replacements planned"
    ):
        ctx.tally.add("replacements planned")
        at = implanted + dt.timedelta(days=rng.randint(250, 320), minutes=rng.randrange(60, 300))
        life = reference_library().pump(model_id).service_life.value
        plan_at(at, lambda: _eri(care, life))
        plan_at(at + dt.timedelta(days=7), lambda: _replace(care, model_id))


def _schedule_long_interruption(care: PumpCare, *, implanted: dt.datetime, plan_at: PlanAt) -> None:
    """The first morphine 10 mg/mL pump: a pocket infection stops delivery for five days 20–50
    days after the implant (before any admixture change), and the restart is a new start at the
    top of the opioid-naive starting range, 1 mg/day (its own generator)."""
    ctx = care.ctx
    if care.program.admixture != _MORPHINE_10 or ctx.tally.counts.get("long interruptions planned"):
        return
    ctx.tally.add("long interruptions planned")
    rng = random.Random(f"long-interruption-{care.plan.seed}")
    at = implanted + dt.timedelta(days=rng.randint(20, 50), minutes=rng.randrange(60, 300))
    suspended: list[bool] = []

    def suspend() -> dt.datetime | None:
        if care.program.admixture == _MORPHINE_10:  # not after an admixture change
            _suspend(care, InterruptionReason.INFECTION, "pocket infection")
            suspended.append(True)
            care.suspended = True
        return None

    plan_at(at, suspend)
    plan_at(at + dt.timedelta(days=5), lambda: _restart_as_new_start(care) if suspended else None)


def _version(care: PumpCare) -> int:
    pump = care.ctx.clinic.run(get_pump, GetPump(actor=care.ctx.staff.nurse, pump_id=care.pump_id))
    care.version = pump.version
    return pump.version


def _attempt(care: PumpCare, kind: str, act: Callable[[], object]) -> None:
    try:
        act()
    except ThecalError:
        care.ctx.tally.add(f"{kind} refused")
        return
    care.ctx.tally.add(kind)


def _revise(care: PumpCare) -> dt.datetime | None:
    ctx = care.ctx

    def act() -> None:
        pump = ctx.clinic.run(get_pump, GetPump(actor=ctx.staff.nurse, pump_id=care.pump_id))
        ctx.clinic.run_device(
            revise_catheter,
            ReviseCatheter(
                actor=ctx.staff.physician,
                pump_id=pump.id,
                expected_pump_version=pump.version,
                catheter_model_id=pump.catheter_model_id,
                implanted_length_cm=pump.catheter_length_cm + 10,
                tip_level=pump.catheter_tip_level,
                cap_check=CapCheck.CSF_ASPIRATED,
                event_id=ctx.ident("catheter-revision", care.plan.number),
            ),
        )

    _attempt(care, "catheter revisions", act)
    return None


def _suspend(
    care: PumpCare,
    reason: InterruptionReason = InterruptionReason.SURGERY,
    note: str = "hip replacement: delivery stopped for the operation",
) -> dt.datetime | None:
    ctx = care.ctx
    _attempt(
        care,
        "interruptions",
        lambda: ctx.clinic.run_device(
            suspend_delivery,
            SuspendDelivery(
                actor=ctx.staff.nurse,
                pump_id=care.pump_id,
                expected_pump_version=_version(care),
                reason=reason,
                note=note,
                event_id=ctx.ident("interruption", care.plan.number, reason.value),
            ),
        ),
    )
    return None


def _restart(care: PumpCare) -> dt.datetime | None:
    ctx = care.ctx
    _attempt(
        care,
        "restarts",
        lambda: ctx.clinic.run_device(
            restart_delivery,
            RestartDelivery(
                actor=ctx.staff.physician,
                pump_id=care.pump_id,
                expected_pump_version=_version(care),
                event_id=ctx.ident("restart", care.plan.number),
            ),
        ),
    )
    return None


def _restart_as_new_start(care: PumpCare) -> dt.datetime | None:
    ctx = care.ctx
    dose = DoseRate.from_mg_per_day(1)  # the label's top for an opioid-naive start (S3)

    def act() -> None:
        event = ctx.clinic.run_device(
            restart_delivery,
            RestartDelivery(
                actor=ctx.staff.physician,
                pump_id=care.pump_id,
                expected_pump_version=_version(care),
                daily_dose=dose,
                justification="restarted at the label's top of the naive range: pain returned"
                " within days of the interruption",
                monitoring=MonitoringPlan(respiratory=Duration.hours(24), naloxone_available=True),
                event_id=ctx.ident("restart-new-start", care.plan.number),
            ),
        )
        change = ctx.clinic.run(
            get_program_change,
            GetProgramChange(actor=ctx.staff.nurse, change_id=event.facts["program_change_id"]),
        )
        care.sign_cosign_send(
            change, signer=ctx.staff.physician, cosigner=ctx.staff.second_physician
        )
        care.program = change.new_program

    _attempt(care, "restarts as new starts", act)
    care.suspended = False
    return None


def _eri(care: PumpCare, life: Duration) -> dt.datetime | None:
    care.knob(fault=BatteryDepletion(lost=life))  # the battery reaches its ERI now (S50)
    return None


def _replace(care: PumpCare, model_id: str) -> dt.datetime | None:
    ctx = care.ctx
    new_model = _NEW_MODEL[model_id]
    serial = f"PII-{care.plan.number:06d}"

    def act() -> None:
        event = ctx.clinic.run_device(
            replace_pump,
            ReplacePump(
                actor=ctx.staff.physician,
                pump_id=care.pump_id,
                expected_pump_version=_version(care),
                reason=ReplacementReason.ELECTIVE_REPLACEMENT,
                new_pump_model_id=new_model,
                new_pump_serial=serial,
                fill_volume=care.volume,
                event_id=ctx.ident("replacement", care.plan.number),
                new_pump_id=ctx.ident("pump-replacement", care.plan.number),
            ),
        )
        assert event.related_pump_id is not None  # noqa: S101 - a replacement names the new pump
        care.pump_id, care.serial = event.related_pump_id, serial
        care.refill_epoch += 1  # the new pump's fill starts a new refill chain
        ctx.tally.pumps_by_model[new_model] += 1
        _version(care)

    _attempt(care, "pump replacements", act)
    return None
