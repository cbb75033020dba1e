"""Entry point: ``streamlit run dashboard.py``. Navigation and language switch only.

The pages live in ``app_pages/``, not ``pages/``: with a ``pages/`` folder beside the entry
point, Streamlit still runs its legacy folder navigation when a server's first visit is a
deep link (``/carte``), skipping this file.

The menu (``tzcld.ui.navigation``) has two groups: the public pages, then the partners' area
(sign-in required). Every link carries the language (``?lang=en``). The home page is served
at ``/`` and, for links that name it, at ``/accueil``.
"""

from __future__ import annotations

import streamlit as st

from tzcld.ui import language_switch, tr
from tzcld.ui.errors import run_page
from tzcld.ui.navigation import MenuSection, menu

st.set_page_config(page_title="TZCLD Wallonie — TerritoiR'ES", page_icon="🗺️", layout="wide")

HOME = st.Page(
    "app_pages/accueil.py", title=tr("common.nav.home"), icon=":material/home:", url_path="index", default=True
)
#: ``/accueil``: Streamlit ignores the default page's ``url_path``, so the home page is also
#: registered under that name, hidden from the menu.
HOME_ALIAS = st.Page(
    "app_pages/accueil.py", title=tr("common.nav.home"), icon=":material/home:", url_path="accueil", visibility="hidden"
)
PUBLIC = [
    HOME,
    st.Page("app_pages/carte.py", title=tr("common.nav.map"), icon=":material/map:", url_path="carte"),
    st.Page(
        "app_pages/verifier.py", title=tr("common.nav.check"), icon=":material/where_to_vote:", url_path="verifier"
    ),
    st.Page("app_pages/progres.py", title=tr("common.nav.progress"), icon=":material/trending_up:", url_path="progres"),
    st.Page(
        "app_pages/transparence.py",
        title=tr("common.nav.transparency"),
        icon=":material/fact_check:",
        url_path="transparence",
    ),
]
PARTNERS = [
    st.Page("app_pages/saisie.py", title=tr("common.nav.entry"), icon=":material/edit_note:", url_path="saisie"),
    st.Page(
        "app_pages/perimetre.py",
        title=tr("common.nav.perimeter"),
        icon=":material/edit_location_alt:",
        url_path="perimetre",
    ),
]

navigation = st.navigation(
    {tr("common.nav.public"): [*PUBLIC, HOME_ALIAS], tr("common.nav.partners"): PARTNERS}, position="hidden"
)
menu(
    [
        # the home page linked at /accueil: Streamlit writes the default page's link as href=""
        # (the current page, once opened in a new tab or copied)
        MenuSection(None, None, [HOME_ALIAS, *PUBLIC[1:]]),
        MenuSection("common.nav.partners", "common.nav.partners_note", PARTNERS),
    ]
)
language_switch()
run_page(navigation)  # a failure becomes a French message, never a traceback (tzcld.ui.errors)
