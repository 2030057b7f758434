"""The pharmacy verification code written on the syringe and typed (or scanned) at the bedside.

Eight characters from a 32-character alphabet without the look-alikes 0/O and 1/I, shown in two
groups of four ("K7QM-3XRD"): seven random characters and a check character by the Luhn mod N
algorithm (N = 32). The check character detects every single-character typo and every swap of
two adjacent different characters except one pair per alphabet; a code that fails it is refused
with a clear message, never looked up. Codes are read case-insensitively, with or without the
hyphen or spaces. The random source is passed in (``draw(n)`` returns an integer in [0, n)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from thecal.domain.errors import RequestInvalid

__all__ = [
    "ALPHABET",
    "VerificationCodeInvalid",
    "check_character",
    "looks_like_code",
    "new_code",
    "parse_code",
]

ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_N: Final = len(ALPHABET)
_DATA: Final = 7  # random characters; the eighth is the check character
_LENGTH: Final = _DATA + 1
_GROUP: Final = 4


class VerificationCodeInvalid(RequestInvalid):
    """A typed verification code that is not one (THC-PATH-026): the cause named."""

    code = "THC-PATH-026"
    template = "verification code {typed!r}: {why}"


def check_character(data: str) -> str:
    """The Luhn mod 32 check character of ``data`` (characters of :data:`ALPHABET`)."""
    total = 0
    factor = 2
    for char in reversed(data):
        addend = factor * ALPHABET.index(char)
        total += addend // _N + addend % _N
        factor = 1 if factor == 2 else 2
    return ALPHABET[(_N - total % _N) % _N]


def _shown(plain: str) -> str:
    return f"{plain[:_GROUP]}-{plain[_GROUP:]}"


def new_code(draw: Callable[[int], int]) -> str:
    """A fresh code, as shown ("K7QM-3XRD"); ``draw(n)`` gives a random integer in [0, n)."""
    data = "".join(ALPHABET[draw(_N)] for _ in range(_DATA))
    return _shown(data + check_character(data))


def _plain(typed: str) -> str:
    return "".join(typed.split()).replace("-", "").upper()


def looks_like_code(typed: str) -> bool:
    """Whether ``typed`` is meant as a code (eight characters without hyphens and spaces) rather
    than an older 36-character verification id."""
    return len(_plain(typed)) == _LENGTH


def parse_code(typed: str) -> str:
    """The code as shown ("K7QM-3XRD") from what was typed or scanned, in any case.

    Raises:
        VerificationCodeInvalid: not 8 characters, a character outside the alphabet (0, O, 1
            and I are never used), or a check character that does not fit (a typo).
    """
    plain = _plain(typed)
    shown = typed.strip()[:40]
    if len(plain) != _LENGTH:
        raise VerificationCodeInvalid(
            typed=shown, why=f"a code has {_LENGTH} characters like K7QM-3XRD, not {len(plain)}"
        )
    wrong = sorted({c for c in plain if c not in ALPHABET})
    if wrong:
        raise VerificationCodeInvalid(
            typed=shown,
            why=(
                f"{', '.join(wrong)} is not used in codes (there is no 0, O, 1 or I); "
                "check the syringe label"
            ),
        )
    if check_character(plain[:_DATA]) != plain[_DATA]:
        raise VerificationCodeInvalid(
            typed=shown,
            why="the check character does not fit: a character was mistyped; check the syringe label",
        )
    return _shown(plain)
