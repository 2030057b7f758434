"""Settings refuse default secrets in production; the serialization retry is bounded."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from thecal.adapters.sql.unit_of_work import (
    is_serialization_failure,
    retry_on_serialization_failure,
)
from thecal.config import DEV_AUDIT_KEY, Settings, load_settings
from thecal.domain.errors import ConfigurationInvalid
from thecal.services.unit_of_work import TransactionConflict


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


SERIALIZATION_FAILURE, UNIQUE_VIOLATION = "40001", "23505"


def db_error(sqlstate: str) -> OperationalError:
    return OperationalError("UPDATE patients …", {}, _DriverError(sqlstate))


def test_development_defaults_are_safe_for_local_use(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("THECAL_ENV", "THECAL_DATABASE_URL", "THECAL_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///var/thecal.db"
    assert settings.audit_key.get_secret_value() == DEV_AUDIT_KEY
    assert DEV_AUDIT_KEY not in repr(settings)


def test_production_refuses_the_default_or_a_short_audit_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THECAL_ENV", "production")
    monkeypatch.delenv("THECAL_AUDIT_KEY", raising=False)
    with pytest.raises(ConfigurationInvalid, match="THECAL_AUDIT_KEY: unset in production"):
        load_settings()
    with pytest.raises(ValidationError, match="unset in production"):
        Settings()  # built directly (tests), the same rule as a pydantic error
    monkeypatch.setenv("THECAL_AUDIT_KEY", "Kq7-zz")
    with pytest.raises(ConfigurationInvalid, match="THECAL_AUDIT_KEY: shorter than 32 bytes") as e:
        load_settings()
    assert "Kq7-zz" not in e.value.message  # a secret is never shown
    monkeypatch.setenv("THECAL_AUDIT_KEY", "k" * 32)
    assert Settings().is_production


def test_only_serialization_failures_and_deadlocks_are_retryable() -> None:
    assert is_serialization_failure(db_error("40001"))
    assert is_serialization_failure(db_error("40P01"))
    assert not is_serialization_failure(db_error("23505"))
    assert not is_serialization_failure(ValueError("40001"))


def test_a_serialization_failure_is_retried_until_it_succeeds() -> None:
    failures = [db_error("40001"), db_error("40P01")]
    delays: list[float] = []

    def flaky() -> str:
        if failures:
            raise failures.pop(0)
        return "done"

    assert (
        retry_on_serialization_failure(flaky, sleep=delays.append, jitter=random.Random(1))
        == "done"
    )
    assert len(delays) == 2
    assert delays[1] > delays[0]


def test_retries_are_bounded_and_end_in_a_conflict() -> None:
    calls = 0

    def always_failing() -> None:
        nonlocal calls
        calls += 1
        raise db_error(SERIALIZATION_FAILURE)

    with pytest.raises(TransactionConflict):
        retry_on_serialization_failure(always_failing, attempts=3, sleep=lambda _: None)
    assert calls == 3


def test_other_database_errors_are_not_retried() -> None:
    calls = 0

    def broken() -> None:
        nonlocal calls
        calls += 1
        raise db_error(UNIQUE_VIOLATION)

    with pytest.raises(OperationalError):
        retry_on_serialization_failure(broken, sleep=lambda _: None)
    assert calls == 1
