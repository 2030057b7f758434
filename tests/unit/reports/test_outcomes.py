"""Outcome report: due, eligible, completers, lost, responders and the clinic's sentences."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thecal.domain.errors import ValueOutOfRange
from thecal.domain.instruments import NotAnImprovementCategory, Pgic
from thecal.reports.outcomes import (
    POLICY_SOURCES,
    Episode,
    FollowUp,
    Measure,
    OutcomePolicy,
    ProcedureType,
    TimePoint,
    analyse,
)

EPIDURAL = ProcedureType.EPIDURAL_STEROID_INJECTION
REPORT_DATE = dt.date(2025, 1, 1)
POLICY = OutcomePolicy()
THREE_MONTHS = POLICY.time_point("3 months")  # day 90 ± 30: days 60–120, due after day 120


def _d(value: int) -> Decimal:
    return Decimal(value)


def _episode(
    patient: str,
    *,
    date: dt.date = dt.date(2024, 6, 1),  # 214 days before the report: due
    procedure: ProcedureType = EPIDURAL,
    pain: int | None = None,
    odi: int | None = None,
    vas: int | None = None,
    follow_ups: tuple[FollowUp, ...] = (),
) -> Episode:
    return Episode(
        patient_id=patient,
        procedure=procedure,
        indication="LRAD",
        procedure_date=date,
        baseline_pain_nrs=None if pain is None else _d(pain),
        baseline_odi_percent=None if odi is None else _d(odi),
        baseline_eq_vas=vas,
        follow_ups=follow_ups,
    )


CLINIC = (
    # A: responds on every measure; the day-200 follow-up is outside the window and ignored
    _episode(
        "A",
        pain=8,
        odi=50,
        vas=40,
        follow_ups=(
            FollowUp(days_after=85, pain_nrs=_d(4), odi_percent=_d(38), pgic=Pgic(2), eq_vas=55),
            FollowUp(days_after=200, pain_nrs=_d(0)),
        ),
    ),
    # B: responds on nothing; day 95 is closer to day 90 than day 60, so pain 5 (not 2) counts
    _episode(
        "B",
        pain=6,
        odi=30,
        vas=60,
        follow_ups=(
            FollowUp(days_after=60, pain_nrs=_d(2)),
            FollowUp(days_after=95, pain_nrs=_d(5), odi_percent=_d(25), pgic=Pgic(4), eq_vas=65),
        ),
    ),
    # C: only a day-121 follow-up (one day past the window): lost on every measure; no VAS baseline
    _episode("C", pain=10, odi=40, follow_ups=(FollowUp(days_after=121, pgic=Pgic(1)),)),
    # D: baseline pain 0 (no percent possible), no ODI baseline; PGIC 3 and VAS +10 exactly
    _episode("D", pain=0, vas=50, follow_ups=(FollowUp(days_after=90, pgic=Pgic(3), eq_vas=60),)),
    # E: 92 days old, window still open: not yet due although it has a follow-up
    _episode(
        "E",
        date=dt.date(2024, 10, 1),
        pain=9,
        follow_ups=(FollowUp(days_after=85, pain_nrs=_d(1), pgic=Pgic(1)),),
    ),
    # F: a facet joint injection: filtered out of the epidural report
    _episode("F", procedure=ProcedureType.FACET_JOINT_INJECTION, pain=7),
    # G: day 89 and day 91 tie on distance; the earlier (pain 7, exactly 30 % less) counts
    _episode(
        "G",
        pain=10,
        follow_ups=(
            FollowUp(days_after=91, pain_nrs=_d(3)),
            FollowUp(days_after=89, pain_nrs=_d(7)),
        ),
    ),
)


def test_open_windows_are_not_yet_due_and_other_procedures_are_left_out() -> None:
    report = analyse(
        CLINIC, POLICY, report_date=REPORT_DATE, time_point=THREE_MONTHS, procedure=EPIDURAL
    )
    assert report.episodes == 6  # A B C D E G
    assert report.not_yet_due == 1  # E
    assert report.due == 5


@pytest.mark.parametrize(
    ("measure", "eligible", "no_baseline", "completers", "responders"),
    [
        # PGIC needs no baseline: A B C D G eligible; A(2) B(4) D(3) answered; only A is "much
        # improved" or better (IMMPACT's default); D's "minimally improved" does not count
        (Measure.PGIC_IMPROVED, 5, 0, 3, 1),
        # pain: D has baseline 0; A 8→4 (50 %), B 6→5 (17 %), G 10→7 (30 %); C lost
        (Measure.PAIN_LESS, 4, 1, 3, 2),
        (Measure.PAIN_SUBSTANTIAL, 4, 1, 3, 1),
        # ODI: baselines A B C; A 50→38 (12 points), B 30→25 (5); C lost
        (Measure.FUNCTION_IMPROVED, 3, 2, 2, 1),
        # EQ VAS: baselines A B D; A 40→55 (+15), B 60→65 (+5), D 50→60 (+10, counts)
        (Measure.QUALITY_OF_LIFE_BETTER, 3, 2, 3, 2),
    ],
)
def test_the_worked_clinic_gives_the_hand_counted_numbers(
    measure: Measure, eligible: int, no_baseline: int, completers: int, responders: int
) -> None:
    result = analyse(
        CLINIC, POLICY, report_date=REPORT_DATE, time_point=THREE_MONTHS, procedure=EPIDURAL
    ).result(measure)
    assert (result.eligible, result.no_baseline, result.completers, result.responders) == (
        eligible,
        no_baseline,
        completers,
        responders,
    )
    assert result.lost_to_follow_up == eligible - completers


def test_the_proportion_is_given_over_completers_and_with_the_lost_as_non_responders() -> None:
    result = analyse(
        CLINIC, POLICY, report_date=REPORT_DATE, time_point=THREE_MONTHS, procedure=EPIDURAL
    ).result(Measure.PGIC_IMPROVED)
    assert result.completers_only is not None
    assert result.lost_as_non_responders is not None
    assert (result.completers_only.successes, result.completers_only.n) == (1, 3)
    assert (result.lost_as_non_responders.successes, result.lost_as_non_responders.n) == (1, 5)
    assert result.lost_as_non_responders.fraction == Decimal("0.2")


def test_a_clinic_may_count_minimally_improved_as_improved() -> None:
    minimal = OutcomePolicy(pgic_threshold=Pgic.MINIMALLY_IMPROVED)
    result = analyse(
        CLINIC, minimal, report_date=REPORT_DATE, time_point=THREE_MONTHS, procedure=EPIDURAL
    ).result(Measure.PGIC_IMPROVED)
    assert result.responders == 2  # A (much improved) and D (minimally improved)
    assert "report improvement" in result.sentence


def test_the_sentence_states_counts_interval_and_the_lost() -> None:
    # 2 of 3 = 66.67 % → "Over 66 %"; Wilson 2/3 = 20.8–93.9 % (hand values in test_stats.py);
    # 2 of 5 eligible = 40.0 % if the two lost are non-responders (a clinic counting "minimally
    # improved", so that two improve)
    minimal = OutcomePolicy(pgic_threshold=Pgic.MINIMALLY_IMPROVED)
    result = analyse(
        CLINIC, minimal, report_date=REPORT_DATE, time_point=THREE_MONTHS, procedure=EPIDURAL
    ).result(Measure.PGIC_IMPROVED)
    assert result.sentence == (
        "Over 66 % of our epidural patients report improvement (2 of 3 at 3 months; "
        "95 % CI 20.8–93.9 %; 2 lost to follow-up, 40.0 % if counted as non-responders)"
    )


def test_the_sentence_has_no_lost_clause_when_nobody_was_lost() -> None:
    result = analyse(
        CLINIC, POLICY, report_date=REPORT_DATE, time_point=THREE_MONTHS, procedure=EPIDURAL
    ).result(Measure.QUALITY_OF_LIFE_BETTER)
    assert result.sentence == (
        "Over 66 % of our epidural patients report better quality of life, EQ VAS up by at least "
        "10 points (2 of 3 at 3 months; 95 % CI 20.8–93.9 %)"
    )


def test_an_exact_percentage_is_never_called_over() -> None:
    rows = [
        _episode("H", pain=10, follow_ups=(FollowUp(days_after=90, pain_nrs=_d(5)),)),
        _episode("I", pain=10, follow_ups=(FollowUp(days_after=90, pain_nrs=_d(9)),)),
    ]
    result = analyse(
        rows, POLICY, report_date=REPORT_DATE, time_point=THREE_MONTHS, indication="LRAD"
    ).result(Measure.PAIN_SUBSTANTIAL)
    assert result.sentence.startswith(
        "50 % of our patients with indication LRAD report at least 50 % less pain (1 of 2 "
    )


def test_a_report_before_anyone_is_due_says_so() -> None:
    report = analyse(CLINIC, POLICY, report_date=dt.date(2024, 6, 2), time_point=THREE_MONTHS)
    assert report.due == 0
    result = report.result(Measure.PGIC_IMPROVED)
    assert result.completers_only is None
    assert result.lost_as_non_responders is None
    assert result.sentence == (
        "No 3 months result for our patients yet: no eligible patient has reached it"
    )


def test_a_report_where_everyone_was_lost_says_so() -> None:
    report = analyse([CLINIC[2]], POLICY, report_date=REPORT_DATE, time_point=THREE_MONTHS)
    assert report.result(Measure.FUNCTION_IMPROVED).sentence == (
        "No 3 months result for our patients: all 1 eligible lost to follow-up"
    )


def test_an_episode_is_due_only_the_day_after_its_window_closes() -> None:
    # procedure 2024-09-03 → report day is day 120, the window's last day: not yet due
    on_last_day = _episode("J", date=dt.date(2024, 9, 3))
    day_after = _episode("K", date=dt.date(2024, 9, 2))
    report = analyse(
        [on_last_day, day_after], POLICY, report_date=REPORT_DATE, time_point=THREE_MONTHS
    )
    assert (report.not_yet_due, report.due) == (1, 1)


def test_a_stricter_pgic_threshold_changes_responders_and_wording() -> None:
    strict = dataclasses.replace(POLICY, pgic_threshold=Pgic.MUCH_IMPROVED)
    result = analyse(
        CLINIC, strict, report_date=REPORT_DATE, time_point=THREE_MONTHS, procedure=EPIDURAL
    ).result(Measure.PGIC_IMPROVED)
    assert result.responders == 1  # A (much improved); D (minimally) no longer counts
    assert "report being much improved or better" in result.sentence


def test_a_datetime_report_date_is_refused() -> None:
    with pytest.raises(ValueOutOfRange):
        analyse(
            CLINIC,
            POLICY,
            report_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            time_point=THREE_MONTHS,
        )


@pytest.mark.parametrize(
    "change",
    [
        {"less_pain_percent": Decimal(0)},
        {"substantial_pain_percent": Decimal(101)},
        {"odi_points": Decimal(-1)},
        {"eq_vas_points": 0},
        {"time_points": ()},
        {"time_points": (THREE_MONTHS, THREE_MONTHS)},
        {"confidence": Decimal("0.9")},
    ],
)
def test_a_policy_with_an_impossible_setting_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueOutOfRange):
        dataclasses.replace(POLICY, **change)  # type: ignore[arg-type]


def test_a_policy_calling_no_change_improved_is_refused() -> None:
    with pytest.raises(NotAnImprovementCategory):
        OutcomePolicy(pgic_threshold=Pgic.NO_CHANGE)


def test_an_unknown_time_point_name_is_refused() -> None:
    with pytest.raises(ValueOutOfRange):
        POLICY.time_point("2 years")


@pytest.mark.parametrize(("target", "window"), [(0, 0), (90, 90), (90, -1)])
def test_a_time_point_with_an_impossible_window_is_refused(target: int, window: int) -> None:
    with pytest.raises(ValueOutOfRange):
        TimePoint(name="x", target_day=target, window_days=window)


def test_the_default_policy_follows_the_reference_and_names_its_sources() -> None:
    assert POLICY.less_pain_percent == 30
    assert POLICY.substantial_pain_percent == 50
    assert POLICY.pgic_threshold is Pgic.MUCH_IMPROVED  # IMMPACT, Farrar (S110, S115)
    assert "S115" in POLICY_SOURCES["pgic_threshold"]
    assert POLICY.odi_points == 10
    assert (THREE_MONTHS.first_day, THREE_MONTHS.last_day) == (60, 120)
    field_names = {field.name for field in dataclasses.fields(OutcomePolicy)}
    assert set(POLICY_SOURCES) == field_names


@pytest.mark.parametrize(
    "follow_up",
    [
        {"days_after": -1},
        {"days_after": 10, "pain_nrs": Decimal(11)},
        {"days_after": 10, "odi_percent": Decimal(101)},
        {"days_after": 10, "eq_vas": -1},
    ],
)
def test_a_follow_up_outside_its_scales_is_refused(follow_up: dict[str, object]) -> None:
    with pytest.raises(ValueOutOfRange):
        FollowUp(**follow_up)  # type: ignore[arg-type]


small = st.integers(min_value=0, max_value=10)
follow_ups = st.builds(
    FollowUp,
    days_after=st.integers(min_value=0, max_value=400),
    pain_nrs=st.one_of(st.none(), small.map(Decimal)),
    odi_percent=st.one_of(st.none(), st.integers(0, 100).map(Decimal)),
    pgic=st.one_of(st.none(), st.sampled_from(Pgic)),
    eq_vas=st.one_of(st.none(), st.integers(0, 100)),
)
episodes = st.builds(
    Episode,
    patient_id=st.just("P"),
    procedure=st.sampled_from(ProcedureType),
    indication=st.sampled_from(["LRAD", "CRPS"]),
    procedure_date=st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2024, 12, 31)),
    baseline_pain_nrs=st.one_of(st.none(), small.map(Decimal)),
    baseline_odi_percent=st.one_of(st.none(), st.integers(0, 100).map(Decimal)),
    baseline_eq_vas=st.one_of(st.none(), st.integers(0, 100)),
    follow_ups=st.lists(follow_ups, max_size=6).map(tuple),
)


@settings(max_examples=60)
@given(rows=st.lists(episodes, max_size=30), point=st.sampled_from(POLICY.time_points))
def test_counts_always_nest_and_every_headline_is_true(
    rows: list[Episode], point: TimePoint
) -> None:
    report = analyse(rows, POLICY, report_date=REPORT_DATE, time_point=point)
    assert report.episodes == len(rows)
    for result in report.measures:
        assert 0 <= result.responders <= result.completers <= result.eligible
        assert result.eligible + result.no_baseline == report.due
        if result.completers_only is None:
            continue
        n, successes = result.completers_only.n, result.completers_only.successes
        headline = result.sentence.split(" of our ")[0]
        if headline.startswith("Over "):
            assert int(headline[5:-2]) * n < 100 * successes
        elif headline != "Under 1 %":
            assert int(headline[:-2]) * n == 100 * successes
        assert result.lost_as_non_responders is not None
        assert result.lost_as_non_responders.fraction <= result.completers_only.fraction
