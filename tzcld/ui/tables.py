"""Streamlit side of the public pages' small tables: :func:`tzcld.html_table.table_html`
drawn with ``st.html`` — no data grid (its code is ≈ 1.6 MB that a first visit would
otherwise download), a real ``<table>`` with its caption, header cells and linked sources.
``st.dataframe`` stays where sorting or scrolling a big table is the point (a checked
file's results, the partners' pages)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd
import streamlit as st

from tzcld.html_table import TABLE_CSS, table_html
from tzcld.ui import current_lang


def show_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    key: str,
    numeric: Collection[str] = (),
    links: Mapping[str, str] | None = None,
    row_header: bool = True,
    lang: str | None = None,
) -> None:
    """Draw ``frame`` as an HTML table (see :func:`tzcld.html_table.table_html`)."""
    lang = lang or current_lang()
    st.html(
        TABLE_CSS + table_html(frame, caption, key=key, lang=lang, numeric=numeric, links=links, row_header=row_header)
    )
