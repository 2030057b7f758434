"""Mailers: a local outbox folder (the default: one ``.eml`` file per message, so a demo works
offline) and an SMTP server (``THECAL_SMTP_HOST`` …). Both write the same message: plain text,
the calendar invitation attached as ``text/calendar``, and the reminder's own Message-ID.

**Failures** (``services/scheduling/mail.py``): an SMTP error while connecting, greeting,
starting TLS, logging in, a refusal of the sender or the recipient, or of the DATA command,
or a final answer refusing the message is :class:`MailNotSent` (it was not taken: safe to retry);
an error while the message data is on its way (a dropped connection) is :class:`MailUncertain`
(never resent automatically).

The outbox writes ``<message id>.eml`` atomically (a temporary file renamed into place): writing
the same reminder twice leaves one file.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from thecal.adapters.documents.calendar_files import invitation
from thecal.services.clock import Clock
from thecal.services.scheduling.mail import MailNotSent, MailUncertain, OutgoingMail

__all__ = ["OutboxMailer", "SmtpMailer", "build_message"]


def build_message(mail: OutgoingMail, *, sender: str, at: dt.datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(at.astimezone(dt.UTC))
    message.set_content(mail.body)
    if mail.invitation is not None:
        method = "CANCEL" if mail.invitation.cancelled else "REQUEST"
        message.add_attachment(
            invitation(mail.invitation, stamp=at, organizer=sender),
            maintype="text",
            subtype="calendar",
            filename="visit.ics",
            params={"method": method},
        )
    return message


class OutboxMailer:
    """Writes each message to ``folder/<message id>.eml`` (no network)."""

    def __init__(self, folder: Path, *, sender: str, clock: Clock) -> None:
        self.folder = folder
        self.sender = sender
        self.clock = clock

    def send(self, mail: OutgoingMail) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise MailNotSent(detail=f"cannot make the outbox {self.folder}: {error}") from error
        name = mail.message_id.strip("<>").replace("@", "_at_").replace("/", "_") + ".eml"
        target = self.folder / name
        data = bytes(build_message(mail, sender=self.sender, at=self.clock.now()))
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".sending-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise MailUncertain(detail=f"writing {target}: {error}") from error
        return f"written to {target}"


class SmtpMailer:
    """Sends through an SMTP server (STARTTLS when asked, a login when given)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        clock: Clock,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        self.host, self.port, self.sender, self.clock = host, port, sender, clock
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout_s = timeout_s

    def send(self, mail: OutgoingMail) -> str:
        message = build_message(mail, sender=self.sender, at=self.clock.now())
        try:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        except (OSError, smtplib.SMTPException) as error:
            raise MailNotSent(detail=f"{self.host}:{self.port}: {error}") from error
        with server:
            try:
                server.ehlo()
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
                if self.username:
                    server.login(self.username, self.password or "")
                code, _ = server.mail(self.sender)
                if code != 250:
                    raise MailNotSent(detail=f"sender refused ({code})")
                code, answer = server.rcpt(mail.to)
                if code not in {250, 251}:
                    raise MailNotSent(
                        detail=f"recipient refused ({code} {answer.decode(errors='replace')})"
                    )
            except (OSError, smtplib.SMTPException) as error:
                raise MailNotSent(detail=str(error)) from error
            try:
                code, answer = server.data(message.as_bytes(policy=SMTP))  # CRLF lines
            except smtplib.SMTPDataError as refused:  # DATA itself refused: nothing was sent
                raise MailNotSent(detail=str(refused)) from refused
            except (OSError, smtplib.SMTPException) as error:
                raise MailUncertain(detail=f"during the message data: {error}") from error
            text = f"{code} {answer.decode(errors='replace')}"
            if code != 250:  # the server answered and did not take the message
                raise MailNotSent(detail=f"message refused: {text}")
            return text
