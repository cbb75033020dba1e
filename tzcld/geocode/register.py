"""The offline address index, built from the ICAR register, and the geocoder over it.

Built once (``python -m tzcld address-index build``, or on first use) from
``raw_dir()/icar_addresses_wallonia_2019.parquet`` (SPW – ICAR, extract of 3 Apr 2019,
1.37 M addresses, WGS84) into ``data_dir()/address_index/`` (git-ignored):

- ``addresses.parquet``: one row per address, sorted by street: house number (int + letter
  suffix), WGS84 ``lat``/``lon``, Lambert 72 ``x``/``y`` (EPSG:31370, metres), and the
  Statbel ``sector`` when a sector-tagged BeST address point lies within
  :data:`SECTOR_SNAP_M` metres (``best_address_points_sectors.parquet``), else empty;
- ``streets.parquet``: one row per (ICAR street, postcode): normalised key, official name,
  commune, first/last row in ``addresses``;
- ``localities.parquet``: commune and section names (Statbel sector table) → commune,
  with the postcodes a section's addresses use (to prefer them);
- ``meta.json``: sources, vintages, counts, format version.

No typed address is ever stored or logged: the index holds the public register only.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from tzcld.config import LAMBERT72, WGS84, data_dir, raw_dir
from tzcld.geocode.base import Candidate, GeocodeResult, MatchQuality
from tzcld.geocode.normalize import HouseNumber, normalize_locality, normalize_name, parse_address

log = logging.getLogger(__name__)

ICAR_FILE = "icar_addresses_wallonia_2019.parquet"
BEST_FILE = "best_address_points_sectors.parquet"
SECTOR_TABLE_FILE = "statbel_sectors_table_2022_wallonia.csv"
SECTOR_POLYGONS_FILE = "statbel_sectors_2023_liege_charleroi_mons.gpkg"
INDEX_FORMAT = 1
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


class IndexMissing(FileNotFoundError):
    """The address index is not built and its raw inputs are not available."""


def index_dir() -> Path:
    """Default index folder: ``data_dir()/address_index``."""
    return data_dir() / "address_index"


def street_core(key: str) -> str:
    """A street key without its generic words (``"rue de droixhe"`` → ``"droixhe"``)."""
    core = " ".join(w for w in key.split() if w not in GENERIC_WORDS)
    return core or key


# --------------------------------------------------------------------------- build


def _to_lambert(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    tr = Transformer.from_crs(WGS84, LAMBERT72, always_xy=True)
    x, y = tr.transform(lon, lat)
    return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")


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


def build_index(raw: Path | None = None, out: Path | None = None) -> Path:
    """Build the address index from the raw register files; returns its folder.

    Takes ~30 s and ~2 GB of memory for the 1.37 M Walloon addresses.
    """
    raw = Path(raw) if raw else raw_dir()
    out = Path(out) if out else index_dir()
    icar_path = raw / ICAR_FILE
    if not icar_path.exists():
        raise IndexMissing(
            f"Registre d'adresses introuvable : {icar_path}. Indiquez le dossier des données brutes "
            "(TZCLD_RAW_DIR ou --raw)."
        )
    t0 = time.perf_counter()
    df = pd.read_parquet(
        icar_path, columns=["postcode", "municipality", "street", "housenumber", "lat", "lon", "icar_street_id"]
    )
    df = df.dropna(subset=["lat", "lon", "street", "municipality"]).reset_index(drop=True)
    x, y = _to_lambert(df["lon"].to_numpy(float), df["lat"].to_numpy(float))
    df["x"], df["y"] = x, y
    sectors, best_extracts = _sector_from_best(x, y, raw / BEST_FILE)
    df["sector"] = pd.array(sectors, dtype="str")
    section = np.where(sectors != "", pd.Series(sectors).str[:6].to_numpy(object), "")
    poly_section = _sections_from_polygons(x, y, raw / SECTOR_POLYGONS_FILE)
    section = np.where(section == "", poly_section, section)
    section_postcodes = pd.DataFrame({"section": section, "postcode": df["postcode"].to_numpy(object)})

    # house numbers: numeric part and letter suffix
    hn = df["housenumber"].astype(str).str.lower().str.replace(" ", "", regex=False)
    parts = hn.str.extract(r"^(\d{1,5})([a-z]{0,2})", expand=True)
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
    streets["muni_key"] = [normalize_locality(m) for m in streets["municipality"]]

    # localities: communes, then sections of the Statbel table (→ commune, preferred postcodes)
    rows: list[dict] = []
    for muni, pcs in df.groupby("municipality")["postcode"].unique().items():
        rows.append(
            {
                "key": normalize_locality(muni),
                "muni_key": normalize_locality(muni),
                "postcodes": sorted(pcs),
                "kind": "commune",
            }
        )
    table_path = raw / SECTOR_TABLE_FILE
    if table_path.exists():
        table = pd.read_csv(
            table_path, dtype=str, usecols=["cd_sub_munty", "tx_sub_munty_fr", "tx_munty_descr_fr"]
        ).drop_duplicates()
        pc_by_section = section_postcodes[section_postcodes["section"] != ""]
        counts = pc_by_section.groupby(["section", "postcode"]).size()
        share = counts / counts.groupby(level=0).transform("sum")
        keep = share[share >= 0.1].reset_index()
        pcs_of = keep.groupby("section")["postcode"].apply(lambda s: sorted(s)).to_dict()
        for rec in table.itertuples(index=False):
            rows.append(
                {
                    "key": normalize_locality(rec.tx_sub_munty_fr),
                    "muni_key": normalize_locality(rec.tx_munty_descr_fr),
                    "postcodes": pcs_of.get(rec.cd_sub_munty, []),
                    "kind": "section",
                }
            )
    localities = pd.DataFrame(rows).drop_duplicates(subset=["key", "muni_key"])

    out.mkdir(parents=True, exist_ok=True)
    addresses = pd.DataFrame(
        {
            "number": df["number"].to_numpy("int32"),
            "suffix": df["suffix"].astype("str"),
            "housenumber": df["housenumber"].astype("str"),
            "lat": df["lat"].to_numpy(float),
            "lon": df["lon"].to_numpy(float),
            "x": df["x"].to_numpy(float),
            "y": df["y"].to_numpy(float),
            "sector": df["sector"].astype("str"),
        }
    )
    addresses.to_parquet(out / "addresses.parquet", index=False)
    streets.to_parquet(out / "streets.parquet", index=False)
    localities.to_parquet(out / "localities.parquet", index=False)
    meta = {
        "format": INDEX_FORMAT,
        "source": SOURCE_LABEL,
        "icar_file": ICAR_FILE,
        "icar_vintage": "2019-04-03",
        "best_extracts": best_extracts,
        "sector_snap_m": SECTOR_SNAP_M,
        "addresses": len(addresses),
        "addresses_with_sector": int((addresses["sector"] != "").sum()),
        "streets": len(streets),
        "localities": len(localities),
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return out


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
    streets: pd.DataFrame
    s_name: np.ndarray
    s_muni: np.ndarray
    s_muni_key: np.ndarray
    s_postcode: np.ndarray
    s_sid: np.ndarray
    s_start: np.ndarray
    s_stop: np.ndarray
    street_keys: list[str]
    street_cores: list[str]
    street_flat: list[str]
    by_postcode: dict[str, np.ndarray]
    by_muni: dict[str, np.ndarray]
    by_key: dict[str, np.ndarray]
    localities: dict[str, tuple[frozenset[str], frozenset[str]]]

    @property
    def version(self) -> str:
        return f"ICAR {self.meta.get('icar_vintage', '?')} (BeST {self.meta.get('best_extracts', '?')})"


def _groups(values: np.ndarray) -> dict[str, np.ndarray]:
    order = np.argsort(values, kind="stable")
    sorted_vals = values[order]
    cuts = np.flatnonzero(np.r_[True, sorted_vals[1:] != sorted_vals[:-1], True])
    return {str(sorted_vals[a]): order[a:b] for a, b in zip(cuts[:-1], cuts[1:])}


def load_index(folder: Path | None = None, build_if_missing: bool = True) -> AddressIndex:
    """Load the index from ``folder`` (default :func:`index_dir`), building it first if absent."""
    folder = Path(folder) if folder else index_dir()
    if not (folder / "meta.json").exists():
        if not build_if_missing:
            raise IndexMissing(
                f"Index des adresses absent : {folder}. Construisez-le avec « python -m tzcld address-index build »."
            )
        build_index(out=folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    a = pd.read_parquet(folder / "addresses.parquet", dtype_backend="numpy_nullable")
    streets = pd.read_parquet(folder / "streets.parquet")
    loc = pd.read_parquet(folder / "localities.parquet")
    localities: dict[str, tuple[set[str], set[str]]] = {}
    for key, muni, pcs in zip(loc["key"], loc["muni_key"], loc["postcodes"]):
        munis, postcodes = localities.setdefault(key, (set(), set()))
        munis.add(muni)
        postcodes.update(pcs)
    keys = streets["key"].to_numpy(object)
    return AddressIndex(
        folder=folder,
        meta=meta,
        number=a["number"].to_numpy(),
        suffix=np.asarray(a["suffix"].fillna("").to_numpy(object)),
        housenumber=np.asarray(a["housenumber"].fillna("").to_numpy(object)),
        lat=a["lat"].to_numpy(),
        lon=a["lon"].to_numpy(),
        x=a["x"].to_numpy(),
        y=a["y"].to_numpy(),
        sector=np.asarray(a["sector"].fillna("").to_numpy(object)),
        streets=streets,
        s_name=streets["name"].to_numpy(object),
        s_muni=streets["municipality"].to_numpy(object),
        s_muni_key=streets["muni_key"].to_numpy(object),
        s_postcode=streets["postcode"].to_numpy(object),
        s_sid=streets["street_id"].to_numpy(object),
        s_start=streets["start"].to_numpy(np.int64),
        s_stop=streets["stop"].to_numpy(np.int64),
        street_keys=list(keys),
        street_cores=list(streets["core"]),
        street_flat=[k.replace(" ", "") for k in keys],
        by_postcode=_groups(streets["postcode"].to_numpy(object)),
        by_muni=_groups(streets["muni_key"].to_numpy(object)),
        by_key=_groups(keys),
        localities={k: (frozenset(m), frozenset(p)) for k, (m, p) in localities.items()},
    )


@lru_cache(maxsize=2)
def cached_index(folder: str | None = None) -> AddressIndex:
    """:func:`load_index` once per process and folder (the CLI and tests use this)."""
    return load_index(Path(folder) if folder else None)


# --------------------------------------------------------------------------- geocode


@dataclass(frozen=True)
class _StreetMatch:
    rows: np.ndarray  # street row indices (same street, possibly several postcodes)
    score: float


class RegisterGeocoder:
    """Offline geocoder over the ICAR register index. Nothing leaves the process."""

    name = "registre ICAR (hors ligne)"

    def __init__(self, index: AddressIndex) -> None:
        self.index = index
        self.source = index.version
        self._street_cache: dict[tuple, tuple[list[_StreetMatch], frozenset[str] | None]] = {}
        self._caching = False

    # -- public API
    def geocode(self, text: str) -> GeocodeResult:
        """Geocode one typed address (see :class:`MatchQuality` for what comes back)."""
        query = "" if text is None else str(text)
        if not query.strip() or not any(c.isalnum() for c in query):
            return GeocodeResult(query=query, quality=MatchQuality.NOT_FOUND, source=self.source)
        parsed = parse_address(query)
        matches, locality_munis = self._find_street(parsed.before, parsed.after, parsed.postcode, parsed.house)
        house = parsed.house
        if not matches and house is not None and parsed.before:
            # "Rue du 8 Mai": the number belonged to the street name
            words = parsed.before + (str(house.number) + house.suffix,) + parsed.after
            matches, locality_munis = self._find_street(words, (), parsed.postcode, None)
            if matches:
                house = None
        if not matches:
            return self._area_only(query, parsed.postcode, locality_munis)
        return self._address_on(query, matches, house)

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

    # -- street matching
    def _candidates(self, postcode: str | None, munis: frozenset[str] | None) -> np.ndarray | None:
        idx = self.index
        sel: np.ndarray | None = None
        if postcode is not None:
            sel = idx.by_postcode.get(postcode, np.empty(0, dtype=np.int64))
        if munis:
            m = np.concatenate([idx.by_muni.get(k, np.empty(0, dtype=np.int64)) for k in munis])
            sel = m if sel is None else np.intersect1d(sel, m)
        return sel

    def _interpretations(self, before: tuple[str, ...], after: tuple[str, ...]) -> list[tuple[str, str | None]]:
        """(street text, locality key) readings of the words, most specific first."""
        locs = self.index.localities
        words = before + after
        out: list[tuple[str, str | None]] = []
        if before and after and " ".join(after) in locs:
            out.append((" ".join(before), " ".join(after)))
        for k in range(min(4, len(words) - 1), 0, -1):
            tail = " ".join(words[-k:])
            if tail in locs:
                out.append((" ".join(words[:-k]), tail))
            head = " ".join(words[:k])
            if head in locs:
                out.append((" ".join(words[k:]), head))
        out.append((" ".join(words), None))
        seen: set = set()
        return [o for o in out if not (o in seen or seen.add(o)) and o[0]]

    def _find_street(
        self, before: tuple[str, ...], after: tuple[str, ...], postcode: str | None, house: HouseNumber | None
    ) -> tuple[list[_StreetMatch], frozenset[str] | None]:
        cache_key = (before, after, postcode)
        hit = self._street_cache.get(cache_key) if self._caching else None
        if hit is not None:
            return hit
        best: list[_StreetMatch] = []
        best_munis: frozenset[str] | None = None
        best_score = -1.0
        for street, loc in self._interpretations(before, after):
            munis = self.index.localities[loc][0] if loc else None
            cand = self._candidates(postcode, munis)
            if cand is not None and len(cand) == 0 and munis and postcode:
                cand = self._candidates(None, munis)  # postcode and locality disagree: trust the name
                postcode = None
            matches = self._match_street(street, cand, loc, postcode, munis)
            score = matches[0].score if matches else 0.0
            if loc and best_munis is None:
                best_munis = munis
            if score > best_score + 0.5:
                best, best_score = matches, score
                if loc:
                    best_munis = munis
            if score >= 100 or (loc and score >= 90):
                break  # a confident match within the named locality: no need to search everywhere
        if self._caching:
            if len(self._street_cache) > 50_000:
                self._street_cache.clear()
            self._street_cache[cache_key] = (best, best_munis)
        return best, best_munis

    def _match_street(
        self, street: str, cand: np.ndarray | None, loc: str | None, postcode: str | None, munis: frozenset[str] | None
    ) -> list[_StreetMatch]:
        idx = self.index
        if not street:
            return []
        exact = idx.by_key.get(street)
        if exact is not None:
            if postcode is not None:
                exact = exact[idx.s_postcode[exact] == postcode]
            if munis:
                exact = exact[np.isin(idx.s_muni_key[exact], list(munis))]
        if exact is not None and len(exact):
            rows_scores = [(int(r), 100.0) for r in exact]
        else:
            scores = self._fuzzy(street, cand)
            rows_scores = sorted(scores.items(), key=lambda kv: -kv[1])
        if not rows_scores:
            return []
        top = rows_scores[0][1]
        keep = [(r, s) for r, s in rows_scores if s >= top - AMBIGUITY_MARGIN]
        # group rows of the same official street (same id, several postcodes)
        sid = idx.s_sid
        groups: dict[str, list[int]] = {}
        gscore: dict[str, float] = {}
        for r, s in keep:
            groups.setdefault(sid[r], []).append(r)
            gscore[sid[r]] = max(gscore.get(sid[r], 0.0), s)
        prefer: frozenset[str] = idx.localities[loc][1] if loc else frozenset()
        pcs = idx.s_postcode
        n_addr = idx.s_stop - idx.s_start
        out = [_StreetMatch(np.array(rows), gscore[g]) for g, rows in groups.items()]
        if prefer:
            preferred = [m for m in out if any(pcs[r] in prefer for r in m.rows)]
            out = preferred or out
        out.sort(key=lambda m: (-m.score, -int(n_addr[m.rows].sum())))
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
        if restricted:
            pool = np.asarray(cand, dtype=np.int64)
        else:
            # whole register: pre-select on the three views, then score the union
            pre: set[int] = set()
            for q, choices in ((street, idx.street_keys), (flat_q, idx.street_flat), (core_q, idx.street_cores)):
                pre.update(
                    i for _, _, i in process.extract(q, choices, scorer=fuzz.ratio, limit=25, score_cutoff=cutoff - 20)
                )
            pool = np.fromiter(pre, dtype=np.int64)
        if len(pool) == 0:
            return {}
        keys = [idx.street_keys[i] for i in pool]
        cores = [idx.street_cores[i] for i in pool]
        flats = [idx.street_flat[i] for i in pool]
        full = process.cdist([street], keys, scorer=fuzz.ratio)[0]
        core = process.cdist([core_q], cores, scorer=fuzz.ratio)[0]
        flat = process.cdist([flat_q], flats, scorer=fuzz.ratio)[0]
        if core_q == street:  # no street type typed: the cores decide, small penalty
            score = core - 3.0
        else:
            score = 0.5 * full + 0.5 * core
        score = np.maximum(score, flat - 2.0)
        keep = np.flatnonzero(score >= cutoff)
        return {int(pool[k]): float(score[k]) for k in keep}

    # -- results
    def _label(self, row: int, addr: int | None) -> str:
        idx = self.index
        name, pc, muni = idx.s_name[row], idx.s_postcode[row], idx.s_muni[row]
        if addr is None:
            return f"{name}, {pc} {muni}"
        return f"{name} {idx.housenumber[addr]}, {pc} {muni}"

    def _candidate(self, m: _StreetMatch) -> Candidate:
        idx = self.index
        row = int(m.rows[0])
        a, b = int(idx.s_start[row]), int(idx.s_stop[row])
        mid = a + (b - a) // 2
        return Candidate(
            label=self._label(row, None), score=round(m.score, 1), lat=float(idx.lat[mid]), lon=float(idx.lon[mid])
        )

    def _address_on(self, query: str, matches: list[_StreetMatch], house: HouseNumber | None) -> GeocodeResult:
        idx = self.index
        m = matches[0]
        spans = [(int(idx.s_start[r]), int(idx.s_stop[r]), int(r)) for r in m.rows]
        addr_rows = np.concatenate([np.arange(a, b) for a, b, _ in spans])
        row_of = np.concatenate([np.full(b - a, r) for a, b, r in spans])
        candidates = tuple(self._candidate(c) for c in matches[:6]) if len(matches) > 1 else ()
        ambiguous = len(matches) > 1
        alternatives = None
        if ambiguous:
            mids = np.array([(int(idx.s_start[c.rows[0]]) + int(idx.s_stop[c.rows[0]])) // 2 for c in matches])
            alternatives = np.column_stack([idx.x[mids], idx.y[mids]])
        common = dict(
            query=query,
            candidates=candidates,
            ambiguous=ambiguous,
            source=self.source,
            alternatives_xy=alternatives,
            n_matches=len(matches),
        )
        if house is None:
            pts = np.column_stack([idx.x[addr_rows], idx.y[addr_rows]])
            centre = pts.mean(axis=0)
            k = int(np.argmin(((pts - centre) ** 2).sum(axis=1)))
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
                **common,
            )
        numbers = idx.number[addr_rows]
        suffixes = idx.suffix[addr_rows]
        same = np.flatnonzero(numbers == house.number)
        quality = MatchQuality.EXACT
        nearest: str | None = None
        if len(same):
            exact = [k for k in same if suffixes[k] == house.suffix]
            k = exact[0] if exact else same[0]
            if not exact:
                quality = MatchQuality.NEAREST_NUMBER
        else:
            valid = np.flatnonzero(numbers >= 0)
            if len(valid) == 0:
                valid = np.arange(len(addr_rows))
            diff = np.abs(numbers[valid] - house.number) + 0.5 * ((numbers[valid] % 2) != (house.number % 2))
            k = int(valid[int(np.argmin(diff))])
            quality = MatchQuality.NEAREST_NUMBER
        a = int(addr_rows[k])
        r = int(row_of[k])
        if quality is MatchQuality.NEAREST_NUMBER:
            nearest = str(idx.housenumber[a])
        score = m.score if quality is MatchQuality.EXACT else m.score * 0.95
        sector = str(idx.sector[a]) or None
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
            sector=sector,
            nearest_number=nearest,
            **common,
        )

    def _area_only(self, query: str, postcode: str | None, munis: frozenset[str] | None) -> GeocodeResult:
        idx = self.index
        cand = self._candidates(postcode, munis)
        if cand is None or len(cand) == 0:
            cand = self._candidates(postcode, None) if postcode else None
        if cand is None or len(cand) == 0:
            return GeocodeResult(query=query, quality=MatchQuality.NOT_FOUND, source=self.source)
        addr_rows = np.concatenate([np.arange(a, b) for a, b in zip(idx.s_start[cand], idx.s_stop[cand])])
        pts = np.column_stack([idx.x[addr_rows], idx.y[addr_rows]])
        centre = np.median(pts, axis=0)
        k = int(np.argmin(((pts - centre) ** 2).sum(axis=1)))
        a = int(addr_rows[k])
        munis_found = sorted(set(idx.s_muni[cand]))
        pcs = sorted(set(idx.s_postcode[cand]))
        label = f"{', '.join(pcs[:3])} {' / '.join(munis_found[:3])}".strip()
        step = max(1, len(pts) // 4000)
        return GeocodeResult(
            query=query,
            quality=MatchQuality.COMMUNE_ONLY,
            score=0.0,
            matched_address=label,
            lat=float(idx.lat[a]),
            lon=float(idx.lon[a]),
            x=float(idx.x[a]),
            y=float(idx.y[a]),
            postcode=postcode,
            municipality=munis_found[0] if len(munis_found) == 1 else None,
            source=self.source,
            spread_xy=pts[::step],
        )


def default_geocoder(folder: Path | str | None = None) -> RegisterGeocoder:
    """The offline geocoder over the default (or given) index folder, loaded once per process."""
    if folder is None and os.environ.get("TZCLD_ADDRESS_INDEX"):
        folder = os.environ["TZCLD_ADDRESS_INDEX"]
    return _geocoder(str(folder) if folder else str(index_dir()))


@lru_cache(maxsize=2)
def _geocoder(folder: str) -> RegisterGeocoder:
    return RegisterGeocoder(load_index(Path(folder)))
