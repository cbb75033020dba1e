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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from tzcld.formatting import format_date, format_number
from tzcld.i18n import catalogue, punctuation, t, territory_name
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

    ``value`` is ``None`` when unknown; ``display`` is then the "non communiqué" text (a
    qualifier is part of it: « environ 20 », « moins de 5 »). ``date`` is an ISO date (or
    partial date as published) and ``date_display`` says it as precisely as the source
    and no more (« 2025, date déduite du texte »); ``origin`` is ``"facts"`` (a row
    seeded from ``geodata/published_facts.csv``) or ``"ledger"`` (entered in the ledger).
    ``kind`` is the source kind (``political``: a political statement, labelled as such);
    ``conflict``: another source gives another figure the same year (both are shown).
    ``date_note`` and ``note`` are in the page's language when the facts file translates
    them (:func:`tzcld.facts.figure_notes`); ``date_note_lang`` / ``note_lang`` name the
    language a note is written in when it is not the page's (``"fr"``: mark it so).
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
    scope: str = "programme"
    scope_label: str = ""
    metric: str = ""
    metric_label: str = ""
    date_note: str = ""
    kind: str = ""
    kind_label: str = ""
    note: str = ""
    conflict: bool = False
    date_note_lang: str = ""
    note_lang: str = ""


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
    #: The status with its date and source in words (« arrêté (Télé MB, 2025, date déduite du texte) »).
    status_detail: str = ""
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
    #: Every programme-wide figure (published or entered), with its source and date.
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
    #: Every per-territory figure (registry order), statuses and political statements included.
    territory_figures: tuple[SourcedFigure, ...] = ()
    #: The 2025 statuses in one paragraph (continued, ended, not confirmed; 5 + 11 = 16).
    status_summary: str = ""

    @property
    def has_example_data(self) -> bool:
        return (
            any(f.is_example for f in self.headline)
            or any(f.is_example for f in self.territory_figures)
            or any(c.is_example for c in self.changes)
        )


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


def format_partial_date(value: str | None, lang: str, precision: str = "") -> str:
    """``2024-09-30 -> 30/09/2024``, ``2024-09 -> 09/2024``, ``2025 -> 2025`` (fr), with the
    precision in words when the date is inferred or uncertain; unknown -> "non communiqué"."""
    from tzcld.ledger.figures import date_display

    if not value:
        return t("transparency.unknown", lang)
    return date_display(str(value), precision, lang)


def format_value(value: float | None, unit: str | None, lang: str, text: str | None = None, qualifier: str = "") -> str:
    """A figure for display: euros in M€, counts as plain numbers, FTE with their unit,
    the qualifier in words (« environ 20 »).

    Unknown (``None``/NaN) gives "non communiqué", never 0. ``unit == "status"`` shows
    the status ``text`` in words (``continued``, ``ended``, ``unconfirmed``).
    """
    from tzcld.ledger.figures import value_display

    unit = (unit or "").strip()
    if (unit == "status" and not text) or (unit != "status" and (value is None or _is_missing(value))):
        return t("transparency.unknown", lang)
    return value_display(value, unit, lang, qualifier, text)


def _label_for_metric(metric: str, lang: str) -> str:
    key = f"progress.metric.{metric}"
    text = t(key, lang)
    return metric if text == key else text


# ---------------------------------------------------------------- sections


def load_facts() -> tuple[Any, ...]:
    """The published facts (:func:`tzcld.facts.published_facts`)."""
    from tzcld.facts import published_facts

    return tuple(published_facts())


def _figure_frame(observations: pd.DataFrame | None, facts: Sequence[Any]) -> pd.DataFrame:
    """The ledger's frame, or the published facts as one when the ledger is empty or down."""
    from tzcld.ledger.summary import facts_frame

    if observations is not None and not observations.empty:
        return observations
    return facts_frame(tuple(facts))


def sourced_figures(
    lang: str,
    observations: pd.DataFrame,
    registry: Registry,
    scopes: Sequence[str] | None = None,
) -> tuple[SourcedFigure, ...]:
    """Every effective figure of ``scopes`` (default all), programme first then registry
    order, metric order, date: with its label, value, date as precise as the source,
    source, kind (political statements labelled) and whether another source disagrees."""
    from tzcld.facts import figure_notes
    from tzcld.ledger.figures import figure_sets, figures_of
    from tzcld.ledger.metrics import METRICS
    from tzcld.ledger.summary import fact_labels
    from tzcld.ledger.validation import period_midpoint

    labels = fact_labels(lang)
    conflicted = {f.id for found in figure_sets(observations).values() if found.conflict for f in found.figures}
    order = {sid: i for i, sid in enumerate((PROGRAMME_SCOPE, *registry.ids))}
    metric_order = {m: i for i, m in enumerate(METRICS)}
    figures = [f for f in figures_of(observations) if scopes is None or f.scope in scopes]
    figures.sort(
        key=lambda f: (
            order.get(f.scope, 99),
            metric_order.get(f.metric, 99),
            period_midpoint(f.period_date) or dt.date.min,
        )
    )
    out = []
    for f in figures:
        territory = registry.get(f.scope)
        scope_label = (
            territory_name(territory.id, lang, territory.name)
            if territory
            else (t("transparency.changes.programme", lang) if f.scope == PROGRAMME_SCOPE else f.scope)
        )
        metric_label = t(f"progress.metric.{f.metric}", lang)
        date_note, note = figure_notes(f.fact_key, f.date_note, f.note, lang)
        out.append(
            SourcedFigure(
                key=f.fact_key or f"ledger.{f.id}",
                label=labels.get(f.fact_key or "", "") or f"{scope_label} : {metric_label}"
                if lang == "fr"
                else labels.get(f.fact_key or "", "") or f"{scope_label}: {metric_label}",
                value=f.value,
                display=format_value(f.value, f.unit, lang, f.text, f.qualifier),
                unit=f.unit,
                date=f.period_date or None,
                date_display=format_partial_date(f.period_date, lang, f.date_precision),
                source_title=f.source_title or None,
                source_url=f.source_url or None,
                is_example=f.is_example,
                origin="facts" if f.fact_key else "ledger",
                scope=f.scope,
                scope_label=scope_label,
                metric=f.metric,
                metric_label=metric_label,
                date_note=date_note.text,
                kind=f.source_kind,
                kind_label=t(f"facts.kind.{f.source_kind}", lang) if f.source_kind else "",
                note=note.text,
                conflict=f.id in conflicted,
                date_note_lang="" if date_note.lang == lang else date_note.lang,
                note_lang="" if note.lang == lang else note.lang,
            )
        )
    return tuple(out)


def headline_figures(
    lang: str,
    facts: Sequence[Any],
    observations: pd.DataFrame | None = None,
    registry: Registry | None = None,
) -> tuple[SourcedFigure, ...]:
    """Every programme-wide figure with its source and date: the ledger's current figures
    (the published facts it was seeded with, and what was entered since), or the facts
    file's when the ledger is empty or unavailable."""
    registry = registry or load_registry()
    return sourced_figures(lang, _figure_frame(observations, facts), registry, scopes=(PROGRAMME_SCOPE,))


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
    from tzcld.ledger.figures import date_display, short_source, split_source

    rows = []
    for ter in registry:
        status_label = t(f"common.status.{ter.status}", lang)
        source, _url = split_source(ter.status_source)
        detail = (
            f"{status_label} ({short_source(source)}, {date_display(ter.status_date, ter.status_date_precision or '', lang)})"
            if source and ter.status_date
            else status_label
        )
        published = (perimeters or {}).get(ter.id)
        precision = published.precision if published and published.approved and published.precision else ter.precision
        rows.append(
            PrecisionRow(
                territory_id=ter.id,
                name=territory_name(ter.id, lang, ter.name),
                province=ter.province,
                precision=precision,
                precision_label=t(f"common.precision.{precision}", lang),
                status=ter.status,
                status_label=status_label,
                job_target=ter.job_target,
                indicative=precision == "indicative",
                perimeter_version_label=published.label if published else None,
                perimeter_version_date=published.date if published else None,
                perimeter_version_display=format_perimeter_version(published.label, published.date, lang)
                if published
                else "",
                status_detail=detail,
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
        (territory_name(ter.id, lang, ter.name), perimeters[ter.id].label, perimeters[ter.id].date)
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
            territory_name(territory.id, lang, territory.name)
            if territory
            else (t("transparency.changes.programme", lang) if scope == PROGRAMME_SCOPE else scope)
        )
        value = None if _is_missing(row.get("value")) else float(row["value"])
        unit = "" if _is_missing(row.get("unit")) else str(row["unit"])
        text = None if _is_missing(row.get("value_text")) else str(row["value_text"])
        period = _iso_date(row.get("period_date"))
        precision = "" if _is_missing(row.get("date_precision")) else str(row.get("date_precision") or "")
        qualifier = "" if _is_missing(row.get("qualifier")) else str(row.get("qualifier") or "")
        entered = row["_entered"]
        entered_iso = _iso_timestamp(row.get("entered_at"))
        seeded = not _is_missing(row.get("seed_key"))
        retracted = bool(row.get("retracted")) if not _is_missing(row.get("retracted")) else False
        if seeded:
            # an imported published figure: say so, with its source's date (not today's)
            entered_display = t(
                "transparency.changes.seeded", lang, date=format_partial_date(period, lang, precision) if period else ""
            )
        else:
            entered_display = format_date(entered.date(), lang) if not _is_missing(entered) else entered_iso
        entries.append(
            ChangeEntry(
                observation_id=str(row["id"]),
                entered_at=entered_iso,
                entered_display=entered_display,
                scope=scope,
                scope_label=scope_label,
                metric=str(row["metric"]),
                metric_label=_label_for_metric(str(row["metric"]), lang),
                value_display=t("transparency.changes.retracted", lang)
                if retracted
                else format_value(value, unit, lang, text, qualifier),
                period_date=period,
                period_display=format_partial_date(period, lang, precision),
                source_title=None if _is_missing(row.get("source_title")) else str(row["source_title"]),
                source_url=None if _is_missing(row.get("source_url")) else str(row["source_url"]),
                reason="" if _is_missing(row.get("reason")) else str(row["reason"]),
                is_correction=not _is_missing(row.get("supersedes_id")),
                is_seed=seeded,
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


def credit_text(text: str, lang: str = "fr") -> str:
    """A credit's text (the manifest and :data:`DEFAULT_CREDITS` are written in French) in
    ``lang``: ``transparency.credit_text.<French text>``; proper names are kept as they are."""
    return catalogue(lang).get(f"transparency.credit_text.{text}", text)


def _translated(credit: Credit, lang: str) -> Credit:
    return Credit(
        credit_text(credit.producer, lang),
        credit_text(credit.dataset, lang),
        credit_text(credit.licence, lang),
        credit_text(credit.attribution, lang),
    )


def credits_from_manifest(manifest: dict | None, lang: str = "fr") -> tuple[Credit, ...]:
    """Producers credited in the geodata manifest (one per producer), else
    :data:`DEFAULT_CREDITS`; every text in ``lang`` (:func:`credit_text`)."""
    if not manifest:
        return tuple(_translated(c, lang) for c in DEFAULT_CREDITS)
    inputs = manifest.get("inputs") or []
    if isinstance(inputs, dict):
        inputs = [dict(v, file=k) for k, v in inputs.items()]
    seen: dict[str, Credit] = {}
    for item in inputs:
        producer = str(item.get("producer") or "").strip()
        if not producer:
            continue
        dataset = credit_text(str(item.get("dataset") or item.get("description") or item.get("file") or ""), lang)
        if producer in seen:
            old = seen[producer]
            if dataset and dataset not in old.dataset:
                merged = f"{old.dataset}{punctuation(';', lang)}{dataset}" if old.dataset else dataset
                seen[producer] = Credit(old.producer, merged, old.licence, old.attribution)
            continue
        seen[producer] = Credit(
            producer=credit_text(producer, lang),
            dataset=dataset,
            licence=credit_text(str(item.get("licence") or item.get("license") or ""), lang),
            attribution=credit_text(str(item.get("attribution") or producer), lang),
        )
    credits = tuple(seen.values())
    # Every required producer must be credited, whatever the manifest says (the address
    # register SPW – ICAR of the address check is not a geodata input, for one).
    missing = [
        _translated(c, lang)
        for c in DEFAULT_CREDITS
        if not any(p.startswith(c.producer) or c.producer.startswith(p) for p in seen)
    ]
    return credits + tuple(missing) if credits else tuple(_translated(c, lang) for c in DEFAULT_CREDITS)


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
    (``None`` or empty: the figures come from ``facts``, default the published facts
    file, and the change log is empty); ``manifest`` the geodata manifest
    (``None``: default credits, no data version); ``published`` the published territories
    GeoJSON (:func:`tzcld.perimeters.web.published_territories_geojson`): the precision
    table then gives each territory's published perimeter version and date, and
    ``data_version`` is the published version string (``…+p3.7``).
    """
    from tzcld.ledger.summary import status_summary, territory_table

    registry = registry or load_registry()
    facts = tuple(load_facts() if facts is None else facts)
    frame = _figure_frame(observations, facts)
    headline = sourced_figures(lang, frame, registry, scopes=(PROGRAMME_SCOPE,))
    territory_figures = sourced_figures(lang, frame, registry, scopes=registry.ids)
    statuses = status_summary(territory_table(frame, lang, registry), lang)
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
        credits=credits_from_manifest(manifest, lang),
        credits_notes=(t("transparency.credits.figures", lang), t("transparency.credits.software", lang)),
        perimeters_summary=perimeters_summary(registry, lang, perimeters),
        territory_figures=territory_figures,
        status_summary=statuses,
    )
