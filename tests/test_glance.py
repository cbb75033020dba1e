"""Pages read at a glance, in their language (issue 17), without a browser: the language in
the URL, the menu, English typography and vocabulary, the registry's names and the credits
from the catalogues, the short journal, the static map's statuses."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tzcld.i18n import catalogue, place_name, territory_name
from tzcld.territories import TERRITORY_IDS, load_registry

REPO = Path(__file__).resolve().parent.parent
DASHBOARD = str(REPO / "dashboard.py")
PAGES = (
    "app_pages/accueil.py",
    "app_pages/carte.py",
    "app_pages/verifier.py",
    "app_pages/progres.py",
    "app_pages/transparence.py",
    "app_pages/saisie.py",
    "app_pages/perimetre.py",
)
#: French punctuation: a space before : ; ? ! (English has none), or French quotes.
FRENCH_TYPOGRAPHY = re.compile(r"\S[ \u00a0\u202f][:;?!](?=\s|$)|[«»]")
#: A description of the registry with French common words (needs an English entry).
FRENCH_WORDS = re.compile(
    r"\b(?:de|du|des|d'|et|centre|quartier|site|partie|alentours|villages?|hors|bas|vallée)\b", re.I
)


def run(page: str | None = None, lang: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    """The dashboard at ``page``, the session in ``lang``, the URL with ``query``."""
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    if lang:
        at.session_state["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def visible_texts(at: AppTest) -> list[str]:
    """What a page shows as text: titles, markdown, captions, alerts, HTML fragments, labels."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        texts.extend(str(el.value) for el in getattr(at, kind))
    texts.extend(re.sub(r"<[^>]+>", " ", html.unescape(el.proto.body)) for el in at.get("html"))
    for widgets in (at.selectbox, at.text_input, at.radio, at.button, at.checkbox):
        texts.extend(w.label for w in widgets)
    texts.extend(b.proto.label for b in at.get("download_button"))
    return texts


def _query(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


# --- the language in the URL, the menu -------------------------------------------------------


def test_the_url_names_the_language_and_wins_over_the_session():
    at = run(query={"lang": "en"})
    assert at.title[0].value == "Zero long-term unemployment territories — Wallonia"
    assert _query(at, "lang") == "en"
    # A shared French link opened in a session that was in English: French.
    at = run(lang="en", query={"lang": "fr"})
    assert at.title[0].value.startswith("Territoires zéro chômeur")


def test_the_session_language_is_put_back_in_the_url_and_the_switch_updates_it():
    at = run("app_pages/carte.py", lang="en")  # a page opened by the menu: no query string
    assert at.title[0].value == "Map of the territories"
    assert _query(at, "lang") == "en"  # a reload or a copied address stays in English
    at.sidebar.radio(key="lang_switch").set_value("fr").run()
    assert at.title[0].value == "Carte des territoires"
    assert "lang" not in at.query_params
    at.sidebar.radio(key="lang_switch").set_value("en").run()
    assert _query(at, "lang") == "en" and at.title[0].value == "Map of the territories"


def test_an_unknown_language_in_the_url_is_french():
    at = run(query={"lang": "de"})
    assert at.title[0].value.startswith("Territoires zéro chômeur")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_menu_public_pages_then_the_partners_area_every_link_in_the_language(lang):
    at = run(lang=lang)
    links = at.sidebar.get("page_link")
    pages = [link.proto.page for link in links]
    # the home page linked at /accueil (Streamlit's own link to its default page is href="")
    assert pages == ["accueil", "carte", "verifier", "progres", "transparence", "saisie", "perimetre"]
    queries = {link.proto.query_string for link in links}
    assert queries == ({"lang=en"} if lang == "en" else {""})
    sidebar = " ".join(m.value for m in at.sidebar.markdown) + " ".join(c.value for c in at.sidebar.caption)
    expected = ("Partner area", "Sign-in required") if lang == "en" else ("Espace partenaires", "Connexion requise")
    assert all(text in sidebar for text in expected), sidebar


@pytest.mark.parametrize("page", ["app_pages/saisie.py", "app_pages/perimetre.py"])
def test_partner_pages_say_so_and_show_visitors_no_command(page):
    at = run(page, lang="fr")
    texts = " ".join(visible_texts(at))
    assert "Espace partenaires, connexion requise" in texts
    assert "python -m" not in texts and "add-account" not in texts


def test_date_fields_get_the_placeholders_of_the_language():
    from tzcld.ui import date_placeholder_css

    french = date_placeholder_css("fr")
    assert all(f'content:"{text}"' in french for text in ("jj", "mm", "aaaa"))
    assert 'data-type="day"' in french and "stDateInputField" in french
    assert 'content:"yyyy"' in date_placeholder_css("en")


# --- English pages in English ------------------------------------------------------------------


def _strip_quoted_titles(text: str) -> str:
    """Titles of French sources are quoted as they are («…»): not the page's own words."""
    return re.sub(r"«[^»]*»", "", text)


@pytest.mark.parametrize("page", PAGES)
def test_english_pages_use_english_typography_and_words(page):
    at = run(page, lang="en")
    texts = visible_texts(at)
    assert texts
    for text in texts:
        for line in _strip_quoted_titles(text).split("\n"):
            assert not FRENCH_TYPOGRAPHY.search(line), line
            assert "not disclosed" not in line and "project holder" not in line, line
            for french in ("non communiqué", "les contributeurs", "Direction générale", "Source :", "alentours"):
                assert french not in line, (french, line)


def test_one_word_per_concept_in_english():
    english = " ".join(catalogue("en").values())
    for other in ("not disclosed", "undisclosed", "project holder", "project leader"):
        assert other not in english, other
    assert catalogue("en")["common.unknown"] == "not reported"
    assert english.count("not reported") >= 10
    for key, text in catalogue("en").items():
        assert not FRENCH_TYPOGRAPHY.search(text), (key, text)


# --- the registry's names, the credits -----------------------------------------------------


def test_territory_names_come_from_the_catalogues():
    registry = load_registry()
    french, english = catalogue("fr"), catalogue("en")
    for territory in registry:
        # French: the registry is authoritative, and the catalogue repeats it word for word.
        assert french[f"registry.name.{territory.id}"] == territory.name
        assert territory_name(territory.id, "fr", territory.name) == territory.name
        assert f"registry.name.{territory.id}" in english
    assert len([k for k in english if k.startswith("registry.name.")]) == len(TERRITORY_IDS)
    assert territory_name("mons-jemappes", "en", "x") == "Mons (Jemappes and its surroundings)"
    # Every description of a place with French words has an English one.
    for territory in registry:
        for text in [u.unit for u in territory.perimeter] + list(territory.announced_units):
            if FRENCH_WORDS.search(text):
                assert f"registry.unit.{text}" in english, text
                assert french[f"registry.unit.{text}"] == text
    assert place_name("Flénu (alentours)", "en") == "Flénu (surroundings)"
    assert place_name("Matadi", "en") == "Matadi"  # a proper name alone: as it is


def test_map_attribution_and_credits_come_from_the_catalogues():
    from tzcld import maps
    from tzcld.transparency import DEFAULT_CREDITS, credits_from_manifest, read_geodata_manifest

    manifest = read_geodata_manifest()
    assert manifest is not None
    english = catalogue("en")
    # Every French text of the manifest's inputs and of the default credits is translated
    # (or is a proper name, kept as it is).
    proper = {"OpenStreetMap", "ODbL 1.0", "SPW – ICAR", "BOSA – BeST Address"}
    texts = {str(item.get(k)) for item in manifest["inputs"] for k in ("producer", "dataset", "licence", "attribution")}
    texts |= {v for c in DEFAULT_CREDITS for v in (c.producer, c.dataset, c.licence, c.attribution)}
    for text in texts - proper:
        assert f"transparency.credit_text.{text}" in english, text
    for credits in (credits_from_manifest(manifest, "en"), credits_from_manifest(None, "en")):
        words = " ".join(f"{c.producer} {c.dataset} {c.licence} {c.attribution}" for c in credits)
        for french in ("Direction générale", "partie wallonne", "Lieux nommés", "contributeurs", "Source :", " ; "):
            assert french not in words, french
        for producer in ("Statbel", "ICAR", "BeST", "OpenStreetMap"):
            assert producer in words
    # The map's one attribution line, in each language, from the catalogue.
    for lang in ("fr", "en"):
        parts = maps.attribution_parts(lang, "osm")
        assert [re.sub(r"<[^>]+>", "", p) for p in parts] == [
            catalogue(lang)[f"map.attribution.{key}"] for key in maps.DATA_PRODUCERS
        ]


# --- Transparence: a short journal -----------------------------------------------------------


def test_transparence_journal_is_short_with_the_full_history_one_click_away():
    from tzcld.export.site import RECENT_CHANGES

    at = run("app_pages/transparence.py", lang="fr")
    page = html.unescape("\n".join(h.proto.body for h in at.get("html")))
    recent = re.search(r'<table class="data" id="table-journal">(.*?)</table>', page, re.S).group(1)
    assert recent.count("<tr>") - 1 == RECENT_CHANGES  # the header row, then the latest entries
    earlier = re.search(r'<details class="journal-all"><summary>(.*?)</summary>(.*?)</details>', page, re.S)
    assert earlier and earlier.group(1).startswith("Historique : les ")
    assert 'id="table-journal-all"' in earlier.group(2)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Tout le registre (CSV)" in labels
    assert "python -m" not in page and not any("python -m" in m.value for m in at.markdown)


# --- the static site's map ------------------------------------------------------------------------


def test_static_map_uses_the_dashboards_colours_and_shows_the_ended_status(tmp_path):
    from tzcld import maps
    from tzcld.export.site import export_site

    export_site(tmp_path, None, languages=("fr", "en"))
    for page, ended in (("index.html", "arrêté"), ("en/index.html", "ended")):
        text = (tmp_path / page).read_text(encoding="utf-8")
        colours = re.search(r'data-status-colours="([^"]+)"', text).group(1)
        assert json.loads(html.unescape(colours)) == maps.STATUS_COLOURS
        legend = re.search(r'<ul class="legend"[^>]*>(.*?)</ul>', text, re.S).group(1)
        item = re.search(r'<li data-status="ended">(.*?)</li>', legend, re.S).group(1)
        assert maps.STATUS_COLOURS["ended"] in item and ended in item
        assert 'data-status="indicative"' in legend
    script = (tmp_path / "assets" / "map.js").read_text(encoding="utf-8")
    assert "data-status-colours" in script and "url(#" in script


def test_every_reason_of_the_registry_is_translated_and_kept_in_step():
    """Carte shows why each unit is in a territory: in English from the catalogue, which
    repeats the registry's French word for word (a changed reason shows in French until it
    is translated again, marked as French)."""
    from tzcld.i18n import unit_rationale

    french, english = catalogue("fr"), catalogue("en")
    for territory in load_registry():
        for unit in territory.perimeter:
            key = f"registry.rationale.{territory.id}.{unit.unit}"
            assert french.get(key) == unit.rationale, key
            assert english.get(key) and english[key] != unit.rationale, key
            assert not FRENCH_TYPOGRAPHY.search(english[key]), (key, english[key])
            text, written = unit_rationale(territory.id, unit.unit, unit.rationale, "en")
            assert (text, written) == (english[key], "en")
    assert unit_rationale("farciennes", "Farciennes", "Nouvelle justification.", "en") == (
        "Nouvelle justification.",
        "fr",
    )
    assert unit_rationale("farciennes", "Farciennes", "Justification.", "fr") == ("Justification.", "fr")
