"""An implanted demo patient's MRI, act by act through the real use cases (``services/mri.py``).

Planned a week ahead at 1.5 T; on the day a Prometra is emptied an hour before the scan (its
valves may dump the reservoir in the field, S58, S59), the physician clears the patient, the
patient is in the field for 40 minutes (a twin input: a SynchroMed's motor stalls, S55) and the
scan is recorded, which dates the post-MRI task (safety.md SR-15). Then:

* a SynchroMed is interrogated three hours later; the interrogation closes the task once the
  pump runs its program again — if the motor has not yet resumed (2–24 h, S55), the nurse
  interrogates again the next morning, up to three days;
* an emptied Prometra is refilled at once (a refill outside the refill chain, which then starts
  again from it), interrogated, and the nurse closes the task with a note — the interrogation
  alone does not close it (``services/tasks.py``: an emptied pump needs the refill and restart);
* ``MriCourse.TASK_OPEN``: a SynchroMed scanned yesterday afternoon and not yet interrogated, so
  today's worklist shows its post-MRI task.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from thecal.domain.devices import MriBehaviour
from thecal.domain.library import reference_library
from thecal.services.demo.cohort import MriCourse
from thecal.services.demo.context import at_clinic_hour
from thecal.services.demo.pump_care import PumpCare
from thecal.services.device import Interrogation

__all__ = ["Act", "PlanAt", "schedule_mri"]

Act = Callable[[], dt.datetime | None]  # an agenda act; a time returned is the next refill
PlanAt = Callable[[dt.datetime, Act], None]

_AHEAD = dt.timedelta(days=7)
_EARLIEST_AFTER_IMPLANT = dt.timedelta(days=60)
_LATEST_BEFORE_TODAY = dt.timedelta(days=21)
_IN_FIELD = dt.timedelta(minutes=40)
_RECHECKS = 3
_CLOSED_NOTE = "refilled and restarted after the MRI; the interrogation shows the program running"


def schedule_mri(
    care: PumpCare,
    *,
    course: MriCourse,
    rng: random.Random,
    implanted: dt.datetime,
    plan_at: PlanAt,
) -> None:
    """Put this patient's MRI acts on the pump's agenda (nothing if the dates do not fit)."""
    today = care.ctx.today
    if course is MriCourse.TASK_OPEN:
        scan = at_clinic_hour(today - dt.timedelta(days=1), 360)  # yesterday 14:00
    else:
        first = (implanted + _EARLIEST_AFTER_IMPLANT).date()
        span = (today - _LATEST_BEFORE_TODAY - first).days
        if span < 0:
            return
        scan = at_clinic_hour(
            first + dt.timedelta(days=rng.randint(0, span)), rng.randrange(60, 420)
        )
    if scan - _AHEAD <= implanted + dt.timedelta(days=1):
        return
    emptied = reference_library().pump(care.plan.pump_model_id or "").must_be_emptied_for_mri

    def act(do: Callable[[], object]) -> Act:
        def run() -> None:
            do()

        return run

    plan_at(scan - _AHEAD, act(lambda: care.mri_plan(scan_at=scan)))
    if emptied:
        plan_at(scan - dt.timedelta(minutes=60), act(care.mri_empty))
    plan_at(scan - dt.timedelta(minutes=30), act(care.mri_clear))
    plan_at(scan, act(lambda: care.field(on=True)))
    plan_at(scan + _IN_FIELD, act(lambda: care.field(on=False)))
    plan_at(scan + _IN_FIELD + dt.timedelta(minutes=5), act(care.mri_scan))
    if course is MriCourse.TASK_OPEN:
        return
    after = scan + _IN_FIELD + dt.timedelta(minutes=20)
    if emptied:
        plan_at(after, care.refill_out_of_chain)
        plan_at(after + dt.timedelta(minutes=15), act(care.interrogate))
        plan_at(after + dt.timedelta(minutes=30), act(lambda: care.close_mri_task(_CLOSED_NOTE)))
        return
    plan_at(after + dt.timedelta(hours=3), _recheck(care, plan_at, left=_RECHECKS))


def _recheck(care: PumpCare, plan_at: PlanAt, *, left: int) -> Act:
    """Interrogate; if the motor has not resumed yet, again the next morning."""

    def run() -> None:
        reading = care.read()
        if left > 1 and not _runs_its_program(reading):
            morning = at_clinic_hour(reading.snapshot.at.date() + dt.timedelta(days=1), 60)
            plan_at(morning, _recheck(care, plan_at, left=left - 1))

    return run


def _runs_its_program(reading: Interrogation) -> bool:
    snapshot = reading.snapshot
    stalled = any(code == MriBehaviour.MOTOR_STALL.value for code, _ in snapshot.alarms)
    return snapshot.delivering and not stalled
