"""Lazy subcommands: a command's module is imported only when that command runs.

The top-level group lists every command from a registry of :class:`Subcommand` entries (name,
``module:attribute`` and the one-line help), so ``thecal --help`` and shell completion of the
command names import no command module. When a command is dispatched (``thecal calc flow …``,
``thecal calc --help``, completion inside ``calc``) its module is imported and turned into the
Typer command exactly as ``add_typer``/``command`` would have, and only then. A calculator thus
never pays for the web app, the ORM or matplotlib, which only the commands that use them import.

Until it is loaded a command is a :class:`_Placeholder`: it carries the name and help for the
listing and is replaced by the real command at dispatch (``LazyGroup.resolve_command``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer._click import Command, Context
from typer.core import TyperCommand, TyperGroup
from typer.main import get_group

__all__ = ["LazyGroup", "Subcommand"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Subcommand:
    """One top-level command: ``thecal NAME``.

    Attributes:
        name: the command's name on the command line.
        target: ``"package.module:attribute"``, where the attribute is a ``typer.Typer`` (a group
            of commands, as ``add_typer``) or a command function (as ``app.command``).
        help: the one line ``thecal --help`` shows; it must match the command's own first line
            (a test checks every entry), so the listing stays true without importing the module.
    """

    name: str
    target: str
    help: str

    def load(self) -> Command:
        """Import the target's module and build the Typer command for it."""
        module_name, _, attribute = self.target.partition(":")
        target: typer.Typer | Callable[..., Any] = getattr(
            importlib.import_module(module_name), attribute
        )
        holder = typer.Typer()  # a group around it, so a one-command sub-app stays a group
        holder.callback()(_no_options)
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=self.name)
        else:
            holder.command(name=self.name)(target)
        return get_group(holder).commands[self.name]


def _no_options() -> None:
    """The holder group's callback (never shown)."""


class _Placeholder(TyperCommand):
    """A registered command not yet imported: its name and help, for listings and completion."""

    def __init__(self, entry: Subcommand) -> None:
        super().__init__(name=entry.name, help=entry.help, short_help=entry.help)
        self.entry = entry

    def invoke(self, _ctx: Context) -> Any:  # pragma: no cover - dispatch replaces it first
        msg = f"command {self.entry.name!r} was run before it was loaded"
        raise RuntimeError(msg)


class LazyGroup(TyperGroup):
    """A Typer group whose :attr:`registry` commands are imported on dispatch.

    Subclass it with ``registry = (Subcommand(...), ...)`` and pass the subclass as
    ``typer.Typer(cls=...)``; commands registered on the Typer directly still work and come first.
    """

    registry: ClassVar[Sequence[Subcommand]] = ()

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for entry in self.registry:
            if entry.name in self.commands:
                msg = f"command {entry.name!r} is registered twice"
                raise ValueError(msg)
            self.commands[entry.name] = _Placeholder(entry)

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """Find the command named by ``args[0]``, importing it if it is still a placeholder."""
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, _Placeholder):
            command = self.commands[name] = command.entry.load()
        return name, command, rest
