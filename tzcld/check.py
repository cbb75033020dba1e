"""Address or point → verdict (the :class:`Checker` and its :class:`CheckResult`).

Glue between :mod:`tzcld.geocode` (text → point), :mod:`tzcld.coords` (typed coordinates)
and :mod:`tzcld.eligibility` (point → inside / outside / undetermined). Messages are in the
caller's language (``lang``). Nothing here stores, logs or sends an address.

Output fields (the CLI contract): :data:`FIELDS`; JSON adds ``precision`` and
``data_version`` (:data:`JSON_FIELDS`). Tables of rows in and out are
:mod:`tzcld.check_tables`; re-checking an earlier batch's results, :mod:`tzcld.recheck`;
the map of an answer, :func:`tzcld.maps.result_map`.

The perimeters are the *published* ones (committed geodata with the approved versions on
top, :mod:`tzcld.perimeters.published`), handed out by the runtime
(:attr:`tzcld.runtime.Runtime.perimeters`, with its fallback when the database is down).
Every answer names the version used (``data_version``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tzcld.coords import (
    SYSTEM_LAMBERT72,
    SYSTEM_LAMBERT2008,
    CoordinateError,
    Point,
    looks_like_coordinates,
    parse_point,
)
from tzcld.eligibility import Classification, Classifier, Reason, SpreadSummary
from tzcld.formatting import format_number, join_list
from tzcld.geocode.base import Candidate, Geocoder, GeocodeResult, MatchQuality
from tzcld.i18n import DEFAULT_LANG, place_name, t, territory_name

#: Columns added to every output row (stable contract).
FIELDS: tuple[str, ...] = (
    "status",
    "territory_id",
    "territory_name",
    "unit",
    "match_quality",
    "matched_address",
    "lat",
    "lon",
    "distance_to_boundary_m",
    "message",
)
JSON_FIELDS: tuple[str, ...] = FIELDS + ("precision", "data_version")
STATUSES: tuple[str, ...] = ("inside", "outside", "undetermined", "not_found", "error")

#: An area (commune, postcode, former commune) whose addresses all fall in one territory or
#: outside every territory but this share, lying within :data:`AREA_STRAY_M` of a boundary
#: (the perimeters and the register come from different sources), is read as whole.
AREA_STRAYS_SHARE = 0.005
AREA_STRAY_M = 30.0


@dataclass
class CheckResult:
    """One verdict. Distances in metres; ``lat``/``lon`` WGS84 degrees (rounded to 6 decimals)."""

    status: str
    territory_id: str | None = None
    territory_name: str | None = None
    unit: str | None = None
    match_quality: str | None = None
    matched_address: str | None = None
    lat: float | None = None
    lon: float | None = None
    distance_to_boundary_m: float | None = None
    message: str = ""
    precision: str | None = None
    data_version: str = ""
    score: float | None = None
    nearest_territory_id: str | None = None
    nearest_territory_name: str | None = None
    distance_to_territory_m: float | None = None
    sector: str | None = None
    candidates: list[dict] = field(default_factory=list)
    index_version: str | None = None
    #: The verdict in one sentence (the first of ``message``), then the explanations.
    headline: str = ""
    details: list[str] = field(default_factory=list)
    #: ``"ended"`` when the territory has ended (no more hiring there), else ``None``.
    territory_status: str | None = None

    def as_row(self) -> dict:
        """The :data:`FIELDS` of this result (for tables)."""
        return {k: getattr(self, k) for k in FIELDS}

    def as_json(self) -> dict:
        """Everything, JSON-ready (``None`` for unknowns, never 0)."""
        out = asdict(self)
        for k, v in list(out.items()):
            if isinstance(v, float) and not math.isfinite(v):
                out[k] = None
        return out


#: Up to this many register addresses, an answer's addresses are located directly rather than
#: the whole register once (0.26 s for 1.37 M addresses: worth it for areas and for a server).
LOCATE_DIRECT = 20_000

#: The EPSG code said for coordinates read in Lambert: by :attr:`Point.crs`, and by the system
#: codes of :func:`tzcld.coords.read_columns`.
_POINT_CRS = {"lambert72": "EPSG:31370", "lambert2008": "EPSG:3812"}
_SYSTEM_CRS = {SYSTEM_LAMBERT72: _POINT_CRS["lambert72"], SYSTEM_LAMBERT2008: _POINT_CRS["lambert2008"]}

#: Where ``Checker._rows`` puts the distance in a message said once for many distances.
_DISTANCE_MARK = "\x00"


def _factorize_rows(keys: dict[str, np.ndarray]) -> tuple[np.ndarray, list[tuple]]:
    """Codes of the distinct rows of ``keys`` (columns of the same length) and those rows (as
    tuples), in order of first appearance: the columns' codes packed in one integer when they
    fit, else a MultiIndex. Plain arrays, not a frame: pandas would turn a column of texts into
    its own text type first."""
    codes = []
    firsts = []
    n = len(next(iter(keys.values()))) if keys else 0
    for values in keys.values():
        c, u = pd.factorize(values, use_na_sentinel=False)
        codes.append(np.asarray(c, np.int64))
        firsts.append(u)
    packed = np.zeros(n, np.int64)
    room = 1
    for c, u in zip(codes, firsts, strict=True):
        room *= max(len(u), 1)
        if room >= 2**62:
            frame = pd.DataFrame(
                {name: pd.Series(v, dtype=object if v.dtype == object else None) for name, v in keys.items()}
            )
            gcodes, groups = pd.factorize(pd.MultiIndex.from_frame(frame))
            return np.asarray(gcodes), list(groups)
        packed = packed * max(len(u), 1) + c
    gcodes, uniques = pd.factorize(packed)
    first = np.zeros(len(uniques), np.int64)
    first[gcodes[::-1]] = np.arange(n - 1, -1, -1)  # the first row of each group
    columns = [values[first].tolist() for values in keys.values()]
    return np.asarray(gcodes), list(zip(*columns, strict=True))


class _BIT:
    """:class:`Reason`'s bits as plain ints, for the messages (see ``Checker._message``)."""

    INDICATIVE = int(Reason.INDICATIVE)
    NEAR_BOUNDARY = int(Reason.NEAR_BOUNDARY)
    STREET_CROSSES = int(Reason.STREET_CROSSES)
    AREA_CROSSES = int(Reason.AREA_CROSSES)
    SECTOR_TRUTH = int(Reason.SECTOR_TRUTH)
    SECTOR_CONFLICT = int(Reason.SECTOR_CONFLICT)
    AMBIGUOUS = int(Reason.AMBIGUOUS)
    CONFLICT = int(Reason.CONFLICT)
    NUMBER_UNSURE = int(Reason.NUMBER_UNSURE)


#: The reasons that make a verdict a "maybe".
_UNSURE = int(
    Reason.STREET_CROSSES
    | Reason.AREA_CROSSES
    | Reason.AMBIGUOUS
    | Reason.CONFLICT
    | Reason.NUMBER_UNSURE
    | Reason.NUMBER_OFF_STREET
)


def format_distance(metres: float | None, lang: str = DEFAULT_LANG) -> str:
    """``8.2 → '8 m'``, ``1530 → '1,5 km'`` (French decimals)."""
    if metres is None or not math.isfinite(metres):
        return ""
    if metres < 1000:
        return t("check.page.meters", lang, value=format_number(round(metres), 0, lang))
    return t("check.page.kilometers", lang, value=format_number(metres / 1000, 1, lang))


#: Candidates shown with an answer (its message names the first five). An answer that retains
#: no address and names no place shows one per territory first: more when more territories
#: hold one (17 at most).
MAX_CANDIDATES = 6


def _candidate_xy(c: Candidate) -> tuple[float, float]:
    """A candidate's point in EPSG:31370 metres (from its degrees when the geocoder gave no metres)."""
    if c.x is not None and c.y is not None:
        return c.x, c.y
    from tzcld.geometry import to_lambert

    x, y = to_lambert(np.array([c.lat], float), np.array([c.lon], float))
    return float(x[0]), float(y[0])


def _territories_first(names: Sequence[str], territory: Sequence[int], exact: Sequence[bool]) -> list[str]:
    """The candidates ``names`` to show when nothing tells them apart (no address retained, no
    place typed), most likely first: the typed address where it exists (``exact[k]``) before
    the streets without that number; within each, the places in a territory
    (``territory[k] >= 0``) first — the first of each territory, then the second of each, … —
    then the others, in the given order. :data:`MAX_CANDIDATES` of them, or one per
    territory of the first kind when there are more."""
    nth: dict[tuple[bool, int], int] = {}
    keys: list[tuple[int, int, int, int]] = []
    for pos, (terr, own) in enumerate(zip(territory, exact, strict=True)):
        if terr >= 0:
            keys.append((int(not own), 0, nth.get((own, terr), 0), pos))
            nth[own, terr] = nth.get((own, terr), 0) + 1
        else:
            keys.append((int(not own), 1, 0, pos))
    first = any(exact)
    count = max(MAX_CANDIDATES, sum(1 for own, _terr in nth if own == first))
    order = sorted(range(len(names)), key=keys.__getitem__)
    return [names[k] for k in order[:count]]


def candidate_text(c: Mapping[str, Any], lang: str = DEFAULT_LANG) -> str:
    """One candidate of an answer (a :attr:`CheckResult.candidates` item) with where it falls:
    ``Rue de la Station 5, 6181 Courcelles (territoire « Courcelles »)``, ``Rue de la Station,
    7700 Mouscron (rue seulement, hors territoire)``; the label alone for an item that says
    nothing of it (an answer of an earlier version). The same text on every surface."""
    label = str(c.get("label") or "")
    status = c.get("status")
    if status not in ("inside", "outside", "undetermined"):
        return label
    tid, name = c.get("territory_id"), c.get("territory_name")
    said = territory_name(str(tid), lang, str(name or tid)) if tid else None
    if said and c.get("territory_status") == "ended":
        where = t("check.candidate.territory_ended", lang, territory=said)
    elif said:
        where = t("check.candidate.territory", lang, territory=said)
    else:
        where = ""
    if status == "inside" and where:
        answer = where
    elif status == "outside":
        answer = t("check.candidate.outside", lang)
    elif where:
        answer = t("check.candidate.maybe", lang, where=where)
    else:
        answer = t("check.candidate.unsure", lang)
    if c.get("match_quality") == MatchQuality.STREET_ONLY.value:
        answer = t("check.candidate.street", lang, answer=answer)
    return t("check.candidate.shown", lang, label=label, answer=answer)


class Checker:
    """Answers "is this in a territory?" for texts, points and tables.

    ``geocoder`` may be ``None`` (no address index): addresses then answer ``error`` with a
    clear message, coordinates still work.
    """

    def __init__(self, classifier: Classifier, geocoder: Geocoder | None = None, lang: str = DEFAULT_LANG) -> None:
        self.classifier = classifier
        self.geocoder = geocoder
        self.lang = lang
        self._ended_cache: dict[str, str] | None = None
        #: Distances as said in the messages of :meth:`_rows`, kept from a chunk to the next (the
        #: distances shown are rounded: a few thousand at most).
        self._distances_said: dict[float, str] = {}

    # ------------------------------------------------------------------ names in messages
    def _said_territory(self, index: int) -> str | None:
        """A territory's name in the messages, in the checker's language (the fields
        ``territory_name`` and ``unit`` keep the registry's names, whatever the language)."""
        name = self.classifier.territory_name(index)
        if name is None or self.lang == DEFAULT_LANG:
            return name
        return territory_name(self.classifier.territory_ids[index], self.lang, name)

    def _said_unit(self, unit: str | None) -> str | None:
        """A unit's description in the messages, in the checker's language."""
        return place_name(str(unit), self.lang) if unit is not None and self.lang != DEFAULT_LANG else unit

    # ------------------------------------------------------------------ single
    def check_text(self, text: str) -> CheckResult:
        """Coordinates if the text is two numbers (or degrees, or a map link), else an address."""
        if looks_like_coordinates(text):
            return self.check_point_texts([text])[0]
        return self.check_address(text)

    def check_point_texts(self, texts: Sequence[str]) -> list[CheckResult]:
        """Texts of coordinates (:func:`looks_like_coordinates`) checked as :meth:`check_text`
        checks one, the points classified together; a text that is no point gets its message."""
        read: list[Point | CheckResult] = []
        for text in texts:
            try:
                read.append(parse_point(text))
            except CoordinateError as exc:
                message = t(exc.key, self.lang, **exc.params)
                read.append(CheckResult("error", message=message, data_version=self.classifier.data_version))
        checked = iter(self.check_points([p for p in read if isinstance(p, Point)]))
        return [next(checked) if isinstance(p, Point) else p for p in read]

    def check_latlon(self, lat: float, lon: float) -> CheckResult:
        """Check WGS84 degrees (swapped values are recognised and put back)."""
        from tzcld.coords import read_pair

        try:
            return self.check_point(read_pair(float(lat), float(lon)))
        except (CoordinateError, ValueError) as exc:
            key = exc.key if isinstance(exc, CoordinateError) else "check.msg.coords_unreadable"
            params = exc.params if isinstance(exc, CoordinateError) else {"text": f"{lat} {lon}"}
            return CheckResult("error", message=t(key, self.lang, **params), data_version=self.classifier.data_version)

    def check_point(self, point: Point) -> CheckResult:
        return self.check_points([point])[0]

    def check_points(self, points: Sequence[Point]) -> list[CheckResult]:
        """:meth:`check_point` of each point, classified together (one pass for a file's column)."""
        if not points:
            return []
        cls = self.classifier.classify(np.array([p.x for p in points]), np.array([p.y for p in points]))
        out = []
        for i, point in enumerate(points):
            notes: list[str] = []
            if point.swapped:
                notes.append(t("check.msg.swapped", self.lang))
            if point.crs != "wgs84":
                notes.append(t("check.msg.lambert", self.lang, crs=_POINT_CRS[point.crs]))
            if not point.in_wallonia:
                notes.append(t("check.msg.out_of_wallonia", self.lang))
            res = self._result(cls, i, notes=notes)
            res.lat, res.lon = round(point.lat, 6), round(point.lon, 6)
            out.append(res)
        return out

    def check_address(self, text: str) -> CheckResult:
        if not str(text or "").strip():
            return CheckResult(
                "error", message=t("check.msg.empty", self.lang), data_version=self.classifier.data_version
            )
        if self.geocoder is None:
            return CheckResult(
                "error", message=t("check.msg.index_missing", self.lang), data_version=self.classifier.data_version
            )
        g = self.geocoder.geocode(text)
        return self._from_geocode([g])[0]

    # ------------------------------------------------------------------ batch
    def check_addresses(
        self,
        texts: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
        coordinates: Sequence[bool] | None = None,
    ) -> list[CheckResult]:
        """Geocode and classify many addresses; ``progress(done, total)`` is called as it goes.
        A text that is coordinates (or a map link) is checked as that point, as by
        :meth:`check_text` — a column of ``50.648, 5.615`` is no column of addresses not found.
        ``coordinates``: which texts are known to be coordinates already (:func:`looks_like_coordinates`
        of each), else read here. The geocoder is asked only for the other non-empty texts."""
        total = len(texts)
        results: list[GeocodeResult | None] = [None] * total
        if coordinates is not None:
            at = [i for i, point in enumerate(coordinates) if point]
        else:
            at = [i for i, text in enumerate(texts) if text is not None and looks_like_coordinates(str(text))]
        points = dict(zip(at, self.check_point_texts([str(texts[i]) for i in at]), strict=True))
        todo = (
            [i for i, text in enumerate(texts) if text is not None and str(text).strip() and i not in points]
            if self.geocoder
            else []
        )
        chunk = max(200, min(2000, total // 50 or 1))
        if progress:
            progress(0, total)
        for start in range(0, len(todo), chunk):
            assert self.geocoder is not None  # todo is empty without a geocoder
            part = todo[start : start + chunk]
            for i, g in zip(part, self.geocoder.geocode_many([str(texts[i]) for i in part])):
                results[i] = g
            if progress:
                progress(min(total, (todo[start + len(part) - 1] + 1) if part else total), total)
        if progress:
            progress(total, total)
        found = [g for g in results if g is not None]
        verdicts = iter(self._from_geocode(found)) if found else iter(())
        out: list[CheckResult] = []
        for i, res in enumerate(results):
            if i in points:
                out.append(points[i])
            elif res is None:
                blank = texts[i] is None or not str(texts[i]).strip()
                key = "check.msg.index_missing" if self.geocoder is None and not blank else "check.msg.empty"
                out.append(CheckResult("error", message=t(key, self.lang), data_version=self.classifier.data_version))
            else:
                out.append(next(verdicts))
        return out

    # ------------------------------------------------------------------ verdicts
    def _from_geocode(self, geos: list[GeocodeResult]) -> list[CheckResult]:
        x = np.array([g.x if g.has_point else np.nan for g in geos], float)
        y = np.array([g.y if g.has_point else np.nan for g in geos], float)
        sectors = np.array([g.sector or "" for g in geos], dtype=object)
        cls = self.classifier.classify(x, y, sectors=sectors)
        # which answers are areas, and which retain no address (homonyms that disagree)
        kinds: list[tuple[bool, SpreadSummary | None]] = []
        for g in geos:
            area = not g.found or g.quality is MatchQuality.COMMUNE_ONLY or not g.has_point
            kinds.append((area, None if area else self._split_alternatives(g)))
        shown = self._answer_candidates(geos, [split is not None for _area, split in kinds])
        out: list[CheckResult] = []
        for i, g in enumerate(geos):
            if not g.found:
                key = "check.msg.no_street" if g.reason == "no_street" else "check.msg.not_found"
                res = CheckResult(
                    "not_found",
                    match_quality=MatchQuality.NOT_FOUND.value,
                    message=t(key, self.lang),
                    data_version=self.classifier.data_version,
                    index_version=g.source or None,
                    score=None,
                )
                res.headline = res.message
                out.append(res)
                continue
            area, alternatives = kinds[i]
            cands = shown[i]
            if area:
                res = self._area_result(g, cands)
            elif alternatives is not None:  # several places, different answers: none retained
                res = self._ambiguous_result(g, alternatives, cands)
            else:
                res = self._point_result(cls, i, g, cands)
            # no address retained: no quality of one either (each candidate says its own)
            res.match_quality = g.quality.value if alternatives is None else None
            res.matched_address = g.matched_address if alternatives is None else None
            if not area and alternatives is None:
                res.lat = round(g.lat, 6) if g.lat is not None else None
                res.lon = round(g.lon, 6) if g.lon is not None else None
            res.score = g.score if g.quality is not MatchQuality.COMMUNE_ONLY else None
            res.sector = g.sector if alternatives is None else None
            res.index_version = g.source or None
            res.candidates = cands
            out.append(res)
        return out

    def _answer_candidates(self, geos: Sequence[GeocodeResult], none_retained: Sequence[bool]) -> list[list[dict]]:
        """The candidates each answer shows, each with where it falls: its ``status``,
        ``territory_id``, ``territory_name`` and ``territory_status`` are those a check of that
        place alone gives (an exact address: its point; a street: its point, "à vérifier" when
        its addresses do not all give the same answer), its ``match_quality`` what it is.

        Which, in which order (deterministic): the geocoder's order (the typed address where it
        exists first, then nearness to the typed place: see
        :meth:`tzcld.geocode.register.RegisterGeocoder._candidates`), the first
        :data:`MAX_CANDIDATES`; but when the answer retains no address and the text names no
        place, the typed address where it exists first, and among those the places in a
        territory first, one per territory before a second in the same one
        (:func:`_territories_first`: the counsellor sees her territory's), then the others.
        Each place is answered once per call (a batch repeats them)."""
        c = self.classifier
        places: dict[str, Candidate] = {}
        for g in geos:
            for cand in g.candidates:
                places.setdefault(cand.label, cand)
        if not places:
            return [[] for _ in geos]
        at = {label: k for k, label in enumerate(places)}
        xy = np.array([_candidate_xy(p) for p in places.values()], float).reshape(-1, 2)
        sectors = np.array([p.sector or "" for p in places.values()], dtype=object)
        # the territory of each place of the answers that choose by territory (no distances)
        sorting = [bool(none and not g.typed_place) for g, none in zip(geos, none_retained, strict=True)]
        where: dict[str, int] = {}
        if any(sorting):
            keyed = list(dict.fromkeys(p.label for g, s in zip(geos, sorting) if s for p in g.candidates))
            rows = np.array([at[n] for n in keyed], np.int64)
            located = c.classify(xy[rows, 0], xy[rows, 1], sectors=sectors[rows], with_distance=False).territory
            where = dict(zip(keyed, located.tolist(), strict=True))
        picked: list[list[str]] = []
        for g, by_territory in zip(geos, sorting, strict=True):
            names = [p.label for p in g.candidates]
            if by_territory:
                exact = [p.quality is MatchQuality.EXACT for p in g.candidates]
                picked.append(_territories_first(names, [where[n] for n in names], exact))
            else:
                picked.append(names[:MAX_CANDIDATES])
        wanted = list(dict.fromkeys(n for names in picked for n in names))
        rows = np.array([at[n] for n in wanted], np.int64)
        cls = c.classify(xy[rows, 0], xy[rows, 1], sectors=sectors[rows])
        answers: dict[str, dict] = {}
        for k, label in enumerate(wanted):
            p = places[label]
            status = str(cls.status[k]) if cls.status[k] is not None else "undetermined"
            if p.quality is not MatchQuality.EXACT and p.idx is not None and len(p.idx) > 1:
                if not self._summary(None, p.idx).unanimous:
                    status = "undetermined"  # a street across a boundary (as checked alone)
            terr = int(cls.territory[k])
            tid = c.territory_ids[terr] if terr >= 0 else None
            ended = status in ("inside", "undetermined") and tid is not None and tid in self._ended()
            answers[label] = {
                "label": label,
                "score": p.score,
                "lat": round(p.lat, 6) if p.lat is not None else None,
                "lon": round(p.lon, 6) if p.lon is not None else None,
                "match_quality": p.quality.value if p.quality is not None else None,
                "status": status,
                "territory_id": tid,
                "territory_name": c.territory_name(terr),
                "territory_status": "ended" if ended else None,
            }
        return [[dict(answers[n]) for n in names] for names in picked]

    def _summary(self, xy: np.ndarray | None, idx: np.ndarray | None, area: bool = False):
        """Where the points an answer stands for fall (:class:`tzcld.eligibility.SpreadSummary`):
        from the register's addresses located once per classifier when the offline
        geocoder gave their indices, else from the points.

        ``area``: the points are a whole commune / postcode / former commune, whose own
        addresses belong to it by definition; a few of them (at most
        :data:`AREA_STRAYS_SHARE`) just across a territory boundary drawn from other data
        (within :data:`AREA_STRAY_M`) do not make the area "partly inside".
        """
        c = self.classifier
        index = getattr(self.geocoder, "index", None)
        if idx is not None and index is not None:
            key = ("register", str(index.folder), len(index.x), index.meta.get("build_seconds"))
            if len(idx) <= LOCATE_DIRECT and not c.has_located(key):
                units = c.locate(index.x[idx], index.y[idx])  # a street: not worth the whole register
            else:
                units = c.located(key, index.x, index.y)[idx]
            px, py = index.x[idx], index.y[idx]
        elif xy is not None and len(xy):
            units = c.locate(xy[:, 0], xy[:, 1])
            px, py = xy[:, 0], xy[:, 1]
        else:
            return c.summary_of_units(np.empty(0, dtype=np.int32))
        if area and len(units):
            terr = np.where(units >= 0, c.unit_territory[np.maximum(units, 0)], -1)
            values, counts = np.unique(terr, return_counts=True)
            if len(values) > 1:
                major = values[int(np.argmax(counts))]
                stray = np.flatnonzero(terr != major)
                if len(stray) <= AREA_STRAYS_SHARE * len(terr):
                    dist, _ = c.boundary_distance(px[stray], py[stray])
                    if np.all(np.nan_to_num(dist, nan=np.inf) <= AREA_STRAY_M):
                        keep = np.ones(len(units), bool)
                        keep[stray] = False
                        units = units[keep]
        return c.summary_of_units(units)

    def _candidates_text(self, g: GeocodeResult, cands: Sequence[dict]) -> str:
        """The first five candidates of an answer, each with where it falls (:func:`candidate_text`)."""
        text = join_list((candidate_text(c, self.lang) for c in cands[:5]), self.lang)
        if g.n_matches > 5:
            text += " " + t("check.msg.and_more", self.lang, total=g.n_matches)
        return text

    def _point_result(self, cls: Classification, i: int, g: GeocodeResult, cands: Sequence[dict]) -> CheckResult:
        """The verdict of an answer that is a point (exact address, nearest number, street).

        Firm only when every place the answer may stand for gives the same answer: the
        street's addresses (street only, or a number off the street), the neighbours of a
        missing number, the homonymous streets, and the typed area when the match
        contradicts the typed postcode or locality.
        """
        lang = self.lang
        extra = Reason.NONE
        notes: list[str] = []
        if g.spread_xy is not None and len(g.spread_xy):
            if not self._summary(g.spread_xy, g.spread_idx).unanimous:
                off_street = g.quality is MatchQuality.STREET_ONLY or not g.number_on_street
                extra |= Reason.STREET_CROSSES if off_street else Reason.NUMBER_UNSURE

        cand_text = self._candidates_text(g, cands)
        lead: list[str] = []
        if g.quality is MatchQuality.NEAREST_NUMBER and not g.number_on_street:
            # a number far from every number of the street: the street may not be the one meant
            extra |= Reason.NUMBER_OFF_STREET
            lead.append(t("check.msg.number_off_street", lang, nearest=g.nearest_number or ""))
        if g.conflict:
            key = "check.msg.conflict_postcode" if g.conflict == "postcode" else "check.msg.conflict_locality"
            found = ", ".join(g.matched_address.split(", ")[1:]) if g.matched_address else ""
            lead.append(t(key, lang, typed=g.typed_place or "", found=found))
        if g.alternatives_xy is not None and len(g.alternatives_xy):
            # homonyms that disagree without a conflict went to _ambiguous_result: here they agree
            split = g.conflict and not self._summary(g.alternatives_xy, g.alternatives_idx).unanimous
            if split:
                extra |= Reason.CONFLICT
            elif g.ambiguous:
                notes.append(t("check.msg.ambiguous", lang, candidates=cand_text))
        if g.unknown_place:
            notes.append(t("check.msg.unknown_place", lang, place=g.unknown_place))
        if g.quality is MatchQuality.NEAREST_NUMBER and g.nearest_number and g.number_on_street:
            notes.append(t("check.msg.nearest_number", lang, nearest=g.nearest_number))
        return self._result(cls, i, extra=extra, notes=notes, sector=g.sector, candidates=cand_text, lead=lead)

    def _split_alternatives(self, g: GeocodeResult) -> SpreadSummary | None:
        """Where the homonymous places of an answer fall, when they do not all give the same
        answer and the typed text does not choose among them (no contradicting postcode or
        locality): then no address is retained (:meth:`_ambiguous_result`); else ``None``."""
        if g.conflict or g.alternatives_xy is None or not len(g.alternatives_xy):
            return None
        summary = self._summary(g.alternatives_xy, g.alternatives_idx)
        return None if summary.unanimous else summary

    def _ambiguous_result(self, g: GeocodeResult, where: SpreadSummary, cands: Sequence[dict]) -> CheckResult:
        """The verdict of a text that stands for several places giving different answers
        ("Rue de la Station 1": a hundred communes): "à vérifier", saying where the places
        fall and listing them; no address, point or distance of one of them is put forward
        as the answer (which one is meant is not known)."""
        lang = self.lang
        names = [str(self._said_territory(k)) for k in where.territories]
        if len(names) == 1:
            places = t("check.msg.where_one", lang, territory=names[0])
        elif len(names) <= 3:
            places = t("check.msg.where_some", lang, count=len(names), territories=join_list(names, lang))
        else:
            places = t("check.msg.where_many", lang, count=len(names))
        key = "check.msg.ambiguous_in_and_out" if where.outside else "check.msg.ambiguous_territories"
        headline = t(key, lang, places=places)
        details = [t("check.msg.ambiguous_split", lang, candidates=self._candidates_text(g, cands))]
        if g.unknown_place:
            details.append(t("check.msg.unknown_place", lang, place=g.unknown_place))
        res = CheckResult("undetermined", data_version=self.classifier.data_version)
        self._finish(res, headline, details)
        return res

    def _area_result(self, g: GeocodeResult, cands: Sequence[dict]) -> CheckResult:
        """The verdict of an answer that is only an area (a commune, a postcode, a former
        commune): never "inside" on the strength of a centre point — firm only when the
        whole area is in one territory (and its perimeter is not indicative), or outside
        every territory; no point, no distance."""
        c = self.classifier
        lang = self.lang
        area = g.matched_address or g.typed_place or ""
        summary = self._summary(g.spread_xy, g.spread_idx, area=True)
        notes: list[str] = []
        territory = summary.territories[0] if len(summary.territories) == 1 else -1
        if cands:
            notes.append(t("check.msg.area_candidates", lang, candidates=self._candidates_text(g, cands)))
        if summary.unanimous and not summary.territories and g.spread_xy is not None and len(g.spread_xy):
            status, headline = "outside", t("check.msg.area_outside", lang, area=area)
        elif summary.unanimous and territory >= 0:
            name = self._said_territory(territory)
            status = "undetermined" if summary.indicative else "inside"
            headline = t("check.msg.area_inside", lang, area=area, territory=name)
            if summary.indicative:
                notes.append(t("check.msg.indicative", lang))
        else:
            status = "undetermined"
            names = join_list((self._said_territory(k) for k in summary.territories), lang)
            headline = (
                t("check.msg.area_crosses", lang, area=area, territories=names)
                if names
                else t("check.msg.area_unknown", lang, area=area)
            )
        tid = c.territory_ids[territory] if territory >= 0 else None
        res = CheckResult(
            status=status,
            territory_id=tid,
            territory_name=c.territory_name(territory),
            precision=c.territory_precision.get(tid) if tid else None,
            data_version=c.data_version,
        )
        self._finish(res, headline, notes)
        return res

    def _finish(self, res: CheckResult, headline: str, details: Sequence[str]) -> None:
        """Set ``headline``, ``details`` and ``message`` (the two joined); an ended
        territory says so first."""
        details = list(details)
        ended = self._ended().get(res.territory_id or "")
        if ended is not None and res.status in ("inside", "undetermined"):
            res.territory_status = "ended"
            details.insert(0, t("check.msg.ended", self.lang, date=ended))
        res.headline = headline
        res.details = details
        res.message = " ".join([headline, *details]).strip()

    def _ended(self) -> dict[str, str]:
        """Ended territories (registry ``status: ended``) → the date they ended."""
        if self._ended_cache is None:
            from tzcld.territories import load_registry

            self._ended_cache = {t_.id: t_.status_date or "" for t_ in load_registry() if t_.status == "ended"}
        return self._ended_cache

    def _message(
        self,
        status: str,
        reasons: int,
        territory: str | None,
        unit: str | None,
        nearest: str | None,
        dist_terr: float,
        dist_b: float,
        sector: str | None = None,
        candidates: str = "",
        distance_text: str | None = None,
    ) -> list[str]:
        """The headline (first) then the details of a point's verdict; ``distance_text``, when
        given, is said for the distance to the nearest territory instead of ``dist_terr``."""
        lang = self.lang
        parts: list[str] = []
        reasons = int(reasons)  # plain ints: IntFlag arithmetic costs a microsecond per operation
        if reasons & _UNSURE:
            if territory:
                parts.append(t("check.msg.maybe_inside", lang, territory=territory, unit=unit or ""))
            else:
                parts.append(t("check.msg.maybe_outside", lang))
        elif status == "undetermined" and territory and reasons & _BIT.INDICATIVE:
            parts.append(t("check.msg.inside_indicative", lang, territory=territory, unit=unit or ""))
        elif status == "inside" or (status == "undetermined" and territory):
            parts.append(t("check.msg.inside", lang, territory=territory, unit=unit or ""))
        elif nearest and (distance_text is not None or math.isfinite(dist_terr)):
            said = format_distance(dist_terr, lang) if distance_text is None else distance_text
            parts.append(t("check.msg.outside", lang, territory=nearest, distance=said))
        else:
            parts.append(t("check.msg.outside_none", lang))
        if reasons & _BIT.INDICATIVE:
            parts.append(t("check.msg.indicative", lang))
        if reasons & _BIT.NEAR_BOUNDARY:
            parts.append(t("check.msg.near_boundary", lang, distance=format_distance(dist_b, lang)))
        if reasons & _BIT.STREET_CROSSES:
            parts.append(t("check.msg.street_crosses", lang))
        if reasons & _BIT.NUMBER_UNSURE:
            parts.append(t("check.msg.number_unsure", lang))
        if reasons & _BIT.AREA_CROSSES:
            parts.append(t("check.msg.area_crosses_short", lang))
        if reasons & _BIT.AMBIGUOUS:
            parts.append(t("check.msg.ambiguous_split", lang, candidates=candidates))
        if reasons & _BIT.CONFLICT:
            parts.append(t("check.msg.conflict_split", lang))
        if reasons & _BIT.SECTOR_CONFLICT and not reasons & _BIT.SECTOR_TRUTH:
            parts.append(t("check.msg.sector_conflict", lang))
        if sector and reasons & _BIT.SECTOR_TRUTH:
            parts.append(t("check.msg.sector_truth", lang, sector=sector))
        return parts

    def _result(
        self,
        cls: Classification,
        i: int,
        extra: int = 0,
        notes: Sequence[str] = (),
        sector: str | None = None,
        candidates: str = "",
        lead: Sequence[str] = (),
    ) -> CheckResult:
        """The verdict of point ``i`` of ``cls``; ``extra`` reasons make it undetermined;
        ``lead`` explanations come right after the headline, ``notes`` at the end."""
        c = self.classifier
        status = cls.status[i]
        reasons = int(cls.reasons[i]) | int(extra)
        if status is None:
            text = t("check.msg.coordinates_invalid", self.lang)
            return CheckResult("error", message=text, data_version=c.data_version, headline=text)
        if extra and status != "undetermined":
            status = "undetermined"
        terr = int(cls.territory[i])
        unit = int(cls.unit[i])
        near = int(cls.nearest[i])
        tid = c.territory_ids[terr] if terr >= 0 else None
        dist_b = float(cls.distance_to_boundary_m[i])
        dist_t = float(cls.distance_to_territory_m[i])
        parts = self._message(
            status,
            reasons,
            self._said_territory(terr),
            self._said_unit(c.unit_names[unit]) if unit >= 0 else None,
            self._said_territory(near),
            dist_t,
            dist_b,
            sector,
            candidates,
        )
        res = CheckResult(
            status=status,
            territory_id=tid,
            territory_name=c.territory_name(terr),
            unit=str(c.unit_names[unit]) if unit >= 0 else None,
            distance_to_boundary_m=round(dist_b, 1) if math.isfinite(dist_b) else None,
            precision=str(c.unit_precision[unit])
            if unit >= 0
            else (c.territory_precision.get(c.territory_ids[near]) if near >= 0 else None),
            data_version=c.data_version,
            nearest_territory_id=c.territory_ids[near] if near >= 0 else None,
            nearest_territory_name=c.territory_name(near),
            distance_to_territory_m=round(dist_t, 1) if math.isfinite(dist_t) else None,
        )
        self._finish(res, parts[0], [*lead, *parts[1:], *notes])
        return res

    def _rows(
        self,
        cls: Classification,
        valid: np.ndarray,
        swapped: np.ndarray,
        in_wallonia: np.ndarray,
        system: np.ndarray | None = None,
        compact: bool = False,
    ) -> pd.DataFrame:
        """Vectorised table of verdicts for coordinate rows (fast path for big files). With
        ``compact``, the text columns (status, territory, unit, message) are categoricals (each
        distinct text once, a code per row: what the writers of :mod:`tzcld.table_writer` turn
        into the same cells without the texts spread on the rows), else texts typed as a frame
        of those objects would be. ``system``: the system each row was read in (codes of
        :func:`tzcld.coords.read_columns`; WGS84 for all when not given), said as one check says it."""
        c = self.classifier
        n = len(cls.status)
        status = np.where(valid, cls.status, "error").astype(object)
        tids = np.array(c.territory_ids + ("",), dtype=object)
        names = np.array([c.territory_name(k) for k in range(len(c.territory_ids))] + [None], dtype=object)
        terr = np.where(cls.territory >= 0, cls.territory, len(c.territory_ids))
        units = np.append(c.unit_names, [None]).astype(object)
        unit = np.where(cls.unit >= 0, cls.unit, len(c.unit_names))
        dist_b = np.round(cls.distance_to_boundary_m, 1)
        # messages: one per distinct verdict (status, reasons, territory, unit, nearest, ...), said
        # once with a mark where the distance to the nearest territory goes, then that mark replaced
        # by each distinct shown distance (rounded as said: metres under 1 km, else 100 m)
        near = cls.nearest
        dist_t = cls.distance_to_territory_m
        shown_t = np.where(dist_t < 1000, np.round(dist_t), np.round(dist_t / 100) * 100)
        shown_b = np.round(cls.distance_to_boundary_m)
        keys = {
            "s": status,
            "r": cls.reasons,
            "t": terr,
            "u": unit,
            "n": near,
            "db": np.where((cls.reasons & Reason.NEAR_BOUNDARY) != 0, shown_b, -1),
            "sw": swapped,
            "w": in_wallonia,
            "c": np.zeros(n, np.int8) if system is None else system,
            "v": valid,
        }
        gcodes, groups = _factorize_rows(keys)
        dcodes, distances = pd.factorize(shown_t)  # -1: no distance (NaN)
        width = len(distances) + 1
        codes, combos = pd.factorize(np.asarray(gcodes, np.int64) * width + (np.asarray(dcodes, np.int64) + 1))
        said: dict[tuple[int, bool], str] = {}
        shown: dict[int, str] = {}

        def group_text(g: int, with_distance: bool) -> str:
            if (g, with_distance) not in said:
                s, r, tt, u, nn, db, sw, w, cs, _v = groups[g]
                if s == "error":
                    said[g, with_distance] = t("check.msg.coordinates_invalid", self.lang)
                    return said[g, with_distance]
                parts = self._message(
                    s,
                    int(r),
                    self._said_territory(int(tt)) if tt < len(c.territory_ids) else None,
                    self._said_unit(units[u]),
                    self._said_territory(int(nn)),
                    math.nan,
                    float(db),
                    distance_text=_DISTANCE_MARK if with_distance else None,
                )
                ended = self._ended().get(c.territory_ids[int(tt)] if tt < len(c.territory_ids) else "")
                if ended is not None and s in ("inside", "undetermined"):
                    parts.insert(1, t("check.msg.ended", self.lang, date=ended))
                if sw:
                    parts.append(t("check.msg.swapped", self.lang))
                if cs:
                    parts.append(t("check.msg.lambert", self.lang, crs=_SYSTEM_CRS[int(cs)]))
                if not w:
                    parts.append(t("check.msg.out_of_wallonia", self.lang))
                said[g, with_distance] = " ".join(parts)
            return said[g, with_distance]

        texts = []
        for combo in combos.tolist():
            g, d = divmod(combo, width)
            text = group_text(g, d > 0)
            if _DISTANCE_MARK in text:
                if d not in shown:
                    metres = float(distances[d - 1])
                    if metres not in self._distances_said:
                        if len(self._distances_said) >= 100_000:
                            self._distances_said.clear()
                        self._distances_said[metres] = format_distance(metres, self.lang)
                    shown[d] = self._distances_said[metres]
                text = text.replace(_DISTANCE_MARK, shown[d])
            texts.append(text)
        # the columns said once per distinct verdict (a group), then spread on the rows
        per_group = [
            (s, tids[tt], names[tt], units[u]) if v else (s, None, None, None) for s, _r, tt, u, *_, v in groups
        ]
        said_columns = list(zip(*per_group, strict=True)) if per_group else [(), (), (), ()]
        spread = _coded if compact else _TextColumns(n).column
        return pd.DataFrame(
            {
                "status": spread(said_columns[0], gcodes),
                "territory_id": spread(said_columns[1], gcodes),
                "territory_name": spread(said_columns[2], gcodes),
                "unit": spread(said_columns[3], gcodes),
                "match_quality": None,
                "matched_address": None,
                "lat": np.nan,
                "lon": np.nan,
                "distance_to_boundary_m": np.where(valid, dist_b, np.nan),
                "message": spread(texts, codes),
            }
        )


def _coded(values: Sequence[str | None], codes: np.ndarray) -> pd.Categorical:
    """The column whose row ``i`` is ``values[codes[i]]`` as a categorical: the distinct texts of
    ``values`` once (``None``: missing, code -1) and a code per row."""
    said, distinct = pd.factorize(np.array(values, dtype=object))  # None: -1
    rows = np.asarray(said, np.int64)[np.asarray(codes, np.int64)] if len(values) else np.full(len(codes), -1)
    return pd.Categorical.from_codes(rows, categories=pd.Index(distinct, dtype="str"))


class _TextColumns:
    """Columns of ``n`` rows from their distinct values and each row's code, typed as
    :class:`pandas.DataFrame` infers an array of those objects (the same frame as from the
    objects themselves), without an object per row: pandas' arrow-backed text (the default of
    pandas 3) taken straight from the distinct values, objects otherwise."""

    _dtype: object = False  # not looked at yet

    def __init__(self, n: int) -> None:
        self.n = n
        if _TextColumns._dtype is False:
            inferred = pd.DataFrame({"a": np.array(["x", None], dtype=object)})["a"].dtype
            arrow = isinstance(inferred, pd.StringDtype) and inferred.storage == "pyarrow"
            _TextColumns._dtype = inferred if arrow else None

    def column(self, values: Sequence[str | None], codes: np.ndarray):
        table = np.array([*values, None], dtype=object)
        if self._dtype is None or not self.n or all(v is None for v in values):
            return table[codes] if self.n else np.array([], dtype=object)
        import pyarrow as pa

        picked = pa.array(table, type=pa.large_string()).take(pa.array(np.asarray(codes, dtype=np.int64)))
        return pd.array(picked, dtype=self._dtype)
