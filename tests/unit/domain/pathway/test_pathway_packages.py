"""The trial, program-change and refill packages: the public names and error codes they promise.

Each package re-exports its public names from the module that defines them; importers use the
package (``from thecal.domain.refill import Refill``), so the list and the codes are the contract.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from thecal.domain import program_change, refill, trial

PUBLIC_NAMES = {
    trial: {
        "ObservationPeriodNotElapsed",
        "PatientTooSedated",
        "Sedation",
        "SuccessCriterion",
        "Trial",
        "TrialBaseline",
        "TrialDecision",
        "TrialEvaluation",
        "TrialNotEvaluable",
        "TrialNotSuccessful",
        "TrialObservation",
        "TrialPlan",
        "TrialRoute",
        "TrialState",
        "TrialStateError",
        "NALOXONE_PROMPT",
        "VitalSign",
        "VitalSignAlert",
        "VitalSignLimits",
        "VitalSignsNotSafe",
        "Vitals",
        "alerts_in",
        "criterion_for",
        "spinal_level",
    },
    program_change: {
        "DEFAULT_CO_SIGNING_POLICY",
        "DEFAULT_REAUTH_MAX_AGE",
        "CoSigningPolicy",
        "ConfirmationRejected",
        "ConfirmationToken",
        "DiffEntry",
        "FindingLike",
        "FindingSeverity",
        "FindingSummary",
        "NothingToChange",
        "OverrideJustification",
        "OverrideNotDocumented",
        "OverrideReason",
        "ProgramChange",
        "ProgramChangeBlocked",
        "ProgramChangeKind",
        "ProgramChangeState",
        "ProgramChangeStateError",
        "ProgramDiff",
        "ProposerMayNotCoSign",
        "SameClinicianTwice",
        "SendOutcome",
        "Signature",
        "WarningsNotAcknowledged",
        "diff",
        "program_parameters",
    },
    refill: {
        "AboveReservoirCapacity",
        "AdmixtureMismatch",
        "BedsideReadings",
        "BeyondUseDatePassed",
        "DiscrepancyCause",
        "LabelNotTheOrder",
        "PharmacyLabel",
        "PocketFillChecklist",
        "PocketFillChecklistIncomplete",
        "Reconciliation",
        "ReconciliationVerdict",
        "Refill",
        "RefillState",
        "RefillStateError",
        "label_difference",
        "reconcile",
    },
}

ERROR_CODES = {
    "ProgramChangeStateError": "THC-PATH-010",
    "ProgramChangeBlocked": "THC-PATH-011",
    "NothingToChange": "THC-PATH-012",
    "ConfirmationRejected": "THC-PATH-013",
    "OverrideNotDocumented": "THC-PATH-014",
    "WarningsNotAcknowledged": "THC-PATH-015",
    "SameClinicianTwice": "THC-PATH-016",
    "RefillStateError": "THC-PATH-020",
    "AboveReservoirCapacity": "THC-PATH-021",
    "AdmixtureMismatch": "THC-PATH-022",
    "BeyondUseDatePassed": "THC-PATH-023",
    "PocketFillChecklistIncomplete": "THC-PATH-024",
    "LabelNotTheOrder": "THC-PATH-025",
    "TrialStateError": "THC-PATH-030",
    "ObservationPeriodNotElapsed": "THC-PATH-031",
    "PatientTooSedated": "THC-PATH-032",
    "TrialNotEvaluable": "THC-PATH-033",
    "TrialNotSuccessful": "THC-PATH-034",
    "VitalSignsNotSafe": "THC-PATH-035",
}

PACKAGES = pytest.mark.parametrize("package", list(PUBLIC_NAMES), ids=lambda p: p.__name__)


@PACKAGES
def test_each_package_exports_exactly_its_public_names(package: ModuleType) -> None:
    assert set(package.__all__) == PUBLIC_NAMES[package]
    assert len(package.__all__) == len(PUBLIC_NAMES[package])
    assert all(hasattr(package, name) for name in package.__all__)


@PACKAGES
def test_each_public_name_comes_from_the_module_that_lists_it(package: ModuleType) -> None:
    for name in package.__all__:
        value = getattr(package, name)
        home = getattr(value, "__module__", None)
        if not isinstance(home, str) or not home.startswith(f"{package.__name__}."):
            continue  # an instance (DEFAULT_REAUTH_MAX_AGE) reports its class's module
        assert name in importlib.import_module(home).__all__, (name, home)


def test_the_pathway_errors_keep_their_codes() -> None:
    exported = {
        name: getattr(package, name)
        for package in PUBLIC_NAMES
        for name in package.__all__
        if name in ERROR_CODES
    }
    assert {name: error.code for name, error in exported.items()} == ERROR_CODES
