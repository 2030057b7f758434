from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from thecal.domain.errors import DataFileInvalid, UnknownReference
from thecal.domain.library import FILES, load_library, reference_library
from thecal.domain.sourced import Confidence, Sourced
from thecal.domain.units import Concentration, DoseRate, FlowRate, Volume


def shipped_texts() -> dict[str, str]:
    package = resources.files("thecal.data")
    return {file: (package / file).read_text(encoding="utf-8") for file in FILES}


def test_the_shipped_library_has_every_drug_and_pump_the_clinic_uses() -> None:
    library = reference_library()
    assert set(library.drugs) == {
        "morphine",
        "hydromorphone",
        "fentanyl",
        "sufentanil",
        "ziconotide",
        "bupivacaine",
        "clonidine",
        "baclofen",
    }
    assert {"synchromed-ii-20", "synchromed-ii-40", "prometra-ii-20", "prometra-ii-40"} <= set(
        library.pumps
    )
    assert library.mme_table().id == "cdc-2022"
    assert library.mme_table("cdc-2016").methadone_tiers


def test_confirmed_reference_numbers_match_clinical_md() -> None:
    library = reference_library()
    synchromed = library.pump("synchromed-ii-40")
    assert synchromed.min_flow.value == FlowRate.from_ml_per_day(Decimal("0.048"))
    assert synchromed.min_flow.source == "S12"
    assert synchromed.low_reservoir_alarm.value == Volume.from_ml(2)
    assert synchromed.discrepancy_threshold.value == Volume.from_ml(2)
    assert library.pump("synchromed-ii-20").discrepancy_threshold.value == Volume.from_ml(1)
    assert library.catheter("prometra-catheter").volume_per_cm.value == Volume.from_ml(
        Decimal("0.0026")
    )
    ziconotide = library.drug("ziconotide")
    hard = [limit for limit in ziconotide.limits if limit.severity.value == "hard"]
    assert DoseRate.from_mcg_per_day(Decimal("19.2")) in [h.limit.value for h in hard]
    assert ziconotide.first_fill_max_days is not None
    assert ziconotide.first_fill_max_days.value == 14
    assert library.drug("baclofen").patient_bolus_allowed.value is False
    assert library.drug("morphine").stability_days(Concentration.from_mg_per_ml(25)).value == 90  # type: ignore[union-attr]


def _every_sourced(obj: object, seen: set[int] | None = None) -> list[Sourced[object]]:
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, Sourced):
        return [obj]
    found: list[Sourced[object]] = []
    if isinstance(obj, dict):
        for value in obj.values():
            found += _every_sourced(value, seen)
    elif isinstance(obj, tuple | list):
        for value in obj:
            found += _every_sourced(value, seen)
    elif hasattr(obj, "__dataclass_fields__"):
        for name in obj.__dataclass_fields__:
            found += _every_sourced(getattr(obj, name), seen)
    return found


def test_every_reference_number_carries_a_source_and_a_confidence_tag() -> None:
    library = reference_library()
    numbers = _every_sourced(
        [*library.drugs.values(), *library.pumps.values(), *library.catheters.values()]
    )
    assert len(numbers) > 150
    for number in numbers:
        assert number.source.strip()
        assert isinstance(number.confidence, Confidence)
    unconfirmed = [n for n in numbers if not n.confirmed]
    assert unconfirmed, "PACC values are unconfirmed and must stay visibly so"
    assert all(n.cite().endswith(("[U]", "[D]", "[A]")) for n in unconfirmed)


def test_an_unknown_id_names_the_known_ones() -> None:
    with pytest.raises(UnknownReference, match="synchromed-ii-40"):
        reference_library().pump("synchromed-iii")


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        (
            "drugs.toml",
            'value = "25 mg/mL", source = "S3", confidence = "C" }',
            'value = "25 mg", source = "S3", confidence = "C" }',
            "drug[0].strengths[1].value",
        ),
        (
            "drugs.toml",
            'start_tolerant = { low = "1 mg/day", high = "10 mg/day", source = "S3", confidence = "C" }',
            'start_tolerant = { low = "1 mg/day", high = "10 mg/day", confidence = "C" }',
            "drug[0].start_tolerant.source",
        ),
        (
            "drugs.toml",
            'stability = [{ days = { value = 90, source = "S48", confidence = "C" } }]',
            'stability = [{ days = { value = -90, source = "S48", confidence = "C" } }]',
            "drug[0].stability[0].days.value",
        ),
        (
            "drugs.toml",
            'withdrawal_risk = { value = "high"',
            'withdrawal_risk = { value = "extreme"',
            "drug[7].withdrawal_risk.value",
        ),
        (
            "pumps.toml",
            'min_flow = { value = "0.048 mL/day", source = "S12", confidence = "C" }',
            'min_flow = { value = ".048 mL/day", source = "S12", confidence = "C" }',
            "pump[0].min_flow.value",
        ),
        (
            "pumps.toml",
            'approved_drugs = { value = ["morphine"], source = "S41, S59, S62", confidence = "C", note',
            'approved_drugs = { value = ["morphine", "heroin"], source = "S41, S59, S62", confidence = "C", note',
            "approved_drugs",
        ),
        (
            "pumps.toml",
            'confidence = "C", note = "the FAV lets',
            'confidence = "X", note = "the FAV lets',
            "pump[3].fav_leak.confidence",
        ),
        (
            "catheters.toml",
            'volume_per_cm = { value = "0.0026 mL", source = "S64", confidence = "C" }',
            'volume_per_cm = { value = "0 mL", source = "S64", confidence = "C" }',
            "catheter[0].volume_per_cm.value",
        ),
        (
            "mme.toml",
            '{ drug = "codeine", per = "mg/day"',
            '{ drug = "codeine", per = "mg/week"',
            "table[0].factors[0].per",
        ),
    ],
)
def test_a_broken_data_file_fails_loudly_naming_file_and_field(
    file: str, old: str, new: str, field: str
) -> None:
    texts = shipped_texts()
    if old not in texts[file]:
        pytest.fail(f"fixture text not found in {file}: {old!r}")
    texts[file] = texts[file].replace(old, new, 1)
    with pytest.raises(DataFileInvalid) as caught:
        load_library(texts)
    assert caught.value.fields["file"] == file
    assert field in caught.value.fields["field"]


def test_a_toml_syntax_error_names_the_file() -> None:
    texts = shipped_texts()
    texts["pumps.toml"] = texts["pumps.toml"] + "\n[[pump]\n"
    with pytest.raises(DataFileInvalid, match=r"pumps\.toml"):
        load_library(texts)


def test_duplicate_ids_are_refused() -> None:
    texts = shipped_texts()
    texts["catheters.toml"] = texts["catheters.toml"].replace(
        'id = "ascenda-8780"', 'id = "prometra-catheter"'
    )
    with pytest.raises(DataFileInvalid, match="duplicate"):
        load_library(texts)
