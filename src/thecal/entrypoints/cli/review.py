"""`thecal review FILE…`: run the safety review over JSON review requests.

Exit status (the worst over all files): 0 nothing needs action (only info, or warnings the request
acknowledged); 4 warnings to acknowledge; 1 an override is needed; 2 an invalid request (with a
specific message and code — a malformed request is never "no findings"); 3 blocked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from thecal.domain.errors import ThecalError
from thecal.domain.library import reference_library
from thecal.domain.policy import ClinicPolicy
from thecal.domain.safety import Outcome, ReviewResult, parse_review_request_text, review

__all__ = ["EXIT_CODES", "review_command"]

EXIT_PROCEED = 0
EXIT_OVERRIDE = 1
EXIT_INVALID = 2
EXIT_BLOCKED = 3
EXIT_ACKNOWLEDGE = 4

EXIT_CODES = {
    Outcome.PROCEED: EXIT_PROCEED,
    Outcome.ACKNOWLEDGE: EXIT_ACKNOWLEDGE,
    Outcome.OVERRIDE: EXIT_OVERRIDE,
    Outcome.BLOCKED: EXIT_BLOCKED,
}
#: Which exit status wins when several files are reviewed (most serious first).
_PRECEDENCE = (EXIT_BLOCKED, EXIT_INVALID, EXIT_OVERRIDE, EXIT_ACKNOWLEDGE, EXIT_PROCEED)


def _human(path: Path, result: ReviewResult) -> str:
    lines = [f"{path}: {result.outcome.value.upper()}"]
    if not result.findings:
        lines.append("  no findings")
    for finding in result.findings:
        ack = " (acknowledged)" if finding.code in result.acknowledged else ""
        lines.append(
            f"  {finding.severity.value.upper():8} {finding.code}{ack}: {finding.message} "
            f"[{finding.source}]"
        )
    return "\n".join(lines)


def review_command(
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON review request(s)."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Review proposed programs, refills, trials and MRI plans (docs/review-format.md).

    Exit status, the worst over all files: 0 nothing needs action (only info, or acknowledged
    warnings); 4 warnings to acknowledge; 1 an override is needed; 2 an invalid request;
    3 blocked. Example: thecal review docs/examples/*.json
    """
    library, policy = reference_library(), ClinicPolicy()
    reports: list[dict[str, Any]] = []
    statuses: list[int] = []
    for path in files:
        try:
            context = parse_review_request_text(path.read_text(encoding="utf-8"), library=library)
        except ThecalError as error:
            statuses.append(EXIT_INVALID)
            reports.append({"file": str(path), "outcome": "invalid", "error": error.to_dict()})
            if not as_json:
                sys.stderr.write(f"{path}: INVALID error {error.code}: {error.message}\n")
            continue
        result = review(context, library=library, policy=policy)
        statuses.append(EXIT_CODES[result.outcome])
        reports.append({"file": str(path), **result.to_dict()})
        if not as_json:
            typer.echo(_human(path, result))
    if as_json:
        typer.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    status = next(code for code in _PRECEDENCE if code in statuses)
    raise typer.Exit(code=status)
