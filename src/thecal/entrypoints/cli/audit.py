"""`thecal audit verify`: check the audit log's hash chain end to end.

Exit status 0 when every entry verifies against the key and the recorded head; 1 with the first
bad entry named (sequence and reason) when not; 2 for an error (unknown user, refused, …).
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.progress import progress_bar
from thecal.services.audit import VerifyAudit, verify_audit

__all__ = ["EXIT_CHAIN_BROKEN", "app"]

EXIT_CHAIN_BROKEN = 1

app = typer.Typer(no_args_is_help=True, help="Audit log tools.")


@app.command()
def verify(as_user: AsUser, as_json: Json = False) -> None:
    """Verify every audit entry's HMAC and link, in order, against the recorded head."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        with progress_bar("Verifying the audit chain", as_json=as_json) as progress:
            report = thecal.run(verify_audit, VerifyAudit(actor=actor, progress=progress))
    payload: dict[str, Any] = {
        "ok": report.ok,
        "entries_checked": report.entries_checked,
        "head_sequence": report.head.sequence if report.head else 0,
    }
    broken = report.first_break
    if broken is None:
        emit(payload, f"audit chain ok: {report.entries_checked} entries verified", as_json=as_json)
        return
    payload["first_break"] = {
        "position": broken.position,
        "sequence": broken.sequence,
        "reason": broken.reason.name,
        "detail": broken.detail,
    }
    message = (
        f"audit chain BROKEN at entry sequence {broken.sequence} "
        f"(position {broken.position}): {broken.reason.value}; {broken.detail}"
    )
    if as_json:
        emit(payload, message, as_json=True)
    else:
        sys.stderr.write(message + "\n")
    raise typer.Exit(code=EXIT_CHAIN_BROKEN)
