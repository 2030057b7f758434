"""Load and validate thecal's reference data (drugs, pumps, catheters, MME tables).

The files live in the ``thecal.data`` package as TOML. Every number must carry a source key and a
confidence tag; every quantity is read by the strict quantity parser; any problem raises
:class:`~thecal.domain.errors.DataFileInvalid` naming the file and the field — the loader never
skips an entry or fills in a default for a clinical number. One module per file kind:
:mod:`.drug_entries`, :mod:`.device_entries`, :mod:`.mme_entries` (over :mod:`.toml_reader`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from thecal.domain.devices import CatheterModel, PumpModel
from thecal.domain.drugs import Drug
from thecal.domain.errors import DataFileInvalid, UnknownReference
from thecal.domain.library.device_entries import read_catheter, read_pump
from thecal.domain.library.drug_entries import ExternalSource, read_drugs
from thecal.domain.library.mme_entries import read_mme_table
from thecal.domain.library.toml_reader import TomlReader
from thecal.domain.mme import MmeTable

__all__ = ["FILES", "ExternalSource", "ReferenceLibrary", "load_library", "reference_library"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceLibrary:
    """All reference data, validated, indexed by id."""

    drugs: Mapping[str, Drug]
    pumps: Mapping[str, PumpModel]
    catheters: Mapping[str, CatheterModel]
    mme_tables: Mapping[str, MmeTable]
    default_mme_table: str
    versions: Mapping[str, str]
    sources: Mapping[str, ExternalSource] = field(default_factory=dict)

    def drug(self, drug_id: str) -> Drug:
        return _lookup(self.drugs, drug_id, "drug")

    def pump(self, model_id: str) -> PumpModel:
        return _lookup(self.pumps, model_id, "pump model")

    def catheter(self, model_id: str) -> CatheterModel:
        return _lookup(self.catheters, model_id, "catheter model")

    def mme_table(self, table_id: str | None = None) -> MmeTable:
        return _lookup(self.mme_tables, table_id or self.default_mme_table, "MME table")


def _lookup(items: Mapping[str, T], key: str, kind: str) -> T:
    try:
        return items[key]
    except KeyError:
        raise UnknownReference(kind=kind, name=key, known=", ".join(sorted(items))) from None


def _read(file: str, texts: Mapping[str, str]) -> dict[str, Any]:
    try:
        return tomllib.loads(texts[file])
    except tomllib.TOMLDecodeError as error:
        raise DataFileInvalid(file=file, field="(syntax)", detail=str(error)) from None


def _index(file: str, items: list[T], key: Callable[[T], str]) -> dict[str, T]:
    index: dict[str, T] = {}
    for item in items:
        ident = key(item)
        if ident in index:
            raise DataFileInvalid(file=file, field="id", detail=f"duplicate id {ident!r}")
        index[ident] = item
    return index


FILES = ("drugs.toml", "pumps.toml", "catheters.toml", "mme.toml")


def load_library(texts: Mapping[str, str]) -> ReferenceLibrary:
    """Build a validated library from the text of each data file (keys: :data:`FILES`).

    Raises:
        DataFileInvalid: naming the file and the field of the first problem found.
    """
    raw = {file: _read(file, texts) for file in FILES}
    drugs, sources = read_drugs(raw["drugs.toml"])
    pumps_root = TomlReader("pumps.toml", raw["pumps.toml"], "")
    pumps = _index("pumps.toml", [read_pump(p) for p in pumps_root.tables("pump")], lambda p: p.id)
    for pump in pumps.values():
        unknown = [d for d in pump.approved_drugs.value if d not in drugs]
        if unknown:
            raise DataFileInvalid(
                file="pumps.toml",
                field=f"{pump.id}.approved_drugs",
                detail=f"unknown drugs {unknown}",
            )
    cath_root = TomlReader("catheters.toml", raw["catheters.toml"], "")
    catheters = _index(
        "catheters.toml", [read_catheter(c) for c in cath_root.tables("catheter")], lambda c: c.id
    )
    mme_root = TomlReader("mme.toml", raw["mme.toml"], "")
    tables = _index(
        "mme.toml", [read_mme_table(t) for t in mme_root.tables("table")], lambda t: t.id
    )
    default = mme_root.text("default") if "default" in raw["mme.toml"] else ""
    if default not in tables:
        raise DataFileInvalid(file="mme.toml", field="default", detail=f"unknown table {default!r}")
    return ReferenceLibrary(
        drugs=drugs,
        pumps=pumps,
        catheters=catheters,
        mme_tables=tables,
        default_mme_table=default,
        versions={file: str(raw[file].get("version", "")) for file in FILES},
        sources=sources,
    )


@cache
def reference_library() -> ReferenceLibrary:
    """The library shipped with thecal (read once, then cached)."""
    package = resources.files("thecal.data")
    texts = {file: (package / file).read_text(encoding="utf-8") for file in FILES}
    return load_library(texts)
