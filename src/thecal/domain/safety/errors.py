"""Errors of the safety review: a request that cannot be reviewed.

A malformed request is never treated as "no findings"; each problem is its own leaf with a stable
code and names the JSON path (``$.proposal.refill.volume``)::

    RequestInvalid (THC-INPUT-002)
    └── ReviewRequestInvalid                THC-REVIEW-000
        ├── RequestNotJson                    THC-REVIEW-001  the text is not a JSON object
        ├── UnsupportedFormat                 THC-REVIEW-002  "format" is not thecal-review/1
        ├── MissingField                      THC-REVIEW-003
        ├── UnknownField                      THC-REVIEW-004  a typo is never ignored
        ├── WrongType                         THC-REVIEW-005  "true" where true is due, 5 for "5 mg"
        ├── UnknownValue                      THC-REVIEW-006  unknown enum value, drug, pump, code
        ├── InvalidQuantity                   THC-REVIEW-007  quantity text refused by the parser
        ├── InvalidTimestamp                  THC-REVIEW-008  not ISO 8601, or without a time zone
        ├── InvalidValue                      THC-REVIEW-009  well-formed but impossible
        └── InconsistentRequest               THC-REVIEW-010  a section the action needs is missing
"""

from __future__ import annotations

from thecal.domain.errors import RequestInvalid

__all__ = [
    "InconsistentRequest",
    "InvalidQuantity",
    "InvalidTimestamp",
    "InvalidValue",
    "MissingField",
    "RequestNotJson",
    "ReviewRequestInvalid",
    "UnknownField",
    "UnknownValue",
    "UnsupportedFormat",
    "WrongType",
]


class ReviewRequestInvalid(RequestInvalid):
    """A review request that does not have the documented shape (docs/review-format.md)."""

    code = "THC-REVIEW-000"
    template = "invalid review request at {where}: {detail}"


class RequestNotJson(ReviewRequestInvalid):
    code = "THC-REVIEW-001"
    template = "{where}: not a JSON object: {detail}"


class UnsupportedFormat(ReviewRequestInvalid):
    code = "THC-REVIEW-002"
    template = "{where}: format {value!r} is not supported; write {expected!r}"


class MissingField(ReviewRequestInvalid):
    code = "THC-REVIEW-003"
    template = "{where}: required field is missing"


class UnknownField(ReviewRequestInvalid):
    code = "THC-REVIEW-004"
    template = "{where}: unknown field; known fields here: {known}"


class WrongType(ReviewRequestInvalid):
    code = "THC-REVIEW-005"
    template = "{where}: expected {expected}, got {got}"


class UnknownValue(ReviewRequestInvalid):
    code = "THC-REVIEW-006"
    template = "{where}: {value!r} is not one of {known}"


class InvalidQuantity(ReviewRequestInvalid):
    code = "THC-REVIEW-007"
    template = "{where}: {detail} ({quantity_code})"


class InvalidTimestamp(ReviewRequestInvalid):
    code = "THC-REVIEW-008"
    template = "{where}: {detail}"


class InvalidValue(ReviewRequestInvalid):
    code = "THC-REVIEW-009"
    template = "{where}: {detail}"


class InconsistentRequest(ReviewRequestInvalid):
    code = "THC-REVIEW-010"
    template = "{where}: {detail}"
