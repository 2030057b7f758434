"""Structured logs (``structlog``): one JSON object per line, with the request id, and no PHI.

:func:`configure_logging` routes every logger — thecal's own ``logging.getLogger(__name__)``
loggers, uvicorn's, SQLAlchemy's warnings — through one handler on the root logger that renders
with structlog: JSON lines by default (``THECAL_LOG_FORMAT=json``), or a readable console form
(``console``) for a developer's terminal. Each line carries ``timestamp`` (UTC, ISO 8601),
``level``, ``logger``, ``event``, ``pid`` and whatever the request bound with
:func:`bind_request` (``request_id``), also in worker threads (context variables are copied into
anyio's threads).

What is never logged (PHI, safety.md): patient names, MRNs, dates of birth, or anything else from
a request's query string, body or answer. The request line (``entrypoints/api/request_log.py``)
names the route's *template* (``/api/v1/patients/{patient_id}``), never the path or the query
(the patient search puts names, MRNs and birth dates in the query), nor the client's address (an
identifier under HIPAA when tied to a patient; the reverse proxy's log keeps it, see
docs/deploy.md). Engines hide SQL parameters in error messages (``hide_parameters``), so a
database error logged with its traceback shows the statement, not the patient's data.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, Final, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

__all__ = [
    "LOG_FORMATS",
    "LOG_LEVELS",
    "LogFormat",
    "LogLevel",
    "bind_request",
    "clear_request",
    "configure_logging",
    "reset_logging",
]

LogFormat = Literal["json", "console"]
LOG_FORMATS: Final = ("json", "console")
LogLevel = Literal["debug", "info", "warning", "error"]
LOG_LEVELS: Final = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}

_HANDLER = "thecal"
_NOISY = {
    "uvicorn.access": logging.WARNING,  # our own request line replaces uvicorn's access log
    "alembic.runtime.migration": logging.WARNING,  # /readyz reads the revision every few seconds
}


def _add_pid(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    event.setdefault("pid", os.getpid())
    return event


def _drop_colours(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    event.pop("color_message", None)  # uvicorn's ANSI-coloured copy of the message
    return event


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.ExtraAdder(),  # fields passed as ``extra=`` to a stdlib logger
        _drop_colours,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_pid,
    ]


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of the record (a test may swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(
    fmt: LogFormat = "json", *, level: LogLevel = "info", stream: TextIO | None = None
) -> None:
    """Render every log record with structlog on ``stream`` (default stderr); idempotent (it
    replaces its own handler, leaving other handlers alone)."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*_shared(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _StandardError()
    )
    handler.setFormatter(formatter)
    handler.set_name(_HANDLER)
    reset_logging()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(LOG_LEVELS[level])
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()  # uvicorn's own formatters: ours renders instead
        uvicorn_logger.propagate = True
    for name, noisy_level in _NOISY.items():
        logging.getLogger(name).setLevel(noisy_level)


def reset_logging() -> None:
    """Remove the handler :func:`configure_logging` installed (tests; a second configuration)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)
        old.close()


def bind_request(**fields: Any) -> None:
    """Bind fields (``request_id``) to every log line of the current request."""
    structlog.contextvars.bind_contextvars(**fields)


def clear_request() -> None:
    structlog.contextvars.clear_contextvars()
