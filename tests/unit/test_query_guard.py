"""A repeated query parameter is found however the query string is written (SR-23)."""

from __future__ import annotations

import pytest

from thecal.entrypoints.api.query_guard import first_repeated


@pytest.mark.parametrize(
    ("query", "repeated"),
    [
        (b"", None),
        (b"limit=5", None),
        (b"limit=5&offset=10", None),
        (b"limit=5&limit=5", "limit"),
        (b"kind=a&limit=1&kind=b", "kind"),
        (b"a=1&b=2&b=3&a=4", "b"),  # the first one repeated, in order
        (b"limit&limit=", "limit"),  # blank values count
        (b"li%6Dit=1&limit=2", "limit"),  # percent-encoded names are the same name
        (b"x+y=1&x%20y=2", "x y"),
    ],
)
def test_first_repeated(query: bytes, repeated: str | None) -> None:
    assert first_repeated(query) == repeated
