"""Faults a scenario (or a test) can inject into the twin.

Each fault starts when it is injected and, where it has a ``duration``, ends by itself; ``None``
means it lasts for the rest of the run. What the pump *knows* about a fault decides whether its
belief and the physical truth part ways:

============================ ====================== ===========================================
fault                        pump knows?            effect on the truth
============================ ====================== ===========================================
MotorStall                   yes (alarm)            nothing moves; the pump counts nothing
DeliveryError(x %)           no                     the pump moves (100 + x) % of what it counts
Occlusion                    no                     nothing leaves the pump; the count runs on
Leak(x %)                    no                     x % of what leaves the catheter goes to tissue
BatteryDepletion(lost)       via ERI/EOS            ``lost`` of battery life is gone at once
TelemetryFailure             yes (no link)          commands' outcomes become *uncertain*
============================ ====================== ===========================================

A pocket fill is not a fault of the pump but of the refill; it is a parameter of
:meth:`thecal.simulation.twin.PumpTwin.inject`. Stall root causes and survival figures: S35, S51;
pocket fills: S75, S77; catheter problems are the commonest cause of lost effect [A].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from thecal.domain.units import Duration

__all__ = [
    "BatteryDepletion",
    "DeliveryError",
    "Fault",
    "Leak",
    "MotorStall",
    "Occlusion",
    "TelemetryFailure",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MotorStall:
    """The motor stops: transient (``duration``) or permanent (``None``). S35, S51."""

    duration: Duration | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryError:
    """Partial under- (negative) or over-delivery (positive) of ``percent`` %, undetected."""

    percent: Decimal
    duration: Duration | None = None

    def __post_init__(self) -> None:
        if self.percent < -100:
            msg = f"delivery error must be ≥ -100 %, got {self.percent}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Occlusion:
    """The catheter is blocked: no delivery at the tip, the pump's count runs on."""

    duration: Duration | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Leak:
    """A catheter leak (``percent`` < 100) or disconnection (100): drug to tissue, not CSF."""

    percent: Decimal = Decimal(100)
    duration: Duration | None = None

    def __post_init__(self) -> None:
        if not 0 < self.percent <= 100:
            msg = f"leak must be in (0, 100] %, got {self.percent}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class BatteryDepletion:
    """Early battery depletion: ``lost`` of battery life disappears at once."""

    lost: Duration


@dataclass(frozen=True, slots=True, kw_only=True)
class TelemetryFailure:
    """No telemetry link: commands are sent but not confirmed.

    ``applied`` says whether commands sent during the failure nevertheless reached the pump
    (the truth only the twin knows); ``None`` lets the twin's seeded generator decide per command.
    """

    duration: Duration | None = None
    applied: bool | None = None


Fault = MotorStall | DeliveryError | Occlusion | Leak | BatteryDepletion | TelemetryFailure
