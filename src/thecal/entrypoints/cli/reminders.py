"""`thecal reminders send`: send the due appointment reminders, each at most once."""

from __future__ import annotations

import typer

from thecal.domain.users import Actor, Role
from thecal.entrypoints.cli.db import Json, open_app
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.scheduling.reminders import ClaimDueReminders, send_due_reminders

__all__ = ["SCHEDULER", "app"]

app = typer.Typer(no_args_is_help=True, help="Appointment reminders.")

#: The operator identity of the reminders job (audited under this name).
SCHEDULER = Actor(user_id="scheduler", role=Role.ADMIN)


@app.command()
def send(as_json: Json = False) -> None:
    """Send the reminders due now: to THECAL_SMTP_HOST, or into THECAL_OUTBOX_DIR (var/outbox)
    when no server is set. Each is sent at most once; an interrupted one is reported uncertain."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        report = send_due_reminders(
            ClaimDueReminders(actor=SCHEDULER, setup=thecal.scheduling),
            run=thecal.run,
            mailer=thecal.mailer(),
        )
        emit(
            {
                "sent": report.sent,
                "retry": report.retry,
                "uncertain": report.uncertain,
                "skipped": report.skipped,
                "expired_claims": report.expired_claims,
            },
            f"sent {report.sent}, to retry {report.retry}, uncertain {report.uncertain + report.expired_claims}, "
            f"skipped {report.skipped}",
            as_json=as_json,
        )
