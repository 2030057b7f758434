"""`thecal users create|list|token|mfa-enroll|mfa-reset`: accounts from the server's shell.

The first administrator is created here (``thecal users create --role admin --username …``).
Without ``--as`` the command acts as the local *operator*, an administrator identity that exists
only at the server's shell (the CLI is an operator tool, see ``thecal.entrypoints.cli.db``); the
audit log records it as ``operator``. The password is read from standard input with
``--password-stdin`` (for scripts) or asked for twice without echo.

``mfa-enroll`` gives an account an authenticator secret at once and prints it (and its
``otpauth://`` link) once; ``mfa-reset`` removes an account's authenticator — the recovery for a
lost device — after which the user sets up a new one at their next log-in. Both are audited.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from thecal.bootstrap import Thecal
from thecal.domain.users import Actor, Role, User
from thecal.entrypoints.cli.db import Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.accounts import (
    CreateUser,
    EnrolAuthenticator,
    IssueApiToken,
    ListUsers,
    ResetAuthenticator,
    UserNotFound,
)

__all__ = ["OPERATOR", "app", "operator_or"]

app = typer.Typer(
    no_args_is_help=True,
    help="Create and list user accounts; issue API tokens; enrol or reset authenticators.",
)

#: The local operator at the server's shell (not a stored account).
OPERATOR = Actor(user_id="operator", role=Role.ADMIN)

MaybeAs = Annotated[
    str | None,
    typer.Option("--as", envvar="THECAL_USER", help="Act as this admin user (default: operator)."),
]


def operator_or(thecal: Thecal, username: str | None) -> Actor:
    return OPERATOR if username is None else resolve_actor(thecal, username)


def _user_named(thecal: Thecal, username: str) -> User:
    with thecal.uow() as uow:
        user = uow.users.get_by_username(username)
    if user is None:
        raise UserNotFound(ident=username)
    return user


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command()
def create(
    username: Annotated[str, typer.Option(help="Login name (unique).")],
    role: Annotated[Role, typer.Option(help="The account's role.")],
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    patient_id: Annotated[
        str | None, typer.Option(help="For a patient account: their patient id.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Create an account (at least 12 characters of password)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        password = _read_password(password_stdin)
        user = thecal.run(
            thecal.accounts.create_user,
            CreateUser(
                actor=operator_or(thecal, as_user),
                username=username,
                role=role,
                display_name=display_name or username,
                password=password,
                patient_id=patient_id,
            ),
        )
        payload = {"id": user.id, "username": user.username, "role": user.role.value}
        emit(payload, f"created {user.role.value} {user.username} ({user.id})", as_json=as_json)


@app.command(name="list")
def list_users(
    limit: Annotated[int, typer.Option(help="At most this many (1–100).")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many.")] = 0,
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """List accounts by username."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        found = thecal.run(
            thecal.accounts.list_users,
            ListUsers(actor=operator_or(thecal, as_user), limit=limit, offset=offset),
        )
        rows = [
            {"id": u.id, "username": u.username, "role": u.role.value, "active": u.active}
            for u in found
        ]
        human = "\n".join(f"{r['username']:<20} {r['role']:<10} {r['id']}" for r in rows)
        emit({"users": rows}, human or "no users", as_json=as_json)


@app.command()
def token(
    username: Annotated[str, typer.Option(help="The account the machine client acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api token",
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Issue your own API token (``--as`` the account itself); shown once, stored as a digest.

    A token is issued only to the account that holds it: no one, the shell's operator and
    administrators included, may mint a token acting as another user. It expires after 90 days.
    """
    with translate_errors(as_json=as_json), open_app() as thecal:
        user = _user_named(thecal, username)
        issued = thecal.run(
            thecal.accounts.issue_api_token,
            IssueApiToken(actor=operator_or(thecal, as_user), user_id=user.id, label=label),
        )
        emit(
            {"token": issued.token, "token_id": issued.record.id},
            f"{issued.token}\n(shown once; send it as 'Authorization: Bearer <token>')",
            as_json=as_json,
        )


@app.command(name="mfa-enroll")
def mfa_enroll(
    username: Annotated[str, typer.Argument(help="The account to give an authenticator.")],
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Enrol a new authenticator secret for USERNAME and print it once (with its otpauth:// link).

    From then on the account needs a one-time code at every log-in and signature. An account
    that already has one is refused: reset it first (mfa-reset).
    """
    with translate_errors(as_json=as_json), open_app() as thecal:
        user = _user_named(thecal, username)
        enrolment = thecal.run(
            thecal.accounts.enrol_authenticator,
            EnrolAuthenticator(actor=operator_or(thecal, as_user), user_id=user.id),
        )
        emit(
            {"username": user.username, "secret": enrolment.secret, "uri": enrolment.otpauth_uri},
            f"authenticator enrolled for {user.username}\n"
            f"key: {enrolment.grouped}\n"
            f"uri: {enrolment.otpauth_uri}\n"
            "(shown once: give it to the user to add to their authenticator app)",
            as_json=as_json,
        )


@app.command(name="mfa-reset")
def mfa_reset(
    username: Annotated[str, typer.Argument(help="The account whose authenticator is removed.")],
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Remove USERNAME's authenticator (a lost device): they set up a new one at next log-in."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        user = _user_named(thecal, username)
        thecal.run(
            thecal.accounts.reset_authenticator,
            ResetAuthenticator(actor=operator_or(thecal, as_user), user_id=user.id),
        )
        emit(
            {"username": user.username, "enrolled": False},
            f"authenticator removed for {user.username}; a new one is set up at the next log-in",
            as_json=as_json,
        )
