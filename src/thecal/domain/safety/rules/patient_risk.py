"""Patient facts that make a drug riskier (issue 14 item 11), checked when a drug is started or
raised (a new start, a drug new to the pump, a dose increase) or given as a trial.

Each rule acts on a fact recorded as present (``patient.risk_facts``); a fact not recorded gives
no finding, except where a source asks for a check before a start (endocrine surveillance, S5;
ziconotide monitoring, S11, S29). Sources marked [U] in a message were not read in clinical.md's
retrieved text and must be verified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from thecal.domain.drugs import Drug, DrugClass
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety.context import ActionKind
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import DOSING_ACTIONS, Hit, RuleInput, rule

__all__ = ["RULES", "exposed"]


def exposed(subject: RuleInput, which: Callable[[Drug], bool]) -> tuple[str, ...]:
    """Drugs matching ``which`` that the proposal starts or raises, or gives as a trial."""
    drugs = [d for d, _new, _old in subject.raised_or_new() if which(subject.drug(d))]
    trial = subject.context.proposal.trial
    trialled = subject.context.action is ActionKind.TRIAL and trial is not None
    if (
        trialled
        and trial is not None
        and which(subject.drug(trial.drug))
        and trial.drug not in drugs
    ):
        drugs.append(trial.drug)
    return tuple(drugs)


def _opioid(drug: Drug) -> bool:
    return drug.is_opioid


def _is(drug_id: str) -> Callable[[Drug], bool]:
    return lambda drug: drug.id == drug_id


@rule(
    code="ITS-RISK-001",
    severity=Severity.WARN,
    checks="an opioid start, increase or trial with concurrent systemic opioids, benzodiazepines or other sedatives",
    threshold="risk fact systemic_opioids or sedatives recorded",
    source="S5, S39, S40",
)
def opioid_with_sedatives(subject: RuleInput) -> Iterator[Hit]:
    risk = subject.context.patient.risk
    facts = [
        name
        for name, present in (
            ("concurrent systemic opioids", risk.systemic_opioids),
            ("benzodiazepines or other sedatives", risk.sedatives),
        )
        if present
    ]
    drugs = exposed(subject, _opioid)
    if drugs and facts:
        yield Hit(
            message=(
                f"{', '.join(drugs)} with {' and '.join(facts)}: additive respiratory depression — "
                f"minimise or avoid sedatives (PACC, S5), reduce systemic opioids (S40) and extend "
                f"monitoring (ASA, S39)"
            ),
            source="S5, S39, S40",
            fields={"facts": ", ".join(facts)},
        )


@rule(
    code="ITS-RISK-002",
    severity=Severity.WARN,
    checks="an opioid start, increase or trial with sleep apnoea or COPD",
    threshold="risk fact sleep_apnoea or copd recorded",
    source="S39, S3",
)
def opioid_with_lung_disease(subject: RuleInput) -> Iterator[Hit]:
    risk = subject.context.patient.risk
    facts = [
        name
        for name, present in (("sleep apnoea", risk.sleep_apnoea), ("COPD", risk.copd))
        if present
    ]
    drugs = exposed(subject, _opioid)
    if drugs and facts:
        yield Hit(
            message=(
                f"{', '.join(drugs)} with {' and '.join(facts)}: higher risk of respiratory "
                f"depression after neuraxial opioids (ASA, S39; Infumorph label, S3) — continuous "
                f"oximetry and the patient's own CPAP during monitoring"
            ),
            source="S39, S3",
            fields={"facts": ", ".join(facts)},
        )


@rule(
    code="ITS-RISK-003",
    severity=Severity.WARN,
    checks="an opioid start, increase or trial in an older patient",
    threshold=lambda _library, policy: (
        f"age ≥ {policy.older_patient_age_years} ({ClinicPolicy.source('older_patient_age_years')})"
    ),
    source="S5; clinic policy older_patient_age_years",
)
def opioid_in_older_patient(subject: RuleInput) -> Iterator[Hit]:
    limit = subject.policy.older_patient_age_years
    drugs = exposed(subject, _opioid)
    if drugs and subject.age >= limit:
        yield Hit(
            message=(
                f"{', '.join(drugs)} at age {subject.age} (≥ {limit}, clinic policy): age is a "
                f"PACC candidacy factor (S5); start low and extend monitoring"
            ),
            source="S5, clinic policy",
            fields={"age": subject.age},
        )


@rule(
    code="ITS-RISK-004",
    severity=Severity.WARN,
    checks="an opioid or baclofen start or increase with renal or hepatic impairment",
    threshold="risk fact renal_impairment or hepatic_impairment recorded",
    source="S3 [U], S37 [U]",
)
def renal_or_hepatic_impairment(subject: RuleInput) -> Iterator[Hit]:
    risk = subject.context.patient.risk
    renal = exposed(subject, lambda d: d.is_opioid or d.drug_class is DrugClass.GABA_B_AGONIST)
    hepatic = exposed(subject, _opioid)
    parts = []
    if risk.renal_impairment and renal:
        parts.append(
            f"{', '.join(renal)} with renal impairment: morphine's active metabolites and "
            f"baclofen, excreted by the kidney, accumulate (labels, S3, S37 [U])"
        )
    if risk.hepatic_impairment and hepatic:
        parts.append(
            f"{', '.join(hepatic)} with hepatic impairment: opioid clearance falls (S3 [U])"
        )
    if parts:
        yield Hit(
            message="; ".join(parts) + ": start low, titrate slowly",
            source="S3, S37",
            fields={"renal": bool(risk.renal_impairment), "hepatic": bool(risk.hepatic_impairment)},
        )


@rule(
    code="ITS-RISK-005",
    severity=Severity.OVERRIDE,
    checks="any intrathecal drug started, raised or trialled in pregnancy",
    threshold="risk fact pregnant recorded",
    source="S4 [U], S37 [U], ext:DURACLON",
)
def in_pregnancy(subject: RuleInput) -> Iterator[Hit]:
    drugs = exposed(subject, lambda _drug: True)
    if drugs and subject.context.patient.risk.pregnant:
        yield Hit(
            message=(
                f"{', '.join(drugs)} in pregnancy: no intrathecal drug is established in pregnancy "
                f"(Infumorph: neonatal opioid withdrawal, S4 [U]; baclofen and clonidine: only if "
                f"clearly needed, S37 [U], ext:DURACLON) — obstetric input and a documented reason"
            ),
            source="S4, S37, ext:DURACLON",
            fields={"drugs": ", ".join(drugs)},
        )


@rule(
    code="ITS-RISK-006",
    severity=Severity.OVERRIDE,
    checks="clonidine started or raised with hypotension or bradycardia recorded",
    threshold="risk fact hypotension_or_bradycardia recorded",
    source="ext:DURACLON, S79, S80",
)
def clonidine_with_low_pressure(subject: RuleInput) -> Iterator[Hit]:
    drugs = exposed(subject, lambda d: d.drug_class is DrugClass.ALPHA2_AGONIST)
    if drugs and subject.context.patient.risk.hypotension_or_bradycardia:
        yield Hit(
            message=(
                f"{', '.join(drugs)} with hypotension or bradycardia: clonidine lowers blood pressure "
                f"and heart rate (hypotension in 45 % in the label's pivotal study; not for "
                f"haemodynamically unstable patients, ext:DURACLON; overdose cases S79, S80) — "
                f"monitor vital signs closely in the first days"
            ),
            source="ext:DURACLON, S79, S80",
            fields={"drugs": ", ".join(drugs)},
        )


@rule(
    code="ITS-RISK-007",
    severity=Severity.OVERRIDE,
    checks="bupivacaine started or raised with motor block or urinary retention recorded",
    threshold="risk fact motor_block_or_urinary_retention recorded",
    source="S103 [U], S15",
)
def bupivacaine_with_motor_block(subject: RuleInput) -> Iterator[Hit]:
    drugs = exposed(subject, lambda d: d.drug_class is DrugClass.LOCAL_ANAESTHETIC)
    if drugs and subject.context.patient.risk.motor_block_or_urinary_retention:
        yield Hit(
            message=(
                f"{', '.join(drugs)} with motor block or urinary retention: local anaesthetic "
                f"effects are dose related (S103 [U]); a higher dose deepens them — lower it or "
                f"document why not"
            ),
            source="S103, S15",
            fields={"drugs": ", ".join(drugs)},
        )


@rule(
    code="ITS-RISK-008",
    severity=Severity.BLOCK,
    checks="ziconotide started or raised with confusion, hallucinations or changes of mood or consciousness recorded",
    threshold="risk fact neuropsychiatric_symptoms recorded",
    source="S11, S28",
)
def ziconotide_with_neuropsychiatric_signs(subject: RuleInput) -> Iterator[Hit]:
    drugs = exposed(subject, lambda d: d.drug_class is DrugClass.CALCIUM_CHANNEL_BLOCKER)
    if drugs and subject.context.patient.risk.neuropsychiatric_symptoms:
        yield Hit(
            message=(
                f"{', '.join(drugs)} with neuropsychiatric symptoms: the boxed warning asks to "
                f"reduce or stop ziconotide when they appear, never to raise it (S11, S28)"
            ),
            source="S11, S28",
            fields={"drugs": ", ".join(drugs)},
        )


@rule(
    code="ITS-RISK-009",
    severity=Severity.WARN,
    checks="ziconotide started or raised without cognitive, psychiatric and CK monitoring planned; started, raised or refilled with CK elevated",
    threshold="risk fact ziconotide_monitoring not true (start, increase), or ck_elevated recorded",
    source="S11, S29",
)
def ziconotide_monitoring(subject: RuleInput) -> Iterator[Hit]:
    raised = [
        d
        for d, _new, _old in subject.raised_or_new()
        if subject.drug(d).drug_class is DrugClass.CALCIUM_CHANNEL_BLOCKER
    ]
    refill = subject.context.proposal.refill
    refilled = []
    if subject.context.action is ActionKind.REFILL and refill is not None:
        refilled = [
            d
            for d in refill.admixture.drug_ids
            if subject.drug(d).drug_class is DrugClass.CALCIUM_CHANNEL_BLOCKER
        ]
    risk = subject.context.patient.risk
    parts = []
    if raised and risk.ziconotide_monitoring is not True:
        parts.append(
            "no monitoring plan recorded: the boxed warning asks for frequent checks of cognition, "
            "hallucinations, mood and consciousness (S11), and CK (S29)"
        )
    if (raised or refilled) and risk.ck_elevated:
        parts.append(
            "CK is elevated (> 3 × ULN in 5.7 % at month 1, S29): check it before going on"
        )
    if parts:
        drugs = sorted(set(raised) | set(refilled))
        yield Hit(
            message=f"{', '.join(drugs)}: " + "; ".join(parts),
            source="S11, S29",
            fields={"drugs": ", ".join(drugs)},
        )


@rule(
    code="ITS-RISK-010",
    severity=Severity.WARN,
    checks="endocrine surveillance on intrathecal opioids: a check before an opioid start, and within the clinic's interval after",
    threshold=lambda _library, policy: (
        f"a check recorded before an opioid start; at most {policy.endocrine_check_interval} old "
        f"({ClinicPolicy.source('endocrine_check_interval')})"
    ),
    source="S5; clinic policy endocrine_check_interval",
)
def endocrine_surveillance(subject: RuleInput) -> Iterator[Hit]:
    context = subject.context
    if context.action not in DOSING_ACTIONS:
        return
    prescription = context.new_prescription
    if prescription is None or not any(
        subject.drug(d).is_opioid for d in prescription.admixture.drug_ids
    ):
        return
    checked = context.patient.risk.endocrine_checked_on
    interval = subject.policy.endocrine_check_interval
    opioid_start = any(subject.drug(d).is_opioid for d in context.new_drugs) and not any(
        subject.drug(d).is_opioid for d in context.current_drugs
    )
    if checked is None and opioid_start:
        yield Hit(
            message=(
                "intrathecal opioid start with no endocrine check recorded: PACC asks for "
                "endocrine surveillance before starting intrathecal opioids (S5)"
            ),
            source="S5",
        )
    elif checked is not None and (context.at.date() - checked).days > interval.in_days:
        yield Hit(
            message=(
                f"last endocrine check on {checked.isoformat()}, more than {interval} ago: "
                f"long-term intrathecal opioids suppress the hypothalamic–pituitary axis; "
                f"surveillance is due (S5)"
            ),
            source="S5, clinic policy",
            fields={"checked_on": checked.isoformat()},
        )


RULES = (
    opioid_with_sedatives,
    opioid_with_lung_disease,
    opioid_in_older_patient,
    renal_or_hepatic_impairment,
    in_pregnancy,
    clonidine_with_low_pressure,
    bupivacaine_with_motor_block,
    ziconotide_with_neuropsychiatric_signs,
    ziconotide_monitoring,
    endocrine_surveillance,
)
