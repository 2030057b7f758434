"""Cookies and CSRF tokens shared by the API and the web pages (SR-20, ASVS 3.4, 4.2.2).

* The session cookie is ``HttpOnly`` and ``SameSite=Lax``; with HTTPS (``THECAL_SECURE_COOKIES`` or
  production) it is also ``Secure`` and named with the ``__Host-`` prefix.
* CSRF tokens are session-bound: ``HMAC-SHA256(session secret, session id)``. A form (or an API
  call authenticated by the cookie) must send it back; a new session means a new token.
* Before login there is no session, so the login form uses a double-submit token: a random value
  in a short-lived cookie that the form must repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from thecal.config import Settings
from thecal.domain.errors import PermissionDenied

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "CsrfRejected",
    "csrf_token",
    "login_csrf_cookie",
    "new_login_csrf",
    "session_cookie",
    "tokens_match",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class CsrfRejected(PermissionDenied):
    code = "THC-WEB-001"
    template = (
        "the form's security token is missing or out of date ({detail}); "
        "reload the page and submit it again"
    )


def session_cookie(settings: Settings) -> str:
    return "__Host-thecal_session" if settings.cookies_secure else "thecal_session"


def login_csrf_cookie(settings: Settings) -> str:
    return "__Host-thecal_login_csrf" if settings.cookies_secure else "thecal_login_csrf"


def csrf_token(settings: Settings, session_id: str) -> str:
    return hmac.new(settings.session_secret_bytes, session_id.encode(), hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
