"""The only Streamlit-aware part of ``tzcld``: session helpers and cached loaders.

Pages call these; the rest of the package never imports Streamlit. One module per
concern (``tzcld.ui.geo``, ``tzcld.ui.check``, ...) so that heavy work happens once,
behind ``st.cache_resource`` / ``st.cache_data``, never on every rerun.

The interface language lives in the URL (``?lang=en``; French has no parameter), so that a
shared link, a reload or a link opened in a new tab keeps it; the session remembers it
across the app's own navigation, which starts each page with a bare URL (see
:func:`keep_language_in_url`).
"""

from __future__ import annotations

import streamlit as st

from tzcld.i18n import DEFAULT_LANG, LANGUAGES, t

LANG_KEY = "lang"
#: URL parameter of the interface language (``?lang=en``).
LANG_PARAM = "lang"
_SWITCH_KEY = "lang_switch"


def language_from_url() -> str | None:
    """The language asked for by ``?lang=`` (``fr`` | ``en``), or None (absent or unknown)."""
    value = st.query_params.get(LANG_PARAM)
    value = str(value).strip().lower() if value else ""
    return value if value in LANGUAGES else None


def current_lang() -> str:
    """The interface language: ``?lang=`` in the URL when present (a shared link wins), else
    the session's choice, else French."""
    lang = language_from_url()
    if lang is None:
        lang = st.session_state.get(LANG_KEY)
        if lang not in LANGUAGES:
            lang = DEFAULT_LANG
    if st.session_state.get(LANG_KEY) != lang:
        st.session_state[LANG_KEY] = lang
    return lang


def tr(key: str, /, **params: object) -> str:
    """Translate ``key`` into the session's language."""
    return t(key, current_lang(), **params)


def lang_query(lang: str | None = None) -> dict[str, str]:
    """The query parameters that carry ``lang`` (default: the session's) in a link:
    ``{"lang": "en"}``, or ``{}`` for French."""
    lang = lang or current_lang()
    return {} if lang == DEFAULT_LANG else {LANG_PARAM: lang}


def keep_language_in_url(lang: str) -> None:
    """Write ``lang`` into the URL (``?lang=en``; removed for French). Streamlit drops the
    query string when it opens another page of the app: called on every run, this puts the
    language back, so that a reload or a copied address opens the page in ``lang``."""
    wanted = lang_query(lang).get(LANG_PARAM)
    present = st.query_params.get(LANG_PARAM)
    if wanted and present != wanted:
        st.query_params[LANG_PARAM] = wanted
    elif not wanted and present is not None and present != DEFAULT_LANG:
        del st.query_params[LANG_PARAM]


def _switch_language() -> None:
    choice = st.session_state.get(_SWITCH_KEY)
    if choice in LANGUAGES:
        st.session_state[LANG_KEY] = choice
        if choice == DEFAULT_LANG:
            if LANG_PARAM in st.query_params:
                del st.query_params[LANG_PARAM]
        else:
            st.query_params[LANG_PARAM] = choice


def language_switch() -> None:
    """A FR/EN switch in the sidebar; the choice goes into the URL (``?lang=en``)."""
    lang = current_lang()
    keep_language_in_url(lang)
    if st.session_state.get(_SWITCH_KEY) != lang:
        st.session_state[_SWITCH_KEY] = lang  # a link in the other language was followed
    st.sidebar.radio(
        t("common.language", lang),
        options=list(LANGUAGES),
        format_func=lambda code: {"fr": "Français", "en": "English"}[code],
        horizontal=True,
        key=_SWITCH_KEY,
        on_change=_switch_language,
    )
    document_language(lang)


def document_language(lang: str) -> None:
    """Declare the page's language on ``<html lang>`` (Streamlit always says ``en``), so that
    screen readers pronounce French as French, and give date fields the placeholders of the
    language (Streamlit draws ``dd/mm/yyyy`` whatever the page's language; French reads
    ``jj/mm/aaaa``). ``lang`` is one of :data:`LANGUAGES`."""
    if lang in LANGUAGES:
        st.sidebar.html(f"<script>document.documentElement.lang = {lang!r};</script>", unsafe_allow_javascript=True)
        st.html(date_placeholder_css(lang) + NARROW_SCREEN_CSS)


#: On a phone (under 40 rem) the page's title and headings at a size that leaves room for
#: the headline figures on the first screen (Streamlit's title alone took half of a
#: 390 × 844 screen, in four lines).
NARROW_SCREEN_CSS = """<style>@media (max-width: 40rem) {
[data-testid="stMainBlockContainer"] [data-testid="stHeading"] h1 { font-size: 1.9rem !important; line-height: 1.2 !important; }
[data-testid="stMainBlockContainer"] [data-testid="stHeading"] h2 { font-size: 1.45rem !important; line-height: 1.25 !important; }
[data-testid="stMainBlockContainer"] [data-testid="stHeading"] h3 { font-size: 1.2rem !important; }
}</style>"""


def date_placeholder_css(lang: str) -> str:
    """CSS drawing the empty day, month and year segments of ``st.date_input`` with the
    catalogue's placeholders (``common.date_placeholder.*``), over Streamlit's English ones.
    The field itself, its value and what screen readers announce are untouched."""
    rules = []
    for part in ("day", "month", "year"):
        text = t(f"common.date_placeholder.{part}", lang).replace("\\", "").replace('"', "")
        selector = f'[data-testid="stDateInputField"] [role="spinbutton"][data-placeholder="true"][data-type="{part}"]'
        rules.append(
            f"{selector}{{color:transparent!important;position:relative}}"
            f'{selector}::after{{content:"{text}";position:absolute;left:0;right:0;top:0;bottom:0;display:flex;align-items:center;justify-content:center;'
            "color:rgba(22,22,22,.7);pointer-events:none}"
            f"{selector}[data-focused]::after{{color:#fff}}"
        )
    return "<style>" + "".join(rules) + "</style>"
