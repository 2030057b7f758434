"""Authorization-matrix part for account administration (issue 15 §1, issue 13 §9).

Tokens are listed and revoked by their holder (the nurse's own token here) or an administrator;
accounts are deactivated and reactivated by administrators only (a throwaway account, so the
matrix's own clients keep working); every signed-in person changes their own password (a token
holder cannot: a service account has none). The service account ``integration`` acts through an
administrator-issued token and reaches only its own session.
"""

from __future__ import annotations

import itertools
from typing import Any

from api_support import OPERATOR, PASSWORD, Clinic, add_user
from matrix_parts import MatrixPart

from thecal.domain.users import Actor, Role
from thecal.services.accounts import IssueApiToken

__all__ = ["PART", "service_token"]

_counter = itertools.count(1)


def service_token(clinic: Clinic) -> str:
    """A working token for the clinic's service account, issued by the operator."""
    issued = clinic.thecal.run(
        clinic.thecal.accounts.issue_api_token,
        IssueApiToken(actor=OPERATOR, user_id=clinic.users[Role.INTEGRATION], label="matrix"),
    )
    return issued.token


def _prepare(clinic: Clinic) -> dict[str, dict[str, str]]:
    nurse = Actor(user_id=clinic.users[Role.NURSE], role=Role.NURSE)
    token = clinic.thecal.run(
        clinic.thecal.accounts.issue_api_token,
        IssueApiToken(actor=nurse, user_id=nurse.user_id, label="to revoke", password=PASSWORD),
    )
    throwaway = add_user(clinic, "matrix-leaver", Role.NURSE)
    return {
        "token_id": {"own": token.record.id, "foreign": token.record.id},
        "user_id": {"own": throwaway, "foreign": throwaway},
    }


def _password(_w: Any, _k: str) -> tuple[str, str, dict[str, Any]]:
    new = f"Quokka lantern velvet {next(_counter)} harbour"
    return "POST", "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": new}


PART = MatrixPart(
    endpoints={
        "users.tokens": (
            "collection",
            lambda w, _k: ("GET", f"/api/v1/users/{w.clinic.users[Role.NURSE]}/tokens", None),
        ),
        "users.token.revoke": (
            "collection",
            lambda w, _k: (
                "POST",
                (
                    f"/api/v1/users/{w.clinic.users[Role.NURSE]}/tokens/"
                    f"{w.ids['token_id']['own']}/revoke"
                ),
                None,
            ),
        ),
        "users.deactivate": (
            "collection",
            lambda w, _k: (
                "POST",
                f"/api/v1/users/{w.ids['user_id']['own']}/deactivate",
                {"reason": "matrix"},
            ),
        ),
        "users.reactivate": (
            "collection",
            lambda w, _k: ("POST", f"/api/v1/users/{w.ids['user_id']['own']}/reactivate", {}),
        ),
        "auth.password": ("collection", _password),
    },
    expected={
        "physician": {"auth.password": "any"},
        "nurse": {"users.tokens": "any", "users.token.revoke": "any", "auth.password": "any"},
        "pharmacist": {"auth.password": "any"},
        "admin": dict.fromkeys(
            (
                "users.tokens",
                "users.token.revoke",
                "users.deactivate",
                "users.reactivate",
                "auth.password",
            ),
            "any",
        ),
        "patient": {"auth.password": "any"},
        "integration": {"session.read": "any"},
    },
    prepare=_prepare,
)
