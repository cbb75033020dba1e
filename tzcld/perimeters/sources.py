"""Raw inputs of perimeter proposals, loaded once per process.

- the geometry context of the geodata build (:class:`tzcld.geodata.build.GeometryContext`: Statbel
  sector table and polygons, BeST address points, commune polygons), so that a sector
  drawn for a proposal has exactly the geometry the build gives it (official polygon, else
  Voronoi cells of its address points clipped to the commune);
- the ICAR addresses (SPW – ICAR, 2019) of the territories' communes, in Lambert 72.

Everything is in EPSG:31370 (metres). Raw files come from the ``raw`` folder every function
takes (:attr:`tzcld.runtime.Settings.raw_dir`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tzcld.geometry import to_lambert
from tzcld.perimeters.errors import PerimeterError

if TYPE_CHECKING:
    from tzcld.geodata.build import GeometryContext
from tzcld.territories import load_registry

ICAR_FILE = "icar_addresses_wallonia_2019.parquet"
#: Credit line of the address register, shown with every derived number.
ICAR_CREDIT = "SPW – ICAR (extrait du 3 avril 2019)"


def raw_available(raw: str | Path) -> bool:
    """True when the raw inputs needed for sector proposals are present in ``raw``."""
    folder = Path(raw)
    if not folder.is_dir():
        return False
    return any(folder.glob("statbel_sectors_table_*.csv")) or any(folder.glob("*sectors*.gpkg"))


@lru_cache(maxsize=2)
def geometry_context(raw: str) -> GeometryContext:
    """The geodata build's geometry context over the raw folder ``raw``, once per process.
    Raises :class:`PerimeterError` (``error.raw_missing``) without raw data."""
    from tzcld.geodata import build, sources

    folder = Path(raw)
    try:
        return build.GeometryContext(folder, load_registry(), lambda _msg: None)
    except (sources.RawInputError, FileNotFoundError) as exc:
        raise PerimeterError("error.raw_missing", folder=str(folder)) from exc


@lru_cache(maxsize=2)
def _all_territory_addresses(raw: str) -> pd.DataFrame:
    folder = Path(raw)
    path = folder / ICAR_FILE
    if not path.exists():
        raise PerimeterError("error.icar_missing", path=str(path))
    registry = load_registry()
    refnis_of = {c.name: c.refnis for t in registry for c in t.communes}
    territory_of = {c.refnis: t.id for t in registry for c in t.communes}
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(
        path, columns=["postcode", "municipality", "street", "housenumber", "lat", "lon", "icar_street_id"]
    )
    table = table.filter(pc.is_in(table["municipality"], value_set=pa.array(sorted(refnis_of))))
    df = table.to_pandas()
    df = df.dropna(subset=["lat", "lon", "street"]).reset_index(drop=True)
    x, y = to_lambert(df["lat"].to_numpy(float), df["lon"].to_numpy(float))
    out = pd.DataFrame(
        {
            "street_id": df["icar_street_id"].astype(str).to_numpy(object),
            "street": df["street"].astype(str).to_numpy(object),
            "postcode": df["postcode"].astype(str).to_numpy(object),
            "municipality": df["municipality"].astype(str).to_numpy(object),
            "housenumber": df["housenumber"].astype(str).to_numpy(object),
            "x": np.asarray(x, float),
            "y": np.asarray(y, float),
        }
    )
    out["commune_refnis"] = out["municipality"].map(refnis_of)
    out["territory_id"] = out["commune_refnis"].map(territory_of)
    return out.sort_values(["commune_refnis", "street_id"], kind="stable").reset_index(drop=True)


def territory_addresses(territory_id: str, raw: str | Path) -> pd.DataFrame:
    """ICAR addresses of a territory's communes: ``street_id``, ``street``, ``postcode``,
    ``municipality``, ``housenumber``, ``x``, ``y`` (EPSG:31370, metres), ``commune_refnis``.

    The first call reads the register once for all territories (~3 s); later calls are
    instant. Raises :class:`PerimeterError` (``error.icar_missing``) without the raw file.
    """
    df = _all_territory_addresses(str(raw))
    return df[df["territory_id"] == territory_id].drop(columns=["territory_id"]).reset_index(drop=True)


def territory_streets(territory_id: str, raw: str | Path) -> pd.DataFrame:
    """Streets of a territory's communes: ``street_id``, ``street``, ``postcode``,
    ``municipality``, ``commune_refnis``, ``addresses`` (count), sorted by commune and name."""
    df = territory_addresses(territory_id, raw)
    grouped = df.groupby("street_id", sort=False).agg(
        street=("street", "first"),
        postcode=("postcode", lambda s: ", ".join(sorted(set(s)))),
        municipality=("municipality", "first"),
        commune_refnis=("commune_refnis", "first"),
        addresses=("x", "size"),
    )
    out = grouped.reset_index()
    return out.sort_values(["municipality", "street", "street_id"], kind="stable").reset_index(drop=True)
