"""The program-change state machine: every transition, the two-person rule and SR-16 tokens."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest

from thecal.domain.actors import ActorNotAllowed, InactiveActor, NaiveTimestamp, TimeOutOfOrder
from thecal.domain.admixture import Admixture, Component
from thecal.domain.errors import Conflict, PermissionDenied, SafetyBlocked, ValueOutOfRange
from thecal.domain.program import FlexStep, InfusionProgram, PatientBolusSettings, ProgramMode
from thecal.domain.program_change import (
    ConfirmationRejected,
    ConfirmationToken,
    CoSigningPolicy,
    FindingSeverity,
    FindingSummary,
    NothingToChange,
    OverrideJustification,
    OverrideNotDocumented,
    OverrideReason,
    ProgramChange,
    ProgramChangeBlocked,
    ProgramChangeState,
    ProgramChangeStateError,
    ProposerMayNotCoSign,
    SameClinicianTwice,
    SendOutcome,
    WarningsNotAcknowledged,
    diff,
)
from thecal.domain.program_change.program_diff import program_parameters, step_start
from thecal.domain.tasks import TaskKind, TaskPriority
from thecal.domain.units import Concentration, DoseRate, Duration, Mass, MassUnit, Volume
from thecal.domain.users import Actor, Role

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MORPHINE_25 = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
OLD = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(5))
NEW = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(6))
OTHER = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(7))
S = ProgramChangeState

_counter = itertools.count(1)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def token(
    change: ProgramChange, actor: Actor, when: dt.datetime, **overrides: str
) -> ConfirmationToken:
    fields = {
        "token_id": f"tok-{next(_counter)}",
        "user_id": actor.user_id,
        "change_id": change.change_id,
        "diff_digest": change.diff.digest,
    }
    fields.update(overrides)
    return ConfirmationToken(authenticated_at=when, **fields)


def propose(proposer: Actor, new: InfusionProgram = NEW) -> ProgramChange:
    return ProgramChange(
        change_id="pc-1",
        patient_id="p-1",
        old_program=OLD,
        new_program=new,
        proposed_by=proposer,
        proposed_at=T0,
    )


def finding(code: str, severity: FindingSeverity) -> FindingSummary:
    return FindingSummary(code=code, severity=severity, message=f"{code} message", source="S2")


PHYSICIAN = Actor(user_id="dr-ada", role=Role.PHYSICIAN)
NURSE = Actor(user_id="rn-cai", role=Role.NURSE)
#: A second nurse: the nurse who proposed a change may not co-sign it (clinic policy, default on).
CO_SIGNER = Actor(user_id="rn-dev", role=Role.NURSE)


def sign(change: ProgramChange, minute: int = 2) -> None:
    change.sign(actor=PHYSICIAN, token=token(change, PHYSICIAN, at(minute)), at=at(minute))


def co_sign(change: ProgramChange, minute: int = 3) -> None:
    change.co_sign(actor=CO_SIGNER, token=token(change, CO_SIGNER, at(minute)), at=at(minute))


# ----------------------------------------------------------------------------- reaching every state

STEPS: dict[ProgramChangeState, Callable[[ProgramChange], None]] = {
    S.REVIEWED: lambda c: c.review(findings=(), at=at(1)),
    S.BLOCKED: lambda c: c.review(findings=(finding("B1", FindingSeverity.BLOCK),), at=at(1)),
    S.SIGNED: sign,
    S.CO_SIGNED: co_sign,
    S.SENT: lambda c: c.record_send(actor=NURSE, outcome=SendOutcome.UNCERTAIN, at=at(4)),
    S.NOT_DELIVERED: lambda c: c.record_interrogation(actor=NURSE, program_on_pump=OLD, at=at(5)),
    S.CONFIRMED: lambda c: c.record_interrogation(actor=NURSE, program_on_pump=NEW, at=at(5)),
    S.FAILED: lambda c: c.record_interrogation(actor=NURSE, program_on_pump=OTHER, at=at(5)),
    S.WITHDRAWN: lambda c: c.withdraw(actor=NURSE, reason="patient declined", at=at(9)),
}
PATHS: dict[ProgramChangeState, tuple[ProgramChangeState, ...]] = {
    S.PROPOSED: (),
    S.REVIEWED: (S.REVIEWED,),
    S.BLOCKED: (S.BLOCKED,),
    S.SIGNED: (S.REVIEWED, S.SIGNED),
    S.CO_SIGNED: (S.REVIEWED, S.SIGNED, S.CO_SIGNED),
    S.SENT: (S.REVIEWED, S.SIGNED, S.CO_SIGNED, S.SENT),
    S.NOT_DELIVERED: (S.REVIEWED, S.SIGNED, S.CO_SIGNED, S.SENT, S.NOT_DELIVERED),
    S.CONFIRMED: (S.REVIEWED, S.SIGNED, S.CO_SIGNED, S.SENT, S.CONFIRMED),
    S.FAILED: (S.REVIEWED, S.SIGNED, S.CO_SIGNED, S.SENT, S.FAILED),
    S.WITHDRAWN: (S.WITHDRAWN,),
}


def change_in(state: ProgramChangeState) -> ProgramChange:
    change = propose(NURSE)
    for step in PATHS[state]:
        STEPS[step](change)
    assert change.state is state
    return change


ACTIONS: dict[str, Callable[[ProgramChange], object]] = {
    "attach the safety review": lambda c: c.review(findings=(), at=at(10)),
    "sign the program change": lambda c: c.sign(
        actor=PHYSICIAN, token=token(c, PHYSICIAN, at(10)), at=at(10)
    ),
    "co-sign the program change": lambda c: c.co_sign(
        actor=CO_SIGNER, token=token(c, CO_SIGNER, at(10)), at=at(10)
    ),
    "send the program to the pump": lambda c: c.record_send(
        actor=NURSE, outcome=SendOutcome.ACKNOWLEDGED, at=at(10)
    ),
    "confirm the program by interrogation": lambda c: c.record_interrogation(
        actor=NURSE, program_on_pump=NEW, at=at(10)
    ),
    "withdraw the program change": lambda c: c.withdraw(
        actor=NURSE, reason="not needed", at=at(10)
    ),
}
ALLOWED: dict[str, set[ProgramChangeState]] = {
    "attach the safety review": {S.PROPOSED},
    "sign the program change": {S.REVIEWED},
    "co-sign the program change": {S.SIGNED},
    "send the program to the pump": {S.CO_SIGNED, S.NOT_DELIVERED},
    "confirm the program by interrogation": {S.SENT},
    "withdraw the program change": {
        S.PROPOSED,
        S.REVIEWED,
        S.BLOCKED,
        S.SIGNED,
        S.CO_SIGNED,
        S.NOT_DELIVERED,
    },
}
ILLEGAL = [
    (state, action)
    for action, allowed in ALLOWED.items()
    for state in ProgramChangeState
    if state not in allowed and not (state is S.BLOCKED and action == "sign the program change")
]
LEGAL = [(state, action) for action, allowed in ALLOWED.items() for state in sorted(allowed)]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_raises_naming_the_state_and_the_action(
    state: ProgramChangeState, action: str
) -> None:
    change = change_in(state)
    version = change.version
    with pytest.raises(ProgramChangeStateError) as caught:
        ACTIONS[action](change)
    assert isinstance(caught.value, Conflict)
    assert f"is {state.value}" in caught.value.message
    assert action in caught.value.message
    assert change.state is state
    assert change.version == version


@pytest.mark.parametrize(("state", "action"), LEGAL)
def test_every_legal_transition_moves_on_and_bumps_the_version_by_one(
    state: ProgramChangeState, action: str
) -> None:
    change = change_in(state)
    version = change.version
    ACTIONS[action](change)
    assert change.state is not state or action == "send the program to the pump"
    assert change.version == version + 1
    assert change.history[-1].version == change.version


def test_the_whole_happy_path_ends_confirmed_with_two_distinct_clinicians() -> None:
    change = change_in(S.CONFIRMED)
    assert change.version == 6
    assert change.signers == ("dr-ada", "rn-dev")
    assert [t.to_state for t in change.history] == [
        "proposed",
        "reviewed",
        "signed",
        "co-signed",
        "sent",
        "confirmed",
    ]


def test_a_blocking_finding_ends_in_blocked_and_signing_then_says_why() -> None:
    change = change_in(S.BLOCKED)
    with pytest.raises(ProgramChangeBlocked, match="B1: B1 message") as caught:
        ACTIONS["sign the program change"](change)
    assert isinstance(caught.value, SafetyBlocked)
    assert change.state is S.BLOCKED


# ----------------------------------------------------------------------------- the diff


def test_diff_lists_every_changed_parameter_with_old_and_new_display_text() -> None:
    mixture = Admixture(
        components=(
            Component(drug_id="morphine", concentration=Concentration.from_mg_per_ml(20)),
            Component(drug_id="clonidine", concentration=Concentration.from_mcg_per_ml(100)),
        )
    )
    bolus = PatientBolusSettings(
        dose=Mass.from_mcg(200),
        duration=Duration.minutes(10),
        lockout=Duration.hours(4),
        max_per_day=3,
    )
    new = InfusionProgram.continuous(
        mixture,
        DoseRate.from_mg_per_day(6),
        patient_bolus=bolus,
        low_reservoir_alarm=Volume.from_ml(4),
    )
    changes = {e.parameter: (e.old, e.new) for e in diff(OLD, new).changes}
    assert changes == {
        "concentration morphine": ("25 mg/mL", "20 mg/mL"),
        "concentration clonidine": ("—", "100 mcg/mL"),
        "step 1 rate": ("5 mg/day", "6 mg/day"),
        "patient bolus": ("off", "—"),
        "patient bolus dose": ("—", "0.2 mg"),  # in morphine's unit, not scaled to mcg
        "patient bolus duration": ("—", "10 min"),
        "patient bolus lockout": ("—", "4 h"),
        "patient bolus max per day": ("—", "3"),
        "low-reservoir alarm": ("pump default", "4 mL"),
    }


def test_diff_writes_each_drug_in_its_own_unit_whatever_the_size() -> None:
    """Morphine below 1 mg stays in mg; baclofen above 1,000 mcg stays in mcg (issue 13 §2)."""
    morphine = InfusionProgram.continuous(
        Admixture.single("morphine", Concentration.from_mcg_per_ml(500)),
        DoseRate.of(Decimal(500), MassUnit.MCG),
    )
    baclofen = InfusionProgram.continuous(
        Admixture.single("baclofen", Concentration.from_mg_per_ml(2)),
        DoseRate.from_mg_per_day(Decimal("1.2")),
    )
    texts = dict(program_parameters(morphine))
    assert texts["step 1 rate"] == "0.5 mg/day"
    assert texts["concentration morphine"] == "0.5 mg/mL"
    assert morphine.admixture.describe() == "morphine 0.5 mg/mL"
    texts = dict(program_parameters(baclofen))
    assert texts["step 1 rate"] == "1200 mcg/day"
    assert texts["concentration baclofen"] == "2000 mcg/mL"
    assert baclofen.admixture.describe() == "baclofen 2000 mcg/mL"


def test_diff_shows_unchanged_parameters_too_for_the_side_by_side() -> None:
    entries = {e.parameter: (e.old, e.new) for e in diff(OLD, NEW).entries}
    assert entries["mode"] == ("continuous", "continuous")
    assert entries["primary drug"] == ("morphine", "morphine")
    assert [e.parameter for e in diff(OLD, NEW).changes] == ["step 1 rate"]


@pytest.mark.parametrize(
    ("start", "cycle", "shown"),
    [
        (Duration.seconds(0), Duration.days(1), "00:00"),
        (Duration.hours(7), Duration.days(1), "07:00"),
        (Duration.minutes(21 * 60 + 30), Duration.days(1), "21:30"),
        (Duration.seconds(7 * 3600 + 5), Duration.days(1), "07:00:05"),
        (Duration.hours(31), Duration.days(7), "day 2 07:00"),
        (Duration.seconds(Decimal("0.5")), Duration.days(1), "0.5 s"),  # exact, never rounded
    ],
)
def test_a_flex_step_starts_at_a_time_of_day(start: Duration, cycle: Duration, shown: str) -> None:
    assert step_start(start, cycle) == shown


def test_a_flex_schedule_diff_names_each_step_by_its_time_of_day() -> None:
    flex = InfusionProgram(
        mode=ProgramMode.FLEX,
        admixture=MORPHINE_25,
        steps=(
            FlexStep(start=Duration.seconds(0), rate=DoseRate.from_mg_per_day(5)),
            FlexStep(start=Duration.hours(7), rate=DoseRate.from_mg_per_day(6)),
        ),
    )
    changes = {e.parameter: (e.old, e.new) for e in diff(OLD, flex).changes}
    assert changes["step 2 start"] == ("—", "07:00")
    assert changes["step 2 rate"] == ("—", "6 mg/day")


def test_the_digest_is_stable_for_equal_values_and_changes_with_any_parameter() -> None:
    same = InfusionProgram.continuous(MORPHINE_25, DoseRate.from_mg_per_day(Decimal("6.000")))
    assert diff(OLD, NEW).digest == diff(OLD, same).digest
    assert diff(OLD, NEW).digest != diff(OLD, OTHER).digest
    assert len(diff(OLD, NEW).digest) == 64


def test_proposing_the_current_program_again_is_refused() -> None:
    with pytest.raises(NothingToChange):
        propose(NURSE, new=OLD)


# ----------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize("role", [Role.PHARMACIST, Role.ADMIN])
def test_only_clinicians_may_propose(role: Role) -> None:
    with pytest.raises(ActorNotAllowed, match="may not propose"):
        propose(Actor(user_id="x", role=role))


def test_a_patient_may_not_propose(patient_user: Actor) -> None:
    with pytest.raises(ActorNotAllowed):
        propose(patient_user)


def test_a_nurse_may_not_sign(nurse: Actor) -> None:
    change = change_in(S.REVIEWED)
    with pytest.raises(ActorNotAllowed, match="only physician may"):
        change.sign(actor=nurse, token=token(change, nurse, at(2)), at=at(2))


@pytest.mark.parametrize("fixture", ["pharmacist", "admin", "patient_user"])
def test_non_clinicians_may_neither_sign_nor_co_sign(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    actor: Actor = request.getfixturevalue(fixture)
    change = change_in(S.REVIEWED)
    with pytest.raises(ActorNotAllowed):
        change.sign(actor=actor, token=token(change, actor, at(2)), at=at(2))
    sign(change)
    with pytest.raises(ActorNotAllowed, match="co-sign"):
        change.co_sign(actor=actor, token=token(change, actor, at(3)), at=at(3))
    assert change.state is S.SIGNED


def test_the_signer_may_not_co_sign_their_own_signature() -> None:
    change = change_in(S.SIGNED)
    with pytest.raises(SameClinicianTwice) as caught:
        change.co_sign(actor=PHYSICIAN, token=token(change, PHYSICIAN, at(3)), at=at(3))
    assert isinstance(caught.value, PermissionDenied)
    assert change.state is S.SIGNED


def test_the_nurse_who_proposed_may_not_co_sign_by_default() -> None:
    change = change_in(S.SIGNED)  # proposed by NURSE, signed by PHYSICIAN
    with pytest.raises(ProposerMayNotCoSign) as caught:
        change.co_sign(actor=NURSE, token=token(change, NURSE, at(3)), at=at(3))
    assert caught.value.code == "THC-PATH-017"
    assert isinstance(caught.value, PermissionDenied)
    assert "rn-cai proposed program change pc-1" in str(caught.value)
    assert change.state is S.SIGNED
    assert change.co_signature is None
    assert change.version == 3  # nothing changed
    co_sign(change)  # a second nurse may
    assert change.signers == ("dr-ada", "rn-dev")


def test_a_clinic_policy_may_let_the_proposer_co_sign_but_never_the_signer() -> None:
    allowed = CoSigningPolicy(proposer_may_co_sign=True)
    change = change_in(S.SIGNED)
    with pytest.raises(SameClinicianTwice):
        change.co_sign(
            actor=PHYSICIAN, token=token(change, PHYSICIAN, at(3)), at=at(3), policy=allowed
        )
    change.co_sign(actor=NURSE, token=token(change, NURSE, at(3)), at=at(3), policy=allowed)
    assert change.signers == ("dr-ada", "rn-cai")


def test_a_physician_who_proposed_and_signed_may_not_co_sign_under_either_policy() -> None:
    for policy in (CoSigningPolicy(), CoSigningPolicy(proposer_may_co_sign=True)):
        change = propose(PHYSICIAN)
        change.review(findings=(), at=at(1))
        sign(change)
        with pytest.raises(SameClinicianTwice):
            change.co_sign(
                actor=PHYSICIAN, token=token(change, PHYSICIAN, at(3)), at=at(3), policy=policy
            )


def test_a_second_physician_may_co_sign_and_a_physician_may_sign_their_own_proposal(
    second_physician: Actor,
) -> None:
    change = propose(PHYSICIAN)
    change.review(findings=(), at=at(1))
    sign(change)
    change.co_sign(actor=second_physician, token=token(change, second_physician, at(3)), at=at(3))
    assert change.signers == ("dr-ada", "dr-ben")


def test_a_deactivated_physician_may_not_sign() -> None:
    change = change_in(S.REVIEWED)
    gone = Actor(user_id="dr-old", role=Role.PHYSICIAN, active=False)
    with pytest.raises(InactiveActor):
        change.sign(actor=gone, token=token(change, gone, at(2)), at=at(2))


# ----------------------------------------------------------------------------- SR-16 tokens


def test_a_token_for_a_different_diff_is_rejected() -> None:
    change = change_in(S.REVIEWED)
    foreign = diff(OLD, OTHER).digest
    with pytest.raises(ConfirmationRejected, match="different diff"):
        change.sign(
            actor=PHYSICIAN, token=token(change, PHYSICIAN, at(2), diff_digest=foreign), at=at(2)
        )
    assert change.state is S.REVIEWED


def test_a_token_issued_to_another_user_is_rejected() -> None:
    change = change_in(S.REVIEWED)
    with pytest.raises(ConfirmationRejected, match="issued to rn-cai"):
        change.sign(actor=PHYSICIAN, token=token(change, NURSE, at(2)), at=at(2))


def test_a_token_for_another_program_change_is_rejected() -> None:
    change = change_in(S.REVIEWED)
    with pytest.raises(ConfirmationRejected, match="program change pc-9"):
        change.sign(
            actor=PHYSICIAN, token=token(change, PHYSICIAN, at(2), change_id="pc-9"), at=at(2)
        )


def test_a_replayed_token_is_rejected() -> None:
    change = change_in(S.SIGNED)
    assert change.signature is not None
    used = change.signature.token_id
    with pytest.raises(ConfirmationRejected, match="replay"):
        change.co_sign(
            actor=CO_SIGNER, token=token(change, CO_SIGNER, at(3), token_id=used), at=at(3)
        )
    assert used in change.used_token_ids


def test_a_stale_token_is_rejected_and_one_within_five_minutes_is_accepted() -> None:
    change = change_in(S.REVIEWED)
    with pytest.raises(ConfirmationRejected, match="older than 5 min"):
        change.sign(
            actor=PHYSICIAN,
            token=token(change, PHYSICIAN, at(0)),
            at=at(5) + dt.timedelta(seconds=1),
        )
    change.sign(actor=PHYSICIAN, token=token(change, PHYSICIAN, at(0)), at=at(5))
    assert change.state is S.SIGNED


def test_a_token_dated_after_its_use_is_rejected() -> None:
    change = change_in(S.REVIEWED)
    with pytest.raises(ConfirmationRejected, match="after its use"):
        change.sign(actor=PHYSICIAN, token=token(change, PHYSICIAN, at(3)), at=at(2))


# ----------------------------------------------------------------------------- findings


def test_an_override_finding_needs_a_reason_code_and_text_and_both_signatures() -> None:
    change = propose(NURSE)
    change.review(findings=(finding("O1", FindingSeverity.OVERRIDE),), at=at(1))
    with pytest.raises(OverrideNotDocumented, match="O1"):
        sign(change)
    justification = OverrideJustification(
        finding_code="O1",
        reason=OverrideReason.TOLERANCE_DOCUMENTED,
        text="Tolerated 8 mg/day in 2025.",
    )
    change.sign(
        actor=PHYSICIAN, token=token(change, PHYSICIAN, at(2)), at=at(2), overrides=[justification]
    )
    assert change.state is S.SIGNED  # not yet committed: a second clinician must co-sign
    with pytest.raises(ProgramChangeStateError):
        ACTIONS["send the program to the pump"](change)
    co_sign(change)
    assert change.overrides == (justification,)
    assert change.signers == ("dr-ada", "rn-dev")


def test_an_override_justification_without_text_is_refused() -> None:
    with pytest.raises(ValueOutOfRange, match="override reason text"):
        OverrideJustification(
            finding_code="O1", reason=OverrideReason.CLINICAL_JUDGEMENT, text="  "
        )


def test_a_justification_for_a_finding_that_is_not_an_override_is_refused() -> None:
    change = change_in(S.REVIEWED)
    extra = OverrideJustification(
        finding_code="X9", reason=OverrideReason.CLINICAL_JUDGEMENT, text="why"
    )
    with pytest.raises(OverrideNotDocumented, match="no such override finding"):
        change.sign(
            actor=PHYSICIAN, token=token(change, PHYSICIAN, at(2)), at=at(2), overrides=[extra]
        )


def test_a_warning_must_be_acknowledged_by_the_signer() -> None:
    change = propose(NURSE)
    change.review(
        findings=(finding("W1", FindingSeverity.WARN), finding("I1", FindingSeverity.INFO)),
        at=at(1),
    )
    with pytest.raises(WarningsNotAcknowledged, match="W1"):
        sign(change)
    change.sign(
        actor=PHYSICIAN,
        token=token(change, PHYSICIAN, at(2)),
        at=at(2),
        acknowledged_warnings={"W1"},
    )
    assert change.acknowledged_warnings == {"W1"}


def test_finding_summary_reads_any_finding_with_a_severity_value() -> None:
    class Severity:
        value = "override"

    class ForeignFinding:
        code = "ITS-DOSE-004"
        severity = Severity()
        message = "6 mg/day is above the PACC maximum"
        source = "S2"

    summary = FindingSummary.of(ForeignFinding())
    assert summary.severity is FindingSeverity.OVERRIDE
    assert summary.code == "ITS-DOSE-004"


# ----------------------------------------------------------------------------- sending


def test_an_uncertain_send_confirmed_by_interrogation_is_confirmed() -> None:
    change = change_in(S.SENT)
    assert change.record_interrogation(actor=NURSE, program_on_pump=NEW, at=at(5)) is S.CONFIRMED


def test_an_uncertain_send_still_showing_the_old_program_needs_a_resend_and_can_be_resent() -> None:
    change = change_in(S.NOT_DELIVERED)
    (task,) = change.tasks
    assert task.kind is TaskKind.PROGRAM_RESEND
    assert task.priority is TaskPriority.URGENT
    change.record_send(actor=NURSE, outcome=SendOutcome.ACKNOWLEDGED, at=at(6))
    change.record_interrogation(actor=NURSE, program_on_pump=NEW, at=at(7))
    assert change.state is S.CONFIRMED
    assert change.send_outcomes == (SendOutcome.UNCERTAIN, SendOutcome.ACKNOWLEDGED)


def test_an_acknowledged_send_not_running_on_the_pump_has_failed() -> None:
    change = change_in(S.CO_SIGNED)
    change.record_send(actor=NURSE, outcome=SendOutcome.ACKNOWLEDGED, at=at(4))
    assert change.record_interrogation(actor=NURSE, program_on_pump=OLD, at=at(5)) is S.FAILED
    assert change.tasks[-1].kind is TaskKind.PROGRAM_FAILURE_REVIEW


def test_an_uncertain_send_showing_a_third_program_has_failed() -> None:
    change = change_in(S.FAILED)
    assert change.tasks[-1].kind is TaskKind.PROGRAM_FAILURE_REVIEW


def test_a_pharmacist_may_not_send_a_program(pharmacist: Actor) -> None:
    change = change_in(S.CO_SIGNED)
    with pytest.raises(ActorNotAllowed):
        change.record_send(actor=pharmacist, outcome=SendOutcome.ACKNOWLEDGED, at=at(4))


# ----------------------------------------------------------------------------- time


def test_a_naive_time_is_refused() -> None:
    change = change_in(S.PROPOSED)
    with pytest.raises(NaiveTimestamp):
        change.review(findings=(), at=dt.datetime(2026, 3, 2, 9, 5))  # noqa: DTZ001 - the point of the test


def test_a_step_dated_before_the_previous_one_is_refused() -> None:
    change = change_in(S.REVIEWED)
    with pytest.raises(TimeOutOfOrder):
        change.sign(
            actor=PHYSICIAN, token=token(change, PHYSICIAN, at(0)), at=T0 - dt.timedelta(minutes=1)
        )
