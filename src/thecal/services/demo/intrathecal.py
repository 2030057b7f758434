"""The intrathecal pathway: candidacy → trial → (success) implant → titrations, refills, follow-up.

Every step is a real use case at its moment on the seed clock; the pump is the persisted twin,
advanced with the clock. Per patient:

* day 0: registration and the candidacy assessment (physician);
* 2–6 weeks later the trial (a procedure on record, with the baseline questionnaires); a failed
  trial is followed up for a year like an injection; a successful one gets its 1-month visit and
  the implant 40–60 days after the trial (S43: about three in four trials lead to an implant);
* the implant (pump, catheter, fill, program, priming bolus — ``implant_pump``), its procedure
  record with the pre-implant baseline, and an interrogation the next day (the monitoring task);
* one to three titrations in the first months, each proposed, signed and co-signed with a fresh
  re-authentication by two different clinicians, sent, and confirmed by an interrogation;
* refills: pharmacist verification of the syringe, then the refill, near each refill date the last
  refill planned (one in eight a few days late, so low-reservoir alarms appear); the twin knobs
  make the clinic's one pocket fill and a few undetected delivery faults, found as discrepancies
  at the next refill; the implant episode's follow-up questionnaires between them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable, Iterator
from decimal import Decimal

from thecal.domain.candidacy import Indication
from thecal.domain.procedure import ProcedureKind
from thecal.domain.quantity_display import pump_model_name
from thecal.domain.units import Duration
from thecal.domain.users import Actor
from thecal.services.candidacy import RecordCandidacy, record_candidacy
from thecal.services.demo.admixture_changes import schedule_admixture_change
from thecal.services.demo.bolus_button import press_times
from thecal.services.demo.cohort import PatientPlan
from thecal.services.demo.context import SeedContext, at_clinic_hour
from thecal.services.demo.device_events import schedule_device_events
from thecal.services.demo.mri_visit import schedule_mri
from thecal.services.demo.pump_care import PumpCare
from thecal.services.demo.questionnaires import Course, draw_course
from thecal.services.demo.therapy import candidacy_details, first_program, uses_baclofen
from thecal.services.demo.trial_day import trial_day
from thecal.services.demo.visits import follow_up_acts
from thecal.services.procedures import RecordProcedure, record_procedure
from thecal.simulation.faults import DeliveryError, MotorStall

__all__ = ["intrathecal_course"]

_TRIAL_RESPONSE = 85  # a successful trial's patients mostly keep the relief (assumption)
_FAILED_RESPONSE = 10
_PUMP_RESPONSE = 70


def intrathecal_course(plan: PatientPlan, ctx: SeedContext) -> Iterator[dt.datetime]:
    """Yield the instants this patient acts at; act each time the seed resumes it."""
    rng = random.Random(plan.seed)
    indication = plan.indication or Indication.FAILED_BACK_SURGERY_SYNDROME
    yield at_clinic_hour(plan.first_day, rng.randrange(0, 480))
    patient_id = ctx.register(plan)
    ctx.clinic.run(
        record_candidacy,
        RecordCandidacy(
            actor=ctx.staff.physician,
            patient_id=patient_id,
            details=candidacy_details(indication, rng),
            assessment_id=ctx.ident("candidacy", plan.number),
        ),
    )
    ctx.tally.add("candidacy assessments")
    ctx.tally.by_indication[indication.value] += 1
    trial_day_date = plan.first_day + dt.timedelta(days=rng.randint(14, 42))
    if trial_day_date >= ctx.today - dt.timedelta(days=1):
        return
    yield at_clinic_hour(trial_day_date, rng.randrange(0, 120))
    responders = _TRIAL_RESPONSE if plan.trial_succeeds else _FAILED_RESPONSE
    course = draw_course(
        rng,
        responder_percent=responders,
        bpi=True,
        last_follow_up=30 if plan.trial_succeeds else 365,
        reminded_from_day=ctx.reminded_from_day(trial_day_date),
    )
    trial_id = yield from trial_day(
        ctx,
        number=plan.number,
        patient_id=patient_id,
        baclofen=uses_baclofen(indication),
        works=plan.trial_succeeds,
        pain0=course.pain_baseline,
        rng=rng,
    )
    verdict = "implant" if plan.trial_succeeds else "no implant"
    trial = ctx.clinic.run(
        record_procedure,
        RecordProcedure(
            actor=ctx.staff.physician,
            patient_id=patient_id,
            kind=ProcedureKind.INTRATHECAL_TRIAL,
            performed_on=trial_day_date,
            indication=indication.value,
            source_record_id=trial_id,
            notes=f"single intrathecal bolus trial; decision: {verdict}",
            procedure_id=ctx.ident("procedure", plan.number, "trial"),
        ),
    )
    _count_procedure(ctx, ProcedureKind.INTRATHECAL_TRIAL)
    yield from _episode(
        ctx,
        rng=random.Random(f"visits-trial-{plan.seed}"),
        patient_id=patient_id,
        procedure_id=trial.id,
        day=trial_day_date,
        course=course,
        last_follow_up=30 if plan.trial_succeeds else 365,
    )
    if not plan.trial_succeeds or plan.pump_model_id is None:
        return
    implant_day = trial_day_date + dt.timedelta(days=rng.randint(40, 60))
    if implant_day >= ctx.today:
        return
    yield at_clinic_hour(implant_day, rng.randrange(0, 60))
    care = PumpCare.implant(
        ctx, plan, patient_id=patient_id, program=first_program(indication, rng), rng=rng
    )
    implant = ctx.clinic.run(
        record_procedure,
        RecordProcedure(
            actor=ctx.staff.physician,
            patient_id=patient_id,
            kind=ProcedureKind.INTRATHECAL_PUMP_IMPLANT,
            performed_on=implant_day,
            indication=indication.value,
            source_record_id=care.implant_id,
            notes=f"{pump_model_name(plan.pump_model_id)} serial {care.serial}",
            procedure_id=ctx.ident("procedure", plan.number, "implant"),
        ),
    )
    _count_procedure(ctx, ProcedureKind.INTRATHECAL_PUMP_IMPLANT)
    pump_course = draw_course(
        rng,
        responder_percent=_PUMP_RESPONSE,
        bpi=True,
        reminded_from_day=ctx.reminded_from_day(implant_day),
    )
    ctx.questionnaires(
        patient_id=patient_id,
        procedure_id=implant.id,
        procedure_day=implant_day,
        day=pump_course.baseline.day,
        answers=pump_course.baseline.answers,
    )
    yield from _pump_life(
        ctx,
        rng=rng,
        plan=plan,
        care=care,
        implant_id=implant.id,
        implant_day=implant_day,
        course=pump_course,
    )


def _count_procedure(ctx: SeedContext, kind: ProcedureKind) -> None:
    ctx.tally.add("procedures")
    ctx.tally.procedures_by_kind[kind.value] += 1


def _episode(
    ctx: SeedContext,
    *,
    rng: random.Random,
    patient_id: str,
    procedure_id: str,
    day: dt.date,
    course: Course,
    last_follow_up: int,
) -> Iterator[dt.datetime]:
    """The baseline now, then each follow-up visit booked and kept (or missed) on its day."""
    ctx.questionnaires(
        patient_id=patient_id,
        procedure_id=procedure_id,
        procedure_day=day,
        day=course.baseline.day,
        answers=course.baseline.answers,
    )
    keep = ctx.keeper(
        patient_id=patient_id,
        procedure_id=procedure_id,
        procedure_day=day,
        answers={v.day: v.answers for v in course.follow_ups},
    )
    for at, act in follow_up_acts(
        ctx,
        rng=rng,
        patient_id=patient_id,
        procedure_id=procedure_id,
        procedure_day=day,
        course=course,
        keep=keep,
        last_follow_up=last_follow_up,
    ):
        yield at
        act()


def _pump_life(
    ctx: SeedContext,
    *,
    rng: random.Random,
    plan: PatientPlan,
    care: PumpCare,
    implant_id: str,
    implant_day: dt.date,
    course: Course,
) -> Iterator[dt.datetime]:
    """Merge the pump's care and the implant episode's follow-ups in time order."""
    agenda: list[tuple[dt.datetime, int, Callable[[], dt.datetime | None]]] = []
    seq = 0

    def plan_at(at: dt.datetime, act: Callable[[], dt.datetime | None]) -> None:
        nonlocal seq
        if at.date() < ctx.today:
            heapq.heappush(agenda, (at, seq, act))
            seq += 1

    start = at_clinic_hour(implant_day, 0)
    plan_at(start + dt.timedelta(days=1), care.interrogate)
    day = start
    for _ in range(rng.randint(1, 3)):
        day += dt.timedelta(days=rng.randint(14, 60))
        plan_at(day + dt.timedelta(minutes=rng.randrange(0, 420)), care.titrate)
    keep = ctx.keeper(
        patient_id=care.patient_id,
        procedure_id=implant_id,
        procedure_day=implant_day,
        answers={v.day: v.answers for v in course.follow_ups},
    )
    for at, visit_act in follow_up_acts(
        ctx,
        rng=random.Random(f"visits-implant-{plan.seed}"),
        patient_id=care.patient_id,
        procedure_id=implant_id,
        procedure_day=implant_day,
        course=course,
        keep=keep,
    ):
        plan_at(at, _no_follow(visit_act))
    if plan.motor_stall:
        stall = MotorStall(duration=Duration.hours(6))
        plan_at(start + dt.timedelta(days=rng.randint(20, 40)), lambda: care.knob(fault=stall))
    if plan.delivery_fault:
        over = DeliveryError(percent=Decimal(rng.choice((30, 40))), duration=Duration.days(60))
        plan_at(start + dt.timedelta(days=rng.randint(5, 15)), lambda: care.knob(fault=over))
    portal = care.open_portal()  # a bolus button: the patient's own account presses it
    if portal is not None:
        press = _press(care, portal)
        for at in press_times(rng, implanted=start, today=ctx.today):
            plan_at(at, press)
    if plan.mri is not None:
        schedule_mri(care, course=plan.mri, rng=rng, implanted=start, plan_at=plan_at)
    plan_at(care.refill_time(rng), care.planned_refill())
    schedule_admixture_change(care, implanted=start, plan_at=plan_at)  # some morphine pumps
    schedule_device_events(care, implanted=start, plan_at=plan_at)  # revision, interruption, ERI
    while agenda:
        at, _, act = heapq.heappop(agenda)
        yield at
        follow = act()
        if follow is not None:
            plan_at(follow, care.planned_refill())


def _press(care: PumpCare, portal: Actor) -> Callable[[], dt.datetime | None]:
    def act() -> dt.datetime | None:
        care.patient_bolus(portal)
        return None

    return act


def _no_follow(act: Callable[[], None]) -> Callable[[], dt.datetime | None]:
    def run() -> dt.datetime | None:
        act()
        return None

    return run
