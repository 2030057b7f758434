"""The pharmacy verification code: generated from an injected random source, its check character
catching every single-character typo, read in any case with or without the hyphen."""

from __future__ import annotations

import random

import pytest

from thecal.domain.verification_code import (
    ALPHABET,
    VerificationCodeInvalid,
    check_character,
    looks_like_code,
    new_code,
    parse_code,
)


def _codes(count: int, seed: int = 13) -> list[str]:
    source = random.Random(seed)
    return [new_code(source.randrange) for _ in range(count)]


def test_the_alphabet_has_no_look_alikes() -> None:
    assert len(ALPHABET) == 32
    assert len(set(ALPHABET)) == 32
    assert not set("0O1I") & set(ALPHABET)


def test_a_code_is_two_groups_of_four_from_the_alphabet_and_parses_to_itself() -> None:
    for code in _codes(200):
        first, second = code.split("-")
        assert len(first) == len(second) == 4
        assert set(first + second) <= set(ALPHABET)
        assert parse_code(code) == code


def test_the_injected_random_source_decides_the_code() -> None:
    assert _codes(5, seed=1) == _codes(5, seed=1)
    assert _codes(5, seed=1) != _codes(5, seed=2)
    always_first = new_code(lambda _n: 0)
    assert always_first.startswith("2222-222")
    assert always_first[-1] == check_character("2222222")


def test_a_code_is_read_in_any_case_with_or_without_hyphen_and_spaces() -> None:
    for code in _codes(50):
        plain = code.replace("-", "")
        assert parse_code(code.lower()) == code
        assert parse_code(plain) == code
        assert parse_code(f"  {plain[:4]} {plain[4:].lower()} ") == code
        assert looks_like_code(plain.lower())


def test_every_single_character_substitution_is_detected() -> None:
    for code in _codes(60):
        plain = code.replace("-", "")
        for position in range(len(plain)):
            for char in ALPHABET:
                if char == plain[position]:
                    continue
                typo = plain[:position] + char + plain[position + 1 :]
                with pytest.raises(VerificationCodeInvalid, match="check character"):
                    parse_code(typo)


def test_a_swap_of_two_adjacent_characters_is_mostly_detected() -> None:
    caught = total = 0
    for code in _codes(300):
        plain = code.replace("-", "")
        for i in range(len(plain) - 1):
            if plain[i] == plain[i + 1]:
                continue
            swapped = plain[:i] + plain[i + 1] + plain[i] + plain[i + 2 :]
            total += 1
            try:
                parse_code(swapped)
            except VerificationCodeInvalid:
                caught += 1
    assert caught / total > 0.99, (caught, total)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("K7QM-3XR", "8 characters"),
        ("K7QM-3XRDD", "8 characters"),
        ("K7QM-3XR0", "0 is not used"),
        ("O7QM-3XRD", "O is not used"),
        ("K7QI-3XRD", "I is not used"),
        ("K7QM-1XRD", "1 is not used"),
    ],
)
def test_a_code_that_is_not_one_is_refused_with_its_cause(typed: str, why: str) -> None:
    with pytest.raises(VerificationCodeInvalid, match=why) as refused:
        parse_code(typed)
    assert refused.value.code == "THC-PATH-026"


def test_an_old_uuid_is_not_taken_for_a_code() -> None:
    assert not looks_like_code("3f2b6c1e-8a4d-4f0e-9b7a-2c5d1e6f7a8b")
