"""Priming boluses (S53 [C], SR-14): what is empty, how much to prime, and the drug it moves.

After an implant the pump's internal path and the catheter are empty of drug; after a catheter
revision only the catheter is — the pump path still holds the admixture (issue 14 item 5). The
volume to fill follows the action (``implant``: path + catheter; ``catheter-revision``: catheter
only; otherwise the stated mode); the volume primed is the request's, or the stated mode's.

* primed more than the volume to fill: the excess pushes drug past the tip as a bolus → block when
  that is more than one intrathecal dose (the top of the drug's trial-bolus range), else override;
* primed less: the drug reaches the tip late → warn;
* always: the priming volume, what it fills and the drug it holds, for the record → info.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from thecal.domain.dosing import PrimingBolus, PrimingMode, priming_bolus
from thecal.domain.safety.context import ActionKind, PrimingPlan
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules.rule import Hit, RuleInput, fmt, rule
from thecal.domain.units import Mass, Volume

__all__ = ["RULES"]

_FILLS = {
    ActionKind.IMPLANT: PrimingMode.AFTER_IMPLANT,
    ActionKind.CATHETER_REVISION: PrimingMode.AFTER_CATHETER_REVISION,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Priming:
    plan: PrimingBolus  # what has to be filled
    primed: Volume  # what will be primed
    stated: PrimingPlan
    catheter_note: str


def _priming(subject: RuleInput) -> _Priming | None:
    stated = subject.context.proposal.priming
    pump, model = subject.context.pump, subject.pump_model
    prescription = subject.context.new_prescription
    if stated is None or pump is None or model is None or pump.catheter is None:
        return None
    if prescription is None:
        return None
    catheter = pump.catheter
    if catheter.volume is not None:
        volume, note = catheter.volume, "measured"
    else:
        cat_model = subject.library.catheter(catheter.model)
        volume = cat_model.dead_space(catheter.implanted_length_cm)
        note = (
            f"{catheter.implanted_length_cm} cm × {fmt(cat_model.volume_per_cm.value)}/cm "
            f"({cat_model.volume_per_cm.cite()})"
        )
    mode = _FILLS.get(subject.context.action, stated.mode)
    path = model.internal_volume.value
    plan = priming_bolus(
        catheter_volume=volume,
        pump_internal_volume=path,
        mode=mode,
        admixture=prescription.admixture,
    )
    as_stated = priming_bolus(catheter_volume=volume, pump_internal_volume=path, mode=stated.mode)
    return _Priming(
        plan=plan,
        primed=stated.volume or as_stated.volume,
        stated=stated,
        catheter_note=note,
    )


def _amounts(subject: RuleInput, amounts: dict[str, Mass]) -> str:
    return " + ".join(
        f"{drug_id} {fmt(mass, subject.drug(drug_id))}" for drug_id, mass in amounts.items()
    )


def _pushed(subject: RuleInput, priming: _Priming) -> tuple[dict[str, Mass], list[str]]:
    """Drug pushed past the tip, and the drugs for which that is more than one IT dose."""
    pushed = priming.plan.pushed_past_tip(priming.primed)
    over = [
        drug_id
        for drug_id, mass in pushed.items()
        if (rng := subject.drug(drug_id).trial_bolus) is not None and mass > rng.value.high
    ]
    return pushed, over


def _excess_message(subject: RuleInput, priming: _Priming, pushed: dict[str, Mass]) -> str:
    plan = priming.plan
    what = (
        "a catheter revision leaves the pump path full of drug: prime the catheter only"
        if plan.mode is PrimingMode.AFTER_CATHETER_REVISION
        else "prime the pump path and the catheter only"
    )
    limits = "; ".join(
        f"one intrathecal {d} dose is at most {fmt(rng.value.high, subject.drug(d))} ({rng.cite()})"
        for d in pushed
        if (rng := subject.drug(d).trial_bolus) is not None
    )
    return (
        f"priming {fmt(priming.primed)} where {fmt(plan.volume)} is empty pushes "
        f"{fmt(priming.primed - plan.volume)} of admixture past the catheter tip as a bolus: "
        f"{_amounts(subject, pushed)}; {what} (S53){'; ' + limits if limits else ''}"
    )


@rule(
    code="ITS-PRIME-001",
    severity=Severity.BLOCK,
    checks="a priming volume beyond the empty dead space pushing more than one intrathecal dose of a drug past the tip",
    threshold="drug pushed past the tip above the top of the drug's trial-bolus range",
    source="S53; drug library trial_bolus",
)
def priming_overdose(subject: RuleInput) -> Iterator[Hit]:
    priming = _priming(subject)
    if priming is None:
        return
    pushed, over = _pushed(subject, priming)
    if over:
        yield Hit(
            message=_excess_message(subject, priming, pushed),
            source="S53",
            fields={"primed": priming.primed, "to_fill": priming.plan.volume},
        )


@rule(
    code="ITS-PRIME-002",
    severity=Severity.OVERRIDE,
    checks="a priming volume beyond the empty dead space pushing drug past the tip (up to one intrathecal dose)",
    threshold="any drug pushed past the tip",
    source="S53",
)
def priming_excess(subject: RuleInput) -> Iterator[Hit]:
    priming = _priming(subject)
    if priming is None:
        return
    pushed, over = _pushed(subject, priming)
    if pushed and not over:
        yield Hit(
            message=_excess_message(subject, priming, pushed),
            source="S53",
            fields={"primed": priming.primed, "to_fill": priming.plan.volume},
        )


@rule(
    code="ITS-PRIME-003",
    severity=Severity.WARN,
    checks="a priming volume short of the empty dead space",
    threshold="primed volume below the volume to fill",
    source="S53",
)
def priming_short(subject: RuleInput) -> Iterator[Hit]:
    priming = _priming(subject)
    if priming is None or priming.primed >= priming.plan.volume:
        return
    yield Hit(
        message=(
            f"priming {fmt(priming.primed)} leaves {fmt(priming.plan.volume - priming.primed)} of "
            f"the {fmt(priming.plan.volume)} dead space empty of drug: no drug reaches the tip "
            f"until the program has pushed it (S53)"
        ),
        source="S53",
        fields={"primed": priming.primed, "to_fill": priming.plan.volume},
    )


@rule(
    code="ITS-PRIME-004",
    severity=Severity.INFO,
    checks="every priming bolus: the volume, what it fills, and the drug it holds",
    threshold="every priming bolus",
    source="S53, safety:SR-14",
)
def priming_statement(subject: RuleInput) -> Iterator[Hit]:
    priming = _priming(subject)
    if priming is None:
        return
    plan = priming.plan
    fills = (
        f"catheter {fmt(plan.catheter_volume)} ({priming.catheter_note}) only — the pump path "
        f"still holds drug"
        if plan.mode is PrimingMode.AFTER_CATHETER_REVISION
        else f"catheter {fmt(plan.catheter_volume)} ({priming.catheter_note}) + pump path "
        f"{fmt(plan.pump_internal_volume)}"
    )
    yield Hit(
        message=(
            f"priming bolus ({plan.mode.value}): {fmt(plan.volume)} = {fills}; it holds "
            f"{_amounts(subject, plan.drug_in_volume)}, which displaces the saline or CSF in the "
            f"dead space — give it under supervision: mixing can bring drug early (S53)"
        ),
        source="S53, safety:SR-14",
        fields={"volume": plan.volume, "mode": plan.mode.value},
    )


RULES = (priming_overdose, priming_excess, priming_short, priming_statement)
