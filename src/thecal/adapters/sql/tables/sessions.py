"""Identity bookkeeping (revision 0002): log-in sessions, failed log-ins and API tokens.

Sessions and API tokens are stored by the SHA-256 digest of their random token, never the token.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from thecal.adapters.sql.tables.column_types import UtcDateTime
from thecal.adapters.sql.tables.metadata import metadata

__all__ = [
    "api_tokens",
    "auth_sessions",
    "login_failures",
]

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie token
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("end_reason", String(32), nullable=True),
)


login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Index("ix_login_failures_username_occurred_at", "username", "occurred_at"),
)


api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),  # sha256 hex of the token
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("label", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
)
