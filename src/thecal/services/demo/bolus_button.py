"""When a demo patient presses the bolus button (PTM): some days, a few times, now and then too soon.

Patients with a bolus button do not press it every day: breakthrough pain comes in bad days. Each
patient has a habit — a mean gap of 14–42 days between bad days (exponential gaps, at least a
day) — and on a bad day presses one to three times from the morning on, usually 4–7 hours apart
(the program's lockout is 4 h, ``therapy.py``); about one press in four is followed by a second
press 20 minutes to 2½ hours later, which the pump refuses inside the lockout. The pump decides,
never the seed: every press goes through ``request_patient_bolus`` as the patient. The habit is
an assumption (no source): a clinic's mix, not a measured rate.
"""

from __future__ import annotations

import datetime as dt
import random

__all__ = ["press_times"]

_FIRST_PRESS_AFTER = (2, 10)  # days after the implant
_MEAN_GAP_DAYS = (14, 42)
_PRESSES_A_BAD_DAY = (1, 1, 2, 3)
_TOO_SOON_PERCENT = 25


def press_times(rng: random.Random, *, implanted: dt.datetime, today: dt.date) -> list[dt.datetime]:
    """Every press of one patient, in time order, all before ``today``."""
    presses: list[dt.datetime] = []
    mean_gap = rng.randint(*_MEAN_GAP_DAYS)
    day = implanted.date() + dt.timedelta(days=rng.randint(*_FIRST_PRESS_AFTER))
    while day < today:
        at = dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.UTC)
        at += dt.timedelta(minutes=rng.randrange(0, 180))
        for _ in range(rng.choice(_PRESSES_A_BAD_DAY)):
            presses.append(at)
            if rng.randrange(100) < _TOO_SOON_PERCENT:
                presses.append(at + dt.timedelta(minutes=rng.randint(20, 150)))
            at += dt.timedelta(hours=rng.randint(4, 6), minutes=rng.randrange(0, 60))
        day += dt.timedelta(days=max(1, round(rng.expovariate(1 / mean_gap))))
    return sorted(p for p in presses if p.date() < today)
