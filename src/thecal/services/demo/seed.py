"""``seed_demo_clinic``: build a realistic demo clinic by living through its last three years.

Every patient's course (``injections.py``, ``intrathecal.py``) is a generator that yields the
next instant it acts at. The seed keeps them in one queue ordered by ``(instant, patient
number)``, moves the clock to the head's instant and resumes it — so the records of the whole
clinic are made in time order, through the real use cases, with the pump twins advancing with the
clock. Everything random comes from one ``random.Random(seed)`` (per-patient generators are drawn
from it), and every id is derived from the seed, so the same ``(patients, seed, today)`` gives
the same clinic.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from thecal.domain.errors import RequestInvalid
from thecal.domain.users import Actor
from thecal.services.clock import Clock
from thecal.services.demo.clinic import DemoClinic, SeedClock
from thecal.services.demo.cohort import Pathway, PatientPlan, plan_cohort
from thecal.services.demo.context import SeedContext, Staff
from thecal.services.demo.injections import injection_course
from thecal.services.demo.intrathecal import intrathecal_course
from thecal.services.demo.task_keeping import task_keeping_course
from thecal.services.demo.visits import furnish_calendar, reminder_course, reminders_start
from thecal.services.progress import Progress
from thecal.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "DEMO_SEED_VERSION",
    "DEMO_YEARS",
    "DemoPatient",
    "SeedDemoClinic",
    "SeedSummary",
    "first_day_of",
    "seed_demo_clinic",
]

DEMO_YEARS = 3
# Raised whenever the seed makes a different clinic from the same (patients, seed, today): caches
# of a seeded database (bench/bench_web.py) name it, so a changed seed is seeded again.
# 2: MRIs, portal accounts and bolus presses for every patient with a bolus button.
# 3: an emptied reservoir (MRI, halted refill) is 0 mL on the record: no false discrepancy after it.
# 4: a calendar, follow-up visits booked and kept (some moved or missed), e-mail addresses, and
#    reminders from month 18 (fewer patients lost or missing a visit from then, docs/demo.md).
# 5: admixture changes at a refill with a bridge bolus (a concentration change, a rotation).
# 6: the nurse closes urgent tasks on their day, with a note (task_keeping.py).
DEMO_SEED_VERSION = 6
MAX_PATIENTS = 100_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedDemoClinic:
    """Seed ``patients`` patients from ``seed``; nothing is dated on or after ``today``."""

    patients: int
    seed: int
    today: dt.date

    def __post_init__(self) -> None:
        if not 1 <= self.patients <= MAX_PATIENTS:
            raise RequestInvalid(where="patients", detail=f"must be 1–{MAX_PATIENTS}")


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoPatient:
    """The patient behind the demo portal account: patient 1 of the cohort, with a pump."""

    patient_id: str
    mrn: str
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedSummary:
    """What the seed made (the CLI prints it; the tests compare two runs of it)."""

    patients: int
    first_day: dt.date
    last_day: dt.date
    counts: dict[str, int]
    by_indication: dict[str, int]
    pumps_by_model: dict[str, int]
    procedures_by_kind: dict[str, int]
    assessments_by_instrument: dict[str, int]
    mrns: tuple[str, ...] = field(default=())
    serials: tuple[str, ...] = field(default=())


def first_day_of(today: dt.date) -> dt.date:
    """The first day of the simulated period: ``DEMO_YEARS`` years (of 365 days) before today."""
    return today - dt.timedelta(days=365 * DEMO_YEARS)


def _course(plan: PatientPlan, ctx: SeedContext) -> Iterator[dt.datetime]:
    if plan.pathway is Pathway.INTRATHECAL:
        return intrathecal_course(plan, ctx)
    return injection_course(plan, ctx)


def seed_demo_clinic(
    cmd: SeedDemoClinic,
    *,
    clinic: DemoClinic,
    clock: SeedClock,
    staff: Staff,
    demo_patient: DemoPatient | None = None,
    progress: Progress | None = None,
) -> SeedSummary:
    """Live through the clinic's years; return the tally.

    ``progress`` is told how many of the period's days the clinic has lived through.

    Raises:
        RequestInvalid: the clock is already past the first day of the period.
        Any error of a use case (a seed that cannot be made stops; nothing is hidden).
    """
    first_day = first_day_of(cmd.today)
    plans = plan_cohort(
        patients=cmd.patients, seed=cmd.seed, first_day=first_day, last_day=cmd.today
    )
    ctx = SeedContext(
        clinic=clinic,
        clock=clock,
        staff=staff,
        seed=cmd.seed,
        today=cmd.today,
        reminders_from=reminders_start(first_day),
    )
    if demo_patient is not None:
        ctx.existing_patients[plans[0].mrn] = demo_patient.patient_id
        ctx.patient_actors[demo_patient.patient_id] = demo_patient.actor
    queue: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = []
    furnish_calendar(ctx)
    reminders = reminder_course(ctx, first_day)
    first_run = next(reminders, None)
    if first_run is not None:
        heapq.heappush(queue, (first_run, -1, reminders))  # the reminders job goes first that day
    keeping = task_keeping_course(ctx, first_day)
    first_evening = next(keeping, None)
    if first_evening is not None:
        heapq.heappush(queue, (first_evening, -2, keeping))  # the nurse's evening round
    for plan in plans:
        course = _course(plan, ctx)
        first = next(course, None)
        if first is not None:
            heapq.heappush(queue, (first, plan.number, course))
    days, reported = (cmd.today - first_day).days, -1
    while queue:
        at, number, course = heapq.heappop(queue)
        clock.move_to(at)
        if progress is not None and (at.date() - first_day).days > reported:
            reported = (at.date() - first_day).days
            progress(min(reported, days), days)
        following = next(course, None)
        if following is not None:
            heapq.heappush(queue, (following, number, course))
    if progress is not None:
        progress(days, days)
    pump_ids = [ctx.ident("pump", p.number) for p in plans if p.pump_model_id]
    device = clinic.run(_device_totals, DeviceTotals(pump_ids=tuple(pump_ids)))
    tally = ctx.tally
    counts = dict(tally.counts)
    counts.update(device)
    return SeedSummary(
        patients=cmd.patients,
        first_day=first_day,
        last_day=cmd.today - dt.timedelta(days=1),
        counts=dict(sorted(counts.items())),
        by_indication=dict(sorted(tally.by_indication.items())),
        pumps_by_model=dict(sorted(tally.pumps_by_model.items())),
        procedures_by_kind=dict(sorted(tally.procedures_by_kind.items())),
        assessments_by_instrument=dict(sorted(tally.assessments_by_instrument.items())),
        mrns=tuple(p.mrn for p in plans),
        serials=tuple(sorted(ctx.serials)),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceTotals:
    pump_ids: tuple[str, ...]


def _device_totals(cmd: DeviceTotals, *, uow: AbstractUnitOfWork, clock: Clock) -> dict[str, int]:
    """Alarms the seeded pumps raised, by kind (counts only: nothing about a patient leaves)."""
    del clock
    totals: Counter[str] = Counter()
    with uow:
        for pump_id in cmd.pump_ids:
            if uow.pumps.get(pump_id) is None:
                continue
            for event in uow.device_log.events(pump_id):
                if event.code.startswith("alarm-raised:"):
                    totals["alarms"] += 1
                    totals[f"alarms {event.detail}"] += 1
    return dict(totals)
