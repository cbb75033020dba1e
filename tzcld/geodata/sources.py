"""Readers of the raw geodata inputs, in their producers' official schemas.

Every reader takes the raw folder (:attr:`tzcld.runtime.Settings.raw_dir`) and finds its
file by name pattern, so the sample files of ``../shared/geodata`` and the producers' full
official downloads (e.g. ``sh_statbel_statistical_sectors_31370_20240101.gpkg``) both work.
Column names are normalised to lower case; REFNIS and sector codes are strings
(5 digits, zero-padded; sector codes 9 characters as published by Statbel).

CRS: sector polygons and address points are returned in Belgian Lambert 72
(``EPSG:31370``, metres) whatever their file's CRS; administrative units and OSM places
are returned in their file's CRS unless a ``crs`` is asked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from tzcld.config import LAMBERT72


class RawInputError(FileNotFoundError):
    """A raw input is missing or unreadable; the message is in French."""


@dataclass(frozen=True)
class InputSpec:
    """One raw input: how to find it and how to credit it."""

    key: str
    patterns: tuple[str, ...]
    producer: str
    dataset: str
    licence: str
    attribution: str
    vintage: str


#: The raw inputs of the build, with their producers' credits (see ../shared/geodata/SOURCES.md).
INPUTS: dict[str, InputSpec] = {
    spec.key: spec
    for spec in (
        InputSpec(
            key="sector_polygons",
            patterns=(
                "statbel_sectors_*.gpkg",
                "sh_statbel_statistical_sectors_*.gpkg",
                "*statistical_sectors*.gpkg",
            ),
            producer="Statbel (Direction générale Statistique – Statistics Belgium)",
            dataset="Secteurs statistiques (polygones)",
            licence="Licence open data de Statbel",
            attribution="Source : Statbel (Direction générale Statistique – Statistics Belgium)",
            vintage="2023-01-01",
        ),
        InputSpec(
            key="sector_table",
            patterns=("statbel_sectors_table_*.csv", "*sectors*table*.csv", "TF_SECTORS*.csv"),
            producer="Statbel (Direction générale Statistique – Statistics Belgium)",
            dataset="Table des secteurs statistiques",
            licence="Licence open data de Statbel",
            attribution="Source : Statbel (Direction générale Statistique – Statistics Belgium)",
            vintage="2022",
        ),
        InputSpec(
            key="address_points",
            patterns=("best_address_points_sectors*.parquet",),
            producer="BOSA – BeST Address (partie wallonne : SPW – ICAR)",
            dataset="Points d'adresse BeST avec leur secteur statistique",
            licence="Données ouvertes BOSA BeST Address ; SPW – ICAR",
            attribution="BOSA BeST Address ; SPW – ICAR",
            vintage="2024-10-30",
        ),
        InputSpec(
            key="admin_units",
            patterns=("statbel_admin_units_*.gpkg",),
            producer="Statbel (Direction générale Statistique – Statistics Belgium)",
            dataset="Unités administratives (régions, provinces, communes)",
            licence="Statbel open data (redistribué sous CC BY 2.0)",
            attribution="Source : Statbel (Direction générale Statistique – Statistics Belgium)",
            vintage="2011-01-01",
        ),
        InputSpec(
            key="icar_addresses",
            patterns=("icar_addresses_*.parquet",),
            producer="SPW – ICAR",
            dataset="Adresses et rues de Wallonie (ICAR)",
            licence="Données ouvertes du SPW",
            attribution="Source : SPW – ICAR",
            vintage="2019-04-03",
        ),
        InputSpec(
            key="osm_places",
            patterns=("osm_places_*.gpkg",),
            producer="OpenStreetMap",
            dataset="Lieux nommés (place=city, town, village, hamlet, suburb)",
            licence="ODbL 1.0",
            attribution="© les contributeurs d'OpenStreetMap",
            vintage="2015",
        ),
    )
}


def find_input(raw: Path, key: str, required: bool = True) -> Path | None:
    """Path of raw input ``key`` in folder ``raw`` (first match of its patterns, sorted)."""
    spec = INPUTS[key]
    for pattern in spec.patterns:
        matches = sorted(Path(raw).glob(pattern))
        if matches:
            return matches[-1]  # the latest vintage when file names carry a date
    if required:
        raise RawInputError(
            f"Donnée brute introuvable dans « {raw} » : {spec.dataset} ({spec.producer}), "
            f"fichier attendu : {' ou '.join(spec.patterns)}."
        )
    return None


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def refnis(values: pd.Series) -> pd.Series:
    """REFNIS codes as 5-character strings (``3000`` or ``3000.0`` → ``"03000"``)."""
    out = values.astype("string").str.replace(r"\.0+$", "", regex=True).str.strip()
    return out.str.zfill(5)


def _lower_columns(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns={c: c.lower() for c in df.columns if c != "geometry"})


SECTOR_COLUMNS: tuple[str, ...] = (
    "cd_sector",
    "tx_sector_descr_fr",
    "cd_sub_munty",
    "tx_sub_munty_fr",
    "cd_munty_refnis",
    "tx_munty_descr_fr",
    "cd_dstr_refnis",
    "cd_prov_refnis",
    "cd_rgn_refnis",
)


def _normalise_sector_attributes(df: pd.DataFrame) -> pd.DataFrame:
    df = _lower_columns(df)
    missing = [c for c in ("cd_sector", "cd_sub_munty", "cd_munty_refnis") if c not in df.columns]
    if missing:
        raise RawInputError(f"Colonnes Statbel manquantes dans la table des secteurs : {', '.join(missing)}.")
    for col in ("cd_munty_refnis", "cd_dstr_refnis", "cd_prov_refnis", "cd_rgn_refnis"):
        if col in df.columns:
            df[col] = refnis(df[col])
    df["cd_sector"] = df["cd_sector"].astype("string").str.strip()
    df["cd_sub_munty"] = df["cd_sub_munty"].astype("string").str.strip()
    return df


def read_sector_table(raw: Path) -> pd.DataFrame:
    """Statbel's sector table (no geometry), one row per sector, sorted by ``cd_sector``.

    Falls back to the attributes of the sector polygon file when no table is present
    (the full official polygon file carries the same columns).
    """
    path = find_input(raw, "sector_table", required=False)
    if path is not None:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        poly = find_input(raw, "sector_polygons")
        df = pyogrio.read_dataframe(poly, read_geometry=False)
    df = _normalise_sector_attributes(pd.DataFrame(df))
    keep = [c for c in SECTOR_COLUMNS if c in df.columns]
    return df[keep].drop_duplicates("cd_sector").sort_values("cd_sector").reset_index(drop=True)


def read_sector_polygons(raw: Path, communes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Statbel sector polygons in EPSG:31370 (``cd_sector``, ``cd_munty_refnis``, geometry).

    ``communes`` (current REFNIS codes) restricts the rows read. Empty when the raw
    folder has no polygon file.
    """
    path = find_input(raw, "sector_polygons", required=False)
    if path is None:
        return gpd.GeoDataFrame({"cd_sector": [], "cd_munty_refnis": []}, geometry=[], crs=LAMBERT72)
    layers = [name for name, _ in pyogrio.list_layers(path)]
    layer = "sectors" if "sectors" in layers else layers[0]
    gdf = pyogrio.read_dataframe(path, layer=layer)
    gdf = _normalise_sector_attributes(gdf)
    if gdf.crs is None:
        gdf = gdf.set_crs(LAMBERT72)
    gdf = gdf.to_crs(LAMBERT72)
    if communes is not None:
        gdf = gdf[gdf["cd_munty_refnis"].isin(communes)]
    gdf = gdf[["cd_sector", "cd_sub_munty", "cd_munty_refnis", "geometry"]]
    return gdf.sort_values("cd_sector").reset_index(drop=True)


def read_address_points(raw: Path, sectors: list[str] | None = None) -> pd.DataFrame:
    """Sector-tagged BeST address points: ``x``, ``y`` (EPSG:31370, metres), ``cd_sector``.

    Duplicates (same position and sector, e.g. the same building in two extracts or
    several box numbers) are dropped; where one position carries two sectors, the
    smallest sector code is kept so the result does not depend on row order.
    Sorted by ``x``, ``y``. ``sectors`` restricts the rows read.
    """
    path = find_input(raw, "address_points")
    filters = [("cd_sector", "in", sorted(sectors))] if sectors is not None else None
    df = pd.read_parquet(path, columns=["x_31370", "y_31370", "cd_sector"], filters=filters)
    df = df.rename(columns={"x_31370": "x", "y_31370": "y"})
    df["cd_sector"] = df["cd_sector"].astype("string").str.strip()
    df = df.dropna(subset=["x", "y", "cd_sector"])
    df = df.sort_values(["x", "y", "cd_sector"]).drop_duplicates(["x", "y"], keep="first")
    df["x"] = df["x"].astype(np.float64)
    df["y"] = df["y"].astype(np.float64)
    return df.reset_index(drop=True)


def read_icar_points(raw: Path, municipalities: list[str]) -> pd.DataFrame:
    """ICAR addresses of the given communes (ICAR names): ``x``, ``y`` (EPSG:31370, metres),
    ``postcode``, ``municipality``; one row per position (duplicates dropped, the smallest
    postcode kept where one position has two), sorted by ``x``, ``y``."""
    from tzcld.geometry import to_lambert

    path = find_input(raw, "icar_addresses")
    df = pd.read_parquet(
        path,
        columns=["postcode", "municipality", "lat", "lon"],
        filters=[("municipality", "in", sorted(municipalities))],
    )
    df = df.dropna(subset=["lat", "lon", "postcode"])
    x, y = to_lambert(df["lat"].to_numpy(float), df["lon"].to_numpy(float))
    out = pd.DataFrame(
        {
            "x": np.round(x, 2),
            "y": np.round(y, 2),
            "postcode": df["postcode"].astype(str).to_numpy(),
            "municipality": df["municipality"].astype(str).to_numpy(),
        }
    )
    out = out.sort_values(["x", "y", "postcode"]).drop_duplicates(["x", "y"], keep="first")
    return out.reset_index(drop=True)


def read_admin_units(raw: Path, layer: str) -> gpd.GeoDataFrame:
    """One layer of Statbel's administrative units (``regions``, ``provinces``, ``communes``...).

    Columns lower-cased, REFNIS codes as 5-character strings; file CRS kept (EPSG:4326
    for the 2011 file).
    """
    path = find_input(raw, "admin_units")
    gdf = _lower_columns(pyogrio.read_dataframe(path, layer=layer))
    for col in gdf.columns:
        if col.startswith("cd_") and col.endswith("_refnis"):
            gdf[col] = refnis(gdf[col])
    return gdf


def read_osm_places(raw: Path) -> gpd.GeoDataFrame:
    """OpenStreetMap place nodes (``osm_id``, ``name``, ``type``, ``population``), file CRS."""
    path = find_input(raw, "osm_places")
    return _lower_columns(pyogrio.read_dataframe(path, layer="places"))
