"""The mail port: one message with an optional calendar invitation, and how sending can fail.

Adapters: a local outbox folder (one ``.eml`` file per message; the default, so a demo works
offline) and an SMTP server (``adapters/mail.py``). A mailer says clearly which failure it was:
:class:`MailNotSent` — refused before the message was handed over, safe to try again — or
:class:`MailUncertain` — the message may have been delivered, so it is never resent automatically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from thecal.domain.errors import DeviceError

__all__ = ["CalendarEvent", "MailNotSent", "MailUncertain", "Mailer", "OutgoingMail"]


class MailNotSent(DeviceError):
    code = "THC-REM-010"
    template = "the mail server refused the message before taking it: {detail}"


class MailUncertain(DeviceError):
    code = "THC-REM-011"
    template = "the message may or may not have been delivered: {detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarEvent:
    """One calendar entry (an invitation or a feed entry): only what may be shown."""

    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    sequence: int = 0
    cancelled: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMail:
    message_id: str
    to: str
    subject: str
    body: str
    invitation: CalendarEvent | None = None


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> str:
        """Deliver ``mail``; return the server's answer (or the file written).

        Raises:
            MailNotSent: refused before the message was handed over.
            MailUncertain: an error after that point.
        """
        ...
