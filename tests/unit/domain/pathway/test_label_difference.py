"""The pharmacist's typed label against the order: the first differing field, named."""

from __future__ import annotations

from thecal.domain.admixture import Admixture, Component
from thecal.domain.quantity_text import parse_concentration
from thecal.domain.refill import LabelNotTheOrder, label_difference


def _mix(*parts: tuple[str, str]) -> Admixture:
    return Admixture(
        components=tuple(
            Component(drug_id=d, concentration=parse_concentration(c)) for d, c in parts
        )
    )


ORDER = _mix(("morphine", "25 mg/mL"), ("clonidine", "150 mcg/mL"))


def test_the_same_admixture_is_no_difference() -> None:
    assert (
        label_difference(_mix(("morphine", "25 mg/mL"), ("clonidine", "150 mcg/mL")), ORDER) is None
    )


def test_another_concentration_is_named_with_both_values() -> None:
    found = label_difference(_mix(("morphine", "20 mg/mL"), ("clonidine", "150 mcg/mL")), ORDER)
    assert isinstance(found, LabelNotTheOrder)
    assert found.code == "THC-PATH-025"
    assert found.message.startswith(
        "morphine concentration: the label says morphine 20 mg/mL, the order is morphine 25 mg/mL"
    )


def test_another_drug_a_missing_and_an_extra_adjuvant_are_named() -> None:
    rotated = label_difference(_mix(("hydromorphone", "5 mg/mL")), ORDER)
    assert rotated is not None
    assert rotated.message.startswith("drug: the label says hydromorphone, the order is morphine")
    missing = label_difference(_mix(("morphine", "25 mg/mL")), ORDER)
    assert missing is not None
    assert "the label says no clonidine" in missing.message
    extra = label_difference(
        _mix(("morphine", "25 mg/mL"), ("clonidine", "150 mcg/mL"), ("bupivacaine", "5 mg/mL")),
        ORDER,
    )
    assert extra is not None
    assert "the label says bupivacaine 5 mg/mL, the order is no bupivacaine" in extra.message
