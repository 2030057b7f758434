"""How a demo patient answers the questionnaires over time (plausible, not from any source).

Each episode (an injection, a trial, an implant) draws one *response* — the fraction of pain the
procedure takes away when it works — and the patient's answers follow it: NRS pain, PGIC, ODI and
EQ-5D-5L (with the EQ VAS) and, for intrathecal patients, the BPI short form. Follow-ups are asked
near 1, 3, 6 and 12 months (inside the report's windows, ``reports/outcome_policy.py``); at each
one a patient may be lost for good or miss the visit, so the reports have honest gaps. The
response shares per procedure are demo assumptions chosen to look like published clinic figures.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from thecal.domain.instruments import BPI_INTERFERENCE_ITEMS, ODI_ITEMS, Instrument

__all__ = ["FOLLOW_UPS", "Answers", "Course", "Visit", "draw_course"]

Answers = dict[str, int | None]

# (target day, jitter in days, instruments besides NRS and PGIC) — windows 30±14, 90±30, …
# ODI and EQ-5D-5L are asked only of the patients who answered them at baseline.
FOLLOW_UPS = (
    (30, 7, ()),
    (90, 14, (Instrument.ODI,)),
    (180, 21, (Instrument.BPI_SF,)),
    (365, 28, (Instrument.ODI, Instrument.EQ5D5L)),
)
_LOST_PERCENT = 12  # leaves follow-up for good at a visit
_MISSED_PERCENT = 6  # misses one visit
# Once the clinic sends reminders (docs/demo.md), half as many are lost or miss a visit: a demo
# assumption, so that the outcome report's capture shows what reminders change.
_REMINDED_LOST_PERCENT = 6
_REMINDED_MISSED_PERCENT = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """The questionnaires answered on one day, relative to the procedure."""

    day: int  # days after the procedure (≤ 0: baseline)
    answers: tuple[tuple[Instrument, Answers], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Course:
    """An episode's questionnaires: one baseline visit and the follow-ups that happen."""

    baseline: Visit
    follow_ups: tuple[Visit, ...]
    missed: tuple[int, ...] = ()  # target days of the follow-ups the patient did not come to
    lost_at: int | None = None  # the target day of the visit after which the patient is gone

    @property
    def pain_baseline(self) -> int:
        """The baseline NRS pain (0–10)."""
        for instrument, answers in self.baseline.answers:
            if instrument is Instrument.NRS and answers["pain"] is not None:
                return answers["pain"]
        return 0

    def visits(self) -> Iterator[Visit]:
        yield self.baseline
        yield from self.follow_ups


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _odi(percent: int) -> Answers:
    """Ten sections summing to percent / 2 (ODI = sum / 50 × 100), spread evenly."""
    total = _clamp(percent / 2, 0, 50)
    base, extra = divmod(total, len(ODI_ITEMS))
    return {item: base + (1 if i < extra else 0) for i, item in enumerate(ODI_ITEMS)}


def _eq5d(pain: int, vas: int, rng: random.Random) -> Answers:
    level = _clamp(1 + pain / 2.5, 1, 5)
    return {
        "mobility": _clamp(level + rng.choice((-1, 0, 0)), 1, 5),
        "self_care": _clamp(level - 1 + rng.choice((-1, 0, 0)), 1, 5),
        "usual_activities": level,
        "pain_discomfort": level,
        "anxiety_depression": _clamp(level - 1 + rng.choice((0, 0, 1)), 1, 5),
        "vas": _clamp(vas, 0, 100),
    }


def _bpi(pain: int, rng: random.Random) -> Answers:
    answers: Answers = {
        "worst": _clamp(pain + rng.randint(1, 2), 0, 10),
        "least": _clamp(pain - rng.randint(1, 3), 0, 10),
        "average": pain,
        "now": _clamp(pain + rng.randint(-1, 1), 0, 10),
    }
    for item in BPI_INTERFERENCE_ITEMS:
        answers[item] = _clamp(pain + rng.randint(-2, 1), 0, 10)
    return answers


def _pgic(relief: float, rng: random.Random) -> int:
    """1 very much improved … 7 very much worse, from the share of pain relieved."""
    if relief >= 0.6:
        return rng.choice((1, 2))
    if relief >= 0.3:
        return rng.choice((2, 3))
    if relief >= 0.1:
        return rng.choice((3, 4))
    return rng.choice((4, 4, 5, 6))


def _visit(
    *,
    day: int,
    pain: int,
    odi: int,
    vas: int,
    extra: tuple[Instrument, ...],
    rng: random.Random,
    pgic: int | None,
) -> Visit:
    answers: list[tuple[Instrument, Answers]] = [(Instrument.NRS, {"pain": pain})]
    if pgic is not None:
        answers.append((Instrument.PGIC, {"change": pgic}))
    for instrument in extra:
        if instrument is Instrument.ODI:
            answers.append((instrument, _odi(odi)))
        elif instrument is Instrument.EQ5D5L:
            answers.append((instrument, _eq5d(pain, vas, rng)))
        elif instrument is Instrument.BPI_SF:
            answers.append((instrument, _bpi(pain, rng)))
    return Visit(day=day, answers=tuple(answers))


def draw_course(
    rng: random.Random,
    *,
    responder_percent: int,
    bpi: bool,
    function_percent: int = 100,
    quality_percent: int = 100,
    last_follow_up: int = 365,
    reminded_from_day: int | None = None,
) -> Course:
    """One episode's questionnaires (days relative to the procedure day).

    Args:
        rng: the patient's generator.
        responder_percent: the chance that the procedure works (then 40–90 % less pain; else
            0–25 %), a demo assumption per procedure.
        bpi: also ask the BPI short form (intrathecal patients).
        function_percent: the chance that the episode follows function (ODI).
        quality_percent: the chance that it follows quality of life (EQ-5D-5L with EQ VAS).
        last_follow_up: no follow-up planned after this target day (a trial's patients move on
            to the implant episode).
        reminded_from_day: from this day after the procedure the clinic sends reminders, and
            fewer patients are lost or miss a visit (a demo assumption).
    """
    pain0 = rng.randint(5, 9)
    odi0 = rng.randint(28, 64)
    vas0 = rng.randint(25, 60)
    works = rng.randrange(100) < responder_percent
    relief = rng.uniform(0.4, 0.9) if works else rng.uniform(0.0, 0.25)
    asked = {Instrument.BPI_SF} if bpi else set()
    if rng.randrange(100) < function_percent:
        asked.add(Instrument.ODI)
    if rng.randrange(100) < quality_percent:
        asked.add(Instrument.EQ5D5L)
    extra0 = tuple(i for i in (Instrument.ODI, Instrument.EQ5D5L, Instrument.BPI_SF) if i in asked)
    baseline = _visit(
        day=-rng.randint(0, 10), pain=pain0, odi=odi0, vas=vas0, extra=extra0, rng=rng, pgic=None
    )
    follow_ups: list[Visit] = []
    missed: list[int] = []
    lost_at: int | None = None
    fade = rng.uniform(0.0, 0.5)  # how much of the relief wears off by 12 months
    for target, jitter, extra in FOLLOW_UPS:
        reminded = reminded_from_day is not None and target >= reminded_from_day
        lost = _REMINDED_LOST_PERCENT if reminded else _LOST_PERCENT
        if target > last_follow_up:
            break
        if rng.randrange(100) < lost:
            lost_at = target
            break
        if rng.randrange(100) < (_REMINDED_MISSED_PERCENT if reminded else _MISSED_PERCENT):
            missed.append(target)
            continue
        now_relief = relief * (1 - fade * target / 365) + rng.uniform(-0.08, 0.08)
        pain = _clamp(pain0 * (1 - now_relief), 0, 10)
        odi = _clamp(odi0 * (1 - now_relief * 0.6), 0, 100)
        vas = _clamp(vas0 + 40 * now_relief, 0, 100)
        chosen = tuple(i for i in extra if i in asked)
        day = target + rng.randint(-jitter, jitter)
        pgic = _pgic(now_relief, rng)
        follow_ups.append(
            _visit(day=day, pain=pain, odi=odi, vas=vas, extra=chosen, rng=rng, pgic=pgic)
        )
    return Course(
        baseline=baseline, follow_ups=tuple(follow_ups), missed=tuple(missed), lost_at=lost_at
    )
