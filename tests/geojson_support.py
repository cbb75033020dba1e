"""RFC 7946 checks of the GeoJSON we write, computed independently of shapely.

§3.1.6: a polygon's exterior ring is counterclockwise, its holes clockwise (signed area by
the shoelace formula, longitude as x). :func:`winding_errors` lists the rings that are not,
for a FeatureCollection, a Feature or a bare geometry.
"""

from __future__ import annotations


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:], strict=False)) / 2.0


def _polygons(geometry: dict | None):
    if not geometry:
        return
    kind = geometry.get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    elif kind == "GeometryCollection":
        for g in geometry.get("geometries", []):
            yield from _polygons(g)


def winding_errors(doc: dict) -> list[str]:
    """Rings wound against RFC 7946 (``"<feature id> polygon i ring j"``); ``[]`` when all are right."""
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features", [])
    elif doc.get("type") == "Feature":
        features = [doc]
    else:
        features = [{"geometry": doc}]
    errors = []
    for k, feature in enumerate(features):
        name = feature.get("id") or (feature.get("properties") or {}).get("id") or k
        for i, polygon in enumerate(_polygons(feature.get("geometry"))):
            for j, ring in enumerate(polygon):
                area = _signed_area(ring)
                if (j == 0 and area <= 0) or (j > 0 and area >= 0):
                    errors.append(f"{name} polygon {i} ring {j}")
    return errors


def count_rings(doc: dict) -> int:
    features = doc.get("features", [doc]) if doc.get("type") == "FeatureCollection" else [doc]
    return sum(len(p) for f in features for p in _polygons(f.get("geometry") if "geometry" in f else f))
