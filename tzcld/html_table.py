"""Small read-only tables of the public pages as plain, accessible HTML (no Streamlit).

A figures table on a public page is read, not explored: a ``<table>`` with a visible
``<caption>``, header cells with ``scope``, the first column as each row's header, numbers
right-aligned (already written the Belgian French way by :mod:`tzcld.formatting` and the
ledger's displays; a raw number is formatted here), an unknown number said
"non communiqué" (never 0, never blank), and each figure's source linked to its page. It is
far lighter than Streamlit's data grid (whose code, ≈ 1.6 MB, a first visit would
otherwise download) and read the same by screen readers and printers. On a phone (under
40 rem) each row becomes a card, every value under its column's name (``data-label``), so
nothing is squeezed to a letter per line and the page never scrolls sideways; the ARIA
roles keep the table's meaning for screen readers when the cells are laid out as blocks.

:func:`table_html` builds one fragment (everything escaped; links only to ``http(s)``
pages); :data:`TABLE_CSS` its styles, scoped by the ``tzcld-table`` class.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from html import escape

import pandas as pd

from tzcld.formatting import format_number
from tzcld.i18n import t

#: The tables' styles (DSFR-like: grey rules, bold header on light grey, blue links).
TABLE_CSS = """<style>
.tzcld-table { max-width: 100%; overflow-x: auto; margin: .25rem 0 1rem; }
.tzcld-table:focus-visible { outline: 2px solid #000091; outline-offset: 2px; }
.tzcld-table table { border-collapse: collapse; width: 100%; font-size: .92rem; line-height: 1.4; }
.tzcld-table caption { caption-side: top; text-align: left; font-weight: 700; padding: 0 0 .4rem; color: inherit; }
.tzcld-table th, .tzcld-table td { border-bottom: 1px solid #c9ced6; padding: .4rem .55rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
.tzcld-table thead th { background: #f2f4f7; border-bottom: 2px solid #3a3a3a; font-weight: 700; }
.tzcld-table tbody th { font-weight: 600; }
.tzcld-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.tzcld-table .unknown { color: #4a4a4a; font-style: italic; }
.tzcld-table a { color: #000091; }
@media (max-width: 40rem) {
  .tzcld-table table, .tzcld-table tbody, .tzcld-table tr, .tzcld-table th, .tzcld-table td,
  .tzcld-table caption { display: block; width: auto; }
  .tzcld-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .tzcld-table tbody tr { border: 1px solid #c9ced6; border-left: 4px solid #000091; border-radius: .3rem;
    margin: 0 0 .6rem; padding: .35rem .7rem; }
  .tzcld-table tbody th, .tzcld-table td { border: 0; padding: .2rem 0; text-align: left; }
  .tzcld-table tbody th { font-size: 1rem; }
  .tzcld-table td.num { text-align: left; font-weight: 600; }
  .tzcld-table td[data-label]::before { content: attr(data-label); display: block; font-size: .8rem;
    font-weight: 600; color: #4a4a4a; font-style: normal; }
  .tzcld-table td:empty { display: none; }
}
</style>"""

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_ID = re.compile(r"[^a-z0-9_-]+")


def table_id(key: str) -> str:
    """An HTML id from a key: ``"home figures" -> "table-home-figures"``."""
    return "table-" + (_ID.sub("-", key.lower()).strip("-") or "x")


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def cell_text(value: object, lang: str = "fr") -> str:
    """What a cell says: a raw number the Belgian French way (``1234.5 -> '1 234,5'``), a
    text as it is; ``""`` for a missing value (the caller says "non communiqué" where a
    number is expected)."""
    if _is_missing(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return format_number(number, 0 if number.is_integer() else 1, lang)
    return str(value)


def safe_urls(value: object) -> list[str]:
    """The ``http(s)`` addresses in a link cell (several are joined by `` ; ``); anything
    else (``javascript:``, a bare word) is no link."""
    if _is_missing(value):
        return []
    return _URL.findall(str(value))


def _link(text: str, url: str) -> str:
    return f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer" target="_blank">{text}</a>'


def table_html(
    frame: pd.DataFrame,
    caption: str,
    *,
    key: str,
    lang: str = "fr",
    numeric: Collection[str] = (),
    links: Mapping[str, str] | None = None,
    row_header: bool = True,
    drop_empty: bool = True,
) -> str:
    """``frame`` (display texts, one column per header) as an accessible HTML table.

    - ``caption``: the table's visible title (also the name of its scrolling region);
    - ``key``: gives the ids (``table-<key>``), so that a page can link to the table;
    - ``numeric``: columns right-aligned; an empty cell there says "non communiqué";
    - ``links``: ``{text column: URL column}``: the text becomes a link to the URL (the
      URL column itself is not shown; a cell holding several addresses gets one link
      each, numbered after the text);
    - ``row_header``: the first column is each row's header (``<th scope="row">``);
    - ``drop_empty``: a column empty on every row is left out (nothing to read there).
    """
    links = dict(links or {})
    hidden = set(links.values())
    columns = [c for c in frame.columns if c not in hidden]
    if drop_empty and len(frame):
        columns = [c for c in columns if c in numeric or any(cell_text(v, lang).strip() for v in frame[c].tolist())]
    unknown = escape(t("progress.unknown", lang))
    ident = table_id(key)
    num = ' class="num"'
    labels = [escape(str(c), quote=True) for c in columns]
    head = "".join(
        f'<th scope="col" role="columnheader"{num if c in numeric else ""}>{label}</th>'
        for c, label in zip(columns, labels)
    )
    values = {c: frame[c].tolist() for c in columns}
    urls = {c: frame[links[c]].tolist() for c in columns if c in links and links[c] in frame.columns}
    body = []
    for i in range(len(frame)):
        cells = []
        for j, c in enumerate(columns):
            text = cell_text(values[c][i], lang)
            classes = ["num"] if c in numeric else []
            if c in numeric and (not text.strip() or escape(text) == unknown):
                content = unknown
                classes.append("unknown")
            else:
                content = escape(text)
                if c in urls:
                    found = safe_urls(urls[c][i])
                    if len(found) == 1:
                        content = _link(content, found[0])
                    elif found:
                        content += " " + " ".join(_link(f"[{n}]", u) for n, u in enumerate(found, 1))
            attr = f' class="{" ".join(classes)}"' if classes else ""
            if row_header and j == 0:
                cells.append(f'<th scope="row" role="rowheader"{attr}>{content}</th>')
            else:
                cells.append(f'<td role="cell" data-label="{labels[j]}"{attr}>{content}</td>')
        body.append(f'<tr role="row">{"".join(cells)}</tr>')
    return (
        f'<div class="tzcld-table" role="region" tabindex="0" aria-labelledby="{ident}-caption">'
        f'<table id="{ident}" role="table"><caption id="{ident}-caption">{escape(caption)}</caption>'
        f'<thead role="rowgroup"><tr role="row">{head}</tr></thead>'
        f'<tbody role="rowgroup">{"".join(body)}</tbody></table></div>'
    )
