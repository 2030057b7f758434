"""Safety-review benchmark: corpus sensitivity and false alarms, mutation campaign, latency.

``run()`` returns a Markdown section; the bench harness writes every ``bench_*.py`` section into
docs/benchmarks.md. Run alone with ``python bench/bench_safety.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "safety" / "corpus")
)

from safety_cases import HAZARDS, ROUTINE
from safety_mutations import campaign

from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import Outcome, Severity, parse_review_request, review

LATENCY_ROUNDS = 20


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def run() -> str:
    """Measure and describe the safety review as a Markdown section."""
    library, policy = reference_library(), ClinicPolicy()
    caught = 0
    for case in HAZARDS:
        result = review(
            parse_review_request(case.request, library=library), library=library, policy=policy
        )
        got = {f.code: f.severity.value for f in result.findings}
        caught += all(got.get(code) == severity for code, severity in case.expected.items())
    false_alarms = 0
    for case in ROUTINE:
        result = review(
            parse_review_request(case.request, library=library), library=library, policy=policy
        )
        false_alarms += any(f.severity is not Severity.INFO for f in result.findings)

    tried = blocked = override = 0
    missed: list[str] = []
    for name, path, mutation, request in campaign():
        tried += 1
        outcome = review(
            parse_review_request(request, library=library), library=library, policy=policy
        ).outcome
        if outcome is Outcome.BLOCKED:
            blocked += 1
        elif outcome is Outcome.OVERRIDE:
            override += 1
        else:
            missed.append(f"{mutation} of `{path}` in “{name}”")

    contexts = [parse_review_request(c.request, library=library) for c in (*HAZARDS, *ROUTINE)]
    timings: list[float] = []
    for _ in range(LATENCY_ROUNDS):
        for context in contexts:
            start = time.perf_counter_ns()
            review(context, library=library, policy=policy)
            timings.append((time.perf_counter_ns() - start) / 1e6)
    p50, p99 = statistics.median(timings), _percentile(timings, 99)

    lines = [
        "## Safety review (dose-error reduction)",
        "",
        "| Measure | Result | Target |",
        "|---|---|---|",
        f"| Sensitivity: hazardous cases caught at the right severity | {caught}/{len(HAZARDS)} ({100 * caught / len(HAZARDS):.1f} %) | 100 % |",
        f"| False alarms: routine cases with anything above info | {false_alarms}/{len(ROUTINE)} ({100 * false_alarms / len(ROUTINE):.1f} %) | 0 % |",
        f"| Mutation campaign: tried / blocked / override / passed | {tried} / {blocked} / {override} / {len(missed)} | all blocked or override |",
        f"| Review latency p50 / p99 ({len(timings)} reviews, parsed context) | {p50:.3f} ms / {p99:.3f} ms | p99 < 2 ms |",
        "",
        "Mutations: decimal shift ×10 and ÷10, extra zero, omitted zero, mg↔mcg swap, applied to every",
        "typed quantity (daily dose, flex-step rate, concentration, a component's intended dose,",
        "patient-bolus dose, refill and programmed concentrations) of the routine program-change and",
        "refill cases, drug switches (rotations) and an adjuvant added to morphine among them.",
    ]
    if missed:
        lines += [
            "",
            "Not blocked or sent to override:",
            "",
        ]
        lines += [f"- {item}" for item in missed]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
