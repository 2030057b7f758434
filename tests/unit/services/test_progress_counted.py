"""``counted``: the items unchanged, progress at the start, every N items and at the end."""

from __future__ import annotations

from thecal.services.progress import counted


def test_counted_passes_every_item_and_reports_at_the_start_every_n_and_the_end() -> None:
    reports: list[tuple[int, int | None]] = []
    items = list(
        counted(range(7), lambda done, total: reports.append((done, total)), total=7, every=3)
    )
    assert items == list(range(7))
    assert reports == [(0, 7), (3, 7), (6, 7), (7, 7)]


def test_counted_without_a_callback_is_the_items_alone() -> None:
    assert list(counted(iter("abc"), None, total=None)) == ["a", "b", "c"]


def test_counted_reports_an_unknown_total_as_none() -> None:
    reports: list[tuple[int, int | None]] = []
    list(counted([1, 2], lambda done, total: reports.append((done, total)), total=None, every=1))
    assert reports == [(0, None), (1, None), (2, None), (2, None)]
