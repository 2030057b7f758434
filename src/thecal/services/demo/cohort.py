"""Who is in the demo clinic: a deterministic cohort drawn from one seed (no I/O, no clock).

Every patient follows one pathway: a facet joint injection, an epidural steroid injection, or the
intrathecal pathway (candidacy → trial → pump). The mix is the clinic's, not a source's: about
5 % of patients are intrathecal candidates (at least nine, so every feature appears in a small
seed), the rest split between the two injections. Trial success is a quota, not a coin: 75 % of
trials succeed (Levy's crossover series implanted 22 of 30, 73 %, clinical.md §3.2 S43), with at
least one failure, and the implanted pumps cycle through every pump model in the library.
Spasticity takes baclofen on a SynchroMed II (the only pump approved for it, S35); pain takes
morphine, the one drug every pump is approved for (S35, S59).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from enum import StrEnum

from thecal.domain.candidacy import Indication
from thecal.domain.patient import Sex

__all__ = [
    "DEMO_MRN_PREFIX",
    "INTRATHECAL_SHARE_PERCENT",
    "PUMP_MODELS",
    "TRIAL_SUCCESS_PERCENT",
    "MriCourse",
    "Pathway",
    "PatientPlan",
    "plan_cohort",
]

DEMO_MRN_PREFIX = "DEMO-P"
INTRATHECAL_SHARE_PERCENT = 5  # clinic mix (assumption, no source)
TRIAL_SUCCESS_PERCENT = 75  # S43: 22 of 30 (73 %) implanted after the trial
_MIN_INTRATHECAL = 9  # every pump model, a failed trial, baclofen, the pocket fill
# The first intrathecal patients' indications, so that even a small seed has every pump model
# (three Prometra models take morphine only) and a baclofen pump; the rest are drawn.
_FIRST_INDICATIONS = (
    Indication.FAILED_BACK_SURGERY_SYNDROME,
    Indication.CANCER_PAIN,
    Indication.SPASTICITY,
    Indication.CRPS,
    Indication.FAILED_BACK_SURGERY_SYNDROME,
    Indication.NEUROPATHY_DIABETES,
    Indication.CANCER_PAIN,
)
PUMP_MODELS = (
    "synchromed-ii-20",
    "synchromed-ii-40",
    "prometra-20",
    "prometra-ii-20",
    "prometra-ii-40",
)
_SYNCHROMED = ("synchromed-ii-20", "synchromed-ii-40")
_MRI_MODELS = (*_SYNCHROMED, "prometra-20")

_FAMILY = (
    "Adams", "Baker", "Clarke", "Davies", "Evans", "Fischer", "Garcia", "Hughes", "Ibrahim",
    "Jensen", "Kowalski", "Lopez", "Martin", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi",
    "Schmidt", "Taylor", "Ueda", "Varga", "Walker", "Xu", "Young", "Zimmermann",
)  # fmt: skip
_GIVEN_FEMALE = ("Anna", "Beatriz", "Chloe", "Dana", "Elif", "Fatima", "Grace", "Hana", "Ines")
_GIVEN_MALE = ("Aaron", "Bruno", "Carlos", "David", "Emil", "Farid", "George", "Hugo", "Ivan")

# Intrathecal indications and their weights in the clinic (assumption, no source).
_IT_INDICATIONS = (
    (Indication.FAILED_BACK_SURGERY_SYNDROME, 30),
    (Indication.CANCER_PAIN, 25),
    (Indication.SPASTICITY, 15),
    (Indication.CRPS, 10),
    (Indication.PHANTOM_LIMB_PAIN, 5),
    (Indication.POST_HERPETIC_NEURALGIA, 5),
    (Indication.NEUROPATHY_DIABETES, 10),
)


class Pathway(StrEnum):
    FACET_JOINT_INJECTION = "facet_joint_injection"
    EPIDURAL_STEROID_INJECTION = "epidural_steroid_injection"
    INTRATHECAL = "intrathecal"


class MriCourse(StrEnum):
    """An implanted patient's MRI: its post-MRI task closed, or still open on today's worklist."""

    DONE = "done"  # planned, (emptied,) cleared, scanned, interrogated (refilled) in the past
    TASK_OPEN = "task open"  # scanned yesterday; the post-MRI interrogation is due today


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientPlan:
    """One patient's fixed facts and the quota decisions; the course itself is drawn later."""

    number: int  # 1-based; patient 1 is the demo patient (the portal user)
    mrn: str
    family_name: str
    given_names: str
    birth_date: dt.date
    sex: Sex
    pathway: Pathway
    indication: Indication | None  # intrathecal pathway only
    first_day: dt.date  # the first visit (injection day, or the candidacy visit)
    seed: int  # the patient's own generator, drawn from the clinic's seed
    trial_succeeds: bool = False
    pump_model_id: str | None = None
    pocket_fill: bool = False  # the one pocket fill of the clinic, at this pump's second refill
    delivery_fault: bool = False  # an undetected over-delivery: a discrepancy at the next refill
    motor_stall: bool = False  # a transient 6 h motor stall: a high-priority alarm
    mri: MriCourse | None = None


def _intrathecal_count(patients: int) -> int:
    wanted = max(_MIN_INTRATHECAL, round(patients * INTRATHECAL_SHARE_PERCENT / 100))
    return min(patients, wanted)


def _indication(rng: random.Random) -> Indication:
    names = [name for name, _ in _IT_INDICATIONS]
    weights = [weight for _, weight in _IT_INDICATIONS]
    return rng.choices(names, weights=weights, k=1)[0]


def plan_cohort(
    *, patients: int, seed: int, first_day: dt.date, last_day: dt.date
) -> list[PatientPlan]:
    """The clinic's patients, deterministic for ``(patients, seed, first_day, last_day)``.

    Intrathecal patients start in the first two thirds of the period (a pump needs time to have
    a history); injections are spread over the whole period.

    Raises:
        ValueError: fewer than one patient, or a period shorter than a year.
    """
    if patients < 1:
        msg = f"the demo clinic needs at least 1 patient, got {patients}"
        raise ValueError(msg)
    span = (last_day - first_day).days
    if span < 365:
        msg = f"the demo period must be at least a year, got {span} days"
        raise ValueError(msg)
    rng = random.Random(seed)
    intrathecal = _intrathecal_count(patients)
    wanted = max(len(_FIRST_INDICATIONS), round(intrathecal * TRIAL_SUCCESS_PERCENT / 100))
    successes = max(0, min(intrathecal - 1, wanted))
    # Failures fall after the first indications (which must reach a pump), at random places.
    first_failure = min(len(_FIRST_INDICATIONS), successes)
    failures = set(rng.sample(range(first_failure, intrathecal), intrathecal - successes))
    outcomes = [index not in failures for index in range(intrathecal)]
    plans: list[PatientPlan] = []
    implanted = [0, 0]  # pain pumps, baclofen pumps
    for number in range(1, patients + 1):
        sex = Sex.FEMALE if rng.random() < 0.55 else Sex.MALE
        given = rng.choice(_GIVEN_FEMALE if sex is Sex.FEMALE else _GIVEN_MALE)
        birth = dt.date(rng.randint(1938, 1995), rng.randint(1, 12), rng.randint(1, 28))
        own_seed = rng.getrandbits(63)
        if number <= intrathecal:
            first = number - 1 < len(_FIRST_INDICATIONS)
            indication = _FIRST_INDICATIONS[number - 1] if first else _indication(rng)
            succeeds = outcomes[number - 1]
            model = None
            if succeeds:
                if indication is Indication.SPASTICITY:
                    model = _SYNCHROMED[implanted[1] % len(_SYNCHROMED)]
                    implanted[1] += 1
                else:
                    model = PUMP_MODELS[implanted[0] % len(PUMP_MODELS)]
                    implanted[0] += 1
            start = first_day + dt.timedelta(days=rng.randint(0, span * 2 // 3 - 90))
            plans.append(
                PatientPlan(
                    number=number,
                    mrn=f"{DEMO_MRN_PREFIX}{number:05d}",
                    family_name=rng.choice(_FAMILY),
                    given_names=given,
                    birth_date=birth,
                    sex=sex,
                    pathway=Pathway.INTRATHECAL,
                    indication=indication,
                    first_day=start,
                    seed=own_seed,
                    trial_succeeds=succeeds,
                    pump_model_id=model,
                )
            )
            continue
        injections = (Pathway.FACET_JOINT_INJECTION, Pathway.EPIDURAL_STEROID_INJECTION)
        nth = number - intrathecal - 1  # the first two: one of each, whatever the seed
        pathway = injections[nth] if nth < len(injections) else rng.choice(injections)
        plans.append(
            PatientPlan(
                number=number,
                mrn=f"{DEMO_MRN_PREFIX}{number:05d}",
                family_name=rng.choice(_FAMILY),
                given_names=given,
                birth_date=birth,
                sex=sex,
                pathway=pathway,
                indication=None,
                first_day=first_day + dt.timedelta(days=rng.randint(0, span - 1)),
                seed=own_seed,
            )
        )
    return _with_device_events(plans)


def _with_device_events(plans: list[PatientPlan]) -> list[PatientPlan]:
    """Earliest pump: the pocket fill; the next two: an over-delivery; then one in ten: a stall.

    MRIs: the first Prometra (emptied before the scan), the first SynchroMed (its motor stalls
    in the field) and one pump in ten more get one in the past; the last SynchroMed is scanned
    yesterday, its post-MRI task still open. Prometra II is left out: its flow-activated valve
    needs a manual reset the twin driver does not offer.
    """
    pumps = sorted((p for p in plans if p.pump_model_id), key=lambda p: (p.first_day, p.number))
    marks: dict[int, str] = {}
    if pumps:
        marks[pumps[0].number] = "pocket_fill"
    for plan in pumps[1:3]:
        marks[plan.number] = "delivery_fault"
    for plan in pumps[3 : 3 + max(1, len(pumps) // 10)]:  # one pump in ten
        marks[plan.number] = "motor_stall"
    scans = [p for p in pumps if p.pump_model_id in _MRI_MODELS]
    mri: dict[int, MriCourse] = {}
    synchromed = [p for p in scans if p.pump_model_id in _SYNCHROMED]
    if synchromed:
        mri[synchromed[-1].number] = MriCourse.TASK_OPEN
    for first in (
        next((p for p in scans if p.pump_model_id == "prometra-20"), None),
        next(iter(synchromed), None),
    ):
        if first is not None and first.number not in mri:
            mri[first.number] = MriCourse.DONE
    for plan in scans[5::10]:  # one pump in ten more
        mri.setdefault(plan.number, MriCourse.DONE)
    return [_marked(p, marks.get(p.number), mri.get(p.number)) for p in plans]


def _marked(plan: PatientPlan, mark: str | None, mri: MriCourse | None) -> PatientPlan:
    if mark is None and mri is None:
        return plan
    return replace(
        plan,
        pocket_fill=mark == "pocket_fill",
        delivery_fault=mark == "delivery_fault",
        motor_stall=mark == "motor_stall",
        mri=mri,
    )
