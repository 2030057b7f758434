"""Who gets an MRI in the demo cohort, and when a patient presses the bolus button."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from thecal.services.demo.bolus_button import press_times
from thecal.services.demo.cohort import MriCourse, plan_cohort

FIRST, LAST = dt.date(2023, 1, 1), dt.date(2026, 1, 1)
IMPLANTED = dt.datetime(2023, 6, 1, 9, 0, tzinfo=dt.UTC)
LOCKOUT = dt.timedelta(hours=4)  # therapy.py: every demo morphine program


@pytest.mark.parametrize("patients", [12, 50, 1000])
def test_a_few_mris_on_scannable_pumps_and_one_task_left_open(patients: int) -> None:
    plans = plan_cohort(patients=patients, seed=7, first_day=FIRST, last_day=LAST)
    pumps = [p for p in plans if p.pump_model_id]
    scanned = [p for p in pumps if p.mri is not None]
    assert [p for p in plans if p.mri is not None and not p.pump_model_id] == []
    assert [p.pump_model_id for p in scanned if p.mri is MriCourse.TASK_OPEN] in (
        ["synchromed-ii-20"],
        ["synchromed-ii-40"],
    )
    done = {p.pump_model_id for p in scanned if p.mri is MriCourse.DONE}
    assert "prometra-20" in done  # emptied before the scan
    assert done & {"synchromed-ii-20", "synchromed-ii-40"}
    assert not any(p.pump_model_id.startswith("prometra-ii") for p in scanned if p.pump_model_id)
    assert 3 <= len(scanned) <= 3 + len(pumps) // 10 + 1  # a few, not every pump


def test_presses_come_in_bad_days_with_some_inside_the_lockout() -> None:
    today = dt.date(2025, 6, 1)
    presses = press_times(random.Random(3), implanted=IMPLANTED, today=today)
    assert presses == press_times(random.Random(3), implanted=IMPLANTED, today=today)
    assert presses == sorted(presses)
    assert IMPLANTED + dt.timedelta(days=2) <= presses[0]
    assert presses[-1].date() < today
    days = sorted({p.date() for p in presses})
    per_day = [sum(1 for p in presses if p.date() == day) for day in days]
    assert max(per_day) <= 6  # a few a day: up to three, each maybe pressed again too soon
    assert len(days) < (today - IMPLANTED.date()).days / 7  # some days, not most
    too_soon = [b for a, b in itertools.pairwise(presses) if b - a < LOCKOUT]
    assert too_soon  # the pump will refuse these inside its lockout


def test_press_habits_differ_between_patients() -> None:
    today = dt.date(2025, 6, 1)
    counts = {
        len(press_times(random.Random(s), implanted=IMPLANTED, today=today)) for s in range(8)
    }
    assert len(counts) > 1
