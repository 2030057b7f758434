"""The audit hash chain: building, verifying, and catching every kind of tampering (SR-17)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thecal.domain.audit import (
    GENESIS_HASH,
    AuditDetailsInvalid,
    AuditEntry,
    BreakReason,
    ChainHead,
    append_entry,
    canonical_json,
    canonical_time,
    verify_chain,
)

KEY = b"unit-test-audit-key-0123456789abcdef"
T0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
ACTIONS = ("patient.read", "patient.register", "patient.amend", "candidacy.record")


def build_chain(length: int, rng: random.Random, key: bytes = KEY) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    head: ChainHead | None = None
    for index in range(length):
        entry = append_entry(
            head,
            key=key,
            occurred_at=T0 + dt.timedelta(seconds=index, microseconds=rng.randrange(1_000_000)),
            actor=f"user-{rng.randrange(5)}",
            action=rng.choice(ACTIONS),
            subject=f"patient:{rng.randrange(1000)}",
            details={"n": index, "note": rng.choice(["", "ok", "ünïcode ✓"])},
        )
        entries.append(entry)
        head = entry.head
    return entries


def test_an_untouched_chain_verifies_and_reports_its_head() -> None:
    chain = build_chain(20, random.Random(1))
    report = verify_chain(chain, KEY, anchor=chain[-1].head)
    assert report.ok
    assert report.entries_checked == 20
    assert report.head == chain[-1].head


def test_the_first_entry_links_to_the_genesis_hash_with_sequence_one() -> None:
    first = build_chain(1, random.Random(2))[0]
    assert first.sequence == 1
    assert first.previous_hash == GENESIS_HASH


def test_an_empty_chain_verifies_but_not_against_a_recorded_head() -> None:
    assert verify_chain([], KEY).ok
    report = verify_chain([], KEY, anchor=ChainHead(sequence=3, entry_hash="a" * 64))
    assert report.first_break is not None
    assert report.first_break.reason is BreakReason.ANCHOR


def test_the_wrong_key_fails_at_the_first_entry() -> None:
    chain = build_chain(5, random.Random(3))
    report = verify_chain(chain, b"another-key-another-key-another-key")
    assert report.first_break is not None
    assert (report.first_break.position, report.first_break.reason) == (0, BreakReason.HASH)


def test_the_hash_does_not_depend_on_how_the_instant_is_written() -> None:
    chain = build_chain(1, random.Random(4))
    entry = chain[0]
    shifted = dataclasses.replace(
        entry, occurred_at=entry.occurred_at.astimezone(dt.timezone(dt.timedelta(hours=5)))
    )
    assert verify_chain([shifted], KEY).ok


def test_details_refuse_floats_and_other_non_json_values() -> None:
    with pytest.raises(AuditDetailsInvalid):
        canonical_json({"dose": 0.1})
    with pytest.raises(AuditDetailsInvalid):
        canonical_json({"nested": {"at": dt.date(2025, 1, 1)}})


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(AuditDetailsInvalid):
        canonical_time(dt.datetime(2025, 1, 1))  # noqa: DTZ001 - the point of the test


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=8),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
            max_leaves=8,
        ),
        max_size=5,
    )
)
def test_canonical_json_is_key_order_independent_and_round_trips(
    details: dict[str, object],
) -> None:
    reordered = dict(reversed(list(details.items())))
    text = canonical_json(details)
    assert text == canonical_json(reordered)
    entry = append_entry(
        None, key=KEY, occurred_at=T0, actor="u", action="a", subject="s", details=details
    )
    assert entry.details == details
    assert verify_chain([entry], KEY).ok


# ----------------------------------------------------------------------------- mutation testing

Mutation = Callable[[list[AuditEntry], random.Random], tuple[list[AuditEntry], int]]
EDITABLE = (
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "subject",
    "details_json",
    "previous_hash",
    "entry_hash",
)


def _changed(entry: AuditEntry, name: str, rng: random.Random) -> AuditEntry:
    value = getattr(entry, name)
    if name == "sequence":
        new: object = value + rng.choice([-2, -1, 1, 2, 100])
    elif name == "occurred_at":
        new = value + dt.timedelta(microseconds=rng.choice([-1, 1, 1_000_000, -86_400_000_000]))
    elif name == "details_json":
        new = rng.choice(
            [value.replace("}", ',"x":1}'), value + " ", "{}" if value != "{}" else '{"a":1}']
        )
    elif name in {"previous_hash", "entry_hash"}:
        flip = rng.randrange(len(value))
        new = value[:flip] + ("0" if value[flip] != "0" else "1") + value[flip + 1 :]
    else:
        new = value + rng.choice(["x", " ", "\u200b"])
    assert new != value
    return dataclasses.replace(entry, **{name: new})


def edit(chain: list[AuditEntry], rng: random.Random) -> tuple[list[AuditEntry], int]:
    index = rng.randrange(len(chain))
    mutated = list(chain)
    mutated[index] = _changed(chain[index], rng.choice(EDITABLE), rng)
    return mutated, index


def delete(chain: list[AuditEntry], rng: random.Random) -> tuple[list[AuditEntry], int]:
    index = rng.randrange(len(chain))
    return chain[:index] + chain[index + 1 :], index


def insert(chain: list[AuditEntry], rng: random.Random) -> tuple[list[AuditEntry], int]:
    index = rng.randrange(len(chain) + 1)
    previous = chain[index - 1].head if index else None
    kind = rng.choice(["forged", "replayed", "wrong-key"])
    if kind == "replayed":
        forged = chain[rng.randrange(len(chain))]
    else:
        forged = append_entry(
            previous,
            key=b"attacker-does-not-know-the-key!!" if kind == "wrong-key" else KEY + b"?",
            occurred_at=T0,
            actor="intruder",
            action="patient.read",
            subject="patient:1",
            details={},
        )
    mutated = [*chain[:index], forged, *chain[index:]]
    if index < len(chain) and forged == chain[index]:
        index += 1  # a copy placed just before its original: the second twin is reported
    return mutated, index


def reorder(chain: list[AuditEntry], rng: random.Random) -> tuple[list[AuditEntry], int]:
    first, second = sorted(rng.sample(range(len(chain)), 2))
    mutated = list(chain)
    if rng.random() < 0.5:
        mutated[first], mutated[second] = mutated[second], mutated[first]
    else:
        mutated.insert(first, mutated.pop(second))  # move a later entry earlier
    return mutated, first


@pytest.mark.parametrize("mutation", [edit, delete, insert, reorder], ids=lambda m: m.__name__)
def test_every_random_mutation_is_detected_at_the_entry_it_touched(mutation: Mutation) -> None:
    rng = random.Random(f"audit-{mutation.__name__}")
    for trial in range(300):  # 4 kinds × 300 = 1,200 mutations
        chain = build_chain(rng.randrange(2, 30), rng)
        mutated, index = mutation(chain, rng)
        report = verify_chain(mutated, KEY, anchor=chain[-1].head)
        assert report.first_break is not None, (
            f"trial {trial}: {mutation.__name__} at {index} missed"
        )
        assert report.first_break.position == index, (trial, report.first_break)
        assert report.entries_checked == index


def test_removing_the_last_entries_is_caught_only_by_the_recorded_head() -> None:
    chain = build_chain(10, random.Random(9))
    truncated = chain[:7]
    assert verify_chain(truncated, KEY).ok  # a bare chain cannot know it was longer
    report = verify_chain(truncated, KEY, anchor=chain[-1].head)
    assert report.first_break is not None
    assert report.first_break.reason is BreakReason.ANCHOR
    assert report.first_break.position == 7
