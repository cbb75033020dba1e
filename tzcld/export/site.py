"""``python -m tzcld export-site OUT/``: the Transparence page as static files.

Writes a self-contained folder that any web server or CDN can serve without a
Streamlit session (press-day traffic)::

    OUT/index.html            the page in French (lang="fr")
    OUT/en/index.html         the page in English
    OUT/data/                 open data: territoires.geojson/.csv, registre-progres.csv/.xlsx,
                              dictionnaire-des-donnees.csv, datapackage.json (Frictionless)
    OUT/assets/site.css       the page's styles
    OUT/assets/map.js         the map (hand-written, reads data/territoires.geojson)
    OUT/assets/leaflet/       Leaflet, copied from static/vendor/ (BSD-2-Clause)
    OUT/assets/context/       Wallonia and province outlines (when the geodata is built)

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
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from tzcld.config import GEODATA_DIR, STATIC_DIR
from tzcld.export import opendata
from tzcld.formatting import format_date
from tzcld.i18n import t
from tzcld.territories import Registry, load_registry
from tzcld.transparency import (
    ChangeEntry,
    TransparencyContent,
    build_transparency,
    read_geodata_manifest,
)

#: Tile server used only with ``tiles=True`` (its terms require the attribution below).
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ORIGIN = "https://tile.openstreetmap.org"
TILE_ATTRIBUTION = "© les contributeurs d'OpenStreetMap"

ASSETS_DIR = Path(__file__).resolve().parent / "site_assets"

#: Context layers copied for the map's orientation when tiles are off.
CONTEXT_LAYERS: tuple[str, ...] = ("wallonia", "provinces")


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


def headline_html(content: TransparencyContent) -> str:
    """The headline figures as a table: figure, value, date, source."""
    lang = content.lang
    rows = []
    for fig in content.headline:
        badge = f" {example_badge(lang)}" if fig.is_example else ""
        value_class = ' class="num unknown"' if fig.value is None else ' class="num"'
        rows.append(
            "<tr>"
            f'<th scope="row">{_e(fig.label)}{badge}</th>'
            f"<td{value_class}>{_e(fig.display)}</td>"
            f"<td>{_e(fig.date_display)}</td>"
            f"<td>{source_html(fig.source_title, fig.source_url, lang)}</td>"
            "</tr>"
        )
    return (
        '<table class="data" id="table-chiffres">'
        f"<caption>{_e(t('transparency.headline.caption', lang))}</caption>"
        "<thead><tr>"
        f'<th scope="col">{_e(t("transparency.headline.col_figure", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.headline.col_value", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.headline.col_date", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.headline.col_source", lang))}</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        f'<p class="note">{_e(content.targets_note)}</p>'
    )


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
    version with its date when known."""
    lang = content.lang
    versions = any(row.perimeter_version_label for row in content.precision)
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
            f"<td>{_e(row.status_label)}</td>"
            f'<td class="num">{row.job_target}</td>'
            "</tr>"
        )
    version_col = f'<th scope="col">{_e(t("transparency.precision.col_perimeter", lang))}</th>' if versions else ""
    summary = f"<p>{_e(content.perimeters_summary)}</p>" if content.perimeters_summary else ""
    return (
        f"<p>{_e(content.precision_summary)}</p>{summary}"
        '<table class="data" id="table-precision">'
        f"<caption>{_e(t('transparency.precision.caption', lang))}</caption>"
        "<thead><tr>"
        f'<th scope="col">{_e(t("transparency.precision.col_territory", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.precision.col_province", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.precision.col_precision", lang))}</th>'
        f"{version_col}"
        f'<th scope="col">{_e(t("transparency.precision.col_status", lang))}</th>'
        f'<th scope="col">{_e(t("transparency.precision.col_target", lang))}</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
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
    return " ; ".join(notes)


def changes_html(content: TransparencyContent) -> str:
    """The change log table (most recent entries first)."""
    lang = content.lang
    if not content.ledger_available:
        return f"<p>{_e(t('transparency.changes.unavailable', lang))}</p>"
    if not content.changes:
        return f"<p>{_e(t('transparency.changes.empty', lang))}</p>"
    rows = []
    for entry in content.changes:
        rows.append(
            "<tr>"
            f'<td><time datetime="{_e(entry.entered_at)}">{_e(entry.entered_display)}</time></td>'
            f'<th scope="row">{_e(entry.scope_label)}</th>'
            f"<td>{_e(entry.metric_label)}</td>"
            f'<td class="num">{_e(entry.value_display)}</td>'
            f"<td>{_e(entry.period_display)}</td>"
            f"<td>{source_html(entry.source_title, entry.source_url, lang)}</td>"
            f"<td>{_change_note(entry, lang)}</td>"
            "</tr>"
        )
    return (
        f"<p>{_e(t('transparency.changes.intro', lang))}</p>"
        '<div class="scroll" role="region" tabindex="0" aria-labelledby="caption-journal">'
        '<table class="data" id="table-journal">'
        f'<caption id="caption-journal">{_e(t("transparency.changes.caption", lang))}</caption>'
        "<thead><tr>"
        + "".join(
            f'<th scope="col">{_e(t(f"transparency.changes.{col}", lang))}</th>'
            for col in ("col_entered", "col_scope", "col_metric", "col_value", "col_period", "col_source", "col_note")
        )
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


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
        '<table class="data" id="table-credits">'
        f"<caption>{_e(t('transparency.credits.caption', lang))}</caption>"
        "<thead><tr>"
        + "".join(
            f'<th scope="col">{_e(t(f"transparency.credits.{col}", lang))}</th>'
            for col in ("col_producer", "col_dataset", "col_licence", "col_attribution")
        )
        + "</tr></thead><tbody>"
        + rows
        + "</tbody></table>"
        + notes
    )


@dataclass(frozen=True)
class DownloadItem:
    """One downloadable file: name in ``data/``, description key, format, size in bytes."""

    file: str
    description_key: str
    format: str
    size: int | None = None


DOWNLOADS: tuple[DownloadItem, ...] = (
    DownloadItem(opendata.TERRITORIES_GEOJSON, "territories_geojson", "GeoJSON"),
    DownloadItem(opendata.TERRITORIES_CSV, "territories_csv", "CSV"),
    DownloadItem(opendata.LEDGER_CSV, "ledger_csv", "CSV"),
    DownloadItem(opendata.LEDGER_XLSX, "ledger_xlsx", "XLSX"),
    DownloadItem(opendata.DICTIONARY_CSV, "dictionary_csv", "CSV"),
    DownloadItem(opendata.DATAPACKAGE_JSON, "datapackage", "JSON"),
)


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


def downloads_html(lang: str, items: Sequence[DownloadItem], prefix: str = "data/") -> str:
    """The open-data files as a table of links (``prefix`` + file name)."""
    rows = "".join(
        "<tr>"
        f'<th scope="row"><a href="{_e(prefix + item.file)}" download>{_e(item.file)}</a></th>'
        f"<td>{_e(t(f'transparency.downloads.{item.description_key}', lang))}</td>"
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


def map_html(
    lang: str, prefix: str, tiles: bool, available: bool, context_files: Sequence[str], perimeters: str = ""
) -> str:
    """The map block: a container read by ``assets/map.js``, with its legend and fallbacks.

    ``perimeters`` (which perimeter versions are published, one sentence) is said under the
    map; each territory's popup gives its own version and date (``data-perimeter-*``
    templates, filled by ``map.js`` from the GeoJSON's ``perimeter_version_label`` and
    ``perimeter_version_date``)."""
    if not available:
        return f"<p>{_e(t('transparency.map.unavailable', lang))}</p>"
    tiles_attr = f' data-tiles="{_e(TILE_URL)}" data-tiles-attribution="{_e(TILE_ATTRIBUTION)}"' if tiles else ""
    context_attr = ",".join(prefix + f for f in context_files)
    note = "" if tiles else f'<p class="note">{_e(t("transparency.map.no_tiles", lang))}</p>'
    templates = (
        f' data-perimeter-label="{_e(t("map.tooltip.perimeter", lang))}"'
        f' data-perimeter-base="{_e(t("common.perimeter_version.base", lang, date="{date}"))}"'
        f' data-perimeter-approved="{_e(t("common.perimeter_version.approved", lang, version="{version}", date="{date}"))}"'
    )
    versions = f'<p class="note" id="map-perimeters">{_e(perimeters)}</p>' if perimeters else ""
    return (
        f"<p>{_e(t('transparency.map.description', lang))}</p>"
        f'<div id="map" class="map" role="region" aria-label="{_e(t("transparency.map.heading", lang))}"'
        f' data-geojson="{_e(prefix + "data/" + opendata.TERRITORIES_GEOJSON)}"'
        f' data-context="{_e(context_attr)}" data-lang="{_e(lang)}"{tiles_attr}{templates}></div>{versions}'
        '<ul class="legend">'
        f'<li><span class="swatch swatch-precise" aria-hidden="true"></span>{_e(t("transparency.map.legend_precise", lang))}</li>'
        f'<li><span class="swatch swatch-indicative" aria-hidden="true"></span>{_e(t("transparency.map.legend_indicative", lang))}</li>'
        "</ul>"
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
) -> str:
    """The whole HTML page for ``content`` (``prefix``: path from this page to the site root)."""
    lang = content.lang
    generated = generated or dt.date.today()
    toc = "".join(f'<li><a href="#{sid}">{_e(t(key, lang))}</a></li>' for sid, key in SECTIONS)
    example_notice = f'<p class="example-notice">{example_badge(lang)}</p>' if content.has_example_data else ""
    sections = {
        "chiffres": headline_html(content) + unknown_html(content),
        "methodologie": methodology_html(content),
        "precision": precision_html(content),
        "carte": map_html(lang, prefix, tiles, map_available, context_files, content.perimeters_summary),
        "journal": changes_html(content),
        "donnees": downloads_html(lang, downloads, prefix + "data/"),
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
    store: object | None = None,
) -> SiteExport:
    """Write the static public site into ``out_dir`` (created; files overwritten).

    ``observations`` is the ledger's ``observations_frame(include_superseded=True)``;
    ``store`` (a perimeter store or a ledger ``Store``) gives the published perimeters:
    the territories GeoJSON, the page's precision table, its map and its footer carry each
    territory's perimeter version and date (``None``: the committed perimeters).
    Returns a :class:`SiteExport` listing what was written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    registry = registry or load_registry()
    data_paths = opendata.write_open_data(out / "data", observations, registry, store=store)
    published = _read_json(data_paths[opendata.TERRITORIES_GEOJSON])
    downloads = tuple(
        DownloadItem(d.file, d.description_key, d.format, data_paths[d.file].stat().st_size) for d in DOWNLOADS
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
