"""The published perimeters: committed geodata, with each territory's approved version on top.

Every answer of the address check names the version it used (``data_version``):

- ``2024-10-30+a768c26f`` — the committed geodata only (:func:`tzcld.geodata.layers.data_version`);
- ``2024-10-30+a768c26f+p3.7`` — the committed geodata with approved versions v3 and v7
  (of two territories) in place of those territories' committed perimeters.

:func:`changed_territories` tells which territories' perimeters changed since a batch
was checked with a given version, so that they can be re-checked.

The address check (page, CLI, API) classifies against the published perimeters:
:func:`published_classifier` / :func:`classifier_for` build the classifier (once per version:
cache it by :func:`published_version`); :class:`tzcld.perimeters.provider.PerimeterProvider`
does so for a runtime, with the fallback policy when the database is down. Every reader
takes a :class:`~tzcld.perimeters.store.PerimeterStore` or ``None`` (no database: only the
committed perimeters exist).

**As of a date** ("was this address in the territory on the hiring date?"): every reader
above takes ``on`` (a :class:`datetime.date`) and then uses the versions that were
published on that date — :func:`published_ids_on`: per territory, the latest version
approved on or before that day (Brussels calendar day of the approval); before any
approval, the committed perimeters. :func:`published_on` tells which versions that is and
names them (the same version string as every answer's ``data_version``);
:func:`parse_as_of` reads a date typed by a person or a client (ISO ``YYYY-MM-DD``, not in
the future). The committed perimeters themselves are those of this tree: a date before
they were built still gets them (the committed data has one version, the current one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pandas as pd

from tzcld.config import LAMBERT72
from tzcld.errors import TzcldError
from tzcld.geodata.layers import PERIMETER_COLUMNS
from tzcld.perimeters.versions import BASE_LABEL, latest_approved, version_label
from tzcld.territories import TERRITORY_IDS, load_registry

if TYPE_CHECKING:
    import geopandas as gpd

    from tzcld.eligibility import Classifier
    from tzcld.perimeters.store import PerimeterStore, Version

#: Separator between the committed data version and the approved version ids.
VERSION_MARK = "+p"
#: Columns of the published perimeters (those of ``read_perimeters()`` plus the version).
PUBLISHED_COLUMNS: tuple[str, ...] = (*PERIMETER_COLUMNS, "perimeter_version")

#: The calendar of approval dates: a version approved at 23:30 UTC on 31 March was
#: published on 1 April in Wallonia.
TIMEZONE = ZoneInfo("Europe/Brussels")


def compose_version(base: str, version_ids: list[int] | tuple[int, ...]) -> str:
    """The version string of committed data ``base`` with approved versions ``version_ids``."""
    ids = sorted(int(v) for v in version_ids)
    return base if not ids else f"{base}{VERSION_MARK}{'.'.join(str(i) for i in ids)}"


def parse_version(version: str) -> tuple[str, tuple[int, ...]]:
    """``(committed data version, approved version ids)`` of a version string."""
    if VERSION_MARK in version:
        base, _, tail = version.rpartition(VERSION_MARK)
        try:
            return base, tuple(int(p) for p in tail.split(".") if p)
        except ValueError:
            return version, ()
    return version, ()


def _ids(s: PerimeterStore | None, on: dt.date | None) -> dict[str, int]:
    """Territory → published version id, now (``on`` is ``None``) or on date ``on``."""
    if s is None:
        return {}
    return s.published_ids() if on is None else published_ids_on(s, on)


def published_version(
    store: PerimeterStore | None = None, folder: Path | None = None, on: dt.date | None = None
) -> str:
    """The version string of the published perimeters (cheap: one query, no geometry);
    with ``on``, of those published on that date (:func:`published_ids_on`)."""
    from tzcld.geodata.layers import data_version

    return compose_version(data_version(folder), list(_ids(store, on).values()))


def published_perimeters(
    store: PerimeterStore | None = None, folder: Path | None = None, on: dt.date | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """The exact perimeters in force (EPSG:31370) and their version string (with ``on``:
    those in force on that date, :func:`published_ids_on`).

    Rows of the committed ``geodata/perimeters.gpkg`` (``folder``), except for territories
    with an approved version, whose rows are that version's. Columns
    :data:`PUBLISHED_COLUMNS` + geometry; ``perimeter_version`` is ``base`` or ``v<id>`` per
    row. ``store`` ``None`` gives the committed perimeters.
    """
    import geopandas as gpd

    from tzcld.geodata.layers import data_version, read_perimeters

    committed = read_perimeters(folder)
    committed = committed.assign(perimeter_version=BASE_LABEL)
    ids = _ids(store, on)
    frames = [committed[~committed["territory_id"].isin(list(ids))]]
    for vid in ids.values():
        assert store is not None  # ids come from it
        frames.append(store.rows(vid).assign(perimeter_version=version_label(vid)))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=LAMBERT72)
    order = {t: i for i, t in enumerate(TERRITORY_IDS)}
    out = out.assign(_o=out["territory_id"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")
    out = out[[*PUBLISHED_COLUMNS, "geometry"]].reset_index(drop=True)
    return out, compose_version(data_version(folder), list(ids.values()))


def classifier_for(perimeters: gpd.GeoDataFrame, version: str) -> Classifier:
    """A :class:`tzcld.eligibility.Classifier` over ``perimeters`` (EPSG:31370 rows, e.g. from
    :func:`published_perimeters`) whose answers name ``version`` (their ``data_version``)."""
    from tzcld.eligibility import Classifier

    names = {t.id: t.name for t in load_registry()}
    return Classifier(perimeters, data_version=version, territory_names=names)


def published_classifier(
    store: PerimeterStore | None = None, folder: Path | None = None, on: dt.date | None = None
) -> Classifier:
    """A :class:`tzcld.eligibility.Classifier` over the published perimeters (with ``on``:
    those published on that date); its ``data_version`` is the published version string
    (build once per version: cache it by :func:`published_version`). Without any approved
    version it is the process-wide classifier of the committed perimeters
    (:func:`tzcld.eligibility.default_classifier`)."""
    from tzcld.eligibility import default_classifier

    if store is None or not _ids(store, on):
        return default_classifier(str(folder)) if folder else default_classifier()
    return classifier_for(*published_perimeters(store, folder, on))


@dataclass(frozen=True)
class TerritoryVersion:
    """What is published for one territory: ``label`` (``base`` or ``v<id>``), its date
    (ISO, UTC; the committed data's vintage for ``base``), who approved it and its source."""

    territory_id: str
    label: str
    date: str
    approved_by: str | None
    source: str


def territory_versions(
    store: PerimeterStore | None = None, folder: Path | None = None, on: dt.date | None = None
) -> dict[str, TerritoryVersion]:
    """Per territory, the published perimeter version, its date and source (for exports:
    the GeoJSON and the static site carry them; for answers: the version a verdict used).
    With ``on``: the versions published on that date."""
    from tzcld.geodata.layers import data_version

    base = data_version(folder)
    ids = _ids(store, on)
    out: dict[str, TerritoryVersion] = {}
    for tid in TERRITORY_IDS:
        vid = ids.get(tid)
        v = store.get(vid) if (store is not None and vid is not None) else None
        if v is None:
            out[tid] = TerritoryVersion(tid, BASE_LABEL, base.split("+")[0], None, f"geodata ({base})")
        else:
            date = (v.decided_at or v.created_at).date().isoformat()
            out[tid] = TerritoryVersion(tid, v.label, date, v.decided_by, v.source)
    return out


def changed_territories(since: str, store: PerimeterStore | None = None, folder: Path | None = None) -> list[str]:
    """Territories whose published perimeter differs from the one in version string ``since``
    (e.g. the ``data_version`` of a batch's results): those to re-check. A different
    committed data version changes every territory, and so does an approved version that
    ``store`` does not hold (another database, or none)."""
    from tzcld.geodata.layers import data_version

    base, old_ids = parse_version(since)
    if base != data_version(folder):
        return list(TERRITORY_IDS)
    now = store.published_ids() if store is not None else {}
    old: dict[str, int] = {}
    for vid in old_ids:
        v = store.get(vid) if store is not None else None
        if v is None:  # a version this database does not hold: which territory is unknown
            return list(TERRITORY_IDS)
        old[v.territory_id] = vid
    return [t for t in TERRITORY_IDS if now.get(t) != old.get(t)]


def recheck_mask(
    results: pd.DataFrame,
    store: PerimeterStore | None = None,
    folder: Path | None = None,
    current: str | None = None,
    changed_of: Callable[[str], Collection[str]] | None = None,
) -> pd.Series:
    """Rows of a batch's results (columns ``data_version``, ``territory_id``, ``status``)
    whose answer may have changed with the published perimeters: those checked with another
    version and either in a territory whose perimeter changed since, or not inside any
    territory then (``outside``/``undetermined``: a changed perimeter may now hold them).

    ``current`` (the published version) and ``changed_of`` (an earlier version → the
    territories changed since) may be given when already known: a file read by chunks asks
    the database once (:class:`tzcld.recheck.RecheckPlanner`)."""
    out = pd.Series(False, index=results.index)
    if results.empty or "data_version" not in results:
        return out
    if current is None:
        current = published_version(store, folder)
    for version, group in results.groupby(results["data_version"].fillna("").astype(str)):
        if version == current:
            continue
        if changed_of is not None:
            changed = set(changed_of(version))
        else:
            changed = set(changed_territories(version, store, folder)) if version else set(TERRITORY_IDS)
        if not changed:
            continue
        territory = group["territory_id"] if "territory_id" in group else pd.Series(None, index=group.index)
        status = group["status"] if "status" in group else pd.Series("", index=group.index)
        out.loc[group.index] = territory.isin(changed) | status.isin(["outside", "undetermined"])
    return out


# --------------------------------------------------------------------------- as of a date


class AsOfError(TzcldError, ValueError):
    """A date that cannot be used for a check "as of": ``key`` is an ``asof.*`` message key
    (French and English catalogues), ``params`` its values."""


def today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Wallonia (:data:`TIMEZONE`)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(TIMEZONE).date()


def approval_day(version: Version) -> dt.date:
    """The day (Brussels calendar, :data:`TIMEZONE`) a version was approved: published."""
    at = version.decided_at or version.created_at
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(TIMEZONE).date()


#: A date written day first (``01/03/2025``, ``1.3.2025``, ``01-03-2025``): never month first in Belgium.
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")


def parse_as_of(text: str | dt.date | None, now: dt.datetime | None = None, day_first: bool = False) -> dt.date | None:
    """The date of a check "as of" from what a person or a client gave: ``None`` or blank →
    ``None`` (now); ``YYYY-MM-DD`` → that date; with ``day_first`` (a person at the command
    line, in Belgium), also ``JJ/MM/AAAA`` (or with ``.`` or ``-``) — never for other systems,
    where ``05/01/2024`` may mean 1 May or 5 January. Raises :class:`AsOfError`
    (``asof.invalid``: not an ISO date; ``asof.future``: after today, whose perimeters are
    not known yet)."""
    if text is None:
        return None
    if isinstance(text, dt.datetime):
        raise AsOfError("asof.invalid", text=text.isoformat()[:40])
    if isinstance(text, dt.date):
        day = text
    else:
        raw = str(text).strip()
        if not raw:
            return None
        try:
            if day_first and (written := _DAY_FIRST.fullmatch(raw)):  # 01/03/2025
                d, _, m, y = written.groups()
                day = dt.date(int(y), int(m), int(d))
            elif len(raw) != 10:
                raise ValueError(raw)
            else:
                day = dt.date.fromisoformat(raw)
        except ValueError:
            raise AsOfError("asof.invalid", text=raw[:40]) from None
    if day > today(now):
        raise AsOfError("asof.future", date=day.isoformat(), today=today(now).isoformat())
    return day


def published_ids_on(store: PerimeterStore | None, on: dt.date) -> dict[str, int]:
    """Territory → id of the version published on date ``on``: its latest version approved
    on or before that day (:func:`approval_day`; latest decision, then id, as for the
    version published now). Territories without one used the committed perimeters."""
    if store is None:
        return {}
    return published_ids_from(store.versions(status="approved"), on)


def published_ids_from(approved: list[Version], on: dt.date | None = None) -> dict[str, int]:
    """:func:`published_ids_on` (or, with ``on`` ``None``, the ids published now) from a list
    of approved versions already read (``store.versions(status="approved")``): for callers
    that read the list once and answer many dates."""
    return latest_approved([v for v in approved if v.status == "approved" and (on is None or approval_day(v) <= on)])


@dataclass(frozen=True)
class PublishedOn:
    """Which perimeters were published on ``date`` (``None``: now): ``version_ids``
    (territory → approved version id; the others used the committed perimeters) and
    ``version``, the version string naming them (every answer's ``data_version``)."""

    date: dt.date | None
    version_ids: Mapping[str, int]
    version: str

    def label(self, territory_id: str) -> str:
        """``v<id>`` of the territory's version, or ``base`` (committed perimeters)."""
        return version_label(self.version_ids.get(territory_id))


def published_on(
    store: PerimeterStore | None = None, on: dt.date | None = None, folder: Path | None = None
) -> PublishedOn:
    """The perimeters published on date ``on`` (``None``: now) in ``store`` (``None``: only
    the committed perimeters exist). One query, no geometry: cheap enough for every request;
    build the classifier of :attr:`PublishedOn.version` once and cache it by that string."""
    from tzcld.geodata.layers import data_version

    ids = dict(_ids(store, on))
    return PublishedOn(on, ids, compose_version(data_version(folder), list(ids.values())))
