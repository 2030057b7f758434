"""Property (SR-02, architecture.md §1): no sequence of actions by any actors commits a program
change without two distinct clinicians, one of them a physician."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from thecal.domain.admixture import Admixture
from thecal.domain.errors import ThecalError
from thecal.domain.program import InfusionProgram
from thecal.domain.program_change import (
    ConfirmationToken,
    FindingSeverity,
    FindingSummary,
    OverrideJustification,
    OverrideReason,
    ProgramChange,
    ProgramChangeState,
    SendOutcome,
)
from thecal.domain.units import Concentration, DoseRate
from thecal.domain.users import Actor, Role

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MIX = Admixture.single("morphine", Concentration.from_mg_per_ml(25))
OLD = InfusionProgram.continuous(MIX, DoseRate.from_mg_per_day(5))
NEW = InfusionProgram.continuous(MIX, DoseRate.from_mg_per_day(6))

ACTORS = (
    Actor(user_id="dr-a", role=Role.PHYSICIAN),
    Actor(user_id="dr-b", role=Role.PHYSICIAN),
    Actor(user_id="dr-gone", role=Role.PHYSICIAN, active=False),
    Actor(user_id="rn-c", role=Role.NURSE),
    Actor(user_id="rn-d", role=Role.NURSE),
    Actor(user_id="rph-e", role=Role.PHARMACIST),
    Actor(user_id="adm-f", role=Role.ADMIN),
    Actor(user_id="pt-g", role=Role.PATIENT, patient_id="p-1"),
)
ROLE_OF = {actor.user_id: actor.role for actor in ACTORS if actor.active}
COMMITTED = {
    ProgramChangeState.CO_SIGNED,
    ProgramChangeState.SENT,
    ProgramChangeState.NOT_DELIVERED,
    ProgramChangeState.CONFIRMED,
    ProgramChangeState.FAILED,
}
ACTIONS = ("review", "review-override", "sign", "co-sign", "send", "interrogate", "withdraw")
# Signing steps weighted up so that random sequences often reach the states the rule guards.
WEIGHTED_ACTIONS = (*ACTIONS, "sign", "sign", "co-sign", "co-sign", "co-sign")
# Weighted so that random sequences often get far enough to test the rule: mostly valid tokens.
TOKENS = ("own", "own", "own", "own", "other-user", "reused", "wrong-diff", "stale")


def make_token(
    change: ProgramChange, actor: Actor, kind: str, step: int, now: dt.datetime
) -> ConfirmationToken:
    token_id = next(iter(change.used_token_ids), "t-0") if kind == "reused" else f"t-{step}"
    return ConfirmationToken(
        token_id=token_id,
        user_id="someone-else" if kind == "other-user" else actor.user_id,
        change_id=change.change_id,
        diff_digest="0" * 64 if kind == "wrong-diff" else change.diff.digest,
        authenticated_at=now - dt.timedelta(hours=1) if kind == "stale" else now,
    )


def act(change: ProgramChange, action: str, actor: Actor, kind: str, step: int) -> None:
    now = T0 + dt.timedelta(minutes=step)
    if action in {"review", "review-override"}:
        findings = (
            (
                FindingSummary(
                    code="O1", severity=FindingSeverity.OVERRIDE, message="m", source="S2"
                ),
            )
            if action == "review-override"
            else ()
        )
        change.review(findings=findings, at=now)
    elif action == "sign":
        justification = OverrideJustification(
            finding_code="O1", reason=OverrideReason.CLINICAL_JUDGEMENT, text="documented"
        )
        overrides = [justification] if change.findings else []
        change.sign(
            actor=actor,
            token=make_token(change, actor, kind, step, now),
            at=now,
            overrides=overrides,
        )
    elif action == "co-sign":
        change.co_sign(actor=actor, token=make_token(change, actor, kind, step, now), at=now)
    elif action == "send":
        change.record_send(actor=actor, outcome=SendOutcome.UNCERTAIN, at=now)
    elif action == "interrogate":
        change.record_interrogation(actor=actor, program_on_pump=OLD, at=now)
    else:
        change.withdraw(actor=actor, reason="stop", at=now)


@settings(max_examples=1000)
@given(
    proposer=st.sampled_from(ACTORS),
    steps=st.lists(
        st.tuples(
            st.sampled_from(WEIGHTED_ACTIONS), st.sampled_from(ACTORS), st.sampled_from(TOKENS)
        ),
        max_size=30,
    ),
)
def test_no_action_sequence_commits_a_change_without_two_distinct_clinicians_one_a_physician(
    proposer: Actor, steps: list[tuple[str, Actor, str]]
) -> None:
    try:
        change = ProgramChange(
            change_id="pc-h",
            patient_id="p-1",
            old_program=OLD,
            new_program=NEW,
            proposed_by=proposer,
            proposed_at=T0,
        )
    except ThecalError:
        return
    for step, (action, actor, kind) in enumerate(steps, start=1):
        version = change.version
        try:
            act(change, action, actor, kind, step)
        except ThecalError:
            assert change.version == version  # a refused action changes nothing
        if change.state in COMMITTED:
            signers = change.signers
            assert len(signers) == 2
            assert len(set(signers)) == 2
            roles = {ROLE_OF[user_id] for user_id in signers}
            assert roles <= {Role.PHYSICIAN, Role.NURSE}
            assert Role.PHYSICIAN in roles
            assert change.co_signature is not None
            assert change.co_signature.user_id != proposer.user_id  # clinic policy, default on


def test_the_property_helpers_can_reach_a_committed_change_so_the_property_is_not_vacuous() -> None:
    change = ProgramChange(
        change_id="pc-h",
        patient_id="p-1",
        old_program=OLD,
        new_program=NEW,
        proposed_by=ACTORS[3],
        proposed_at=T0,
    )
    act(change, "review-override", ACTORS[0], "own", 1)
    act(change, "sign", ACTORS[0], "own", 2)
    act(change, "co-sign", ACTORS[4], "own", 3)
    act(change, "send", ACTORS[3], "own", 4)
    assert change.state is ProgramChangeState.SENT
    assert change.signers == ("dr-a", "rn-d")
