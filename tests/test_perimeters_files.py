"""Uploaded perimeter files: every format and CRS is read back to the same polygon; bad files
get a clear French message (nothing raised but PerimeterFileError)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tzcld.config import LAMBERT72, LAMBERT2008, WGS84
from tzcld.perimeters import files
from tzcld.perimeters.errors import PerimeterFileError
from tzcld.perimeters.files import read_perimeter_file
from tzcld.perimeters.proposals import proposal_from_file

#: A 600 m × 400 m block in the centre of Gembloux, with a 100 m notch (EPSG:31370).
BLOCK = shapely.Polygon(
    [(172300, 138700), (172900, 138700), (172900, 139100), (172500, 139100), (172500, 139000), (172300, 139000)]
)
WALLONIA_BOX = shapely.box(20_000, 15_000, 300_000, 180_000)


def _frame(crs: str, geom=BLOCK, name: str = "Centre") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"nom": [name]}, geometry=[geom], crs=LAMBERT72).to_crs(crs)


def _write(gdf: gpd.GeoDataFrame, path: Path, driver: str) -> bytes:
    gdf.to_file(path, driver=driver)
    return path.read_bytes()


def _zip_shapefile(gdf: gpd.GeoDataFrame, folder: Path, with_prj: bool = True) -> bytes:
    shp = folder / "perimetre.shp"
    gdf.to_file(shp, driver="ESRI Shapefile")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in folder.glob("perimetre.*"):
            if part.suffix == ".prj" and not with_prj:
                continue
            zf.write(part, f"dossier/{part.name}")
    return buf.getvalue()


def _same_block(out: gpd.GeoDataFrame, tolerance_m2: float = 5.0) -> None:
    assert out.crs.to_epsg() == 31370
    assert len(out) == 1
    got = out.geometry.iloc[0]
    assert shapely.symmetric_difference(got, BLOCK).area < tolerance_m2, got.area
    assert got.area == pytest.approx(BLOCK.area, rel=1e-4)


@pytest.mark.parametrize("crs", [WGS84, LAMBERT72, LAMBERT2008])
def test_geojson_in_each_crs(tmp_path, crs):
    data = _write(_frame(crs), tmp_path / "p.geojson", "GeoJSON")
    out, report = read_perimeter_file(data, "perimetre.geojson", wallonia=WALLONIA_BOX)
    _same_block(out)
    assert report.crs == crs and report.crs_from == "file"
    assert report.format == "GeoJSON"
    assert out["name"].tolist() == ["Centre"]


@pytest.mark.parametrize("crs", [WGS84, LAMBERT72, LAMBERT2008])
def test_geopackage_in_each_crs(tmp_path, crs):
    data = _write(_frame(crs), tmp_path / "p.gpkg", "GPKG")
    out, report = read_perimeter_file(data, "perimetre.gpkg", wallonia=WALLONIA_BOX)
    _same_block(out)
    assert (report.format, report.crs) == ("GeoPackage", crs)


@pytest.mark.parametrize("crs", [WGS84, LAMBERT72, LAMBERT2008])
def test_zipped_shapefile_in_each_crs(tmp_path, crs):
    data = _zip_shapefile(_frame(crs), tmp_path)
    out, report = read_perimeter_file(data, "perimetre.zip", wallonia=WALLONIA_BOX)
    _same_block(out)
    assert (report.format, report.crs, report.crs_from) == ("Shapefile (zip)", crs, "file")


@pytest.mark.parametrize("crs", [LAMBERT72, LAMBERT2008])
def test_shapefile_without_prj_is_recognised_from_its_coordinates(tmp_path, crs):
    data = _zip_shapefile(_frame(crs), tmp_path, with_prj=False)
    out, report = read_perimeter_file(data, "perimetre.zip", wallonia=WALLONIA_BOX)
    _same_block(out)
    assert report.crs == crs and report.crs_from == "coordinates"
    assert ("file.crs_guessed", {"crs": crs}) in report.warnings


def test_kml(tmp_path):
    data = _write(_frame(WGS84, name="Quartier de la gare"), tmp_path / "p.kml", "KML")
    out, report = read_perimeter_file(data, "perimetre.kml", wallonia=WALLONIA_BOX)
    _same_block(out)
    assert report.format == "KML" and report.crs == WGS84
    assert out["name"].tolist() == ["Quartier de la gare"]


def test_default_wallonia_outline_accepts_a_walloon_file(tmp_path):
    data = _write(_frame(WGS84), tmp_path / "p.geojson", "GeoJSON")
    out, _ = read_perimeter_file(data, "p.geojson")  # committed geodata/context/wallonia.geojson
    _same_block(out)


def test_invalid_geometry_is_repaired_and_reported(tmp_path):
    bowtie = shapely.Polygon([(172300, 138700), (172900, 139100), (172900, 138700), (172300, 139100)])
    assert not bowtie.is_valid
    data = _write(_frame(LAMBERT72, geom=bowtie), tmp_path / "p.geojson", "GeoJSON")
    out, report = read_perimeter_file(data, "noeud.geojson", wallonia=WALLONIA_BOX)
    geom = out.geometry.iloc[0]
    assert geom.is_valid and geom.area == pytest.approx(2 * 0.5 * 300 * 400, rel=1e-6)
    assert len(report.repaired) == 1 and "Self-intersection" in report.repaired[0]["reason"]
    assert report.warnings[0][0] == "file.repaired"


def test_points_and_lines_are_dropped_but_polygons_kept(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"nom": ["a", "b", "c"]},
        geometry=[BLOCK, shapely.Point(172400, 138800), shapely.LineString([(172300, 138700), (172900, 139100)])],
        crs=LAMBERT72,
    )
    data = _write(gdf, tmp_path / "p.gpkg", "GPKG")
    out, report = read_perimeter_file(data, "mixte.gpkg", wallonia=WALLONIA_BOX)
    _same_block(out)
    assert report.dropped_non_polygons == 2


def _error(data: bytes, name: str, **kw) -> PerimeterFileError:
    with pytest.raises(PerimeterFileError) as info:
        read_perimeter_file(data, name, wallonia=kw.pop("wallonia", WALLONIA_BOX), **kw)
    return info.value


def test_not_a_polygon(tmp_path):
    gdf = gpd.GeoDataFrame({"nom": ["x"]}, geometry=[shapely.Point(172400, 138800)], crs=LAMBERT72)
    exc = _error(_write(gdf, tmp_path / "p.geojson", "GeoJSON"), "points.geojson")
    assert exc.key == "file.not_polygon"
    assert "ne contient pas de polygone" in str(exc) and "Point" in str(exc)


def test_empty_file(tmp_path):
    doc = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    assert _error(doc, "vide.geojson").key == "file.empty"
    assert "vide" in str(_error(b"", "vide.geojson"))


def test_unknown_crs(tmp_path):
    data = _write(_frame("EPSG:32631"), tmp_path / "p.gpkg", "GPKG")
    exc = _error(data, "utm.gpkg")
    assert exc.key == "file.unknown_crs"
    assert "Système de coordonnées non reconnu" in str(exc) and "UTM" in str(exc)


def test_no_crs_and_ambiguous_coordinates(tmp_path):
    # small numbers fit no Belgian CRS: refused rather than guessed
    gdf = gpd.GeoDataFrame({"nom": ["x"]}, geometry=[shapely.box(1, 1, 2, 2)], crs=None)
    data = _zip_shapefile(gdf, tmp_path, with_prj=False)
    assert _error(data, "sans-prj.zip").key == "file.no_crs"


def test_outside_wallonia(tmp_path):
    paris = shapely.box(2.33, 48.85, 2.36, 48.87)
    gdf = gpd.GeoDataFrame({"nom": ["Paris"]}, geometry=[paris], crs=WGS84)
    exc = _error(_write(gdf, tmp_path / "p.geojson", "GeoJSON"), "paris.geojson", wallonia=None)
    assert exc.key == "file.outside_wallonia" and "en dehors de la Wallonie" in str(exc)


def test_swapped_latitude_longitude_is_outside_wallonia(tmp_path):
    swapped = shapely.transform(_frame(WGS84).geometry.iloc[0], lambda xy: xy[:, ::-1])
    gdf = gpd.GeoDataFrame({"nom": ["x"]}, geometry=[swapped], crs=WGS84)
    assert _error(_write(gdf, tmp_path / "p.geojson", "GeoJSON"), "inverse.geojson").key == "file.outside_wallonia"


def test_too_large(tmp_path, monkeypatch):
    data = _write(_frame(LAMBERT72), tmp_path / "p.geojson", "GeoJSON")
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    exc = _error(data, "gros.geojson")
    assert exc.key == "file.too_large" and "trop volumineux" in str(exc)


def test_too_many_vertices(tmp_path, monkeypatch):
    data = _write(_frame(LAMBERT72), tmp_path / "p.geojson", "GeoJSON")
    monkeypatch.setattr(files, "MAX_VERTICES", 3)
    assert _error(data, "detail.geojson").key == "file.too_many_vertices"


def test_unreadable_zip_and_format():
    assert _error(b"not a file at all", "faux.gpkg").key == "file.unreadable"
    assert _error(b"PK\x03\x04 broken", "faux.zip").key == "file.unreadable"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("lisezmoi.txt", "rien")
    assert _error(buf.getvalue(), "sans-shp.zip").key == "file.zip_without_shp"
    exc = _error(b"x", "plan.pdf")
    assert exc.key == "file.bad_format" and ".geojson" in str(exc)


def test_english_message():
    exc = PerimeterFileError("file.empty")
    assert exc.message("fr").startswith("Le fichier est vide")
    assert exc.message("en") == "The file is empty: no geometry."


def test_every_perimeter_message_exists_in_both_languages():
    from tzcld.i18n import catalogue

    fr = {k for k in catalogue("fr") if k.startswith("perimeter.")}
    en = {k for k in catalogue("en") if k.startswith("perimeter.")}
    assert fr == en and len(fr) > 100


def test_proposal_from_file_dissolves_names_and_keeps_the_report(tmp_path):
    a = shapely.box(172300, 138700, 172600, 139000)
    b = shapely.box(172600, 138700, 172900, 139000)
    c = shapely.box(173000, 138700, 173100, 138800)
    gdf = gpd.GeoDataFrame({"nom": ["Centre", "Centre", "Gare"]}, geometry=[a, b, c], crs=LAMBERT72).to_crs(LAMBERT2008)
    data = _write(gdf, tmp_path / "p.gpkg", "GPKG")
    proposal = proposal_from_file("gembloux", data, "officiel.gpkg", wallonia=WALLONIA_BOX)
    assert proposal.method == "file"
    assert proposal.rows["unit"].tolist() == ["Centre", "Gare"]
    assert proposal.rows["unit_kind"].unique().tolist() == ["file"]
    assert proposal.rows["area_m2"].tolist() == pytest.approx([180_000.0, 10_000.0], rel=1e-4)
    assert proposal.rows["commune_refnis"].unique().tolist() == ["92142"]
    assert proposal.inputs["file"]["crs"] == LAMBERT2008
    # a perimeter drawn by the project lead is neither Statbel sectors nor an estimate
    assert proposal.precision == "official"
    from tzcld.maps import precision_label

    assert precision_label(proposal.precision, "fr").startswith("périmètre officiel fourni par le porteur")


def _lying(data: bytes, member: str, told: int) -> bytes:
    """``data`` (a zip) with ``member``'s uncompressed size in the directory replaced by ``told``."""
    import struct

    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + name_len].decode() == member:
            struct.pack_into("<L", out, pos + 24, told)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_a_zipped_bomb_is_refused_from_its_declared_size(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("perimetre.shp", b"\0" * 300_000_000)
    assert len(buf.getvalue()) < 1_000_000
    exc = _error(buf.getvalue(), "bombe.zip")
    assert exc.key == "file.too_large_unzipped"
    assert str(exc).startswith("Fichier trop volumineux une fois décompressé : 300 Mo ou plus ; limite 105 Mo")


def test_a_lying_zip_is_stopped_while_it_is_unpacked(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("perimetre.shp", b"\0" * 30_000_000)
    exc = _error(_lying(buf.getvalue(), "perimetre.shp", 1000), "menteur.zip")
    assert exc.key == "file.unreadable"
    assert "menteur.zip" in str(exc) and "/tmp" not in str(exc)


def test_features_are_counted_before_the_file_is_read(tmp_path, monkeypatch):
    gdf = gpd.GeoDataFrame(
        {"nom": [f"b{i}" for i in range(5)]}, geometry=[BLOCK.buffer(-i) for i in range(5)], crs=LAMBERT72
    )
    data = _write(gdf, tmp_path / "p.gpkg", "GPKG")
    monkeypatch.setattr(files, "MAX_FEATURES", 3)
    read, real = [], files.pyogrio.read_dataframe
    monkeypatch.setattr(files.pyogrio, "read_dataframe", lambda *a, **k: read.append(a) or real(*a, **k))
    exc = _error(data, "beaucoup.gpkg")
    assert exc.key == "file.too_many_features" and read == []


def test_unreadable_files_never_show_server_paths():
    import os

    for name in ("hasard.geojson", "hasard.gpkg", "hasard.kml", "hasard.zip"):
        exc = _error(os.urandom(4000), name)
        assert exc.key == "file.unreadable"
        assert "/tmp" not in str(exc) and "upload." not in str(exc), str(exc)
