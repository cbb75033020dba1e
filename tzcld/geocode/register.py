"""The offline address index, built from the ICAR register, and the geocoder over it.

Built once (``python -m tzcld address-index build``, or on first use) from
``<raw dir>/icar_addresses_wallonia_2019.parquet`` (SPW – ICAR, extract of 3 Apr 2019,
1.37 M addresses, WGS84) into the index folder (:attr:`tzcld.runtime.Settings.address_index`,
``<data dir>/address_index/`` by default, git-ignored):

- ``address_*.npy``: one value per address, sorted by street (numpy arrays, memory-mapped
  when loaded: nothing is parsed or rebuilt, and the pages are shared by every process
  reading the index): house number (``number`` int, ``suffix_code`` letter and
  ``housenumber_code`` official text, codes into ``address_strings.json``), WGS84
  ``lat``/``lon``, Lambert 72 ``x``/``y`` (EPSG:31370, metres), the Statbel sector
  (``sector_code``) when a sector-tagged BeST address point lies within
  :data:`SECTOR_SNAP_M` metres (``best_address_points_sectors.parquet``), else empty, and
  the Statbel section (``section_code``: from that sector, or from the sector polygons of
  Liège, Charleroi and Mons; an index into ``meta.json``'s ``sections``, -1 when unknown);
  ``address_keys.npy``: the sorted look-up keys of the exact pass (:func:`address_keys`);
- ``streets.parquet``: one row per (ICAR street, postcode): normalised key, official name,
  commune, first/last row of its addresses; ``street_group_*.npy``: the streets grouped by
  postcode, commune, key and core name (:class:`Groups`); ``postcodes.json``: the communes
  and the centre of each postcode;
- ``localities.parquet``: the gazetteer (:mod:`tzcld.geocode.gazetteer`): communes,
  sections (former communes) and OpenStreetMap places → commune, postcodes, area;
- ``meta.json``: sources, vintages, counts, format version.

The build is atomic and exclusive (:func:`build_index`): it writes into a temporary folder
beside the index, then swaps it in by one rename, under a lock file (``.address_index.lock``
beside the folder, ``flock``): two server replicas starting together on a shared volume
build it once, the second waits and loads the first's. Loading (:func:`load_index`) only
reads — under a shared lock when the lock file can be opened, so that a rebuild never swaps
the files while they are being read — and works from a read-only folder (a container image
builds the index at build time: ``TZCLD_ADDRESS_INDEX``).

How a typed address is matched (:class:`RegisterGeocoder`): the words are read as a
street, a house number, a postcode and a locality (gazetteer); the typed postcode and
locality are *evidence* (:class:`Evidence`): streets that agree with them are preferred
(:func:`street_agreement`, :func:`choose_streets`); when none agrees, the answer says so
(``conflict``) and carries every place it could stand for, so that the verdict is firm
only when they all give the same answer. The house number is then looked up on the
street (:func:`pick_number`).

No typed address is ever stored or logged: the index holds the public register only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from tzcld.config import LAMBERT72
from tzcld.fsatomic import replace_folder
from tzcld.geocode.base import Candidate, GeocodeResult, IndexMissing, MatchQuality
from tzcld.geocode.gazetteer import Gazetteer, Locality, build_gazetteer, read_places
from tzcld.geocode.normalize import (
    BOX_WORDS,
    WALLOON_POSTCODE,
    HouseNumber,
    normalize_locality,
    normalize_name,
    parse_address,
)
from tzcld.geometry import to_lambert

log = logging.getLogger(__name__)
_T = TypeVar("_T")

ICAR_FILE = "icar_addresses_wallonia_2019.parquet"
BEST_FILE = "best_address_points_sectors.parquet"
SECTOR_TABLE_FILE = "statbel_sectors_table_2022_wallonia.csv"
SECTOR_POLYGONS_FILE = "statbel_sectors_2023_liege_charleroi_mons.gpkg"
INDEX_FORMAT = 4
#: Street groupings stored with the index (name → column of ``streets.parquet``).
STREET_GROUPS = {"postcode": "postcode", "muni": "muni_key", "key": "key", "core": "core"}
#: Text columns of ``streets.parquet``.
STREET_TEXT = ("key", "name", "municipality", "postcode", "street_id", "core", "bare", "muni_key")
#: An ICAR address takes the Statbel sector of the nearest BeST point within this distance (m).
SECTOR_SNAP_M = 5.0
#: Fuzzy street scores (0–100) below this are not a match.
STREET_SCORE_CUTOFF = 84.0
#: Candidates within this many points of the best are "several plausible matches".
AMBIGUITY_MARGIN = 2.0
#: Street words ignored by the "core name" comparison (people often omit them).
GENERIC_WORDS = frozenset(
    [
        "rue",
        "avenue",
        "boulevard",
        "chaussee",
        "place",
        "route",
        "chemin",
        "allee",
        "impasse",
        "square",
        "quai",
        "clos",
        "sentier",
        "cite",
        "residence",
        "drève",
        "dreve",
        "voie",
        "ruelle",
        "venelle",
        "rond",
        "point",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "a",
        "au",
        "aux",
        "en",
        "sur",
        "sous",
    ]
)
SOURCE_LABEL = "SPW – ICAR (2019-04-03) ; BOSA BeST Address (secteurs)"


def index_dir() -> Path:
    """The index folder of the environment's settings (:attr:`tzcld.runtime.Settings.address_index`:
    ``TZCLD_ADDRESS_INDEX``, else ``<data dir>/address_index``); the runtime passes its own."""
    from tzcld.runtime import Settings

    return Settings.from_env().address_index


# --------------------------------------------------------------------------- atomic build


def lock_path(folder: Path) -> Path:
    """The lock file of the index ``folder``: ``.NAME.lock`` beside it."""
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def index_lock(folder: Path, *, exclusive: bool) -> Iterator[bool]:
    """Hold the index's lock: exclusive to build, shared to read. Yields whether a lock is
    held: a reader of a folder whose lock file cannot be opened or created (a read-only
    volume: nobody can rebuild there) reads without one; a builder that cannot lock fails."""
    path = lock_path(folder)
    try:
        if exclusive:
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = path.open("a")
        else:
            try:
                fh = path.open("r")
            except FileNotFoundError:
                fh = path.open("a")
    except OSError:
        if exclusive:
            raise
        yield False
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def swap_in(built: Path, folder: Path) -> None:
    """Put the complete folder ``built`` in place of ``folder`` (:func:`tzcld.fsatomic.replace_folder`:
    an atomic exchange on Linux; elsewhere ``folder`` is missing for an instant, which readers
    wait out on :func:`index_lock`)."""
    replace_folder(built, folder)


def _index_state(folder: Path) -> str:
    """``ok`` (current format), ``missing`` or ``old`` (an index of an earlier format)."""
    meta = folder / "meta.json"
    if not meta.exists():
        return "missing"
    try:
        fmt = json.loads(meta.read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError):
        return "old"
    return "ok" if fmt == INDEX_FORMAT else "old"


#: Words people drop in a street name ("rue Xhavée" for "Rue de la Xhavée").
ARTICLES = frozenset(["de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "en"])


def street_bare(key: str) -> str:
    """A street key without its articles (``"rue de la xhavee"`` → ``"rue xhavee"``)."""
    bare = " ".join(w for w in key.split() if w not in ARTICLES)
    return bare or key


def street_core(key: str) -> str:
    """A street key without its generic words (``"rue de droixhe"`` → ``"droixhe"``)."""
    core = " ".join(w for w in key.split() if w not in GENERIC_WORDS)
    return core or key


# --------------------------------------------------------------------------- build


def _sector_from_best(x: np.ndarray, y: np.ndarray, best_path: Path) -> tuple[np.ndarray, str]:
    """Statbel sector of each point from the nearest BeST point within SECTOR_SNAP_M metres."""
    import shapely

    sectors = np.full(len(x), "", dtype=object)
    if not best_path.exists():
        return sectors, ""
    best = pd.read_parquet(best_path, columns=["x_31370", "y_31370", "cd_sector", "best_extract"])
    tree = shapely.STRtree(shapely.points(best["x_31370"].to_numpy(float), best["y_31370"].to_numpy(float)))
    # only points within the BeST points' envelope can match: cheap pre-filter
    pairs = tree.query_nearest(shapely.points(x, y), max_distance=SECTOR_SNAP_M, all_matches=False)
    src, dst = pairs
    first = np.unique(src, return_index=True)[1]
    sectors[src[first]] = best["cd_sector"].to_numpy(object)[dst[first]]
    extracts = ", ".join(sorted(best["best_extract"].dropna().unique()))
    return sectors, extracts


def _sections_from_polygons(x: np.ndarray, y: np.ndarray, poly_path: Path) -> np.ndarray:
    """Statbel section code (``cd_sub_munty``) from the three cities' sector polygons."""
    import geopandas as gpd
    import shapely

    out = np.full(len(x), "", dtype=object)
    if not poly_path.exists():
        return out
    sec = gpd.read_file(poly_path, layer="sectors", columns=["cd_sub_munty"]).to_crs(LAMBERT72)
    tree = shapely.STRtree(sec.geometry.values)
    xmin, ymin, xmax, ymax = sec.total_bounds
    cand = np.flatnonzero((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
    pi, si = tree.query(shapely.points(x[cand], y[cand]), predicate="intersects")
    out[cand[pi]] = sec["cd_sub_munty"].to_numpy(object)[si]
    return out


def build_index(raw: Path | None = None, out: Path | None = None, *, only_if_needed: bool = False) -> Path:
    """Build the address index of the raw register files in ``raw`` into ``out`` (defaults:
    the environment's settings, :attr:`tzcld.runtime.Settings.raw_dir` and ``address_index``);
    returns ``out``.

    Takes ~30 s and ~2 GB of memory for the 1.37 M Walloon addresses. Atomic and exclusive:
    written into a temporary folder beside ``out``, swapped in by a rename under
    :func:`index_lock`; a failed or interrupted build leaves ``out`` as it was. With
    ``only_if_needed``, a current index found once the lock is held (another process
    built it meanwhile) is kept.
    """
    if raw is None or out is None:
        from tzcld.runtime import Settings

        settings = Settings.from_env()
        raw, out = raw or settings.raw_dir, out or settings.address_index
    raw, out = Path(raw), Path(out)
    icar_path = raw / ICAR_FILE
    if not icar_path.exists():
        raise IndexMissing("check.index.register_missing", path=str(icar_path))
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(index_lock(out, exclusive=True))
        except OSError as exc:
            raise IndexMissing(
                "check.index.unwritable", folder=str(out.parent), detail=str(exc.strerror or exc)
            ) from None
        if only_if_needed and _index_state(out) == "ok":
            return out
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
        try:
            _write_index(raw, work)
            os.chmod(work, 0o755)  # mkdtemp makes it 0700: other users (a server account) read it
            swap_in(work, out)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    log.info("Address index built in %s", out)
    return out


def _write_index(raw: Path, out: Path) -> None:
    """Write the index files from the raw register files into the (empty) folder ``out``."""
    icar_path = raw / ICAR_FILE
    t0 = time.perf_counter()
    df = pd.read_parquet(
        icar_path, columns=["postcode", "municipality", "street", "housenumber", "lat", "lon", "icar_street_id"]
    )
    df = df.dropna(subset=["lat", "lon", "street", "municipality"]).reset_index(drop=True)
    x, y = to_lambert(df["lat"].to_numpy(float), df["lon"].to_numpy(float))
    df["x"], df["y"] = x, y
    sectors, best_extracts = _sector_from_best(x, y, raw / BEST_FILE)
    df["sector"] = pd.array(sectors, dtype="str")
    section = np.where(sectors != "", pd.Series(sectors).str[:6].to_numpy(object), "")
    poly_section = _sections_from_polygons(x, y, raw / SECTOR_POLYGONS_FILE)
    section = np.where(section == "", poly_section, section)
    df["section"] = pd.array(section, dtype="str")

    # house numbers: numeric part and letter suffix
    hn = df["housenumber"].astype(str).str.lower().str.replace(" ", "", regex=False)
    parts = hn.str.extract(r"^(\d{1,5})(bis|ter|[a-z]{0,2})", expand=True)
    df["number"] = pd.to_numeric(parts[0], errors="coerce").fillna(-1).astype("int32")
    df["suffix"] = parts[1].fillna("")

    # streets: one per (street id, postcode, municipality)
    street_cat = pd.Categorical(df["street"])
    key_of_cat = np.array([normalize_name(s) for s in street_cat.categories], dtype=object)
    df["street_key"] = key_of_cat[street_cat.codes]
    df = df.sort_values(["municipality", "postcode", "icar_street_id", "number", "suffix"], kind="stable").reset_index(
        drop=True
    )
    group_cols = ["icar_street_id", "postcode", "municipality"]
    df["_g"] = (df[group_cols] != df[group_cols].shift()).any(axis=1).cumsum() - 1
    starts = np.flatnonzero(np.r_[True, df["_g"].to_numpy()[1:] != df["_g"].to_numpy()[:-1]])
    stops = np.r_[starts[1:], len(df)]
    gx = df.groupby("_g", sort=True)[["x", "y"]].median()
    streets = pd.DataFrame(
        {
            "key": df["street_key"].to_numpy(object)[starts],
            "name": df["street"].to_numpy(object)[starts],
            "municipality": df["municipality"].to_numpy(object)[starts],
            "postcode": df["postcode"].to_numpy(object)[starts],
            "street_id": df["icar_street_id"].to_numpy(object)[starts],
            "start": starts.astype("int64"),
            "stop": stops.astype("int64"),
            "cx": gx["x"].to_numpy(),
            "cy": gx["y"].to_numpy(),
        }
    )
    streets["core"] = [street_core(k) for k in streets["key"]]
    streets["bare"] = [street_bare(k) for k in streets["key"]]
    streets["muni_key"] = [normalize_locality(m) for m in streets["municipality"]]

    # the gazetteer: communes, sections (former communes), OSM places
    table_path = raw / SECTOR_TABLE_FILE
    table = None
    if table_path.exists():
        table = pd.read_csv(
            table_path,
            dtype=str,
            keep_default_na=False,
            usecols=["cd_sub_munty", "tx_sub_munty_fr", "tx_munty_descr_fr", "tx_munty_descr_nl"],
        )
    localities = build_gazetteer(df[["municipality", "postcode", "x", "y", "section"]], table, read_places(raw))

    # the Statbel section of each address as an index into a sorted list (-1: unknown)
    section_text = df["section"].fillna("").astype(str).tolist()
    known = sorted(set(section_text) - {""})
    position = {code: i for i, code in enumerate(known)}
    section_code = np.array([position.get(v, -1) for v in section_text], dtype=np.int32)
    out.mkdir(parents=True, exist_ok=True)
    n_addresses = len(df)
    strings = {
        name: _codes(df[name].fillna("").astype(str).to_numpy(object)) for name in ("suffix", "housenumber", "sector")
    }
    arrays = {
        "number": df["number"].to_numpy(np.int32),
        "lat": df["lat"].to_numpy(np.float64),
        "lon": df["lon"].to_numpy(np.float64),
        "x": df["x"].to_numpy(np.float64),
        "y": df["y"].to_numpy(np.float64),
        "section_code": section_code,
        **{f"{name}_code": codes for name, (codes, _table) in strings.items()},
    }
    for name, values in arrays.items():
        np.save(out / f"address_{name}.npy", values, allow_pickle=False)
    tables = {name: table for name, (_codes_, table) in strings.items()}
    (out / "address_strings.json").write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    streets.to_parquet(out / "streets.parquet", index=False)
    for name, column in STREET_GROUPS.items():
        order, cuts = _group_order(streets[column].to_numpy(object))
        np.save(out / f"street_group_{name}_order.npy", order, allow_pickle=False)
        np.save(out / f"street_group_{name}_cuts.npy", cuts, allow_pickle=False)
    # the exact pass's sorted (street row, number, letter) keys (tzcld.geocode.exact.ExactKeys)
    if len(tables["suffix"]) >= 1 << 12:
        raise ValueError("too many house-number letters for the exact keys")
    row_of = np.repeat(np.arange(len(streets), dtype=np.int64), (stops - starts).astype(np.int64))
    keys = address_keys(row_of, arrays["number"], arrays["suffix_code"])
    np.save(out / "address_keys.npy", keys, allow_pickle=False)
    if not bool((keys[1:] >= keys[:-1]).all()):
        np.save(out / "address_keys_order.npy", np.argsort(keys, kind="stable"), allow_pickle=False)
    centres = streets.groupby("postcode")[["cx", "cy"]].median()
    postcodes: dict[str, dict] = {"communes": {}, "centre": {}}
    for pc, muni in zip(streets["postcode"].tolist(), streets["muni_key"].tolist()):
        postcodes["communes"].setdefault(str(pc), []).append(muni)
    postcodes["communes"] = {k: sorted(set(v)) for k, v in postcodes["communes"].items()}
    postcodes["centre"] = {str(k): [float(v["cx"]), float(v["cy"])] for k, v in centres.iterrows()}
    (out / "postcodes.json").write_text(json.dumps(postcodes, ensure_ascii=False), encoding="utf-8")
    localities.to_parquet(out / "localities.parquet", index=False)
    meta = {
        "format": INDEX_FORMAT,
        "source": SOURCE_LABEL,
        "icar_file": ICAR_FILE,
        "icar_vintage": "2019-04-03",
        "best_extracts": best_extracts,
        "sector_snap_m": SECTOR_SNAP_M,
        "addresses": n_addresses,
        "addresses_with_sector": int((df["sector"].fillna("") != "").sum()),
        "streets": len(streets),
        "localities": len(localities),
        "localities_by_kind": {k: int(v) for k, v in sorted(localities["kind"].value_counts().items())},
        "addresses_with_section": int((section_code >= 0).sum()),
        "sections": known,
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    # meta.json last: a folder without it is not an index
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")


def _codes(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``values`` (strings) as ``int32`` codes into their sorted distinct values."""
    table, codes = np.unique(values.astype(str), return_inverse=True)
    return codes.astype(np.int32), [str(v) for v in table]


def _group_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``values`` grouped by value (``order``: stable sort) and where each
    group starts in ``order`` (``cuts``, one more than the groups: the last is the end)."""
    order = np.argsort(values, kind="stable")
    sorted_vals = values[order]
    cuts = np.flatnonzero(np.r_[True, sorted_vals[1:] != sorted_vals[:-1], True])
    return order.astype(np.int64), cuts.astype(np.int64)


def address_keys(row_of: np.ndarray, number: np.ndarray, suffix_code: np.ndarray) -> np.ndarray:
    """One sortable ``int64`` per (street row, house number, letter code): what the exact
    pass looks addresses up by (:class:`tzcld.geocode.exact.ExactKeys`). A number of -1 (none)
    is stored as 0; numbers up to 2^19 and letter codes up to 2^12."""
    return (
        (np.asarray(row_of, np.int64) << 32)
        | ((np.asarray(number, np.int64) + 1) << 12)
        | np.asarray(suffix_code, np.int64)
    )


# --------------------------------------------------------------------------- load


@dataclass(frozen=True)
class AddressIndex:
    """The loaded index: columnar numpy arrays plus look-up tables (see module doc)."""

    folder: Path
    meta: dict
    number: np.ndarray
    suffix: np.ndarray
    housenumber: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray
    y: np.ndarray
    sector: np.ndarray
    s_name: np.ndarray
    s_muni: np.ndarray
    s_muni_key: np.ndarray
    s_postcode: np.ndarray
    s_sid: np.ndarray
    s_start: np.ndarray
    s_stop: np.ndarray
    s_n: np.ndarray  # addresses per street row
    street_keys: list[str]
    street_cores: list[str]
    street_flat: list[str]
    street_bare: list[str]
    by_postcode: Mapping[str, np.ndarray]
    by_muni: Mapping[str, np.ndarray]
    by_key: Mapping[str, np.ndarray]
    by_core: Mapping[str, np.ndarray]
    #: Statbel section of each address, as an index into :attr:`sections` (-1: unknown).
    section_code: np.ndarray
    sections: tuple[str, ...]
    section_of: dict[str, int]
    s_cx: np.ndarray
    s_cy: np.ndarray
    gazetteer: Gazetteer
    #: Communes (normalised) of each postcode.
    postcode_munis: dict[str, frozenset[str]]
    #: Centre of each postcode's streets (EPSG:31370).
    postcode_centre: dict[str, tuple[float, float]]
    #: Distinct house-number letters, sorted (the letter codes of :attr:`address_keys`).
    suffixes: tuple[str, ...]
    #: :func:`address_keys` of every address, sorted; :attr:`address_keys_order`: the address
    #: of each (``None``: the addresses themselves are in key order, the usual case).
    address_keys: np.ndarray
    address_keys_order: np.ndarray | None

    def derived(self, name: str, make: Callable[[AddressIndex], _T]) -> _T:
        """``make(self)``, computed once per loaded index and kept beside it (the index is a
        frozen dataclass: the value is set on the instance, not a field)."""
        cache = self.__dict__.get(name)
        if cache is None:
            cache = make(self)
            object.__setattr__(self, name, cache)
        return cache

    @property
    def localities(self) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """``name → (communes, postcodes)`` of the gazetteer (compatibility view)."""
        return self.gazetteer.legacy()

    def street_addresses(self, rows: np.ndarray) -> np.ndarray:
        """Address indices of the street rows ``rows``."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        starts, lengths = self.s_start[rows], self.s_n[rows]
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64)
        return np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)

    @property
    def version(self) -> str:
        return f"ICAR {self.meta.get('icar_vintage', '?')} (BeST {self.meta.get('best_extracts', '?')})"


class Groups(Mapping[str, np.ndarray]):
    """Street rows by a value of theirs (postcode, commune, key, core), stored with the
    index: ``self[value]`` is the rows with that value, in row order (a read-only view)."""

    __slots__ = ("_at", "_cuts", "_order")

    def __init__(self, values: Sequence[str], order: np.ndarray, cuts: np.ndarray) -> None:
        self._order = order
        self._cuts = cuts.tolist()
        self._at = dict(zip(values, range(len(values))))

    @classmethod
    def of(cls, values: np.ndarray, order: np.ndarray, cuts: np.ndarray) -> Groups:
        """The groups of ``values`` (one per street row) from their stored ``order`` and ``cuts``."""
        return cls([str(v) for v in values[order[cuts[:-1]]].tolist()], order, cuts)

    def __getitem__(self, key: str) -> np.ndarray:
        g = self._at[key]
        return self._order[self._cuts[g] : self._cuts[g + 1]]

    def get(self, key: str, default: Any = None) -> Any:
        g = self._at.get(key)
        if g is None:
            return default
        return self._order[self._cuts[g] : self._cuts[g + 1]]

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


def ensure_index(folder: Path, raw: Path | None) -> None:
    """Build the index in ``folder`` from the raw register in ``raw`` when it is absent or
    of an older version (no gazetteer); raises :class:`IndexMissing` when it cannot
    (``raw`` ``None``: never build). Several processes starting together build it once
    (:func:`build_index` under the exclusive lock, ``only_if_needed``)."""
    folder = Path(folder)
    with index_lock(folder, exclusive=False):
        state = _index_state(folder)
    if state == "ok":
        return
    if state == "missing":
        if raw is None:
            raise IndexMissing("check.index.missing", folder=str(folder))
    elif raw is None or not (Path(raw) / ICAR_FILE).exists():
        raise IndexMissing("check.index.old", folder=str(folder))
    build_index(Path(raw), folder, only_if_needed=True)


def load_index(folder: Path | None = None, build_if_missing: bool = True, raw: Path | None = None) -> AddressIndex:
    """Load the index from ``folder`` (default :func:`index_dir`); when it is absent (or of an
    older version) and ``build_if_missing``, build it first from the raw register in ``raw``
    (default: the environment's :attr:`~tzcld.runtime.Settings.raw_dir`; :func:`ensure_index`).

    Reads only, under a shared :func:`index_lock` (a build waits for the readers, a reader
    for the build).
    """
    folder = Path(folder) if folder else index_dir()
    if build_if_missing and raw is None:
        from tzcld.runtime import Settings

        raw = Settings.from_env().raw_dir
    ensure_index(folder, raw if build_if_missing else None)
    with index_lock(folder, exclusive=False):
        if _index_state(folder) == "ok":
            return _read_index(folder)
    return load_index(folder, build_if_missing=build_if_missing, raw=raw)  # rebuilt meanwhile: once more


def _array(folder: Path, name: str) -> np.ndarray:
    """A stored array of the index, memory-mapped read-only (nothing copied: the pages are
    shared by every process that reads the index)."""
    return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False))


def _read_index(folder: Path) -> AddressIndex:
    from tzcld.gcpause import paused

    with paused():  # long-lived objects, no cycles: no collector passes over them while made
        return _read_index_files(folder)


def _read_index_files(folder: Path) -> AddressIndex:
    import pyarrow.parquet as pq

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    strings = json.loads((folder / "address_strings.json").read_text(encoding="utf-8"))
    postcodes = json.loads((folder / "postcodes.json").read_text(encoding="utf-8"))
    table = pq.read_table(folder / "streets.parquet")
    col = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    text = {name: np.asarray(col[name], dtype=object) for name in STREET_TEXT}
    loc = pd.read_parquet(folder / "localities.parquet")
    names = [str(v) for v in meta.get("sections", [])]
    keys = text["key"].tolist()
    s_start = np.asarray(col["start"], np.int64)
    s_stop = np.asarray(col["stop"], np.int64)

    def decoded(name: str) -> np.ndarray:
        return np.asarray(strings[name], dtype=object)[_array(folder, f"address_{name}_code")]

    def groups(name: str) -> Groups:
        values = text[STREET_GROUPS[name]]
        order = _array(folder, f"street_group_{name}_order")
        return Groups.of(values, order, _array(folder, f"street_group_{name}_cuts"))

    order_file = folder / "address_keys_order.npy"
    return AddressIndex(
        folder=folder,
        meta=meta,
        number=_array(folder, "address_number"),
        suffix=decoded("suffix"),
        housenumber=decoded("housenumber"),
        lat=_array(folder, "address_lat"),
        lon=_array(folder, "address_lon"),
        x=_array(folder, "address_x"),
        y=_array(folder, "address_y"),
        sector=decoded("sector"),
        s_name=text["name"],
        s_muni=text["municipality"],
        s_muni_key=text["muni_key"],
        s_postcode=text["postcode"],
        s_sid=text["street_id"],
        s_start=s_start,
        s_stop=s_stop,
        s_n=s_stop - s_start,
        street_keys=keys,
        street_cores=text["core"].tolist(),
        street_flat=[k.replace(" ", "") for k in keys],
        street_bare=text["bare"].tolist(),
        by_postcode=groups("postcode"),
        by_muni=groups("muni"),
        by_key=groups("key"),
        by_core=groups("core"),
        section_code=_array(folder, "address_section_code"),
        sections=tuple(names),
        section_of={n: i for i, n in enumerate(names)},
        s_cx=np.asarray(col["cx"], np.float64),
        s_cy=np.asarray(col["cy"], np.float64),
        gazetteer=Gazetteer(loc),
        postcode_munis={k: frozenset(v) for k, v in postcodes["communes"].items()},
        postcode_centre={k: (float(v[0]), float(v[1])) for k, v in postcodes["centre"].items()},
        suffixes=tuple(strings["suffix"]),
        address_keys=_array(folder, "address_keys"),
        address_keys_order=_array(folder, "address_keys_order") if order_file.exists() else None,
    )


@lru_cache(maxsize=2)
def cached_index(folder: str) -> AddressIndex:
    """:func:`load_index` once per process and folder (an index already built)."""
    return load_index(Path(folder), build_if_missing=False)


# --------------------------------------------------------------------------- matching rules
# Pure functions over the index: the batch geocoder and any faster first pass (an exact
# key join, say) apply the same rules through them.

#: Agreement of a street with the typed postcode / locality (see :func:`street_agreement`).
AGREES = 2  #: the street is in the typed postcode and locality
SAME_COMMUNE = 1  #: in the right commune, but another postcode or former commune
ELSEWHERE = 0  #: in another commune
#: A street that agrees with the typed postcode/locality is kept over a better-named one that
#: does not, unless its name scores this many points lower.
AGREEMENT_PREFERENCE = 10.0
#: A street found only in another commune, with a name score below this, is not taken as the
#: answer: the typed area is (commune / postcode only), the street is listed as a candidate.
ELSEWHERE_MIN_SCORE = 95.0
#: A missing house number "near" existing ones (the verdict then follows its neighbours):
#: at most this far from the nearest number of the street …
NEAR_NUMBER_GAP = 10
#: … or at most this far past the last number.
PAST_LAST_NUMBER = 4
#: A street found in the typed place with a name score below this is checked against the
#: streets of the exact name elsewhere (a look-alike nearby vs. the right name elsewhere).
EXACT_ELSEWHERE_BELOW = 97.0
#: A missing number: streets of the same name within this distance that have it are
#: listed with the answer (and the verdict must hold for them too).
TWIN_DISTANCE_M = 10_000.0
#: Most candidates an answer carries (the most homonyms of a street name: 175, "Rue de l'Église").
MAX_LISTED = 250
#: Most register points carried by one answer for the verdict (a sample beyond).
MAX_SPREAD_POINTS = 20_000


@dataclass(frozen=True)
class Evidence:
    """What a typed address says about *where* it is, besides the street name: a postcode
    and a locality (its gazetteer entries)."""

    postcode: str | None = None
    localities: tuple[Locality, ...] = ()
    locality_text: str = ""
    #: Words typed where a locality goes that name no locality we know (``"renedux"``).
    unknown: str = ""

    @property
    def given(self) -> bool:
        return self.postcode is not None or bool(self.localities)

    @property
    def label(self) -> str:
        """The typed place, for messages: ``"7012"``, ``"Jemappes"``, ``"4100 Boncelles"``."""
        name = self.localities[0].name if self.localities else ""
        return " ".join(p for p in (self.postcode or "", name) if p)


def has_street_letters(words: Sequence[str]) -> bool:
    """Whether words can name a street: at least one word of two letters or more that is
    not a box word (``"=1+1"``, ``"5"`` and ``"bte 3"`` cannot)."""
    for w in words:
        if w in BOX_WORDS:
            continue
        if w.isalpha():  # the usual word: all letters
            if len(w) >= 2:
                return True
        elif sum(c.isalpha() for c in w) >= 2:
            return True
    return False


def resolve_locality(gazetteer: Gazetteer, key: str) -> tuple[Locality, ...]:
    """The gazetteer entries a typed locality name stands for.

    A commune's own name means that commune (with its sections and places of the same
    name): "Mons" is the city, not a hamlet called Mons elsewhere. Otherwise every entry
    (Bomal is a former commune of Durbuy *and* a village of Ramillies).
    """
    entries = gazetteer.get(key)
    communes = {e.muni_key for e in entries if e.kind == "commune"}
    if communes:
        return tuple(e for e in entries if e.muni_key in communes)
    return entries


def street_agreement(index: AddressIndex, rows: np.ndarray, evidence: Evidence) -> tuple[int, int, int]:
    """``(postcode, locality, via)`` agreement of a street (its ``rows``) with ``evidence``:
    :data:`AGREES`, :data:`SAME_COMMUNE` or :data:`ELSEWHERE` each (:data:`AGREES` when
    that evidence is not given), and the kind rank of the gazetteer entry the locality
    agrees through (0 commune, 1 section, 2 place; 0 without a locality): "Pâturages" is the
    former commune of Colfontaine before it is a hamlet of Wanze.

    A locality that discriminates inside its commune (own postcodes or own addresses,
    see :meth:`Gazetteer.discriminates`) agrees only with streets inside it; one that does
    not (Flémalle-Grande: one postcode, no sector data) with every street of its commune.
    """
    pcs = index.s_postcode[rows].tolist()
    munis = index.s_muni_key[rows].tolist()
    pc_level = AGREES
    if evidence.postcode is not None:
        if evidence.postcode in pcs:
            pc_level = AGREES
        elif not index.postcode_munis.get(evidence.postcode, frozenset()).isdisjoint(munis):
            pc_level = SAME_COMMUNE
        else:
            pc_level = ELSEWHERE
    loc_level = AGREES
    via = 0
    if evidence.localities:
        loc_level = ELSEWHERE
        gaz = index.gazetteer
        for loc in evidence.localities:  # best-ranked first
            if loc.muni_key not in munis:
                continue
            via = loc.rank
            if not gaz.discriminates(loc):
                loc_level = AGREES
                break
            if loc.section:
                code = index.section_of.get(loc.section, -2)
                inside = bool((index.section_code[index.street_addresses(rows)] == code).any())
            else:
                inside = not loc.postcodes.isdisjoint(pcs)
            loc_level = max(loc_level, AGREES if inside else SAME_COMMUNE)
            if loc_level == AGREES:
                break
    return pc_level, loc_level, via


def pick_number(
    numbers: np.ndarray, suffixes: np.ndarray, house: HouseNumber
) -> tuple[int, MatchQuality, np.ndarray, bool]:
    """The address of a street to answer a typed house number with.

    Returns ``(k, quality, spread, near)``: the index ``k`` into the street's addresses, the
    match quality, the indices the answer stands for, and whether the typed number lies
    among the street's numbers (``False``: off the street as we know it). The exact number (and letter) →
    :attr:`MatchQuality.EXACT`, spread ``[k]``. Otherwise :attr:`MatchQuality.NEAREST_NUMBER`
    at the nearest number (same parity preferred); the spread is its neighbours when the
    typed number is near them (between two numbers of the street, at most
    :data:`NEAR_NUMBER_GAP` from the nearest, or at most :data:`PAST_LAST_NUMBER` past the
    last), else the whole street (the number is not on the street as we know it).
    """
    n = house.number
    same = np.flatnonzero(numbers == n)
    if len(same):
        exact = [k for k in same if suffixes[k] == house.suffix]
        if exact:
            return int(exact[0]), MatchQuality.EXACT, np.array([exact[0]]), True
        return int(same[0]), MatchQuality.NEAREST_NUMBER, same, True
    valid = np.flatnonzero(numbers >= 0)
    if len(valid) == 0:
        everything = np.arange(len(numbers))
        return int(len(numbers) // 2), MatchQuality.NEAREST_NUMBER, everything, False
    nums = numbers[valid]
    diff = np.abs(nums - n) + 2.5 * ((nums % 2) != (n % 2))  # odd and even: opposite sides
    k = int(valid[int(np.argmin(diff))])
    parity = valid[(nums % 2) == (n % 2)]
    pool = parity if len(parity) else valid
    below = pool[numbers[pool] < n]
    above = pool[numbers[pool] > n]
    gap = abs(int(numbers[k]) - n)
    near = False
    if len(below) and len(above):
        near = gap <= NEAR_NUMBER_GAP
    elif len(below):
        near = n - int(numbers[below].max()) <= PAST_LAST_NUMBER
    if not near:
        return k, MatchQuality.NEAREST_NUMBER, valid, False
    around = []
    if len(below):
        around.extend(below[numbers[below] == numbers[below].max()])
    if len(above):
        around.extend(above[numbers[above] == numbers[above].min()])
    return k, MatchQuality.NEAREST_NUMBER, np.unique(np.array(around + [k])), True


@dataclass(frozen=True)
class _StreetMatch:
    rows: np.ndarray  # street row indices (same street, possibly several postcodes)
    score: float
    level: int = AGREES  # min of the postcode and locality agreements
    pc_level: int = AGREES
    loc_level: int = AGREES
    distance: float = 0.0  # to the typed locality's point (m), when it has one
    via: int = 0  # kind rank of the gazetteer entry the locality agrees through


def choose_streets(matches: list[_StreetMatch]) -> tuple[list[_StreetMatch], str | None]:
    """The street(s) an answer stands for, and the evidence they contradict, if any.

    Streets that agree with the typed postcode and locality win over better-named ones that
    do not, unless :data:`AGREEMENT_PREFERENCE` points worse. Several streets within
    :data:`AMBIGUITY_MARGIN` of the best are all kept (homonyms: the answer lists them).
    With no agreeing street, the best others are kept and ``conflict`` names the evidence
    they contradict (``"postcode"`` or ``"locality"``).
    """
    if not matches:
        return [], None
    top = max(m.score for m in matches)
    agree = [m for m in matches if m.level == AGREES]
    if agree:
        via = min(m.via for m in agree)  # a former commune before a hamlet of the same name
        agree = [m for m in agree if m.via == via]
        best = max(m.score for m in agree)
        keep = sorted((m for m in agree if m.score >= best - AMBIGUITY_MARGIN), key=lambda m: (-m.score, m.distance))
        if best >= top - AMBIGUITY_MARGIN:
            return keep, None
        if best >= top - AGREEMENT_PREFERENCE:
            # a look-alike in the typed place ("Rue de la Faïencerie, 7000") and the exact
            # name in another part of the commune ("Avenue de la Faïencerie, 7012"): the
            # first is the answer, the others are listed (the verdict must hold for all)
            others = [m for m in matches if m.level == SAME_COMMUNE and m.score >= top - AMBIGUITY_MARGIN]
            return keep + sorted(others, key=lambda m: (-m.score, m.distance)), None
    keep = [m for m in matches if m.score >= top - AMBIGUITY_MARGIN]
    level = max(m.level for m in keep)  # the same commune beats elsewhere
    keep = sorted((m for m in keep if m.level == level), key=lambda m: (-m.score, m.distance))
    first = keep[0]
    conflict = "postcode" if first.pc_level < AGREES else "locality"
    return keep, conflict


# --------------------------------------------------------------------------- geocode


def _confident(matches: list[_StreetMatch], conflict: str | None, unknown: str, apart: bool) -> bool:
    """Whether a reading's matches end the search: a confident match agreeing with the typed
    place (an exact name, or a close one in a place the text sets apart)."""
    return conflict is None and not unknown and (matches[0].score >= 100 or (apart and matches[0].score >= 90))


def _ratio_bound(n: int, lengths: np.ndarray) -> np.ndarray:
    """The highest :func:`rapidfuzz.fuzz.ratio` a string of length ``n`` can reach against
    strings of ``lengths``: the ratio is ``100 · (1 − d / (n + m))`` with an InDel distance
    ``d ≥ |n − m|``, so at most ``200 · min(n, m) / (n + m)`` (100 for two empty strings)."""
    total = lengths + n
    return np.where(total > 0, 200.0 * np.minimum(lengths, n) / np.maximum(total, 1), 100.0)


@dataclass(frozen=True)
class StreetViews:
    """The street names as :meth:`RegisterGeocoder._fuzzy` compares them (key, core, key
    without spaces, key without articles), as arrays, with their lengths."""

    key: np.ndarray
    core: np.ndarray
    flat: np.ndarray
    bare: np.ndarray
    key_len: np.ndarray
    core_len: np.ndarray
    flat_len: np.ndarray
    bare_len: np.ndarray

    @staticmethod
    def of(index: AddressIndex) -> StreetViews:
        def arr(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
            return np.asarray(values, dtype=object), np.fromiter(map(len, values), np.int64, len(values))

        (key, kl), (core, cl) = arr(index.street_keys), arr(index.street_cores)
        (flat, fl), (bare, bl) = arr(index.street_flat), arr(index.street_bare)
        return StreetViews(key, core, flat, bare, kl, cl, fl, bl)

    def reachable(self, pool: np.ndarray, street: str, core: str, flat: str, bare: str, cutoff: float) -> np.ndarray:
        """Which streets of ``pool`` could score ``cutoff`` in :meth:`RegisterGeocoder._fuzzy`
        (its formula over :func:`_ratio_bound`; a little slack against rounding)."""
        core_b = _ratio_bound(len(core), self.core_len[pool])
        if core == street:
            best = core_b - 3.0
        else:
            best = 0.5 * _ratio_bound(len(street), self.key_len[pool]) + 0.5 * core_b
        best = np.maximum(best, _ratio_bound(len(flat), self.flat_len[pool]) - 2.0)
        best = np.maximum(best, _ratio_bound(len(bare), self.bare_len[pool]) - 1.0)
        return best >= cutoff - 1e-6


def street_views(index: AddressIndex) -> StreetViews:
    """:class:`StreetViews` of ``index``, made once per loaded index (≈ 10 ms)."""
    return index.derived("_street_views", StreetViews.of)


class RegisterGeocoder:
    """Offline geocoder over the ICAR register index. Nothing leaves the process.

    A faster exact first pass for batches may answer a text itself, with the same result as
    :meth:`geocode`, only when: :func:`~tzcld.geocode.normalize.parse_address` gives a house
    number; the words before it are a street key (:attr:`AddressIndex.by_key`); the typed
    postcode and the words after the number (a gazetteer key, or none) give an
    :class:`Evidence` that the street agrees with (:func:`street_agreement`: both levels
    :data:`AGREES`; one street of that key in the pool, no other agreeing reading);
    and :func:`pick_number` is :attr:`MatchQuality.EXACT`. Everything else goes through
    :meth:`geocode`.
    """

    name = "registre ICAR (hors ligne)"

    def __init__(self, index: AddressIndex) -> None:
        self.index = index
        self.source = index.version
        self._street_cache: dict[tuple, tuple] = {}
        self._caching = False
        #: street rows of a (postcode, communes) pair: register data only, kept across calls
        self._pools: dict[tuple, tuple[np.ndarray, frozenset[int]]] = {}
        self._evidence: dict[tuple, Evidence] = {}

    # -- public API
    def geocode(self, text: str) -> GeocodeResult:
        """Geocode one typed address (see :class:`MatchQuality` for what comes back)."""
        query = "" if text is None else str(text)
        if not query.strip() or not any(c.isalnum() for c in query):
            return self._not_found(query, "empty")
        parsed = parse_address(query)
        found = self._find_street(parsed.before, parsed.after, parsed.postcode, parsed.house, parsed.segments)
        matches, conflict, evidence, street_words = found
        house = parsed.house
        if not matches and house is not None and parsed.before and street_words:
            # "Rue du 8 Mai": the number belonged to the street name
            words = parsed.before + (str(house.number) + house.suffix,) + parsed.after
            retry = self._find_street(words, (), parsed.postcode, None)
            if retry[0]:
                matches, conflict, evidence, street_words = retry
                house = None
        if not street_words:
            # no street name: a postcode / locality alone is an area; with a house number
            # ("5 7000 Mons", "=1+1") it is not an address at all
            if house is None and evidence.given:
                return self._area_only(query, evidence)
            return self._not_found(query, "no_street")
        if not matches:
            return self._area_only(query, evidence) if evidence.given else self._not_found(query, "not_found")
        if conflict is not None and matches[0].level == ELSEWHERE and matches[0].score < ELSEWHERE_MIN_SCORE:
            return self._area_only(query, evidence, candidates=matches, conflict=conflict, house=house)
        return self._address_on(query, matches, house, conflict, evidence)

    def geocode_many(self, texts: Sequence[str]) -> list[GeocodeResult]:
        """Geocode a batch in order; repeated streets are matched once.

        The street cache lives only for the duration of the batch (nothing typed is kept
        after the call returns).
        """
        self._caching = True
        try:
            return [self.geocode(t) for t in texts]
        finally:
            self._caching = False
            self._street_cache.clear()

    # -- reading the words
    def evidence(self, postcode: str | None, locality_key: str | None) -> Evidence:
        """The :class:`Evidence` of a postcode and a gazetteer key (either may be ``None``)."""
        key = (postcode, locality_key)
        hit = self._evidence.get(key)
        if hit is None:
            if postcode is not None and postcode not in self.index.by_postcode:
                postcode = None  # a Walloon-looking number that is no postcode of the register
            entries = resolve_locality(self.index.gazetteer, locality_key) if locality_key else ()
            hit = Evidence(postcode, entries, entries[0].name if entries else "")
            if postcode == key[0]:  # a postcode of the register and a gazetteer name: public data only
                if len(self._evidence) > 50_000:
                    self._evidence.clear()
                self._evidence[key] = hit
        return hit

    def _interpretations(
        self, before: tuple[str, ...], after: tuple[str, ...], segments: tuple[str, ...] = ()
    ) -> list[tuple[str, str | None, str, bool, bool]]:
        """``(street text, locality key, unrecognised locality, whole, apart)`` readings of
        the words, most likely first.

        ``whole``: the locality is all the words after the house number, a comma-separated
        part, or the end or start of the words (it may stand for the typed area when no
        street is found). ``apart``: the typed text itself sets it apart from the street (a
        comma, or the house number in between): a street found there ends the search.

        In order: a known locality that is a whole comma-separated part ("4990 Lierneux,
        Erria 84"); the words after the house number as a known locality, or a misspelt one
        (fuzzy, :meth:`Gazetteer.fuzzy`); a known locality at the end or at the start of
        the words; the words after the house number as a locality we do not know (kept, for
        the message); all the words as a street.
        """
        gaz = self.index.gazetteer
        words = before + after
        n = len(words)
        tail_after = " ".join(after)
        out: list[tuple[str, str | None, str, bool, bool]] = []
        if len(segments) > 1:
            for seg in reversed(segments):
                if any(w[0].isdigit() and not WALLOON_POSTCODE.match(w) for w in seg.split()):
                    continue  # the part with the house number is the street's
                sw = tuple(w for w in seg.split() if not w[0].isdigit())
                key = " ".join(sw)
                if not sw or len(sw) >= n or key not in gaz:
                    continue
                if words[-len(sw) :] == sw:
                    out.append((" ".join(words[: -len(sw)]), key, "", True, True))
                elif words[: len(sw)] == sw:
                    out.append((" ".join(words[len(sw) :]), key, "", True, True))
        full = bool(before and after and tail_after in gaz)
        if full:
            out.append((" ".join(before), tail_after, "", True, True))
        elif before and after:
            fuzzy = gaz.fuzzy(tail_after)  # "Flemal-Grande", "Marce-en-Famenne"
            if fuzzy:
                out.append((" ".join(before), fuzzy, "", True, True))
                full = True
        for k in range(min(4, n), 0, -1):
            tail = " ".join(words[-k:])
            if tail in gaz:
                out.append((" ".join(words[:-k]), tail, "", not after or tail == tail_after, tail == tail_after))
            head = " ".join(words[:k])
            if head in gaz and k < n:
                out.append((" ".join(words[k:]), head, "", not after, False))
        if before and after and not full and has_street_letters(after):
            out.append((" ".join(before), None, tail_after, False, False))
        out.append((" ".join(words), None, "", False, False))
        seen: set = set()
        unique = []
        for o in out:
            if o[:3] not in seen:
                seen.add(o[:3])
                unique.append(o)
        return unique

    def _find_street(
        self,
        before: tuple[str, ...],
        after: tuple[str, ...],
        postcode: str | None,
        house: HouseNumber | None,
        segments: tuple[str, ...] = (),
    ) -> tuple[list[_StreetMatch], str | None, Evidence, bool]:
        """``(matches, conflict, evidence, street_words)``: the chosen streets (see
        :func:`choose_streets`), the evidence they were matched with (or, when none is
        found, the typed area), and whether any words could name a street at all."""
        cache_key = (before, after, postcode, segments, house is None)
        hit = self._street_cache.get(cache_key) if self._caching else None
        if hit is not None:
            return hit
        best: tuple | None = None
        best_rank: tuple = ()
        best_apart = False
        area: Evidence | None = None  # the typed place, when no street is found
        street_words = False
        readings = self._interpretations(before, after, segments)
        for at, (street, loc, unknown, whole, apart) in enumerate(readings):
            if best is not None and best_apart and loc is None and best[1] is None:
                break  # a street was found in the place typed apart: never drop the place to find another
            if best is None and self._settled_ahead(street, apart):
                # this reading can only give a worse answer than a later one that settles the
                # text: take that one (same answer, without this reading's fuzzy search)
                ahead = self._confident_ahead(readings[at + 1 :], postcode, house)
                if ahead is not None:
                    best = ahead
                    break
            offer, found = self._reading(street, loc, unknown, whole, postcode, house)
            if offer is not None and area is None:
                area = offer
            if found is None:
                continue
            street_words = True
            matches, conflict, evidence = found
            if not matches:
                continue
            # a reading that contradicts the typed place, or ignores an unknown one, counts
            # as a worse name (a poor look-alike must not beat the exact street elsewhere)
            rank = (matches[0].score - (AGREEMENT_PREFERENCE if conflict else 0.0) - (5.0 if unknown else 0.0),)
            if best is None or rank > best_rank:
                best, best_rank, best_apart = (matches, conflict, evidence, True), rank, apart
            if _confident(matches, conflict, unknown, apart):
                break  # a confident match agreeing with the typed place: no need to look further
        if best is None:
            best = ([], None, area or self.evidence(postcode, None), street_words)
        if self._caching:
            if len(self._street_cache) > 50_000:
                self._street_cache.clear()
            self._street_cache[cache_key] = best
        return best

    def _reading(
        self, street: str, loc: str | None, unknown: str, whole: bool, postcode: str | None, house: HouseNumber | None
    ) -> tuple[Evidence | None, tuple[list[_StreetMatch], str | None, Evidence] | None]:
        """One reading of :meth:`_find_street`: ``(area, found)``, the typed area it offers
        (kept when none is yet) and, when its words can name a street here,
        ``(matches, conflict, evidence)`` (``None``: they cannot)."""
        evidence = self.evidence(postcode, loc)
        # the typed area, should no street be found: a locality that is all the words
        # after the number, or the postcode alone ("Pont de Marcourt 6 Renedux" is
        # not a place called Pont)
        area_here = evidence if (whole or loc is None) else self.evidence(postcode, None)
        if not has_street_letters(street.split()):
            # a place and nothing else ("Seraing", "7012 Jemappes")
            return (area_here if area_here.given else None), None
        if loc is None and street in self.index.gazetteer and not self._is_street_here(street, postcode):
            place = self.evidence(postcode, street)
            if house is None or not self._is_street_core(street):
                return place, None  # a place name alone is no street ("5 7000 Mons")
            if postcode is None:
                evidence = place  # "Sainte-Marguerite 100": the street of that name, there
        matches, conflict = choose_streets(self._search(street, evidence))
        if matches and unknown:
            evidence = Evidence(evidence.postcode, (), "", unknown)
        return (area_here if area_here.given else None), (matches, conflict, evidence)

    def _settled_ahead(self, street: str, apart: bool) -> bool:
        """Whether a reading can neither end the search of :meth:`_find_street` nor beat a
        later reading that settles it: not set apart by the text, and its street words are
        no street key of the register (every match it can find is a fuzzy one, scoring
        under 100, or the exact name elsewhere, a conflict: ranked under 100)."""
        return not apart and self.index.by_key.get(street) is None

    def _confident_ahead(
        self, readings: Sequence[tuple[str, str | None, str, bool, bool]], postcode: str | None, house
    ) -> tuple | None:
        """The answer of the first of ``readings`` that is not :meth:`_settled_ahead`, when it
        settles the search (:func:`_confident` with a score of 100: ranked above every
        reading skipped before it), else ``None`` (the readings are then tried in order)."""
        for street, loc, unknown, whole, apart in readings:
            if self._settled_ahead(street, apart):
                continue
            _offer, found = self._reading(street, loc, unknown, whole, postcode, house)
            if found is None:
                return None
            matches, conflict, evidence = found
            if matches and matches[0].score >= 100 and _confident(matches, conflict, unknown, apart):
                return (matches, conflict, evidence, True)
            return None
        return None

    def _is_street_here(self, words: str, postcode: str | None) -> bool:
        """Whether words that name a place are also the exact name of a street of the typed
        postcode ("Bois des Chevreuils 75, 4130", "La Corniche 53, 4102") — never a
        commune's own name typed alone."""
        if postcode is None:
            return False
        rows = self.index.by_key.get(words)
        return rows is not None and bool((self.index.s_postcode[rows] == postcode).any())

    def _is_street_core(self, words: str) -> bool:
        """Whether a place name typed alone is also the core of a street of that place
        ("Sainte-Marguerite 100": rue Sainte-Marguerite in Liège) — never a commune's own
        name ("Seraing", "Mons"), which stands for the commune."""
        entries = resolve_locality(self.index.gazetteer, words)
        if any(e.kind == "commune" for e in entries):
            return False
        idx = self.index
        for m in {e.muni_key for e in entries}:
            if any(idx.street_cores[r] == words for r in idx.by_muni.get(m, ())):
                return True
        return False

    # -- street matching
    def _pool(self, evidence: Evidence) -> np.ndarray | None:
        """Street rows that can agree with the evidence (``None``: the whole register)."""
        if evidence.postcode is None and not evidence.localities:
            return None
        munis = tuple(sorted({e.muni_key for e in evidence.localities}))
        key = (evidence.postcode, munis)
        hit = self._pools.get(key)
        if hit is not None:
            return hit[0]
        idx = self.index
        empty = np.empty(0, dtype=np.int64)
        sel: np.ndarray | None = None
        if evidence.postcode is not None:
            sel = idx.by_postcode.get(evidence.postcode, empty)
        if munis:
            m = np.concatenate([idx.by_muni.get(k, empty) for k in munis])
            if sel is None:
                sel = m
            else:
                # np.intersect1d, else np.union1d (postcode and locality disagree), by masks
                # over the street rows (both sides hold distinct rows)
                mask = np.zeros(len(idx.s_start), bool)
                mask[sel] = True
                both = np.sort(m[mask[m]])
                if len(both):
                    sel = both
                else:
                    mask[m] = True
                    sel = np.flatnonzero(mask)
        if sel is None:  # neither a postcode nor a locality: no pool
            return None
        if len(self._pools) > 20_000:
            self._pools.clear()
        # keyed by postcode and commune names only: public register data, nothing typed
        self._pools[key] = (sel, frozenset(sel.tolist()))
        return sel

    def _pool_set(self, evidence: Evidence) -> frozenset[int] | None:
        pool = self._pool(evidence)
        if pool is None:
            return None
        return self._pools[(evidence.postcode, tuple(sorted({e.muni_key for e in evidence.localities})))][1]

    def _search(self, street: str, evidence: Evidence) -> list[_StreetMatch]:
        """Streets named like ``street``, with their agreement with ``evidence``: first
        among the streets that can agree, then (nothing found there) in the whole register."""
        pool = self._pool(evidence)
        raw = self._match_street(street, pool, self._pool_set(evidence))
        if pool is not None and (not raw or raw[0][1] < EXACT_ELSEWHERE_BELOW):
            # nothing, or only a look-alike, in the typed place: the exact name elsewhere?
            seen = {int(r) for rows, _ in raw for r in rows}
            raw = raw + [m for m in self._match_elsewhere(street) if not seen & set(m[0].tolist())]
        if not raw:
            return []
        idx = self.index
        points = [(e.x, e.y) for e in evidence.localities if e.has_point]
        if not points and evidence.postcode in idx.postcode_centre:
            points = [idx.postcode_centre[evidence.postcode]]
        out = []
        for rows, score in raw:
            pc_level, loc_level, via = street_agreement(idx, rows, evidence) if evidence.given else (AGREES, AGREES, 0)
            distance = 0.0
            if points:
                r = int(rows[0])
                distance = min(float(np.hypot(idx.s_cx[r] - x, idx.s_cy[r] - y)) for x, y in points)
            out.append(_StreetMatch(rows, score, min(pc_level, loc_level), pc_level, loc_level, distance, via))
        return out

    def _match_elsewhere(self, street: str) -> list[tuple[np.ndarray, float]]:
        """Streets of the exact name anywhere: where to look when the typed
        postcode / locality has no street of that name (an index look-up, not a fuzzy
        search of the whole register: a misspelt street in the wrong place is not guessed)."""
        idx = self.index
        rows = idx.by_key.get(street)
        score = 100.0
        if rows is None:
            return []
        groups: dict[str, list[int]] = {}
        for r in rows:
            groups.setdefault(idx.s_sid[r], []).append(int(r))
        n_addr = idx.s_n
        out = [(np.array(v), score) for v in groups.values()]
        out.sort(key=lambda m: (-int(n_addr[m[0]].sum()), int(m[0][0])))
        return out

    def _match_street(
        self, street: str, cand: np.ndarray | None, cand_set: frozenset[int] | None = None
    ) -> list[tuple[np.ndarray, float]]:
        """``(rows, score)`` of the streets (grouped by official street id) named like ``street``,
        among ``cand`` (street rows; ``None``: all; ``cand_set``: the same as a set)."""
        idx = self.index
        if not street:
            return []
        exact = idx.by_key.get(street)
        if exact is not None and cand is not None:
            members = cand_set if cand_set is not None else frozenset(cand.tolist())
            exact = np.array([r for r in exact if int(r) in members], dtype=np.int64)
        if exact is not None and len(exact):
            rows_scores = [(int(r), 100.0) for r in exact]
        else:
            scores = self._fuzzy(street, cand)
            rows_scores = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if not rows_scores:
            return []
        top = rows_scores[0][1]
        keep = [(r, s) for r, s in rows_scores if s >= top - AGREEMENT_PREFERENCE]
        sid = idx.s_sid
        groups: dict[str, list[int]] = {}
        gscore: dict[str, float] = {}
        for r, s in keep:
            groups.setdefault(sid[r], []).append(r)
            gscore[sid[r]] = max(gscore.get(sid[r], 0.0), s)
        n_addr = idx.s_n
        out = [(np.array(rows), gscore[g]) for g, rows in groups.items()]
        out.sort(key=lambda m: (-m[1], -int(n_addr[m[0]].sum()), int(m[0][0])))
        return out

    def _fuzzy(self, street: str, cand: np.ndarray | None) -> dict[int, float]:
        """Fuzzy scores (0–100) of the streets in ``cand`` (all when ``None``) for ``street``.

        Three views of a name are compared, the best wins: the full name and its core
        (without "rue", "de"...) averaged — "place de la gare" is not "avenue de la gare",
        "rue de droixe" is "rue de droixhe"; the name without spaces ("ruede l'ange");
        and the core alone when no street type was typed ("droixhe"). A postcode or locality
        narrows the candidates, which allows a slightly lower cut-off.
        """
        idx = self.index
        core_q = street_core(street)
        flat_q = street.replace(" ", "")
        restricted = cand is not None
        cutoff = STREET_SCORE_CUTOFF - (4.0 if restricted else 0.0) + (6.0 if len(flat_q) < 10 else 0.0)
        views = street_views(idx)
        bare_q = street_bare(street)
        if restricted:
            pool = np.asarray(cand, dtype=np.int64)
            # only the streets whose lengths allow a score above the cut-off are scored (the
            # others cannot pass it: a bound, not a guess; the scores are the same)
            pool = pool[views.reachable(pool, street, core_q, flat_q, bare_q, cutoff)]
        else:
            # whole register: pre-select on the three views, then score the union
            pre: set[int] = set()
            whole = ((street, idx.street_keys), (flat_q, idx.street_flat), (core_q, idx.street_cores))
            for q, choices in whole:
                pre.update(
                    i for _, _, i in process.extract(q, choices, scorer=fuzz.ratio, limit=25, score_cutoff=cutoff - 20)
                )
            pool = np.fromiter(sorted(pre), dtype=np.int64)
        if len(pool) == 0:
            return {}
        full = process.cdist([street], views.key[pool].tolist(), scorer=fuzz.ratio)[0]
        core = process.cdist([core_q], views.core[pool].tolist(), scorer=fuzz.ratio)[0]
        flat = process.cdist([flat_q], views.flat[pool].tolist(), scorer=fuzz.ratio)[0]
        noart = process.cdist([bare_q], views.bare[pool].tolist(), scorer=fuzz.ratio)[0]
        if core_q == street:  # no street type typed: the cores decide, small penalty
            score = core - 3.0
        else:
            score = 0.5 * full + 0.5 * core
        score = np.maximum(score, flat - 2.0)
        score = np.maximum(score, noart - 1.0)  # "rue Xhavée" for "Rue de la Xhavée"
        keep = np.flatnonzero(score >= cutoff)
        return {int(pool[k]): float(score[k]) for k in keep}

    # -- results
    def _not_found(self, query: str, reason: str) -> GeocodeResult:
        return GeocodeResult(query=query, quality=MatchQuality.NOT_FOUND, source=self.source, reason=reason)

    def _label(self, row: int, addr: int | None) -> str:
        idx = self.index
        name, pc, muni = idx.s_name[row], idx.s_postcode[row], idx.s_muni[row]
        if addr is None:
            return f"{name}, {pc} {muni}"
        return f"{name} {idx.housenumber[addr]}, {pc} {muni}"

    def _street_point(self, addr: np.ndarray) -> int:
        """Where a street alone is placed: the position in ``addr`` (its addresses) of the
        address nearest their mean (what a street typed without a number is answered at)."""
        idx = self.index
        pts = np.column_stack([idx.x[addr], idx.y[addr]])
        return int(np.argmin(((pts - pts.mean(axis=0)) ** 2).sum(axis=1)))

    def _candidates(
        self,
        matches: Sequence[_StreetMatch],
        house: HouseNumber | None,
        twins: np.ndarray | None = None,
        addrs: Sequence[np.ndarray] | None = None,
    ) -> tuple[Candidate, ...]:
        """Every place an answer may stand for, as candidates (at most :data:`MAX_LISTED`).

        Each street of ``matches`` is the typed address itself when the street has that
        number (and letter): labelled and placed as that address (the one :func:`pick_number`
        would answer with); else the street, labelled without a number and placed as the
        street alone is answered (:meth:`_street_point`), never said "exact". ``twins``:
        addresses with the typed number on same-named streets nearby. ``addrs``: each
        match's addresses, when already listed.

        The order is deterministic: the typed address where it exists first (the streets that
        have it, then the ``twins``), then the streets without it; within each, the order of
        ``matches`` (:func:`choose_streets` and :meth:`_match_street`: name score, then
        nearness to the typed place, then the street with more addresses, then register
        order). The checker picks the few it shows (``tzcld.check.Checker._shown_candidates``).
        """
        idx = self.index
        matches = matches[:MAX_LISTED]
        if not matches:
            return ()
        listed = list(addrs[: len(matches)]) if addrs is not None else [idx.street_addresses(c.rows) for c in matches]
        lengths = np.fromiter(map(len, listed), np.int64, len(listed))
        every = np.concatenate(listed)
        starts = np.cumsum(lengths) - lengths
        segment = np.repeat(np.arange(len(listed)), lengths)
        # each street's own point: the address nearest the mean of its addresses (_street_point)
        x, y = idx.x[every], idx.y[every]
        mx = np.add.reduceat(x, starts) / lengths
        my = np.add.reduceat(y, starts) / lengths
        d2 = (x - mx[segment]) ** 2 + (y - my[segment]) ** 2
        order = np.lexsort((np.arange(len(every)), d2, segment))
        point = every[order[starts]]
        exact = np.full(len(listed), -1, np.int64)
        if house is not None:
            hit = np.flatnonzero((idx.number[every] == house.number) & (idx.suffix[every] == house.suffix))
            first = np.unique(segment[hit], return_index=True)
            exact[first[0]] = every[hit[first[1]]]
        chosen = np.where(exact >= 0, exact, point)
        out = self._placed(chosen, exact >= 0, [round(c.score, 1) for c in matches], listed)
        if twins is not None and len(twins):
            near = np.asarray(twins[:5], np.int64)
            out += self._placed(near, np.ones(len(near), bool), [100.0] * len(near), None)
        return tuple(sorted(out, key=lambda c: c.quality is not MatchQuality.EXACT))

    def _placed(
        self, addr: np.ndarray, is_exact: np.ndarray, scores: list[float], streets: list[np.ndarray] | None
    ) -> list[Candidate]:
        """Candidates at the register addresses ``addr``: an exact one (``is_exact``) labelled
        with its number and standing for itself, else its street's (``streets[k]``: the
        addresses the street candidate stands for)."""
        idx = self.index
        rows = (np.searchsorted(idx.s_start, addr, side="right") - 1).tolist()
        names, pcs, munis = idx.s_name[rows].tolist(), idx.s_postcode[rows].tolist(), idx.s_muni[rows].tolist()
        lat, lon, x, y = (v[addr].tolist() for v in (idx.lat, idx.lon, idx.x, idx.y))
        out = []
        for k, a in enumerate(addr.tolist()):
            if is_exact[k]:
                label = f"{names[k]} {idx.housenumber[a]}, {pcs[k]} {munis[k]}"
                quality, sector, stands = MatchQuality.EXACT, str(idx.sector[a]) or None, np.array([a], np.int64)
            else:
                label = f"{names[k]}, {pcs[k]} {munis[k]}"
                quality, sector = MatchQuality.STREET_ONLY, None
                stands = streets[k] if streets is not None else np.array([a], np.int64)
            out.append(Candidate(label, scores[k], lat[k], lon[k], quality, x[k], y[k], sector, stands))
        return out

    def _sample(self, addr: np.ndarray) -> np.ndarray:
        idx = self.index
        step = max(1, len(addr) // MAX_SPREAD_POINTS)
        addr = addr[::step]
        return np.column_stack([idx.x[addr], idx.y[addr]])

    def area_addresses(self, evidence: Evidence) -> np.ndarray:
        """Register addresses of the typed postcode and/or locality (empty when neither)."""
        idx = self.index
        rows = self._pool(evidence)
        if rows is None or len(rows) == 0:
            return np.empty(0, dtype=np.int64)
        addr = idx.street_addresses(rows)
        if evidence.localities:
            gaz = idx.gazetteer
            keep = np.zeros(len(addr), bool)
            row_of = np.repeat(rows, idx.s_n[rows])
            muni = idx.s_muni_key[row_of]
            pcs = idx.s_postcode[row_of]
            for loc in evidence.localities:
                own = muni == loc.muni_key
                if gaz.discriminates(loc):
                    if loc.section:
                        own &= idx.section_code[addr] == idx.section_of.get(loc.section, -2)
                    elif loc.postcodes:
                        own &= np.isin(pcs, list(loc.postcodes))
                keep |= own
            if evidence.postcode is not None:
                keep &= pcs == evidence.postcode
            if keep.any():
                addr = addr[keep]
        return addr

    def _address_on(
        self,
        query: str,
        matches: list[_StreetMatch],
        house: HouseNumber | None,
        conflict: str | None,
        evidence: Evidence,
    ) -> GeocodeResult:
        idx = self.index
        if house is not None and len(matches) > 1:
            # several streets: those that have the typed number first (order kept otherwise)
            listed = [idx.street_addresses(c.rows) for c in matches]
            has = [bool((idx.number[a] == house.number).any()) for a in listed]
            order = [k for k, h in enumerate(has) if h] + [k for k, h in enumerate(has) if not h]
            matches = [matches[k] for k in order]
            addrs: list[np.ndarray] | None = [listed[k] for k in order]
        else:
            addrs = None
        m = matches[0]
        addr_rows = idx.street_addresses(m.rows)
        row_of = np.repeat(m.rows, idx.s_n[m.rows])
        ambiguous = len(matches) > 1
        candidates = self._candidates(matches, house, addrs=addrs) if ambiguous or conflict else ()
        alternatives = alternatives_idx = None
        if ambiguous or conflict:
            # every place the answer may stand for: the streets kept, and the typed area
            parts = list(addrs) if addrs is not None else [idx.street_addresses(c.rows) for c in matches]
            if conflict:
                parts.append(self.area_addresses(evidence))
            alternatives_idx = np.concatenate(parts)
            alternatives = self._sample(alternatives_idx)
        common: dict[str, Any] = dict(
            query=query,
            candidates=candidates,
            ambiguous=ambiguous,
            source=self.source,
            alternatives_xy=alternatives,
            alternatives_idx=alternatives_idx,
            n_matches=len(matches),
            conflict=conflict,
            typed_place=evidence.label or None,
            unknown_place=evidence.unknown or None,
        )
        if house is None:
            pts = np.column_stack([idx.x[addr_rows], idx.y[addr_rows]])
            k = self._street_point(addr_rows)
            a = int(addr_rows[k])
            return GeocodeResult(
                quality=MatchQuality.STREET_ONLY,
                score=round(m.score, 1),
                matched_address=self._label(int(row_of[k]), None),
                lat=float(idx.lat[a]),
                lon=float(idx.lon[a]),
                x=float(idx.x[a]),
                y=float(idx.y[a]),
                postcode=str(idx.s_postcode[int(row_of[k])]),
                municipality=str(idx.s_muni[int(row_of[k])]),
                spread_xy=pts,
                spread_idx=addr_rows,
                **common,
            )
        k, quality, around, near = pick_number(idx.number[addr_rows], idx.suffix[addr_rows], house)
        a = int(addr_rows[k])
        r = int(row_of[k])
        if quality is not MatchQuality.EXACT:
            # the number is not on this street: the same street nearby (the next commune)
            # with that very number is as likely the address meant. (Not for an exact
            # address: a postcode that exists with that street and number is taken at its
            # word — listing look-alikes there made 5 % of right answers "à vérifier".)
            twins = self._twins_with_number(m.rows, house)
            if len(twins):
                base = alternatives_idx if alternatives_idx is not None else addr_rows[around]
                alternatives_idx = np.concatenate([base, twins])
                alternatives = self._sample(alternatives_idx)
                common.update(
                    alternatives_xy=alternatives,
                    alternatives_idx=alternatives_idx,
                    ambiguous=True,
                    candidates=self._candidates(matches, house, twins, addrs),
                    n_matches=len(matches) + len(twins),
                )
        nearest = str(idx.housenumber[a]) if quality is MatchQuality.NEAREST_NUMBER else None
        spread = None
        if quality is MatchQuality.NEAREST_NUMBER:
            spread = np.column_stack([idx.x[addr_rows[around]], idx.y[addr_rows[around]]])
        score = m.score if quality is MatchQuality.EXACT else m.score * 0.95
        return GeocodeResult(
            quality=quality,
            score=round(score, 1),
            matched_address=self._label(r, a),
            lat=float(idx.lat[a]),
            lon=float(idx.lon[a]),
            x=float(idx.x[a]),
            y=float(idx.y[a]),
            postcode=str(idx.s_postcode[r]),
            municipality=str(idx.s_muni[r]),
            sector=str(idx.sector[a]) or None,
            nearest_number=nearest,
            spread_xy=spread,
            spread_idx=addr_rows[around] if spread is not None else None,
            number_on_street=near,
            **common,
        )

    def _twins_with_number(self, rows: np.ndarray, house: HouseNumber) -> np.ndarray:
        """Addresses with ``house``'s number on streets of the same name as ``rows``, within
        :data:`TWIN_DISTANCE_M` (a postcode of the next commune typed by mistake)."""
        idx = self.index
        r0 = int(rows[0])
        same = idx.by_key.get(idx.street_keys[r0], np.empty(0, dtype=np.int64))
        same = np.setdiff1d(same, rows)
        if len(same) == 0:
            return np.empty(0, dtype=np.int64)
        near = same[np.hypot(idx.s_cx[same] - idx.s_cx[r0], idx.s_cy[same] - idx.s_cy[r0]) <= TWIN_DISTANCE_M]
        if len(near) == 0:
            return np.empty(0, dtype=np.int64)
        addr = idx.street_addresses(near)
        hit = addr[(idx.number[addr] == house.number) & (idx.suffix[addr] == house.suffix)]
        return hit

    def _area_only(
        self,
        query: str,
        evidence: Evidence,
        candidates: list[_StreetMatch] | None = None,
        conflict: str | None = None,
        house: HouseNumber | None = None,
    ) -> GeocodeResult:
        """A postcode / locality alone: the area, never a point (the verdict reads all its
        addresses)."""
        idx = self.index
        addr = self.area_addresses(evidence)
        if len(addr) == 0:
            return self._not_found(query, "not_found")
        rows = np.searchsorted(idx.s_start, addr, side="right") - 1
        munis = sorted(set(idx.s_muni[rows]))
        codes, counts = np.unique(idx.s_postcode[rows].astype(str), return_counts=True)
        pcs = sorted(str(c) for c, n in zip(codes, counts) if n >= 0.05 * len(rows)) or sorted(map(str, codes))
        place = evidence.localities[0].name if evidence.localities else ""
        shown = ", ".join(pcs[:3]) + ("…" if len(pcs) > 3 else "")
        if place and normalize_locality(place) in {normalize_locality(m) for m in munis}:
            label = f"{place} ({shown})"
        elif place:
            label = f"{place} ({shown} {' / '.join(munis[:3])})"
        else:
            label = f"{shown} {' / '.join(munis[:3])}"
        cands = self._candidates(candidates or [], house)
        return GeocodeResult(
            query=query,
            quality=MatchQuality.COMMUNE_ONLY,
            score=None,
            matched_address=label,
            postcode=evidence.postcode or (pcs[0] if len(pcs) == 1 else None),
            municipality=munis[0] if len(munis) == 1 else None,
            source=self.source,
            spread_xy=self._sample(addr),
            spread_idx=addr,
            candidates=cands,
            n_matches=len(candidates or []),
            conflict=conflict,
            typed_place=evidence.label or None,
        )


#: Geocoders loaded in this process, by index folder (the last two: ≈ 0.2 GB each, plus the
#: memory-mapped arrays, shared between processes).
_GEOCODERS: dict[str, RegisterGeocoder] = {}
_GEOCODERS_LOCK = threading.Lock()


def forget_geocoders() -> None:
    """Drop the geocoders loaded in this process (tests; the next use loads the index again)."""
    with _GEOCODERS_LOCK:
        _GEOCODERS.clear()


def default_geocoder(folder: Path | str, raw: Path | str | None = None) -> RegisterGeocoder:
    """The offline geocoder over the index in ``folder``, loaded once per process and
    folder (built first from the raw register in ``raw`` when missing: :func:`ensure_index`)."""
    key = str(folder)
    with _GEOCODERS_LOCK:
        hit = _GEOCODERS.get(key)
        if hit is not None:
            return hit
        if raw is not None:
            ensure_index(Path(folder), Path(raw))
        geocoder = RegisterGeocoder(load_index(Path(folder), build_if_missing=False))
        while len(_GEOCODERS) >= 2:
            _GEOCODERS.pop(next(iter(_GEOCODERS)))
        _GEOCODERS[key] = geocoder
        return geocoder
