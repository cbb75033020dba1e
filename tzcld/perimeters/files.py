"""Uploaded perimeter files → polygons in Belgian Lambert 72 (EPSG:31370, metres).

Formats: GeoJSON (``.geojson``/``.json``), zipped Shapefile (``.zip`` holding one
``.shp`` with its ``.dbf``/``.shx``/``.prj``), GeoPackage (``.gpkg``, first layer with
polygons), KML (``.kml``). The CRS is read from the file; EPSG:4326 (and its equivalents
OGC:CRS84, EPSG:4258), EPSG:31370 and EPSG:3812 are recognised. A file without a CRS
(e.g. a Shapefile without ``.prj``) is recognised from its coordinates when they can only
be read one way in Wallonia, else refused.

Refusals (:class:`~tzcld.perimeters.errors.PerimeterFileError`, French messages): too
large (as received, or once a zip is unpacked: members' declared sizes, then their real
sizes counted while they are copied out), too many features (counted before the file is
read), unreadable, empty, not a polygon, unknown CRS, outside Wallonia. Messages never show
the server's temporary paths. Invalid geometries are repaired with ``shapely.make_valid``
and listed in the report.
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS

from tzcld.config import LAMBERT72, LAMBERT2008, WGS84, FileLimits
from tzcld.geometry import polygon_parts
from tzcld.perimeters.errors import PerimeterFileError

#: Largest accepted upload (bytes).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: A zipped Shapefile may unpack to this many times :data:`MAX_FILE_BYTES` (and never more
#: than the ``TZCLD_MAX_UNCOMPRESSED_MB`` setting).
UNZIPPED_FACTOR = 5
#: Largest accepted number of features, and of vertices over all features.
MAX_FEATURES = 5_000
MAX_VERTICES = 2_000_000
#: File name endings accepted, by format label.
FORMATS: dict[str, tuple[str, ...]] = {
    "GeoJSON": (".geojson", ".json"),
    "Shapefile (zip)": (".zip",),
    "GeoPackage": (".gpkg",),
    "KML": (".kml",),
}
ACCEPTED_SUFFIXES: tuple[str, ...] = tuple(s for v in FORMATS.values() for s in v)
#: EPSG codes recognised, with the CRS they are read as.
RECOGNISED_EPSG: dict[int, str] = {4326: WGS84, 4258: WGS84, 31370: LAMBERT72, 3812: LAMBERT2008}
#: Generous bounding boxes of Wallonia in each recognised CRS (minx, miny, maxx, maxy).
WALLONIA_BOXES: dict[str, tuple[float, float, float, float]] = {
    WGS84: (2.5, 49.3, 6.6, 51.0),
    LAMBERT72: (20_000.0, 15_000.0, 300_000.0, 180_000.0),
    LAMBERT2008: (520_000.0, 515_000.0, 800_000.0, 680_000.0),
}
#: Columns that may hold a feature's name (first found wins), case-insensitive.
NAME_COLUMNS: tuple[str, ...] = ("nom", "name", "unit", "unite", "quartier", "label", "libelle", "description")


@dataclass
class FileReport:
    """What was read: format, CRS (and how it was recognised), counts, repairs, warnings.

    ``warnings`` holds ``(message key, params)`` pairs of the ``perimeter`` domain.
    """

    filename: str
    format: str
    crs: str
    crs_from: str  # "file" | "coordinates"
    features: int
    polygons: int
    repaired: list[dict] = field(default_factory=list)  # {"feature": i, "name": ..., "reason": ...}
    dropped_non_polygons: int = 0
    warnings: list[tuple[str, dict]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "format": self.format,
            "crs": self.crs,
            "crs_from": self.crs_from,
            "features": self.features,
            "polygons": self.polygons,
            "repaired": self.repaired,
            "dropped_non_polygons": self.dropped_non_polygons,
            "warnings": [[k, p] for k, p in self.warnings],
        }


def file_format(filename: str) -> str:
    """The format label of ``filename`` from its ending; raises for other files."""
    lower = filename.lower()
    for label, suffixes in FORMATS.items():
        if lower.endswith(suffixes):
            return label
    raise PerimeterFileError("file.bad_format", name=filename, formats=", ".join(ACCEPTED_SUFFIXES))


def _read_layer(path: Path, layer) -> gpd.GeoDataFrame:
    """One layer, after checking its announced feature count (nothing big is read)."""
    try:
        count = int(pyogrio.read_info(path, layer=layer).get("features", -1))
    except Exception:  # noqa: BLE001 - the read below says what is wrong
        count = -1
    if count > MAX_FEATURES:
        raise PerimeterFileError("file.too_many_features", count=count, limit=MAX_FEATURES)
    return pyogrio.read_dataframe(path, layer=layer)


def _read_any(path: Path, fmt: str) -> gpd.GeoDataFrame:
    """Read the first layer with polygons (GeoPackage/KML may have several)."""
    layers = pyogrio.list_layers(path)
    if len(layers) == 0:
        raise PerimeterFileError("file.empty")
    chosen = None
    for name, gtype in layers:
        if gtype and "polygon" in str(gtype).lower():
            chosen = name
            break
    if chosen is None:
        # geometry type unknown (e.g. KML, GeoJSON): take the first non-empty layer with polygons
        for name, _ in layers:
            frame = _read_layer(path, name)
            if len(frame) and frame.geometry.notna().any():
                if any(polygon_parts(g) is not None for g in frame.geometry.values):
                    return frame
        name = layers[0][0]
        return _read_layer(path, name)
    return _read_layer(path, chosen)


def unzipped_limit(limits: FileLimits | None = None) -> int:
    """Most bytes a zipped upload may unpack to (capped by the settings' ``limits``)."""
    return min(UNZIPPED_FACTOR * MAX_FILE_BYTES, (limits or FileLimits()).max_uncompressed_bytes)


def _open_zip(path: Path, work: Path, filename: str, limit: int) -> Path:
    from tzcld.batch_io import MAX_ZIP_MEMBERS, BatchInputError, zip_member_count

    try:
        with path.open("rb") as raw:
            if zip_member_count(raw) > MAX_ZIP_MEMBERS:
                raise PerimeterFileError("file.unreadable", name=filename, detail="zip")
        with zipfile.ZipFile(path) as zf:
            members = [
                info
                for info in zf.infolist()
                if not info.filename.startswith("__MACOSX/") and not info.filename.endswith("/")
            ]
            declared = sum(info.file_size for info in members)
            if declared > limit:
                raise PerimeterFileError(
                    "file.too_large_unzipped", size=math.ceil(declared / 1e6), limit=round(limit / 1e6)
                )
            written = 0
            for info in members:
                target = work / Path(info.filename).name  # flatten: never write outside ``work``
                with zf.open(info) as src, target.open("wb") as dst:
                    own = 0
                    while block := src.read(1 << 20):
                        own += len(block)
                        written += len(block)
                        if own > info.file_size or written > limit:  # inflates beyond what it says
                            raise PerimeterFileError(
                                "file.too_large_unzipped", size=math.ceil(written / 1e6), limit=round(limit / 1e6)
                            )
                        dst.write(block)
    except PerimeterFileError:
        raise
    except (zipfile.BadZipFile, BatchInputError, EOFError, NotImplementedError, ValueError) as exc:
        raise PerimeterFileError("file.unreadable", name=filename, detail="zip") from exc
    shp = sorted(work.glob("*.shp"))
    if not shp:
        gpkg = sorted(work.glob("*.gpkg")) + sorted(work.glob("*.geojson")) + sorted(work.glob("*.kml"))
        if gpkg:
            return gpkg[0]
        raise PerimeterFileError("file.zip_without_shp", name=filename)
    return shp[0]


def _crs_of(gdf: gpd.GeoDataFrame, geoms: np.ndarray) -> tuple[str, str]:
    """(CRS, how it was recognised) of the file, or :class:`PerimeterFileError`."""
    if gdf.crs is not None:
        crs = CRS.from_user_input(gdf.crs)
        if crs.equals(CRS.from_user_input("OGC:CRS84")):
            return WGS84, "file"
        epsg = crs.to_epsg(min_confidence=70)
        if epsg in RECOGNISED_EPSG:
            return RECOGNISED_EPSG[epsg], "file"
        raise PerimeterFileError("file.unknown_crs", crs=crs.name or str(crs))
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    fits = [
        crs
        for crs, (bx0, by0, bx1, by1) in WALLONIA_BOXES.items()
        if minx >= bx0 and maxx <= bx1 and miny >= by0 and maxy <= by1
    ]
    if len(fits) == 1:
        return fits[0], "coordinates"
    raise PerimeterFileError("file.no_crs")


def read_perimeter_file(
    data: bytes,
    filename: str,
    wallonia: shapely.Geometry | None = None,
    limits: FileLimits | None = None,
) -> tuple[gpd.GeoDataFrame, FileReport]:
    """Read an uploaded perimeter file into polygons in EPSG:31370.

    Returns a GeoDataFrame with ``name`` (the feature's name, or ``"<file> n"``) and a
    MultiPolygon ``geometry`` per polygonal feature, and a :class:`FileReport`.
    ``wallonia`` (EPSG:31370) is the region's outline for the "outside Wallonia" check;
    by default the committed ``geodata/context/wallonia.geojson``; ``limits`` the settings'
    reading limits (a zipped file unpacks to :func:`unzipped_limit` at most). Raises :class:`~tzcld.perimeters.errors.PerimeterFileError` (French message).
    """
    fmt = file_format(filename)
    if len(data) > MAX_FILE_BYTES:
        raise PerimeterFileError("file.too_large", size=round(len(data) / 1e6, 1), limit=round(MAX_FILE_BYTES / 1e6))
    if not data or not data.strip():
        raise PerimeterFileError("file.empty")
    with tempfile.TemporaryDirectory(prefix="tzcld-perimeter-") as tmp:
        work = Path(tmp)
        suffix = Path(filename).suffix.lower() or ".bin"
        path = work / f"upload{suffix}"
        path.write_bytes(data)
        if fmt == "Shapefile (zip)":
            unpacked = work / "unzipped"
            unpacked.mkdir()
            path = _open_zip(path, unpacked, filename, unzipped_limit(limits))
        try:
            gdf = _read_any(path, fmt)
        except PerimeterFileError:
            raise
        except Exception as exc:
            raise PerimeterFileError("file.unreadable", name=filename, detail=_detail(exc, work, filename)) from exc
    if len(gdf) > MAX_FEATURES:
        raise PerimeterFileError("file.too_many_features", count=len(gdf), limit=MAX_FEATURES)
    geoms = gdf.geometry.values if gdf.geometry is not None else np.array([], dtype=object)
    present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    if not len(gdf) or not present.any():
        raise PerimeterFileError("file.empty")
    vertices = int(shapely.get_num_coordinates(np.asarray(geoms[present])).sum())
    if vertices > MAX_VERTICES:
        raise PerimeterFileError("file.too_many_vertices", count=vertices, limit=MAX_VERTICES)
    crs, crs_from = _crs_of(gdf, np.asarray(geoms[present]))
    names = _names(gdf, filename)
    repaired: list[dict] = []
    kept_geoms: list = []
    kept_names: list[str] = []
    dropped = 0
    for i, (geom, name) in enumerate(zip(geoms, names, strict=True)):
        if geom is None or geom.is_empty:
            continue
        if geom.has_z:
            geom = shapely.force_2d(geom)
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            repaired.append({"feature": i + 1, "name": name, "reason": reason})
        poly = polygon_parts(geom)
        if poly is None:
            dropped += 1
            continue
        kept_geoms.append(poly)
        kept_names.append(name)
    if not kept_geoms:
        types = sorted({g.geom_type for g in geoms if g is not None and not g.is_empty})
        raise PerimeterFileError("file.not_polygon", types=", ".join(types))
    out = gpd.GeoDataFrame({"name": kept_names}, geometry=kept_geoms, crs=crs).to_crs(LAMBERT72)
    out["geometry"] = [polygon_parts(shapely.make_valid(g)) if not g.is_valid else g for g in out.geometry.values]
    out = out[out.geometry.notna()].reset_index(drop=True)
    region = wallonia if wallonia is not None else wallonia_outline()
    if region is not None:
        union = shapely.union_all(out.geometry.values)
        if not shapely.intersects(union, region):
            raise PerimeterFileError("file.outside_wallonia", crs=crs)
    report = FileReport(
        filename=filename,
        format=fmt,
        crs=crs,
        crs_from=crs_from,
        features=len(gdf),
        polygons=len(out),
        repaired=repaired,
        dropped_non_polygons=dropped,
    )
    if repaired:
        report.warnings.append(("file.repaired", {"count": len(repaired)}))
    if dropped:
        report.warnings.append(("file.dropped", {"count": dropped}))
    if crs_from == "coordinates":
        report.warnings.append(("file.crs_guessed", {"crs": crs}))
    return out, report


def _detail(exc: Exception, work: Path, filename: str) -> str:
    """The reader's first line of error, without the server's temporary paths."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    for folder in sorted({str(work), str(work.resolve())}, key=len, reverse=True):
        text = re.sub(re.escape(folder) + r"[^\s'\":,)]*", filename, text)
    return text[:160]


def _names(gdf: gpd.GeoDataFrame, filename: str) -> list[str]:
    lower = {str(c).lower(): c for c in gdf.columns if c != gdf.geometry.name}
    stem = Path(filename).stem
    for wanted in NAME_COLUMNS:
        col = lower.get(wanted)
        if col is not None:
            values = gdf[col].astype("string").fillna("").str.strip()
            if (values != "").any():
                return [v if v else f"{stem} {i + 1}" for i, v in enumerate(values)]
    return [stem if len(gdf) == 1 else f"{stem} {i + 1}" for i in range(len(gdf))]


def wallonia_outline() -> shapely.Geometry | None:
    """Wallonia's outline (EPSG:31370) from the committed context layer, buffered by 500 m
    (the layer is simplified); ``None`` when the geodata is not built."""
    from tzcld.geodata.layers import read_context

    try:
        gdf = read_context("wallonia").to_crs(LAMBERT72)
    except (FileNotFoundError, OSError):
        return None
    return shapely.union_all(gdf.geometry.values).buffer(500.0)
