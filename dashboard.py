"""Entry point: ``streamlit run dashboard.py``. Navigation and language switch only.

The pages live in ``app_pages/``, not ``pages/``: with a ``pages/`` folder beside the entry
point, Streamlit still runs its legacy folder navigation when a server's first visit is a
deep link (``/carte``), skipping this file.
"""

from __future__ import annotations

import streamlit as st

from tzcld.ui import language_switch, tr
from tzcld.ui.errors import run_page

st.set_page_config(page_title="TZCLD Wallonie — TerritoiR'ES", page_icon="🗺️", layout="wide")

PAGES = [
    st.Page(
        "app_pages/accueil.py", title=tr("common.nav.home"), icon=":material/home:", url_path="accueil", default=True
    ),
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
    st.Page("app_pages/saisie.py", title=tr("common.nav.entry"), icon=":material/edit_note:", url_path="saisie"),
    st.Page(
        "app_pages/perimetre.py",
        title=tr("common.nav.perimeter"),
        icon=":material/edit_location_alt:",
        url_path="perimetre",
    ),
]

navigation = st.navigation(PAGES)
language_switch()
run_page(navigation)  # a failure becomes a French message, never a traceback (tzcld.ui.errors)
