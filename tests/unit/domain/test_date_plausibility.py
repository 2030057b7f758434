"""Plausible dates (issue 15 §5): each kind's window, its edges, and the error that names them."""

from __future__ import annotations

import datetime as dt

import pytest

from thecal.domain.candidacy import Indication
from thecal.domain.date_plausibility import (
    APPOINTMENT,
    APPOINTMENT_AHEAD,
    BEYOND_USE,
    BIRTH_DATE,
    CLOCK_SKEW,
    CLOSURE,
    EARLIEST_RECORD,
    MAX_AGE_YEARS,
    PLANNED_SCAN,
    RECORDED_DAY,
    RECORDED_INSTANT,
    REPORT_DAY,
    TRIAL_READOUT,
    DateOutOfRange,
    DateWindow,
    check_date,
    check_instant,
)
from thecal.domain.errors import InvalidInput, ValueOutOfRange
from thecal.domain.patient import Contact, Demographics, Sex
from thecal.domain.scheduling import IntakeForm, ReferralSource

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
TODAY = NOW.date()
WINDOWS = (
    BIRTH_DATE,
    RECORDED_DAY,
    RECORDED_INSTANT,
    APPOINTMENT,
    CLOSURE,
    BEYOND_USE,
    PLANNED_SCAN,
    TRIAL_READOUT,
    REPORT_DAY,
)


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: w.kind)
@pytest.mark.parametrize("year", [1, 9999])
def test_year_1_and_year_9999_are_refused_for_every_kind(window: DateWindow, year: int) -> None:
    with pytest.raises(DateOutOfRange) as refused:
        check_date("the_field", dt.date(year, 6, 1), window, today=TODAY)
    assert refused.value.fields["where"] == "the_field"
    assert refused.value.fields["value"] == f"{year:04d}-06-01"
    with pytest.raises(DateOutOfRange):
        check_instant("the_field", dt.datetime(year, 6, 1, tzinfo=dt.UTC), window, now=NOW)


def test_the_error_names_the_field_the_value_and_the_range_and_is_bad_input() -> None:
    with pytest.raises(DateOutOfRange) as refused:
        check_date("birth_date", dt.date(1, 1, 1), BIRTH_DATE, today=TODAY)
    error = refused.value
    assert isinstance(error, ValueOutOfRange)
    assert isinstance(error, InvalidInput)
    assert error.code == "THC-INPUT-004"
    assert "birth_date" in error.message
    assert "0001-01-01" in error.message
    assert f"{TODAY.year - MAX_AGE_YEARS}-03-02" in error.message
    assert TODAY.isoformat() in error.message
    assert error.fields["earliest"] == f"{TODAY.year - MAX_AGE_YEARS}-03-02"
    assert error.fields["latest"] == TODAY.isoformat()


def test_a_birth_date_is_at_most_120_years_back_and_never_after_today() -> None:
    oldest = TODAY.replace(year=TODAY.year - MAX_AGE_YEARS)
    assert check_date("b", oldest, BIRTH_DATE, today=TODAY) == oldest
    assert check_date("b", TODAY, BIRTH_DATE, today=TODAY) == TODAY
    with pytest.raises(DateOutOfRange):
        check_date("b", oldest - dt.timedelta(days=1), BIRTH_DATE, today=TODAY)
    with pytest.raises(DateOutOfRange):
        check_date("b", TODAY + dt.timedelta(days=1), BIRTH_DATE, today=TODAY)


def test_a_birth_window_from_29_february_falls_back_to_the_28th() -> None:
    leap = dt.date(2020, 2, 29)  # 120 years back: 1900, not a leap year
    assert BIRTH_DATE.first_day(leap) == dt.date(2020 - MAX_AGE_YEARS, 2, 28)


def test_a_recorded_day_is_from_1950_to_tomorrow() -> None:
    assert check_date("d", EARLIEST_RECORD, RECORDED_DAY, today=TODAY) == EARLIEST_RECORD
    tomorrow = TODAY + dt.timedelta(days=1)  # the clinic's day may already be tomorrow in UTC
    assert check_date("d", tomorrow, RECORDED_DAY, today=TODAY) == tomorrow
    with pytest.raises(DateOutOfRange):
        check_date("d", EARLIEST_RECORD - dt.timedelta(days=1), RECORDED_DAY, today=TODAY)
    with pytest.raises(DateOutOfRange):
        check_date("d", TODAY + dt.timedelta(days=2), RECORDED_DAY, today=TODAY)


def test_a_recorded_instant_may_lead_the_clock_by_the_skew_only() -> None:
    assert check_instant("t", NOW + CLOCK_SKEW, RECORDED_INSTANT, now=NOW) == NOW + CLOCK_SKEW
    with pytest.raises(DateOutOfRange) as refused:
        check_instant("t", NOW + CLOCK_SKEW + dt.timedelta(seconds=1), RECORDED_INSTANT, now=NOW)
    assert refused.value.fields["latest"] == "2026-03-02 09:35 UTC"


def test_a_visit_starts_at_most_two_years_ahead() -> None:
    last = NOW + APPOINTMENT_AHEAD
    assert check_instant("start", last, APPOINTMENT, now=NOW) == last
    with pytest.raises(DateOutOfRange):
        check_instant("start", last + dt.timedelta(minutes=15), APPOINTMENT, now=NOW)


@pytest.mark.parametrize(
    ("window", "back", "ahead"),
    [
        (BEYOND_USE, 366, 366),
        (PLANNED_SCAN, 366, 366),
        (CLOSURE, 366, 5 * 366),
    ],
    ids=lambda v: getattr(v, "kind", str(v)),
)
def test_windows_around_today_are_inclusive_at_both_ends(
    window: DateWindow, back: int, ahead: int
) -> None:
    first, last = TODAY - dt.timedelta(days=back), TODAY + dt.timedelta(days=ahead)
    assert check_date("f", first, window, today=TODAY) == first
    assert check_date("f", last, window, today=TODAY) == last
    for outside in (first - dt.timedelta(days=1), last + dt.timedelta(days=1)):
        with pytest.raises(DateOutOfRange):
            check_date("f", outside, window, today=TODAY)


def test_an_instant_with_another_offset_is_compared_as_the_same_moment() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    inside = (NOW + CLOCK_SKEW).astimezone(paris)
    assert check_instant("t", inside, RECORDED_INSTANT, now=NOW) == inside
    with pytest.raises(DateOutOfRange):
        check_instant("t", dt.datetime(1, 1, 1, 0, 30, tzinfo=paris), RECORDED_INSTANT, now=NOW)


def test_the_windows_follow_the_clock_that_is_passed_in() -> None:
    later = TODAY.replace(year=TODAY.year + 10)
    day = later - dt.timedelta(days=1)
    with pytest.raises(DateOutOfRange):
        check_date("d", day, RECORDED_DAY, today=TODAY)
    assert check_date("d", day, RECORDED_DAY, today=later) == day


def test_a_patient_and_a_referral_born_more_than_120_years_ago_are_refused() -> None:
    born = TODAY.replace(year=TODAY.year - MAX_AGE_YEARS) - dt.timedelta(days=1)  # after 1900
    person = Demographics(
        family_name="Old", given_names="Ada", birth_date=born, sex=Sex.FEMALE, contact=Contact()
    )
    with pytest.raises(DateOutOfRange) as refused:
        person.check_not_after(TODAY)
    assert refused.value.fields["where"] == "birth_date"
    form = IntakeForm(
        source=ReferralSource.PATIENT,
        family_name="Old",
        given_names="Ada",
        birth_date=born,
        email="ada@example.org",
        phone="",
        condition=Indication.CANCER_PAIN,
        tried=frozenset(),
        tried_details="",
        consent_to_contact=True,
    )
    with pytest.raises(DateOutOfRange) as refused_form:
        form.check_birth_date(TODAY)
    assert refused_form.value.fields["where"] == "birth date"
    form.check_birth_date(born.replace(year=born.year + 1))  # a year earlier it was plausible
