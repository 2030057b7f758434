"""Reading ``mme.toml``: versioned oral morphine milligram equivalent factor tables."""

from __future__ import annotations

from decimal import InvalidOperation

from thecal.domain.library.toml_reader import TomlReader, decimal
from thecal.domain.mme import MethadoneTier, MmeExclusion, MmeFactor, MmeTable
from thecal.domain.sourced import Confidence
from thecal.domain.units import MassUnit, TimeUnit

__all__ = ["read_mme_table"]


def read_mme_table(entry: TomlReader) -> MmeTable:
    """One ``[[table]]`` of factors (per mg/day, or per mcg/h for patches) and exclusions."""
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
            factor = decimal(item.raw("factor"))
        except (TypeError, ValueError, InvalidOperation) as error:
            raise item.fail("factor", str(error)) from None
        factors[drug] = MmeFactor(drug=drug, unit=unit, per=time, factor=factor)
    exclusions = {
        item.text("drug"): MmeExclusion(drug=item.text("drug"), reason=item.text("reason"))
        for item in entry.tables("excluded")
    }
    tiers: list[MethadoneTier] = []
    for item in entry.tables("methadone_tiers"):
        up_to = decimal(item.data["up_to_mg_per_day"]) if item.has("up_to_mg_per_day") else None
        tiers.append(MethadoneTier(up_to_mg_per_day=up_to, factor=decimal(item.raw("factor"))))
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
        exclusions=exclusions,
    )
