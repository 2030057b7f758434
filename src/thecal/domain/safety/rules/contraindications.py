"""Contraindications: ziconotide and psychosis; infection, bleeding and anticoagulation before a
trial or an implant; who may propose what."""

from __future__ import annotations

from collections.abc import Iterator

from thecal.domain.safety.context import ActionKind, Role
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, rule

__all__ = ["RULES"]

_ZICONOTIDE = "ziconotide"
_NEURAXIAL = frozenset({ActionKind.TRIAL, ActionKind.IMPLANT, ActionKind.CATHETER_REVISION})

#: Which role may propose which action (architecture §1: nurses propose program changes and
#: record refills and trial observations; physicians decide starts, trials and implants).
_MAY_PROPOSE: dict[Role, frozenset[ActionKind]] = {
    Role.PHYSICIAN: frozenset(ActionKind),
    Role.NURSE: frozenset(
        {ActionKind.PROGRAM_CHANGE, ActionKind.REFILL, ActionKind.TRIAL_DISCHARGE, ActionKind.MRI}
    ),
    Role.PHARMACIST: frozenset(),
    Role.ADMIN: frozenset(),
    Role.PATIENT: frozenset(),
}


def _proposed_drugs(subject: RuleInput) -> set[str]:
    proposal = subject.context.proposal
    drugs: set[str] = set()
    if subject.proposed is not None:
        drugs.update(subject.proposed.admixture.drug_ids)
    if proposal.refill is not None and subject.context.action is ActionKind.REFILL:
        drugs.update(proposal.refill.admixture.drug_ids)
    if proposal.trial is not None and subject.context.action is ActionKind.TRIAL:
        drugs.add(proposal.trial.drug)
    return drugs


@rule(
    code="ITS-CONTRA-001",
    severity=Severity.BLOCK,
    checks="ziconotide proposed (start, change, refill or trial) for a patient with a history of psychosis",
    threshold="any history of psychosis",
    source="S11, S28",
)
def ziconotide_with_psychosis(subject: RuleInput) -> Iterator[Hit]:
    if subject.context.patient.psychosis_history and _ZICONOTIDE in _proposed_drugs(subject):
        yield Hit(
            message=(
                "ziconotide is contraindicated with a history of psychosis (Prialt label, boxed "
                "warning on severe psychiatric symptoms; S11, S28)"
            ),
            source="S11, S28",
        )


@rule(
    code="ITS-CONTRA-002",
    severity=Severity.BLOCK,
    checks="active infection before an intrathecal trial or a pump implant",
    threshold="any active infection",
    source="S3, S18, S28",
)
def infection_before_procedure(subject: RuleInput) -> Iterator[Hit]:
    context = subject.context
    if context.action in _NEURAXIAL and context.patient.active_infection:
        yield Hit(
            message=f"active infection: no intrathecal {context.action.value} until it has resolved (S3, S18, S28)",
            source="S3, S18, S28",
        )


@rule(
    code="ITS-CONTRA-003",
    severity=Severity.BLOCK,
    checks="uncontrolled bleeding diathesis before an intrathecal trial or a pump implant",
    threshold="uncontrolled bleeding",
    source="S3, S28",
)
def bleeding_before_procedure(subject: RuleInput) -> Iterator[Hit]:
    context = subject.context
    if context.action in _NEURAXIAL and context.patient.uncontrolled_bleeding:
        yield Hit(
            message=f"uncontrolled bleeding diathesis: no intrathecal {context.action.value} (S3, S28)",
            source="S3, S28",
        )


@rule(
    code="ITS-CONTRA-004",
    severity=Severity.BLOCK,
    checks="anticoagulation without a documented hold/restart plan before a trial or an implant",
    threshold="anticoagulated and no plan (ASRA high-risk procedure)",
    source="S131, S132, S3",
)
def anticoagulation_without_plan(subject: RuleInput) -> Iterator[Hit]:
    context = subject.context
    patient = context.patient
    if context.action in _NEURAXIAL and patient.anticoagulated and not patient.anticoagulation_plan:
        yield Hit(
            message=(
                f"anticoagulated with no hold/restart plan before the {context.action.value}: "
                f"intrathecal catheter and pump procedures are ASRA high bleeding risk (S131, S132)"
            ),
            source="S131, S132",
        )


@rule(
    code="ITS-ROLE-001",
    severity=Severity.BLOCK,
    checks="the proposer's role may propose this action",
    threshold="physician: every action; nurse: program change, refill, trial discharge, MRI; others: none",
    source="architecture §1",
)
def role_may_not_propose(subject: RuleInput) -> Iterator[Hit]:
    proposer, action = subject.context.proposer, subject.context.action
    if action not in _MAY_PROPOSE[proposer.role]:
        yield Hit(
            message=f"a {proposer.role.value} ({proposer.user_id}) may not propose a {action.value}",
            source="architecture §1",
            fields={"role": proposer.role.value, "action": action.value},
        )


RULES = (
    ziconotide_with_psychosis,
    infection_before_procedure,
    bleeding_before_procedure,
    anticoagulation_without_plan,
    role_may_not_propose,
)
