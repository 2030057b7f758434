"""Shared fixtures of the pathway workflow tests: one actor per role."""

from __future__ import annotations

import pytest

from thecal.domain.users import Actor, Role


@pytest.fixture
def physician() -> Actor:
    return Actor(user_id="dr-ada", role=Role.PHYSICIAN)


@pytest.fixture
def second_physician() -> Actor:
    return Actor(user_id="dr-ben", role=Role.PHYSICIAN)


@pytest.fixture
def nurse() -> Actor:
    return Actor(user_id="rn-cai", role=Role.NURSE)


@pytest.fixture
def pharmacist() -> Actor:
    return Actor(user_id="rph-dee", role=Role.PHARMACIST)


@pytest.fixture
def admin() -> Actor:
    return Actor(user_id="adm-eve", role=Role.ADMIN)


@pytest.fixture
def patient_user() -> Actor:
    return Actor(user_id="pt-fay", role=Role.PATIENT, patient_id="p-1")
