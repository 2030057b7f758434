"""`thecal users create|list|token|tokens|revoke-token|deactivate|reactivate|password|mfa-enroll|
mfa-reset`: accounts from the server's shell.

The first administrator is created here (``thecal users create --role admin --username …``).
Without ``--as`` the command acts as the local *operator*, an administrator identity that exists
only at the server's shell (the CLI is an operator tool, see ``thecal.entrypoints.cli.db``); the
audit log records it as ``operator``. The password is read from standard input with
``--password-stdin`` (for scripts) or asked for twice without echo.

A *service account* (``--role integration``) has no password and never logs in: it is a machine
client (a registry export) whose API tokens an administrator issues (``thecal users token
--username registry-export``). Anyone else's token is issued only to themselves, with their
password again: ``thecal users token --username nurse --as nurse`` asks for it (or reads it from
standard input with ``--password-stdin``; a one-time code with ``--code``). ``tokens`` lists
tokens, ``revoke-token`` ends one at once; ``deactivate`` ends an account's sessions and revokes
its tokens at once (``reactivate`` lets it log in again); ``password --as USERNAME`` changes that
account's password after asking for the current one.

``mfa-enroll`` gives an account an authenticator secret at once and prints it (and its
``otpauth://`` link) once; ``mfa-reset`` removes an account's authenticator — the recovery for a
lost device — after which the user sets up a new one at their next log-in. Both are audited.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from thecal.bootstrap import Thecal
from thecal.domain.users import SERVICE_ROLES, Actor, Role, User
from thecal.entrypoints.cli.db import Json, open_app, resolve_actor
from thecal.entrypoints.cli.output import emit, translate_errors
from thecal.services.accounts import (
    ChangePassword,
    CreateUser,
    EnrolAuthenticator,
    IssueApiToken,
    ListApiTokens,
    ListUsers,
    ResetAuthenticator,
    RevokeApiToken,
    SetAccountActive,
    UserNotFound,
)

__all__ = ["OPERATOR", "app", "operator_or"]

app = typer.Typer(
    no_args_is_help=True,
    help=(
        "Create, list, deactivate and reactivate accounts (service accounts too); change a"
        " password; issue, list and revoke API tokens; enrol or reset authenticators."
    ),
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


def _read_password(from_stdin: bool, prompt: str = "Password", *, confirm: bool = True) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password(s) from standard input.")
]


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
    """Create an account (at least 12 characters of password; none for a service account)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        password = None if role in SERVICE_ROLES else _read_password(password_stdin)
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
    username: Annotated[str, typer.Option(help="The account the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api token",
    code: Annotated[
        str | None, typer.Option(help="Your authenticator's current code (once enrolled).")
    ] = None,
    password_stdin: PasswordStdin = False,
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Issue an API token; shown once, stored as a digest, expires after 90 days.

    Your own token (``--as`` the account itself) needs your password again. An administrator
    (or the shell's operator) issues tokens only to service accounts (role integration): no one
    may mint a token acting as a clinician or a patient.
    """
    with translate_errors(as_json=as_json), open_app() as thecal:
        user = _user_named(thecal, username)
        actor = operator_or(thecal, as_user)
        password = None
        if actor.user_id == user.id:
            password = _read_password(password_stdin, "Your password", confirm=False)
        issued = thecal.run(
            thecal.accounts.issue_api_token,
            IssueApiToken(
                actor=actor,
                user_id=user.id,
                label=label,
                password=password,
                one_time_code=code,
            ),
        )
        emit(
            {
                "token": issued.token,
                "token_id": issued.record.id,
                "expires_at": issued.record.expires_at.isoformat()
                if issued.record.expires_at
                else None,
            },
            f"{issued.token}\n(shown once; send it as 'Authorization: Bearer <token>')",
            as_json=as_json,
        )


@app.command()
def tokens(
    username: Annotated[
        str | None, typer.Option(help="Whose tokens (default: every account's, admins only).")
    ] = None,
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """List API tokens, newest first: label, holder, created, expires, revoked."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        holder = _user_named(thecal, username) if username else None
        found = thecal.run(
            thecal.accounts.list_api_tokens,
            ListApiTokens(
                actor=operator_or(thecal, as_user), user_id=holder.id if holder else None
            ),
        )
        names = _usernames(thecal, {t.user_id for t in found})
        now = thecal.clock.now()
        rows = [
            {
                "id": t.id,
                "holder": names.get(t.user_id, t.user_id),
                "label": t.label,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                "active": t.is_valid(now),
            }
            for t in found
        ]
        human = "\n".join(
            f"{r['holder']:<20} {r['label']:<24} "
            f"{'active' if r['active'] else 'revoked' if r['revoked_at'] else 'expired':<8} "
            f"expires {str(r['expires_at'])[:10]}  {r['id']}"
            for r in rows
        )
        emit({"tokens": rows}, human or "no tokens", as_json=as_json)


def _usernames(thecal: Thecal, user_ids: set[str]) -> dict[str, str]:
    with thecal.uow() as uow:
        found = {i: uow.users.get(i) for i in user_ids}
    return {i: u.username for i, u in found.items() if u is not None}


@app.command(name="revoke-token")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="The token's id (from 'thecal users tokens').")],
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Revoke an API token: it stops working at once (its holder or an administrator)."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        record = thecal.run(
            thecal.accounts.revoke_api_token,
            RevokeApiToken(actor=operator_or(thecal, as_user), token_id=token_id),
        )
        emit(
            {"token_id": record.id, "revoked_at": str(record.revoked_at)},
            f"token {record.label!r} revoked",
            as_json=as_json,
        )


def _set_active(
    username: str, *, active: bool, reason: str, as_user: str | None, as_json: bool
) -> None:
    with translate_errors(as_json=as_json), open_app() as thecal:
        user = _user_named(thecal, username)
        thecal.run(
            thecal.accounts.set_account_active,
            SetAccountActive(
                actor=operator_or(thecal, as_user), user_id=user.id, active=active, reason=reason
            ),
        )
        human = (
            f"{user.username} reactivated: may log in again"
            if active
            else f"{user.username} deactivated: sessions ended and tokens revoked"
        )
        emit({"username": user.username, "active": active}, human, as_json=as_json)


Reason = Annotated[str, typer.Option(help="Why (kept in the audit log).")]


@app.command()
def deactivate(
    username: Annotated[str, typer.Argument(help="The account to deactivate.")],
    reason: Reason = "",
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Deactivate USERNAME: it cannot log in; its sessions end and its tokens are revoked at once."""
    _set_active(username, active=False, reason=reason, as_user=as_user, as_json=as_json)


@app.command()
def reactivate(
    username: Annotated[str, typer.Argument(help="The account to reactivate.")],
    reason: Reason = "",
    as_user: MaybeAs = None,
    as_json: Json = False,
) -> None:
    """Reactivate USERNAME: it may log in again (its old sessions and tokens stay ended)."""
    _set_active(username, active=True, reason=reason, as_user=as_user, as_json=as_json)


@app.command()
def password(
    as_user: Annotated[str, typer.Option("--as", envvar="THECAL_USER", help="Your username.")],
    code: Annotated[
        str | None, typer.Option(help="Your authenticator's current code (once enrolled).")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the current, then the new password from standard input."
        ),
    ] = False,
    as_json: Json = False,
) -> None:
    """Change your own password: the current one first; your other sessions end."""
    with translate_errors(as_json=as_json), open_app() as thecal:
        actor = resolve_actor(thecal, as_user)
        current = _read_password(password_stdin, "Current password", confirm=False)
        new = _read_password(password_stdin, "New password")
        thecal.run(
            thecal.accounts.change_password,
            ChangePassword(
                actor=actor, current_password=current, new_password=new, one_time_code=code
            ),
        )
        emit(
            {"username": as_user, "changed": True},
            f"password changed for {as_user}; other sessions ended",
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
