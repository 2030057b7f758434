"""`thecal calc replacement|catheter-revision|restart`: the device events' calculators (issue 12 §3).

Registered on the ``calc`` group by :mod:`thecal.entrypoints.cli.calc`. Quantities carry their unit
and are read by the strict parser; the drug the priming pushes is stated in the drug's own unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import typer

from thecal.adapters.clock import SystemClock
from thecal.domain.catheter_revision import plan_catheter_revision
from thecal.domain.date_plausibility import REPORT_DAY, check_instant
from thecal.domain.errors import RequestInvalid
from thecal.domain.interruption import review_restart
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.pump_replacement import carry_over
from thecal.domain.quantity_display import shown
from thecal.domain.quantity_text import parse_dose_rate, parse_volume
from thecal.entrypoints.cli.calc import (
    Catheter,
    Conc,
    Json,
    Length,
    PumpReq,
    _components,
    _dead_space,
    app,
)
from thecal.entrypoints.cli.output import emit, translate_errors

__all__ = ["catheter_revision", "replacement", "restart"]

Drug = Annotated[str, typer.Option("--drug", help="Primary drug id, e.g. morphine")]
Also = Annotated[
    list[str] | None,
    typer.Option("--also", help="Another component, DRUG=CONCENTRATION (repeat)"),
]


@app.command()
def replacement(
    old_pump: Annotated[str, typer.Option("--old-pump", help="Model id of the pump coming out")],
    new_pump: Annotated[str, typer.Option("--new-pump", help="Model id of the new pump")],
    drug: Drug,
    concentration: Conc,
    daily_dose: Annotated[str, typer.Option("--daily-dose", help="e.g. '5 mg/day'")],
    catheter_volume: Annotated[
        str, typer.Option("--catheter-volume", help="The catheter's dead space, e.g. '0.26 mL'")
    ],
    also: Also = None,
    as_json: Json = False,
) -> None:
    """Pump replacement: can the new model carry the therapy over, and the priming of its path."""
    with translate_errors(as_json=as_json):
        library = reference_library()
        old_model, new_model = library.pump(old_pump), library.pump(new_pump)
        admixture = _components(drug, concentration, also or [])
        for drug_id in admixture.drug_ids:
            library.drug(drug_id)
        carried = carry_over(
            old_model=old_model,
            new_model=new_model,
            admixture=admixture,
            daily_dose=parse_dose_rate(daily_dose),
            catheter_volume=parse_volume(catheter_volume),
            drug_names={drug_id: library.drug(drug_id).name for drug_id in admixture.drug_ids},
        )
        priming = carried.priming
        payload = {
            "flow_ml_per_day": carried.flow.ml_per_day,
            "priming_volume_ml": priming.volume.ml,
            "priming_mode": priming.mode.value,
            "drug_in_priming_mcg": {k: m.mcg for k, m in priming.drug_in_volume.items()},
            "notes": list(carried.notes),
        }
        pushed = ", ".join(
            f"{library.drug(k).name} {shown(m, mass=library.drug(k).dose_unit)}"
            for k, m in priming.drug_in_volume.items()
        )
        human = "\n".join(
            [
                f"the {new_model.name} carries the therapy over at {shown(carried.flow)}",
                (
                    f"prime catheter + pump path: {shown(priming.volume)} holding {pushed};"
                    " give it under supervision (S53)"
                ),
                *carried.notes,
            ]
        )
        emit(payload, human, as_json=as_json)


@app.command("catheter-revision")
def catheter_revision(
    pump: PumpReq,
    catheter: Catheter,
    length_cm: Length,
    old_dead_space: Annotated[
        str, typer.Option("--old-dead-space", help="The old catheter's dead space, e.g. '0.13 mL'")
    ],
    drug: Drug,
    concentration: Conc,
    also: Also = None,
    as_json: Json = False,
) -> None:
    """Catheter revision: the new dead space, primed alone, and the drug the priming pushes."""
    with translate_errors(as_json=as_json):
        library = reference_library()
        _, note = _dead_space(catheter, length_cm, None)
        admixture = _components(drug, concentration, also or [])
        for drug_id in admixture.drug_ids:
            library.drug(drug_id)
        plan = plan_catheter_revision(
            catheter=library.catheter(catheter),
            implanted_length_cm=Decimal(length_cm),
            old_dead_space=parse_volume(old_dead_space),
            pump=library.pump(pump),
            admixture=admixture,
        )
        payload = {
            "new_dead_space_ml": plan.new_dead_space.ml,
            "old_dead_space_ml": plan.old_dead_space.ml,
            "priming_volume_ml": plan.priming.volume.ml,
            "priming_mode": plan.priming.mode.value,
            "drug_pushed_mcg": {k: m.mcg for k, m in plan.drug_pushed.items()},
            "catheter_volume_source": note,
        }
        human = "\n".join(
            [
                (
                    f"new dead space {shown(plan.new_dead_space)} ({note}), was"
                    f" {shown(plan.old_dead_space)}"
                ),
                (
                    f"prime the catheter only: {shown(plan.priming.volume)}, pushing"
                    f" {plan.drug_pushed_text(library.drugs)} to the tip; the pump path still holds"
                    " drug (S53)"
                ),
            ]
        )
        emit(payload, human, as_json=as_json)


def _instant(text: str, option: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RequestInvalid(where=option, detail=f"{text!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise RequestInvalid(where=option, detail=f"{text!r} needs its offset, e.g. +00:00")
    return check_instant(option, value, REPORT_DAY, now=SystemClock().now())  # issue 15 §5


@app.command()
def restart(
    suspended_at: Annotated[str, typer.Option("--suspended-at", help="ISO time with offset")],
    restart_at: Annotated[str, typer.Option("--restart-at", help="ISO time with offset")],
    drugs: Annotated[list[str], typer.Option("--drug", help="A drug of the admixture (repeat)")],
    as_json: Json = False,
) -> None:
    """Restart after an interruption: which opioids restart as a new start (clinic policy)."""
    with translate_errors(as_json=as_json):
        library = reference_library()
        review = review_restart(
            suspended_at=_instant(suspended_at, "--suspended-at"),
            restart_at=_instant(restart_at, "--restart-at"),
            drugs=[library.drug(drug_id) for drug_id in drugs],
            policy=ClinicPolicy(),
        )
        payload = {
            "interrupted_hours": review.interrupted_for.in_hours,
            "new_start_drugs": list(review.new_start_drug_ids),
            "tolerance_lost_after_hours": review.tolerance_lost_after.in_hours,
            "source": review.source,
        }
        names = ", ".join(library.drug(d).name for d in review.new_start_drug_ids)
        verdict = f"review as a new start: {names}" if review.as_new_start else "restart as before"
        human = (
            f"interrupted {shown(review.interrupted_for)}; tolerance counted lost after"
            f" {shown(review.tolerance_lost_after)} ({review.source}): {verdict}"
        )
        emit(payload, human, as_json=as_json)
