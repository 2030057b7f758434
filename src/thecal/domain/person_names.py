"""People's names as typed, made comparable (issue 15 §5): Unicode NFKC, without the invisible
characters that make two equal-looking names differ.

A name is stored in its NFKC form (full-width ``Ｗａｌｋｅｒ`` becomes ``Walker``, a ligature its
letters) with the bidirectional controls (U+200E/200F, U+202A–202E, U+2066–2069, U+061C) and the
zero-width characters (U+200B–200D, U+2060, U+FEFF, U+00AD) removed: they can reverse what a
reader sees or hide a second record of the same person from a search. Searches compare the same
form, case-folded (:func:`search_key`), so "Walker" finds "Ｗａｌｋｅｒ".
"""

from __future__ import annotations

import unicodedata

__all__ = ["INVISIBLE", "normal_name", "search_key"]

#: Removed from names: bidirectional controls, zero-width characters, the soft hyphen.
INVISIBLE = frozenset(
    "\u200e\u200f\u061c"
    "\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"
)
_DROP = {ord(char): None for char in INVISIBLE}


def normal_name(text: str) -> str:
    """``text`` in NFKC without invisible characters (spaces are left for the caller to check)."""
    return unicodedata.normalize("NFKC", text.translate(_DROP)).translate(_DROP)


def search_key(text: str) -> str:
    """The form a name is searched by: normal and case-folded."""
    return normal_name(text).casefold()
