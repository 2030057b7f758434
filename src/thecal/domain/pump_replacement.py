"""Pump replacement: what the new pump must be able to carry over from the old one (issue 12 §3).

A pump is replaced at its elective replacement indicator, at end of service, after a failure, or to
change model (SynchroMed II → Prometra II). The old pump is emptied and reconciled, explanted, and
the therapy it ran is carried into the new pump — but only if the new model can run it: the flow
must lie in the new model's range (S12 for SynchroMed II, the Prometra manuals for Prometra), every
drug that was on-label in the old model must be on-label in the new one (ziconotide and baclofen are
labelled for SynchroMed II only, S35; Prometra's labelling names only morphine, S41, S59, S62), and a
change of accuracy band changes what a refill reconciliation will call a discrepancy. The new path
(catheter + pump path, S53) is primed as after an implant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from thecal.domain.admixture import Admixture
from thecal.domain.devices import PumpModel
from thecal.domain.dosing import PrimingBolus, PrimingMode, check_pump_flow, priming_bolus
from thecal.domain.errors import DosingError, WorkflowError
from thecal.domain.units import DoseRate, FlowRate, Volume

__all__ = [
    "CarriedTherapy",
    "ReplacementReason",
    "TherapyNotCarriedOver",
    "carry_over",
]


class ReplacementReason(Enum):
    ELECTIVE_REPLACEMENT = (
        "elective-replacement"  # ERI: the pump stops after the model's delay (S50)
    )
    END_OF_SERVICE = "end-of-service"
    FAILURE = "failure"
    MODEL_CHANGE = "model-change"


class TherapyNotCarriedOver(WorkflowError):
    """The new pump model cannot run the old pump's therapy as it is; nothing was changed."""

    code = "THC-PATH-060"
    template = "the {new_model} cannot carry over the therapy of the {old_model}: {problems}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CarriedTherapy:
    """The old pump's therapy, checked for the new model, with the priming of the new path."""

    admixture: Admixture
    daily_dose: DoseRate
    flow: FlowRate
    priming: PrimingBolus
    #: What the clinician must know but that does not block: an off-label drug that was already
    #: off-label, a different accuracy band.
    notes: tuple[str, ...]


def carry_over(
    *,
    old_model: PumpModel,
    new_model: PumpModel,
    admixture: Admixture,
    daily_dose: DoseRate,
    catheter_volume: Volume,
    drug_names: Mapping[str, str] | None = None,
) -> CarriedTherapy:
    """Check that ``new_model`` can run ``daily_dose`` of ``admixture``'s primary drug and plan the
    priming of its new path (catheter + pump path, S53). ``drug_names`` names the drugs in the
    problems and notes (their ids otherwise).

    Raises:
        TherapyNotCarriedOver: with every problem at once — the flow outside the new model's range
            (with the way out the dosing maths names), or a drug that loses its approval with the
            change of model.
    """
    names = drug_names or {}
    problems: list[str] = []
    notes: list[str] = []
    flow = admixture.flow_for(daily_dose)
    try:
        flow = check_pump_flow(
            daily_dose,
            admixture.primary.concentration,
            new_model,
            drug_id=admixture.primary.drug_id,
        )
    except DosingError as error:
        problems.append(error.message)
    for drug_id in admixture.drug_ids:
        name = names.get(drug_id, drug_id)
        if new_model.approves(drug_id):
            continue
        if old_model.approves(drug_id):
            problems.append(
                f"{name} is approved in the {old_model.name} but not in the {new_model.name}"
                f" ({new_model.approved_drugs.cite()})"
            )
        else:
            notes.append(f"{name} stays off-label in the {new_model.name}")
    old_band, new_band = old_model.accuracy_band_pct, new_model.accuracy_band_pct
    if old_band.value != new_band.value:
        notes.append(
            f"accuracy ±{new_band.value} % ({new_band.cite()}) instead of ±{old_band.value} %:"
            " refill reconciliation judges the new pump by its own band"
        )
    if problems:
        raise TherapyNotCarriedOver(
            old_model=old_model.name, new_model=new_model.name, problems="; ".join(problems)
        )
    priming = priming_bolus(
        catheter_volume=catheter_volume,
        pump_internal_volume=new_model.internal_volume.value,
        mode=PrimingMode.AFTER_IMPLANT,
        admixture=admixture,
    )
    return CarriedTherapy(
        admixture=admixture, daily_dose=daily_dose, flow=flow, priming=priming, notes=tuple(notes)
    )
