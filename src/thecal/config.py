"""Settings from the environment (``THECAL_*``), with safe defaults for local use only.

=========================  =========================  =============================================
variable                   default                    meaning
=========================  =========================  =============================================
``THECAL_ENV``             ``development``            ``production`` refuses every default secret
``THECAL_DATABASE_URL``    ``sqlite:///var/thecal.db`` SQLite file or ``postgresql+psycopg://…``
``THECAL_AUDIT_KEY``       a fixed development key    HMAC key of the audit chain (≥ 32 bytes in
                                                      production); keep it outside the database
=========================  =========================  =============================================

Nothing is read at import time: build :class:`Settings` in the composition root.
"""

from __future__ import annotations

from typing import Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEV_AUDIT_KEY", "MIN_PRODUCTION_KEY_BYTES", "Settings"]

DEV_AUDIT_KEY = "thecal-development-audit-key-not-secret"
MIN_PRODUCTION_KEY_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THECAL_", extra="ignore")

    env: str = "development"
    database_url: str = "sqlite:///var/thecal.db"
    audit_key: SecretStr = SecretStr(DEV_AUDIT_KEY)

    @property
    def is_production(self) -> bool:
        return self.env.strip().lower() == "production"

    @property
    def audit_key_bytes(self) -> bytes:
        return self.audit_key.get_secret_value().encode("utf-8")

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Self:
        if self.is_production:
            key = self.audit_key.get_secret_value()
            if key == DEV_AUDIT_KEY:
                msg = "THECAL_AUDIT_KEY must be set in production (the default is public)"
                raise ValueError(msg)
            if len(key.encode("utf-8")) < MIN_PRODUCTION_KEY_BYTES:
                msg = f"THECAL_AUDIT_KEY must be at least {MIN_PRODUCTION_KEY_BYTES} bytes in production"
                raise ValueError(msg)
        return self
