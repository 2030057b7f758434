"""Oral morphine milligram equivalents (MME) of a systemic opioid list.

Factor tables are versioned data (``thecal/data/mme.toml``; CDC 2022 by default, CDC 2016 with its
methadone tiers kept); the version used is part of every result. The oral-to-intrathecal morphine
equivalent is information only: CDC warns MME must not pick the dose of a new opioid (S22 [C]), and
an intrathecal start is capped by the drug library's starting range instead (clinical.md §2.1).

The factors convert oral opioids and transdermal fentanyl. An opioid name may carry its route
(``oxycodone-oral``, ``fentanyl-transdermal``); a route the tables do not cover (``morphine-iv``)
is refused, as is a dose written in a unit the factor does not take (a patch rate in mg/h or per
day; an oral dose per hour). A drug a table excludes (buprenorphine, CDC) is listed with the
reason, never counted and never an "unknown opioid".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from thecal.domain.errors import InvalidInput, UnknownReference, ValueOutOfRange
from thecal.domain.sourced import Confidence
from thecal.domain.units import DoseRate, MassUnit, TimeUnit, plain

__all__ = [
    "ORAL_TO_IT_MORPHINE_RATIO",
    "MethadoneTier",
    "MmeExclusion",
    "MmeFactor",
    "MmeLine",
    "MmeResult",
    "MmeRouteNotCovered",
    "MmeTable",
    "MmeUnitImplausible",
    "OpioidDose",
    "calculate_mme",
    "opioid_dose",
]

#: Oral : IV : epidural : IT morphine ≈ 300 : 100 : 10 : 1, derived from S22 + S24 (clinical.md
#: §2.1). Sources disagree (100 : 1 ISMP S25, 12 : 1 case S27): shown as information only.
ORAL_TO_IT_MORPHINE_RATIO = Decimal(300)

#: Route suffixes that name the route the oral factors are for.
_ORAL = ("oral", "po")


class MmeRouteNotCovered(InvalidInput):
    code = "THC-MME-001"
    template = (
        "{name}: {detail}; the MME factors convert oral opioids and transdermal fentanyl "
        "(known: {known})"
    )


class MmeUnitImplausible(InvalidInput):
    code = "THC-MME-002"
    template = "{name}={text}: {detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeFactor:
    drug: str
    unit: MassUnit
    per: TimeUnit
    factor: Decimal

    @property
    def per_text(self) -> str:
        return f"{self.unit.symbol}/{self.per.symbol}"


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeExclusion:
    """An opioid a table deliberately leaves out, with the reason (shown, never counted)."""

    drug: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MethadoneTier:
    up_to_mg_per_day: Decimal | None  # None: open-ended last tier
    factor: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeTable:
    id: str
    name: str
    source: str
    confidence: Confidence
    factors: Mapping[str, MmeFactor]
    methadone_tiers: tuple[MethadoneTier, ...]
    exclusions: Mapping[str, MmeExclusion] = field(default_factory=dict)

    @property
    def known(self) -> tuple[str, ...]:
        names = set(self.factors) | set(self.exclusions)
        if self.methadone_tiers:
            names.add("methadone")
        return tuple(sorted(names))

    def covers(self, drug: str) -> bool:
        return drug in self.known

    def per_of(self, drug: str) -> tuple[MassUnit, TimeUnit]:
        """The unit a dose of ``drug`` must be written in (mg per day, or mcg per hour)."""
        if drug in self.factors:
            factor = self.factors[drug]
            return factor.unit, factor.per
        return MassUnit.MG, TimeUnit.DAY

    def factor_for(self, drug: str, dose: DoseRate) -> tuple[Decimal, Decimal, str]:
        """Return (dose in the factor's unit, factor, unit text) for one opioid line."""
        if drug == "methadone" and self.methadone_tiers:
            mg_per_day = dose.to(MassUnit.MG)
            tier = next(
                t
                for t in self.methadone_tiers
                if t.up_to_mg_per_day is None or mg_per_day <= t.up_to_mg_per_day
            )
            return mg_per_day, tier.factor, "mg/day"
        if drug not in self.factors:
            raise UnknownReference(
                kind=f"opioid in MME table {self.id}", name=drug, known=", ".join(self.known)
            )
        factor = self.factors[drug]
        return dose.to(factor.unit, factor.per), factor.factor, factor.per_text


@dataclass(frozen=True, slots=True, kw_only=True)
class OpioidDose:
    """One systemic opioid the patient takes, as a total daily dose (fentanyl patch: its rate)."""

    drug: str
    daily_dose: DoseRate


def _resolve(name: str, table: MmeTable) -> str:
    """The table's name for ``name``, which may carry a route suffix (``oxycodone-oral``)."""
    clean = name.strip().lower()
    if table.covers(clean):
        return clean
    base, sep, route = clean.rpartition("-")
    if sep and base in table.exclusions:
        return base  # excluded by any route (a buprenorphine patch or film): listed, not counted
    if sep and route in _ORAL and table.covers(base):
        return base
    if sep and table.covers(base):
        raise MmeRouteNotCovered(
            name=name, detail=f"route {route!r} is not in the table", known=", ".join(table.known)
        )
    routed = [known for known in table.known if known.startswith(f"{clean}-")]
    if routed:
        raise MmeRouteNotCovered(
            name=name,
            detail=f"give the route, e.g. {routed[0]!r}",
            known=", ".join(table.known),
        )
    raise UnknownReference(
        kind=f"opioid in MME table {table.id}", name=name, known=", ".join(table.known)
    )


def opioid_dose(
    name: str, text: str, *, rate: DoseRate, unit: MassUnit, per: TimeUnit, table: MmeTable
) -> OpioidDose:
    """An :class:`OpioidDose` for ``name`` written as ``text`` (read as ``rate`` in ``unit`` per
    ``per``), with the route resolved and the written unit checked against the factor's.

    Raises:
        MmeRouteNotCovered: a route the table does not convert, or a name that needs its route.
        MmeUnitImplausible: a patch rate not in mcg/h, or an oral dose not per day.
        UnknownReference: an opioid the table does not know.
    """
    drug = _resolve(name, table)
    if drug in table.exclusions:
        return OpioidDose(drug=drug, daily_dose=rate)  # never converted: no unit to check
    want_unit, want_per = table.per_of(drug)
    if want_per is TimeUnit.HOUR and (unit, per) != (want_unit, want_per):
        raise MmeUnitImplausible(
            name=name,
            text=text,
            detail=(
                f"a transdermal patch is written as its rate in {want_unit.symbol}/"
                f"{want_per.symbol} (e.g. 25 mcg/h); {text} would be "
                f"{plain(rate.to(want_unit, want_per))} {want_unit.symbol}/{want_per.symbol}"
            ),
        )
    if want_per is TimeUnit.DAY and per is not TimeUnit.DAY:
        raise MmeUnitImplausible(
            name=name,
            text=text,
            detail="write the total daily dose (mg/day); an oral opioid is not dosed per hour",
        )
    return OpioidDose(drug=drug, daily_dose=rate)


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeLine:
    drug: str
    amount: Decimal
    amount_unit: str
    factor: Decimal
    mme: Decimal

    def describe(self) -> str:
        return f"{self.drug} {plain(self.amount)} {self.amount_unit} × {plain(self.factor)} = {plain(self.mme)} MME"


@dataclass(frozen=True, slots=True, kw_only=True)
class MmeResult:
    total_mme: Decimal  # mg/day of oral morphine
    lines: tuple[MmeLine, ...]
    table_id: str
    table_name: str
    table_source: str
    excluded: tuple[MmeExclusion, ...] = ()

    @property
    def intrathecal_morphine_equivalent(self) -> DoseRate:
        """Information only — never a starting dose (S22, clinical.md §2.1)."""
        return DoseRate.of(self.total_mme / ORAL_TO_IT_MORPHINE_RATIO, MassUnit.MG)


def calculate_mme(doses: Sequence[OpioidDose], table: MmeTable) -> MmeResult:
    """Sum oral MME over a medication list with one versioned factor table.

    A drug the table excludes (buprenorphine) is listed in ``excluded`` with its reason.

    Raises:
        UnknownReference: an opioid the table has no factor for.
        ValueOutOfRange: a negative dose.
    """
    lines: list[MmeLine] = []
    excluded: list[MmeExclusion] = []
    for dose in doses:
        if dose.daily_dose.value < 0:
            raise ValueOutOfRange(
                name=f"{dose.drug} daily dose", expected="≥ 0", value=dose.daily_dose
            )
        if dose.drug in table.exclusions:
            excluded.append(table.exclusions[dose.drug])
            continue
        amount, factor, unit = table.factor_for(dose.drug, dose.daily_dose)
        lines.append(
            MmeLine(
                drug=dose.drug, amount=amount, amount_unit=unit, factor=factor, mme=amount * factor
            )
        )
    return MmeResult(
        total_mme=sum((line.mme for line in lines), Decimal(0)),
        lines=tuple(lines),
        table_id=table.id,
        table_name=table.name,
        table_source=table.source,
        excluded=tuple(excluded),
    )
