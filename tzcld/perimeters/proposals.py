"""Building a proposed perimeter: from sectors, from an uploaded file, from streets.

A proposal's ``rows`` have the schema of the exact perimeters
(:func:`tzcld.geodata.layers.read_perimeters`): ``territory_id``, ``unit``, ``unit_kind``,
``unit_code``, ``commune_refnis``, ``precision``, ``method``, ``area_m2`` and a MultiPolygon
``geometry`` in Belgian Lambert 72 (EPSG:31370, metres), one row per elementary unit:

- **sectors** (``unit_kind`` ``sector``): the geometry rules of the geodata build, reused
  (official Statbel polygon, else Voronoi cells of the BeST address points clipped to the
  commune). Precision ``sectors`` when every sector has an official polygon, else
  ``sectors-from-addresses``. Sections expand to their sectors.
- **file** (``unit_kind`` ``file``): the uploaded polygons as read by
  :func:`tzcld.perimeters.files.read_perimeter_file`, one row per named feature, kept as
  drawn (never clipped: the diff flags parts outside the communes or overlapping another
  territory). Precision ``sectors`` (an official boundary from the porteur).
- **streets** (``unit_kind`` ``street``): the addresses of the listed ICAR streets; the area is
  the Voronoi cells of those addresses among all addresses of their commune (deduplicated
  positions), dissolved per street and clipped to the commune polygon. Precision
  ``sectors-from-addresses`` (an area approximated from address points).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tzcld.config import LAMBERT72, FileLimits
from tzcld.geodata.layers import PERIMETER_COLUMNS
from tzcld.perimeters.errors import PerimeterError
from tzcld.territories import Territory, load_registry

METHODS: tuple[str, ...] = ("sectors", "file", "streets")
ROW_COLUMNS: tuple[str, ...] = PERIMETER_COLUMNS


@dataclass
class Proposal:
    """A perimeter proposed for one territory (not saved yet): its elementary ``rows``
    (EPSG:31370), how it was made (``method``: sectors | file | streets), its ``inputs``
    (codes, street ids, file report) and ``warnings`` (``(message key, params)`` pairs)."""

    territory_id: str
    method: str
    rows: gpd.GeoDataFrame
    inputs: dict = field(default_factory=dict)
    warnings: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def precision(self) -> str:
        return str(self.rows["precision"].iloc[0]) if len(self.rows) else "sectors"

    @property
    def area_m2(self) -> float:
        return float(shapely.union_all(self.rows.geometry.values).area) if len(self.rows) else 0.0

    def union(self) -> shapely.Geometry:
        """The whole proposed perimeter as one geometry (EPSG:31370)."""
        return shapely.union_all(self.rows.geometry.values) if len(self.rows) else shapely.MultiPolygon()


def empty_rows() -> gpd.GeoDataFrame:
    """A rows frame with no row and the perimeter schema."""
    return gpd.GeoDataFrame({c: [] for c in ROW_COLUMNS}, geometry=[], crs=LAMBERT72)


def make_rows(records: list[dict]) -> gpd.GeoDataFrame:
    """Rows (dicts with the :data:`ROW_COLUMNS` but ``area_m2``, and ``geometry``) as a frame."""
    if not records:
        return empty_rows()
    gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=LAMBERT72)
    gdf["area_m2"] = np.round(gdf.geometry.area.to_numpy(), 1)
    return gdf[[*ROW_COLUMNS, "geometry"]].reset_index(drop=True)


# --------------------------------------------------------------------------- sectors


@dataclass(frozen=True)
class SectorCatalogue:
    """Every Statbel sector of a territory's communes, drawable or not (EPSG:31370).

    ``sectors`` columns: ``code``, ``name`` (Statbel, upper case), ``section_code``,
    ``section_name``, ``commune_refnis``, ``commune_name``, ``unit`` (the registry's named
    unit holding it, or ``""``), ``current`` (in the committed perimeter), ``method``
    (``statbel-polygon`` | ``best-voronoi`` | ``""`` when undrawable), ``drawable``,
    ``area_m2``, ``geometry`` (None when undrawable). ``communes``: ``refnis``, ``name``,
    ``geometry``.
    """

    territory_id: str
    sectors: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame

    def codes(self) -> list[str]:
        return list(self.sectors["code"])

    def drawable_codes(self) -> list[str]:
        return list(self.sectors.loc[self.sectors["drawable"], "code"])

    def sector_at(self, x: float, y: float) -> str | None:
        """The drawable sector containing Lambert 72 point (x, y), or ``None``."""
        sel = self.sectors[self.sectors["drawable"]]
        hits = shapely.contains_xy(np.asarray(sel.geometry.values), x, y)
        idx = np.flatnonzero(hits)
        return str(sel["code"].iloc[int(idx[0])]) if len(idx) else None

    def communes_union(self) -> shapely.Geometry:
        return shapely.union_all(self.communes.geometry.values)


def build_catalogue(territory_id: str, raw: str | Path) -> SectorCatalogue:
    """The sector catalogue of a territory, with the geodata build's geometry rules.

    Needs the raw inputs in ``raw`` (see :func:`tzcld.perimeters.sources.geometry_context`); a few
    seconds the first time a commune's Voronoi cells are computed.
    """
    from tzcld.perimeters.sources import geometry_context

    ctx = geometry_context(str(raw))
    t = load_registry()[territory_id]
    table = ctx.table.set_index("cd_sector")
    unit_of = {code: u.unit for u in t.perimeter if u.kind == "sectors" for code in u.codes}
    for u in t.perimeter:
        if u.kind == "sections":
            for code in ctx.table.loc[ctx.table["cd_sub_munty"].isin(u.codes), "cd_sector"]:
                unit_of.setdefault(str(code), u.unit)
    current = set(_committed_codes(territory_id))
    records = []
    for c in t.communes:
        for code in ctx.commune_sectors.get(c.refnis, []):
            geom, method = ctx.sector_geometry(code)
            drawable = geom is not None and not geom.is_empty
            row = table.loc[code]
            records.append(
                {
                    "code": code,
                    "name": str(row.get("tx_sector_descr_fr", "") or ""),
                    "section_code": str(row.get("cd_sub_munty", "") or ""),
                    "section_name": str(row.get("tx_sub_munty_fr", "") or ""),
                    "commune_refnis": c.refnis,
                    "commune_name": c.name,
                    "unit": unit_of.get(code, ""),
                    "current": code in current,
                    "method": method if drawable else "",
                    "drawable": drawable,
                    "area_m2": round(float(geom.area), 1) if drawable and geom is not None else None,
                    "geometry": geom if drawable else None,
                }
            )
    sectors = gpd.GeoDataFrame(records, geometry="geometry", crs=LAMBERT72)
    communes = gpd.GeoDataFrame(
        {"refnis": [c.refnis for c in t.communes], "name": [c.name for c in t.communes]},
        geometry=[ctx.commune_geometry(c.refnis) for c in t.communes],
        crs=LAMBERT72,
    )
    return SectorCatalogue(territory_id, sectors, communes)


def committed_catalogue(territory_id: str) -> SectorCatalogue:
    """A catalogue from the committed perimeters only (no raw data): the territory's current
    sectors, and its communes from the committed context layer (simplified)."""
    from tzcld.geodata.layers import read_context, read_perimeters

    per = read_perimeters()
    per = per[(per["territory_id"] == territory_id) & (per["unit_kind"] == "sector")]
    sectors = gpd.GeoDataFrame(
        {
            "code": per["unit_code"].astype(str).to_numpy(),
            "name": per["unit_code"].astype(str).to_numpy(),
            "section_code": per["unit_code"].astype(str).str[:6].to_numpy(),
            "section_name": "",
            "commune_refnis": per["commune_refnis"].astype(str).to_numpy(),
            "commune_name": "",
            "unit": per["unit"].astype(str).to_numpy(),
            "current": True,
            "method": per["method"].to_numpy(),
            "drawable": True,
            "area_m2": per["area_m2"].to_numpy(),
        },
        geometry=list(per.geometry.values),
        crs=LAMBERT72,
    )
    communes = read_context("communes").to_crs(LAMBERT72)
    communes = communes[communes["territory_id"] == territory_id][["refnis", "name", "geometry"]].reset_index(drop=True)
    return SectorCatalogue(territory_id, sectors.reset_index(drop=True), communes)


@lru_cache(maxsize=1)
def _committed_table():
    from tzcld.geodata.layers import read_perimeters

    return read_perimeters()


def _committed_codes(territory_id: str) -> list[str]:
    per = _committed_table()
    sel = per[(per["territory_id"] == territory_id) & (per["unit_kind"] == "sector")]
    return [str(c) for c in sel["unit_code"]]


def expand_codes(catalogue: SectorCatalogue, codes: list[str]) -> tuple[list[str], list[str]]:
    """Sector codes from a list of sector or section codes (case-insensitive, spaces trimmed):
    ``(sector codes in catalogue order, unknown codes)``."""
    by_upper = {c.upper(): c for c in catalogue.sectors["code"]}
    sections = catalogue.sectors.groupby("section_code")["code"].apply(list).to_dict()
    sections_upper = {s.upper(): v for s, v in sections.items()}
    wanted: set[str] = set()
    unknown: list[str] = []
    for raw in codes:
        code = str(raw).strip().upper()
        if not code:
            continue
        if code in by_upper:
            wanted.add(by_upper[code])
        elif code in sections_upper:
            wanted.update(sections_upper[code])
        else:
            unknown.append(str(raw).strip())
    ordered = [c for c in catalogue.sectors["code"] if c in wanted]
    return ordered, unknown


def proposal_from_sectors(catalogue: SectorCatalogue, codes: list[str]) -> Proposal:
    """A proposal made of the given sector or section codes of the territory's communes.

    Unknown codes raise :class:`PerimeterError` (``error.unknown_codes``); sectors that cannot
    be drawn (no polygon, no address point) are left out with a warning; an empty selection
    raises ``error.empty_selection``.
    """
    sectors, unknown = expand_codes(catalogue, codes)
    if unknown:
        raise PerimeterError("error.unknown_codes", codes=", ".join(unknown[:10]))
    if not sectors:
        raise PerimeterError("error.empty_selection")
    cat = catalogue.sectors.set_index("code")
    undrawable = [c for c in sectors if not bool(cat.at[c, "drawable"])]
    drawn = [c for c in sectors if bool(cat.at[c, "drawable"])]
    if not drawn:
        raise PerimeterError("error.nothing_drawable", codes=", ".join(undrawable[:10]))
    methods = {str(cat.at[c, "method"]) for c in drawn}
    precision = "sectors" if methods == {"statbel-polygon"} else "sectors-from-addresses"
    records = []
    for code in drawn:
        unit = str(cat.at[code, "unit"]) or _title(str(cat.at[code, "section_name"])) or code
        records.append(
            {
                "territory_id": catalogue.territory_id,
                "unit": unit,
                "unit_kind": "sector",
                "unit_code": code,
                "commune_refnis": str(cat.at[code, "commune_refnis"]),
                "precision": precision,
                "method": str(cat.at[code, "method"]),
                "geometry": cat.at[code, "geometry"],
            }
        )
    warnings = [("warn.undrawable", {"codes": ", ".join(undrawable)})] if undrawable else []
    return Proposal(catalogue.territory_id, "sectors", make_rows(records), {"codes": drawn}, warnings)


def _title(name: str) -> str:
    return name.title() if name.isupper() else name


# --------------------------------------------------------------------------- file


def proposal_from_file(
    territory_id: str, data: bytes, filename: str, wallonia=None, limits: FileLimits | None = None
) -> Proposal:
    """A proposal from an uploaded file (see :mod:`tzcld.perimeters.files`, ``limits`` the
    settings' reading limits); features with the same name are dissolved into one unit.
    Raises ``PerimeterFileError`` on a bad file."""
    from tzcld.perimeters.files import read_perimeter_file

    polygons, report = read_perimeter_file(data, filename, wallonia=wallonia, limits=limits)
    t = load_registry()[territory_id]
    records = []
    for i, (name, group) in enumerate(polygons.groupby("name", sort=False)):
        geom = shapely.union_all(group.geometry.values)
        records.append(
            {
                "territory_id": territory_id,
                "unit": str(name),
                "unit_kind": "file",
                "unit_code": f"fichier-{i + 1}",
                "commune_refnis": _main_commune(t, geom),
                "precision": "official",
                "method": "porteur-file",
                "geometry": _multi(geom),
            }
        )
    return Proposal(territory_id, "file", make_rows(records), {"file": report.as_dict()}, list(report.warnings))


def _multi(geom) -> shapely.MultiPolygon:
    from tzcld.geometry import polygon_parts

    return polygon_parts(geom) or shapely.MultiPolygon()


def _main_commune(t: Territory, geom) -> str:
    """The territory commune holding most of ``geom`` (committed context layer), else the first."""
    try:
        communes = _commune_shapes()
    except (FileNotFoundError, OSError):
        return t.communes[0].refnis
    best, best_area = t.communes[0].refnis, 0.0
    for c in t.communes:
        shape = communes.get(c.refnis)
        if shape is not None:
            area = shapely.intersection(shape, geom).area
            if area > best_area:
                best, best_area = c.refnis, area
    return best


@lru_cache(maxsize=1)
def _commune_shapes() -> dict[str, shapely.Geometry]:
    from tzcld.geodata.layers import read_context

    gdf = read_context("communes").to_crs(LAMBERT72)
    return dict(zip(gdf["refnis"].astype(str), gdf.geometry.values, strict=True))


# --------------------------------------------------------------------------- streets


def match_streets(lines: list[str], streets: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Street ids of typed street names (one per line, ``"Rue X"`` or ``"Rue X, 5030"``), matched
    on the normalised name (abbreviations expanded) within ``streets`` (see
    :func:`tzcld.perimeters.sources.territory_streets`), postcode respected when given; a
    near spelling (≥ 90/100) is accepted when it is the only one. Returns ``(ids, not found)``."""
    from rapidfuzz import fuzz, process

    from tzcld.geocode.normalize import normalize_name

    keys = [normalize_name(s) for s in streets["street"]]
    ids: list[str] = []
    missing: list[str] = []
    for raw in lines:
        text = str(raw).strip()
        if not text:
            continue
        postcode = None
        name = text
        if "," in text:
            name, rest = text.split(",", 1)
            digits = "".join(ch for ch in rest if ch.isdigit())
            postcode = digits[:4] if len(digits) >= 4 else None
        key = normalize_name(name)
        hits = [i for i, k in enumerate(keys) if k == key]
        if not hits:
            found = process.extract(key, keys, scorer=fuzz.ratio, limit=3, score_cutoff=90)
            names = {keys[i] for _, _, i in found}
            if len(names) == 1:
                hits = [i for i, k in enumerate(keys) if k in names]
        if postcode:
            hits = [i for i in hits if postcode in str(streets["postcode"].iloc[i])]
        if not hits:
            missing.append(text)
            continue
        for i in hits:
            sid = str(streets["street_id"].iloc[i])
            if sid not in ids:
                ids.append(sid)
    return ids, missing


def street_cells(addresses: pd.DataFrame, commune_geom: shapely.Geometry) -> dict[str, shapely.MultiPolygon]:
    """Voronoi cells of a commune's addresses dissolved per street (EPSG:31370), clipped to the
    commune: the same rule as the build's sectors (:func:`tzcld.geometry.voronoi_cells`).
    Where several streets share a position, the first street id (sorted) keeps it."""
    from tzcld.geometry import polygonal, voronoi_cells

    pts = addresses[["x", "y", "street_id"]].rename(columns={"street_id": "cd_sector"})
    pts = pts.sort_values(["x", "y", "cd_sector"]).drop_duplicates(["x", "y"], keep="first").reset_index(drop=True)
    return voronoi_cells(pts, polygonal(commune_geom))


def proposal_from_streets(
    territory_id: str,
    street_ids: list[str],
    addresses: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    cells_cache: dict | None = None,
) -> Proposal:
    """A proposal from ICAR street ids: one unit per street (its addresses' Voronoi cells).

    ``addresses``: :func:`tzcld.perimeters.sources.territory_addresses`; ``communes``: the
    territory's commune polygons (``refnis``, geometry, EPSG:31370), e.g.
    ``SectorCatalogue.communes``. ``cells_cache`` (commune → cells) avoids recomputing.
    """
    wanted = [str(s) for s in street_ids if str(s).strip()]
    if not wanted:
        raise PerimeterError("error.empty_streets")
    known = set(addresses["street_id"])
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise PerimeterError("error.unknown_streets", ids=", ".join(unknown[:10]))
    geom_of = dict(zip(communes["refnis"].astype(str), communes.geometry.values, strict=True))
    cache = cells_cache if cells_cache is not None else {}
    records = []
    counts: dict[str, int] = {}
    sel = addresses[addresses["street_id"].isin(wanted)]
    for (refnis, sid), group in sel.groupby(["commune_refnis", "street_id"], sort=True):
        if refnis not in cache:
            if refnis not in geom_of:
                continue
            cache[refnis] = street_cells(addresses[addresses["commune_refnis"] == refnis], geom_of[refnis])
        geom = cache[refnis].get(sid)
        counts[sid] = len(group)
        if geom is None or geom.is_empty:
            continue
        records.append(
            {
                "territory_id": territory_id,
                "unit": str(group["street"].iloc[0]),
                "unit_kind": "street",
                "unit_code": f"icar-{sid}",
                "commune_refnis": str(refnis),
                "precision": "sectors-from-addresses",
                "method": "icar-voronoi",
                "geometry": geom,
            }
        )
    order = {s: i for i, s in enumerate(wanted)}
    records.sort(key=lambda r: order.get(r["unit_code"][5:], 0))
    if not records:
        raise PerimeterError("error.empty_streets")
    return Proposal(territory_id, "streets", make_rows(records), {"street_ids": wanted, "addresses": counts})
