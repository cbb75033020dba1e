"""The Accueil headline as HTML: a few tiles whose labels are never cut off.

Pure function of :func:`tzcld.ledger.summary.headline_tiles`. Streamlit's ``st.metric``
truncates its label on one line; these tiles wrap every text instead, on a CSS grid that
puts four tiles on a row on a wide screen and one under the other on a phone. Each tile
has one short source line (publisher, date, link).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from tzcld.i18n import t
from tzcld.ledger.summary import Tile

#: The tiles' styles (scoped by the ``tzcld-tiles`` class; DSFR-like greys and blue).
TILES_CSS = """<style>
.tzcld-tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 12rem), 1fr));
  gap: .9rem; margin: .25rem 0 1rem; }
.tzcld-tile { border: 1px solid #c9ced6; border-top: 4px solid #000091; border-radius: .4rem;
  padding: .8rem 1rem; display: flex; flex-direction: column; gap: .35rem; min-width: 0; }
.tzcld-tile h3 { font-size: 1rem; line-height: 1.3; margin: 0; padding: 0; font-weight: 700;
  white-space: normal; overflow-wrap: anywhere; }
.tzcld-tile .tzcld-value { font-size: 1.9rem; line-height: 1.25; font-weight: 700; margin: 0;
  white-space: normal; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.tzcld-tile .tzcld-value.tzcld-long { font-size: 1.45rem; }
.tzcld-tile .tzcld-value.tzcld-unknown { font-size: 1.3rem; color: #4a4a4a; }
.tzcld-tile .tzcld-detail { margin: 0; font-size: .95rem; line-height: 1.4; overflow-wrap: anywhere; }
.tzcld-tile .tzcld-source { margin: auto 0 0; padding-top: .3rem; font-size: .85rem; line-height: 1.35;
  color: #4a4a4a; overflow-wrap: anywhere; }
.tzcld-tile .tzcld-badge { background: #8a3b00; color: #fff; padding: .05rem .4rem; border-radius: .25rem;
  font-size: .8rem; white-space: nowrap; }
</style>"""


#: Values longer than this (« 11 poursuivis · 5 arrêtés ») get a smaller font.
LONG_VALUE = 10


def _source_line(tile: Tile, lang: str) -> str:
    if not tile.known:
        return escape(t("home.source_line_unknown", lang))
    name = escape(tile.source)
    if tile.source_url:
        name = f'<a href="{escape(tile.source_url, quote=True)}" rel="noopener" target="_blank">{name}</a>'
    return t("home.source_line", lang, source=name, date=escape(tile.date))


def tiles_html(tiles: Sequence[Tile], lang: str = "fr", label: str = "") -> str:
    """The headline tiles (with their styles) as one HTML fragment."""
    parts = []
    for tile in tiles:
        badge = (
            f' <span class="tzcld-badge">{escape(t("progress.example_suffix", lang))}</span>' if tile.is_example else ""
        )
        value_class = "tzcld-value" if tile.known else "tzcld-value tzcld-unknown"
        if tile.known and len(tile.value) > LONG_VALUE:
            value_class += " tzcld-long"
        parts.append(
            f'<article class="tzcld-tile" id="tile-{escape(tile.key)}" aria-labelledby="tile-{escape(tile.key)}-label">'
            f'<h3 id="tile-{escape(tile.key)}-label">{escape(tile.label)}{badge}</h3>'
            f'<p class="{value_class}">{escape(tile.value)}</p>'
            f'<p class="tzcld-detail">{escape(tile.detail)}</p>'
            f'<p class="tzcld-source">{_source_line(tile, lang)}</p>'
            "</article>"
        )
    aria = f' aria-label="{escape(label, quote=True)}"' if label else ""
    return f'{TILES_CSS}<section class="tzcld-tiles"{aria}>{"".join(parts)}</section>'
