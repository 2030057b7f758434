"""What `thecal calc refill` adds to its arithmetic: the drug library's checks, the fill's sanity
against the pump model, and every component's daily dose (issue 14 §9).

A calculator answer never looks safe when the review would block it: the findings of the review's
own library rules (:mod:`thecal.domain.safety.library_check`) are printed with their sources, and
the exit status is the review's (3 blocked, 1 an override is needed, 0 otherwise).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from thecal.domain.admixture import Admixture
from thecal.domain.devices import PumpModel
from thecal.domain.errors import RequestInvalid
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import PatientBolusSettings
from thecal.domain.quantity_display import shown
from thecal.domain.safety import Outcome
from thecal.domain.safety.context import Prescription
from thecal.domain.safety.library_check import LibraryCheck, check_with_library
from thecal.domain.units import DoseRate, Duration, FlowRate, Mass, Volume

__all__ = [
    "EXIT_FOR_OUTCOME",
    "check_fill_volumes",
    "component_doses",
    "library_check_for_refill",
    "library_lines",
    "library_payload",
]

#: The review's exit statuses (``thecal review``): blocked 3, override 1; warnings are printed.
EXIT_FOR_OUTCOME = {
    Outcome.BLOCKED: 3,
    Outcome.OVERRIDE: 1,
    Outcome.ACKNOWLEDGE: 0,
    Outcome.PROCEED: 0,
}


def check_fill_volumes(model: PumpModel, reservoir: Volume, alarm: Volume) -> None:
    """Refuse an alarm the pump cannot hold and a fill that starts at or below the alarm.

    Raises:
        RequestInvalid: an alarm at or above the reservoir's capacity (a 25 mL alarm in a 20 mL
            pump), or a fill volume at or below the low-reservoir alarm (the pump would alarm at
            once and a due date would fall before the fill).
    """
    capacity = model.reservoir.value
    if alarm.value < 0 or alarm >= capacity:
        raise RequestInvalid(
            where="--alarm",
            detail=(
                f"a low-reservoir alarm of {shown(alarm)} does not fit the {model.name}, whose "
                f"reservoir holds {shown(capacity)}"
            ),
        )
    if reservoir <= alarm:
        raise RequestInvalid(
            where="--volume",
            detail=(
                f"a fill to {shown(reservoir)} is at or below the low-reservoir alarm of "
                f"{shown(alarm)}: the pump would alarm at once; fill to more than the alarm volume"
            ),
        )


def component_doses(admixture: Admixture, basal: FlowRate, library: ReferenceLibrary) -> list[str]:
    """Each component's daily dose at the basal flow, in the drug's display unit."""
    return [
        f"{drug_id} {shown(dose, mass=library.drug(drug_id).dose_unit)}"
        for drug_id, dose in admixture.doses_at(basal).items()
    ]


def library_check_for_refill(
    *,
    admixture: Admixture,
    daily_dose: DoseRate,
    bolus_dose: Mass | None,
    boluses_per_day: int,
    model: PumpModel,
    reservoir: Volume,
    at: dt.datetime,
    first_fill: bool,
    age_years: int | None,
    library: ReferenceLibrary,
    policy: ClinicPolicy,
) -> LibraryCheck:
    """The library rules over the calculator's prescription (only the bolus dose and count enter
    them; the bolus is given the shortest lockout that fits its count)."""
    bolus = None
    if bolus_dose is not None and boluses_per_day > 0:
        lockout = Duration.hours(Decimal(24) / boluses_per_day)
        bolus = PatientBolusSettings(
            dose=bolus_dose,
            duration=Duration.minutes(1),
            lockout=lockout,
            max_per_day=boluses_per_day,
        )
    prescription = Prescription(admixture=admixture, daily_dose=daily_dose, patient_bolus=bolus)
    return check_with_library(
        prescription,
        pump_model=model.id,
        at=at,
        library=library,
        policy=policy,
        volume=reservoir,
        first_fill=first_fill,
        age_years=age_years,
    )


def library_payload(check: LibraryCheck) -> dict[str, Any]:
    """The ``library_check`` object of ``--json``."""
    return {
        "outcome": check.result.outcome.value,
        "findings": [finding.to_dict() for finding in check.result.findings],
        "rules_checked": list(check.checked),
        "assumption": check.assumption,
        "note": "patient-specific rules (starts, titration, withdrawal, risk facts) run in thecal review",
    }


def library_lines(check: LibraryCheck) -> list[str]:
    """The library check as text: the verdict first, then each finding with its source."""
    result = check.result
    verdict = {
        Outcome.BLOCKED: "BLOCKED — the review would block this prescription",
        Outcome.OVERRIDE: "OVERRIDE NEEDED — a documented reason and a second clinician",
        Outcome.ACKNOWLEDGE: "warnings to acknowledge",
        Outcome.PROCEED: "no finding",
    }[result.outcome]
    lines = [f"drug library check ({check.assumption}): {verdict}"]
    lines.extend(
        f"  {f.severity.value.upper()} {f.code}: {f.message} [{f.source}]" for f in result.findings
    )
    return lines
