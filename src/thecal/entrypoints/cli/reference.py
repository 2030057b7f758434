"""`thecal reference`: show the reference data with the source and confidence of every number.

`thecal reference markdown > docs/reference-data.md` regenerates the committed catalogue; a test
fails when it is stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Annotated, Any

import typer

from thecal.domain.drugs import (
    DoseRange,
    Drug,
    LimitSeverity,
    MassRange,
    Population,
    TitrationPhase,
)
from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.quantity_text import format_quantity
from thecal.domain.sourced import Sourced
from thecal.domain.units import Concentration, DoseRate, Mass, MassUnit, plain
from thecal.entrypoints.cli.output import emit, translate_errors

app = typer.Typer(no_args_is_help=True, help="Reference data: drugs, pumps, catheters, MME tables.")


def _show(value: object, unit: MassUnit | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, DoseRange | MassRange):
        return f"{format_quantity(value.low, mass=unit)}–{format_quantity(value.high, mass=unit)}"
    if isinstance(value, Mass | DoseRate | Concentration) and unit is not None:
        return format_quantity(value, mass=unit)
    return str(value)


def _cell(value: Sourced[Any] | None, suffix: str = "", unit: MassUnit | None = None) -> str:
    if value is None:
        return "—"
    return f"{_show(value.value, unit)}{suffix} ({value.cite()})".replace("|", "/")


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _drug_lines(drug: Drug) -> list[str]:
    unit = drug.dose_unit
    lines = [f"### {drug.name} (`{drug.id}`)", ""]
    lines.append(_row(["item", "value (source [confidence])"]))
    lines.append(_row(["---", "---"]))
    lines.append(
        _row(["strengths", "; ".join(_cell(s) for s in drug.strengths) or "— (compounded)"])
    )
    for limit in drug.limits:
        kind = "label" if limit.severity is LimitSeverity.HARD else "consensus"
        who = "" if limit.population is Population.ANY else f", {limit.population.value}"
        name = (
            f"{limit.severity.value} ({kind}) {limit.bound.value} "
            f"{limit.quantity.value.replace('_', ' ')}{who}"
        )
        lines.append(_row([name, _cell(limit.limit, unit=unit)]))
    if drug.daily_max_none_known is not None:
        lines.append(_row(["daily maximum", _cell(drug.daily_max_none_known, " — none known")]))
    if drug.paediatric_below_age is not None:
        lines.append(_row(["children: under", _cell(drug.paediatric_below_age, " years")]))
    for label, rng in (
        ("opioid-naive", drug.start_naive),
        ("opioid-tolerant", drug.start_tolerant),
    ):
        top = ""
        if rng is not None:
            top = "; top is a label limit" if rng.value.high_severity is LimitSeverity.HARD else ""
        lines.append(_row([f"start, {label}", _cell(rng, top, unit=unit)]))
    if drug.start_from_screening is not None:
        start = drug.start_from_screening
        lines.append(
            _row(
                [
                    f"start from screening ({start.severity.value})",
                    _cell(start.factor, " × the effective screening dose"),
                ]
            )
        )
    if drug.it_morphine_ratio is not None:
        lines.append(
            _row(["intrathecal morphine ratio (mg morphine : mg)", _cell(drug.it_morphine_ratio)])
        )
    for step in drug.titration:
        parts = [
            f"increase ≤ {_cell(step.max_increase_pct, ' %')}" if step.max_increase_pct else "",
            f"increase ≤ {_cell(step.max_increase, unit=unit)} per step"
            if step.max_increase
            else "",
        ]
        interval = f"; steps at least {_cell(step.min_interval)} apart" if step.min_interval else ""
        phase = "" if step.phase is TitrationPhase.ANY else f", {step.phase.value} phase"
        label = f"titration ({step.policy.value}, {step.scope.value}{phase})"
        lines.append(_row([label, "; ".join(p for p in parts if p) + interval]))
    lines.append(_row(["trial bolus", _cell(drug.trial_bolus, unit=unit)]))
    for rule in drug.stability:
        which = " (undiluted)" if rule.undiluted_only else " (diluted)" if rule.diluted_only else ""
        lines.append(_row([f"stability in pump{which}", _cell(rule.days, " days")]))
    lines.append(
        _row(["first refill of a naive pump within", _cell(drug.first_fill_max_days, " days")])
    )
    if drug.first_fill is not None:
        fill = drug.first_fill
        lines.append(
            _row(
                [
                    "first fill",
                    f"{fill.rinses.value} × {format_quantity(fill.rinse_volume)} rinses, then "
                    + _cell(fill.concentration, unit=unit),
                ]
            )
        )
    lines.append(_row(["patient-activated boluses allowed", _cell(drug.patient_bolus_allowed)]))
    lines.append(_row(["withdrawal risk", _cell(drug.withdrawal_risk)]))
    lines.append(_row(["boxed withdrawal warning", _cell(drug.boxed_withdrawal_warning)]))
    lines.append(
        _row(
            ["granuloma watch concentration", _cell(drug.granuloma_watch_concentration, unit=unit)]
        )
    )
    lines.append(_row(["FDA-approved for intrathecal use", _cell(drug.fda_approved_for_it)]))
    return [*lines, ""]


def render_markdown(library: ReferenceLibrary) -> str:
    """The reference-data catalogue as Markdown (deterministic for a given library)."""
    lines = [
        "# Reference data",
        "",
        "Generated by `thecal reference markdown` from `src/thecal/data/*.toml`; do not edit by hand.",
        "Confidence: [C] confirmed in the source, [U] unconfirmed (verify before relying on it),",
        "[D] sources disagree (clinic policy), [A] twin model assumption (no retrieved source).",
        "Source keys refer to `shared/reference/clinical.md` §12; `ext:` keys to the sources listed at",
        "the end. Severity: hard = a label limit (a proposal beyond it is blocked), soft = a consensus",
        "limit (an override by two clinicians).",
        "",
        "Data versions: "
        + ", ".join(f"{file} {version}" for file, version in sorted(library.versions.items())),
        "",
        "## Drugs",
        "",
    ]
    for drug in library.drugs.values():
        lines += _drug_lines(drug)
    lines += ["## Pump models", ""]
    fields = [
        ("reservoir", "reservoir"),
        ("minimum flow", "min_flow"),
        ("maximum flow", "max_flow"),
        ("internal path volume", "internal_volume"),
        ("stroke volume", "stroke_volume"),
        ("accuracy band ± %", "accuracy_band_pct"),
        ("bias, cumulative %", "bias_cumulative_pct"),
        ("bias per refill %", "bias_per_refill_pct"),
        ("default low-reservoir alarm", "low_reservoir_alarm"),
        ("refill-planning volume", "refill_planning_volume"),
        ("service life", "service_life"),
        ("ERI to stop", "eri_to_stop"),
        ("MRI recovery (max)", "mri_recovery_max"),
        ("flow-activated valve leak", "fav_leak"),
        ("approved drugs", "approved_drugs"),
        ("refill discrepancy threshold", "discrepancy_threshold"),
    ]
    pumps = list(library.pumps.values())
    lines.append(_row(["", *[f"{p.name} ({p.model_number})" for p in pumps]]))
    lines.append(_row(["---"] * (len(pumps) + 1)))
    lines.append(_row(["mechanism", *[p.mechanism.value for p in pumps]]))
    lines.append(_row(["MRI", *[p.mri.value for p in pumps]]))
    for label, attr in fields:
        lines.append(_row([label, *[_cell(getattr(p, attr)) for p in pumps]]))
    lines += [
        "",
        "## Catheter models",
        "",
        _row(["catheter", "volume per cm", "supplied length (cm)"]),
        _row(["---"] * 3),
    ]
    for catheter in library.catheters.values():
        lines.append(
            _row(
                [
                    f"{catheter.name} (`{catheter.id}`)",
                    _cell(catheter.volume_per_cm),
                    _cell(catheter.supplied_length_cm),
                ]
            )
        )
    lines += ["", "## MME factor tables", ""]
    for table in library.mme_tables.values():
        default = " — default" if table.id == library.default_mme_table else ""
        lines += [
            f"### {table.name} (`{table.id}`, {table.source} [{table.confidence.value}]){default}",
            "",
        ]
        lines += [_row(["opioid", "factor", "per"]), _row(["---"] * 3)]
        lines += [_row([f.drug, plain(f.factor), f.per_text]) for f in table.factors.values()]
        lines += [_row([e.drug, "excluded", e.reason]) for e in table.exclusions.values()]
        for tier in table.methadone_tiers:
            bound = (
                f"≤ {plain(tier.up_to_mg_per_day)} mg/day"
                if tier.up_to_mg_per_day is not None
                else "above"
            )
            lines.append(_row([f"methadone ({bound})", plain(tier.factor), "mg/day"]))
        lines.append("")
    if library.sources:
        lines += ["## Sources beyond clinical.md", ""]
        lines += [_row(["key", "source"]), _row(["---"] * 2)]
        lines += [
            _row([source.key, f"{source.title} — {source.url}"])
            for source in library.sources.values()
        ]
    return "\n".join(lines).rstrip() + "\n"


@app.command()
def markdown() -> None:
    """Print the reference-data catalogue as Markdown (the source of docs/reference-data.md)."""
    typer.echo(render_markdown(reference_library()), nl=False)


@app.command()
def drug(
    drug_id: Annotated[str, typer.Argument(help="Drug id, e.g. ziconotide")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show one drug's library entry with every number's source."""
    with translate_errors(as_json=as_json):
        entry = reference_library().drug(drug_id)
        payload = {
            "id": entry.id,
            "name": entry.name,
            "limits": [
                {
                    "severity": limit.severity.value,
                    "bound": limit.bound.value,
                    "quantity": limit.quantity.value,
                    "value": str(limit.limit.value),
                    "source": limit.limit.source,
                    "confidence": limit.limit.confidence.value,
                }
                for limit in entry.limits
            ],
            "patient_bolus_allowed": entry.patient_bolus_allowed.value,
            "withdrawal_risk": entry.withdrawal_risk.value.value,
        }
        emit(payload, "\n".join(_drug_lines(entry)), as_json=as_json)
