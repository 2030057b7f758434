"""`thecal audit …`: verify the audit log, rotate its key, accept a restored backup, checkpoints.

``verify`` exits 0 when every entry verifies against its key, the recorded head and the latest
checkpoint kept outside the database, with the append-only triggers in place; 1 with every
problem named (the first bad entry with its sequence and reason; a cut tail or a wiped table
against the checkpoint; a dropped trigger; a missing head row); 2 for an error (unknown user,
refused, …). A broken log gets no entry and no checkpoint.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from thecal.domain.audit import AuditVerdict, BreakReason, Checkpoint
from thecal.entrypoints.cli.db import AsUser, Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.entrypoints.cli.progress import progress_bar
from thecal.services.audit import VerifyAudit, verify_audit
from thecal.services.audit_checkpoints import checkpoint_freshness
from thecal.services.audit_keeping import (
    AcceptRestore,
    CheckRestoredAudit,
    RotateAuditKey,
    accept_restore,
    check_restored_audit,
    rotate_audit_key,
)

__all__ = ["EXIT_CHAIN_BROKEN", "app", "verdict_lines", "verdict_payload"]

EXIT_CHAIN_BROKEN = 1
RESTORE_HINT = (
    "If this database was restored from a backup, check it with `thecal audit restored` and "
    "accept it with `thecal audit accept-restore --reason …`."
)

app = typer.Typer(no_args_is_help=True, help="Audit log tools.")


def _checkpoint(checkpoint: Checkpoint | None) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    return {
        "sequence": checkpoint.sequence,
        "made_at": checkpoint.made_at,
        "kind": checkpoint.kind,
        "signed_with": checkpoint.signed_with,
    }


def verdict_payload(verdict: AuditVerdict) -> dict[str, Any]:
    """The verdict as JSON-ready data (problems with their kind, sequence and reason)."""
    return {
        "ok": verdict.ok,
        "entries_checked": verdict.entries_checked,
        "head_sequence": verdict.head.sequence if verdict.head else 0,
        "checkpoint": _checkpoint(verdict.checkpoint),
        "problems": [
            {
                "kind": problem.kind,
                "sequence": problem.sequence,
                "position": problem.position,
                "reason": problem.reason.name if problem.reason else None,
                "detail": problem.detail,
                "message": problem.describe(),
            }
            for problem in verdict.problems
        ],
        "first_break": (
            {
                "position": verdict.first_break.position,
                "sequence": verdict.first_break.sequence,
                "reason": verdict.first_break.reason.name,
                "detail": verdict.first_break.detail,
            }
            if verdict.first_break
            else None
        ),
        "notes": list(verdict.notes),
    }


def verdict_lines(verdict: AuditVerdict) -> list[str]:
    """One line per problem, and what to do about a cut tail."""
    lines = [problem.describe() for problem in verdict.problems]
    if any(p.reason in (BreakReason.TRUNCATED, BreakReason.WIPED) for p in verdict.problems):
        lines.append(RESTORE_HINT)
    return lines


def _ok_line(verdict: AuditVerdict) -> str:
    against = (
        f", through the checkpoint of sequence {verdict.checkpoint.sequence}"
        if verdict.checkpoint and verdict.checkpoint.sequence
        else ""
    )
    notes = "".join(f"\nnote: {note}" for note in verdict.notes)
    return f"audit chain ok: {verdict.entries_checked} entries verified{against}{notes}"


@app.command()
def verify(as_user: AsUser, as_json: Json = False) -> None:
    """Verify every audit entry (key, link, HMAC) against the recorded head and the latest
    checkpoint, and the append-only triggers; then record the verification and checkpoint."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        with progress_bar("Verifying the audit chain", as_json=as_json) as progress:
            verdict = thecal.run(verify_audit, VerifyAudit(actor=actor, progress=progress))
    if verdict.ok:
        emit(verdict_payload(verdict), _ok_line(verdict), as_json=as_json)
        return
    if as_json:
        emit(verdict_payload(verdict), "", as_json=True)
    else:
        sys.stderr.write("\n".join(verdict_lines(verdict)) + "\n")
    raise typer.Exit(code=EXIT_CHAIN_BROKEN)


@app.command("rotate-key")
def rotate_key(as_user: AsUser, as_json: Json = False) -> None:
    """Put a new random audit key in service (appended to THECAL_AUDIT_KEY_FILE); old entries
    keep verifying under their own key. Refused when the log does not verify."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        done = thecal.run(rotate_audit_key, RotateAuditKey(actor=resolve_actor(thecal, as_user)))
        where = thecal.settings.audit_key_file
    emit(
        {
            "previous_key_id": done.previous_key_id,
            "key_id": done.key_id,
            "entry_sequence": done.entry_sequence,
            "key_file": where,
        },
        f"audit key rotated: {done.previous_key_id} → {done.key_id} (entry {done.entry_sequence} "
        f"is the first it signs; the key is in {where}; keep that file with the database's "
        "backups, apart from them)",
        as_json=as_json,
    )


@app.command()
def restored(as_json: Json = False) -> None:
    """After restoring a backup: does the database's chain verify as a prefix of the chain the
    checkpoints saw, and how many entries after it were lost? Exit 0 if it does, 1 if not."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        check = thecal.run(check_restored_audit, CheckRestoredAudit())
    payload = {
        **verdict_payload(check.verdict),
        "database_sequence": check.database_sequence,
        "latest_checkpoint": _checkpoint(check.latest),
        "missing_entries": check.missing_entries,
    }
    if not check.ok:
        if as_json:
            emit(payload, "", as_json=True)
        else:
            sys.stderr.write("\n".join(verdict_lines(check.verdict)) + "\n")
        raise typer.Exit(code=EXIT_CHAIN_BROKEN)
    emit(
        payload,
        f"the restored chain verifies up to sequence {check.database_sequence}; "
        f"{check.missing_entries} entries the checkpoints recorded after it are not in it",
        as_json=as_json,
    )


@app.command("accept-restore")
def accept_restore_command(
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="Why the restored (shorter) log is accepted.")],
    as_json: Json = False,
) -> None:
    """Accept a restored backup's audit chain as the chain from now on (audited with the
    reason and the number of entries lost); `thecal serve` then starts again."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        done = thecal.run(accept_restore, AcceptRestore(actor=actor, reason=reason))
    emit(
        {
            "database_sequence": done.check.database_sequence,
            "missing_entries": done.check.missing_entries,
            "entry_sequence": done.entry_sequence,
        },
        f"restored audit chain accepted at sequence {done.check.database_sequence} "
        f"({done.check.missing_entries} entries lost); recorded as entry {done.entry_sequence}",
        as_json=as_json,
    )


@app.command()
def checkpoints(as_json: Json = False) -> None:
    """Show the latest checkpoint of the chain's head, where the checkpoints are, and its age."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        store = thecal.audit_checkpoints
        freshness = checkpoint_freshness(
            store,
            thecal.audit_keys.ring(),
            max_age=2 * thecal.settings.checkpoint_interval,
        )
    latest = freshness.latest
    human = (
        f"latest checkpoint: sequence {latest.sequence} ({latest.kind}) at "
        f"{latest.made_at.isoformat(timespec='seconds')}, {freshness.age} ago, in {store.location}"
        if latest
        else f"no checkpoint yet in {store.location}"
    )
    human += "".join(f"\nproblem: {problem}" for problem in freshness.problems)
    emit(
        {
            "location": store.location,
            "latest": _checkpoint(latest),
            "age_seconds": freshness.age.total_seconds() if freshness.age is not None else None,
            "fresh": freshness.fresh,
            "problems": list(freshness.problems),
        },
        human,
        as_json=as_json,
    )
