"""A column of typed addresses → the table of verdicts, in two passes.

1. The exact pass (:func:`tzcld.geocode.exact.exact_pass`) settles, for the whole column at
   once, the texts that name a register address exactly and unambiguously; their verdicts
   are computed together: one classification of all their points, and each distinct
   message written once (:func:`point_messages`: a message depends only on a few codes).
2. Every other text goes the careful way (:meth:`tzcld.check.Checker.check_addresses`:
   fuzzy street names, conflicting postcodes or localities, homonyms, missing numbers,
   areas, junk), row by row.

Both give the same answers as the careful path alone (a test compares them on thousands of
clean and messy texts). Nothing typed is kept or logged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from tzcld.check import FIELDS as _FIELDS
from tzcld.eligibility import Classification, Reason


def _distance_key(d: float) -> tuple:
    """What :func:`tzcld.check.format_distance` shows of ``d``, as a key (same key, same text)."""
    if not math.isfinite(d):
        return ("",)
    if d < 1000:
        return ("m", round(d))
    return ("km", f"{d / 1000:.1f}")


def point_messages(checker, cls: Classification, sectors: Sequence[str | None]) -> list[str]:
    """The message of each point verdict of ``cls`` (no extra reason, note or candidate: an
    exact address), as :meth:`tzcld.check.Checker._result` writes it, each distinct one
    written once: it depends only on the status, the reasons, the territory, unit and nearest
    territory, the distances as shown, the sector when it decides, and whether the territory
    has ended."""
    from tzcld.i18n import t

    c = checker.classifier
    lang = checker.lang
    ended = checker._ended()
    truth = int(Reason.SECTOR_TRUTH)
    near_b = int(Reason.NEAR_BOUNDARY)
    cache: dict[tuple, str] = {}
    out: list[str] = []
    columns = zip(
        cls.status.tolist(),
        cls.reasons.tolist(),
        cls.territory.tolist(),
        cls.unit.tolist(),
        cls.nearest.tolist(),
        cls.distance_to_territory_m.tolist(),
        cls.distance_to_boundary_m.tolist(),
        sectors,
    )
    for status, reasons, terr, unit, near, dist_t, dist_b, sector in columns:
        key = (
            status,
            reasons,
            terr,
            unit,
            near,
            _distance_key(dist_t) if terr < 0 else None,
            _distance_key(dist_b) if reasons & near_b else None,
            sector if (sector and reasons & truth) else None,
        )
        text = cache.get(key)
        if text is None:
            if status is None:
                text = t("check.msg.coordinates_invalid", lang)
            else:
                parts = checker._message(
                    status,
                    reasons,
                    checker._said_territory(terr),
                    checker._said_unit(c.unit_names[unit]) if unit >= 0 else None,
                    checker._said_territory(near),
                    dist_t,
                    dist_b,
                    sector,
                    "",
                )
                tid = c.territory_ids[terr] if terr >= 0 else ""
                when = ended.get(tid)
                if when is not None and status in ("inside", "undetermined"):
                    parts.insert(1, t("check.msg.ended", lang, date=when))
                text = " ".join(parts).strip()
            cache[key] = text
        out.append(text)
    return out


def _exact_columns(checker, geocoder, settled) -> dict[str, list]:
    """The :data:`_FIELDS` of the texts the exact pass settled."""
    idx = geocoder.index
    c = checker.classifier
    a = settled.address
    r = settled.row
    sectors = idx.sector[a]
    cls = c.classify(idx.x[a], idx.y[a], sectors=sectors)
    said_sector = [s or None for s in sectors.tolist()]
    n_terr = len(c.territory_ids)
    tids = [*c.territory_ids, None]
    names = [*(c.territory_name(k) for k in range(n_terr)), None]
    units = [*(str(u) for u in c.unit_names), None]
    terr = np.where(cls.territory >= 0, cls.territory, n_terr).tolist()
    unit = np.where(cls.unit >= 0, cls.unit, len(units) - 1).tolist()
    labels = [
        f"{name} {number}, {pc} {muni}"
        for name, number, pc, muni in zip(
            idx.s_name[r].tolist(), idx.housenumber[a].tolist(), idx.s_postcode[r].tolist(), idx.s_muni[r].tolist()
        )
    ]
    invalid = [s is None for s in cls.status.tolist()]
    return {
        "status": ["error" if bad else s for s, bad in zip(cls.status.tolist(), invalid)],
        "territory_id": [tids[k] for k in terr],
        "territory_name": [names[k] for k in terr],
        "unit": [units[k] for k in unit],
        "match_quality": ["exact"] * len(a),
        "matched_address": labels,
        "lat": [round(v, 6) for v in idx.lat[a].tolist()],
        "lon": [round(v, 6) for v in idx.lon[a].tolist()],
        "distance_to_boundary_m": [
            round(d, 1) if math.isfinite(d) else None for d in cls.distance_to_boundary_m.tolist()
        ],
        "message": point_messages(checker, cls, said_sector),
    }


def address_table(checker, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """The :data:`tzcld.check.FIELDS` of each text, in order: the exact pass, then the
    careful path for the rest (same answers as :meth:`Checker.check_addresses` alone).
    The garbage collector is paused meanwhile (:mod:`tzcld.gcpause`: rows make no cycles)."""
    from tzcld.gcpause import paused

    with paused():
        return _address_table(checker, texts, progress)


def _address_table(checker, texts: Sequence[str], progress: Callable[[int, int], None] | None) -> pd.DataFrame:
    from tzcld.coords import looks_like_coordinates
    from tzcld.geocode.exact import exact_pass, register_of

    texts = ["" if v is None else str(v) for v in texts]
    # decided on the cells: when every non-empty one is a point (a "GPS" column), no address is
    # looked up and the geocoder is not touched (a lazy one never loads the index)
    addresses = any(text.strip() and not looks_like_coordinates(text) for text in texts)
    geocoder = register_of(checker.geocoder) if checker.geocoder is not None and addresses else None
    if geocoder is None:
        coordinates = None if addresses else [bool(text.strip()) for text in texts]
        results = checker.check_addresses(texts, progress, coordinates=coordinates)
        return pd.DataFrame([res.as_row() for res in results], columns=list(_FIELDS))
    total = len(texts)
    if progress:
        progress(0, total)
    settled = exact_pass(geocoder, texts)
    columns: dict[str, list] = {f: [None] * total for f in _FIELDS}
    if len(settled):
        exact = _exact_columns(checker, geocoder, settled)
        where = settled.position.tolist()
        for f in _FIELDS:
            col = columns[f]
            for p, v in zip(where, exact[f]):
                col[p] = v
    done = len(settled)
    mask = np.ones(total, bool)
    mask[settled.position] = False
    rest = np.flatnonzero(mask).tolist()
    if rest:

        def step(n: int, _of: int) -> None:
            if progress:
                progress(done + n, total)

        careful = checker.check_addresses([texts[i] for i in rest], step if progress else None)
        for i, res in zip(rest, careful):
            for f in _FIELDS:
                columns[f][i] = getattr(res, f)
    if progress:
        progress(total, total)
    return pd.DataFrame(columns, columns=list(_FIELDS))
