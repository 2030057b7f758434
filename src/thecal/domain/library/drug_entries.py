"""Reading ``drugs.toml``: one :class:`~thecal.domain.drugs.Drug` per ``[[drug]]`` table.

Besides the shape of each field, the loader checks what the safety review relies on (issue 14):

* every drug has a daily-dose maximum or says, with a source, that none is known;
* every drug has a starting range or a start from its screening dose;
* every opioid has an intrathecal morphine ratio (rotation is checked in morphine terms);
* a limit for a population needs the drug's paediatric age;
* every ``ext:`` source key used is declared in a ``[[source]]`` table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from thecal.domain.drugs import (
    Bound,
    DoseLimit,
    DoseRange,
    Drug,
    DrugClass,
    EquianalgesicRatio,
    FirstFill,
    LimitedQuantity,
    LimitSeverity,
    MassRange,
    Population,
    ScreeningStart,
    StabilityRule,
    TitrationLimit,
    TitrationPhase,
    TitrationPolicy,
    TitrationScope,
    WithdrawalRisk,
)
from thecal.domain.errors import DataFileInvalid
from thecal.domain.library.toml_reader import (
    TomlReader,
    boolean,
    positive,
    positive_decimal,
    positive_int,
)
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_mass,
    parse_volume,
)
from thecal.domain.sourced import Sourced
from thecal.domain.units import Concentration, DoseRate, MassUnit

__all__ = ["ExternalSource", "read_drugs"]

FILE = "drugs.toml"
_EXT = re.compile(r"ext:[A-Za-z0-9-]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalSource:
    """A source that ``clinical.md`` §12 lacks, declared in ``drugs.toml`` (key ``ext:…``)."""

    key: str
    title: str
    url: str


def _range(reader: TomlReader, key: str, parse: Callable[[Any], Any], kind: type) -> Any:
    if not reader.has(key):
        return None
    entry = reader.table(key)
    low = entry.parsed("low", parse)
    high = entry.parsed("high", parse)
    if high < low:
        raise entry.fail("high", f"{high} is below low {low}")
    extra = {}
    if kind is DoseRange:
        extra["high_severity"] = entry.maybe_enum(
            "high_severity", LimitSeverity, LimitSeverity.SOFT
        )
    return entry.sourcing(kind(low=low, high=high, **extra))


def _limit(entry: TomlReader) -> DoseLimit:
    quantity = entry.enum("quantity", LimitedQuantity)
    limit: Sourced[Concentration] | Sourced[DoseRate]
    if quantity is LimitedQuantity.CONCENTRATION:
        limit = entry.as_sourced(positive(parse_concentration))
    else:
        limit = entry.as_sourced(positive(parse_dose_rate))
    return DoseLimit(
        quantity=quantity,
        bound=entry.enum("bound", Bound),
        severity=entry.enum("severity", LimitSeverity),
        limit=limit,
        population=entry.maybe_enum("population", Population, Population.ANY),
    )


def _titration(entry: TomlReader) -> TitrationLimit:
    limit = TitrationLimit(
        policy=entry.enum("policy", TitrationPolicy),
        scope=entry.enum("scope", TitrationScope),
        max_increase_pct=entry.maybe_sourced("max_increase_pct", positive_int),
        max_increase=entry.maybe_sourced("max_increase", positive(parse_dose_rate)),
        min_interval=entry.maybe_sourced("min_interval", positive(parse_duration)),
        phase=entry.maybe_enum("phase", TitrationPhase, TitrationPhase.ANY),
    )
    if limit.max_increase_pct is None and limit.max_increase is None:
        raise entry.fail("max_increase", "a titration limit needs max_increase_pct or max_increase")
    return limit


def _ratio(entry: TomlReader) -> Sourced[EquianalgesicRatio] | None:
    if not entry.has("it_morphine_ratio"):
        return None
    table = entry.table("it_morphine_ratio")
    low, high = table.parsed("low", positive_decimal), table.parsed("high", positive_decimal)
    if high < low:
        raise table.fail("high", f"{high} is below low {low}")
    return table.sourcing(EquianalgesicRatio(low=low, high=high))


def _screening_start(entry: TomlReader) -> ScreeningStart | None:
    if not entry.has("start_from_screening"):
        return None
    table = entry.table("start_from_screening")
    return ScreeningStart(
        factor=table.as_sourced(positive_decimal, "factor"),
        severity=table.enum("severity", LimitSeverity),
    )


def _first_fill(entry: TomlReader) -> FirstFill | None:
    if not entry.has("first_fill"):
        return None
    table = entry.table("first_fill")
    return FirstFill(
        concentration=table.as_sourced(positive(parse_concentration), "concentration"),
        rinses=table.as_sourced(positive_int, "rinses"),
        rinse_volume=table.parsed("rinse_volume", positive(parse_volume)),
    )


def _dose_unit(entry: TomlReader) -> MassUnit:
    units = {"mg": MassUnit.MG, "mcg": MassUnit.MCG}
    value = entry.text("dose_unit")
    if value not in units:
        raise entry.fail("dose_unit", f"must be 'mg' or 'mcg', got {value!r}")
    return units[value]


def _drug(entry: TomlReader) -> Drug:
    drug = Drug(
        id=entry.text("id"),
        name=entry.text("name"),
        drug_class=entry.enum("class", DrugClass),
        dose_unit=_dose_unit(entry),
        strengths=tuple(
            s.as_sourced(positive(parse_concentration)) for s in entry.tables("strengths")
        ),
        limits=tuple(_limit(limit) for limit in entry.tables("limits")),
        start_naive=_range(entry, "start_naive", positive(parse_dose_rate), DoseRange),
        start_tolerant=_range(entry, "start_tolerant", positive(parse_dose_rate), DoseRange),
        titration=tuple(_titration(t) for t in entry.tables("titration")),
        trial_bolus=_range(entry, "trial_bolus", positive(parse_mass), MassRange),
        stability=tuple(
            StabilityRule(
                days=s.sourced("days", positive_int),
                undiluted_only=s.boolean("undiluted_only", default=False),
                diluted_only=s.boolean("diluted_only", default=False),
            )
            for s in entry.tables("stability")
        ),
        first_fill_max_days=entry.maybe_sourced("first_fill_max_days", positive_int),
        patient_bolus_allowed=entry.sourced("patient_bolus_allowed", boolean),
        withdrawal_risk=entry.sourced("withdrawal_risk", WithdrawalRisk),
        granuloma_watch_concentration=entry.maybe_sourced(
            "granuloma_watch_concentration", positive(parse_concentration)
        ),
        fda_approved_for_it=entry.sourced("fda_approved_for_it", boolean),
        boxed_withdrawal_warning=entry.sourced("boxed_withdrawal_warning", boolean),
        start_from_screening=_screening_start(entry),
        daily_max_none_known=entry.maybe_sourced("daily_max_none_known", boolean),
        it_morphine_ratio=_ratio(entry),
        paediatric_below_age=entry.maybe_sourced("paediatric_below_age", positive_int),
        first_fill=_first_fill(entry),
    )
    _check(entry, drug)
    return drug


def _check(entry: TomlReader, drug: Drug) -> None:
    """What the safety review relies on, beyond each field's own shape."""
    has_max = any(
        limit.quantity is LimitedQuantity.DAILY_DOSE and limit.bound is Bound.MAX
        for limit in drug.limits
    )
    none_known = drug.daily_max_none_known is not None and drug.daily_max_none_known.value
    if has_max == none_known:
        raise entry.fail(
            "daily_max_none_known",
            "give a daily-dose maximum or daily_max_none_known = true with its source (not both)",
        )
    if drug.start_naive is None and drug.start_from_screening is None:
        raise entry.fail("start_naive", "a drug needs a starting range or start_from_screening")
    if drug.is_opioid and drug.it_morphine_ratio is None:
        raise entry.fail("it_morphine_ratio", "an opioid needs its intrathecal morphine ratio")
    if not drug.is_opioid and drug.it_morphine_ratio is not None:
        raise entry.fail("it_morphine_ratio", "only opioids have an intrathecal morphine ratio")
    if drug.paediatric_below_age is None and any(
        limit.population is not Population.ANY for limit in drug.limits
    ):
        raise entry.fail("paediatric_below_age", "a limit for a population needs this age")


def _sources(root: TomlReader) -> dict[str, ExternalSource]:
    sources: dict[str, ExternalSource] = {}
    for entry in root.tables("source"):
        key = entry.text("key")
        if not _EXT.fullmatch(key):
            raise entry.fail("key", f"{key!r} is not an external key such as 'ext:KIM2019'")
        if key in sources:
            raise entry.fail("key", f"duplicate source {key!r}")
        sources[key] = ExternalSource(key=key, title=entry.text("title"), url=entry.text("url"))
    return sources


def _source_texts(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "source" and isinstance(value, str):
                yield value
            else:
                yield from _source_texts(value)
    elif isinstance(data, list):
        for item in data:
            yield from _source_texts(item)


def read_drugs(data: Mapping[str, Any]) -> tuple[dict[str, Drug], dict[str, ExternalSource]]:
    """Every drug of ``drugs.toml`` by id, and the external sources it declares.

    Raises:
        DataFileInvalid: naming the field of the first problem found.
    """
    root = TomlReader(FILE, data, "")
    sources = _sources(root)
    drugs: dict[str, Drug] = {}
    for entry in root.tables("drug"):
        drug = _drug(entry)
        if drug.id in drugs:
            raise DataFileInvalid(file=FILE, field="id", detail=f"duplicate id {drug.id!r}")
        drugs[drug.id] = drug
    for text in _source_texts(data.get("drug", [])):
        for key in _EXT.findall(text):
            if key not in sources:
                raise DataFileInvalid(
                    file=FILE,
                    field="source",
                    detail=f"{key} is used but not declared in [[source]]",
                )
    return drugs, sources
