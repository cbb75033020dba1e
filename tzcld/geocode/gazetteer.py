"""The gazetteer: the localities people write in addresses → commune, postcodes, area.

The official register (ICAR) names only the current commune of an address (262 in
Wallonia), but people write the former commune, the village or the quarter:
"Pâturages", "Vivegnis", "Flémalle-Grande", "Jemappes". The gazetteer maps every such name
to where it is, from the data we have, and is built with the address index
(:func:`build_gazetteer`, called by ``python -m tzcld address-index build``):

- **communes** (kind ``commune``): the ICAR communes, with every postcode their addresses
  use, and their French, Dutch and German names from Statbel's sector table ("Luik");
- **sections** (kind ``section``): Statbel's statistical sections — the former communes —
  with the names the sector table gives them (``"PATURAGES* + PARTIES DE EUGIES"`` →
  Pâturages; the "partie de …" names are other communes' pieces and are left out). Where
  the sector of each address is known (BeST points snapped to ICAR addresses, sector
  polygons of Liège, Charleroi and Mons), the section knows its own addresses (its
  ``section`` code), hence its postcodes (those used by ≥ 10 % of them) and its centre;
- **places** (kind ``place``): OpenStreetMap places (city, town, village, suburb, hamlet,
  neighbourhood, quarter) inside Wallonia, placed in the commune of the nearest ICAR
  addresses, with the postcodes those addresses use (≥ 25 %): this is how "Vivegnis" gets
  postcode 4683 in a part of the province where we have no sector data.

A locality *discriminates* inside its commune when it has its own postcodes (a subset of
the commune's) or its own addresses (a known section): then a street of the commune found
outside it contradicts the typed locality. Otherwise (e.g. Flémalle-Grande: all of
Flémalle is 4400, no sector data) it only helps to rank homonymous streets by distance.

Pure data: no typed address is ever stored here.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tzcld.geocode.normalize import normalize_locality

#: Kinds of locality, in the order a name is trusted when several entries share it.
KINDS: tuple[str, ...] = ("commune", "section", "place")
#: OpenStreetMap place types kept in the gazetteer.
PLACE_TYPES: tuple[str, ...] = ("city", "town", "village", "suburb", "hamlet", "neighbourhood", "quarter")
#: A section's postcodes are those used by at least this share of its addresses.
SECTION_POSTCODE_SHARE = 0.10
#: A place takes its commune and postcodes from its nearest ICAR addresses: this many …
PLACE_NEIGHBOURS = 30
#: … within this distance (metres); a place farther from every address is left out.
PLACE_MAX_DISTANCE_M = 1500.0
#: A place's postcodes are those of at least this share of its nearest addresses.
PLACE_POSTCODE_SHARE = 0.25
#: A section is "known" (has its own addresses) from this many sector-tagged addresses.
SECTION_MIN_ADDRESSES = 10

_PARENS = re.compile(r"\([^)]*\)")
_PART = re.compile(r"^(PARTIES?|PART\.?|PARIE)\b")
_NOT_A_NAME = re.compile(r"MODIF")


@dataclass(frozen=True)
class Locality:
    """One gazetteer entry: a name (``key`` normalised) in one commune."""

    key: str
    name: str
    kind: str
    muni_key: str
    municipality: str
    postcodes: frozenset[str]
    #: Statbel section code when the section's own addresses are known, else ``""``.
    section: str = ""
    #: Centre (EPSG:31370 metres): the OSM point, or the median of the section's addresses.
    x: float = math.nan
    y: float = math.nan

    @property
    def rank(self) -> int:
        return KINDS.index(self.kind)

    @property
    def has_point(self) -> bool:
        return math.isfinite(self.x) and math.isfinite(self.y)


def section_names(label: str) -> list[str]:
    """The own names of a Statbel section, from its French label.

    ``"PATURAGES* + PARTIES DE EUGIES"`` → ``["PATURAGES"]``;
    ``"FLEMALLE-HAUTE & FLEMALLE- GRANDE & PARTIE AWIRS"`` → ``["FLEMALLE-HAUTE", "FLEMALLE- GRANDE"]``;
    ``"LIEGE(MEUSE NORD) + PARTIE DE HERSTAL"`` → ``["LIEGE"]``; ``"PARTIE DE OUGREE"`` and
    ``"MODIFICATION DE LIMITE COMMUNALE"`` → ``[]`` (pieces of other localities).
    """
    text = str(label or "").upper()
    if not text.strip() or _NOT_A_NAME.search(text):
        return []
    text = _PARENS.sub(" ", text).replace("*", " ")
    names: list[str] = []
    for part in re.split(r"[&+]", text):
        part = part.strip(" ,.-")
        if not part or _PART.match(part):
            continue
        names.append(part)
    return names


def _share(values: Iterable[object], minimum: float) -> list[str]:
    """The values used by at least ``minimum`` of ``values``, sorted."""
    counts = Counter(str(v) for v in values)
    total = sum(counts.values())
    return sorted(v for v, n in counts.items() if n >= minimum * total) if total else []


def build_gazetteer(
    addresses: pd.DataFrame,
    sector_table: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The gazetteer table (one row per locality name and commune).

    ``addresses``: every ICAR address with ``municipality``, ``postcode``, ``x``, ``y``
    (EPSG:31370) and ``section`` (Statbel section code, ``""`` when unknown).
    ``sector_table``: Statbel's sector table (``cd_sub_munty``, ``tx_sub_munty_fr``,
    ``tx_munty_descr_fr``, ``tx_munty_descr_nl``). ``places``: OSM places with ``name``,
    ``type``, ``x``, ``y`` (EPSG:31370), already restricted to Wallonia.

    Columns: ``key``, ``name``, ``kind``, ``muni_key``, ``municipality``, ``postcodes``
    (sorted list), ``section``, ``x``, ``y``. Deterministic (sorted).
    """
    rows: list[dict] = []
    munis = addresses["municipality"].astype(str)
    cat = pd.Categorical(munis)
    keys = np.array([normalize_locality(m) for m in cat.categories], dtype=object)
    muni_key = pd.Series(keys[cat.codes], index=addresses.index)
    display = dict(zip(keys, (str(m) for m in cat.categories)))
    pcs_of_muni = addresses.groupby(muni_key)["postcode"].unique().to_dict()
    for key in sorted(pcs_of_muni):
        rows.append(_row(key, display[key], "commune", key, display[key], sorted(pcs_of_muni[key])))

    if sector_table is not None and len(sector_table):
        table = sector_table.drop_duplicates("cd_sub_munty")
        # commune names of the table (French, and Dutch/German) → the ICAR commune
        to_icar: dict[str, str] = {}
        for fr, nl in zip(table["tx_munty_descr_fr"], table.get("tx_munty_descr_nl", table["tx_munty_descr_fr"])):
            kfr, knl = normalize_locality(str(fr)), normalize_locality(str(nl))
            target = kfr if kfr in display else (knl if knl in display else None)
            if target is None:
                continue
            to_icar[kfr] = target
            for alias, name in ((kfr, fr), (knl, nl)):
                # "Saint-Vith" for ICAR's "Sankt Vith", "Luik" for Liège: aliases of the commune
                if alias and alias != target and alias not in display:
                    rows.append(_row(alias, str(name), "commune", target, display[target], sorted(pcs_of_muni[target])))
        known = addresses[addresses["section"] != ""]
        section_pcs = {k: v.tolist() for k, v in known.groupby("section")["postcode"]}
        counts = known["section"].value_counts()
        centres = known.groupby("section")[["x", "y"]].median()
        for code, label, muni_fr in zip(table["cd_sub_munty"], table["tx_sub_munty_fr"], table["tx_munty_descr_fr"]):
            target = to_icar.get(normalize_locality(str(muni_fr)))
            if target is None:
                continue
            has_own = int(counts.get(code, 0)) >= SECTION_MIN_ADDRESSES
            pcs = _share(section_pcs[code], SECTION_POSTCODE_SHARE) if has_own else []
            x, y = (float(centres.at[code, "x"]), float(centres.at[code, "y"])) if has_own else (math.nan, math.nan)
            for name in section_names(str(label)):
                key = normalize_locality(name)
                if key:
                    rows.append(
                        _row(key, _title(name), "section", target, display[target], pcs, code if has_own else "", x, y)
                    )

    if places is not None and len(places):
        rows.extend(_place_rows(addresses, muni_key, display, places))

    out = pd.DataFrame(rows)
    out["_rank"] = out["kind"].map(KINDS.index)
    out = out.sort_values(["key", "muni_key", "_rank", "section", "name"], kind="stable")
    out = out.drop_duplicates(["key", "muni_key", "kind", "section"], keep="first")
    # a section's entry without own addresses takes the postcodes and point of a place
    # of the same name in the same commune ("Vivegnis": section 62079D + OSM place)
    place_info = {
        (k, m): (p, x, y)
        for k, m, kind, p, x, y in zip(out["key"], out["muni_key"], out["kind"], out["postcodes"], out["x"], out["y"])
        if kind == "place"
    }
    place_name = {
        (k, m): n for k, m, kind, n in zip(out["key"], out["muni_key"], out["kind"], out["name"]) if kind == "place"
    }
    for i in out.index[out["kind"] == "section"]:
        key = (out.at[i, "key"], out.at[i, "muni_key"])
        if key in place_name:  # OpenStreetMap spells it with its accents
            out.at[i, "name"] = place_name[key]
        info = place_info.get(key)
        if info and out.at[i, "section"] == "":
            out.at[i, "postcodes"], out.at[i, "x"], out.at[i, "y"] = info[0], info[1], info[2]
    return out.drop(columns="_rank").reset_index(drop=True)


def _title(name: str) -> str:
    """``"FLEMALLE- GRANDE"`` → ``"Flemalle-Grande"`` (the table has no accents)."""
    name = re.sub(r"\s*-\s*", "-", name.strip())
    return "-".join(" ".join(w.capitalize() for w in part.split()) for part in name.split("-"))


def _row(key, name, kind, muni_key, municipality, postcodes, section="", x=math.nan, y=math.nan) -> dict:
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "muni_key": muni_key,
        "municipality": municipality,
        "postcodes": [str(p) for p in postcodes],
        "section": section,
        "x": float(x),
        "y": float(y),
    }


def _place_rows(addresses: pd.DataFrame, muni_key: pd.Series, display: dict, places: pd.DataFrame) -> list[dict]:
    import shapely

    places = places[places["type"].isin(PLACE_TYPES) & places["name"].notna()]
    places = places.sort_values(["name", "x", "y"], kind="stable")
    if places.empty:
        return []
    ax, ay = addresses["x"].to_numpy(float), addresses["y"].to_numpy(float)
    tree = shapely.STRtree(shapely.points(ax, ay))
    mk = muni_key.to_numpy(object)
    pcs = addresses["postcode"].astype(str).to_numpy(object)
    px, py = places["x"].to_numpy(float), places["y"].to_numpy(float)
    # every (place, address) pair within reach, at once
    pi, ai = tree.query(shapely.points(px, py), predicate="dwithin", distance=PLACE_MAX_DISTANCE_M)
    d = np.hypot(ax[ai] - px[pi], ay[ai] - py[pi])
    order = np.lexsort((ai, d, pi))
    pi, ai = pi[order], ai[order]
    cuts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]]) if len(pi) else np.empty(0, dtype=np.int64)
    rows = []
    for start, stop in zip(cuts, np.r_[cuts[1:], len(pi)]):
        k = int(pi[start])
        near = ai[start : min(stop, start + PLACE_NEIGHBOURS)]
        counts = Counter(mk[near].tolist())
        muni = min(counts, key=lambda m: (-counts[m], m))  # the most frequent, ties by name
        own = near[mk[near] == muni]
        name = str(places["name"].iat[k])
        key = normalize_locality(name)
        if not key:
            continue
        rows.append(
            _row(key, name, "place", muni, display[muni], _share(pcs[own], PLACE_POSTCODE_SHARE), "", px[k], py[k])
        )
    return rows


class Gazetteer:
    """Look-up of the gazetteer table: name → entries, communes' postcodes."""

    def __init__(self, table: pd.DataFrame) -> None:
        entries: dict[str, list[Locality]] = {}
        names = ("key", "name", "kind", "muni_key", "municipality", "postcodes", "section", "x", "y")
        columns = [table[c].tolist() for c in names]  # column by column: much faster than by rows
        for key, name, kind, muni_key, municipality, postcodes, section, x, y in zip(*columns):
            loc = Locality(
                key=str(key),
                name=str(name),
                kind=str(kind),
                muni_key=str(muni_key),
                municipality=str(municipality),
                postcodes=frozenset([str(p) for p in postcodes]),
                section=str(section or ""),
                x=float(x),
                y=float(y),
            )
            entries.setdefault(loc.key, []).append(loc)
        self.entries: dict[str, tuple[Locality, ...]] = {
            k: tuple(sorted(v, key=lambda e: (e.rank, e.muni_key, e.section, e.name))) for k, v in entries.items()
        }
        self.keys: list[str] = sorted(self.entries)
        self.commune_postcodes: dict[str, frozenset[str]] = {
            e.muni_key: e.postcodes for v in self.entries.values() for e in v if e.kind == "commune"
        }

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def get(self, key: str) -> tuple[Locality, ...]:
        return self.entries.get(key, ())

    def fuzzy(self, text: str, cutoff: float = 88.0) -> str | None:
        """The gazetteer key closest to ``text`` (a typo in a locality name), or ``None``."""
        from rapidfuzz import fuzz, process

        if len(text.replace(" ", "")) < 5:
            return None
        if len(text) >= 7:
            cutoff = min(cutoff, 85.0)  # one swapped pair of letters in a long name ("Renedux")
        hits = process.extract(text, self.keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3)
        hits = [h for h in hits if h[0][0] == text[0]]  # the first letter is rarely wrong
        return hits[0][0] if hits else None

    def discriminates(self, loc: Locality) -> bool:
        """Whether ``loc`` is a part of its commune that the data can tell apart (own
        addresses, or postcodes that are not all of the commune's)."""
        if loc.kind == "commune":
            return False
        if loc.section:
            return True
        return bool(loc.postcodes) and loc.postcodes < self.commune_postcodes.get(loc.muni_key, frozenset())

    def munis(self, entries: Iterable[Locality]) -> frozenset[str]:
        return frozenset(e.muni_key for e in entries)

    def legacy(self) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """``key → (communes, postcodes)``: the pre-gazetteer view (compatibility)."""
        out = {}
        for key, v in self.entries.items():
            out[key] = (frozenset(e.muni_key for e in v), frozenset(p for e in v for p in e.postcodes))
        return out


def read_places(raw: Path) -> pd.DataFrame | None:
    """OSM places of ``raw`` inside Wallonia (buffered 200 m), with EPSG:31370 ``x``/``y``,
    or ``None`` when the file (or the Statbel outline) is missing."""
    import geopandas as gpd
    import shapely

    from tzcld.config import LAMBERT72, WALLONIA_REFNIS

    osm = sorted(Path(raw).glob("osm_places_*.gpkg"))
    if not osm:
        return None
    gdf = gpd.read_file(osm[-1], layer="places").to_crs(LAMBERT72)
    gdf.columns = [c.lower() if c != "geometry" else c for c in gdf.columns]
    admin = sorted(Path(raw).glob("statbel_admin_units_*.gpkg"))
    if admin:
        regions = gpd.read_file(admin[-1], layer="regions")
        regions.columns = [c.lower() if c != "geometry" else c for c in regions.columns]
        code = regions["cd_rgn_refnis"].astype(str).str.replace(r"\.0+$", "", regex=True).str.zfill(5)
        wal = regions[code == WALLONIA_REFNIS].to_crs(LAMBERT72)
        if len(wal):
            outline = shapely.buffer(shapely.union_all(wal.geometry.values), 200.0)
            gdf = gdf[shapely.contains(outline, gdf.geometry.values)]
    return pd.DataFrame(
        {
            "name": gdf["name"].astype(str).to_numpy(),
            "type": gdf["type"].astype(str).to_numpy(),
            "x": gdf.geometry.x.to_numpy(float),
            "y": gdf.geometry.y.to_numpy(float),
        }
    )
