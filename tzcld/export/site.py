"""``python -m tzcld export-site OUT/``: the Transparence page as static files.

Writes a self-contained folder that any web server or CDN can serve without a
Streamlit session (press-day traffic)::

    OUT/index.html            the page in French (lang="fr")
    OUT/en/index.html         the page in English
    OUT/data/                 open data: territoires.geojson/.csv, perimetres.gpkg (exact,
                              Lambert 72), registre-progres.csv/.xlsx, dictionnaire-des-donnees.csv,
                              LICENCE.md, datapackage.json (Frictionless), dcat-ap.jsonld (DCAT-AP-BE)
    OUT/assets/site.css       the page's styles
    OUT/assets/map.js         the map (hand-written, reads data/territoires.geojson)
    OUT/assets/map-data.js    the same layers as a script, for a page opened from disk (file://,
                              where browsers refuse fetch()): map.js loads it only then
    OUT/assets/leaflet/       Leaflet, copied from static/vendor/ (BSD-2-Clause)
    OUT/assets/context/       Wallonia and province outlines (when the geodata is built)

Each page embeds a schema.org ``Dataset`` (JSON-LD data block, run by nothing) and links
the DCAT-AP-BE record, so that search engines and data portals can harvest the open data.

Nothing is loaded from another host: a Content-Security-Policy ``<meta>`` limits every
resource to the site itself. Map tiles are the only exception, and only with
``tiles=True`` (``--tiles``): then the OpenStreetMap tile server is allowed for images.
Without tiles the map shows the outlines on a plain background, and every figure is in
the tables anyway.

The HTML fragments (tables, methodology, credits) are also used by the Streamlit page
(:mod:`tzcld.ui.transparency`), so both say the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tzcld.config import GEODATA_DIR, STATIC_DIR
from tzcld.export import opendata
from tzcld.export.people_csv import people_csv_bytes, people_file_name
from tzcld.formatting import format_date
from tzcld.i18n import punctuation, t
from tzcld.territories import Registry, load_registry
from tzcld.transparency import (
    ChangeEntry,
    TransparencyContent,
    build_transparency,
    read_geodata_manifest,
)

if TYPE_CHECKING:
    from tzcld.export.metadata import OpenDataSettings
    from tzcld.perimeters.store import PerimeterStore

#: Tile server used only with ``tiles=True`` (its terms require its attribution:
#: :func:`tzcld.maps.osm_attribution`, in the page's language).
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ORIGIN = "https://tile.openstreetmap.org"

#: The static site's own assets: package data of ``tzcld.export`` (``site_assets/``).
ASSETS_DIR = Path(str(importlib.resources.files("tzcld.export") / "site_assets"))

#: Context layers copied for the map's orientation when tiles are off.
CONTEXT_LAYERS: tuple[str, ...] = ("wallonia", "provinces")
#: The map's layers as a script (``window.TZCLD_MAP_DATA``), for pages opened from disk.
MAP_DATA_JS = "map-data.js"


def _e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


# ---------------------------------------------------------------- fragments


def source_html(title: str | None, url: str | None, lang: str) -> str:
    """A source: a link when it has an address, its title otherwise."""
    if url:
        label = title or url
        return f'<a href="{_e(url)}" rel="noopener">{_e(label)}</a>'
    if title:
        return _e(title)
    return f'<span class="muted">{_e(t("transparency.source_missing", lang))}</span>'


def example_badge(lang: str) -> str:
    return f'<strong class="badge">{_e(t("transparency.example_badge", lang))}</strong>'


def _figure_notes(fig, lang: str) -> str:
    """The remarks of a figure: political statement, conflicting sources, date and other notes."""
    notes = []
    if fig.kind == "political":
        notes.append(f'<strong class="flag">{_e(t("transparency.headline.political", lang))}</strong>')
    if fig.conflict:
        notes.append(f'<strong class="flag">{_e(t("transparency.headline.conflict", lang))}</strong>')
    for text, written_in in ((fig.date_note, fig.date_note_lang), (fig.note, fig.note_lang)):
        if text:  # a note the facts file does not translate is marked as written (lang="fr")
            notes.append(f'<span lang="{_e(written_in)}">{_e(text)}</span>' if written_in else _e(text))
    return " ".join(notes)


def headline_html(content: TransparencyContent) -> str:
    """The published figures as tables: the programme's (figure, value, date, source,
    remark), the 2025 statuses in a paragraph, then every figure of every territory."""
    lang = content.lang
    rows = []
    for fig in content.headline:
        badge = f" {example_badge(lang)}" if fig.is_example else ""
        value_class = ' class="num unknown"' if fig.value is None and fig.unit != "status" else ' class="num"'
        rows.append(
            "<tr>"
            f'<th scope="row">{_e(fig.label)}{badge}</th>'
            f"<td{value_class}>{_e(fig.display)}</td>"
            f"<td>{_e(fig.date_display)}</td>"
            f"<td>{source_html(fig.source_title, fig.source_url, lang)}</td>"
            f"<td>{_figure_notes(fig, lang)}</td>"
            "</tr>"
        )
    head = "".join(
        f'<th scope="col">{_e(t(f"transparency.headline.{col}", lang))}</th>'
        for col in ("col_figure", "col_value", "col_date", "col_source", "col_note")
    )
    programme = (
        f'<h3 id="chiffres-programme">{_e(t("transparency.headline.heading_programme", lang))}</h3>'
        '<div class="scroll" role="region" tabindex="0" aria-labelledby="caption-chiffres">'
        '<table class="data" id="table-chiffres">'
        f'<caption id="caption-chiffres">{_e(t("transparency.headline.caption", lang))}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
        f'<p class="note">{_e(content.targets_note)}</p>'
        f'<p class="note">{_e(t("transparency.headline.political_note", lang))}</p>'
    )
    territory_rows = []
    for fig in content.territory_figures:
        badge = f" {example_badge(lang)}" if fig.is_example else ""
        territory_rows.append(
            "<tr>"
            f'<th scope="row">{_e(fig.scope_label)}</th>'
            f"<td>{_e(fig.label)}{badge}</td>"
            f'<td class="num">{_e(fig.display)}</td>'
            f"<td>{_e(fig.date_display)}</td>"
            f"<td>{source_html(fig.source_title, fig.source_url, lang)}</td>"
            f"<td>{_figure_notes(fig, lang)}</td>"
            "</tr>"
        )
    territory_head = "".join(
        f'<th scope="col">{_e(t(f"transparency.headline.{col}", lang))}</th>'
        for col in ("col_territory", "col_figure", "col_value", "col_date", "col_source", "col_note")
    )
    territories = f'<h3 id="chiffres-territoires">{_e(t("transparency.headline.heading_territories", lang))}</h3>'
    if content.status_summary:
        territories += f'<p id="statuts-2025">{_e(content.status_summary)}</p>'
    if territory_rows:
        territories += (
            '<div class="scroll" role="region" tabindex="0" aria-labelledby="caption-chiffres-territoires">'
            '<table class="data" id="table-chiffres-territoires">'
            f'<caption id="caption-chiffres-territoires">{_e(t("transparency.headline.caption_territories", lang))}</caption>'
            f"<thead><tr>{territory_head}</tr></thead><tbody>" + "".join(territory_rows) + "</tbody></table></div>"
        )
    else:
        territories += f"<p>{_e(t('transparency.headline.no_territory_figures', lang))}</p>"
    return programme + territories


def unknown_html(content: TransparencyContent, level: int = 3) -> str:
    """What is not known, said plainly."""
    lang = content.lang
    items = "".join(f"<li>{_e(item)}</li>" for item in content.unknown_items)
    return (
        f'<h{level} id="inconnu">{_e(t("transparency.headline.unknown_heading", lang))}</h{level}>'
        f"<p>{_e(t('transparency.headline.unknown_intro', lang))}</p><ul>{items}</ul>"
    )


def methodology_html(content: TransparencyContent, level: int = 3) -> str:
    """The methodology sections (headings of ``level``)."""
    parts = []
    for section in content.methodology:
        paragraphs = "".join(f"<p>{_e(p)}</p>" for p in section.paragraphs)
        parts.append(f'<h{level} id="methode-{_e(section.key)}">{_e(section.heading)}</h{level}>{paragraphs}')
    return "".join(parts)


def precision_html(content: TransparencyContent) -> str:
    """Perimeter precision, status and target per territory, and the published perimeter
    version with its date once a territory has an approved one (until then the summary
    above the table says that every perimeter is the reference one). The table scrolls
    sideways on a phone."""
    lang = content.lang
    versions = any(row.perimeter_version_label not in (None, "", "base") for row in content.precision)
    rows = []
    for row in content.precision:
        flag = (
            f' <span class="flag">({_e(t("transparency.precision.indicative_flag", lang))})</span>'
            if row.indicative
            else ""
        )
        version = ""
        if versions:
            version = (
                f'<td data-perimeter-version="{_e(row.perimeter_version_label or "")}"'
                f' data-perimeter-date="{_e(row.perimeter_version_date or "")}">{_e(row.perimeter_version_display)}</td>'
            )
        rows.append(
            f'<tr data-territory="{_e(row.territory_id)}">'
            f'<th scope="row">{_e(row.name)}</th>'
            f"<td>{_e(row.province)}</td>"
            f"<td>{_e(row.precision_label)}{flag}</td>"
            f"{version}"
            f"<td>{_e(row.status_detail or row.status_label)}</td>"
            f'<td class="num">{row.job_target}</td>'
            "</tr>"
        )
    version_col = f'<th scope="col">{_e(t("transparency.precision.col_perimeter", lang))}</th>' if versions else ""
    summary = f"<p>{_e(content.perimeters_summary)}</p>" if content.perimeters_summary else ""
    return (
        f"<p>{_e(content.precision_summary)}</p>{summary}"
        '<div class="scroll" role="region" tabindex="0" aria-labelledby="caption-precision">'
        '<table class="data" id="table-precision">'
        f'<caption id="caption-precision">{_e(t("transparency.precision.caption", lang))}</caption>'
        "<thead><tr>"
        f'<th scope="col">{_e(t("transparency.precision.col_territory", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.precision.col_province", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.precision.col_precision", lang))}</th>'
        f"{version_col}"
        f'<th scope="col">{_e(t("transparency.precision.col_status", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.precision.col_target", lang))}</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def _change_note(entry: ChangeEntry, lang: str) -> str:
    notes = []
    if entry.is_example:
        notes.append(example_badge(lang))
    if entry.is_correction:
        notes.append(_e(t("transparency.changes.correction", lang)))
    if entry.superseded:
        notes.append(_e(t("transparency.changes.superseded", lang)))
    if entry.restored:
        notes.append(_e(entry.restored))
    if entry.reason:
        notes.append(_e(entry.reason))
    return punctuation(";", lang).join(notes)


#: Entries of the change log shown before "the full history" (the rest is folded).
RECENT_CHANGES = 8

_CHANGE_COLUMNS = ("col_entered", "col_scope", "col_metric", "col_value", "col_period", "col_source", "col_note")


def _changes_table(entries: Sequence[ChangeEntry], lang: str, table_id: str, caption: str) -> str:
    rows = "".join(
        "<tr>"
        f'<td><time datetime="{_e(entry.entered_at)}">{_e(entry.entered_display)}</time></td>'
        f'<th scope="row">{_e(entry.scope_label)}</th>'
        f"<td>{_e(entry.metric_label)}</td>"
        f'<td class="num">{_e(entry.value_display)}</td>'
        f"<td>{_e(entry.period_display)}</td>"
        f"<td>{source_html(entry.source_title, entry.source_url, lang)}</td>"
        f"<td>{_change_note(entry, lang)}</td>"
        "</tr>"
        for entry in entries
    )
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-labelledby="caption-{table_id}">'
        f'<table class="data" id="table-{table_id}">'
        f'<caption id="caption-{table_id}">{_e(caption)}</caption>'
        "<thead><tr>"
        + "".join(f'<th scope="col">{_e(t(f"transparency.changes.{col}", lang))}</th>' for col in _CHANGE_COLUMNS)
        + "</tr></thead><tbody>"
        + rows
        + "</tbody></table></div>"
    )


def changes_html(content: TransparencyContent, recent: int | None = None, full_log_href: str | None = None) -> str:
    """The change log (most recent entries first): the ``recent`` latest in a table
    (``table-journal``), the earlier ones folded under "the full history"
    (``table-journal-all``, a ``<details>``); ``full_log_href`` links the whole ledger (CSV).
    ``recent=None`` shows every entry in one table."""
    lang = content.lang
    if not content.ledger_available:
        return f"<p>{_e(t('transparency.changes.unavailable', lang))}</p>"
    if not content.changes:
        return f"<p>{_e(t('transparency.changes.empty', lang))}</p>"
    shown = content.changes if recent is None else content.changes[:recent]
    earlier = content.changes[len(shown) :]
    caption = t("transparency.changes.caption", lang)
    if earlier:
        caption = t("transparency.changes.caption_recent", lang, n=len(shown))
    out = f"<p>{_e(t('transparency.changes.intro', lang))}</p>" + _changes_table(shown, lang, "journal", caption)
    if earlier:
        summary = t("transparency.changes.earlier", lang, n=len(earlier))
        out += (
            f'<details class="journal-all"><summary>{_e(summary)}</summary>'
            + _changes_table(earlier, lang, "journal-all", t("transparency.changes.caption_earlier", lang))
            + "</details>"
        )
    if full_log_href:
        out += (
            f'<p class="note">{_e(t("transparency.changes.full_log", lang))} '
            f'<a href="{_e(full_log_href)}" download>{_e(opendata.LEDGER_CSV)}</a></p>'
        )
    return out


def credits_html(content: TransparencyContent) -> str:
    """Data producers, datasets, licences and the attribution lines to include."""
    lang = content.lang
    rows = "".join(
        "<tr>"
        f'<th scope="row">{_e(c.producer)}</th>'
        f"<td>{_e(c.dataset)}</td>"
        f"<td>{_e(c.licence)}</td>"
        f"<td>{_e(c.attribution)}</td>"
        "</tr>"
        for c in content.credits
    )
    notes = "".join(f"<p>{_e(n)}</p>" for n in content.credits_notes)
    return (
        f"<p>{_e(t('transparency.credits.intro', lang))}</p>"
        # a wide table scrolls inside its region, never the page (a phone is 390 px wide)
        '<div class="scroll" role="region" tabindex="0" aria-labelledby="caption-credits">'
        '<table class="data" id="table-credits">'
        f'<caption id="caption-credits">{_e(t("transparency.credits.caption", lang))}</caption>'
        "<thead><tr>"
        + "".join(
            f'<th scope="col">{_e(t(f"transparency.credits.{col}", lang))}</th>'
            for col in ("col_producer", "col_dataset", "col_licence", "col_attribution")
        )
        + "</tr></thead><tbody>"
        + rows
        + "</tbody></table></div>"
        + notes
    )


@dataclass(frozen=True)
class DownloadItem:
    """One downloadable file: name in ``data/``, description key, format, size in bytes."""

    file: str
    description_key: str
    format: str
    size: int | None = None


#: The people's (Belgian spreadsheet) variants of the CSV files, beside the machine ones.
TERRITORIES_CSV_PEOPLE = people_file_name(opendata.TERRITORIES_CSV)
LEDGER_CSV_PEOPLE = people_file_name(opendata.LEDGER_CSV)

DOWNLOADS: tuple[DownloadItem, ...] = (
    DownloadItem(opendata.TERRITORIES_GEOJSON, "territories_geojson", "GeoJSON"),
    DownloadItem(opendata.PERIMETERS_GPKG, "opendata.perimeters_gpkg", "GeoPackage"),
    DownloadItem(opendata.TERRITORIES_CSV, "territories_csv", "CSV"),
    DownloadItem(TERRITORIES_CSV_PEOPLE, "territories_csv_people", "CSV (tableur)"),
    DownloadItem(opendata.LEDGER_CSV, "ledger_csv", "CSV"),
    DownloadItem(LEDGER_CSV_PEOPLE, "ledger_csv_people", "CSV (tableur)"),
    DownloadItem(opendata.LEDGER_XLSX, "ledger_xlsx", "XLSX"),
    DownloadItem(opendata.DICTIONARY_CSV, "dictionary_csv", "CSV"),
    DownloadItem(opendata.DATAPACKAGE_JSON, "datapackage", "JSON"),
    DownloadItem(opendata.DCAT_JSONLD, "opendata.dcat", "JSON-LD"),
    DownloadItem("LICENCE.md", "opendata.licence_file", "Markdown"),
)
#: Media type of each download (schema.org ``encodingFormat``).
MEDIA_TYPES: dict[str, str] = {
    "GeoJSON": "application/geo+json",
    "GeoPackage": "application/geopackage+sqlite3",
    "CSV": "text/csv",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "JSON": "application/json",
    "JSON-LD": "application/ld+json",
    "Markdown": "text/markdown",
}


def _description(item: DownloadItem, lang: str) -> str:
    key = item.description_key if "." in item.description_key else f"transparency.downloads.{item.description_key}"
    return t(key, lang)


def _size(n: int | None, lang: str) -> str:
    if n is None:
        return ""
    if n < 1024:
        return f"{n} o" if lang == "fr" else f"{n} B"
    kib = n / 1024
    text = f"{kib:.0f}" if kib >= 10 else f"{kib:.1f}"
    if lang == "fr":
        text = text.replace(".", ",")
    return f"{text} Ko" if lang == "fr" else f"{text} KB"


def licence_note(lang: str, opts: OpenDataSettings | None = None) -> str:
    """Which licence covers the dashboard's own data: the setting (``opts``), or "not yet chosen"."""
    from tzcld.export import metadata

    licence = (opts or metadata.settings()).licence
    if licence.chosen:
        return t("opendata.licence_chosen", lang, licence=f"{licence.title} ({licence.id})")
    return t("opendata.licence_not_chosen", lang)


def downloads_html(
    lang: str, items: Sequence[DownloadItem], prefix: str = "data/", opts: OpenDataSettings | None = None
) -> str:
    """The open-data files as a table of links (``prefix`` + file name), then the licence."""
    rows = "".join(
        "<tr>"
        f'<th scope="row"><a href="{_e(prefix + item.file)}" download>{_e(item.file)}</a></th>'
        f"<td>{_e(_description(item, lang))}</td>"
        f"<td>{_e(item.format)}{' · ' + _e(_size(item.size, lang)) if item.size is not None else ''}</td>"
        "</tr>"
        for item in items
    )
    return (
        f"<p>{_e(t('transparency.downloads.intro', lang))}</p>"
        '<table class="data" id="table-donnees">'
        f"<caption>{_e(t('transparency.downloads.caption', lang))}</caption>"
        "<thead><tr>"
        f'<th scope="col">{_e(t("transparency.downloads.col_file", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.downloads.col_description", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.downloads.col_format", lang))}</th>'
        "</tr></thead><tbody>" + rows + "</tbody></table>"
        f'<p id="licence-donnees">{_e(licence_note(lang, opts))}</p>'
    )


# ---------------------------------------------------------------- page


#: Sections of the page, in order: (anchor id, heading key).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("chiffres", "transparency.headline.heading"),
    ("methodologie", "transparency.method.heading"),
    ("precision", "transparency.precision.heading"),
    ("carte", "transparency.map.heading"),
    ("journal", "transparency.changes.heading"),
    ("donnees", "transparency.downloads.heading"),
    ("credits", "transparency.credits.heading"),
)


def content_security_policy(tiles: bool) -> str:
    """The page's CSP: everything from the site itself; tile images only with ``tiles``."""
    img = "'self' data:" + (f" {TILE_ORIGIN}" if tiles else "")
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {img}; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'"
    )


def _swatch_svg(status: str | None) -> str:
    """A legend swatch drawn like the map draws a territory: the status colour (the dashboard's
    :data:`tzcld.maps.STATUS_COLOURS`), hatched with a dashed outline when ``status`` is None
    (indicative perimeter). SVG attributes only: the page's CSP forbids inline styles."""
    from tzcld.maps import INDICATIVE_DASH, STATUS_COLOURS

    if status is not None:
        colour = STATUS_COLOURS[status]
        shape = f'<rect x="1" y="1" width="22" height="14" fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="2"/>'
    else:
        shape = (
            '<defs><pattern id="legend-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="2"/>'
            "</pattern></defs>"
            f'<rect x="1" y="1" width="22" height="14" fill="url(#legend-hatch)" stroke="#555" stroke-width="2"'
            f' stroke-dasharray="{INDICATIVE_DASH}"/>'
        )
    return f'<svg class="swatch-svg" width="24" height="16" viewBox="0 0 24 16" aria-hidden="true">{shape}</svg>'


def map_legend_html(lang: str, statuses: Sequence[str]) -> str:
    """The static map's legend: one entry per status drawn (``statuses``, in
    :data:`tzcld.territories.STATUSES` order; the ended ones included), then the indicative
    perimeters; the same colours and words as the dashboard's maps."""
    from tzcld.maps import status_label
    from tzcld.territories import STATUSES

    items = [
        f'<li data-status="{_e(status)}">{_swatch_svg(status)}{_e(status_label(status, lang))}</li>'
        for status in STATUSES
        if status in statuses
    ]
    items.append(f'<li data-status="indicative">{_swatch_svg(None)}{_e(t("map.legend.indicative", lang))}</li>')
    return f'<ul class="legend" aria-label="{_e(t("map.legend.title", lang))}">{"".join(items)}</ul>'


def map_html(
    lang: str,
    prefix: str,
    tiles: bool,
    available: bool,
    context_files: Sequence[str],
    perimeters: str = "",
    statuses: Sequence[str] = (),
) -> str:
    """The map block: a container read by ``assets/map.js``, with its legend and fallbacks.

    Territories are drawn like on the dashboard: coloured by status (``data-status-colours``,
    the ended ones included), indicative perimeters hatched with a dashed outline; the legend
    lists ``statuses`` (those of the territories drawn). ``perimeters`` (which perimeter
    versions are published, one sentence) is said under the map; each territory's popup
    gives its status and its own perimeter version and date (``data-perimeter-*`` templates,
    filled by ``map.js`` from the GeoJSON's ``perimeter_version_label`` and
    ``perimeter_version_date``)."""
    from tzcld.maps import STATUS_COLOURS, status_label
    from tzcld.territories import STATUSES

    if not available:
        return f"<p>{_e(t('transparency.map.unavailable', lang))}</p>"
    from tzcld.maps import osm_attribution

    tiles_attr = f' data-tiles="{_e(TILE_URL)}" data-tiles-attribution="{_e(osm_attribution(lang))}"' if tiles else ""
    context_attr = ",".join(prefix + f for f in context_files)
    note = "" if tiles else f'<p class="note">{_e(t("transparency.map.no_tiles", lang))}</p>'
    templates = (
        f' data-perimeter-label="{_e(t("map.tooltip.perimeter", lang))}"'
        f' data-perimeter-base="{_e(t("common.perimeter_version.base", lang, date="{date}"))}"'
        f' data-perimeter-approved="{_e(t("common.perimeter_version.approved", lang, version="{version}", date="{date}"))}"'
    )
    versions = f'<p class="note" id="map-perimeters">{_e(perimeters)}</p>' if perimeters else ""
    styles = (
        f' data-status-colours="{_e(json.dumps(STATUS_COLOURS))}"'
        f' data-status-labels="{_e(json.dumps({s: status_label(s, lang) for s in STATUSES}, ensure_ascii=False))}"'
        f' data-indicative-label="{_e(t("common.precision.indicative", lang))}"'
        f' data-jobs-label="{_e(t("transparency.map.jobs_label", lang))}"'
    )
    return (
        f"<p>{_e(t('transparency.map.description', lang))}</p>"
        f'<div id="map" class="map" role="region" aria-label="{_e(t("transparency.map.heading", lang))}"'
        f' data-geojson="{_e(prefix + "data/" + opendata.TERRITORIES_GEOJSON)}"'
        f' data-context="{_e(context_attr)}" data-lang="{_e(lang)}"{tiles_attr}{templates}{styles}'
        f' data-embedded="{_e(prefix + "assets/" + MAP_DATA_JS)}" data-error-text="{_e(t("opendata.map_error", lang))}"'
        f"></div>{versions}"
        f"{map_legend_html(lang, statuses or STATUSES)}"
        f"{note}<noscript><p>{_e(t('transparency.map.noscript', lang))}</p></noscript>"
    )


def render_page(
    content: TransparencyContent,
    *,
    prefix: str = "",
    tiles: bool = False,
    downloads: Sequence[DownloadItem] = DOWNLOADS,
    map_available: bool = True,
    context_files: Sequence[str] = (),
    generated: dt.date | None = None,
    opts: OpenDataSettings | None = None,
) -> str:
    """The whole HTML page for ``content`` (``prefix``: path from this page to the site root;
    ``opts``: the open-data settings, :func:`tzcld.export.metadata.settings`)."""
    lang = content.lang
    generated = generated or dt.date.today()
    toc = "".join(f'<li><a href="#{sid}">{_e(t(key, lang))}</a></li>' for sid, key in SECTIONS)
    example_notice = f'<p class="example-notice">{example_badge(lang)}</p>' if content.has_example_data else ""
    sections = {
        "chiffres": headline_html(content) + unknown_html(content),
        "methodologie": methodology_html(content),
        "precision": precision_html(content),
        "carte": map_html(
            lang,
            prefix,
            tiles,
            map_available,
            context_files,
            content.perimeters_summary,
            statuses=sorted({row.status for row in content.precision}),
        ),
        "journal": changes_html(content, RECENT_CHANGES, prefix + "data/" + opendata.LEDGER_CSV),
        "donnees": downloads_html(lang, downloads, prefix + "data/", opts),
        "credits": credits_html(content),
    }
    body = "".join(
        f'<section id="{sid}" aria-labelledby="h-{sid}"><h2 id="h-{sid}">{_e(t(key, lang))}</h2>{sections[sid]}</section>'
        for sid, key in SECTIONS
    )
    version = (
        f"<p>{_e(t('transparency.geodata_version', lang, version=content.data_version))}</p>"
        if content.data_version
        else ""
    )
    scripts = ""
    head_map = ""
    if map_available:
        head_map = f'<link rel="stylesheet" href="{prefix}assets/leaflet/leaflet.css">'
        scripts = (
            f'<script src="{prefix}assets/leaflet/leaflet.js" defer></script>'
            f'<script src="{prefix}assets/map.js" defer></script>'
        )
    other = t("transparency.other_language_href", lang)
    other_lang = "en" if lang == "fr" else "fr"
    records = ""
    if any(d.file == opendata.DCAT_JSONLD for d in downloads):
        from tzcld.export.dcat import schema_org_dataset

        dataset = schema_org_dataset(
            lang,
            content.data_version,
            [(d.file, d.format, MEDIA_TYPES.get(d.format, "application/octet-stream")) for d in downloads],
            prefix,
            opts,
        )
        block = json.dumps(dataset, ensure_ascii=False).replace("</", "<\\/")
        records = (
            f'<link rel="describedby" type="application/ld+json" href="{prefix}data/{opendata.DCAT_JSONLD}">\n'
            f'<script type="application/ld+json">{block}</script>\n'
        )
    return (
        "<!doctype html>\n"
        f'<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(content_security_policy(tiles))}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{_e(content.title)} — TZCLD Wallonie / TerritoiR'ES</title>\n"
        f'<link rel="stylesheet" href="{prefix}assets/site.css">\n{head_map}\n{scripts}\n'
        f'<link rel="alternate" hreflang="{other_lang}" href="{_e(other)}">\n'
        f"{records}"
        "</head>\n<body>\n"
        f'<a class="skip" href="#contenu">{_e(t("transparency.skip_link", lang))}</a>\n'
        '<header class="site-header">'
        f'<p class="site-name">{_e(t("common.app_title", lang))}</p>'
        f'<p class="site-sub">{_e(t("common.app_subtitle", lang))}</p>'
        f'<p class="lang-switch"><a href="{_e(other)}" hreflang="{other_lang}" lang="{other_lang}">'
        f"{_e(t('transparency.other_language', lang))}</a></p>"
        "</header>\n"
        f'<nav aria-label="{_e(t("transparency.toc", lang))}"><ul class="toc">{toc}</ul></nav>\n'
        f'<main id="contenu" tabindex="-1">\n<h1>{_e(content.title)}</h1>\n'
        f'<p class="intro">{_e(content.intro)}</p>{example_notice}'
        f'<p class="freshness">{_e(content.freshness)}</p>\n{body}\n</main>\n'
        '<footer class="site-footer">'
        f"<p>{_e(t('transparency.footer', lang))}</p>{version}"
        f"<p>{_e(t('transparency.generated', lang, date=format_date(generated, lang)))}</p>"
        "</footer>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class SiteExport:
    """What :func:`export_site` wrote: the folder, its files, and the map's status."""

    out_dir: Path
    files: tuple[Path, ...]
    map_available: bool
    tiles: bool
    example_rows: int
    #: Version string of the published perimeters (``…+p3.7``), ``None`` without geodata.
    perimeter_version: str | None = None

    @property
    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)


def leaflet_dir(static_dir: Path = STATIC_DIR) -> Path | None:
    """The newest vendored Leaflet folder under ``static/vendor/leaflet/`` (or ``None``)."""
    root = static_dir / "vendor" / "leaflet"
    candidates = [p for p in root.glob("*") if (p / "leaflet.js").is_file() and (p / "leaflet.css").is_file()]
    if not candidates:
        return None

    def version_key(p: Path) -> tuple[int, ...]:
        return tuple(int(x) if x.isdigit() else 0 for x in p.name.split("."))

    return max(candidates, key=version_key)


def _copy_context(assets: Path) -> list[str]:
    """Copy the Wallonia/province outlines for the map (WGS84); returns paths from the site root."""
    out: list[str] = []
    folder = GEODATA_DIR / "context"
    for name in CONTEXT_LAYERS:
        src = folder / f"{name}.geojson"
        if src.is_file():
            dest = assets / "context" / f"{name}.geojson"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            out.append(f"assets/context/{name}.geojson")
    return out


def _write_map_data(root: Path, files: Sequence[str], target: Path) -> None:
    """The map's layers (paths from the site root) as one script setting
    ``window.TZCLD_MAP_DATA = {path: GeoJSON}``: browsers refuse ``fetch()`` on ``file://``
    pages, but run a script of the page's own folder. ``map.js`` loads it only from disk."""
    layers = {name: json.loads((root / name).read_text(encoding="utf-8")) for name in files}
    text = json.dumps(layers, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    target.write_text(
        "/* Generated by python -m tzcld export-site: the map's layers for pages opened from disk. */\n"
        f"window.TZCLD_MAP_DATA = {text};\n",
        encoding="utf-8",
    )


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _has_geometry(path: Path) -> bool:
    data = _read_json(path)
    return data is not None and any(f.get("geometry") for f in data.get("features", []))


def export_site(
    out_dir: Path | str,
    observations: pd.DataFrame | None,
    *,
    tiles: bool = False,
    registry: Registry | None = None,
    ledger_available: bool = True,
    languages: Iterable[str] = ("fr", "en"),
    store: PerimeterStore | None = None,
    opts: OpenDataSettings | None = None,
) -> SiteExport:
    """Write the static public site into ``out_dir`` (created; files overwritten).

    ``observations`` is the ledger's ``observations_frame(include_superseded=True)``;
    ``store`` gives the published perimeters: the territories GeoJSON, the page's precision
    table, its map and its footer carry each territory's perimeter version and date
    (``None``: the committed perimeters); ``opts`` the open-data settings (licence,
    publisher, public address: :func:`tzcld.export.metadata.settings`; ``None``: nothing
    chosen yet). Returns a :class:`SiteExport` listing what was written.
    """
    from tzcld.export import metadata

    opts = opts or metadata.settings()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    registry = registry or load_registry()
    data_paths = opendata.write_open_data(out / "data", observations, registry, store=store, opts=opts)
    published = _read_json(data_paths[opendata.TERRITORIES_GEOJSON])
    # the same CSV files for people's spreadsheets (";", decimal comma, UTF-8 with BOM)
    for name, frame in (
        (TERRITORIES_CSV_PEOPLE, opendata.territories_frame(registry, published)),
        (LEDGER_CSV_PEOPLE, opendata.ledger_frame(observations, registry)),
    ):
        path = out / "data" / name
        path.write_bytes(people_csv_bytes(frame))
        data_paths[name] = path
    downloads = tuple(
        DownloadItem(d.file, d.description_key, d.format, data_paths[d.file].stat().st_size)
        for d in DOWNLOADS
        if d.file in data_paths
    )
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    shutil.copyfile(ASSETS_DIR / "site.css", assets / "site.css")
    leaflet = leaflet_dir()
    map_available = leaflet is not None and _has_geometry(data_paths[opendata.TERRITORIES_GEOJSON])
    context_files: list[str] = []
    if map_available and leaflet is not None:
        dest = assets / "leaflet"
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(leaflet, dest)
        shutil.copyfile(ASSETS_DIR / "map.js", assets / "map.js")
        context_files = _copy_context(assets)
        _write_map_data(out, [f"data/{opendata.TERRITORIES_GEOJSON}", *context_files], assets / MAP_DATA_JS)
    manifest = read_geodata_manifest()
    written: list[Path] = list(data_paths.values())
    for lang in languages:
        content = build_transparency(
            lang, observations, registry, manifest=manifest, ledger_available=ledger_available, published=published
        )
        prefix = "" if lang == "fr" else "../"
        page_dir = out if lang == "fr" else out / lang
        page_dir.mkdir(parents=True, exist_ok=True)
        page = page_dir / "index.html"
        page.write_text(
            render_page(
                content,
                prefix=prefix,
                tiles=tiles,
                downloads=downloads,
                map_available=map_available,
                context_files=context_files,
                opts=opts,
            ),
            encoding="utf-8",
        )
        written.append(page)
    written.extend(p for p in assets.rglob("*") if p.is_file())
    example_rows = 0
    if observations is not None and "is_example" in observations:
        example_rows = int(observations["is_example"].fillna(False).astype(bool).sum())
    return SiteExport(
        out, tuple(sorted(set(written))), map_available, tiles, example_rows, (published or {}).get("data_version")
    )
