"""How the portal shows each questionnaire: the instrument's own item keys (``domain/instruments``)
with a question and labelled answer choices. Presentation only: which answers are valid and how
they are scored stays in the domain; a blank item is sent as unanswered and the domain decides.

The wording is a short plain-language paraphrase, not the licensed form text; each instrument
names its source key (clinical.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.domain.errors import RequestInvalid
from thecal.domain.instruments import (
    BPI_INTERFERENCE_ITEMS,
    BPI_SEVERITY_ITEMS,
    ODI_ITEMS,
    Eq5dDimension,
    Instrument,
    Pgic,
)

__all__ = ["PORTAL_INSTRUMENTS", "Item", "Questionnaire", "answers_from_form", "questionnaire"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    key: str  # the instrument's answer key
    question: str
    choices: tuple[tuple[int, str], ...] = ()  # (value, label); empty: a number field
    low: int = 0
    high: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Questionnaire:
    instrument: Instrument
    title: str
    intro: str
    source: str
    items: tuple[Item, ...]


def _scale(low: int, high: int, low_label: str, high_label: str) -> tuple[tuple[int, str], ...]:
    def label(value: int) -> str:
        if value == low:
            return f"{value} — {low_label}"
        if value == high:
            return f"{value} — {high_label}"
        return str(value)

    return tuple((value, label(value)) for value in range(low, high + 1))


_ODI_QUESTIONS = {
    "pain_intensity": "Pain intensity",
    "personal_care": "Personal care (washing, dressing)",
    "lifting": "Lifting",
    "walking": "Walking",
    "sitting": "Sitting",
    "standing": "Standing",
    "sleeping": "Sleeping",
    "sex_life": "Sex life (leave blank if it does not apply)",
    "social_life": "Social life",
    "travelling": "Travelling",
}
_BPI_SEVERITY = {
    "worst": "Your pain at its worst in the last 24 hours",
    "least": "Your pain at its least in the last 24 hours",
    "average": "Your pain on average",
    "now": "Your pain right now",
}
_EQ5D_LEVELS = (
    (1, "no problems"),
    (2, "slight problems"),
    (3, "moderate problems"),
    (4, "severe problems"),
    (5, "unable / extreme problems"),
)

_QUESTIONNAIRES = {
    Instrument.NRS: Questionnaire(  # the pain diary's question, asked again for a follow-up visit
        instrument=Instrument.NRS,
        title="Pain today (0–10)",
        intro="How bad is your pain today?",
        source="S110",
        items=(
            Item(
                key="pain",
                question="Your pain today: 0 is no pain, 10 is the worst pain you can imagine",
                choices=_scale(0, 10, "no pain", "worst imaginable"),
            ),
        ),
    ),
    Instrument.ODI: Questionnaire(
        instrument=Instrument.ODI,
        title="Oswestry Disability Index (ODI)",
        intro="For each section choose the one statement that best describes you today, "
        "from 0 (no difficulty) to 5 (the most difficulty). You may leave a section blank.",
        source="S118, S119",
        items=tuple(
            Item(
                key=key,
                question=f"Section {n}: {_ODI_QUESTIONS[key]}",
                choices=_scale(0, 5, "no difficulty", "the most difficulty"),
            )
            for n, key in enumerate(ODI_ITEMS, start=1)
        ),
    ),
    Instrument.BPI_SF: Questionnaire(
        instrument=Instrument.BPI_SF,
        title="Brief Pain Inventory (short form)",
        intro="Rate your pain from 0 to 10, then how much pain has interfered with your life "
        "during the past 24 hours.",
        source="S116, S117",
        items=tuple(
            Item(
                key=key,
                question=_BPI_SEVERITY[key],
                choices=_scale(0, 10, "no pain", "pain as bad as you can imagine"),
            )
            for key in BPI_SEVERITY_ITEMS
        )
        + tuple(
            Item(
                key=key,
                question=f"Pain has interfered with: {key.replace('_', ' ')}",
                choices=_scale(0, 10, "does not interfere", "completely interferes"),
            )
            for key in BPI_INTERFERENCE_ITEMS
        ),
    ),
    Instrument.EQ5D5L: Questionnaire(
        instrument=Instrument.EQ5D5L,
        title="EQ-5D-5L",
        intro="For each area choose the level that best describes your health today, then rate "
        "your health today from 0 (the worst you can imagine) to 100 (the best).",
        source="S120",
        items=(
            *(
                Item(
                    key=d.value,
                    question=d.value.replace("_", " ").capitalize(),
                    choices=_EQ5D_LEVELS,
                )
                for d in Eq5dDimension
            ),
            Item(key="vas", question="Your health today (EQ VAS, 0–100)", low=0, high=100),
        ),
    ),
    Instrument.PGIC: Questionnaire(
        instrument=Instrument.PGIC,
        title="Patient Global Impression of Change (PGIC)",
        intro="Since the start of your treatment, how would you describe the change in your "
        "overall condition?",
        source="S114",
        items=(
            Item(
                key="change",
                question="Overall change",
                choices=tuple((p.value, p.label) for p in Pgic),
            ),
        ),
    ),
}

#: The questionnaires a patient fills in the portal, in menu order.
PORTAL_INSTRUMENTS = (Instrument.ODI, Instrument.BPI_SF, Instrument.EQ5D5L, Instrument.PGIC)


def questionnaire(code: str) -> Questionnaire:
    """The portal questionnaire with this instrument code.

    Raises:
        UnknownInstrument: not an instrument code; RequestInvalid: not offered in the portal.
    """
    instrument = Instrument.from_code(code)
    if instrument not in _QUESTIONNAIRES:
        raise RequestInvalid(where="questionnaire", detail=f"{code} is not filled in the portal")
    return _QUESTIONNAIRES[instrument]


def answers_from_form(form: dict[str, str], keys: tuple[str, ...]) -> dict[str, int | None]:
    """The posted answers by item key: a whole number, or None for a blank item.

    Raises:
        RequestInvalid: an answer that is not a whole number (range checks are the domain's).
    """
    answers: dict[str, int | None] = {}
    for key in keys:
        text = form.get(key, "").strip()
        if not text:
            answers[key] = None
        elif text.isdigit() and len(text) <= 3:
            answers[key] = int(text)
        else:
            raise RequestInvalid(where=key.replace("_", " "), detail=f"{text!r} is not a choice")
    return answers
