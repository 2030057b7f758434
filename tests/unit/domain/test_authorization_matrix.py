"""The policy matrix: every role × action × {own, foreign, no record} checked (SR-21).

The expected permissions are written out here independently of the policy table, so an
accidental widening of ``ALLOW`` fails a test rather than silently granting access.
"""

from __future__ import annotations

import itertools

import pytest

from thecal.domain.authorization import (
    ALLOW,
    CLINICAL_WRITES,
    AccessDenied,
    Action,
    OutsideCareTeam,
    OutsideRefills,
    Subject,
    authorize,
    authorize_function,
    is_allowed,
)
from thecal.domain.care_teams import CareReach
from thecal.domain.users import Actor, Role

OWN_PATIENT = "patient-own"
FOREIGN_PATIENT = "patient-foreign"

# (role, action) → which subjects are allowed: "any" (own, foreign and collections) or "own".
EXPECTED: dict[tuple[Role, Action], str] = {
    **{
        (role, action): "any"
        for role in (Role.PHYSICIAN, Role.NURSE)
        for action in (
            Action.PATIENT_REGISTER,
            Action.PATIENT_SEARCH,
            Action.PATIENT_READ,
            Action.PATIENT_AMEND,
            Action.CANDIDACY_RECORD,
            Action.CANDIDACY_READ,
        )
    },
    (Role.PHYSICIAN, Action.AUDIT_VERIFY): "any",
    **{
        (role, action): "any"
        for role in (Role.PHYSICIAN, Role.NURSE)
        for action in (
            Action.PROCEDURE_RECORD,
            Action.PROCEDURE_READ,
            Action.ASSESSMENT_RECORD,
            Action.ASSESSMENT_READ,
            Action.OUTCOMES_REPORT,
        )
    },
    (Role.PHYSICIAN, Action.FHIR_EXPORT): "any",
    (Role.ADMIN, Action.OUTCOMES_REPORT): "any",
    (Role.PATIENT, Action.PROCEDURE_READ): "own",
    (Role.PATIENT, Action.ASSESSMENT_RECORD): "own",
    (Role.PATIENT, Action.ASSESSMENT_READ): "own",
    (Role.PATIENT, Action.FHIR_EXPORT): "own",
    (Role.PHARMACIST, Action.PATIENT_SEARCH): "any",
    (Role.PHARMACIST, Action.PATIENT_READ): "any",
    (Role.ADMIN, Action.AUDIT_VERIFY): "any",
    (Role.ADMIN, Action.AUDIT_READ): "any",
    (Role.ADMIN, Action.AUDIT_KEY_ROTATE): "any",
    (Role.ADMIN, Action.AUDIT_RESTORE_ACCEPT): "any",
    (Role.ADMIN, Action.USER_MANAGE): "any",
    (Role.PATIENT, Action.PATIENT_READ): "own",
    (Role.PATIENT, Action.CANDIDACY_READ): "own",
    # the clinical pathway
    **{
        (role, action): "any"
        for role in (Role.PHYSICIAN, Role.NURSE)
        for action in (
            Action.PUMP_READ,
            Action.PUMP_INTERROGATE,
            Action.PROGRAM_READ,
            Action.PROGRAM_PROPOSE,
            Action.PROGRAM_COSIGN,
            Action.PROGRAM_SEND,
            Action.PROGRAM_WITHDRAW,
            Action.REFILL_PERFORM,
            Action.PHARMACY_LABEL_READ,  # the syringe label of their patient's refill
            Action.TRIAL_OBSERVE,
            Action.TRIAL_DISCHARGE,
            Action.TRIAL_READ,
            Action.MRI_PLAN,
            Action.MRI_EMPTY,
            Action.MRI_SCAN,
            Action.MRI_READ,
            Action.WORKLIST_READ,
            Action.DEMO_CONSOLE,
            Action.TASK_READ,
            Action.TASK_COMPLETE,
            # scheduling
            Action.REFERRAL_READ,
            Action.REFERRAL_TRIAGE,
            Action.APPOINTMENT_READ,
            Action.APPOINTMENT_BOOK,
            Action.VISIT_PLAN,
            Action.CALENDAR_READ,
            Action.CALENDAR_FEED,
            Action.REMINDER_PREFERENCE,
            # device events: nurses suspend delivery and record transfers (issue 12 §3)
            Action.DEVICE_EVENT_SUSPEND,
            Action.DEVICE_EVENT_TRANSFER,
            Action.DEVICE_EVENT_READ,
        )
    },
    **{
        (Role.ADMIN, action): "any"
        for action in (
            Action.CALENDAR_READ,
            Action.CALENDAR_MANAGE,
            Action.REMINDER_SEND,
            Action.VISIT_PLAN,
        )
    },
    (Role.PATIENT, Action.APPOINTMENT_READ): "own",
    (Role.PATIENT, Action.REMINDER_PREFERENCE): "own",
    **{
        (Role.PHYSICIAN, action): "any"
        for action in (
            Action.TRIAL_PLAN,
            Action.TRIAL_ADMINISTER,
            Action.TRIAL_DECIDE,
            Action.MRI_CLEAR,
            Action.DEVICE_EVENT_RECORD,  # surgery, end of therapy, restart: a physician
        )
    },
    (Role.PHYSICIAN, Action.PUMP_IMPLANT): "any",
    (Role.PHYSICIAN, Action.PROGRAM_SIGN): "any",
    (Role.PHARMACIST, Action.PUMP_READ): "any",
    (Role.PHARMACIST, Action.PHARMACY_VERIFY): "any",
    (Role.PHARMACIST, Action.PHARMACY_LABEL_READ): "any",  # prints the syringe label
    (Role.PHARMACIST, Action.WORKLIST_READ): "any",  # the refill rows (services/worklist.py)
    (Role.PATIENT, Action.PUMP_READ): "own",
    (Role.PATIENT, Action.PATIENT_BOLUS_REQUEST): "own",
    # care teams (SR-21): admins manage them and review break-glass alerts on their worklist
    (Role.ADMIN, Action.CARE_TEAM_MANAGE): "any",
    (Role.ADMIN, Action.WORKLIST_READ): "any",  # the break-glass alerts only
    (Role.ADMIN, Action.BREAK_GLASS_REVIEW): "any",
    (Role.PHYSICIAN, Action.BREAK_GLASS): "any",
    (Role.NURSE, Action.BREAK_GLASS): "any",
    # the service account (issue 15 §1): read-only record export, nothing else
    (Role.INTEGRATION, Action.FHIR_EXPORT): "any",
}

SUBJECTS = {
    "own": Subject.patient(OWN_PATIENT),
    "foreign": Subject.patient(FOREIGN_PATIENT),
    "collection": Subject.collection("patients"),
}


def actor_for(role: Role, *, active: bool = True) -> Actor:
    return Actor(
        user_id=f"user-{role.value}",
        role=role,
        patient_id=OWN_PATIENT if role is Role.PATIENT else None,
        active=active,
    )


def expected(role: Role, action: Action, subject_kind: str) -> bool:
    grant = EXPECTED.get((role, action))
    if grant == "any":
        return True
    if grant == "own":
        return subject_kind == "own"
    return False


CASES = list(itertools.product(Role, Action, SUBJECTS))


@pytest.mark.parametrize(("role", "action", "subject_kind"), CASES)
def test_the_policy_grants_exactly_the_expected_cells(
    role: Role, action: Action, subject_kind: str
) -> None:
    assert is_allowed(actor_for(role), action, SUBJECTS[subject_kind]) is expected(
        role, action, subject_kind
    )


def test_the_matrix_has_no_unauthorised_allow() -> None:
    unauthorised = [
        (role, action, kind)
        for role, action, kind in CASES
        if is_allowed(actor_for(role), action, SUBJECTS[kind]) and not expected(role, action, kind)
    ]
    assert unauthorised == []
    assert len(CASES) == len(Role) * len(Action) * 3


@pytest.mark.parametrize(("role", "action", "subject_kind"), CASES)
def test_a_disabled_account_is_refused_everything(
    role: Role, action: Action, subject_kind: str
) -> None:
    assert not is_allowed(actor_for(role, active=False), action, SUBJECTS[subject_kind])


def test_admins_make_no_clinical_writes() -> None:
    assert CLINICAL_WRITES.isdisjoint(ALLOW[Role.ADMIN])


def test_a_patient_user_never_reaches_another_patients_record() -> None:
    patient = actor_for(Role.PATIENT)
    for action in Action:
        assert not is_allowed(patient, action, SUBJECTS["foreign"])


def test_a_refusal_is_an_access_denied_error_with_a_stable_code() -> None:
    with pytest.raises(AccessDenied) as caught:
        authorize(actor_for(Role.PATIENT), Action.PATIENT_READ, SUBJECTS["foreign"])
    assert caught.value.code == "THC-AUTH-001"
    assert "patient may not patient.read patient:patient-foreign" in caught.value.message


def test_the_function_level_check_refuses_roles_without_the_action() -> None:
    authorize_function(actor_for(Role.NURSE), Action.CANDIDACY_RECORD)
    with pytest.raises(AccessDenied):
        authorize_function(actor_for(Role.PHARMACIST), Action.CANDIDACY_RECORD)
    with pytest.raises(AccessDenied):
        authorize_function(actor_for(Role.NURSE, active=False), Action.CANDIDACY_RECORD)


# ----------------------------------------------------------------------------- the care-team dimension

#: A clinician on team "t-own", whose patient is OWN_PATIENT; FOREIGN_PATIENT is on another team.
ON_OWN_TEAM = CareReach.of({"t-own"}, {OWN_PATIENT})
TEAM_CASES = list(itertools.product((Role.PHYSICIAN, Role.NURSE), Action, SUBJECTS))


def team_actor(role: Role, reach: CareReach) -> Actor:
    return Actor(user_id=f"user-{role.value}", role=role, reach=reach)


def expected_on_teams(role: Role, action: Action, subject_kind: str, reach: CareReach) -> bool:
    """As :func:`expected`, then only the reach's patients; breaking the glass reaches any."""
    if not expected(role, action, subject_kind):
        return False
    if subject_kind == "collection" or action is Action.BREAK_GLASS:
        return True
    return reach.covers(OWN_PATIENT if subject_kind == "own" else FOREIGN_PATIENT)


@pytest.mark.parametrize(("role", "action", "subject_kind"), TEAM_CASES)
def test_a_clinician_reaches_their_teams_patients_only(
    role: Role, action: Action, subject_kind: str
) -> None:
    allowed = is_allowed(team_actor(role, ON_OWN_TEAM), action, SUBJECTS[subject_kind])
    assert allowed is expected_on_teams(role, action, subject_kind, ON_OWN_TEAM)


def test_the_team_dimension_has_no_unauthorised_allow_and_is_not_vacuous() -> None:
    allowed_other_team = [
        action
        for role, action, kind in TEAM_CASES
        if kind == "foreign" and is_allowed(team_actor(role, ON_OWN_TEAM), action, SUBJECTS[kind])
    ]
    assert set(allowed_other_team) == {Action.BREAK_GLASS}
    own_team = [
        a
        for r, a, k in TEAM_CASES
        if k == "own" and is_allowed(team_actor(r, ON_OWN_TEAM), a, SUBJECTS[k])
    ]
    assert Action.PATIENT_READ in own_team
    assert Action.PROGRAM_PROPOSE in own_team


def test_break_the_glass_opens_the_one_patient_and_no_other() -> None:
    opened = CareReach.of({"t-own"}, {OWN_PATIENT}, opened={FOREIGN_PATIENT})
    nurse = team_actor(Role.NURSE, opened)
    assert is_allowed(nurse, Action.PATIENT_READ, SUBJECTS["foreign"])
    assert is_allowed(nurse, Action.REFILL_PERFORM, SUBJECTS["foreign"])
    assert not is_allowed(nurse, Action.PATIENT_READ, Subject.patient("patient-third"))


def test_outside_the_team_is_refused_naming_break_the_glass() -> None:
    with pytest.raises(OutsideCareTeam) as caught:
        authorize(team_actor(Role.NURSE, ON_OWN_TEAM), Action.PATIENT_READ, SUBJECTS["foreign"])
    assert caught.value.code == "THC-TEAM-004"
    assert caught.value.fields["patient_id"] == FOREIGN_PATIENT  # whom to break the glass for
    assert isinstance(caught.value, AccessDenied)  # audited as a refusal like any other
    assert "break the glass" in caught.value.message
    with pytest.raises(AccessDenied) as plain:  # not allowed for the role at all: the plain code
        authorize(team_actor(Role.NURSE, ON_OWN_TEAM), Action.PROGRAM_SIGN, SUBJECTS["own"])
    assert plain.value.code == "THC-AUTH-001"


def test_a_clinician_on_no_team_reaches_no_patient_record() -> None:
    nobody = team_actor(Role.PHYSICIAN, CareReach())
    for action in Action:
        if action is not Action.BREAK_GLASS:
            assert not is_allowed(nobody, action, SUBJECTS["own"]), action


# ----------------------------------------------------------------------------- the pharmacist's refills

#: A pharmacist whose refills are OWN_PATIENT's pump's; FOREIGN_PATIENT has no pump in care.
REFILLS_OF_OWN = CareReach.refills({OWN_PATIENT})


@pytest.mark.parametrize(("action", "subject_kind"), list(itertools.product(Action, SUBJECTS)))
def test_a_pharmacist_reaches_the_patients_whose_refills_they_verify_only(
    action: Action, subject_kind: str
) -> None:
    pharmacist = team_actor(Role.PHARMACIST, REFILLS_OF_OWN)
    allowed = is_allowed(pharmacist, action, SUBJECTS[subject_kind])
    assert allowed is (
        expected(Role.PHARMACIST, action, subject_kind) and subject_kind != "foreign"
    )


def test_a_pharmacist_outside_the_refills_is_refused_by_name_and_breaks_no_glass() -> None:
    pharmacist = team_actor(Role.PHARMACIST, REFILLS_OF_OWN)
    for action in (Action.PATIENT_READ, Action.PUMP_READ, Action.PHARMACY_VERIFY):
        authorize(pharmacist, action, SUBJECTS["own"])
        with pytest.raises(OutsideRefills) as caught:
            authorize(pharmacist, action, SUBJECTS["foreign"])
        assert caught.value.code == "THC-TEAM-005"
        assert "no pump in the clinic's care" in caught.value.message
    assert not is_allowed(pharmacist, Action.BREAK_GLASS, SUBJECTS["foreign"])
    assert not is_allowed(pharmacist, Action.CANDIDACY_READ, SUBJECTS["own"])
