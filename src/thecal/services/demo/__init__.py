"""The demo clinic: ``seed_demo_clinic`` lives through three years of a clinic with the real use
cases and the pump twin (``thecal demo seed``; docs/demo.md)."""

from __future__ import annotations

from thecal.services.demo.clinic import ConfigureTwin, DemoClinic, SeedClock, configure_twin
from thecal.services.demo.context import Staff
from thecal.services.demo.seed import (
    DEMO_SEED_VERSION,
    DEMO_YEARS,
    DemoPatient,
    SeedDemoClinic,
    SeedSummary,
    first_day_of,
    seed_demo_clinic,
)

__all__ = [
    "DEMO_SEED_VERSION",
    "DEMO_YEARS",
    "ConfigureTwin",
    "DemoClinic",
    "DemoPatient",
    "SeedClock",
    "SeedDemoClinic",
    "SeedSummary",
    "Staff",
    "configure_twin",
    "first_day_of",
    "seed_demo_clinic",
]
