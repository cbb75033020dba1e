"""The dashboard's menu: public pages, then the partners' area, every link in the language
of the session.

Streamlit's own menu links a page by its bare path (``/carte``), so a link opened in a new tab
or copied from the menu would lose ``?lang=en``. The menu is therefore drawn here with
``st.page_link`` (``st.navigation(..., position="hidden")``), each link carrying the language.

``/accueil`` works as a deep link: Streamlit serves the default page at ``/`` only (it ignores
the default page's ``url_path``), so the home page is registered a second time, hidden from
Streamlit's own navigation, at ``accueil`` — and the menu links that one: Streamlit writes the
default page's link as ``href=""`` (the current page, once opened in a new tab or copied).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from tzcld.ui import current_lang, lang_query, tr


@dataclass(frozen=True)
class MenuSection:
    """A group of pages in the menu: a heading (catalogue key, none for the first group), a
    note under it (catalogue key), and the pages."""

    heading_key: str | None
    note_key: str | None
    pages: Sequence[st.Page]


def menu(sections: Sequence[MenuSection]) -> None:
    """Draw the menu in the sidebar; each link keeps the interface language (``?lang=en``)."""
    query = lang_query(current_lang()) or None
    with st.sidebar:
        for section in sections:
            if section.heading_key:
                st.markdown(f"**{tr(section.heading_key)}**")
            if section.note_key:
                st.caption(tr(section.note_key))
            for page in section.pages:
                st.page_link(page, label=page.title, icon=page.icon or None, query_params=query)
        st.divider()


def partner_notice() -> None:
    """The line at the top of a partners' page: "Espace partenaires, connexion requise"."""
    st.badge(tr("common.partner_area"), icon=":material/lock:", color="blue")
