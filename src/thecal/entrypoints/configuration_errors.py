"""How a process stops on a setting it cannot run with: one paragraph on stderr, never a traceback.

The one translation of :class:`~thecal.domain.errors.ConfigurationInvalid` (THC-CONF-001) at the
edges that start thecal: the ``thecal`` command (``entrypoints/cli/main.py``, for every
subcommand) and the app factory uvicorn's workers call (``entrypoints/api/server.py``). The
message names the variable, what is wrong with its value and the fix — exit status 2.

A database thecal cannot use (issue 15 §8) — a server that is down, a wrong host, port or
password, a file in a missing directory, a database without thecal's tables — ends every command
with one line naming the database (password hidden), the driver's first line and the fix, and
exit status :data:`EXIT_DATABASE` (:func:`database_problem`).
"""

from __future__ import annotations

import os
import sys

from thecal.domain.errors import ConfigurationInvalid

__all__ = [
    "EXIT_CONFIGURATION",
    "EXIT_DATABASE",
    "configuration_message",
    "database_problem",
    "report_configuration_error",
]

#: The CLI's exit status for input it refuses (``entrypoints/cli/output.py``), configuration too.
EXIT_CONFIGURATION = 2
#: The exit status when the database cannot be used (1 is a refused start or a broken audit
#: chain, 2 refused input or configuration, 3 a blocked review).
EXIT_DATABASE = 4

_NO_SCHEMA = ("no such table", "does not exist", "undefinedtable")


def configuration_message(refused: ConfigurationInvalid) -> str:
    """The paragraph printed for ``refused``."""
    return f"thecal: configuration error {refused.code}: {refused.message}\n"


def report_configuration_error(refused: ConfigurationInvalid) -> None:
    """Print the paragraph on stderr (the caller then exits with :data:`EXIT_CONFIGURATION`)."""
    sys.stderr.write(configuration_message(refused))


def _database_shown() -> str:
    """The configured database URL with its password hidden. The settings and SQLAlchemy are
    taken from the loaded modules (the command that failed loaded them): the registry imports
    neither (``tests/unit/cli/test_cli_imports.py``)."""
    text = os.environ.get("THECAL_DATABASE_URL", "").strip()
    config = sys.modules.get("thecal.config")
    if not text and config is not None:
        text = str(config.Settings.model_fields["database_url"].default)
    urls = sys.modules.get("sqlalchemy.engine.url")
    try:
        return str(urls.make_url(text).render_as_string(hide_password=True))  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - shown without what could be credentials
        return text.rsplit("@", 1)[-1]


def _connection_kinds() -> tuple[type[BaseException], ...]:
    """The connection-level error classes of the database libraries already loaded."""
    kinds: list[type[BaseException]] = []
    for module, names in (
        ("sqlalchemy.exc", ("OperationalError", "InterfaceError")),
        ("psycopg", ("OperationalError", "InterfaceError")),
        ("sqlite3", ("OperationalError",)),
    ):
        loaded = sys.modules.get(module)
        kinds.extend(getattr(loaded, name) for name in names if loaded is not None)
    return tuple(kinds)


def _connection_error(error: BaseException) -> BaseException | None:
    """``error`` or the first of its causes that is a connection-level database error."""
    kinds, seen = _connection_kinds(), set[int]()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and kinds:
        if isinstance(current, kinds):
            return current
        seen.add(id(current))
        suppressed = current.__suppress_context__  # `raise … from None`: handled already
        current = current.__cause__ or (None if suppressed else current.__context__)
    return None


def database_problem(error: BaseException) -> str | None:
    """The one-line message for a database error thecal cannot work around, else ``None``.

    Only connection-level errors count (``OperationalError``, ``InterfaceError`` of SQLAlchemy
    or of the driver, raised or among the causes): they mean the database cannot be reached or
    used, not that a command has a bug. The libraries are looked up among the loaded modules,
    so a command that never opened a database imports none of them here.
    """
    found = _connection_error(error)
    if found is None:
        return None
    cause = str(getattr(found, "orig", None) or found).strip().splitlines()
    first = cause[0].strip() if cause else type(error).__name__
    where = _database_shown()
    if any(marker in first.casefold() for marker in _NO_SCHEMA):
        return (
            f"thecal: the database at {where} (THECAL_DATABASE_URL) has no thecal schema: "
            f"{first}. Run `thecal db upgrade`, or correct the URL.\n"
        )
    return (
        f"thecal: cannot reach the database at {where} (THECAL_DATABASE_URL): {first}. "
        "Start it, or correct the URL.\n"
    )
