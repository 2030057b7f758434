"""Reading review requests: every malformed field is its own error naming the JSON path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from safety_builders import discharge, refill, rx
from safety_cases import MORPHINE_10

from thecal.domain.library import ReferenceLibrary
from thecal.domain.safety import parse_review_request, parse_review_request_text
from thecal.domain.safety.errors import (
    InconsistentRequest,
    InvalidQuantity,
    InvalidTimestamp,
    InvalidValue,
    MissingField,
    RequestNotJson,
    ReviewRequestInvalid,
    UnknownField,
    UnknownValue,
    UnsupportedFormat,
    WrongType,
)

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples"


def _valid() -> dict[str, Any]:
    return refill(rx(MORPHINE_10, "4 mg/day"))


def _broken(path: list[str | int], value: object) -> dict[str, Any]:
    request = copy.deepcopy(_valid())
    target: Any = request
    for part in path[:-1]:
        target = target[part]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return request


_DELETE = object()

CASES = [
    (
        ["proposal", "refill", "aspiration_confirmed"],
        _DELETE,
        MissingField,
        "$.proposal.refill.aspiration_confirmed",
    ),
    (
        ["proposal", "refill", "aspiration_confirmd"],
        True,
        UnknownField,
        "$.proposal.refill.aspiration_confirmd",
    ),
    (
        ["proposal", "refill", "aspiration_confirmed"],
        "true",
        WrongType,
        "$.proposal.refill.aspiration_confirmed",
    ),
    (["proposal", "refill", "volume"], 20, WrongType, "$.proposal.refill.volume"),
    (["proposal", "refill", "volume"], ".5 mL", InvalidQuantity, "$.proposal.refill.volume"),
    (["proposal", "refill", "volume"], "20", InvalidQuantity, "$.proposal.refill.volume"),
    (["proposal", "refill", "volume"], "20 mg", InvalidQuantity, "$.proposal.refill.volume"),
    (["proposal", "refill", "volume"], "0 mL", InvalidValue, "$.proposal.refill.volume"),
    (
        ["proposal", "refill", "admixture", 0, "drug"],
        "morfine",
        UnknownValue,
        "$.proposal.refill.admixture[0].drug",
    ),
    (["proposal", "refill", "admixture"], [], WrongType, "$.proposal.refill.admixture"),
    (
        ["proposal", "refill", "next_refill_at"],
        "2026-04-01T10:00:00",
        InvalidTimestamp,
        "$.proposal.refill.next_refill_at",
    ),
    (
        ["proposal", "refill", "next_refill_at"],
        "next month",
        InvalidTimestamp,
        "$.proposal.refill.next_refill_at",
    ),
    (["proposal", "refill"], _DELETE, InconsistentRequest, "$.proposal.refill"),
    (["current"], _DELETE, InconsistentRequest, "$.current"),
    (["pump", "model"], "synchromed-3", UnknownValue, "$.pump.model"),
    (["patient", "cancer"], _DELETE, MissingField, "$.patient.cancer"),
    (["patient", "age_years"], 200, InvalidValue, "$.patient.age_years"),
    (
        ["patient", "spinal_cord_injury_level"],
        "T13",
        InvalidValue,
        "$.patient.spinal_cord_injury_level",
    ),
    (["patient", "opioid_status"], "naïve", UnknownValue, "$.patient.opioid_status"),
    (["action"], "refil", UnknownValue, "$.action"),
    (["format"], "thecal-review/2", UnsupportedFormat, "$.format"),
    (["proposed_by", "role"], "doctor", UnknownValue, "$.proposed_by.role"),
    (["acknowledged"], ["ITS-REFILL-004"], UnknownValue, "$.acknowledged[0]"),
    (
        ["current", "prescription", "admixture"],
        [{"drug": "morphine", "concentration": "10 mg/mL"}] * 2,
        InvalidValue,
        "$.current.prescription.admixture",
    ),
    (
        ["current", "prescription", "steps"],
        [{"start": "0 h", "rate": "4 mg/day"}],
        InconsistentRequest,
        "$.current.prescription",
    ),
    (["proposal"], [], WrongType, "$.proposal"),
    # fields of issue 14: each optional, each as strict as the rest
    (["patient", "weight_kg"], "heavy", InvalidValue, "$.patient.weight_kg"),
    (["patient", "weight_kg"], 24, WrongType, "$.patient.weight_kg"),
    (["patient", "risk_facts", "sedative"], True, UnknownField, "$.patient.risk_facts.sedative"),
    (["patient", "risk_facts", "pregnant"], "yes", WrongType, "$.patient.risk_facts.pregnant"),
    (
        ["patient", "risk_facts", "endocrine_checked_on"],
        "last year",
        InvalidTimestamp,
        "$.patient.risk_facts.endocrine_checked_on",
    ),
    (["current", "titration_phase"], "steady", UnknownValue, "$.current.titration_phase"),
    (
        ["current", "prescription", "admixture", 0, "daily_dose"],
        "4 mg",
        InvalidQuantity,
        "$.current.prescription.admixture[0].daily_dose",
    ),
    (
        ["proposal", "refill", "admixture", 0, "daily_dose"],
        "4 mg/day",
        UnknownField,
        "$.proposal.refill.admixture[0].daily_dose",
    ),
    (
        ["proposal", "refill", "verified_by"],
        {"user_id": "p-1", "role": "chemist"},
        UnknownValue,
        "$.proposal.refill.verified_by.role",
    ),
    (["proposal", "refill", "rinses"], 50, InvalidValue, "$.proposal.refill.rinses"),
    (["pump", "next_refill_at"], "2026-04-01", InvalidTimestamp, "$.pump.next_refill_at"),
    (
        ["proposal", "monitoring"],
        {"respiratory": "a day"},
        InvalidQuantity,
        "$.proposal.monitoring.respiratory",
    ),
    (
        ["proposal", "priming"],
        {"mode": "after-implant"},
        InconsistentRequest,
        "$.pump.catheter",
    ),
    (
        ["proposal", "effective_screening_dose"],
        "50 mcg/day",
        InvalidQuantity,
        "$.proposal.effective_screening_dose",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "error", "where"), CASES, ids=[c[3] + ":" + c[2].__name__ for c in CASES]
)
def test_malformed_field_raises_its_own_error_naming_the_path(
    path: list[str | int],
    value: object,
    error: type[ReviewRequestInvalid],
    where: str,
    library: ReferenceLibrary,
) -> None:
    with pytest.raises(error) as caught:
        parse_review_request(_broken(path, value), library=library)
    assert caught.value.fields["where"] == where
    assert where in caught.value.message


def test_every_review_error_has_its_own_stable_code() -> None:
    leaves = [
        InconsistentRequest,
        InvalidQuantity,
        InvalidTimestamp,
        InvalidValue,
        MissingField,
        RequestNotJson,
        UnknownField,
        UnknownValue,
        UnsupportedFormat,
        WrongType,
    ]
    codes = [leaf.code for leaf in leaves]
    assert len(set(codes)) == len(codes)
    assert all(code.startswith("THC-REVIEW-") for code in codes)


def test_text_that_is_not_json_is_refused_with_its_position(library: ReferenceLibrary) -> None:
    with pytest.raises(RequestNotJson, match="line 1 column 2"):
        parse_review_request_text("{oops", library=library)


def test_a_bare_json_number_for_a_quantity_is_refused(library: ReferenceLibrary) -> None:
    text = json.dumps(_valid()).replace('"20 mL"', "20.5")
    with pytest.raises(WrongType, match=r"bare number 20\.5"):
        parse_review_request_text(text, library=library)


def test_a_valid_request_reads_into_a_context(library: ReferenceLibrary) -> None:
    context = parse_review_request_text(json.dumps(_valid()), library=library)
    assert context.proposal.refill is not None
    assert context.proposal.refill.aspiration_confirmed is True


def test_a_request_of_the_first_version_still_reads_with_nothing_recorded(
    library: ReferenceLibrary,
) -> None:
    first_version = json.loads((EXAMPLES / "override-morphine-step.json").read_text("utf-8"))
    context = parse_review_request(first_version, library=library)
    assert context.patient.risk.present() == ()
    assert context.patient.weight_kg is None
    assert context.current is not None
    assert context.current.titration_phase is None
    assert context.proposal.monitoring is None


def test_a_catheter_revision_without_its_priming_says_what_is_missing(
    library: ReferenceLibrary,
) -> None:
    request = _valid()
    request["action"] = "catheter-revision"
    request["pump"]["catheter"] = {"model": "indura-1p-8709sc", "implanted_length_cm": "45"}
    with pytest.raises(InconsistentRequest) as caught:
        parse_review_request(request, library=library)
    assert caught.value.fields["where"] == "$.proposal.priming"
    assert "catheter-revision review needs this section" in caught.value.message


def test_a_trial_discharge_observation_with_an_unknown_sedation_score_is_refused(
    library: ReferenceLibrary,
) -> None:
    request = discharge("morphine", "0.25 mg", after_hours=24, latest={"sedation": "5"})
    with pytest.raises(UnknownValue) as caught:
        parse_review_request(request, library=library)
    assert caught.value.fields["where"] == "$.proposal.trial.latest_observation.sedation"
