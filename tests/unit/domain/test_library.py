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
            'start_tolerant = { low = "1 mg/day", high = "10 mg/day", high_severity = "hard", source = "S3",',
            'start_tolerant = { low = "1 mg/day", high = "10 mg/day", high_severity = "hard",',
            "drug[0].start_tolerant.source",
        ),
        (
            "drugs.toml",
            'high_severity = "hard", source = "S3", confidence = "C"',
            'high_severity = "firm", source = "S3", confidence = "C"',
            "drug[0].start_tolerant.high_severity",
        ),
        (
            "drugs.toml",
            'daily_max_none_known = { value = true, source = "S2", confidence = "U", note = "PACC 2012: no known upper daily dose; the review warns above the morphine maximum in morphine equivalents" }\nstart_naive = { low = "25 mcg/day"',
            'start_naive = { low = "25 mcg/day"',
            "drug[2].daily_max_none_known",
        ),
        (
            "drugs.toml",
            'it_morphine_ratio = { low = "5", high = "6"',
            'it_morphine_ratio = { low = "6", high = "5"',
            "drug[1].it_morphine_ratio.high",
        ),
        (
            "drugs.toml",
            'source = "ext:KIM2019", confidence = "D"',
            'source = "ext:KIM2020", confidence = "D"',
            "source",
        ),
        (
            "drugs.toml",
            'paediatric_below_age = { value = 12, source = "S16", confidence = "C", note = "maintenance ranges are given for children under 12 and for adults and children from 12" }\n',
            "",
            "drug[7].paediatric_below_age",
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


#: Label (or label-reproducing) sources of clinical.md §12: Infumorph S3, S4; Prialt S11, S14;
#: baclofen S16 (its Drugs.com part reproduces the label), S17, S35b, S36, S37.
LABEL_SOURCES = {"S3", "S4", "S11", "S14", "S16", "S17", "S35b", "S36", "S37"}


def _keys(source: str) -> set[str]:
    return {part.strip() for part in source.split(",")}


def test_every_hard_limit_and_label_start_maximum_cites_a_label() -> None:
    library = reference_library()
    hard = [
        (drug.id, limit.limit.source)
        for drug in library.drugs.values()
        for limit in drug.limits
        if limit.severity.value == "hard"
    ]
    hard += [
        (drug.id, rng.source)
        for drug in library.drugs.values()
        for rng in (drug.start_naive, drug.start_tolerant)
        if rng is not None and rng.value.high_severity.value == "hard"
    ]
    hard += [
        (drug.id, drug.start_from_screening.factor.source)
        for drug in library.drugs.values()
        if drug.start_from_screening is not None
        and drug.start_from_screening.severity.value == "hard"
    ]
    assert len(hard) >= 8
    for drug_id, source in hard:
        assert _keys(source) & LABEL_SOURCES, (drug_id, source)


def test_every_drug_has_a_daily_maximum_or_a_sourced_none_known() -> None:
    for drug in reference_library().drugs.values():
        none_known = drug.daily_max_none_known
        assert bool(drug.daily_maxima()) != bool(none_known and none_known.value), drug.id
        if none_known is not None:
            assert none_known.source
            assert none_known.confidence


def test_every_opioid_has_its_intrathecal_morphine_ratio_with_a_source() -> None:
    opioids = [d for d in reference_library().drugs.values() if d.is_opioid]
    assert {d.id for d in opioids} == {"morphine", "hydromorphone", "fentanyl", "sufentanil"}
    for drug in opioids:
        assert drug.it_morphine_ratio is not None
        assert drug.it_morphine_ratio.value.low <= drug.it_morphine_ratio.value.high
        assert drug.it_morphine_ratio.source


def test_every_external_source_key_used_is_declared_with_its_address() -> None:
    library = reference_library()
    assert {"ext:KIM2019", "ext:NELSON2002", "ext:DURACLON", "ext:PALLCARE"} <= set(library.sources)
    for source in library.sources.values():
        assert source.url.startswith("http")
