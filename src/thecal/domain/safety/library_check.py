"""The drug library's checks for a calculator's prescription (issue 14 §9).

A calculator (``thecal calc refill``) answers arithmetic, but its answer must never look safe when
the review would block the same prescription. :func:`check_with_library` runs the review's own
drug-library rules — concentration and daily-dose limits (label limits block, consensus limits
need an override), a drug with no known maximum, the worst case with every patient bolus, patient
boluses for a drug that forbids them, the pump model's approved drugs and flow range, and the
first-fill protocol — over the prescription as if it were new to the pump, so every soft limit is
checked too. Patient-specific rules (starts, titration, withdrawal, risk facts) need the patient and
run only in ``thecal review``.

Pure: time is passed in; the checks are the same :class:`~thecal.domain.safety.rules.Rule` objects
the review runs, selected by code (:data:`LIBRARY_RULE_CODES`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thecal.domain.admixture import Admixture
from thecal.domain.drugs import Drug
from thecal.domain.library import ReferenceLibrary
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import (
    ActionKind,
    Indication,
    Patient,
    Prescription,
    Proposal,
    Proposer,
    PumpState,
    Refill,
    ReviewContext,
    Role,
)
from thecal.domain.safety.review import ReviewResult, review
from thecal.domain.safety.rules import ALL_RULES, Rule
from thecal.domain.units import Volume

__all__ = ["ADULT_AGE_YEARS", "LIBRARY_RULE_CODES", "LibraryCheck", "check_with_library"]

#: The review's rules that need only the prescription, the pump model and the patient's age.
LIBRARY_RULE_CODES = (
    "ITS-DOSE-001",  # concentration beyond a hard (label) limit
    "ITS-DOSE-002",  # concentration beyond a soft (consensus) limit
    "ITS-DOSE-003",  # daily dose beyond a hard limit (children's limits below the paediatric age)
    "ITS-DOSE-004",  # daily dose beyond a soft limit
    "ITS-DOSE-006",  # worst case with every patient bolus above the maximum
    "ITS-DOSE-008",  # no daily maximum known
    "ITS-BOLUS-001",  # patient bolus for a drug that forbids it
    "ITS-PUMP-001",  # drug not approved for the pump model
    "ITS-PUMP-002",  # flow outside the pump model's range
    "ITS-REFILL-010",  # first-fill protocol (ziconotide)
)

#: The age the checks assume when none is given: an adult (no children's limits apply). A
#: calculator says so next to its answer.
ADULT_AGE_YEARS = 18


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryCheck:
    """The library rules' result, the codes checked and the age they were checked for."""

    result: ReviewResult
    checked: tuple[str, ...]
    age_years: int
    age_given: bool

    @property
    def assumption(self) -> str:
        if self.age_given:
            return f"checked for a patient aged {self.age_years}"
        return "checked for an adult: give the patient's age for a child's limits"


def _rules() -> tuple[Rule, ...]:
    by_code = {each.code: each for each in ALL_RULES}
    return tuple(by_code[code] for code in LIBRARY_RULE_CODES)


def _indication(drugs: list[Drug]) -> Indication:
    return (
        Indication.SPASTICITY
        if any(d.id == "baclofen" for d in drugs) and not any(d.is_opioid for d in drugs)
        else Indication.NON_CANCER_PAIN
    )


def check_with_library(
    prescription: Prescription,
    *,
    pump_model: str,
    at: dt.datetime,
    library: ReferenceLibrary,
    policy: ClinicPolicy,
    volume: Volume,
    first_fill: bool = False,
    age_years: int | None = None,
) -> LibraryCheck:
    """Run the drug library's rules over ``prescription`` in ``pump_model`` as a new fill.

    Args:
        prescription: the admixture, daily dose of its primary drug and any patient bolus.
        pump_model: the pump model id (its approved drugs and flow range apply).
        at: the time of the fill (timezone-aware).
        library: the drug and device library the limits come from.
        policy: the clinic's choices (e.g. the ziconotide maximum).
        volume: the reservoir volume after the fill.
        first_fill: the first fill of a pump naive to this drug (its first-fill protocol applies).
        age_years: the patient's age if known; an adult is assumed otherwise.
    """
    drugs = [library.drug(d) for d in prescription.admixture.drug_ids]
    age = ADULT_AGE_YEARS if age_years is None else age_years
    admixture: Admixture = prescription.admixture
    context = ReviewContext(
        action=ActionKind.REFILL,
        at=at,
        proposer=Proposer(user_id="calculator", role=Role.PHYSICIAN),
        patient=Patient(age_years=age, indication=_indication(drugs), cancer=False),
        pump=PumpState(model=pump_model, reservoir=Volume.from_ml(0)),
        current=None,
        proposal=Proposal(
            prescription=prescription,
            refill=Refill(
                volume=volume,
                admixture=admixture,
                verified_admixture=admixture,
                programmed_admixture=admixture,
                aspiration_confirmed=True,
                expected_residual=None,
                measured_residual=None,
                expected_delivered=None,
                next_refill_at=at,
                first_fill=first_fill,
            ),
        ),
    )
    return LibraryCheck(
        result=review(context, library=library, policy=policy, rules=_rules()),
        checked=LIBRARY_RULE_CODES,
        age_years=age,
        age_given=age_years is not None,
    )
