"""Every label-versus-consensus tag of the drug library checked (issue 14): a hard limit rests on a
label source and blocks; a soft limit needs an override and, when it cites a label, says why it
is not a label maximum; the data file (data/drugs.toml) states each with its source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thecal.domain.admixture import Admixture, Component
from thecal.domain.drug_limits import Bound, DoseLimit, LimitedQuantity, LimitSeverity, Population
from thecal.domain.drugs import Drug
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import Severity
from thecal.domain.safety.context import Prescription
from thecal.domain.safety.library_check import check_with_library
from thecal.domain.units import Concentration, DoseRate, Volume

#: Sources that are a drug's label or the manufacturer's labelling (clinical.md §12): Infumorph
#: (S3, S4), Prialt SmPC / US dosage / manufacturer (S11, S12, S14), intrathecal baclofen monograph
#: with the label dosage, Lioresal and Gablofen labelling (S16, S17, S36, S37).
LABEL_SOURCES = frozenset({"S3", "S4", "S11", "S12", "S14", "S16", "S17", "S36", "S37"})
#: Consensus sources: PACC 2012, 2016, 2017 (S1, S2, S5, S8) and ziconotide dosing strategies (S13).
CONSENSUS_SOURCES = frozenset({"S1", "S2", "S5", "S8", "S13"})

LIBRARY = reference_library()
POLICY = ClinicPolicy()
AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _keys(source: str) -> set[str]:
    return {part.strip() for part in source.split(",")}


def _limits() -> list[tuple[Drug, DoseLimit]]:
    return [
        (drug, limit)
        for drug in LIBRARY.drugs.values()
        for limit in drug.limits
        if limit.bound is Bound.MAX
    ]


LIMITS = pytest.mark.parametrize(
    ("drug", "limit"),
    _limits(),
    ids=[
        f"{d.id}-{lim.quantity.value}-{lim.severity.value}-{lim.population.value}-{lim.limit.value}"
        for d, lim in _limits()
    ],
)


def test_the_library_has_both_kinds_of_limit() -> None:
    severities = {limit.severity for _, limit in _limits()}
    assert severities == {LimitSeverity.HARD, LimitSeverity.SOFT}


@LIMITS
def test_a_hard_limit_rests_on_a_label_and_a_soft_one_says_why_it_is_not(
    drug: Drug, limit: DoseLimit
) -> None:
    keys = _keys(limit.limit.source)
    if limit.severity is LimitSeverity.HARD:
        assert keys <= LABEL_SOURCES, f"{drug.id}: a hard limit from {keys - LABEL_SOURCES}"
    elif not keys & CONSENSUS_SOURCES:
        assert limit.limit.note, f"{drug.id}: a soft limit from a label must say why it is soft"


def _prescription(drug: Drug, limit: DoseLimit) -> Prescription:
    """A prescription 10 % beyond ``limit`` and within the drug's other maxima where it can be."""
    over = Decimal("1.1")
    if limit.quantity is LimitedQuantity.CONCENTRATION:
        value = limit.limit.value
        assert isinstance(value, Concentration)
        concentration = Concentration(value.value * over)
        # a daily dose well inside any maximum: 1 % of the concentration per mL per day
        dose = DoseRate(concentration.value / 100)
    else:
        value = limit.limit.value
        assert isinstance(value, DoseRate)
        dose = DoseRate(value.value * over)
        concentration = Concentration(dose.value / 2)  # 0.5 mL/day
    admixture = Admixture(components=(Component(drug_id=drug.id, concentration=concentration),))
    return Prescription(admixture=admixture, daily_dose=dose)


@LIMITS
def test_beyond_a_hard_limit_blocks_and_beyond_a_soft_one_needs_an_override(
    drug: Drug, limit: DoseLimit
) -> None:
    check = check_with_library(
        _prescription(drug, limit),
        pump_model="synchromed-ii-40",
        at=AT,
        library=LIBRARY,
        policy=POLICY,
        volume=Volume.from_ml(20),
        age_years=8 if limit.population is Population.CHILD else 40,
    )
    codes = {
        (LimitedQuantity.CONCENTRATION, LimitSeverity.HARD): ("ITS-DOSE-001", Severity.BLOCK),
        (LimitedQuantity.CONCENTRATION, LimitSeverity.SOFT): ("ITS-DOSE-002", Severity.OVERRIDE),
        (LimitedQuantity.DAILY_DOSE, LimitSeverity.HARD): ("ITS-DOSE-003", Severity.BLOCK),
        (LimitedQuantity.DAILY_DOSE, LimitSeverity.SOFT): ("ITS-DOSE-004", Severity.OVERRIDE),
    }
    code, severity = codes[(limit.quantity, limit.severity)]
    found = [
        f
        for f in check.result.findings
        # ziconotide's hard daily maximum is the clinic's choice of US or EU label (S14, S11)
        if f.code == code and any(key in f.source for key in _keys(limit.limit.source))
    ]
    assert found, [(f.code, f.source) for f in check.result.findings]
    assert all(f.severity is severity for f in found)
    assert any(key in found[0].message for key in _keys(limit.limit.source))
