"""The territory registry: the 17 territories, their targets, status and perimeter definitions.

Loaded from ``geodata/territories.yaml`` (human-edited definitions). Geometry is not
here: see :mod:`tzcld.geodata` for the derived layers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from tzcld.config import GEODATA_DIR
from tzcld.errors import TzcldError

#: The YAML loader of the registry: libyaml's safe loader when PyYAML was built with it
#: (about ten times faster: the command line's start-up), else the pure-Python one; both
#: build the same document (``tests/test_territories_loader.py``).
SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The 17 stable territory ids, in the announcement's order.
TERRITORY_IDS: tuple[str, ...] = (
    "liege",
    "flemalle",
    "seraing",
    "trooz-chaudfontaine",
    "herstal-oupeye",
    "comblain-sprimont-aywaille",
    "verviers-dison",
    "farciennes",
    "mons-jemappes",
    "charleroi-marchienne",
    "la-louviere",
    "colfontaine",
    "frameries",
    "virton-rouvroy-meix",
    "hotton-durbuy-erezee-rendeux-la-roche",
    "bertrix",
    "gembloux",
)

Precision = Literal["official", "sectors", "sectors-from-addresses", "communes", "indicative"]
Status = Literal["continued", "ended", "unconfirmed", "active"]

#: Precision levels, from most to least precise. ``official``: a perimeter file supplied by
#: the project lead (convention, municipal plan) and approved (tzcld.perimeters).
PRECISIONS: tuple[str, ...] = ("official", "sectors", "sectors-from-addresses", "communes", "indicative")
#: Territory statuses after the 2025 mid-term review: ``continued`` and ``ended`` (each with
#: its date and source), ``unconfirmed`` (announced, 2025 status not confirmed by our sources).
STATUSES: tuple[str, ...] = ("continued", "ended", "unconfirmed")
#: Statuses still read (older ledger rows, older registries) but no longer given: ``active``.
LEGACY_STATUSES: tuple[str, ...] = ("active",)
#: Every status a registry or a ledger row may hold.
KNOWN_STATUSES: tuple[str, ...] = STATUSES + LEGACY_STATUSES
#: Statuses that must say when and where they were published.
SOURCED_STATUSES: tuple[str, ...] = ("continued", "ended")
#: ``postcodes``: the addresses of the territory's communes that carry these postcodes (the
#: ICAR register), e.g. Vivegnis (4683) in Oupeye — where sector data is missing.
UNIT_KINDS: tuple[str, ...] = ("sectors", "sections", "communes", "postcodes")

#: The programme's announced target ("près de 750"), distinct from the 725 sum of territories.
PROGRAMME_JOB_TARGET = 750

REGISTRY_PATH: Path = GEODATA_DIR / "territories.yaml"


class RegistryError(TzcldError, ValueError):
    """The registry file is malformed; the message (``errors.registry.*``) says where."""

    domain = "errors.registry"


@dataclass(frozen=True)
class Commune:
    refnis: str
    name: str


@dataclass(frozen=True)
class PerimeterUnit:
    """One named piece of a territory: a quarter, village, section or commune.

    ``kind`` says what ``codes`` hold: Statbel sector codes, section codes
    (``cd_sub_munty``), commune REFNIS codes or postcodes (of the territory's communes).
    """

    unit: str
    kind: str
    codes: tuple[str, ...]
    rationale: str


@dataclass(frozen=True)
class Territory:
    id: str
    name: str
    province: str
    communes: tuple[Commune, ...]
    announced_units: tuple[str, ...]
    announcement: str
    job_target: int
    status: str
    precision: str
    perimeter: tuple[PerimeterUnit, ...]
    places: tuple[str, ...] = ()
    status_date: str | None = None
    status_source: str | None = None
    notes: str = ""
    #: How ``status_date`` is known (``day``, ``month``, ``year``, ``inferred``), and why.
    status_date_precision: str | None = None
    status_note: str | None = None

    @property
    def commune_codes(self) -> tuple[str, ...]:
        return tuple(c.refnis for c in self.communes)

    @property
    def is_indicative(self) -> bool:
        return self.precision == "indicative"


@dataclass(frozen=True)
class Registry:
    territories: tuple[Territory, ...]
    _by_id: dict[str, Territory] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({t.id: t for t in self.territories})

    def __iter__(self):
        return iter(self.territories)

    def __len__(self) -> int:
        return len(self.territories)

    def __getitem__(self, territory_id: str) -> Territory:
        return self._by_id[territory_id]

    def get(self, territory_id: str) -> Territory | None:
        return self._by_id.get(territory_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.territories)

    @property
    def total_job_target(self) -> int:
        """Sum of the territories' announced targets (725), not the programme's 750."""
        return sum(t.job_target for t in self.territories)


def _parse_unit(tid: str, raw: dict) -> PerimeterUnit:
    kinds = [k for k in UNIT_KINDS if k in raw]
    if len(kinds) != 1:
        raise RegistryError("unit_kind", territory=tid, unit=raw.get("unit"), kinds=", ".join(UNIT_KINDS))
    kind = kinds[0]
    codes = tuple(str(c) for c in raw[kind])
    if not codes:
        raise RegistryError("unit_no_codes", territory=tid, unit=raw.get("unit"))
    if not raw.get("rationale"):
        raise RegistryError("unit_no_rationale", territory=tid, unit=raw.get("unit"))
    if kind == "postcodes" and not all(len(c) == 4 and c.isdigit() for c in codes):
        raise RegistryError("unit_postcode", territory=tid, unit=raw.get("unit"))
    return PerimeterUnit(unit=str(raw["unit"]), kind=kind, codes=codes, rationale=str(raw["rationale"]))


def parse_registry(data: dict) -> Registry:
    """Build and validate a :class:`Registry` from the YAML document's mapping."""
    if not isinstance(data, dict) or not isinstance(data.get("territories"), list):
        raise RegistryError("no_list")
    territories: list[Territory] = []
    for raw in data["territories"]:
        if not isinstance(raw, dict):
            raise RegistryError("bad_entry", entry=repr(raw))
        tid = str(raw.get("id", ""))
        if raw.get("status") not in KNOWN_STATUSES:
            raise RegistryError("status", territory=tid, status=raw.get("status"), expected=", ".join(STATUSES))
        if raw.get("precision") not in PRECISIONS:
            raise RegistryError("precision", territory=tid, precision=raw.get("precision"))
        if raw.get("status") in SOURCED_STATUSES and not (raw.get("status_date") and raw.get("status_source")):
            raise RegistryError("status_source", territory=tid)
        if raw.get("status_date_precision") not in (None, "", "day", "month", "year", "inferred"):
            raise RegistryError("date_precision", territory=tid, precision=raw.get("status_date_precision"))
        if raw.get("status_date_precision") == "inferred" and not raw.get("status_note"):
            raise RegistryError("status_note", territory=tid)
        try:
            territory = Territory(
                id=tid,
                name=str(raw["name"]),
                province=str(raw["province"]),
                communes=tuple(Commune(str(c["refnis"]), str(c["name"])) for c in raw["communes"]),
                announced_units=tuple(str(u) for u in raw.get("announced_units") or ()),
                announcement=str(raw.get("announcement", "")),
                job_target=int(raw["job_target"]),
                status=str(raw["status"]),
                precision=str(raw["precision"]),
                perimeter=tuple(_parse_unit(tid, u) for u in raw.get("perimeter") or ()),
                places=tuple(str(p) for p in raw.get("places") or ()),
                status_date=str(raw["status_date"]) if raw.get("status_date") else None,
                status_source=str(raw["status_source"]) if raw.get("status_source") else None,
                notes=str(raw.get("notes", "") or ""),
                status_date_precision=str(raw["status_date_precision"]) if raw.get("status_date_precision") else None,
                status_note=str(raw["status_note"]) if raw.get("status_note") else None,
            )
        except RegistryError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryError("field", territory=tid, detail=str(exc)) from exc
        territories.append(territory)
    ids = [t.id for t in territories]
    if tuple(ids) != TERRITORY_IDS:
        raise RegistryError("ids", found=str(ids))
    return Registry(tuple(territories))


@lru_cache(maxsize=4)
def load_registry(path: Path | None = None) -> Registry:
    """Read and validate ``geodata/territories.yaml`` (cached per path)."""
    p = Path(path) if path else REGISTRY_PATH
    with p.open(encoding="utf-8") as fh:
        try:
            doc = yaml.load(fh, Loader=SAFE_LOADER)  # a safe loader (libyaml's when built)
        except yaml.YAMLError as exc:
            raise RegistryError("yaml", name=p.name, detail=str(exc)) from exc
    return parse_registry(doc)
