"""The password policy (SR-19, issue 15 §6): length, the username, the shipped breached list and
a strength estimate. Each refusal names the rule and never echoes the password."""

from __future__ import annotations

import pytest

from thecal.domain.credentials import WeakPassword, check_password_policy


@pytest.mark.parametrize(
    ("password", "username", "rule"),
    [
        ("Password123!", "ada", "breached"),  # the probe's example: "password" with a suffix
        ("passwordpassword", "ada", "breached"),
        ("Dragon2026!!!!", "ada", "breached"),  # a list word behind digits and symbols
        ("iloveyou1234", "ada", "breached"),
        ("nurse-demo-2026!", "nurse", "contain the username"),
        ("My name is NURSE really", "nurse", "contain the username"),  # case does not help
        ("x" * 11, "ada", "at least 12"),
        ("y" * 129, "ada", "at most 128"),
        ("            ", "ada", "only spaces"),
        ("aaaaaaaaaaaaaaaa", "ada", "easy to guess"),  # strength estimate: repeats
        ("zxcvbnmasdfghjkl", "ada", "similar to a commonly used password"),  # a keyboard walk
    ],
)
def test_a_weak_password_is_refused_naming_the_rule(
    password: str, username: str, rule: str
) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password_policy(password, username=username)
    assert refused.value.code == "THC-AUTH-010"
    assert rule in str(refused.value)
    assert password.strip() == "" or password not in str(refused.value)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Marigold tandem orbit 47 quietly",
        "Paula-demo-2026",  # the public demo passwords (docs/demo.md)
        "portal-00002-demo",
        "z" * 3 + "Quokka lantern velvet harbour" * 4,  # long passwords are estimated too
    ],
)
def test_a_strong_password_is_accepted(password: str) -> None:
    check_password_policy(password, username="nurse")


def test_a_short_username_is_not_searched_for() -> None:
    check_password_policy("Quokka lantern velvet harbour", username="al")  # "al" in "velvet"?
