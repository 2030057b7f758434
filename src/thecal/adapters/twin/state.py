"""Saving and restoring a pump twin as JSON, so a twin can outlive its process.

``snapshot(twin)`` returns a dict the standard ``json`` module can write; ``restore(data,
library=...)`` rebuilds a twin that behaves identically to the saved one for any later sequence
of commands (same outcomes, same trace, same random draws). The format is versioned
(``format``/``version``); an unknown version or shape raises
:class:`~thecal.simulation.errors.TwinStateInvalid` (THC-SIM-002), never a guess.

Encoding rules: exact numbers travel as text — integers in volume units, battery units and
scaled masses as decimal strings (they exceed what a JSON double holds), fractions as
``"numerator/denominator"``, decimals as their plain text; times in µs since the twin's start
are JSON integers (below 2⁵³ for 285 years); datetimes are ISO 8601 with offset. No floats
anywhere (the generator's cached Gaussian, if any, is written as a hex float string).
Mixtures are written once in a table and referenced by index, so fluids that were the same
object (the reservoir's contents and the slug it is pushing into the catheter) are the same
object again after restoring — plug-flow segments merge exactly as they would have.
Programs use the canonical program codec (:mod:`thecal.adapters.program_codec`), which writes
plain decimals: a restored program is equal to the saved one, though ``Decimal("250.00")`` may
come back as ``Decimal("250")``. The twin's parts are encoded by
:mod:`thecal.simulation.state_codec`.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from thecal.adapters.program_codec import program_from_dict, program_to_dict
from thecal.domain.device_events import AlarmPriority, DeviceEvent
from thecal.domain.library import ReferenceLibrary
from thecal.domain.units import Duration, Volume, plain
from thecal.simulation.alarms import AlarmChange, AlarmKind
from thecal.simulation.engine import Priority
from thecal.simulation.errors import TwinStateInvalid
from thecal.simulation.faults import TelemetryFailure
from thecal.simulation.fluid import Mixture
from thecal.simulation.schedule import Bolus, FlowSchedule, PeriodicRate
from thecal.simulation.state_codec import (
    MixtureTable,
    carry_data,
    carry_of,
    fraction_of,
    fraction_text,
    mixtures_of,
    outflow_data,
    record_data,
    record_of,
    restore_outflow,
    rng_data,
    rng_of,
    telemetry_data,
)
from thecal.simulation.twin import PumpTwin

__all__ = ["FORMAT", "VERSION", "restore", "snapshot"]

FORMAT = "thecal-twin-state"
VERSION = 1
_ALARMS = {kind.code: kind for kind in AlarmKind}


# ---------------------------------------------------------------------------- snapshot


def snapshot(twin: PumpTwin) -> dict[str, Any]:
    """The whole state of ``twin`` as a JSON-compatible dict (see the module docstring)."""
    mech = twin.mech
    mixtures = MixtureTable()
    tip, tissue, path = mech.tip, mech.tissue, mech.path  # reading settles pending flow
    battery = mech.battery
    schedule = mech.schedule
    basal = schedule.basal
    return {
        "format": FORMAT,
        "version": VERSION,
        "serial": twin.serial,
        "pump_model": twin.pump.id,
        "catheter_model": twin.catheter.id,
        "catheter_length_cm": plain(twin.catheter_length_cm),
        "start": twin.start.isoformat(),
        "start_zone": getattr(twin.start.tzinfo, "key", None),  # an IANA zone keeps its rules
        "default_low_reservoir_ml": plain(twin.default_low.ml),
        "record_trace": twin.record_trace,
        "rng": rng_data(twin.rng),
        "accuracy_bias_pct": fraction_text(twin.bias),
        "delivery_error_pct": fraction_text(twin.delivery_error),
        "program": program_to_dict(twin.program_) if twin.program_ is not None else None,
        "telemetry": telemetry_data(twin.telemetry),
        "filled": twin.filled,
        "dry": twin.dry,
        "eos": twin.eos,
        "withdrawn_since_fill": twin.withdrawn_since_fill,
        "counted_at_refill": str(twin.counted_at_refill),
        "tokens": dict(twin.tokens),
        "queue": [
            [at, priority, kind, token]
            for at, priority, _, (kind, token) in sorted(twin.queue.items())
        ],
        "alarms_active": sorted(kind.code for kind in twin.alarms.active),
        "alarm_log": [[c.at_us, c.kind.code, c.raised] for c in twin.alarms.log],
        "patient_bolus_granted_us": list(twin.gate.granted),
        "events": [
            [twin.us(e.at), e.code, e.detail, e.priority.value if e.priority else None]
            for e in twin.events
        ],
        "bolus_log": [list(entry) for entry in twin.bolus_log],
        "mechanics": {
            "now_us": mech.now_us,
            "motor": str(mech.motor),
            "believed": str(mech.believed),
            "counted": str(mech.counted),
            "truth": carry_data(mech.truth),
            "occluded": mech.occluded,
            "leak": carry_data(mech.leak),
            "reservoir_units": str(mech.reservoir.units),
            "reservoir_mixture": mixtures.ref(mech.reservoir.mixture),
            "path": [[str(units), mixtures.ref(m)] for units, m in path.contents()],
            "tip": outflow_data(tip),
            "tissue": outflow_data(tissue),
            "pocket": outflow_data(mech.pocket),
            "withdrawn": str(mech.withdrawn),
            "injected": str(mech.injected),
            "halts": sorted(mech.halts),
            "low_threshold": str(mech.low_threshold),
            "battery": {
                "spent": str(battery.spent),
                "eri_at_us": battery.eri_at_us,
                "eri_budget": str(battery.eri_budget),
                "scale": str(battery.scale),
                "unit_cost": str(battery.unit_cost),
                "stop_delay_us": battery.stop_delay_us,
            },
            "basal": None
            if basal is None
            else {
                "cycle_us": basal.cycle_us,
                "steps": [[start, str(rate)] for start, rate in basal.steps],
                "phase_us": basal.phase_us,
            },
            "boluses": [
                [b.start_us, b.end_us, str(b.volume), b.replaces_basal, b.label]
                for b in schedule.boluses
            ],
        },
        "mixtures": mixtures.rows,
        "trace": [record_data(r) for r in twin.trace],
    }


# ---------------------------------------------------------------------------- restore


def restore(data: dict[str, Any], *, library: ReferenceLibrary) -> PumpTwin:
    """A twin in exactly the state ``data`` (from :func:`snapshot`) describes.

    Raises:
        TwinStateInvalid: not a twin state, an unknown version, or a malformed field.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TwinStateInvalid(where="format", detail=f"expected {FORMAT!r}")
    if data.get("version") != VERSION:
        raise TwinStateInvalid(
            where="version", detail=f"version {data.get('version')!r} is not {VERSION}"
        )
    try:
        return _restore(data, library)
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError) as error:
        raise TwinStateInvalid(where="body", detail=f"{type(error).__name__}: {error}") from error


def _start(text: str, zone: str | None) -> dt.datetime:
    start = dt.datetime.fromisoformat(text)
    return start if zone is None else start.astimezone(ZoneInfo(zone))


def _restore(data: dict[str, Any], library: ReferenceLibrary) -> PumpTwin:
    rng = rng_of(data["rng"])
    twin = PumpTwin(
        pump=library.pump(data["pump_model"]),
        catheter=library.catheter(data["catheter_model"]),
        catheter_length_cm=Decimal(data["catheter_length_cm"]),
        start=_start(data["start"], data["start_zone"]),
        serial=data["serial"],
        library=library,
        accuracy_bias_pct=Decimal(0),
        low_reservoir_alarm=Volume.from_ml(Decimal(data["default_low_reservoir_ml"])),
        rng=rng,
        record_trace=data["record_trace"],
    )
    twin.bias = fraction_of(data["accuracy_bias_pct"])
    twin.delivery_error = fraction_of(data["delivery_error_pct"])
    program = data["program"]
    twin.program_ = program_from_dict(program) if program is not None else None
    twin.gate.configure(twin.program_.patient_bolus if twin.program_ is not None else None)
    twin.gate.granted = deque(data["patient_bolus_granted_us"])
    telemetry = data["telemetry"]
    twin.telemetry = (
        None
        if telemetry is None
        else TelemetryFailure(
            duration=Duration(Decimal(telemetry["duration_s"]))
            if telemetry["duration_s"] is not None
            else None,
            applied=telemetry["applied"],
        )
    )
    twin.filled, twin.dry, twin.eos = data["filled"], data["dry"], data["eos"]
    twin.withdrawn_since_fill = data["withdrawn_since_fill"]
    twin.counted_at_refill = int(data["counted_at_refill"])
    twin.tokens = {kind: int(token) for kind, token in data["tokens"].items()}
    for at, priority, kind, token in data["queue"]:
        twin.queue.push(at, Priority(priority), (kind, token))
    twin.alarms.restore(
        {_ALARMS[code] for code in data["alarms_active"]},
        [
            AlarmChange(at_us=at, kind=_ALARMS[code], raised=up)
            for at, code, up in data["alarm_log"]
        ],
    )
    twin.events = [
        DeviceEvent(
            at=twin.at(at),
            code=code,
            detail=detail,
            priority=AlarmPriority(priority) if priority is not None else None,
        )
        for at, code, detail, priority in data["events"]
    ]
    twin.bolus_log = [
        (at, granted, reason, unsure) for at, granted, reason, unsure in data["bolus_log"]
    ]
    _restore_mechanics(twin, data["mechanics"], mixtures_of(data["mixtures"]))
    twin.trace = [record_of(row) for row in data["trace"]]
    return twin


def _restore_mechanics(twin: PumpTwin, data: dict[str, Any], mixtures: list[Mixture]) -> None:
    mech = twin.mech
    mech.now_us = data["now_us"]
    mech.motor, mech.believed = int(data["motor"]), int(data["believed"])
    mech.counted = int(data["counted"])
    truth = carry_of(data["truth"])
    if truth is None:
        msg = "the truth ratio is missing"
        raise ValueError(msg)
    mech.truth = truth
    mech.occluded = data["occluded"]
    mech.leak = carry_of(data["leak"])
    mech.reservoir.restore(int(data["reservoir_units"]), mixtures[data["reservoir_mixture"]])
    mech.path.restore([(int(units), mixtures[ref]) for units, ref in data["path"]])
    restore_outflow(mech.tip, data["tip"])
    restore_outflow(mech.tissue, data["tissue"])
    restore_outflow(mech.pocket, data["pocket"])
    mech.withdrawn, mech.injected = int(data["withdrawn"]), int(data["injected"])
    mech.halts = set(data["halts"])
    mech.low_threshold = int(data["low_threshold"])
    battery, saved = mech.battery, data["battery"]
    battery.spent = int(saved["spent"])
    battery.eri_at_us = saved["eri_at_us"]
    battery.eri_budget = int(saved["eri_budget"])
    battery.scale, battery.unit_cost = int(saved["scale"]), int(saved["unit_cost"])
    battery.stop_delay_us = saved["stop_delay_us"]
    basal = data["basal"]
    schedule = FlowSchedule(
        None
        if basal is None
        else PeriodicRate.build(
            cycle_us=basal["cycle_us"],
            steps=[(start, int(rate)) for start, rate in basal["steps"]],
            phase_us=basal["phase_us"],
        )
    )
    for start, end, volume, replaces, label in data["boluses"]:
        schedule.add(Bolus(start, end, int(volume), replaces_basal=replaces, label=label))
    mech.schedule = schedule
