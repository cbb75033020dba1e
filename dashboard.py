"""Entry point: ``streamlit run dashboard.py``. Navigation and language switch only."""

from __future__ import annotations

import streamlit as st

from tzcld.ui import language_switch, tr

st.set_page_config(page_title="TZCLD Wallonie — TerritoiR'ES", page_icon="🗺️", layout="wide")

PAGES = [
    st.Page("pages/accueil.py", title=tr("common.nav.home"), icon="🏠", url_path="accueil", default=True),
    st.Page("pages/carte.py", title=tr("common.nav.map"), icon="🗺️", url_path="carte"),
    st.Page("pages/verifier.py", title=tr("common.nav.check"), icon="📍", url_path="verifier"),
    st.Page("pages/progres.py", title=tr("common.nav.progress"), icon="📈", url_path="progres"),
    st.Page("pages/transparence.py", title=tr("common.nav.transparency"), icon="🔎", url_path="transparence"),
    st.Page("pages/saisie.py", title=tr("common.nav.entry"), icon="✍️", url_path="saisie"),
]

navigation = st.navigation(PAGES)
language_switch()
navigation.run()
