"""Scores in words, from the scores the domain computes (the text the record keeps)."""

from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.assessment import Assessment, assess
from thecal.domain.assessment_text import assessment_summary
from thecal.domain.instruments import Instrument
from thecal.domain.instruments.bpi import BPI_INTERFERENCE_ITEMS, BPI_SEVERITY_ITEMS
from thecal.domain.instruments.odi import ODI_ITEMS


def scored(instrument: Instrument, answers: dict[str, int | None]) -> Assessment:
    return assess(
        assessment_id="a-1",
        patient_id="p-1",
        instrument=instrument,
        answers=answers,
        assessed_on=dt.date(2026, 3, 1),
        recorded_by="u-1",
        recorded_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
    )


def test_odi_in_percent_with_its_band_and_the_blank_section() -> None:
    answers: dict[str, int | None] = dict.fromkeys(ODI_ITEMS, 2)
    answers[ODI_ITEMS[7]] = None  # section 8
    text = assessment_summary(scored(Instrument.ODI, answers))
    assert text == "disability 40 % (moderate); sections left blank: 8"


def test_bpi_interference_to_one_decimal() -> None:
    answers: dict[str, int | None] = dict(zip(BPI_SEVERITY_ITEMS, (7, 3, 6, 5), strict=True))
    answers |= dict(zip(BPI_INTERFERENCE_ITEMS, (6, 5, 6, 6, 5, 6, 5), strict=True))
    text = assessment_summary(scored(Instrument.BPI_SF, answers))
    assert "interference 5.6 of 10" in text  # 39 / 7 = 5.571…
    assert "pain severity 5.2 of 10;" in text  # 21 / 4 = 5.25, rounded half-even
    assert "worst pain 7 of 10 (severe)" in text  # the band of the item it was derived for
    assert "5.571" not in text


@pytest.mark.parametrize(
    ("change", "text"), [(2, "much improved (2 of 7)"), (4, "no change (4 of 7)")]
)
def test_pgic_in_words(change: int, text: str) -> None:
    assert assessment_summary(scored(Instrument.PGIC, {"change": change})) == text


def test_nrs() -> None:
    assert assessment_summary(scored(Instrument.NRS, {"pain": 7})) == "pain 7 of 10"
