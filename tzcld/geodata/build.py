"""The geodata build: raw inputs + registry → the committed layers of ``geodata/``.

``python -m tzcld geodata build [--raw DIR] [--out DIR]`` runs :func:`build`.

Geometry rules (all computed in Belgian Lambert 72, ``EPSG:31370``, metres):

- **Commune polygons.** Where the raw folder has Statbel sector polygons for a commune,
  the commune is the union of its sectors (2023, full resolution). Elsewhere it is the
  2011 Statbel commune polygon (REFNIS codes mapped to the 2019 codes through the sector
  codes' 5-digit prefix), minus any official sector polygon of another commune, so that
  the two vintages never overlap.
- **Sectors.** The official sector polygon where available; otherwise the Voronoi cells
  of the sector-tagged BeST address points of the sector's commune (all points of the
  commune, deduplicated, so neighbouring sectors share edges), dissolved by sector and
  clipped to the commune polygon. Sections (``cd_sub_munty``) expand to all their sectors.
- **Communes** units are the commune polygons above.
- **Postcodes** units (where sector data is missing: the arrondissement of Liège) are the
  Voronoi cells of the commune's ICAR addresses that carry those postcodes, dissolved and
  clipped to the commune polygon (unit code ``<REFNIS>-<postcode>``).
- **Indicative** territories are drawn as their ``communes`` and ``postcodes`` units
  when that is how the registry writes them, otherwise (sectors or sections the data
  cannot place) one unit per commune. Territories whose perimeter is not written yet
  (``perimeter: []``, with a warning) are drawn as their whole communes too.

Every territory's commune belongs to that territory only, and every unit is clipped to
its own commune, so territories cannot overlap.

Web layers (``*.geojson``) are simplified with a topology-preserving coverage
simplification, reprojected to WGS84 and rounded to 6 decimals (≈ 0.1 m). The exact
perimeters (``perimeters.gpkg``) are not simplified.

The build is deterministic: rows are sorted, floats have a fixed precision in GeoJSON,
the GeoPackage's timestamps are pinned (``OGR_CURRENT_DATE``), and the manifest's
``data_version`` is derived from the inputs' vintages and the outputs' hashes, never
from the clock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import yaml
from shapely.geometry import MultiPolygon, mapping

from tzcld.config import GEODATA_DIR, LAMBERT72, WALLONIA_REFNIS, WGS84
from tzcld.errors import TzcldError
from tzcld.geodata import sources
from tzcld.geodata.layers import PERIMETER_COLUMNS
from tzcld.geometry import (
    WEB_DECIMALS,
    drop_slivers,
    polygonal,
    simplify_coverage,
    to_web,
    union,
    voronoi_cells,
)
from tzcld.i18n import LANGUAGES
from tzcld.i18n import t as translate
from tzcld.territories import REGISTRY_PATH, Registry, Territory, parse_registry

log = logging.getLogger(__name__)

#: Simplification tolerance of the web layers of territories and units (metres, EPSG:31370;
#: for coverage simplification, roughly the square root of the area of removed triangles).
UNIT_TOLERANCE_M = 12.0
#: Simplification tolerance of the context layers (Wallonia outline, provinces), metres.
CONTEXT_TOLERANCE_M = 150.0
#: Simplification tolerance of the territories' communes context layer, metres.
COMMUNE_TOLERANCE_M = 25.0
#: Decimal places of WGS84 coordinates in the web layers (6 ≈ 0.1 m).
COORD_DECIMALS = WEB_DECIMALS
#: Timestamp written into the GeoPackage (pinned so that rebuilds are byte-identical).
GPKG_TIMESTAMP = "2000-01-01T00:00:00Z"
#: Version of the output schema (bump when properties or files change incompatibly).
SCHEMA_VERSION = 1

OUTPUT_FILES: tuple[str, ...] = (
    "territories.geojson",
    "units.geojson",
    "perimeters.gpkg",
    "context/wallonia.geojson",
    "context/provinces.geojson",
    "context/communes.geojson",
    "context/places.geojson",
)

#: OSM place types kept in the places context layer.
PLACE_TYPES: tuple[str, ...] = ("city", "town", "village", "suburb", "hamlet", "neighbourhood", "quarter")

FALLBACK_RATIONALE = (
    "Périmètre détaillé pas encore renseigné dans le registre : la commune entière est montrée provisoirement."
)
INDICATIVE_RATIONALE = (
    "Périmètre indicatif, à confirmer par le porteur de projet : les données disponibles "
    "ne permettent pas de dessiner {units} ; la commune entière est montrée."
)


class BuildError(TzcldError, RuntimeError):
    """The build cannot proceed: a key of ``errors.build`` and its parameters."""

    domain = "errors.build"


@dataclass
class BuildResult:
    """What a build wrote: output hashes (relative path → sha256), warnings, duration (s)."""

    out_dir: Path
    outputs: dict[str, str]
    data_version: str
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --------------------------------------------------------------------------- writers


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float):
            return [round(v, COORD_DECIMALS) for v in obj]
        return [_round_coords(o) for o in obj]
    return obj


def _geojson_geometry(geom: shapely.Geometry) -> dict[str, Any]:
    m = mapping(geom)
    return {"type": m["type"], "coordinates": _round_coords(m["coordinates"])}


def write_geojson(path: Path, name: str, features: list[tuple[dict[str, Any], shapely.Geometry]]) -> None:
    """Write a WGS84 GeoJSON FeatureCollection deterministically (one feature per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for props, geom in features:
        feature = {"type": "Feature", "properties": props, "geometry": _geojson_geometry(geom)}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
    header = json.dumps({"type": "FeatureCollection", "name": name}, ensure_ascii=False)[:-1]
    text = header + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_perimeters_gpkg(path: Path, gdf: gpd.GeoDataFrame) -> None:
    """Write the exact perimeters (EPSG:31370) as GeoPackage layer ``perimeters``, with
    the GeoPackage timestamps pinned so that rebuilds are byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    try:
        pyogrio.write_dataframe(
            gdf,
            path,
            layer="perimeters",
            driver="GPKG",
            promote_to_multi=True,
            layer_options={"SPATIAL_INDEX": "YES"},
        )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- the build


def _load_registry(path: Path) -> Registry:
    with Path(path).open(encoding="utf-8") as fh:
        return parse_registry(yaml.safe_load(fh))


def perimeter_version(territory: Territory) -> str:
    """8 hex digits identifying a territory's perimeter definition (communes, precision,
    units and codes): changes whenever the definition in the registry changes."""
    doc = {
        "communes": list(territory.commune_codes),
        "precision": territory.precision,
        "perimeter": [[u.unit, u.kind, list(u.codes)] for u in territory.perimeter],
    }
    return _sha256_bytes(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode())[:8]


class GeometryContext:
    """Raw inputs loaded once for a build, with the commune and sector geometry rules."""

    def __init__(self, raw: Path, registry: Registry, warn: Callable[[str], None]) -> None:
        self.raw = raw
        self.registry = registry
        self.warn = warn
        self.table = sources.read_sector_table(raw)
        self.sector_commune: dict[str, str] = dict(
            zip(self.table["cd_sector"], self.table["cd_munty_refnis"], strict=True)
        )
        self.commune_sectors: dict[str, list[str]] = {
            c: sorted(g["cd_sector"]) for c, g in self.table.groupby("cd_munty_refnis")
        }
        # REFNIS codes changed on 1 Jan 2019 (arrondissement 58 and others): the sector
        # codes keep the old 5-digit prefix, which maps the current code to the 2011 one.
        prefixes = self.table.assign(old=self.table["cd_sector"].str[:5])
        pairs = prefixes.loc[prefixes["old"] != prefixes["cd_munty_refnis"], ["cd_munty_refnis", "old"]]
        self.old_refnis: dict[str, str] = dict(pairs.drop_duplicates("cd_munty_refnis").itertuples(index=False))

        self.territory_of: dict[str, str] = {}
        self.commune_name: dict[str, str] = {}
        for t in registry:
            for c in t.communes:
                if c.refnis in self.territory_of:
                    raise BuildError(
                        "two_territories", refnis=c.refnis, name=c.name, first=self.territory_of[c.refnis], second=t.id
                    )
                if c.refnis not in self.commune_sectors:
                    raise BuildError("no_sectors", territory=t.id, refnis=c.refnis, name=c.name)
                self.territory_of[c.refnis] = t.id
                self.commune_name[c.refnis] = c.name

        admin = sources.read_admin_units(raw, "communes")
        admin = admin[admin["cd_rgn_refnis"] == WALLONIA_REFNIS].to_crs(LAMBERT72)
        self.admin_communes: dict[str, shapely.Geometry] = dict(
            zip(admin["cd_munty_refnis"], admin.geometry.values, strict=True)
        )
        self.sector_polygons = sources.read_sector_polygons(raw)
        self.polygon_of: dict[str, shapely.Geometry] = dict(
            zip(self.sector_polygons["cd_sector"], self.sector_polygons.geometry.values, strict=True)
        )
        self._poly_tree = shapely.STRtree(self.sector_polygons.geometry.values)
        self._commune_geom: dict[str, MultiPolygon] = {}
        self._voronoi: dict[str, dict[str, MultiPolygon]] = {}
        self._postcode_voronoi: dict[str, dict[str, MultiPolygon]] = {}
        self._points: pd.DataFrame | None = None
        self.voronoi_points = 0

    # -- communes

    def commune_geometry(self, refnis: str) -> MultiPolygon:
        """Polygon of a commune (current REFNIS) in EPSG:31370 (see module docstring)."""
        if refnis in self._commune_geom:
            return self._commune_geom[refnis]
        own = self.sector_polygons[self.sector_polygons["cd_munty_refnis"] == refnis]
        if len(own):
            geom = polygonal(shapely.coverage_union_all(own.geometry.values))
        else:
            code = self.old_refnis.get(refnis, refnis)
            base = self.admin_communes.get(code)
            if base is None:
                raise BuildError("no_admin_unit", refnis=refnis, name=self.commune_name.get(refnis, "?"))
            idx = self._poly_tree.query(base, predicate="intersects")
            others = self.sector_polygons.iloc[np.sort(idx)]
            others = others[others["cd_munty_refnis"] != refnis]
            geom = polygonal(base)
            if len(others):
                geom = drop_slivers(polygonal(shapely.difference(geom, union(others.geometry.values))))
        self._commune_geom[refnis] = geom
        return geom

    # -- sectors

    def _address_points(self) -> pd.DataFrame:
        if self._points is None:
            wanted = sorted(s for c in self.territory_of for s in self.commune_sectors.get(c, []))
            self._points = sources.read_address_points(self.raw, wanted)
        return self._points

    def voronoi_sector(self, sector: str) -> MultiPolygon | None:
        commune = self.sector_commune[sector]
        if commune not in self._voronoi:
            pts = self._address_points()
            pts = pts[pts["cd_sector"].isin(self.commune_sectors[commune])]
            self.voronoi_points += len(pts)
            self._voronoi[commune] = voronoi_cells(pts, self.commune_geometry(commune))
        return self._voronoi[commune].get(sector)

    # -- postcodes

    def postcode_geometry(self, refnis: str, postcode: str) -> MultiPolygon | None:
        """The part of a commune whose ICAR addresses carry ``postcode``: Voronoi cells of
        all the commune's addresses (labelled by postcode), dissolved, clipped to the commune."""
        if refnis not in self._postcode_voronoi:
            pts = sources.read_icar_points(self.raw, [self.commune_name[refnis]])
            self.voronoi_points += len(pts)
            cells = voronoi_cells(pts.rename(columns={"postcode": "cd_sector"}), self.commune_geometry(refnis))
            self._postcode_voronoi[refnis] = cells
        return self._postcode_voronoi[refnis].get(postcode)

    def sector_geometry(self, sector: str) -> tuple[MultiPolygon | None, str]:
        """(geometry, method) of a sector; method ``statbel-polygon`` or ``best-voronoi``."""
        if sector in self.polygon_of:
            return polygonal(self.polygon_of[sector]), "statbel-polygon"
        geom = self.voronoi_sector(sector)
        return geom, "best-voronoi"


def _elementary_rows(ctx: GeometryContext, t: Territory) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the exact perimeter layer and the named-unit descriptions of one territory."""
    rows: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []

    def whole_communes(rationale: str) -> None:
        for c in t.communes:
            units.append({"unit": c.name, "unit_kind": "communes", "codes": [c.refnis], "rationale": rationale})
            rows.append(
                {
                    "territory_id": t.id,
                    "unit": c.name,
                    "unit_kind": "commune",
                    "unit_code": c.refnis,
                    "commune_refnis": c.refnis,
                    "method": "commune",
                    "geometry": ctx.commune_geometry(c.refnis),
                }
            )

    if not t.perimeter:
        ctx.warn(f"Territoire « {t.id} » : périmètre non renseigné dans le registre ; communes entières utilisées.")
        whole_communes(
            INDICATIVE_RATIONALE.format(units=", ".join(t.announced_units)) if t.is_indicative else FALLBACK_RATIONALE
        )
        return rows, units
    if t.is_indicative and any(u.kind not in ("communes", "postcodes") for u in t.perimeter):
        # sectors or sections in the arrondissement of Liège cannot be drawn from the data here
        named = ", ".join(u.unit for u in t.perimeter)
        whole_communes(
            INDICATIVE_RATIONALE.format(units=named)
            + " Détail : "
            + " ; ".join(f"{u.unit} — {u.rationale}" for u in t.perimeter)
        )
        return rows, units

    for u in t.perimeter:
        units.append({"unit": u.unit, "unit_kind": u.kind, "codes": list(u.codes), "rationale": u.rationale})
        if u.kind == "communes":
            for code in u.codes:
                if code not in ctx.territory_of or ctx.territory_of[code] != t.id:
                    ctx.warn(
                        f"Territoire « {t.id} », unité « {u.unit} » : la commune {code} n'est pas une commune du territoire."
                    )
                    continue
                rows.append(
                    {
                        "territory_id": t.id,
                        "unit": u.unit,
                        "unit_kind": "commune",
                        "unit_code": code,
                        "commune_refnis": code,
                        "method": "commune",
                        "geometry": ctx.commune_geometry(code),
                    }
                )
            continue
        if u.kind == "postcodes":
            for c in t.communes:
                for code in u.codes:
                    geom = ctx.postcode_geometry(c.refnis, code)
                    if geom is None or geom.is_empty:
                        continue  # that postcode is not used in this commune
                    rows.append(
                        {
                            "territory_id": t.id,
                            "unit": u.unit,
                            "unit_kind": "postcode",
                            "unit_code": f"{c.refnis}-{code}",
                            "commune_refnis": c.refnis,
                            "method": "icar-voronoi",
                            "geometry": geom,
                        }
                    )
            if not any(r["unit"] == u.unit for r in rows):
                ctx.warn(f"Territoire « {t.id} », unité « {u.unit} » : aucune adresse ICAR avec les codes {u.codes}.")
            continue
        if u.kind == "sections":
            sectors: list[str] = []
            for code in u.codes:
                found = ctx.table.loc[ctx.table["cd_sub_munty"] == code, "cd_sector"].tolist()
                if not found:
                    ctx.warn(f"Territoire « {t.id} », unité « {u.unit} » : section {code} inconnue de Statbel.")
                sectors.extend(found)
        else:
            sectors = list(u.codes)
        for sector in sorted(set(sectors)):
            commune = ctx.sector_commune.get(sector)
            if commune is None:
                ctx.warn(f"Territoire « {t.id} », unité « {u.unit} » : secteur {sector} inconnu de Statbel.")
                continue
            if ctx.territory_of.get(commune) != t.id:
                ctx.warn(
                    f"Territoire « {t.id} », unité « {u.unit} » : le secteur {sector} est dans la commune "
                    f"{commune}, hors du territoire ; ignoré."
                )
                continue
            geom, method = ctx.sector_geometry(sector)
            if geom is None or geom.is_empty:
                ctx.warn(
                    f"Territoire « {t.id} », unité « {u.unit} » : aucun polygone ni point d'adresse pour le "
                    f"secteur {sector} ; il n'est pas dessiné."
                )
                continue
            rows.append(
                {
                    "territory_id": t.id,
                    "unit": u.unit,
                    "unit_kind": "sector",
                    "unit_code": sector,
                    "commune_refnis": commune,
                    "method": method,
                    "geometry": geom,
                }
            )
    return rows, units


def _places(ctx: GeometryContext) -> list[tuple[dict[str, Any], shapely.Geometry]]:
    places = sources.read_osm_places(ctx.raw)
    places = places[places["type"].isin(PLACE_TYPES) & places["name"].notna()].to_crs(LAMBERT72)
    listed = {(t.id, p.casefold()) for t in ctx.registry for p in t.places}
    out: list[tuple[str, str, str, dict[str, Any], shapely.Geometry]] = []
    geoms = places.geometry.values
    for refnis, tid in ctx.territory_of.items():
        commune = ctx.commune_geometry(refnis)
        inside = shapely.contains(commune, geoms)
        for _, row in places[inside].iterrows():
            props: dict[str, Any] = {
                "name": str(row["name"]),
                "type": str(row["type"]),
                "territory_id": tid,
                "commune_refnis": refnis,
                "listed": (tid, str(row["name"]).casefold()) in listed,
                "osm_id": int(row["osm_id"]) if pd.notna(row["osm_id"]) else None,
            }
            out.append((tid, props["name"], str(props["osm_id"]), props, row.geometry))
    order = {t.id: i for i, t in enumerate(ctx.registry)}
    out.sort(key=lambda r: (order[r[0]], r[1], r[2]))
    pts = gpd.GeoSeries([r[4] for r in out], crs=LAMBERT72).to_crs(WGS84)
    pts = shapely.set_precision(pts.values, 10.0**-COORD_DECIMALS) if len(out) else []
    return [(r[3], p) for r, p in zip(out, pts, strict=True)]


def _input_records(raw: Path) -> tuple[list[dict[str, Any]], str]:
    """Manifest entries of the raw inputs used, and the latest vintage among them."""
    records: list[dict[str, Any]] = []
    for key, spec in sources.INPUTS.items():
        path = sources.find_input(raw, key, required=False)
        if path is None:
            continue
        records.append(
            {
                "key": key,
                "file": path.name,
                "sha256": sources.sha256_file(path),
                "bytes": path.stat().st_size,
                "dataset": spec.dataset,
                "vintage": spec.vintage,
                "producer": spec.producer,
                "licence": spec.licence,
                "attribution": spec.attribution,
            }
        )
    latest = max(str(r["vintage"]) for r in records)
    return records, latest


def build(
    raw: Path,
    out: Path | None = None,
    registry_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build all derived geodata from the raw inputs in ``raw`` (the settings'
    :attr:`tzcld.runtime.Settings.raw_dir`) and the registry into ``out`` (default ``geodata/``). Returns the outputs' hashes and warnings.

    Raises :class:`tzcld.territories.RegistryError`, :class:`sources.RawInputError` or
    :class:`BuildError` (French messages) when the inputs cannot be used; nothing in
    ``out`` is touched before all layers are computed.
    """
    started = time.perf_counter()
    raw = Path(raw)
    out = Path(out) if out else GEODATA_DIR
    registry_path = Path(registry_path) if registry_path else REGISTRY_PATH
    say = progress or (lambda msg: log.info(msg))
    if not raw.is_dir():
        raise sources.RawInputError(f"Dossier des données brutes introuvable : « {raw} ».")
    warnings: list[str] = []

    def warn(msg: str) -> None:
        warnings.append(msg)
        say("Attention : " + msg)

    registry = _load_registry(registry_path)
    say(f"Registre : {len(registry)} territoires ({registry_path.name}).")
    ctx = GeometryContext(raw, registry, warn)
    say("Données brutes lues.")

    # exact perimeters ---------------------------------------------------------------
    all_rows: list[dict[str, Any]] = []
    unit_specs: dict[str, list[dict[str, Any]]] = {}
    for t in registry:
        rows, units = _elementary_rows(ctx, t)
        all_rows.extend(rows)
        unit_specs[t.id] = units
    order = {t.id: i for i, t in enumerate(registry)}
    by_id = {t.id: t for t in registry}
    perim = gpd.GeoDataFrame(all_rows, geometry="geometry", crs=LAMBERT72)
    unit_order = {(tid, u["unit"]): i for tid, us in unit_specs.items() for i, u in enumerate(us)}
    perim["_t"] = perim["territory_id"].map(order)
    perim["_u"] = [unit_order[(a, b)] for a, b in zip(perim["territory_id"], perim["unit"], strict=True)]
    perim = perim.sort_values(["_t", "_u", "unit_code"]).drop(columns=["_t", "_u"]).reset_index(drop=True)
    perim = perim.drop_duplicates(["territory_id", "unit_code"], keep="first").reset_index(drop=True)
    perim["precision"] = perim["territory_id"].map(lambda tid: by_id[tid].precision)
    perim["geometry"] = [polygonal(g) for g in perim.geometry.values]
    perim["area_m2"] = np.round(perim.geometry.area.to_numpy(), 1)
    perim = perim[[*PERIMETER_COLUMNS, "geometry"]]
    say(f"Périmètres exacts : {len(perim)} unités élémentaires.")

    # named units and territories (exact, then simplified) -----------------------------
    unit_geoms: list[MultiPolygon] = []
    unit_props: list[dict[str, Any]] = []
    for t in registry:
        for spec in unit_specs[t.id]:
            sel = perim[(perim["territory_id"] == t.id) & (perim["unit"] == spec["unit"])]
            geom = union(sel.geometry.values)
            if geom.is_empty:
                warn(f"Territoire « {t.id} » : l'unité « {spec['unit']} » n'a aucune géométrie.")
                continue
            unit_geoms.append(geom)
            unit_props.append(
                {
                    "territory_id": t.id,
                    "territory_name": t.name,
                    "unit": spec["unit"],
                    "unit_kind": spec["unit_kind"],
                    "codes": spec["codes"],
                    "job_target": t.job_target,
                    "status": t.status,
                    "precision": t.precision,
                    "indicative": t.is_indicative,
                    "rationale": spec["rationale"],
                    "area_km2": round(geom.area / 1e6, 3),
                }
            )
    terr_geoms = [union(perim.loc[perim["territory_id"] == t.id].geometry.values) for t in registry]
    terr_props = []
    for t in registry:
        terr_props.append(
            {
                "id": t.id,
                "name": t.name,
                "province": t.province,
                "job_target": t.job_target,
                "status": t.status,
                "status_date": t.status_date,
                "status_source": t.status_source,
                "status_date_precision": t.status_date_precision,
                "status_note": t.status_note,
                "precision": t.precision,
                "indicative": t.is_indicative,
                "perimeter_defined": bool(t.perimeter),
                # the named units of the registry (for undrawable indicative units, the
                # drawn features in units.geojson are the whole communes)
                "units": [u.unit for u in t.perimeter] or [u["unit"] for u in unit_specs[t.id]],
                "announced_units": list(t.announced_units),
                "communes": [c.name for c in t.communes],
                "commune_refnis": list(t.commune_codes),
                "places": list(t.places),
                "perimeter_version": perimeter_version(t),
            }
        )
    for props, geom in zip(terr_props, terr_geoms, strict=True):
        props["area_km2"] = round(geom.area / 1e6, 3)
    web_units = to_web(simplify_coverage(unit_geoms, UNIT_TOLERANCE_M))
    web_terr = to_web(simplify_coverage(terr_geoms, UNIT_TOLERANCE_M))
    say("Couches web simplifiées.")

    # context layers ----------------------------------------------------------------
    regions = sources.read_admin_units(raw, "regions")
    wal = regions[regions["cd_rgn_refnis"] == WALLONIA_REFNIS].to_crs(LAMBERT72)
    if wal.empty:
        raise BuildError("no_wallonia")
    wal_geom = union(wal.geometry.values)
    provinces = sources.read_admin_units(raw, "provinces")
    provinces = provinces[provinces["cd_rgn_refnis"] == WALLONIA_REFNIS].to_crs(LAMBERT72)
    provinces = provinces.sort_values("cd_prov_refnis")
    prov_geoms = simplify_coverage([polygonal(g) for g in provinces.geometry.values], CONTEXT_TOLERANCE_M)
    commune_codes = [c.refnis for t in registry for c in t.communes]
    commune_geoms = [ctx.commune_geometry(c) for c in commune_codes]
    context_layers: dict[str, list[tuple[dict[str, Any], shapely.Geometry]]] = {
        "wallonia": [
            (
                {"refnis": WALLONIA_REFNIS, "name": "Région wallonne"},
                to_web(simplify_coverage([wal_geom], CONTEXT_TOLERANCE_M))[0],
            )
        ],
        "provinces": [
            ({"refnis": str(r), "name": _province_name(str(n))}, g)
            for r, n, g in zip(
                provinces["cd_prov_refnis"], provinces["tx_prov_descr_fr"], to_web(prov_geoms), strict=True
            )
        ],
        "communes": [
            (
                {
                    "refnis": c,
                    "name": ctx.commune_name[c],
                    "territory_id": ctx.territory_of[c],
                    "geometry_source": "statbel-sectors-2023"
                    if (ctx.sector_polygons["cd_munty_refnis"] == c).any()
                    else "statbel-communes-2011",
                },
                g,
            )
            for c, g in zip(commune_codes, to_web(simplify_coverage(commune_geoms, COMMUNE_TOLERANCE_M)), strict=True)
        ],
        "places": _places(ctx),
    }
    say("Couches de contexte prêtes.")

    # write -------------------------------------------------------------------------
    out.mkdir(parents=True, exist_ok=True)
    write_geojson(out / "territories.geojson", "territories", list(zip(terr_props, web_terr, strict=True)))
    write_geojson(out / "units.geojson", "units", list(zip(unit_props, web_units, strict=True)))
    write_perimeters_gpkg(out / "perimeters.gpkg", perim)
    for name, feats in context_layers.items():
        write_geojson(out / "context" / f"{name}.geojson", name, feats)
    hashes = {rel: sources.sha256_file(out / rel) for rel in OUTPUT_FILES}

    inputs, latest_vintage = _input_records(raw)
    registry_sha = sources.sha256_file(registry_path)
    combined = _sha256_bytes(json.dumps({"outputs": hashes, "registry": registry_sha}, sort_keys=True).encode())[:8]
    data_version = f"{latest_vintage}+{combined}"
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "data_version": data_version,
        "command": "python -m tzcld geodata build",
        "registry": {"file": "geodata/territories.yaml", "sha256": registry_sha},
        "inputs": inputs,
        "outputs": [{"file": rel, "sha256": hashes[rel], "bytes": (out / rel).stat().st_size} for rel in OUTPUT_FILES],
        "parameters": {
            "crs_exact": LAMBERT72,
            "crs_web": WGS84,
            "unit_simplification_m": UNIT_TOLERANCE_M,
            "commune_simplification_m": COMMUNE_TOLERANCE_M,
            "context_simplification_m": CONTEXT_TOLERANCE_M,
            "simplification": "shapely.coverage_simplify (Visvalingam-Whyatt, topologie préservée)",
            "coordinate_decimals": COORD_DECIMALS,
            "sector_geometry": "polygones Statbel si disponibles, sinon cellules de Voronoï des points "
            "d'adresse BeST de la commune, fusionnées par secteur et découpées à la commune",
            "postcode_geometry": "cellules de Voronoï des adresses ICAR de la commune, fusionnées par code "
            "postal et découpées à la commune",
            "commune_geometry": "union des secteurs Statbel si disponibles, sinon communes Statbel 2011 "
            "(codes REFNIS convertis vers 2019) moins les secteurs officiels des autres communes",
            "gpkg_timestamp": GPKG_TIMESTAMP,
        },
        "statistics": {
            "territories": len(terr_props),
            "units": len(unit_props),
            "elementary_units": len(perim),
            "voronoi_address_points": int(ctx.voronoi_points),
            "places": len(context_layers["places"]),
        },
        "warnings": warnings,
        "attribution": {lang: translate("geodata.attribution", lang) for lang in LANGUAGES},
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
    seconds = time.perf_counter() - started
    say(f"Terminé en {seconds:.1f} s : {data_version}.")
    return BuildResult(out_dir=out, outputs=hashes, data_version=data_version, warnings=warnings, seconds=seconds)


def _province_name(raw_name: str) -> str:
    """``Province de Liège`` → ``Liège``; ``Province du Brabant wallon`` → ``Brabant wallon``."""
    for prefix in ("Province de ", "Province du ", "Province d’", "Province d'"):
        if raw_name.startswith(prefix):
            return raw_name[len(prefix) :]
    return raw_name
