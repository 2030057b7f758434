"""Committed twins kept between transactions, per database (process-local; see ``store.py``).

When a transaction that used a pump commits, the driver hands its twin — now exactly the committed
log — to this cache (per database, weakly referenced, at most :data:`KEPT_TWINS` pumps, the least
recent dropped). The next transaction takes it out, so no two transactions ever share a twin.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from thecal.services.repositories.device_log import DeviceCommand
from thecal.simulation.twin import PumpTwin

__all__ = [
    "KEPT_TWINS",
    "KeptTwin",
    "KeptTwins",
]

KEPT_TWINS = 256  # pumps whose committed twin a process keeps per database (least recent dropped)


@dataclass(frozen=True, slots=True)
class KeptTwin:
    """A twin exactly as the committed log leaves it, and what the driver knew about it."""

    twin: PumpTwin
    last: DeviceCommand  # the last command it applied
    saved: int  # seq of the pump's latest snapshot
    pocket: Decimal | None  # the pending pocket-fill share


class KeptTwins:
    """Committed twins between transactions, per database; a twin is taken out to be used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_database: weakref.WeakKeyDictionary[object, OrderedDict[str, KeptTwin]] = (
            weakref.WeakKeyDictionary()
        )

    def take(self, database: object, serial: str) -> KeptTwin | None:
        with self._lock:
            kept = self._by_database.get(database)
            return None if kept is None else kept.pop(serial, None)

    def keep(self, database: object, serial: str, twin: KeptTwin) -> None:
        with self._lock:
            kept = self._by_database.setdefault(database, OrderedDict())
            kept[serial] = twin
            kept.move_to_end(serial)
            while len(kept) > KEPT_TWINS:
                kept.popitem(last=False)
