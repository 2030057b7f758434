"""The side-by-side of ALL parameters of the old and new program (SR-16), and its digest.

Every parameter is exact display text (no rounding), so equal texts mean equal values; a parameter
present on one side only shows ``"—"`` on the other. ``ProgramDiff.digest`` (SHA-256 of the
canonical JSON) is what a signer's confirmation token is bound to (:mod:`.signing`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from thecal.domain.program import InfusionProgram
from thecal.domain.quantity_display import in_drug_unit
from thecal.domain.units import Duration

__all__ = ["DiffEntry", "ProgramDiff", "diff", "program_parameters", "step_start"]

_ABSENT = "—"


def step_start(start: Duration, cycle: Duration) -> str:
    """A flex step's start as a clinician reads a pump's schedule: the time of day ("07:00") in a
    daily cycle, "day 2 07:00" in a longer one; seconds only when the start has them, and the exact
    duration when it holds a fraction of a second (never rounded)."""
    seconds = start.value
    if seconds != seconds.to_integral_value():
        return str(start)
    whole = int(seconds)
    day, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")
    return clock if cycle.value <= 86_400 else f"day {day + 1} {clock}"


def program_parameters(program: InfusionProgram) -> tuple[tuple[str, str], ...]:
    """Every parameter of ``program`` as ``(name, display text)``, in a fixed order.

    Display text comes from the exact quantities (no rounding), so equal texts mean equal values;
    every dose and concentration is written in its drug's display unit (the step rates and
    boluses in the primary drug's), never scaled to another unit.
    Absent optional settings are listed as ``"off"`` or ``"—"`` so that two programs always line up.
    """
    primary = program.admixture.primary.drug_id
    params: list[tuple[str, str]] = [
        ("mode", program.mode.value),
        ("primary drug", primary),
    ]
    params += [
        (f"concentration {c.drug_id}", in_drug_unit(c.concentration, c.drug_id))
        for c in program.admixture.components
    ]
    params.append(("cycle", str(program.cycle)))
    for number, step in enumerate(program.steps, start=1):
        params += [
            (f"step {number} start", step_start(step.start, program.cycle)),
            (f"step {number} rate", in_drug_unit(step.rate, primary)),
        ]
    for label, bolus in (
        ("periodic bolus", program.periodic),
        ("single bolus", program.single_bolus),
    ):
        if bolus is None:
            params.append((label, "off"))
            continue
        params += [
            (f"{label} dose", in_drug_unit(bolus.dose, primary)),
            (f"{label} duration", str(bolus.duration)),
            (f"{label} every", str(bolus.every)),
            (f"{label} offset", str(bolus.offset)),
        ]
    pb = program.patient_bolus
    if pb is None:
        params.append(("patient bolus", "off"))
    else:
        params += [
            ("patient bolus dose", in_drug_unit(pb.dose, primary)),
            ("patient bolus duration", str(pb.duration)),
            ("patient bolus lockout", str(pb.lockout)),
            ("patient bolus max per day", str(pb.max_per_day)),
        ]
    alarm = program.low_reservoir_alarm
    params.append(("low-reservoir alarm", str(alarm) if alarm is not None else "pump default"))
    return tuple(params)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffEntry:
    """One parameter, old and new, as display text (``"—"`` where one side lacks it)."""

    parameter: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramDiff:
    """The side-by-side of ALL parameters of the old and new program (SR-16)."""

    entries: tuple[DiffEntry, ...]

    @property
    def changes(self) -> tuple[DiffEntry, ...]:
        """Only the parameters whose value changes."""
        return tuple(entry for entry in self.entries if entry.changed)

    @property
    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of every entry: what a confirmation is bound to."""
        rows = [[e.parameter, e.old, e.new] for e in self.entries]
        canonical = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def diff(
    old_program: InfusionProgram,
    new_program: InfusionProgram,
    *,
    extra: Sequence[tuple[str, str]] = (),
) -> ProgramDiff:
    """List every parameter of both programs with old and new values as display text.

    Parameters present on one side only (an added flex step, a new admixture component, a patient
    bolus switched on) appear with ``"—"`` on the other side. ``extra`` rows (name, new text) are
    part of the change without an old value — an admixture change's bridge bolus
    (``domain/admixture_change.py``) — and so are bound to the same digest.
    """
    old, new = dict(program_parameters(old_program)), dict(program_parameters(new_program))
    names = list(old) + [name for name in new if name not in old]
    return ProgramDiff(
        entries=tuple(
            DiffEntry(parameter=name, old=old.get(name, _ABSENT), new=new.get(name, _ABSENT))
            for name in names
        )
        + tuple(DiffEntry(parameter=name, old=_ABSENT, new=text) for name, text in extra)
    )
