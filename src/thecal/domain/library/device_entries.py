"""Reading ``pumps.toml`` and ``catheters.toml``: pump and catheter models."""

from __future__ import annotations

from thecal.domain.devices import CatheterModel, DeliveryMechanism, MriBehaviour, PumpModel
from thecal.domain.library.toml_reader import (
    TomlReader,
    boolean,
    decimal,
    positive,
    positive_int,
    text_tuple,
)
from thecal.domain.quantity_text import parse_duration, parse_flow_rate, parse_volume

__all__ = ["read_catheter", "read_pump"]


def read_pump(entry: TomlReader) -> PumpModel:
    """One ``[[pump]]`` table."""
    mechanism = entry.enum("mechanism", DeliveryMechanism)
    stroke = entry.maybe_sourced("stroke_volume", positive(parse_volume))
    if mechanism is DeliveryMechanism.VALVE_GATED and stroke is None:
        raise entry.fail("stroke_volume", "a valve-gated pump needs its stroke volume")
    min_flow = entry.sourced("min_flow", positive(parse_flow_rate))
    max_flow = entry.sourced("max_flow", positive(parse_flow_rate))
    if max_flow.value <= min_flow.value:
        raise entry.fail("max_flow", "must be above min_flow")
    fav = entry.boolean("flow_activated_valve")
    fav_leak = entry.maybe_sourced("fav_leak", positive(parse_volume))
    if fav and fav_leak is None:
        raise entry.fail("fav_leak", "a flow-activated valve needs the volume it lets pass")
    return PumpModel(
        id=entry.text("id"),
        name=entry.text("name"),
        manufacturer=entry.text("manufacturer"),
        model_number=entry.text("model_number"),
        mechanism=mechanism,
        reservoir=entry.sourced("reservoir", positive(parse_volume)),
        min_flow=min_flow,
        max_flow=max_flow,
        internal_volume=entry.sourced("internal_volume", positive(parse_volume)),
        stroke_volume=stroke,
        accuracy_band_pct=entry.sourced("accuracy_band_pct", decimal),
        bias_cumulative_pct=entry.sourced("bias_cumulative_pct", decimal),
        bias_per_refill_pct=entry.maybe_sourced("bias_per_refill_pct", decimal),
        low_reservoir_alarm=entry.sourced("low_reservoir_alarm", positive(parse_volume)),
        refill_planning_volume=entry.maybe_sourced(
            "refill_planning_volume", positive(parse_volume)
        ),
        max_flex_steps=entry.maybe_sourced("max_flex_steps", positive_int),
        weekly_flex=entry.maybe_sourced("weekly_flex", boolean),
        periodic_bolus=entry.maybe_sourced("periodic_bolus", boolean),
        periodic_min_rate_between=entry.maybe_sourced("periodic_min_rate_between", boolean),
        single_bolus=entry.maybe_sourced("single_bolus", boolean),
        service_life=entry.sourced("service_life", positive(parse_duration)),
        eri_to_stop=entry.maybe_sourced("eri_to_stop", positive(parse_duration)),
        mri=entry.enum("mri", MriBehaviour),
        mri_recovery_max=entry.maybe_sourced("mri_recovery_max", positive(parse_duration)),
        flow_activated_valve=fav,
        fav_leak=fav_leak,
        approved_drugs=entry.sourced("approved_drugs", text_tuple),
        discrepancy_threshold=entry.sourced("discrepancy_threshold", positive(parse_volume)),
    )


def read_catheter(entry: TomlReader) -> CatheterModel:
    """One ``[[catheter]]`` table."""
    return CatheterModel(
        id=entry.text("id"),
        name=entry.text("name"),
        manufacturer=entry.text("manufacturer"),
        volume_per_cm=entry.sourced("volume_per_cm", positive(parse_volume)),
        supplied_length_cm=entry.maybe_sourced("supplied_length_cm", decimal),
    )
