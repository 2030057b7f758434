"""The mutation campaign: number-entry errors applied to valid prescriptions.

Mutations (Lesar 2002 mechanisms, safety.md §2.2): a decimal shift either way, an extra zero, an
omitted zero, an mg↔mcg swap. Each applies to one quantity of a valid request (daily dose, a
concentration, a component's intended dose, a patient-bolus dose, a flex-step rate) and returns
None where it cannot apply (for example no zero to omit). Mutated requests must be blocked or sent
to override. The templates are every routine program change and refill of the corpus, among them
drug switches (rotations to morphine), an adjuvant added to morphine and admixtures with each
component's intended dose stated.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

from safety_cases import ROUTINE

Json = dict[str, Any]
_TEXT = re.compile(r"^(\d+)(?:\.(\d+))?( .+)$")


def _parts(text: str) -> tuple[str, str, str]:
    match = _TEXT.match(text)
    if match is None:
        msg = f"not a quantity: {text!r}"
        raise ValueError(msg)
    return match.group(1), match.group(2) or "", match.group(3)


def _join(whole: str, frac: str, unit: str) -> str:
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return f"{whole}.{frac}{unit}" if frac else f"{whole}{unit}"


def shift_right(text: str) -> str | None:
    """Decimal point one place to the right (×10): 2.5 → 25."""
    whole, frac, unit = _parts(text)
    return _join(whole + (frac[:1] or "0"), frac[1:], unit)


def shift_left(text: str) -> str | None:
    """Decimal point one place to the left (÷10): 25 → 2.5."""
    whole, frac, unit = _parts(text)
    padded = whole.rjust(2, "0")
    return _join(padded[:-1], padded[-1] + frac, unit)


def extra_zero(text: str) -> str | None:
    """An extra zero that changes the magnitude: 5 → 50, 0.5 → 0.05."""
    whole, frac, unit = _parts(text)
    if not frac and whole != "0":
        return _join(whole + "0", "", unit)
    if whole == "0" and frac:
        return _join("0", "0" + frac, unit)
    return None


def omitted_zero(text: str) -> str | None:
    """A zero left out: 50 → 5, 0.05 → 0.5."""
    whole, frac, unit = _parts(text)
    if not frac and whole.endswith("0") and whole != "0":
        return _join(whole[:-1], "", unit)
    if whole == "0" and frac.startswith("0"):
        return _join("0", frac[1:], unit)
    return None


def unit_swap(text: str) -> str | None:
    """mg written as mcg or the other way round."""
    whole, frac, unit = _parts(text)
    if unit.startswith(" mg"):
        return _join(whole, frac, " mcg" + unit[3:])
    if unit.startswith(" mcg"):
        return _join(whole, frac, " mg" + unit[4:])
    return None


MUTATIONS: dict[str, Callable[[str], str | None]] = {
    "decimal shift ×10": shift_right,
    "decimal shift ÷10": shift_left,
    "extra zero": extra_zero,
    "omitted zero": omitted_zero,
    "mg↔mcg swap": unit_swap,
}


def _paths(request: Json) -> Iterator[tuple[str | int, ...]]:
    """Paths of the quantities a clinician or pharmacist types for this proposal."""
    proposal = request["proposal"]
    rx = proposal.get("prescription")
    if rx is not None:
        if "daily_dose" in rx:
            yield ("proposal", "prescription", "daily_dose")
        for i in range(len(rx.get("steps", []))):
            yield ("proposal", "prescription", "steps", i, "rate")
        for i, component in enumerate(rx["admixture"]):
            yield ("proposal", "prescription", "admixture", i, "concentration")
            if "daily_dose" in component:
                yield ("proposal", "prescription", "admixture", i, "daily_dose")
        if "patient_bolus" in rx:
            yield ("proposal", "prescription", "patient_bolus", "dose")
    refill = proposal.get("refill")
    if refill is not None:
        for key in ("admixture", "verified_admixture", "programmed_admixture"):
            for i in range(len(refill.get(key, []))):
                yield ("proposal", "refill", key, i, "concentration")


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


TEMPLATES: list[tuple[str, Json]] = [
    (case.name, case.request)
    for case in ROUTINE
    if case.request["action"] in {"program-change", "refill"}
]


def targets() -> list[tuple[str, tuple[str | int, ...]]]:
    """Every (template name, quantity path) pair of the campaign."""
    return [(name, path) for name, request in TEMPLATES for path in _paths(request)]


def mutate(request: Json, path: tuple[str | int, ...], mutation: str) -> Json | None:
    """A deep copy of ``request`` with ``mutation`` applied at ``path``, or None if it cannot apply."""
    text = _get(request, path)
    changed = MUTATIONS[mutation](text)
    if changed is None or changed == text:
        return None
    mutated = copy.deepcopy(request)
    _set(mutated, path, changed)
    return mutated


def campaign() -> Iterator[tuple[str, str, str, Json]]:
    """Every applicable mutation: (template, path, mutation, mutated request)."""
    by_name = dict(TEMPLATES)
    for name, path in targets():
        for mutation in MUTATIONS:
            mutated = mutate(by_name[name], path, mutation)
            if mutated is not None:
                yield name, ".".join(str(p) for p in path), mutation, mutated
