"""Builders for realistic review requests (JSON-shaped dicts, docs/review-format.md).

Every builder returns a fresh dict; a case changes only what makes it hazardous.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
Json = dict[str, Any]


def when(days: float = 0, hours: float = 0) -> str:
    """ISO time ``days`` and ``hours`` after the review time."""
    return (AT + dt.timedelta(days=days, hours=hours)).isoformat()


def mix(*components: tuple[str, str]) -> list[Json]:
    return [{"drug": drug, "concentration": conc} for drug, conc in components]


def rx(
    components: list[Json],
    daily_dose: str,
    *,
    bolus: Json | None = None,
    steps: list[Json] | None = None,
) -> Json:
    out: Json = {"admixture": copy.deepcopy(components)}
    if steps is not None:
        out["steps"] = steps
    else:
        out["daily_dose"] = daily_dose
    if bolus is not None:
        out["patient_bolus"] = bolus
    return out


def bolus(dose: str, *, per_day: int = 4, duration: str = "10 min", lockout: str = "4 h") -> Json:
    return {"dose": dose, "duration": duration, "lockout": lockout, "max_per_day": per_day}


#: What a routine record holds beyond the basics: ziconotide monitoring planned (S11, S29) and a
#: recent endocrine check (S5). Cases about a missing fact leave it out.
ROUTINE_RISK_FACTS: Json = {"ziconotide_monitoring": True, "endocrine_checked_on": "2026-01-15"}
#: A monitoring plan for an opioid start or increase: 24 h with naloxone at hand (S3, S99).
MONITORED: Json = {"respiratory": "24 h", "naloxone_available": True}


def patient(**overrides: Any) -> Json:
    base: Json = {
        "age_years": 58,
        "indication": "non-cancer-pain",
        "cancer": False,
        "opioid_status": "tolerant",
        "risk_facts": dict(ROUTINE_RISK_FACTS),
    }
    risk = overrides.pop("risk", None)
    base.update(overrides)
    if risk is not None:
        base["risk_facts"] = {**base["risk_facts"], **risk}
    return base


def cancer_patient(**overrides: Any) -> Json:
    return patient(indication="cancer-pain", cancer=True, **overrides)


def spasticity_patient(origin: str = "spinal", **overrides: Any) -> Json:
    base = patient(indication="spasticity", spasticity_origin=origin)
    del base["opioid_status"]
    base.update(overrides)
    return base


def pump(model: str = "synchromed-ii-20", reservoir: str = "10 mL", **extra: Any) -> Json:
    return {"model": model, "reservoir": reservoir, **extra}


def current(
    prescription: Json,
    *,
    changed_days_ago: float | None = 30,
    year_ago: str | None = None,
    phase: str | None = None,
) -> Json:
    out: Json = {"prescription": prescription}
    if changed_days_ago is not None:
        out["last_dose_change_at"] = when(days=-changed_days_ago)
    if year_ago is not None:
        out["daily_dose_year_ago"] = year_ago
    if phase is not None:
        out["titration_phase"] = phase
    return out


def request(
    action: str,
    *,
    patient_: Json | None = None,
    pump_: Json | None = None,
    current_: Json | None = None,
    proposal: Json | None = None,
    role: str = "physician",
    acknowledged: list[str] | None = None,
) -> Json:
    out: Json = {
        "format": "thecal-review/1",
        "action": action,
        "at": AT.isoformat(),
        "proposed_by": {"user_id": f"{role}-1", "role": role},
        "patient": patient_ if patient_ is not None else patient(),
        "proposal": proposal or {},
    }
    if pump_ is not None:
        out["pump"] = pump_
    if current_ is not None:
        out["current"] = current_
    if acknowledged:
        out["acknowledged"] = acknowledged
    return out


def program_change(
    old: Json,
    new: Json,
    *,
    patient_: Json | None = None,
    pump_: Json | None = None,
    monitoring: Json | None = None,
    extra: Json | None = None,
    **kw: Any,
) -> Json:
    cur_kw = {k: kw.pop(k) for k in ("changed_days_ago", "year_ago", "phase") if k in kw}
    proposal: Json = {"prescription": new, **(extra or {})}
    if monitoring is not None:
        proposal["monitoring"] = dict(monitoring)
    return request(
        "program-change",
        patient_=patient_,
        pump_=pump_ or pump(),
        current_=current(old, **cur_kw),
        proposal=proposal,
        **kw,
    )


def new_start(
    new: Json,
    *,
    patient_: Json | None = None,
    pump_: Json | None = None,
    monitoring: Json | None = MONITORED,
    extra: Json | None = None,
    **kw: Any,
) -> Json:
    proposal: Json = {"prescription": new, **(extra or {})}
    if monitoring is not None:
        proposal["monitoring"] = dict(monitoring)
    return request(
        "new-start",
        patient_=patient_ if patient_ is not None else patient(opioid_status="naive"),
        pump_=pump_ or pump(reservoir="0 mL"),
        proposal=proposal,
        **kw,
    )


def refill(
    prescription: Json,
    *,
    volume: str = "20 mL",
    next_days: float = 30,
    fill: list[Json] | None = None,
    verified: list[Json] | bool | None = True,
    programmed: list[Json] | None = None,
    aspiration: bool = True,
    expected: str | None = "2.1 mL",
    measured: str | None = "2 mL",
    delivered: str | None = None,
    first_fill: bool | None = None,
    rinses: int | None = None,
    verified_by: Json | None = None,
    patient_: Json | None = None,
    pump_: Json | None = None,
    new_prescription: Json | None = None,
    withdrawn_read: str | None = None,
    injected_read: str | None = None,
    **kw: Any,
) -> Json:
    admixture = fill if fill is not None else prescription["admixture"]
    body: Json = {
        "volume": volume,
        "admixture": copy.deepcopy(admixture),
        "aspiration_confirmed": aspiration,
        "next_refill_at": when(days=next_days),
    }
    if verified is True:
        body["verified_admixture"] = copy.deepcopy(
            prescription["admixture"] if new_prescription is None else new_prescription["admixture"]
        )
    elif isinstance(verified, list):
        body["verified_admixture"] = verified
    if programmed is not None:
        body["programmed_admixture"] = programmed
    for key, value in (
        ("expected_residual", expected),
        ("measured_residual", measured),
        ("expected_delivered", delivered),
        ("withdrawn_as_read", withdrawn_read),
        ("injected_as_read", injected_read),
    ):
        if value is not None:
            body[key] = value
    if first_fill is not None:
        body["first_fill"] = first_fill
    if rinses is not None:
        body["rinses"] = rinses
    if verified_by is not None:
        body["verified_by"] = verified_by
    proposal: Json = {"refill": body}
    if new_prescription is not None:
        proposal["prescription"] = new_prescription
    cur_kw = {k: kw.pop(k) for k in ("changed_days_ago", "year_ago", "phase") if k in kw}
    return request(
        "refill",
        patient_=patient_,
        pump_=pump_ or pump(reservoir="2.1 mL"),
        current_=current(prescription, **cur_kw),
        proposal=proposal,
        **kw,
    )


def trial(
    drug: str,
    dose: str,
    *,
    patient_: Json | None = None,
    monitoring: Json | None = None,
    **kw: Any,
) -> Json:
    proposal: Json = {"trial": {"drug": drug, "dose": dose}}
    if monitoring is not None:
        proposal["monitoring"] = dict(monitoring)
    return request(
        "trial",
        patient_=patient_ if patient_ is not None else patient(opioid_status="naive"),
        proposal=proposal,
        **kw,
    )


#: The latest observation of a patient fit to leave: awake, breathing 14/min, SpO2 97 %.
FIT: Json = {"sedation": "1", "respiratory_rate": 14, "spo2_pct": 97}


def discharge(
    drug: str,
    dose: str,
    *,
    after_hours: float,
    patient_: Json | None = None,
    latest: Json | None = FIT,
    **kw: Any,
) -> Json:
    trial_: Json = {
        "drug": drug,
        "dose": dose,
        "dosed_at": when(hours=-after_hours),
        "discharge_at": AT.isoformat(),
    }
    if latest is not None:
        trial_["latest_observation"] = dict(latest)
    return request(
        "trial-discharge",
        patient_=patient_ if patient_ is not None else patient(opioid_status="naive"),
        proposal={"trial": trial_},
        **kw,
    )


def implant(
    *,
    patient_: Json | None = None,
    priming: Json | None = None,
    prescription: Json | None = None,
    pump_: Json | None = None,
    **kw: Any,
) -> Json:
    proposal: Json = {}
    if priming is not None:
        proposal["priming"] = priming
    if prescription is not None:
        proposal["prescription"] = prescription
    return request(
        "implant",
        patient_=patient_,
        pump_=pump_ or pump(reservoir="0 mL"),
        proposal=proposal,
        **kw,
    )


def catheter_revision(
    prescription: Json,
    *,
    priming: Json,
    pump_: Json,
    patient_: Json | None = None,
    **kw: Any,
) -> Json:
    return request(
        "catheter-revision",
        patient_=patient_,
        pump_=pump_,
        current_=current(prescription),
        proposal={"priming": priming},
        **kw,
    )


def mri(model: str, *, emptied: bool, **kw: Any) -> Json:
    return request(
        "mri",
        pump_=pump(model=model, reservoir="0 mL" if emptied else "12 mL"),
        proposal={"mri": {"planned_at": when(days=2), "pump_emptied": emptied}},
        **kw,
    )


@dataclass(frozen=True, kw_only=True)
class Case:
    """A corpus case: a request and the findings it must produce (code → severity)."""

    name: str
    hazard: bool
    request: Json
    expected: dict[str, str] = field(default_factory=dict)
