"""A small command language for driving a twin from data (Hypothesis tests, equivalence checks).

A command is a plain tuple, so a sequence can be drawn by Hypothesis, printed when a test fails
and replayed on two twins. :func:`apply` runs one command and returns a text of its outcome
(the return value, or the stable code of the error it raised): two twins that behave
identically give identical outcome texts. :func:`fingerprint` renders everything observable
about a twin's state (both truths, alarms, logs, trace) for comparisons.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from thecal.adapters.program_codec import canonical_json, program_to_dict
from thecal.domain.admixture import Admixture
from thecal.domain.errors import ThecalError
from thecal.domain.library import ReferenceLibrary
from thecal.domain.program import FlexStep, InfusionProgram, PatientBolusSettings, ProgramMode
from thecal.domain.program import PeriodicBolus as PeriodicSpec
from thecal.domain.units import Concentration, DoseRate, Duration, FlowRate, Mass, Volume
from thecal.simulation.faults import (
    BatteryDepletion,
    DeliveryError,
    Fault,
    Leak,
    MotorStall,
    Occlusion,
    TelemetryFailure,
)
from thecal.simulation.status import PumpStatus
from thecal.simulation.trace import TraceRecord
from thecal.simulation.twin import PumpTwin

__all__ = [
    "Command",
    "apply",
    "commands",
    "fingerprint",
    "make_twin",
    "program_text",
    "random_commands",
    "trace_row",
    "twin_setups",
]

Command = tuple[Any, ...]
START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
CONCENTRATIONS = {"m10": 10, "m25": 25}
BOLUS = PatientBolusSettings(
    dose=Mass.from_mg(Decimal("0.25")),
    duration=Duration.minutes(15),
    lockout=Duration.hours(2),
    max_per_day=4,
)


def admixture(key: str) -> Admixture:
    if key == "hm2":
        return Admixture.single("hydromorphone", Concentration.from_mg_per_ml(2))
    return Admixture.single("morphine", Concentration.from_mg_per_ml(CONCENTRATIONS[key]))


def program(kind: str, key: str, doses: tuple[int, ...], *, patient: bool) -> InfusionProgram:
    """A program of ``kind``; ``doses`` in tenths of a mg/day (or of a mg for boluses)."""
    mix = admixture(key)
    rates = [DoseRate.from_mg_per_day(Decimal(d) / 10) for d in doses]
    settings = BOLUS if patient else None
    if kind == "continuous":
        return InfusionProgram.continuous(mix, rates[0], patient_bolus=settings)
    if kind == "flex":
        steps = tuple(FlexStep(start=Duration.hours(6 * i), rate=r) for i, r in enumerate(rates))
        return InfusionProgram(
            mode=ProgramMode.FLEX, admixture=mix, steps=steps, patient_bolus=settings
        )
    if kind == "weekly":
        steps = tuple(FlexStep(start=Duration.days(i), rate=r) for i, r in enumerate(rates))
        return InfusionProgram(
            mode=ProgramMode.FLEX,
            admixture=mix,
            steps=steps,
            cycle=Duration.days(7),
            patient_bolus=settings,
        )
    spec = PeriodicSpec(
        dose=Mass.from_mg(Decimal(max(doses[0], 1)) / 10),
        duration=Duration.minutes(30),
        every=Duration.hours(8),
        offset=Duration.minutes(doses[1] if len(doses) > 1 else 0),
    )
    if kind == "periodic":
        return InfusionProgram(mode=ProgramMode.PERIODIC_BOLUS, admixture=mix, periodic=spec)
    if kind == "single":
        return InfusionProgram(mode=ProgramMode.SINGLE_BOLUS, admixture=mix, single_bolus=spec)
    return InfusionProgram(mode=ProgramMode.STOPPED, admixture=mix)


def _fault(name: str, arg: int) -> Fault:
    hours = Duration.hours(arg) if arg else None
    faults: dict[str, Fault] = {
        "stall": MotorStall(duration=hours),
        "error": DeliveryError(percent=Decimal(arg * 3 - 40), duration=Duration.days(2)),
        "occlusion": Occlusion(duration=hours),
        "leak": Leak(percent=Decimal(min(max(arg, 1), 100)), duration=Duration.days(1)),
        "battery": BatteryDepletion(lost=Duration.days(300 * (arg + 1))),
        "telemetry": TelemetryFailure(
            duration=Duration.hours(arg + 1), applied=None if arg % 3 == 0 else arg % 3 == 1
        ),
    }
    return faults[name]


def apply(twin: PumpTwin, command: Command) -> str:
    """Run ``command`` on ``twin``; the outcome as text (value or error code)."""
    try:
        result = _run(twin, command)
    except ThecalError as error:
        return f"error {error.code}"
    if isinstance(result, PumpStatus):  # the program by value (see :func:`program_text`)
        return repr((dataclasses.replace(result, program=None), program_text(result.program)))
    return repr(result)


def program_text(program: InfusionProgram | None) -> str:
    """A program by value: equal programs give equal text, whatever their decimals' exponents.

    A restored twin's program is equal to the saved one but ``Decimal("250.00")`` may come back
    as ``Decimal("250")`` (the canonical program codec writes plain decimals).
    """
    return "" if program is None else canonical_json(program_to_dict(program))


def _run(twin: PumpTwin, command: Command) -> object:  # noqa: C901, PLR0911 - one branch per command
    name, *args = command
    if name == "advance":
        twin.advance_to_us(twin.now_us + args[0] * 60_000_000)
        return twin.now_us
    if name == "press":
        return twin.request_patient_bolus()
    if name == "program":
        kind, key, doses, patient = args
        return twin.program(program(kind, key, doses, patient=patient))
    if name == "bridge":
        key, dose = args
        return twin.bridge_bolus(program("continuous", key, (dose,), patient=False))
    if name == "prime":
        return twin.priming_bolus(flow=FlowRate.from_ml_per_day(args[0]) if args[0] else None)
    if name == "withdraw":
        return twin.withdraw_residual()
    if name == "inject":
        ml, key, pocket = args
        return twin.inject(Volume.from_ml(ml), admixture(key), pocket_percent=Decimal(pocket))
    if name == "mri":
        return twin.start_mri()
    if name == "mri-end":
        return twin.end_mri(recovery=Duration.minutes(args[0]) if args[0] else None)
    if name == "reset-valve":
        return twin.reset_valve()
    if name == "fault":
        return twin.inject_fault(_fault(args[0], args[1]))
    if name == "interrogate":
        return twin.interrogate()
    msg = f"unknown command {name}"
    raise ValueError(msg)


def fingerprint(twin: PumpTwin) -> str:
    """Everything observable about ``twin``: both truths, alarms, logs, queue, trace."""
    mech = twin.mech
    return repr(
        (
            twin.now_us,
            twin.belief,
            twin.truth,
            mech.motor,
            mech.believed,
            mech.counted,
            mech.reservoir.units,
            mech.tip.units,
            sorted(mech.tip.mcg.items()),
            sorted(mech.tissue.mcg.items()),
            sorted(mech.pocket.mcg.items()),
            mech.battery.spent,
            mech.battery.eri_at_us,
            sorted(mech.halts),
            mech.occluded,
            twin.eos,
            twin.dry,
            twin.filled,
            program_text(twin.program_),
            sorted(k.code for k in twin.alarms.active),
            twin.alarms.log,
            twin.events,
            twin.bolus_log,
            list(twin.gate.granted),
            [(at, prio, payload) for at, prio, _, payload in sorted(twin.queue.items())],
            [trace_row(record) for record in twin.trace],
        )
    )


def trace_row(record: TraceRecord) -> tuple[object, ...]:
    """A trace record's content, whatever its internal representation."""
    return (
        record.at_us,
        record.kind,
        record.name,
        record.priority,
        record.detail,
        record.believed_units,
        record.true_units,
        record.tip_units,
        record.tissue_units,
        record.pocket_units,
        record.tip_mcg,
        record.alarms,
    )


_PUMPS = ("synchromed-ii-20", "synchromed-ii-40", "prometra-20", "prometra-ii-20")


def make_twin(library: ReferenceLibrary, setup: tuple[str, str, bool, int]) -> PumpTwin:
    """A filled twin running 4 mg/day of morphine 10 mg/mL with patient boluses."""
    pump, bias, primed, seed = setup
    catheter = "prometra-catheter" if pump.startswith("prometra") else "indura-1p-8709sc"
    twin = PumpTwin(
        pump=library.pump(pump),
        catheter=library.catheter(catheter),
        catheter_length_cm=Decimal(55),
        start=START,
        library=library,
        accuracy_bias_pct=Decimal(bias),
        catheter_filled_with=admixture("m25") if primed else None,
        rng=random.Random(seed),
    )
    twin.inject(Volume.from_ml(18), admixture("m10"))
    twin.program(program("continuous", "m10", (40,), patient=True))
    return twin


def twin_setups() -> st.SearchStrategy[tuple[str, str, bool, int]]:
    return st.tuples(
        st.sampled_from(_PUMPS),
        st.sampled_from(["0", "2.5", "-2.4", "1"]),
        st.booleans(),
        st.integers(0, 3),
    )


_KEYS = st.sampled_from(["m10", "m25", "hm2"])
_DOSES = st.tuples(st.integers(0, 80), st.integers(0, 80), st.integers(0, 80), st.integers(0, 80))


def commands() -> st.SearchStrategy[Command]:
    """One command, weighted towards time passing and patient presses."""
    return st.one_of(
        st.tuples(st.just("advance"), st.integers(1, 60 * 24 * 40)),
        st.tuples(st.just("advance"), st.integers(1, 600)),
        st.tuples(st.just("press")),
        st.tuples(
            st.just("program"),
            st.sampled_from(["continuous", "flex", "weekly", "periodic", "single", "stopped"]),
            _KEYS,
            _DOSES,
            st.booleans(),
        ),
        st.tuples(st.just("bridge"), _KEYS, st.integers(5, 60)),
        st.tuples(st.just("prime"), st.sampled_from([0, 1, 5])),
        st.tuples(st.just("withdraw")),
        st.tuples(st.just("inject"), st.integers(1, 40), _KEYS, st.sampled_from([0, 0, 25, 100])),
        st.tuples(st.just("mri")),
        st.tuples(st.just("mri-end"), st.sampled_from([0, 90, 600])),
        st.tuples(st.just("reset-valve")),
        st.tuples(
            st.just("fault"),
            st.sampled_from(["stall", "error", "occlusion", "leak", "battery", "telemetry"]),
            st.integers(0, 30),
        ),
        st.tuples(st.just("interrogate")),
    )


_WEIGHTED: tuple[tuple[str, int], ...] = (
    ("advance-long", 12),
    ("advance-short", 10),
    ("press", 14),
    ("program", 4),
    ("bridge", 1),
    ("prime", 1),
    ("refill", 4),
    ("mri", 1),
    ("reset-valve", 1),
    ("fault", 3),
    ("interrogate", 2),
)


def random_commands(rng: random.Random, count: int) -> list[Command]:
    """``count`` commands drawn from ``rng``, weighted like a pump's life (time, presses, refills)."""
    names = [name for name, _ in _WEIGHTED]
    weights = [weight for _, weight in _WEIGHTED]
    out: list[Command] = []
    keys = ["m10", "m25", "hm2"]
    for name in rng.choices(names, weights, k=count):
        if name == "advance-long":
            out.append(("advance", rng.randint(60, 60 * 24 * 40)))
        elif name == "advance-short":
            out.append(("advance", rng.randint(1, 600)))
        elif name == "program":
            kind = rng.choice(["continuous", "flex", "flex", "weekly", "periodic", "single"])
            doses = tuple(rng.randint(0, 120) for _ in range(4 if kind != "continuous" else 1))
            if kind == "continuous":
                doses = (max(doses[0], 10),)
            out.append(("program", kind, rng.choice(keys), doses, rng.random() < 0.7))
        elif name == "bridge":
            out.append(("bridge", rng.choice(keys), rng.randint(5, 60)))
        elif name == "prime":
            out.append(("prime", rng.choice([0, 1, 5])))
        elif name == "refill":
            if rng.random() < 0.8:
                out.append(("withdraw",))
            out.append(("inject", rng.randint(1, 40), rng.choice(keys), rng.choice([0, 0, 0, 25])))
        elif name == "mri":
            out.append(("mri",))
            out.append(("advance", rng.randint(10, 90)))
            out.append(("mri-end", rng.choice([0, 90, 600])))
        elif name == "fault":
            kinds = ["stall", "error", "occlusion", "leak", "battery", "telemetry"]
            out.append(("fault", rng.choice(kinds), rng.randint(0, 30)))
        else:
            out.append((name,))
    return out
