"""Load and validate thecal's reference data (drugs, pumps, catheters, MME tables).

The files live in the ``thecal.data`` package as TOML. Every number must carry a source key and a
confidence tag; every quantity is read by the strict quantity parser; any problem raises
:class:`~thecal.domain.errors.DataFileInvalid` naming the file and the field — the loader never
skips an entry or fills in a default for a clinical number.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from thecal.domain.devices import CatheterModel, DeliveryMechanism, MriBehaviour, PumpModel
from thecal.domain.drugs import (
    Bound,
    DoseLimit,
    DoseRange,
    Drug,
    DrugClass,
    LimitedQuantity,
    LimitSeverity,
    MassRange,
    StabilityRule,
    TitrationLimit,
    TitrationPolicy,
    TitrationScope,
    WithdrawalRisk,
)
from thecal.domain.errors import DataFileInvalid, QuantityTextError, UnknownReference
from thecal.domain.mme import MethadoneTier, MmeFactor, MmeTable
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_flow_rate,
    parse_mass,
    parse_volume,
)
from thecal.domain.sourced import Confidence, Sourced
from thecal.domain.units import Concentration, DoseRate, MassUnit, TimeUnit

__all__ = ["ReferenceLibrary", "load_library", "reference_library"]

T = TypeVar("T")
E = TypeVar("E")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceLibrary:
    """All reference data, validated, indexed by id."""

    drugs: Mapping[str, Drug]
    pumps: Mapping[str, PumpModel]
    catheters: Mapping[str, CatheterModel]
    mme_tables: Mapping[str, MmeTable]
    default_mme_table: str
    versions: Mapping[str, str]

    def drug(self, drug_id: str) -> Drug:
        return _lookup(self.drugs, drug_id, "drug")

    def pump(self, model_id: str) -> PumpModel:
        return _lookup(self.pumps, model_id, "pump model")

    def catheter(self, model_id: str) -> CatheterModel:
        return _lookup(self.catheters, model_id, "catheter model")

    def mme_table(self, table_id: str | None = None) -> MmeTable:
        return _lookup(self.mme_tables, table_id or self.default_mme_table, "MME table")


def _lookup(items: Mapping[str, T], key: str, kind: str) -> T:
    try:
        return items[key]
    except KeyError:
        raise UnknownReference(kind=kind, name=key, known=", ".join(sorted(items))) from None


class _Reader:
    """Reads one TOML table, naming the file and the dotted field in every error."""

    def __init__(self, file: str, data: Mapping[str, Any], path: str) -> None:
        self.file = file
        self.data = data
        self.path = path

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, detail: str) -> DataFileInvalid:
        return DataFileInvalid(file=self.file, field=self._join(key), detail=detail)

    def child(self, key: str, data: Mapping[str, Any]) -> _Reader:
        return _Reader(self.file, data, self._join(key))

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.fail(key, "required field is missing")
        return self.data[key]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be non-empty text, got {value!r}")
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def enum(self, key: str, kind: type[E]) -> E:
        value = self.text(key)
        try:
            return kind(value)  # type: ignore[call-arg]
        except ValueError:
            known = ", ".join(str(member.value) for member in kind)  # type: ignore[attr-defined]
            raise self.fail(key, f"{value!r} is not one of {known}") from None

    def table(self, key: str) -> _Reader:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return self.child(key, value)

    def tables(self, key: str) -> list[_Reader]:
        value = self.raw(key) if key in self.data else []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(key, "must be a list of tables")
        return [self.child(f"{key}[{index}]", item) for index, item in enumerate(value)]

    def sourced(self, key: str, parse: Callable[[Any], T]) -> Sourced[T]:
        return self.table(key).as_sourced(parse)

    def maybe_sourced(self, key: str, parse: Callable[[Any], T]) -> Sourced[T] | None:
        if key not in self.data:
            return None
        return self.sourced(key, parse)

    def as_sourced(self, parse: Callable[[Any], T], value_key: str = "value") -> Sourced[T]:
        try:
            value = parse(self.raw(value_key))
        except (QuantityTextError, ValueError, InvalidOperation, TypeError) as error:
            raise self.fail(value_key, str(error)) from None
        source = self.text("source")
        confidence = self.enum("confidence", Confidence)
        note = self.data.get("note", "")
        if not isinstance(note, str):
            raise self.fail("note", "must be text")
        return Sourced(value=value, source=source, confidence=confidence, note=note)


def _decimal(raw: Any) -> Decimal:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        msg = f"write the number as text or an integer, got {raw!r}"
        raise TypeError(msg)
    value = Decimal(raw)
    if not value.is_finite() or value < 0:
        msg = f"must be a finite number ≥ 0, got {raw!r}"
        raise ValueError(msg)
    return value


def _positive_int(raw: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
        msg = f"must be a whole number > 0, got {raw!r}"
        raise ValueError(msg)
    return raw


def _same(raw: T) -> T:
    return raw


def _text_tuple(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        msg = f"must be a list of ids, got {raw!r}"
        raise TypeError(msg)
    return tuple(raw)


def _positive(parse: Callable[[str], T]) -> Callable[[Any], T]:
    def parse_positive(raw: Any) -> T:
        if not isinstance(raw, str):
            msg = f"write the quantity as text with its unit, got {raw!r}"
            raise TypeError(msg)
        value = parse(raw)
        if getattr(value, "value", Decimal(1)) <= 0:
            msg = f"must be greater than zero, got {raw!r}"
            raise ValueError(msg)
        return value

    return parse_positive


def _range(
    reader: _Reader, key: str, parse: Callable[[Any], Any], kind: type
) -> Sourced[Any] | None:
    if key not in reader.data:
        return None
    entry = reader.table(key)
    low = entry.as_sourced(parse, "low")
    high = entry.as_sourced(parse, "high")
    if high.value < low.value:
        raise entry.fail("high", f"{high.value} is below low {low.value}")
    return Sourced(
        value=kind(low=low.value, high=high.value),
        source=low.source,
        confidence=low.confidence,
        note=low.note,
    )


def _limit(entry: _Reader) -> DoseLimit:
    quantity = entry.enum("quantity", LimitedQuantity)
    limit: Sourced[Concentration] | Sourced[DoseRate]
    if quantity is LimitedQuantity.CONCENTRATION:
        limit = entry.as_sourced(_positive(parse_concentration))
    else:
        limit = entry.as_sourced(_positive(parse_dose_rate))
    return DoseLimit(
        quantity=quantity,
        bound=entry.enum("bound", Bound),
        severity=entry.enum("severity", LimitSeverity),
        limit=limit,
    )


def _titration(entry: _Reader) -> TitrationLimit:
    limit = TitrationLimit(
        policy=entry.enum("policy", TitrationPolicy),
        scope=entry.enum("scope", TitrationScope),
        max_increase_pct=entry.maybe_sourced("max_increase_pct", _positive_int),
        max_increase=entry.maybe_sourced("max_increase", _positive(parse_dose_rate)),
        min_interval=entry.maybe_sourced("min_interval", _positive(parse_duration)),
    )
    if limit.max_increase_pct is None and limit.max_increase is None:
        raise entry.fail("max_increase", "a titration limit needs max_increase_pct or max_increase")
    return limit


def _drug(entry: _Reader) -> Drug:
    strengths = tuple(
        s.as_sourced(_positive(parse_concentration)) for s in entry.tables("strengths")
    )
    return Drug(
        id=entry.text("id"),
        name=entry.text("name"),
        drug_class=entry.enum("class", DrugClass),
        dose_unit=_dose_unit(entry),
        strengths=strengths,
        limits=tuple(_limit(limit) for limit in entry.tables("limits")),
        start_naive=_range(entry, "start_naive", _positive(parse_dose_rate), DoseRange),
        start_tolerant=_range(entry, "start_tolerant", _positive(parse_dose_rate), DoseRange),
        titration=tuple(_titration(t) for t in entry.tables("titration")),
        trial_bolus=_range(entry, "trial_bolus", _positive(parse_mass), MassRange),
        stability=tuple(
            StabilityRule(
                days=s.sourced("days", _positive_int),
                undiluted_only=s.boolean("undiluted_only", default=False),
                diluted_only=s.boolean("diluted_only", default=False),
            )
            for s in entry.tables("stability")
        ),
        first_fill_max_days=entry.maybe_sourced("first_fill_max_days", _positive_int),
        patient_bolus_allowed=entry.sourced("patient_bolus_allowed", _boolean),
        withdrawal_risk=entry.sourced("withdrawal_risk", WithdrawalRisk),
        granuloma_watch_concentration=entry.maybe_sourced(
            "granuloma_watch_concentration", _positive(parse_concentration)
        ),
        fda_approved_for_it=entry.sourced("fda_approved_for_it", _boolean),
    )


def _dose_unit(entry: _Reader) -> MassUnit:
    units = {"mg": MassUnit.MG, "mcg": MassUnit.MCG}
    value = entry.text("dose_unit")
    if value not in units:
        raise entry.fail("dose_unit", f"must be 'mg' or 'mcg', got {value!r}")
    return units[value]


def _boolean(raw: Any) -> bool:
    if not isinstance(raw, bool):
        msg = f"must be true or false, got {raw!r}"
        raise TypeError(msg)
    return raw


def _pump(entry: _Reader) -> PumpModel:
    mechanism = entry.enum("mechanism", DeliveryMechanism)
    stroke = entry.maybe_sourced("stroke_volume", _positive(parse_volume))
    if mechanism is DeliveryMechanism.VALVE_GATED and stroke is None:
        raise entry.fail("stroke_volume", "a valve-gated pump needs its stroke volume")
    min_flow = entry.sourced("min_flow", _positive(parse_flow_rate))
    max_flow = entry.sourced("max_flow", _positive(parse_flow_rate))
    if max_flow.value <= min_flow.value:
        raise entry.fail("max_flow", "must be above min_flow")
    fav = entry.boolean("flow_activated_valve")
    fav_leak = entry.maybe_sourced("fav_leak", _positive(parse_volume))
    if fav and fav_leak is None:
        raise entry.fail("fav_leak", "a flow-activated valve needs the volume it lets pass")
    return PumpModel(
        id=entry.text("id"),
        name=entry.text("name"),
        manufacturer=entry.text("manufacturer"),
        model_number=entry.text("model_number"),
        mechanism=mechanism,
        reservoir=entry.sourced("reservoir", _positive(parse_volume)),
        min_flow=min_flow,
        max_flow=max_flow,
        internal_volume=entry.sourced("internal_volume", _positive(parse_volume)),
        stroke_volume=stroke,
        accuracy_band_pct=entry.sourced("accuracy_band_pct", _decimal),
        bias_cumulative_pct=entry.sourced("bias_cumulative_pct", _decimal),
        bias_per_refill_pct=entry.maybe_sourced("bias_per_refill_pct", _decimal),
        low_reservoir_alarm=entry.sourced("low_reservoir_alarm", _positive(parse_volume)),
        service_life=entry.sourced("service_life", _positive(parse_duration)),
        eri_to_stop=entry.maybe_sourced("eri_to_stop", _positive(parse_duration)),
        mri=entry.enum("mri", MriBehaviour),
        mri_recovery_max=entry.maybe_sourced("mri_recovery_max", _positive(parse_duration)),
        flow_activated_valve=fav,
        fav_leak=fav_leak,
        approved_drugs=entry.sourced("approved_drugs", _text_tuple),
        discrepancy_threshold=entry.sourced("discrepancy_threshold", _positive(parse_volume)),
    )


def _catheter(entry: _Reader) -> CatheterModel:
    return CatheterModel(
        id=entry.text("id"),
        name=entry.text("name"),
        manufacturer=entry.text("manufacturer"),
        volume_per_cm=entry.sourced("volume_per_cm", _positive(parse_volume)),
        supplied_length_cm=entry.maybe_sourced("supplied_length_cm", _decimal),
    )


def _mme_table(entry: _Reader) -> MmeTable:
    factors: dict[str, MmeFactor] = {}
    for item in entry.tables("factors"):
        drug = item.text("drug")
        per = item.text("per")
        if per not in ("mg/day", "mcg/h"):
            raise item.fail("per", f"must be 'mg/day' or 'mcg/h', got {per!r}")
        unit, time = (
            (MassUnit.MG, TimeUnit.DAY) if per == "mg/day" else (MassUnit.MCG, TimeUnit.HOUR)
        )
        try:
            factor = _decimal(item.raw("factor"))
        except (TypeError, ValueError, InvalidOperation) as error:
            raise item.fail("factor", str(error)) from None
        factors[drug] = MmeFactor(drug=drug, unit=unit, per=time, factor=factor)
    tiers: list[MethadoneTier] = []
    for item in entry.tables("methadone_tiers"):
        up_to = _decimal(item.data["up_to_mg_per_day"]) if "up_to_mg_per_day" in item.data else None
        tiers.append(MethadoneTier(up_to_mg_per_day=up_to, factor=_decimal(item.raw("factor"))))
    if tiers and tiers[-1].up_to_mg_per_day is not None:
        raise entry.fail("methadone_tiers", "the last tier must be open-ended")
    if not tiers and "methadone" not in factors:
        raise entry.fail("factors", "a table needs a methadone factor or methadone tiers")
    return MmeTable(
        id=entry.text("id"),
        name=entry.text("name"),
        source=entry.text("source"),
        confidence=entry.enum("confidence", Confidence),
        factors=factors,
        methadone_tiers=tuple(tiers),
    )


def _read(file: str, texts: Mapping[str, str]) -> dict[str, Any]:
    try:
        return tomllib.loads(texts[file])
    except tomllib.TOMLDecodeError as error:
        raise DataFileInvalid(file=file, field="(syntax)", detail=str(error)) from None


def _index(file: str, items: list[T], key: Callable[[T], str]) -> dict[str, T]:
    index: dict[str, T] = {}
    for item in items:
        ident = key(item)
        if ident in index:
            raise DataFileInvalid(file=file, field="id", detail=f"duplicate id {ident!r}")
        index[ident] = item
    return index


FILES = ("drugs.toml", "pumps.toml", "catheters.toml", "mme.toml")


def load_library(texts: Mapping[str, str]) -> ReferenceLibrary:
    """Build a validated library from the text of each data file (keys: :data:`FILES`).

    Raises:
        DataFileInvalid: naming the file and the field of the first problem found.
    """
    raw = {file: _read(file, texts) for file in FILES}
    drugs_root = _Reader("drugs.toml", raw["drugs.toml"], "")
    drugs = _index("drugs.toml", [_drug(d) for d in drugs_root.tables("drug")], lambda d: d.id)
    pumps_root = _Reader("pumps.toml", raw["pumps.toml"], "")
    pumps = _index("pumps.toml", [_pump(p) for p in pumps_root.tables("pump")], lambda p: p.id)
    for pump in pumps.values():
        unknown = [d for d in pump.approved_drugs.value if d not in drugs]
        if unknown:
            raise DataFileInvalid(
                file="pumps.toml",
                field=f"{pump.id}.approved_drugs",
                detail=f"unknown drugs {unknown}",
            )
    cath_root = _Reader("catheters.toml", raw["catheters.toml"], "")
    catheters = _index(
        "catheters.toml", [_catheter(c) for c in cath_root.tables("catheter")], lambda c: c.id
    )
    mme_root = _Reader("mme.toml", raw["mme.toml"], "")
    tables = _index("mme.toml", [_mme_table(t) for t in mme_root.tables("table")], lambda t: t.id)
    default = mme_root.text("default") if "default" in raw["mme.toml"] else ""
    if default not in tables:
        raise DataFileInvalid(file="mme.toml", field="default", detail=f"unknown table {default!r}")
    return ReferenceLibrary(
        drugs=drugs,
        pumps=pumps,
        catheters=catheters,
        mme_tables=tables,
        default_mme_table=default,
        versions={file: str(raw[file].get("version", "")) for file in FILES},
    )


@cache
def reference_library() -> ReferenceLibrary:
    """The library shipped with thecal (read once, then cached)."""
    package = resources.files("thecal.data")
    texts = {file: (package / file).read_text(encoding="utf-8") for file in FILES}
    return load_library(texts)
