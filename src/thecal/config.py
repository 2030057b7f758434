"""Settings from the environment (``THECAL_*``), with safe defaults for local use only.

=========================  =========================  =============================================
variable                   default                    meaning
=========================  =========================  =============================================
``THECAL_ENV``             ``development``            ``production`` refuses every default secret
``THECAL_DATABASE_URL``    ``sqlite:///var/thecal.db`` SQLite file or ``postgresql+psycopg://…``
``THECAL_AUDIT_KEY``       a fixed development key    HMAC key of the audit chain (≥ 32 bytes in
                                                      production); keep it outside the database
``THECAL_AUDIT_KEY_ID``    ``k1``                     the id of ``THECAL_AUDIT_KEY`` in the key ring
``THECAL_AUDIT_KEY_FILE``  unset                      further audit keys, added by ``thecal audit
                                                      rotate-key`` (outside the database, 0600)
``THECAL_AUDIT_CHECKPOINT_FILE`` beside a SQLite file append-only checkpoints of the chain's head
                           (see ``docs/persistence.md``) (outside the database)
``THECAL_AUDIT_CHECKPOINT_MINUTES`` ``15``            how often ``thecal serve`` checkpoints
``THECAL_AUDIT_CHECKPOINT_LOG`` ``true``              also log each checkpoint (ship it off the
                                                      machine)
``THECAL_SESSION_SECRET``  derived from the audit key HMAC key for CSRF tokens (≥ 32 bytes
                                                      when set in production)
``THECAL_IDLE_TIMEOUT_MINUTES`` ``15``                session idle timeout (SR-20)
``THECAL_ABSOLUTE_TIMEOUT_HOURS`` ``12``              session absolute lifetime (SR-20)
``THECAL_SECURE_COOKIES``  on in production           send cookies only over HTTPS (``Secure``)
``THECAL_HSTS``            as ``THECAL_SECURE_COOKIES`` ``Strict-Transport-Security`` on every answer
                                                     (only behind HTTPS)
``THECAL_MFA_REQUIRED``    on in production           clinicians and admins must log in with a
                                                      one-time code (SR-19); enrolled users always
``THECAL_DEMO_MODE``       ``false``                  pump console controls for the twin (demo only)
``THECAL_METRICS_TOKEN``   unset (``/metrics`` off)   bearer token Prometheus sends to ``/metrics``
                                                      (≥ 32 bytes in production)
``THECAL_LOG_FORMAT``      ``json``                   ``json`` lines or ``console`` (a terminal)
``THECAL_LOG_LEVEL``       ``info``                   ``debug``, ``info``, ``warning`` or ``error``
``THECAL_MAX_REQUEST_KB``  ``64``                     the largest request body (413 above it)
``THECAL_PROPOSER_MAY_CO_SIGN`` ``false``             clinic policy: ``true`` lets the clinician who
                                                     proposed a program change co-sign it
``THECAL_REQUEST_THREADS`` ``4``                      worker threads per server process (``thecal
                                                      serve --threads`` sets it)
=========================  =========================  =============================================

Scheduling (docs/scheduling.md): ``THECAL_CLINIC_NAME``, ``THECAL_CLINIC_TIMEZONE`` (``UTC``),
``THECAL_CLINIC_COUNTRY`` (``US``) and ``THECAL_CLINIC_SUBDIVISION`` (public holidays),
``THECAL_PUBLIC_URL`` (links in reminders), ``THECAL_MAIL_FROM``, ``THECAL_OUTBOX_DIR``
(``var/outbox``: reminders are written there unless ``THECAL_SMTP_HOST`` is set), and
``THECAL_SMTP_PORT`` / ``_STARTTLS`` / ``_USERNAME`` / ``_PASSWORD``.

Nothing is read at import time: build the settings in the composition root with
:func:`load_settings`, which turns a value thecal cannot use into
:class:`~thecal.domain.errors.ConfigurationInvalid` (THC-CONF-001) naming the variable, what is
wrong and the fix — every command and the server's app factory print that and exit with status 2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from thecal.domain.errors import ConfigurationInvalid

__all__ = ["DEV_AUDIT_KEY", "MIN_PRODUCTION_KEY_BYTES", "Settings", "load_settings"]

DEV_AUDIT_KEY = "thecal-development-audit-key-not-secret"
MIN_PRODUCTION_KEY_BYTES = 32
_PREFIX = "THECAL_"


class _SettingRefused(ValueError):
    """A value the settings' own rules refuse, with the variable, the problem and the fix."""

    def __init__(self, variable: str, problem: str, fix: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable, self.problem, self.fix = variable, problem, fix


def _short_secret(variable: str) -> _SettingRefused:
    return _SettingRefused(
        variable,
        f"shorter than {MIN_PRODUCTION_KEY_BYTES} bytes, too short in production",
        f"set it to at least {MIN_PRODUCTION_KEY_BYTES} random bytes, e.g. "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THECAL_", extra="ignore")

    env: str = "development"
    database_url: str = "sqlite:///var/thecal.db"
    audit_key: SecretStr = SecretStr(DEV_AUDIT_KEY)
    audit_key_id: str = Field(default="k1", pattern=r"^[a-z0-9][a-z0-9._-]{0,31}$")
    audit_key_file: Path | None = None
    audit_checkpoint_file: Path | None = None  # None: beside a SQLite file, else var/ (adapters)
    audit_checkpoint_minutes: int = Field(default=15, ge=1, le=1440)
    audit_checkpoint_log: bool = True
    session_secret: SecretStr | None = None  # None: derived from the audit key
    idle_timeout_minutes: int = Field(default=15, ge=1, le=720)
    absolute_timeout_hours: int = Field(default=12, ge=1, le=24)
    secure_cookies: bool | None = None  # None: on in production, off otherwise
    hsts: bool | None = None  # None: as secure_cookies (served behind TLS)
    mfa_required: bool | None = None  # None: on in production, off otherwise
    demo_mode: bool = False
    # the scheduling settings, described in docs/scheduling.md
    clinic_name: str = Field(default="the clinic", min_length=1, max_length=100)
    clinic_timezone: str = "UTC"
    clinic_country: str = "US"
    clinic_subdivision: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    mail_from: str = "clinic@localhost"
    outbox_dir: str = "var/outbox"
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    metrics_token: SecretStr | None = None  # None: /metrics answers 404
    log_format: Literal["json", "console"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    request_threads: int = Field(default=4, ge=1, le=64)
    worklist_cache: bool = True  # False: every worklist read queries the database (benchmarks)
    max_request_kb: int = Field(default=64, ge=4, le=10_240)  # one limit on every request body
    proposer_may_co_sign: bool = False  # clinic policy: the proposer may not co-sign (default)

    @property
    def session_secret_bytes(self) -> bytes:
        """The CSRF/HMAC key: the configured secret, or one derived from the audit key."""
        if self.session_secret is not None:
            return self.session_secret.get_secret_value().encode("utf-8")
        return hmac.new(self.audit_key_bytes, b"thecal-session-secret", hashlib.sha256).digest()

    @property
    def checkpoint_interval(self) -> dt.timedelta:
        """How often ``thecal serve`` checkpoints the audit chain's head."""
        return dt.timedelta(minutes=self.audit_checkpoint_minutes)

    @property
    def cookies_secure(self) -> bool:
        return self.is_production if self.secure_cookies is None else self.secure_cookies

    @property
    def hsts_enabled(self) -> bool:
        """Send ``Strict-Transport-Security``: when served behind TLS (secure cookies) or asked."""
        return self.cookies_secure if self.hsts is None else self.hsts

    @property
    def mfa_enforced(self) -> bool:
        """Clinicians and administrators must use a one-time code at log-in (SR-19)."""
        return self.is_production if self.mfa_required is None else self.mfa_required

    @property
    def login_challenge_key(self) -> bytes:
        """The HMAC key of pending log-ins (password given, one-time code awaited)."""
        return hmac.new(
            self.session_secret_bytes, b"thecal-login-challenge", hashlib.sha256
        ).digest()

    @property
    def is_production(self) -> bool:
        return self.env.strip().lower() == "production"

    @property
    def audit_key_bytes(self) -> bytes:
        return self.audit_key.get_secret_value().encode("utf-8")

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Self:
        refused = self._production_problem() if self.is_production else None
        if refused is not None:
            raise refused
        return self

    def _production_problem(self) -> _SettingRefused | None:
        """The first default or short secret production refuses (None: all fine)."""
        key = self.audit_key.get_secret_value()
        if key == DEV_AUDIT_KEY:
            return _SettingRefused(
                "THECAL_AUDIT_KEY",
                "unset in production (the development default is public)",
                f"set it to at least {MIN_PRODUCTION_KEY_BYTES} random bytes kept outside "
                "the database (docs/deploy.md)",
            )
        secrets = {
            "THECAL_AUDIT_KEY": self.audit_key,
            "THECAL_SESSION_SECRET": self.session_secret,
            "THECAL_METRICS_TOKEN": self.metrics_token,
        }
        for variable, value in secrets.items():
            if value is not None and len(value.get_secret_value().encode("utf-8")) < (
                MIN_PRODUCTION_KEY_BYTES
            ):
                return _short_secret(variable)
        return None


def load_settings() -> Settings:
    """The settings from the environment (``THECAL_*``).

    Raises:
        ConfigurationInvalid: a value thecal cannot use, naming every such variable, what is
            wrong with its value (a secret's value is never shown) and the fix.
    """
    try:
        return Settings()
    except ValidationError as invalid:
        raise configuration_invalid(invalid) from None


def configuration_invalid(invalid: ValidationError) -> ConfigurationInvalid:
    """One :class:`ConfigurationInvalid` for every problem pydantic found in the settings."""
    variables: list[str] = []
    problems: list[str] = []
    fixes: list[str] = []
    for error in invalid.errors():
        refused = error.get("ctx", {}).get("error")
        if isinstance(refused, _SettingRefused):
            variable, problem, fix = refused.variable, refused.problem, refused.fix
        else:
            variable, problem, fix = _field_problem(error)
        variables.append(variable)
        problems.append(problem if len(invalid.errors()) == 1 else f"{variable} {problem}")
        fixes.append(fix)
    return ConfigurationInvalid(
        variable=", ".join(dict.fromkeys(variables)),
        problem="; ".join(problems),
        fix="; ".join(dict.fromkeys(fixes)),
    )


def _field_problem(error: object) -> tuple[str, str, str]:
    """The variable, the problem and the fix of one field error (``ErrorDetails``)."""
    details = dict(error)  # type: ignore[call-overload]
    location = details.get("loc") or ("settings",)
    name = str(location[0])
    variable = f"{_PREFIX}{name.upper()}"
    field = Settings.model_fields.get(name)
    secret = field is not None and "SecretStr" in repr(field.annotation)
    shown = "" if secret else f"{details.get('input')!r} "
    problem = f"{shown}is refused: {details.get('msg', 'invalid value')}"
    if field is None or secret or field.default is None:
        fix = f"set {variable} to a valid value or unset it"
    else:
        default = field.default
        default_text = str(default).lower() if isinstance(default, bool) else str(default)
        fix = f"set {variable} to a valid value, or unset it for the default ({default_text})"
    return variable, problem, fix
