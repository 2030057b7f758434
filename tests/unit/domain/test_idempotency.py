"""An idempotency key sent again: the same request is a retry, any other is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thecal.domain.errors import RequestInvalid
from thecal.domain.idempotency import IdempotencyKeyReused, require_same_request
from thecal.domain.units import Volume


def test_the_same_request_is_a_retry() -> None:
    asked = {"nurse": "rn-1", "ordered volume": Volume.from_ml(20)}
    require_same_request(key="k-1", what="refill r-1", first=asked, again=dict(asked))


def test_an_equal_quantity_written_otherwise_is_the_same_request() -> None:
    require_same_request(
        key="k-1",
        what="refill r-1",
        first={"ordered volume": Volume.from_ml(Decimal(20))},
        again={"ordered volume": Volume.from_ml(Decimal("20.0"))},
    )


def test_a_different_request_is_refused_naming_every_differing_field_in_order() -> None:
    with pytest.raises(IdempotencyKeyReused) as refused:
        require_same_request(
            key="k-1",
            what="refill r-1",
            first={"nurse": "rn-1", "ordered volume": Volume.from_ml(20), "lot": "L1"},
            again={"nurse": "rn-2", "ordered volume": Volume.from_ml(18), "lot": "L1"},
        )
    assert refused.value.code == "THC-INPUT-003"
    assert isinstance(refused.value, RequestInvalid)  # 422 at the edges
    assert "key k-1 was already used for refill r-1 with a different nurse, ordered volume" in (
        str(refused.value)
    )
    assert "nothing was done" in str(refused.value)
