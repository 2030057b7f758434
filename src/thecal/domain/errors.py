"""The one error tree of thecal.

Every error thecal raises on purpose derives from :class:`ThecalError`, carries a stable ``code``
and renders its message from structured fields. Edges (CLI, API, web) translate these errors once
into exit codes or HTTP statuses; the errors themselves know nothing of either.

::

    ThecalError
    ├── InvalidInput (ValueError)                 THC-INPUT-*   bad input at an edge; nothing changed
    │   ├── QuantityTextError                     THC-QTY-*     text that is not an unambiguous quantity
    │   │   ├── EmptyQuantity                       THC-QTY-001
    │   │   ├── NakedDecimal                        THC-QTY-002  ".5 mg"
    │   │   ├── CommaDecimal                        THC-QTY-003  "2,5 mL"
    │   │   ├── MultipleDecimalPoints               THC-QTY-004  "1.2.5 mg"
    │   │   ├── MissingUnit                         THC-QTY-005  "25"
    │   │   ├── UnknownUnit                         THC-QTY-006  "25 mgs"
    │   │   ├── NegativeQuantity                    THC-QTY-007  "-1 mL"
    │   │   ├── NonFiniteQuantity                   THC-QTY-008  "inf mL", "NaN mg"
    │   │   ├── MalformedNumber                     THC-QTY-009  "1e3 mg", "05 mg", "1 000 mcg"
    │   │   ├── ExcessPrecision                     THC-QTY-010  more decimals than any device takes
    │   │   ├── TrailingDecimalPoint                THC-QTY-011  "5. mg"
    │   │   └── WrongQuantityKind                   THC-QTY-012  "500 mcg" where a concentration is due
    │   ├── ValueOutOfRange                       THC-INPUT-001 a value outside its physical range
    │   └── RequestInvalid                        THC-INPUT-002 a structured request that is malformed
    │       └── IdempotencyKeyReused                THC-INPUT-003 a key sent again with another request
    ├── ReferenceDataError                        THC-DATA-*    a reference-data file is wrong
    │   ├── DataFileInvalid                         THC-DATA-001
    │   └── UnknownReference                        THC-DATA-002 unknown drug, pump model, table, ...
    ├── DosingError                               THC-DOSE-*    maths that cannot give a safe answer
    │   ├── FlowBelowPumpMinimum                    THC-DOSE-001
    │   ├── FlowAbovePumpMaximum                    THC-DOSE-002
    │   └── DosingImpossible                        THC-DOSE-003
    ├── DeviceError                               THC-DEV-*     the pump (or its twin) refused a command
    ├── ConfigurationInvalid                      THC-CONF-001  a THECAL_* setting thecal cannot run with
    └── WorkflowError                             THC-FLOW-*    a use case cannot proceed
        ├── NotFound                                THC-FLOW-404
        ├── PermissionDenied                        THC-FLOW-403
        ├── Conflict                                THC-FLOW-409
        └── SafetyBlocked                           THC-FLOW-422 a blocking safety finding

Subpackages may add leaves below these branches; every leaf has its own code, and a test checks
that no two classes share one.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "CommaDecimal",
    "ConfigurationInvalid",
    "Conflict",
    "DataFileInvalid",
    "DeviceError",
    "DosingError",
    "DosingImpossible",
    "EmptyQuantity",
    "ExcessPrecision",
    "FlowAbovePumpMaximum",
    "FlowBelowPumpMinimum",
    "InvalidInput",
    "MalformedNumber",
    "MissingUnit",
    "MultipleDecimalPoints",
    "NakedDecimal",
    "NegativeQuantity",
    "NonFiniteQuantity",
    "NotFound",
    "PermissionDenied",
    "QuantityTextError",
    "ReferenceDataError",
    "RequestInvalid",
    "SafetyBlocked",
    "ThecalError",
    "TrailingDecimalPoint",
    "UnknownReference",
    "UnknownUnit",
    "ValueOutOfRange",
    "WorkflowError",
    "WrongQuantityKind",
]


class ThecalError(Exception):
    """Root of every deliberate thecal error.

    Subclasses set ``code`` (stable, documented, never reused) and ``template`` (a
    ``str.format`` template over the keyword fields given to the constructor).
    """

    code: ClassVar[str] = "THC-000"
    template: ClassVar[str] = "{detail}"

    def __init__(self, **fields: Any) -> None:
        self.fields: dict[str, Any] = fields
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The human message, rendered from the fields."""
        try:
            return self.template.format(**self.fields)
        except (KeyError, IndexError):  # a template/field mismatch must never hide the error
            return f"{type(self).__name__}: {self.fields!r}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: code, message and the structured fields as strings."""
        return {
            "code": self.code,
            "error": type(self).__name__,
            "message": self.message,
            "fields": {key: str(value) for key, value in self.fields.items()},
        }


# ----------------------------------------------------------------------------- invalid input


class InvalidInput(ThecalError, ValueError):
    """Input at an edge that cannot be accepted; nothing was changed."""

    code = "THC-INPUT-000"


class ValueOutOfRange(InvalidInput):
    """A value outside the range its meaning allows (for example a negative volume)."""

    code = "THC-INPUT-001"
    template = "{name} must be {expected}, got {value}"


class RequestInvalid(InvalidInput):
    """A structured request (JSON, TOML) that does not have the documented shape."""

    code = "THC-INPUT-002"
    template = "invalid request at {where}: {detail}"


class QuantityTextError(InvalidInput):
    """Text that is not one unambiguous quantity. The text is kept in ``fields['text']``."""

    code = "THC-QTY-000"


class EmptyQuantity(QuantityTextError):
    code = "THC-QTY-001"
    template = "no quantity given: enter a number and a unit, for example '0.5 mg/day'"


class NakedDecimal(QuantityTextError):
    code = "THC-QTY-002"
    template = (
        "{text!r} has a naked decimal point: write a leading zero, "
        "for example '0{number}' (a missed '.' is a ten-fold error)"
    )


class CommaDecimal(QuantityTextError):
    code = "THC-QTY-003"
    template = (
        "{text!r} uses a comma: write the decimal point as '.', and no thousands separator "
        "(a comma can mean either, so it is never guessed)"
    )


class MultipleDecimalPoints(QuantityTextError):
    code = "THC-QTY-004"
    template = "{text!r} has more than one decimal point"


class MissingUnit(QuantityTextError):
    code = "THC-QTY-005"
    template = "{text!r} has no unit: write one of {accepted}"


class UnknownUnit(QuantityTextError):
    code = "THC-QTY-006"
    template = "{text!r}: unknown unit {unit!r}; accepted units are {accepted}"


class NegativeQuantity(QuantityTextError):
    code = "THC-QTY-007"
    template = "{text!r} is negative; quantities here are never below zero"


class NonFiniteQuantity(QuantityTextError):
    code = "THC-QTY-008"
    template = "{text!r} is not a finite number"


class MalformedNumber(QuantityTextError):
    code = "THC-QTY-009"
    template = "{text!r}: {reason}"


class ExcessPrecision(QuantityTextError):
    code = "THC-QTY-010"
    template = "{text!r} has {places} decimal places; at most {maximum} are accepted"


class TrailingDecimalPoint(QuantityTextError):
    code = "THC-QTY-011"
    template = "{text!r} ends its number with a decimal point: write '{number}' or add the decimals"


class WrongQuantityKind(QuantityTextError):
    code = "THC-QTY-012"
    template = "{text!r} is a {got}, but a {expected} is needed here (for example {example!r})"


# ----------------------------------------------------------------------------- reference data


class ReferenceDataError(ThecalError):
    """A reference-data file (drug library, pump models, MME tables) is wrong or incomplete."""

    code = "THC-DATA-000"


class DataFileInvalid(ReferenceDataError, ValueError):
    code = "THC-DATA-001"
    template = "{file}: {field}: {detail}"


class UnknownReference(ReferenceDataError, LookupError):
    code = "THC-DATA-002"
    template = "unknown {kind} {name!r}; known: {known}"


# ----------------------------------------------------------------------------- dosing maths


class DosingError(ThecalError, ValueError):
    """Dosing maths that cannot give a safe answer."""

    code = "THC-DOSE-000"


class FlowBelowPumpMinimum(DosingError):
    code = "THC-DOSE-001"
    template = (
        "{daily_dose} at {concentration} needs a flow of {flow}, below the {pump} minimum of "
        "{minimum}; the lowest dose this concentration allows is {lowest_dose}. Way out: use a "
        "lower concentration, at most {max_concentration} for this dose"
    )


class FlowAbovePumpMaximum(DosingError):
    code = "THC-DOSE-002"
    template = (
        "{daily_dose} at {concentration} needs a flow of {flow}, above the {pump} maximum of "
        "{maximum}. Way out: use a higher concentration, at least {min_concentration}"
    )


class DosingImpossible(DosingError):
    code = "THC-DOSE-003"
    template = "{detail}"


# ----------------------------------------------------------------------------- device


class DeviceError(ThecalError):
    """The pump (or its digital twin) refused or could not carry out a command."""

    code = "THC-DEV-000"
    template = "{detail}"


# ----------------------------------------------------------------------------- configuration


class ConfigurationInvalid(ThecalError):
    """A setting (``THECAL_*``) thecal cannot run with; nothing was started or changed.

    ``variable`` names the setting(s), ``problem`` what is wrong with the value (never a
    secret's value), ``fix`` what to set instead. Every command and the server's app factory
    stop with this message and exit status 2, never a traceback.
    """

    code = "THC-CONF-001"
    template = "{variable}: {problem}. Fix: {fix}"


# ----------------------------------------------------------------------------- workflow


class WorkflowError(ThecalError):
    """A use case cannot proceed as asked."""

    code = "THC-FLOW-000"
    template = "{detail}"


class NotFound(WorkflowError, LookupError):
    code = "THC-FLOW-404"
    template = "{kind} {ident} not found"


class PermissionDenied(WorkflowError, PermissionError):
    code = "THC-FLOW-403"
    template = "{role} may not {action}"


class Conflict(WorkflowError):
    code = "THC-FLOW-409"
    template = "{detail}"


class SafetyBlocked(WorkflowError):
    code = "THC-FLOW-422"
    template = "blocked by safety review: {summary}"
