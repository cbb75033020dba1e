"""The static export: accessible HTML, local assets only, open data, the CLI."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tzcld.cli import main as cli_main
from tzcld.export import opendata
from tzcld.export.site import TILE_ORIGIN, export_site, leaflet_dir
from tzcld.facts import fact
from tzcld.ledger import Account, ObservationInput, open_store

XSS = "<script>alert('x')</script>"


class PageParser(HTMLParser):
    """Collects what the tests look at: tags, attributes, resource URLs, text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.resources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in {"script", "img", "iframe"} and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"])

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag):
        return [a for t, a in self.tags if t == tag]

    def count(self, tag):
        return len(self.all(tag))


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledger")
    store = open_store(f"sqlite:///{folder / 'l.sqlite'}", demo=False)
    store.record(
        Account("admin-test", "admin"),
        [
            ObservationInput(
                scope="programme",
                metric="hired",
                value=170,
                unit="persons",
                period_date="2026-03",
                source_title=XSS,
                source_url="https://example.org/forem",
            )
        ],
    )
    out = tmp_path_factory.mktemp("site")
    result = export_site(out, store.observations_frame())
    store.dispose()
    return result


def test_writes_pages_data_and_assets(site) -> None:
    out = site.out_dir
    for name in ("index.html", "en/index.html", "assets/site.css"):
        assert (out / name).is_file(), name
    for name in (
        opendata.TERRITORIES_GEOJSON,
        opendata.TERRITORIES_CSV,
        opendata.LEDGER_CSV,
        opendata.LEDGER_XLSX,
        opendata.DICTIONARY_CSV,
        opendata.DATAPACKAGE_JSON,
    ):
        assert (out / "data" / name).is_file(), name
    if site.map_available:
        assert (out / "assets/leaflet/leaflet.js").is_file() and (out / "assets/map.js").is_file()
        assert (out / "assets/leaflet/LICENSE").is_file()
    else:
        assert (
            leaflet_dir() is None
            or not json.loads((out / "data" / opendata.TERRITORIES_GEOJSON).read_text())["features"][0]["geometry"]
        )


@pytest.mark.parametrize("page,lang", [("index.html", "fr"), ("en/index.html", "en")])
def test_html_is_structured_for_assistive_technology(site, page, lang) -> None:
    parsed = parse(site.out_dir / page)
    assert parsed.all("html")[0]["lang"] == lang
    for landmark in ("header", "nav", "main", "footer"):
        assert parsed.count(landmark) == 1, landmark
    assert parsed.count("h1") == 1
    assert parsed.count("h2") == 7
    tables = parsed.count("table")
    assert tables >= 5 and parsed.count("caption") == tables
    assert all(a.get("scope") in {"col", "row"} for a in parsed.all("th"))
    assert parsed.all("a")[0]["class"] == "skip" and parsed.all("a")[0]["href"] == "#contenu"
    assert all(a.get("alt") for a in parsed.all("img"))
    assert any(a.get("aria-label") for a in parsed.all("nav"))


@pytest.mark.parametrize("page", ["index.html", "en/index.html"])
def test_nothing_is_loaded_from_another_host(site, page) -> None:
    parsed = parse(site.out_dir / page)
    assert parsed.resources, "the page loads its stylesheet at least"
    assert [u for u in parsed.resources if urlsplit(u).scheme in {"http", "https"} or u.startswith("//")] == []
    for url in parsed.resources:
        if not url.startswith("data:"):
            assert (site.out_dir / Path(page).parent / url).resolve().is_file(), url
    csp = next(a["content"] for a in parsed.all("meta") if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'self'" in csp and TILE_ORIGIN not in csp
    assert not any("data-tiles" in a for a in parsed.all("div"))
    map_js = site.out_dir / "assets" / "map.js"
    if map_js.exists():
        assert "http" not in map_js.read_text(encoding="utf-8")


def test_headline_figures_and_sources_are_on_the_page(site) -> None:
    html = (site.out_dir / "index.html").read_text(encoding="utf-8")
    for key in ("target.programme", "jobs_created.midterm-2025", "budget.total", "jobs_created.mons-jemappes-telemb"):
        f = fact(key)
        assert f.label_fr.replace("'", "&#x27;") in html
        if f.source_url:
            assert f'href="{f.source_url}"' in html
    assert "104\u202fM€" in html
    assert "non communiqué" in html  # the "what is not known" section and the intro
    assert "725" in html and "750" in html
    assert "Statbel" in html and "OpenStreetMap" in html and "ICAR" in html and "BeST" in html


def test_ledger_text_is_escaped(site) -> None:
    html = (site.out_dir / "index.html").read_text(encoding="utf-8")
    assert XSS not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_download_links_point_to_the_written_files(site) -> None:
    for page in ("index.html", "en/index.html"):
        parsed = parse(site.out_dir / page)
        links = [
            a["href"]
            for a in parsed.all("a")
            if a.get("href", "").endswith((".csv", ".xlsx", ".geojson", "datapackage.json"))
        ]
        # each CSV for machines and for a spreadsheet; the journal links the ledger CSV again
        assert len(links) == 9 and len(set(links)) == 8
        for link in links:
            assert (site.out_dir / Path(page).parent / link).resolve().is_file(), link


def test_cli_exports_and_tiles_are_opt_in(tmp_path, capsys) -> None:
    assert cli_main(["export-site", str(tmp_path / "plain")]) == 0
    assert "Site statique écrit" in capsys.readouterr().out
    assert cli_main(["export-site", str(tmp_path / "tiles"), "--tiles"]) == 0
    html = (tmp_path / "tiles" / "index.html").read_text(encoding="utf-8")
    if (tmp_path / "tiles" / "assets" / "map.js").exists():
        assert TILE_ORIGIN in html and "data-tiles=" in html
    plain = (tmp_path / "plain" / "index.html").read_text(encoding="utf-8")
    assert TILE_ORIGIN not in plain


def test_cli_refuses_a_file_as_output(tmp_path, capsys) -> None:
    target = tmp_path / "f.txt"
    target.write_text("keep me", encoding="utf-8")
    assert cli_main(["export-site", str(target)]) == 2
    assert "n'est pas un dossier" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_in_page_links_have_targets(site) -> None:
    parsed = parse(site.out_dir / "index.html")
    ids = {a["id"] for _, a in parsed.tags if a.get("id")}
    anchors = [a["href"][1:] for a in parsed.all("a") if a.get("href", "").startswith("#")]
    assert len(anchors) >= 8  # skip link + table of contents
    assert [a for a in anchors if a not in ids] == []
    assert len(ids) == len([a for _, a in parsed.tags if a.get("id")])  # ids are unique
