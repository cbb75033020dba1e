"""The only Streamlit-aware part of ``tzcld``: session helpers and cached loaders.

Pages call these; the rest of the package never imports Streamlit. One module per
concern (``tzcld.ui.geo``, ``tzcld.ui.check``, ...) so that heavy work happens once,
behind ``st.cache_resource`` / ``st.cache_data``, never on every rerun.
"""

from __future__ import annotations

import streamlit as st

from tzcld.i18n import DEFAULT_LANG, LANGUAGES, t

LANG_KEY = "lang"


def current_lang() -> str:
    """The interface language of this session (``fr`` unless the user switched)."""
    lang = st.session_state.get(LANG_KEY)
    if lang not in LANGUAGES:
        lang = st.query_params.get("lang", DEFAULT_LANG)
        if lang not in LANGUAGES:
            lang = DEFAULT_LANG
        st.session_state[LANG_KEY] = lang
    return lang


def tr(key: str, /, **params: object) -> str:
    """Translate ``key`` into the session's language."""
    return t(key, current_lang(), **params)


def language_switch() -> None:
    """A FR/EN switch in the sidebar, kept in session state."""
    lang = current_lang()
    choice = st.sidebar.radio(
        t("common.language", lang),
        options=list(LANGUAGES),
        index=list(LANGUAGES).index(lang),
        format_func=lambda code: {"fr": "Français", "en": "English"}[code],
        horizontal=True,
        key="lang_switch",
    )
    if choice != lang:
        st.session_state[LANG_KEY] = choice
        st.rerun()
    document_language(lang)


def document_language(lang: str) -> None:
    """Declare the page's language on ``<html lang>`` (Streamlit always says ``en``), so that
    screen readers pronounce French as French. ``lang`` is one of :data:`LANGUAGES`."""
    if lang in LANGUAGES:
        st.sidebar.html(f"<script>document.documentElement.lang = {lang!r};</script>", unsafe_allow_javascript=True)
