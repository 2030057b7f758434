"""Names normalised (NFKC) and stripped of bidi and zero-width characters (issue 15 §5)."""

from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.patient import Demographics, PatientInvalid, Sex
from thecal.domain.person_names import normal_name, search_key


def demographics(family: str, given: str = "Ann") -> Demographics:
    return Demographics(
        family_name=family, given_names=given, birth_date=dt.date(1960, 1, 2), sex=Sex.FEMALE
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ｗａｌｋｅｒ", "Walker"),  # full-width look-alikes
        ("Wal\u200bker", "Walker"),  # zero-width space
        ("\u202eWalker", "Walker"),  # right-to-left override
        ("Wal\u2066ker\u2069", "Walker"),  # isolates
        ("Wal\u00adker", "Walker"),  # soft hyphen
        ("ﬁnch", "finch"),  # a ligature
        ("Müller", "Müller"),  # real letters stay
        ("O'Brien-Smith", "O'Brien-Smith"),
    ],
)
def test_a_name_is_stored_in_its_normal_form(typed: str, stored: str) -> None:
    assert demographics(typed).family_name == stored
    assert demographics("Doe", given=typed).given_names == stored


def test_a_decomposed_accent_is_the_same_name_as_the_composed_one() -> None:
    assert normal_name("Mu\u0308ller") == "Müller"


def test_a_name_of_invisible_characters_only_is_refused() -> None:
    with pytest.raises(PatientInvalid, match="required"):
        demographics("\u200b\u202e")


def test_the_search_key_folds_case_and_width() -> None:
    assert search_key("ＷＡＬＫ") == search_key("walk") == "walk"
