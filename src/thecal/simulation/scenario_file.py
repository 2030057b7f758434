# ruff: noqa: EM101 - `raise table.fail(field, detail)` builds a structured error from field names
"""Read a scenario from TOML (format and every field: ``docs/scenarios/README.md``).

Quantities are text with their unit, read by the strict parser; times of events are durations
after the start ("60 days", "36 h"). Anything unexpected is a :class:`ScenarioInvalid` naming the
field — a misspelt key is an error, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from thecal.domain.admixture import Admixture, Component
from thecal.domain.errors import ThecalError
from thecal.domain.library import ReferenceLibrary, reference_library
from thecal.domain.program import (
    DAY,
    FlexStep,
    InfusionProgram,
    PatientBolusSettings,
    PeriodicBolus,
    ProgramMode,
)
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_flow_rate,
    parse_mass,
    parse_volume,
)
from thecal.domain.units import Duration
from thecal.simulation.demand import BolusDemand
from thecal.simulation.errors import ScenarioInvalid
from thecal.simulation.faults import (
    BatteryDepletion,
    DeliveryError,
    Fault,
    Leak,
    MotorStall,
    Occlusion,
    TelemetryFailure,
)
from thecal.simulation.scenario import (
    Action,
    Interrogate,
    MriScan,
    PatientBolusPress,
    PrimingBolusCommand,
    ProgramChange,
    Refill,
    Scenario,
    ScenarioEvent,
    StartFault,
    ValveReset,
)

__all__ = ["load_scenario", "parse_scenario"]

T = TypeVar("T")


class _Table:
    """A TOML table that remembers where it is and refuses unknown keys."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ScenarioInvalid(where=where, detail="expected a table")
        self.data, self.where, self.used = data, where, set[str]()

    def fail(self, key: str, detail: str) -> ScenarioInvalid:
        return ScenarioInvalid(where=f"{self.where}.{key}", detail=detail)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = ...) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "missing")
            return default
        return self.data[key]

    def parse(self, key: str, parser: Callable[[str], T], default: Any = ...) -> T:
        value = self.raw(key, default)
        if value is default and default is not ...:
            return value  # type: ignore[no-any-return]
        if not isinstance(value, str):
            raise self.fail(key, f"expected text with a unit, got {value!r}")
        try:
            return parser(value)
        except ThecalError as error:
            raise self.fail(key, error.message) from None

    def text(self, key: str, default: Any = ...) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"expected text, got {value!r}")
        return value

    def decimal(self, key: str, default: Any = ...) -> Decimal:
        value = self.raw(key, default)
        if isinstance(value, Decimal):
            return value
        try:
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise InvalidOperation
            return Decimal(value)
        except InvalidOperation:
            raise self.fail(key, f"expected a number as text or integer, got {value!r}") from None

    def child(self, key: str) -> _Table:
        return _Table(self.raw(key), f"{self.where}.{key}")

    def done(self) -> None:
        unknown = set(self.data) - self.used
        if unknown:
            raise ScenarioInvalid(where=self.where, detail=f"unknown keys {sorted(unknown)}")


def _admixture(table: _Table, key: str = "components") -> Admixture:
    components = table.raw(key)
    if not isinstance(components, list) or not components:
        raise table.fail(key, "expected a list of {drug, concentration}")
    parts = []
    for i, raw in enumerate(components):
        item = _Table(raw, f"{table.where}.{key}[{i}]")
        parts.append(
            Component(
                drug_id=item.text("drug"),
                concentration=item.parse("concentration", parse_concentration),
            )
        )
        item.done()
    return Admixture(components=tuple(parts))


def _periodic(table: _Table) -> PeriodicBolus:
    return PeriodicBolus(
        dose=table.parse("dose", parse_mass),
        duration=table.parse("duration", parse_duration),
        every=table.parse("every", parse_duration, DAY),
        offset=table.parse("offset", parse_duration, Duration(Decimal(0))),
    )


def _program(table: _Table, admixture: Admixture) -> InfusionProgram:
    try:
        mode = ProgramMode(table.text("mode"))
    except ValueError:
        raise table.fail("mode", f"one of {[m.value for m in ProgramMode]}") from None
    steps: tuple[FlexStep, ...] = ()
    if table.has("daily_dose"):
        steps = (
            FlexStep(start=Duration(Decimal(0)), rate=table.parse("daily_dose", parse_dose_rate)),
        )
    if table.has("steps"):
        raw_steps = table.raw("steps")
        if not isinstance(raw_steps, list):
            raise table.fail("steps", "expected a list of {start, rate}")
        parsed = []
        for i, raw in enumerate(raw_steps):
            step = _Table(raw, f"{table.where}.steps[{i}]")
            parsed.append(
                FlexStep(
                    start=step.parse("start", parse_duration),
                    rate=step.parse("rate", parse_dose_rate),
                )
            )
            step.done()
        steps = tuple(parsed)
    periodic = _periodic(table.child("bolus")) if table.has("bolus") else None
    patient = None
    if table.has("patient_bolus"):
        pb = table.child("patient_bolus")
        max_per_day = pb.raw("max_per_day")
        if not isinstance(max_per_day, int) or isinstance(max_per_day, bool):
            raise pb.fail("max_per_day", "expected an integer")
        patient = PatientBolusSettings(
            dose=pb.parse("dose", parse_mass),
            duration=pb.parse("duration", parse_duration),
            lockout=pb.parse("lockout", parse_duration),
            max_per_day=max_per_day,
        )
        pb.done()
    program = InfusionProgram(
        mode=mode,
        admixture=admixture,
        steps=steps,
        cycle=table.parse("cycle", parse_duration, DAY),
        periodic=periodic if mode is ProgramMode.PERIODIC_BOLUS else None,
        single_bolus=periodic if mode is ProgramMode.SINGLE_BOLUS else None,
        patient_bolus=patient,
        low_reservoir_alarm=table.parse("low_reservoir_alarm", parse_volume, None),
    )
    table.done()
    return program


_FAULTS: dict[str, Callable[[_Table], Fault]] = {
    "motor-stall": lambda t: MotorStall(duration=t.parse("duration", parse_duration, None)),
    "delivery-error": lambda t: DeliveryError(
        percent=t.decimal("percent"), duration=t.parse("duration", parse_duration, None)
    ),
    "occlusion": lambda t: Occlusion(duration=t.parse("duration", parse_duration, None)),
    "leak": lambda t: Leak(
        percent=t.decimal("percent", Decimal(100)),
        duration=t.parse("duration", parse_duration, None),
    ),
    "battery-depletion": lambda t: BatteryDepletion(lost=t.parse("lost", parse_duration)),
    "telemetry-failure": lambda t: TelemetryFailure(
        duration=t.parse("duration", parse_duration, None), applied=t.raw("applied", None)
    ),
}


def _action(table: _Table, kind: str, current: list[Admixture]) -> Action:  # noqa: PLR0911 - one branch per event type
    if kind == "refill":
        admixture = _admixture(table) if table.has("components") else None
        if admixture is not None:
            current[0] = admixture
        return Refill(
            volume=table.parse("volume", parse_volume),
            admixture=admixture,
            pocket_percent=table.decimal("pocket_percent", Decimal(0)),
            withdraw=bool(table.raw("withdraw", default=True)),
        )
    if kind == "program":
        bridge = bool(table.raw("bridge", default=False))
        return ProgramChange(program=_program(table.child("program"), current[0]), bridge=bridge)
    if kind == "priming-bolus":
        return PrimingBolusCommand(flow=table.parse("flow", parse_flow_rate, None))
    if kind == "mri":
        return MriScan(
            duration=table.parse("duration", parse_duration),
            recovery=table.parse("recovery", parse_duration, None),
        )
    if kind == "valve-reset":
        return ValveReset()
    if kind == "patient-bolus":
        return PatientBolusPress()
    if kind == "interrogate":
        return Interrogate()
    if kind == "fault":
        fault_kind = table.text("fault")
        if fault_kind not in _FAULTS:
            raise table.fail("fault", f"one of {sorted(_FAULTS)}")
        try:
            return StartFault(fault=_FAULTS[fault_kind](table))
        except ValueError as error:
            raise table.fail("fault", str(error)) from None
    raise table.fail("type", f"unknown event type {kind!r}")


def _events(raw: Any, admixture: Admixture) -> tuple[ScenarioEvent, ...]:
    if not isinstance(raw, list):
        raise ScenarioInvalid(where="events", detail="expected [[events]] tables")
    current = [admixture]
    events = []
    for i, item in enumerate(raw):
        table = _Table(item, f"events[{i}]")
        at = table.parse("at", parse_duration)
        events.append(ScenarioEvent(at=at, action=_action(table, table.text("type"), current)))
        table.done()
    return tuple(sorted(events, key=lambda e: e.at))


def _refill_schedule(table: _Table, horizon: Duration) -> tuple[ScenarioEvent, ...]:
    """``[refills]``: a refill every ``every`` (first at ``first``, default ``every``)."""
    every = table.parse("every", parse_duration)
    first = table.parse("first", parse_duration, every)
    volume = table.parse("volume", parse_volume)
    table.done()
    if every.value <= 0:
        raise table.fail("every", "must be > 0")
    events, at = [], first
    while at <= horizon:
        events.append(ScenarioEvent(at=at, action=Refill(volume=volume)))
        at = at + every
    return tuple(events)


def _start(value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ScenarioInvalid(
            where="scenario.start",
            detail="a TOML date-time with an offset, e.g. 2026-01-05T08:00:00Z",
        )
    return value


def parse_scenario(text: str, *, library: ReferenceLibrary | None = None) -> Scenario:
    """Parse scenario TOML text.

    Raises:
        ScenarioInvalid: the file does not have the documented shape.
        ThecalError: a quantity, a program or a reference (pump, catheter, drug) is invalid.
    """
    library = library or reference_library()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioInvalid(where="file", detail=str(error)) from None
    root = _Table(data, "")
    meta, pump, catheter = root.child("scenario"), root.child("pump"), root.child("catheter")
    contents = root.child("admixture")
    admixture = _admixture(contents)
    fill = contents.parse("fill", parse_volume)
    contents.done()
    demand = None
    if root.has("demand"):
        d = root.child("demand")
        profile = d.raw("hourly_profile", None)
        demand = BolusDemand(
            per_day=d.decimal("per_day"),
            hourly_profile=tuple(Decimal(str(w)) for w in profile)
            if profile
            else (Decimal(1),) * 24,
        )
        d.done()
    scenario = Scenario(
        name=meta.text("name"),
        description=meta.text("description", ""),
        start=_start(meta.raw("start")),
        horizon=meta.parse("horizon", parse_duration),
        seed=int(meta.raw("seed", 0)),
        pump=library.pump(pump.text("model")),
        serial=pump.text("serial", "TWIN-0001"),
        accuracy_bias_pct=pump.decimal("accuracy_bias_pct", None)
        if pump.has("accuracy_bias_pct")
        else None,
        battery_cost_days_per_ml=pump.decimal("battery_cost_days_per_ml", None)
        if pump.has("battery_cost_days_per_ml")
        else None,
        catheter=library.catheter(catheter.text("model")),
        catheter_length_cm=catheter.decimal("length_cm"),
        catheter_primed=catheter.text("filled_with", "csf") == "admixture",
        admixture=admixture,
        fill=fill,
        program=_program(root.child("program"), admixture),
        prime=bool(meta.raw("priming_bolus", default=False)),
        events=tuple(
            sorted(
                _events(root.raw("events", []), admixture)
                + (
                    _refill_schedule(root.child("refills"), meta.parse("horizon", parse_duration))
                    if root.has("refills")
                    else ()
                ),
                key=lambda e: e.at,
            )
        ),
        demand=demand,
        sample_every=meta.parse("sample_every", parse_duration, None),
    )
    for table in (meta, pump, catheter):
        table.done()
    if catheter.data.get("filled_with", "csf") not in ("csf", "admixture"):
        raise catheter.fail("filled_with", "'csf' (fresh implant) or 'admixture' (primed)")
    root.done()
    return scenario


def load_scenario(path: str, *, library: ReferenceLibrary | None = None) -> Scenario:
    """Read and parse a scenario file."""
    return parse_scenario(Path(path).read_text(encoding="utf-8"), library=library)
