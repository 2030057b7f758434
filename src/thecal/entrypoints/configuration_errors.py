"""How a process stops on a setting it cannot run with: one paragraph on stderr, exit status 2.

The one translation of :class:`~thecal.domain.errors.ConfigurationInvalid` (THC-CONF-001) at the
edges that start thecal: the ``thecal`` command (``entrypoints/cli/main.py``, for every
subcommand) and the app factory uvicorn's workers call (``entrypoints/api/server.py``). The
message names the variable, what is wrong with its value and the fix — never a traceback.
"""

from __future__ import annotations

import sys

from thecal.domain.errors import ConfigurationInvalid

__all__ = ["EXIT_CONFIGURATION", "configuration_message", "report_configuration_error"]

#: The CLI's exit status for input it refuses (``entrypoints/cli/output.py``), configuration too.
EXIT_CONFIGURATION = 2


def configuration_message(refused: ConfigurationInvalid) -> str:
    """The paragraph printed for ``refused``."""
    return f"thecal: configuration error {refused.code}: {refused.message}\n"


def report_configuration_error(refused: ConfigurationInvalid) -> None:
    """Print the paragraph on stderr (the caller then exits with :data:`EXIT_CONFIGURATION`)."""
    sys.stderr.write(configuration_message(refused))
