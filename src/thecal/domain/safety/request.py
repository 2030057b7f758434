"""Reading a JSON-shaped review request into a :class:`ReviewContext`.

The reader is strict: every field is checked for presence, type and meaning; an unknown field is
an error (a typo such as ``aspiration_confirmd`` must never read as "not confirmed" or be
ignored); every quantity is text with its unit read by the strict quantity parser. Each problem
raises its own :mod:`~thecal.domain.safety.errors` leaf naming the JSON path. The format is
documented in ``docs/review-format.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from thecal.domain.admixture import Admixture, Component
from thecal.domain.errors import QuantityTextError, UnknownReference, ValueOutOfRange
from thecal.domain.library import ReferenceLibrary
from thecal.domain.program import FlexStep, PatientBolusSettings
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_mass,
    parse_volume,
)
from thecal.domain.safety.context import (
    ActionKind,
    CatheterState,
    CurrentTherapy,
    Indication,
    MriPlan,
    OpioidStatus,
    Patient,
    Prescription,
    Proposal,
    Proposer,
    PumpState,
    Refill,
    ReviewContext,
    Role,
    SpasticityOrigin,
    TrialDose,
    spinal_level_rank,
)
from thecal.domain.safety.errors import (
    InconsistentRequest,
    InvalidQuantity,
    InvalidTimestamp,
    InvalidValue,
    MissingField,
    RequestNotJson,
    UnknownField,
    UnknownValue,
    UnsupportedFormat,
    WrongType,
)
from thecal.domain.safety.findings import Severity
from thecal.domain.safety.rules import ALL_RULES

__all__ = ["FORMAT", "parse_review_request", "parse_review_request_text"]

FORMAT = "thecal-review/1"
T = TypeVar("T")
E = TypeVar("E", bound=Enum)


def _kind(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }
    if isinstance(value, _BareNumber):
        return f"the bare number {value.text} (write quantities as text with a unit)"
    return "null" if value is None else names.get(type(value), type(value).__name__)


class _Node:
    """One JSON object with its path; every read names the path in its error."""

    def __init__(self, data: object, path: str, allowed: frozenset[str]) -> None:
        if not isinstance(data, dict):
            raise WrongType(where=path, expected="an object", got=_kind(data))
        for key in data:
            if key not in allowed:
                raise UnknownField(where=f"{path}.{key}", known=", ".join(sorted(allowed)))
        self.data: dict[str, Any] = data
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        if not self.has(key):
            raise MissingField(where=self.at(key))
        return self.data[key]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise WrongType(where=self.at(key), expected="non-empty text", got=_kind(value))
        return value

    def flag(self, key: str, *, default: bool | None = None) -> bool:
        if default is not None and not self.has(key):
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise WrongType(where=self.at(key), expected="true or false", got=_kind(value))
        return value

    def whole(self, key: str, *, low: int, high: int) -> int:
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise WrongType(where=self.at(key), expected="a whole number", got=_kind(value))
        if not low <= value <= high:
            raise InvalidValue(where=self.at(key), detail=f"must be {low}–{high}, got {value}")
        return value

    def choice(self, key: str, kind: type[E]) -> E:
        value = self.text(key)
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(str(member.value) for member in kind)
            raise UnknownValue(where=self.at(key), value=value, known=known) from None

    def maybe_choice(self, key: str, kind: type[E]) -> E | None:
        return self.choice(key, kind) if self.has(key) else None

    def quantity(self, key: str, parse: Callable[[str], T], *, positive: bool = False) -> T:
        value = self.raw(key)
        if not isinstance(value, str):
            raise WrongType(
                where=self.at(key), expected='text with a unit, e.g. "25 mg/mL"', got=_kind(value)
            )
        try:
            result = parse(value)
        except QuantityTextError as error:
            raise InvalidQuantity(
                where=self.at(key), detail=error.message, quantity_code=error.code
            ) from None
        if positive and getattr(result, "value", Decimal(1)) <= 0:
            raise InvalidValue(
                where=self.at(key), detail=f"must be greater than zero, got {value!r}"
            )
        return result

    def maybe_quantity(
        self, key: str, parse: Callable[[str], T], *, positive: bool = False
    ) -> T | None:
        return self.quantity(key, parse, positive=positive) if self.has(key) else None

    def timestamp(self, key: str) -> dt.datetime:
        value = self.text(key)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidTimestamp(
                where=self.at(key), detail=f"{value!r} is not an ISO 8601 date-time"
            ) from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidTimestamp(
                where=self.at(key), detail=f"{value!r} has no time zone; add one, e.g. +00:00"
            )
        return moment

    def maybe_timestamp(self, key: str) -> dt.datetime | None:
        return self.timestamp(key) if self.has(key) else None

    def child(self, key: str, allowed: frozenset[str]) -> _Node:
        return _Node(self.raw(key), self.at(key), allowed)

    def items(self, key: str) -> Iterator[tuple[str, Any]]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise WrongType(where=self.at(key), expected="a non-empty list", got=_kind(value))
        for index, item in enumerate(value):
            yield f"{self.at(key)}[{index}]", item


@contextmanager
def _building(where: str) -> Iterator[None]:
    """Turn a value object's own refusal into an error at ``where``."""
    try:
        yield
    except ValueOutOfRange as error:
        raise InvalidValue(where=where, detail=error.message) from None


def _fields(*names: str) -> frozenset[str]:
    return frozenset(names)


class _Reader:
    def __init__(self, library: ReferenceLibrary) -> None:
        self.library = library

    def drug_id(self, node: _Node, key: str) -> str:
        value = node.text(key)
        if value not in self.library.drugs:
            raise UnknownValue(
                where=node.at(key), value=value, known=", ".join(sorted(self.library.drugs))
            )
        return value

    def admixture(self, parent: _Node, key: str) -> Admixture:
        components = []
        for path, item in parent.items(key):
            node = _Node(item, path, _fields("drug", "concentration"))
            components.append(
                Component(
                    drug_id=self.drug_id(node, "drug"),
                    concentration=node.quantity(
                        "concentration", parse_concentration, positive=True
                    ),
                )
            )
        with _building(parent.at(key)):
            return Admixture(components=tuple(components))

    def bolus(self, node: _Node) -> PatientBolusSettings:
        with _building(node.path):
            return PatientBolusSettings(
                dose=node.quantity("dose", parse_mass, positive=True),
                duration=node.quantity("duration", parse_duration, positive=True),
                lockout=node.quantity("lockout", parse_duration, positive=True),
                max_per_day=node.whole("max_per_day", low=1, high=96),
            )

    def prescription(self, node: _Node) -> Prescription:
        admixture = self.admixture(node, "admixture")
        bolus = None
        if node.has("patient_bolus"):
            bolus = self.bolus(
                node.child("patient_bolus", _fields("dose", "duration", "lockout", "max_per_day"))
            )
        if node.has("steps") == node.has("daily_dose"):
            raise InconsistentRequest(
                where=node.path, detail="give exactly one of daily_dose or steps"
            )
        if node.has("daily_dose"):
            dose = node.quantity("daily_dose", parse_dose_rate)
            return Prescription(admixture=admixture, daily_dose=dose, patient_bolus=bolus)
        steps = []
        for path, item in node.items("steps"):
            step = _Node(item, path, _fields("start", "rate"))
            steps.append(
                FlexStep(
                    start=step.quantity("start", parse_duration),
                    rate=step.quantity("rate", parse_dose_rate),
                )
            )
        with _building(node.at("steps")):
            prescription = Prescription(
                admixture=admixture,
                daily_dose=parse_dose_rate("0 mg/day"),
                steps=tuple(steps),
                patient_bolus=bolus,
            )
            program = prescription.program()
        return Prescription(
            admixture=admixture,
            daily_dose=program.basal_daily_dose,
            steps=tuple(steps),
            patient_bolus=bolus,
        )

    def patient(self, node: _Node) -> Patient:
        level = (
            node.text("spinal_cord_injury_level") if node.has("spinal_cord_injury_level") else None
        )
        if level is not None and spinal_level_rank(level) is None:
            raise InvalidValue(
                where=node.at("spinal_cord_injury_level"),
                detail=f"{level!r} is not a level such as C5, T6 or L1",
            )
        return Patient(
            age_years=node.whole("age_years", low=0, high=130),
            indication=node.choice("indication", Indication),
            cancer=node.flag("cancer"),
            opioid_status=node.maybe_choice("opioid_status", OpioidStatus),
            psychosis_history=node.flag("psychosis_history", default=False),
            spasticity_origin=node.maybe_choice("spasticity_origin", SpasticityOrigin),
            spinal_cord_injury_level=level,
            communication_difficulty=node.flag("communication_difficulty", default=False),
            previous_withdrawal=node.flag("previous_withdrawal", default=False),
            active_infection=node.flag("active_infection", default=False),
            bleeding_risk=node.flag("bleeding_risk", default=False),
            uncontrolled_bleeding=node.flag("uncontrolled_bleeding", default=False),
            anticoagulated=node.flag("anticoagulated", default=False),
            anticoagulation_plan=node.flag("anticoagulation_plan", default=False),
        )

    def pump(self, node: _Node) -> PumpState:
        model = node.text("model")
        try:
            self.library.pump(model)
        except UnknownReference:
            raise UnknownValue(
                where=node.at("model"), value=model, known=", ".join(sorted(self.library.pumps))
            ) from None
        catheter = None
        if node.has("catheter"):
            cat = node.child("catheter", _fields("model", "implanted_length_cm"))
            name = cat.text("model")
            if name not in self.library.catheters:
                raise UnknownValue(
                    where=cat.at("model"),
                    value=name,
                    known=", ".join(sorted(self.library.catheters)),
                )
            catheter = CatheterState(model=name, implanted_length_cm=_length(cat))
        implanted = None
        if node.has("implanted_on"):
            try:
                implanted = dt.date.fromisoformat(node.text("implanted_on"))
            except ValueError:
                raise InvalidTimestamp(
                    where=node.at("implanted_on"), detail="not an ISO 8601 date (YYYY-MM-DD)"
                ) from None
        return PumpState(
            model=model,
            reservoir=node.quantity("reservoir", parse_volume),
            low_reservoir_alarm=node.maybe_quantity("low_reservoir_alarm", parse_volume),
            catheter=catheter,
            implanted_on=implanted,
            eri_reached_at=node.maybe_timestamp("eri_reached_at"),
            end_of_service=node.maybe_timestamp("end_of_service"),
        )

    def refill(self, node: _Node) -> Refill:
        return Refill(
            volume=node.quantity("volume", parse_volume, positive=True),
            admixture=self.admixture(node, "admixture"),
            verified_admixture=self.admixture(node, "verified_admixture")
            if node.has("verified_admixture")
            else None,
            programmed_admixture=self.admixture(node, "programmed_admixture")
            if node.has("programmed_admixture")
            else None,
            aspiration_confirmed=node.flag("aspiration_confirmed"),
            expected_residual=node.maybe_quantity("expected_residual", parse_volume),
            measured_residual=node.maybe_quantity("measured_residual", parse_volume),
            expected_delivered=node.maybe_quantity("expected_delivered", parse_volume),
            next_refill_at=node.timestamp("next_refill_at"),
            first_fill=node.flag("first_fill", default=False),
        )

    def proposal(self, node: _Node) -> Proposal:
        trial = None
        if node.has("trial"):
            t = node.child("trial", _fields("drug", "dose", "dosed_at", "discharge_at"))
            trial = TrialDose(
                drug=self.drug_id(t, "drug"),
                dose=t.quantity("dose", parse_mass, positive=True),
                dosed_at=t.maybe_timestamp("dosed_at"),
                discharge_at=t.maybe_timestamp("discharge_at"),
            )
        mri = None
        if node.has("mri"):
            m = node.child("mri", _fields("planned_at", "pump_emptied"))
            mri = MriPlan(planned_at=m.timestamp("planned_at"), pump_emptied=m.flag("pump_emptied"))
        return Proposal(
            prescription=self.prescription(node.child("prescription", _PRESCRIPTION))
            if node.has("prescription")
            else None,
            programmed_admixture=self.admixture(node, "programmed_admixture")
            if node.has("programmed_admixture")
            else None,
            refill=self.refill(node.child("refill", _REFILL)) if node.has("refill") else None,
            trial=trial,
            mri=mri,
        )

    def current(self, node: _Node) -> CurrentTherapy:
        return CurrentTherapy(
            prescription=self.prescription(node.child("prescription", _PRESCRIPTION)),
            last_dose_change_at=node.maybe_timestamp("last_dose_change_at"),
            daily_dose_year_ago=node.maybe_quantity("daily_dose_year_ago", parse_dose_rate),
        )


def _length(node: _Node) -> Decimal:
    text = node.text("implanted_length_cm")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(
            where=node.at("implanted_length_cm"), detail=f"{text!r} is not a number of centimetres"
        ) from None
    if not value.is_finite() or value <= 0:
        raise InvalidValue(where=node.at("implanted_length_cm"), detail="must be a number > 0")
    return value


_PRESCRIPTION = _fields("admixture", "daily_dose", "steps", "patient_bolus")
_REFILL = _fields(
    "volume",
    "admixture",
    "verified_admixture",
    "programmed_admixture",
    "aspiration_confirmed",
    "expected_residual",
    "measured_residual",
    "expected_delivered",
    "next_refill_at",
    "first_fill",
)
_TOP = _fields(
    "format",
    "action",
    "at",
    "proposed_by",
    "acknowledged",
    "patient",
    "pump",
    "current",
    "proposal",
)
_PATIENT = _fields(
    "age_years",
    "indication",
    "cancer",
    "opioid_status",
    "psychosis_history",
    "spasticity_origin",
    "spinal_cord_injury_level",
    "communication_difficulty",
    "previous_withdrawal",
    "active_infection",
    "bleeding_risk",
    "uncontrolled_bleeding",
    "anticoagulated",
    "anticoagulation_plan",
)
_PUMP = _fields(
    "model",
    "reservoir",
    "low_reservoir_alarm",
    "catheter",
    "implanted_on",
    "eri_reached_at",
    "end_of_service",
)
_PROPOSAL = _fields("prescription", "programmed_admixture", "refill", "trial", "mri")

#: What each action needs besides the patient (section, where it lives).
_NEEDS: Mapping[ActionKind, tuple[str, ...]] = {
    ActionKind.NEW_START: ("pump", "proposal.prescription"),
    ActionKind.PROGRAM_CHANGE: ("pump", "current", "proposal.prescription"),
    ActionKind.REFILL: ("pump", "current", "proposal.refill"),
    ActionKind.TRIAL: ("proposal.trial",),
    ActionKind.TRIAL_DISCHARGE: ("proposal.trial", "proposal.trial.dosed_at"),
    ActionKind.IMPLANT: (),
    ActionKind.MRI: ("pump", "proposal.mri"),
}


def _check_needs(action: ActionKind, data: Mapping[str, Any]) -> None:
    for need in _NEEDS[action]:
        value: Any = data
        for part in need.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            raise InconsistentRequest(
                where=f"$.{need}", detail=f"a {action.value} review needs this section"
            )


def _acknowledged(top: _Node) -> frozenset[str]:
    if not top.has("acknowledged"):
        return frozenset()
    value = top.raw("acknowledged")
    if not isinstance(value, list):
        raise WrongType(
            where=top.at("acknowledged"), expected="a list of warning codes", got=_kind(value)
        )
    warnings = {rule.code for rule in ALL_RULES if rule.severity is Severity.WARN}
    for index, code in enumerate(value):
        where = f"{top.at('acknowledged')}[{index}]"
        if not isinstance(code, str) or code not in warnings:
            raise UnknownValue(where=where, value=code, known=", ".join(sorted(warnings)))
    return frozenset(value)


def parse_review_request(data: object, *, library: ReferenceLibrary) -> ReviewContext:
    """Read a JSON-shaped review request (already decoded) into a :class:`ReviewContext`.

    Raises:
        ReviewRequestInvalid: a specific leaf naming the JSON path of the first problem.
    """
    top = _Node(data, "$", _TOP)
    fmt = top.text("format")
    if fmt != FORMAT:
        raise UnsupportedFormat(where=top.at("format"), value=fmt, expected=FORMAT)
    action = top.choice("action", ActionKind)
    proposal = top.child("proposal", _PROPOSAL)
    _check_needs(action, top.data)
    reader = _Reader(library)
    by = top.child("proposed_by", _fields("user_id", "role"))
    return ReviewContext(
        action=action,
        at=top.timestamp("at"),
        proposer=Proposer(user_id=by.text("user_id"), role=by.choice("role", Role)),
        patient=reader.patient(top.child("patient", _PATIENT)),
        pump=reader.pump(top.child("pump", _PUMP)) if top.has("pump") else None,
        current=reader.current(
            top.child(
                "current", _fields("prescription", "last_dose_change_at", "daily_dose_year_ago")
            )
        )
        if top.has("current")
        else None,
        proposal=reader.proposal(proposal),
        acknowledged=_acknowledged(top),
    )


def parse_review_request_text(text: str, *, library: ReferenceLibrary) -> ReviewContext:
    """Decode JSON text and read it as a review request.

    Raises:
        RequestNotJson: the text is not JSON.
        ReviewRequestInvalid: see :func:`parse_review_request`.
    """
    try:
        data = json.loads(text, parse_float=_no_float, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise RequestNotJson(
            where=f"line {error.lineno} column {error.colno}", detail=error.msg
        ) from None
    return parse_review_request(data, library=library)


class _BareNumber:
    """A JSON number with a fraction: quantities are text with their unit, never bare numbers."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _no_float(text: str) -> _BareNumber:
    return _BareNumber(text)


def _no_constant(text: str) -> _BareNumber:
    return _BareNumber(text)
