"""What the Transparence page says: a pure content model, shared by Streamlit and the static site.

:func:`build_transparency` gathers, for one language, the headline figures (each with
its source and date, or "non communiqué"), the methodology text, the perimeter
precision of every territory, the change log of the progress ledger, the data
freshness and the credits of the geodata producers. It returns plain dataclasses:
the Streamlit page (``app_pages/transparence.py``) and the static export
(:mod:`tzcld.export.site`) only render them, so both say exactly the same thing.

No Streamlit here; no I/O except reading the ledger store and the committed
geodata manifest that the caller points to.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from tzcld.formatting import format_date, format_eur, format_number
from tzcld.i18n import catalogue, t
from tzcld.restore import restore_mark
from tzcld.territories import PROGRAMME_JOB_TARGET, Registry, load_registry

#: Scope of programme-wide figures in the ledger and in the facts.
PROGRAMME_SCOPE = "programme"

#: Default number of ledger entries shown in the change log.
CHANGE_LOG_LIMIT = 50


class ObservationSource(Protocol):
    """What this module needs from :class:`tzcld.ledger.Store`."""

    def observations_frame(self, include_superseded: bool = True) -> pd.DataFrame: ...


@dataclass(frozen=True)
class SourcedFigure:
    """One published figure with its provenance.

    ``value`` is ``None`` when unknown; ``display`` is then the "non communiqué" text.
    ``date`` is an ISO date (or partial date as published); ``origin`` is
    ``"facts"`` (the reviewed public facts) or ``"ledger"`` (the progress ledger).
    """

    key: str
    label: str
    value: float | None
    display: str
    unit: str
    date: str | None
    date_display: str
    source_title: str | None
    source_url: str | None
    is_example: bool = False
    origin: str = "facts"


@dataclass(frozen=True)
class TextSection:
    """A heading and its paragraphs (methodology)."""

    key: str
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class PrecisionRow:
    """The perimeter precision and status of one territory, and which perimeter version is
    published (``perimeter_version_label``: ``base`` | ``v<id>``, its ISO date, in words)."""

    territory_id: str
    name: str
    province: str
    precision: str
    precision_label: str
    status: str
    status_label: str
    job_target: int
    indicative: bool
    perimeter_version_label: str | None = None
    perimeter_version_date: str | None = None
    perimeter_version_display: str = ""


@dataclass(frozen=True)
class PublishedPerimeter:
    """What the published perimeters say of one territory (from the published territories
    GeoJSON, see :func:`published_perimeters_from_geojson`)."""

    territory_id: str
    label: str
    date: str | None
    precision: str | None = None
    version: str | None = None

    @property
    def approved(self) -> bool:
        return self.label != "base"


@dataclass(frozen=True)
class ChangeEntry:
    """One ledger observation as shown in the change log.

    ``entered_at`` is an ISO timestamp (UTC as stored); ``period_date`` an ISO date.
    """

    observation_id: str
    entered_at: str
    entered_display: str
    scope: str
    scope_label: str
    metric: str
    metric_label: str
    value_display: str
    period_date: str | None
    period_display: str
    source_title: str | None
    source_url: str | None
    reason: str
    is_correction: bool
    superseded: bool
    is_example: bool
    is_seed: bool = False
    restored: str = ""  # "restauré le …" when a restore wrote it (tzcld.restore)


@dataclass(frozen=True)
class Credit:
    """A data producer to credit, with the dataset, licence and attribution line."""

    producer: str
    dataset: str
    licence: str
    attribution: str


@dataclass(frozen=True)
class TransparencyContent:
    """Everything the Transparence page shows, in one language."""

    lang: str
    title: str
    intro: str
    headline: tuple[SourcedFigure, ...]
    targets_note: str
    unknown_items: tuple[str, ...]
    methodology: tuple[TextSection, ...]
    precision: tuple[PrecisionRow, ...]
    precision_summary: str
    changes: tuple[ChangeEntry, ...]
    ledger_available: bool
    last_update: str | None
    freshness: str
    data_version: str | None
    credits: tuple[Credit, ...]
    credits_notes: tuple[str, ...] = field(default=())
    #: Which perimeters are published, in one sentence (empty when not known).
    perimeters_summary: str = ""

    @property
    def has_example_data(self) -> bool:
        return any(f.is_example for f in self.headline) or any(c.is_example for c in self.changes)


#: Producers credited when the geodata manifest is not available (same wording as the
#: build's manifest; see ../shared/geodata/SOURCES.md).
DEFAULT_CREDITS: tuple[Credit, ...] = (
    Credit(
        producer="Statbel (Direction générale Statistique – Statistics Belgium)",
        dataset="Secteurs statistiques ; unités administratives",
        licence="Licence open data Statbel",
        attribution="Source : Statbel (Direction générale Statistique – Statistics Belgium)",
    ),
    Credit(
        producer="SPW – ICAR",
        dataset="Inventaire Centralisé des Adresses et des Rues",
        licence="Données ouvertes du SPW",
        attribution="Source : SPW – ICAR",
    ),
    Credit(
        producer="BOSA – BeST Address",
        dataset="BeST Address (partie wallonne : SPW ICAR)",
        licence="Données ouvertes BOSA",
        attribution="Source : BOSA BeST Address ; SPW – ICAR",
    ),
    Credit(
        producer="OpenStreetMap",
        dataset="Lieux nommés (villes, villages, quartiers)",
        licence="ODbL 1.0",
        attribution="© les contributeurs d'OpenStreetMap",
    ),
)


# ---------------------------------------------------------------- helpers


def _paragraphs(prefix: str, lang: str) -> tuple[str, ...]:
    """The ``p1, p2, ...`` messages under ``prefix`` (French when missing in ``lang``)."""
    cat = catalogue(lang) if any(k.startswith(prefix + ".p") for k in catalogue(lang)) else catalogue("fr")
    keys = [k for k in cat if k.startswith(prefix + ".p")]
    keys.sort(key=lambda k: int(k.rsplit(".p", 1)[1]))
    return tuple(cat[k] for k in keys)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _iso_date(value: Any) -> str | None:
    """An ISO date string from a date, datetime, Timestamp or string (``None`` if missing)."""
    if _is_missing(value):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _iso_timestamp(value: Any) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.replace(microsecond=0).isoformat()
    return str(value)


def format_partial_date(value: str | None, lang: str) -> str:
    """``2024-09-30 -> 30/09/2024``, ``2024-09 -> 09/2024``, ``2025 -> 2025`` (fr); unknown -> "non communiqué"."""
    if not value:
        return t("transparency.unknown", lang)
    parts = str(value).split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{parts[1]}/{parts[0]}" if lang == "fr" else str(value)
    return format_date(str(value), lang)


def format_value(value: float | None, unit: str | None, lang: str, text: str | None = None) -> str:
    """A figure for display: euros in M€, counts as plain numbers, FTE with their unit.

    Unknown (``None``/NaN) gives "non communiqué", never 0. ``unit == "status"`` shows
    the status ``text`` in words (``active``, ``ended``, ``unconfirmed``).
    """
    unit = (unit or "").strip()
    if unit == "status" and text:
        label = t(f"common.status.{text}", lang)
        return label if not label.startswith("common.") else text
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("transparency.unknown", lang)
    if unit.upper() == "EUR":
        return format_eur(float(value), lang)
    decimals = 0 if float(value).is_integer() else 1
    number = format_number(float(value), decimals, lang)
    if unit == "fte":
        return f"{number} {t('transparency.units.fte', lang)}"
    return number


def _fact_attr(fact: Any, name: str, default: Any = None) -> Any:
    return getattr(fact, name, default) if not isinstance(fact, dict) else fact.get(name, default)


def _fact_label(fact: Any, lang: str) -> str:
    label = _fact_attr(fact, f"label_{lang}") or _fact_attr(fact, "label_fr") or _fact_attr(fact, "key")
    return str(label)


def metric_labels(facts: Iterable[Any], lang: str) -> dict[tuple[str, str], str]:
    """``(scope, metric) -> label`` from the facts (used for ledger rows)."""
    out: dict[tuple[str, str], str] = {}
    for fact in facts:
        out.setdefault((str(_fact_attr(fact, "scope")), str(_fact_attr(fact, "metric"))), _fact_label(fact, lang))
    return out


def _label_for_metric(metric: str, scope: str, labels: dict[tuple[str, str], str], lang: str) -> str:
    if (scope, metric) in labels:
        return labels[(scope, metric)]
    key = f"transparency.metrics.{metric}"
    text = t(key, lang)
    if text != key:
        return text
    for (_, m), label in labels.items():
        if m == metric:
            return label
    return metric


# ---------------------------------------------------------------- sections


def load_facts() -> tuple[Any, ...]:
    """The reviewed public facts (:data:`tzcld.facts.PROGRAMME_FACTS`)."""
    from tzcld.facts import PROGRAMME_FACTS

    return tuple(PROGRAMME_FACTS)


def _fact_figure(fact: Any, lang: str) -> SourcedFigure:
    value = _fact_attr(fact, "value")
    value = None if _is_missing(value) else float(value)
    unit = str(_fact_attr(fact, "unit") or "")
    date = _iso_date(_fact_attr(fact, "date"))
    return SourcedFigure(
        key=str(_fact_attr(fact, "key") or _fact_attr(fact, "metric")),
        label=_fact_label(fact, lang),
        value=value,
        display=format_value(value, unit, lang),
        unit=unit,
        date=date,
        date_display=format_partial_date(date, lang),
        source_title=_fact_attr(fact, "source_title") or None,
        source_url=_fact_attr(fact, "source_url") or None,
        is_example=bool(_fact_attr(fact, "is_example", False)),
        origin="facts",
    )


def headline_figures(
    lang: str,
    facts: Sequence[Any],
    observations: pd.DataFrame | None = None,
    scope: str = PROGRAMME_SCOPE,
    keys: Sequence[str] | None = None,
) -> tuple[SourcedFigure, ...]:
    """Programme-wide figures: the published facts, then newer ledger figures.

    The facts come first (those of ``keys`` in that order, default
    :data:`tzcld.facts.HEADLINE_KEYS`; else every fact of ``scope``). Then, for each
    metric, the most recent current (not superseded) ledger observation of ``scope`` is
    added when it is not one of those facts (same value and date) and is not older than
    them: a figure recorded after the facts shows up with its own source and date.
    """
    facts = tuple(facts)
    if keys is None:
        try:
            from tzcld.facts import HEADLINE_KEYS

            keys = HEADLINE_KEYS
        except ImportError:
            keys = ()
    by_key = {str(_fact_attr(f, "key")): f for f in facts}
    chosen = [by_key[k] for k in keys if k in by_key] or [f for f in facts if str(_fact_attr(f, "scope")) == scope]
    figures = [_fact_figure(f, lang) for f in chosen]
    if observations is None or observations.empty:
        return tuple(figures)
    scope_facts = [f for f in facts if str(_fact_attr(f, "scope")) == scope]
    known = {
        (
            str(_fact_attr(f, "metric")),
            _iso_date(_fact_attr(f, "date")),
            None if _is_missing(_fact_attr(f, "value")) else float(_fact_attr(f, "value")),
        )
        for f in scope_facts
    }
    current = observations[observations["scope"] == scope]
    if "superseded" in current:
        current = current[~current["superseded"].fillna(False).astype(bool)]
    if current.empty:
        return tuple(figures)
    current = current.assign(_period=current["period_date"].map(_iso_date).fillna(""))
    current = current.sort_values(["_period", "entered_at"])
    for metric, rows in current.groupby("metric", sort=False):
        row = rows.iloc[-1]
        date = _iso_date(row["period_date"])
        value = None if _is_missing(row["value"]) else float(row["value"])
        if (str(metric), date, value) in known:
            continue
        fact_dates = [
            _iso_date(_fact_attr(f, "date")) or "" for f in scope_facts if str(_fact_attr(f, "metric")) == str(metric)
        ]
        if fact_dates and (date or "") < max(fact_dates):
            continue
        unit = "" if _is_missing(row.get("unit")) else str(row.get("unit"))
        text = None if _is_missing(row.get("value_text")) else str(row.get("value_text"))
        figures.append(
            SourcedFigure(
                key=f"ledger.{metric}",
                label=_label_for_metric(str(metric), scope, {}, lang),
                value=value,
                display=format_value(value, unit, lang, text),
                unit=unit,
                date=date,
                date_display=format_partial_date(date, lang),
                source_title=None
                if _is_missing(row.get("source_title")) or not row.get("source_title")
                else str(row["source_title"]),
                source_url=None if _is_missing(row.get("source_url")) else str(row["source_url"]),
                is_example=False if _is_missing(row.get("is_example")) else bool(row.get("is_example")),
                origin="ledger",
            )
        )
    return tuple(figures)


def methodology(lang: str) -> tuple[TextSection, ...]:
    """The four methodology sections: jobs, perimeters, eligibility, update frequency."""
    return tuple(
        TextSection(
            key=name,
            heading=t(f"transparency.method.{name}_heading", lang),
            paragraphs=_paragraphs(f"transparency.method.{name}", lang),
        )
        for name in ("jobs", "perimeters", "eligibility", "frequency")
    )


def published_perimeters_from_geojson(doc: dict | None) -> dict[str, PublishedPerimeter]:
    """Territory id → :class:`PublishedPerimeter` from a published territories GeoJSON
    (:func:`tzcld.perimeters.web.published_territories_geojson` or the exported
    ``territoires.geojson``); features without ``perimeter_version_label`` are skipped."""
    out: dict[str, PublishedPerimeter] = {}
    for feature in (doc or {}).get("features", []):
        props = feature.get("properties") or {}
        tid, label = props.get("id"), props.get("perimeter_version_label")
        if not tid or not label:
            continue
        out[str(tid)] = PublishedPerimeter(
            territory_id=str(tid),
            label=str(label),
            date=props.get("perimeter_version_date") or None,
            precision=props.get("precision") or None,
            version=props.get("perimeter_version") or None,
        )
    return out


def precision_rows(
    registry: Registry, lang: str, perimeters: dict[str, PublishedPerimeter] | None = None
) -> tuple[PrecisionRow, ...]:
    """One row per territory, in registry order: precision, status, job target, and the
    published perimeter version when ``perimeters`` is given (an approved version's
    precision replaces the registry's)."""
    from tzcld.formatting import format_perimeter_version

    rows = []
    for ter in registry:
        published = (perimeters or {}).get(ter.id)
        precision = published.precision if published and published.approved and published.precision else ter.precision
        rows.append(
            PrecisionRow(
                territory_id=ter.id,
                name=ter.name,
                province=ter.province,
                precision=precision,
                precision_label=t(f"common.precision.{precision}", lang),
                status=ter.status,
                status_label=t(f"common.status.{ter.status}", lang),
                job_target=ter.job_target,
                indicative=precision == "indicative",
                perimeter_version_label=published.label if published else None,
                perimeter_version_date=published.date if published else None,
                perimeter_version_display=format_perimeter_version(published.label, published.date, lang)
                if published
                else "",
            )
        )
    return tuple(rows)


def perimeters_summary(registry: Registry, lang: str, perimeters: dict[str, PublishedPerimeter] | None) -> str:
    """One sentence: the territories with an approved perimeter version (and its date),
    and the reference data's date for the others (empty without ``perimeters``)."""
    from tzcld.formatting import format_published_perimeters

    if not perimeters:
        return ""
    approved = [
        (ter.name, perimeters[ter.id].label, perimeters[ter.id].date)
        for ter in registry
        if ter.id in perimeters and perimeters[ter.id].approved
    ]
    base = next((p for p in perimeters.values() if not p.approved), None)
    return format_published_perimeters(approved, base.date if base else None, base is not None, lang)


def change_log(
    observations: pd.DataFrame | None,
    registry: Registry,
    lang: str,
    facts: Sequence[Any] = (),
    limit: int = CHANGE_LOG_LIMIT,
) -> tuple[ChangeEntry, ...]:
    """The ledger's entries, most recently entered first (at most ``limit``)."""
    if observations is None or observations.empty:
        return ()
    frame = observations.assign(_entered=pd.to_datetime(observations["entered_at"], errors="coerce", utc=True))
    frame = frame.sort_values(["_entered", "id"], ascending=[False, False], na_position="last").head(limit)
    entries: list[ChangeEntry] = []
    for row in frame.to_dict("records"):
        scope = str(row["scope"])
        territory = registry.get(scope)
        scope_label = (
            territory.name
            if territory
            else (t("transparency.changes.programme", lang) if scope == PROGRAMME_SCOPE else scope)
        )
        value = None if _is_missing(row.get("value")) else float(row["value"])
        unit = "" if _is_missing(row.get("unit")) else str(row["unit"])
        text = None if _is_missing(row.get("value_text")) else str(row["value_text"])
        period = _iso_date(row.get("period_date"))
        entered = row["_entered"]
        entered_iso = _iso_timestamp(row.get("entered_at"))
        entries.append(
            ChangeEntry(
                observation_id=str(row["id"]),
                entered_at=entered_iso,
                entered_display=format_date(entered.date(), lang) if not _is_missing(entered) else entered_iso,
                scope=scope,
                scope_label=scope_label,
                metric=str(row["metric"]),
                metric_label=_label_for_metric(str(row["metric"]), scope, {}, lang),
                value_display=format_value(value, unit, lang, text),
                period_date=period,
                period_display=format_partial_date(period, lang),
                source_title=None if _is_missing(row.get("source_title")) else str(row["source_title"]),
                source_url=None if _is_missing(row.get("source_url")) else str(row["source_url"]),
                reason="" if _is_missing(row.get("reason")) else str(row["reason"]),
                is_correction=not _is_missing(row.get("supersedes_id")),
                is_seed=not _is_missing(row.get("seed_key")),
                superseded=bool(row.get("superseded")) if not _is_missing(row.get("superseded")) else False,
                is_example=bool(row.get("is_example")) if not _is_missing(row.get("is_example")) else False,
                restored=restore_mark(row.get("restored_at"), None, lang, public=True),
            )
        )
    return tuple(entries)


def ledger_freshness(observations: pd.DataFrame | None) -> tuple[str | None, str | None]:
    """``(last entry date, most recent period)`` of the ledger, ISO strings or ``None``.

    The last entry date counts real entries only: not the published facts seeded when
    the ledger was created (``seed_key`` set) and not example rows. The most recent
    period is the latest ``period_date`` of any current real observation.
    """
    if observations is None or observations.empty:
        return None, None
    real = observations
    if "is_example" in real:
        real = real[~real["is_example"].fillna(False).astype(bool)]
    entries = real
    if "seed_key" in entries:
        entries = entries[entries["seed_key"].isna()]
    last_update = None
    entered = pd.to_datetime(entries["entered_at"], errors="coerce", utc=True).dropna()
    if not entered.empty:
        last_update = entered.max().date().isoformat()
    periods = [p for p in real["period_date"].map(_iso_date) if p]
    return last_update, (max(periods) if periods else None)


def credits_from_manifest(manifest: dict | None) -> tuple[Credit, ...]:
    """Producers credited in the geodata manifest (one per producer), else :data:`DEFAULT_CREDITS`."""
    if not manifest:
        return DEFAULT_CREDITS
    inputs = manifest.get("inputs") or []
    if isinstance(inputs, dict):
        inputs = [dict(v, file=k) for k, v in inputs.items()]
    seen: dict[str, Credit] = {}
    for item in inputs:
        producer = str(item.get("producer") or "").strip()
        if not producer:
            continue
        dataset = str(item.get("dataset") or item.get("description") or item.get("file") or "")
        if producer in seen:
            old = seen[producer]
            if dataset and dataset not in old.dataset:
                seen[producer] = Credit(old.producer, f"{old.dataset} ; {dataset}", old.licence, old.attribution)
            continue
        seen[producer] = Credit(
            producer=producer,
            dataset=dataset,
            licence=str(item.get("licence") or item.get("license") or ""),
            attribution=str(item.get("attribution") or producer),
        )
    credits = tuple(seen.values())
    # Every required producer must be credited, whatever the manifest says.
    text = " ".join(f"{c.producer} {c.attribution}" for c in credits).lower()
    missing = [c for c in DEFAULT_CREDITS if c.producer.split()[0].lower() not in text]
    return credits + tuple(missing) if credits else DEFAULT_CREDITS


def read_geodata_manifest() -> dict | None:
    """The committed geodata manifest, or ``None`` when the geodata is not built yet."""
    try:
        from tzcld.geodata.layers import read_manifest
    except ImportError:
        return None
    try:
        return read_manifest()
    except (OSError, ValueError):
        return None


def build_transparency(
    lang: str = "fr",
    observations: pd.DataFrame | None = None,
    registry: Registry | None = None,
    facts: Sequence[Any] | None = None,
    manifest: dict | None = None,
    ledger_available: bool = True,
    change_limit: int = CHANGE_LOG_LIMIT,
    published: dict | None = None,
) -> TransparencyContent:
    """Assemble the Transparence page's content in ``lang`` ("fr" or "en").

    ``observations`` is the ledger's ``observations_frame(include_superseded=True)``
    (``None`` or empty: no ledger entries yet); ``manifest`` the geodata manifest
    (``None``: default credits, no data version); ``published`` the published territories
    GeoJSON (:func:`tzcld.perimeters.web.published_territories_geojson`): the precision
    table then gives each territory's published perimeter version and date, and
    ``data_version`` is the published version string (``…+p3.7``).
    """
    registry = registry or load_registry()
    facts = tuple(load_facts() if facts is None else facts)
    headline = headline_figures(lang, facts, observations)
    perimeters = published_perimeters_from_geojson(published)
    precision = precision_rows(registry, lang, perimeters)
    n_indicative = sum(1 for row in precision if row.indicative)
    changes = change_log(observations, registry, lang, facts, change_limit)
    last_update, latest_period = ledger_freshness(observations)
    parts = [
        t("transparency.updated", lang, date=format_date(last_update, lang))
        if last_update
        else t("transparency.no_update", lang)
    ]
    if latest_period:
        parts.append(t("transparency.latest_period", lang, date=format_partial_date(latest_period, lang)))
    freshness = " ".join(parts)
    data_version = None
    if manifest:
        data_version = str(manifest.get("data_version") or "") or None
    if published and published.get("data_version"):
        data_version = str(published["data_version"])
    return TransparencyContent(
        lang=lang,
        title=t("transparency.title", lang),
        intro=t("transparency.intro", lang),
        headline=headline,
        targets_note=t(
            "transparency.headline.targets_note",
            lang,
            sum=format_number(registry.total_job_target, 0, lang),
            programme=format_number(PROGRAMME_JOB_TARGET, 0, lang),
        ),
        unknown_items=_paragraphs("transparency.headline.unknown_items", lang),
        methodology=methodology(lang),
        precision=precision,
        precision_summary=t("transparency.precision.summary", lang, n=n_indicative, total=len(precision)),
        changes=changes,
        ledger_available=ledger_available,
        last_update=last_update,
        freshness=freshness,
        data_version=data_version,
        credits=credits_from_manifest(manifest),
        credits_notes=(t("transparency.credits.figures", lang), t("transparency.credits.software", lang)),
        perimeters_summary=perimeters_summary(registry, lang, perimeters),
    )
