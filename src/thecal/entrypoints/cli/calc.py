"""`thecal calc …`: the dosing calculators.

Every quantity is typed with its unit ("25 mg/mL", "5 mg/day") and read by the strict parser;
bad input gets a specific message, a stable code and exit status 2.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated

import typer

from thecal.adapters.clock import SystemClock
from thecal.domain.admixture import Admixture, Component
from thecal.domain.date_plausibility import REPORT_DAY, check_instant
from thecal.domain.devices import catheter_dead_space
from thecal.domain.dosing import (
    bridge_bolus,
    check_pump_flow,
    daily_dose_for,
    flow_for,
    priming_bolus,
)
from thecal.domain.errors import RequestInvalid
from thecal.domain.forecast import plan_next_refill
from thecal.domain.library import reference_library
from thecal.domain.mme import calculate_mme, opioid_dose
from thecal.domain.policy import ClinicPolicy
from thecal.domain.program import DAY
from thecal.domain.quantity_display import in_drug_unit, shown
from thecal.domain.quantity_text import (
    format_quantity,
    parse_concentration,
    parse_dose_rate,
    parse_dose_rate_as_written,
    parse_duration,
    parse_flow_rate,
    parse_mass,
    parse_volume,
)
from thecal.domain.units import Duration, FlowRate, MassUnit, TimeUnit, Volume, VolumeUnit, plain
from thecal.entrypoints.cli.calc_library import (
    EXIT_FOR_OUTCOME,
    check_fill_volumes,
    component_doses,
    library_check_for_refill,
    library_lines,
    library_payload,
)
from thecal.entrypoints.cli.output import emit, translate_errors

app = typer.Typer(
    no_args_is_help=True,
    help=(
        "Dosing calculators. Quantities carry their unit, e.g. --concentration '25 mg/mL' "
        "--daily-dose '5 mg/day'. Add --json for machine-readable output."
    ),
)

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Conc = Annotated[str, typer.Option("--concentration", "-c", help="e.g. '25 mg/mL' or '100 mcg/mL'")]
Pump = Annotated[str | None, typer.Option("--pump", help="Pump model id, e.g. synchromed-ii-40")]


def _days(value: Decimal) -> str:
    return plain(value.quantize(Decimal("0.01")) if value != value.to_integral() else value)


#: Computed days and flows in ``--json`` are rounded half-even to these steps (never a dose).
DAYS_STEP = Decimal("0.0001")
FLOW_STEP = Decimal("0.000001")


def _rounded(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_EVEN)


def _days_of(duration: Duration | None) -> Decimal | None:
    return None if duration is None else _rounded(duration.in_days, DAYS_STEP)


@app.command()
def flow(
    concentration: Conc,
    daily_dose: Annotated[str, typer.Option("--daily-dose", "-d", help="e.g. '5 mg/day'")],
    pump: Pump = None,
    as_json: Json = False,
) -> None:
    """Flow rate for a daily dose at a concentration (flow = dose ÷ concentration).

    Example: thecal calc flow --concentration "25 mg/mL" --daily-dose "5 mg/day" → 0.2 mL/day.
    With --pump the flow is checked against the model's minimum and maximum.
    """
    with translate_errors(as_json=as_json):
        conc, dose = parse_concentration(concentration), parse_dose_rate(daily_dose)
        result = (
            check_pump_flow(dose, conc, reference_library().pump(pump))
            if pump
            else flow_for(dose, conc)
        )
        payload = {
            "flow_ml_per_day": result.ml_per_day,
            "flow_ml_per_hour": result.to(VolumeUnit.ML, TimeUnit.HOUR),
            "concentration_mcg_per_ml": conc.mcg_per_ml,
            "daily_dose_mcg_per_day": dose.mcg_per_day,
            "pump": pump,
            "display": format_quantity(result),
        }
        emit(payload, f"flow: {format_quantity(result)} ({dose} at {conc})", as_json=as_json)


@app.command()
def dose(
    concentration: Conc,
    flow_rate: Annotated[str, typer.Option("--flow", "-f", help="e.g. '0.2 mL/day'")],
    as_json: Json = False,
) -> None:
    """Daily dose delivered by a flow at a concentration (dose = flow × concentration).

    Example: thecal calc dose --concentration "25 mg/mL" --flow "0.2 mL/day" → 5 mg/day.
    """
    with translate_errors(as_json=as_json):
        conc, rate = parse_concentration(concentration), parse_flow_rate(flow_rate)
        result = daily_dose_for(rate, conc)
        payload = {
            "daily_dose_mcg_per_day": result.mcg_per_day,
            "daily_dose_mg_per_day": result.mg_per_day,
            "display": format_quantity(result),
        }
        emit(payload, f"daily dose: {format_quantity(result)} ({rate} at {conc})", as_json=as_json)


def _components(primary: str, concentration: str, also: list[str]) -> Admixture:
    parts = [Component(drug_id=primary, concentration=parse_concentration(concentration))]
    for item in also:
        drug_id, sep, conc = item.partition("=")
        if not sep:
            raise RequestInvalid(
                where="--also",
                detail=f"{item!r}: write DRUG=CONCENTRATION, e.g. 'clonidine=1000 mcg/mL'",
            )
        parts.append(Component(drug_id=drug_id.strip(), concentration=parse_concentration(conc)))
    return Admixture(components=tuple(parts))


@app.command()
def refill(
    pump: Annotated[str, typer.Option("--pump", help="Pump model id, e.g. synchromed-ii-40")],
    drug: Annotated[str, typer.Option("--drug", help="Primary drug id, e.g. morphine")],
    concentration: Conc,
    daily_dose: Annotated[
        str, typer.Option("--daily-dose", "-d", help="Primary drug, e.g. '5 mg/day'")
    ],
    volume: Annotated[
        str, typer.Option("--volume", "-v", help="Reservoir volume after the fill, e.g. '40 mL'")
    ],
    alarm: Annotated[
        str | None, typer.Option("--alarm", help="Low-reservoir alarm (default: the model's)")
    ] = None,
    also: Annotated[
        list[str] | None, typer.Option("--also", help="Another component: 'DRUG=CONC' (repeatable)")
    ] = None,
    bolus_dose: Annotated[
        str | None, typer.Option("--bolus-dose", help="Patient bolus dose, e.g. '0.1 mg'")
    ] = None,
    boluses_per_day: Annotated[
        int, typer.Option("--boluses-per-day", min=0, help="Maximum patient boluses a day")
    ] = 0,
    first_fill: Annotated[
        bool, typer.Option("--first-fill", help="First fill of a pump naive to this drug")
    ] = False,
    filled_at: Annotated[
        str | None, typer.Option("--filled-at", help="ISO time of the fill (default: now, UTC)")
    ] = None,
    max_interval: Annotated[
        str, typer.Option("--max-interval", help="Clinic maximum refill interval")
    ] = "180 days",
    margin: Annotated[
        str, typer.Option("--margin", help="Refill this long before the alarm")
    ] = "7 days",
    age_years: Annotated[
        int | None,
        typer.Option("--age-years", min=0, help="Patient's age (children's limits; default adult)"),
    ] = None,
    as_json: Json = False,
) -> None:
    """Reservoir forecast and next refill date, naming the limit that binds, with the drug
    library's checks (exit 3 when the review would block, 1 when it needs an override).

    Example: thecal calc refill --pump synchromed-ii-40 --drug morphine --concentration "25 mg/mL"
    --daily-dose "5 mg/day" --volume "40 mL" → alarm in 190 days, stability 90 days binds.
    """
    with translate_errors(as_json=as_json):
        library = reference_library()
        model = library.pump(pump)
        admixture = _components(drug, concentration, also or [])
        drugs = {d: library.drug(d) for d in admixture.drug_ids}
        dose_rate = parse_dose_rate(daily_dose)
        basal = check_pump_flow(
            dose_rate, admixture.primary.concentration, model, drug_id=admixture.primary.drug_id
        )
        reservoir = parse_volume(volume)
        if reservoir > model.reservoir.value:
            raise RequestInvalid(
                where="--volume",
                detail=f"{reservoir} exceeds the {model.name} reservoir of {model.reservoir.value}",
            )
        extra = FlowRate(Decimal(0))
        if bolus_dose is not None and boluses_per_day > 0:
            extra = admixture.flow_for(parse_mass(bolus_dose) * boluses_per_day / DAY)
        now = SystemClock().now()
        try:
            at = dt.datetime.fromisoformat(filled_at) if filled_at else now
        except ValueError:
            raise RequestInvalid(
                where="--filled-at", detail=f"{filled_at!r} is not an ISO 8601 time"
            ) from None
        if at.tzinfo is None:
            raise RequestInvalid(
                where="--filled-at", detail=f"{filled_at!r} has no time zone; add 'Z' or '+00:00'"
            )
        check_instant("--filled-at", at, REPORT_DAY, now=now)  # no year 1 or 9999 (issue 15 §5)
        alarm_volume = parse_volume(alarm) if alarm else model.low_reservoir_alarm.value
        check_fill_volumes(model, reservoir, alarm_volume)
        policy = ClinicPolicy(
            max_refill_interval=parse_duration(max_interval), refill_margin=parse_duration(margin)
        )
        check = library_check_for_refill(
            admixture=admixture,
            daily_dose=dose_rate,
            bolus_dose=parse_mass(bolus_dose) if bolus_dose is not None else None,
            boluses_per_day=boluses_per_day,
            model=model,
            reservoir=reservoir,
            at=at,
            first_fill=first_fill,
            age_years=age_years,
            library=library,
            policy=policy,
        )
        plan = plan_next_refill(
            filled_at=at,
            reservoir=reservoir,
            alarm=alarm_volume,
            basal_flow=basal,
            worst_case_flow=basal + extra,
            admixture=admixture,
            drugs=drugs,
            policy=policy,
            naive_pump_first_fill=first_fill,
        )
        payload = {  # computed values at a stated precision (docs/web.md, "Precision")
            "pump": model.id,
            "admixture": admixture.describe(),
            "flow_ml_per_day": _rounded(basal.ml_per_day, FLOW_STEP),
            "worst_case_flow_ml_per_day": _rounded((basal + extra).ml_per_day, FLOW_STEP),
            "alarm_ml": alarm_volume.ml,
            "days_to_alarm": _days_of(plan.basal.to_alarm),
            "days_to_empty": _days_of(plan.basal.to_empty),
            "days_to_alarm_worst_case": _days_of(plan.worst_case.to_alarm),
            "days_to_empty_worst_case": _days_of(plan.worst_case.to_empty),
            "next_refill_due": plan.due,
            "binding_limit": plan.binding.name.lower(),
            "refill_margin_days": plan.margin.in_days,
            "precision": "days rounded half-even to 0.0001, flows to 0.000001 mL/day",
            "limits": [
                {
                    "limit": c.limit.name.lower(),
                    "at": c.at,
                    "days": _rounded(Decimal((c.at - at).total_seconds()) / 86400, DAYS_STEP),
                    "detail": c.detail,
                }
                for c in plan.candidates
            ],
            "stability_unknown_for": list(plan.unknown_stability),
            "daily_doses": {
                drug_id: {
                    "mcg_per_day": d.mcg_per_day,
                    "display": shown(d, mass=library.drug(drug_id).dose_unit),
                }
                for drug_id, d in admixture.doses_at(basal).items()
            },
            "library_check": library_payload(check),
        }
        dose_text = in_drug_unit(dose_rate, admixture.primary.drug_id)
        lines = [f"{admixture.describe()} in {model.name}: flow {shown(basal)} at {dose_text}"]
        lines.append(f"daily doses: {', '.join(component_doses(admixture, basal, library))}")
        if plan.basal.to_alarm and plan.basal.to_empty:
            lines.append(
                f"low-reservoir alarm ({alarm_volume}) in {_days(plan.basal.to_alarm.in_days)} days; empty in {_days(plan.basal.to_empty.in_days)} days"
            )
        if extra.value > 0 and plan.worst_case.to_alarm:
            lines.append(
                f"with every patient bolus taken: alarm in {_days(plan.worst_case.to_alarm.in_days)} days"
            )
        lines.extend(f"  {c.limit.value}: {c.at:%Y-%m-%d} — {c.detail}" for c in plan.candidates)
        lines.append(f"next refill due {plan.due:%Y-%m-%d}: {plan.binding.value} binds")
        if plan.unknown_stability:
            lines.append(
                f"stability unknown for {', '.join(plan.unknown_stability)}: the clinic maximum applies"
            )
        lines.extend(library_lines(check))
        emit(payload, "\n".join(lines), as_json=as_json)
    status = EXIT_FOR_OUTCOME[check.result.outcome]
    if status:
        raise typer.Exit(code=status)


@app.command()
def mme(
    opioid: Annotated[
        list[str],
        typer.Option(
            "--opioid",
            help="DRUG=DAILY DOSE, e.g. 'oxycodone=40 mg/day', 'fentanyl-transdermal=25 mcg/h' (repeatable)",
        ),
    ],
    table: Annotated[
        str | None, typer.Option("--table", help="Factor table: cdc-2022 (default) or cdc-2016")
    ] = None,
    as_json: Json = False,
) -> None:
    """Oral morphine milligram equivalents of a systemic opioid list (versioned CDC factors).

    Example: --opioid "oxycodone=40 mg/day" --opioid "fentanyl-transdermal=25 mcg/h" → 120 MME.
    The intrathecal morphine equivalent is shown as information only, never as a starting dose.
    """
    with translate_errors(as_json=as_json):
        factors = reference_library().mme_table(table)
        doses = []
        for item in opioid:
            drug, sep, amount = item.partition("=")
            if not sep:
                raise RequestInvalid(
                    where="--opioid",
                    detail=f"{item!r}: write DRUG=DAILY DOSE, e.g. 'oxycodone=40 mg/day'",
                )
            rate, unit, per = parse_dose_rate_as_written(amount)
            doses.append(
                opioid_dose(
                    drug.strip(), amount.strip(), rate=rate, unit=unit, per=per, table=factors
                )
            )
        result = calculate_mme(doses, factors)
        it_equivalent = result.intrathecal_morphine_equivalent
        warning = "information only: MME must not be used to choose an intrathecal dose (S22); start within the drug library's starting range"
        payload = {
            "total_mme_mg_per_day": result.total_mme,
            "table": {
                "id": result.table_id,
                "name": result.table_name,
                "source": result.table_source,
            },
            "lines": [
                {
                    "drug": x.drug,
                    "amount": x.amount,
                    "unit": x.amount_unit,
                    "factor": x.factor,
                    "mme": x.mme,
                }
                for x in result.lines
            ],
            "excluded": [{"drug": x.drug, "reason": x.reason} for x in result.excluded],
            "intrathecal_morphine_equivalent_mg_per_day": it_equivalent.mg_per_day,
            "oral_to_intrathecal_ratio": "300:1",
            "warning": warning,
        }
        lines = [line.describe() for line in result.lines]
        lines.extend(f"{x.drug}: {x.reason}" for x in result.excluded)
        lines.append(
            f"total: {plain(result.total_mme)} MME (table {result.table_id}: {result.table_name}, {result.table_source})"
        )
        lines.append(
            f"oral:IT morphine 300:1 → {format_quantity(it_equivalent, mass=MassUnit.MG, places=3)} IT morphine — {warning}"
        )
        emit(payload, "\n".join(lines), as_json=as_json)


Catheter = Annotated[
    str, typer.Option("--catheter", help="Catheter model id, e.g. prometra-catheter")
]
Length = Annotated[
    str, typer.Option("--length-cm", help="Implanted catheter length in cm, e.g. '80'")
]
PumpReq = Annotated[str, typer.Option("--pump", help="Pump model id")]
PerCm = Annotated[
    str | None,
    typer.Option("--volume-per-cm", help="Override the model's volume per cm, e.g. '0.0022 mL'"),
]


def _dead_space(catheter: str, length_cm: str, volume_per_cm: str | None) -> tuple[Volume, str]:
    model = reference_library().catheter(catheter)
    try:
        length = Decimal(length_cm)
    except ArithmeticError:
        raise RequestInvalid(
            where="--length-cm", detail=f"{length_cm!r} is not a number of centimetres"
        ) from None
    if not length.is_finite() or length <= 0:
        raise RequestInvalid(
            where="--length-cm", detail=f"{length_cm!r} must be a positive number of centimetres"
        )
    if volume_per_cm is not None:
        return catheter_dead_space(parse_volume(volume_per_cm).ml, length), "entered per patient"
    note = model.volume_per_cm.cite() + (
        "" if model.confirmed else " — UNCONFIRMED, enter the manufacturer's value"
    )
    return model.dead_space(length), note


@app.command()
def priming(
    pump: PumpReq,
    catheter: Catheter,
    length_cm: Length,
    volume_per_cm: PerCm = None,
    as_json: Json = False,
) -> None:
    """Priming bolus after an implant: catheter dead space + pump internal path (S53, S64)."""
    with translate_errors(as_json=as_json):
        model = reference_library().pump(pump)
        catheter_volume, note = _dead_space(catheter, length_cm, volume_per_cm)
        plan = priming_bolus(
            catheter_volume=catheter_volume, pump_internal_volume=model.internal_volume.value
        )
        payload = {
            "priming_volume_ml": plan.volume.ml,
            "catheter_volume_ml": catheter_volume.ml,
            "pump_internal_volume_ml": model.internal_volume.value.ml,
            "catheter_volume_source": note,
            "pump_internal_volume_source": model.internal_volume.cite(),
        }
        human = (
            f"priming bolus {plan.volume} = catheter {catheter_volume} ({note}) + pump path "
            f"{model.internal_volume.value} ({model.internal_volume.cite()}); give it under supervision (S53)"
        )
        emit(payload, human, as_json=as_json)


@app.command()
def bridge(
    pump: PumpReq,
    catheter: Catheter,
    length_cm: Length,
    old_concentration: Annotated[str, typer.Option("--old-concentration")],
    old_daily_dose: Annotated[str, typer.Option("--old-daily-dose")],
    new_concentration: Annotated[str, typer.Option("--new-concentration")],
    new_daily_dose: Annotated[str, typer.Option("--new-daily-dose")],
    volume_per_cm: PerCm = None,
    as_json: Json = False,
) -> None:
    """Bridge bolus for a concentration change: old drug in the dead space at the old dose rate."""
    with translate_errors(as_json=as_json):
        model = reference_library().pump(pump)
        catheter_volume, note = _dead_space(catheter, length_cm, volume_per_cm)
        dead = catheter_volume + model.internal_volume.value
        plan = bridge_bolus(
            dead_space=dead,
            old_concentration=parse_concentration(old_concentration),
            old_daily_dose=parse_dose_rate(old_daily_dose),
            new_concentration=parse_concentration(new_concentration),
            new_daily_dose=parse_dose_rate(new_daily_dose),
        )
        payload = {
            "bridge_volume_ml": plan.volume.ml,
            "bridge_flow_ml_per_day": plan.flow.ml_per_day,
            "bridge_duration_hours": plan.duration.in_hours,
            "old_drug_delivered_mcg": plan.old_drug_delivered.mcg,
            "without_bridge_lag_hours": plan.lag_without_bridge.in_hours,
            "without_bridge_tip_dose_mcg_per_day": plan.dose_during_lag_without_bridge.mcg_per_day,
            "catheter_volume_source": note,
        }
        human = "\n".join(
            [
                f"dead space {dead} (catheter {catheter_volume}, {note}; pump path {model.internal_volume.value})",
                f"bridge: {plan.volume} at {format_quantity(plan.flow, places=4)} over {format_quantity(plan.duration, places=2)}, delivering {plan.old_drug_delivered} of the old drug",
                f"without a bridge the tip receives {format_quantity(plan.dose_during_lag_without_bridge, places=4)} for {format_quantity(plan.lag_without_bridge, places=2)}",
            ]
        )
        emit(payload, human, as_json=as_json)


# The device events' calculators register themselves on this group.
import thecal.entrypoints.cli.calc_devices  # noqa: E402, F401
