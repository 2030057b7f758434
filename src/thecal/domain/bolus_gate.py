"""When a patient may next ask for a bolus, as their pump was programmed (S66; SR-04).

The pump decides every request itself; this is the clinic's reading of the same rule, for the
patient portal's "you can ask again at …": a request is refused inside the lockout after the last
*granted* bolus, or while the maximum number of boluses has been granted in the last 24 hours (a
rolling window, as the twin counts it: ``thecal.simulation.patient_bolus``). Granted boluses come
from the clinic's log (the requests it sent and what interrogations reported), so a bolus the pump
granted but nobody has read yet is missing: the time given is never later than the pump's, and the
portal says the pump decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from thecal.domain.program import PatientBolusSettings

__all__ = ["next_bolus_allowed"]

_WINDOW = dt.timedelta(days=1)


def next_bolus_allowed(
    settings: PatientBolusSettings, granted: Iterable[dt.datetime], *, now: dt.datetime
) -> dt.datetime:
    """The earliest instant, ``now`` or later, at which the programmed gate lets a bolus start."""
    recent = sorted({at for at in granted if now - _WINDOW < at <= now})
    allowed = now
    if recent:
        allowed = max(allowed, recent[-1] + settings.lockout.to_timedelta())
    if len(recent) >= settings.max_per_day:  # the oldest that keeps the count full must expire
        allowed = max(allowed, recent[len(recent) - settings.max_per_day] + _WINDOW)
    return allowed
