"""tzcld.map_files and the maps drawn from files, without Streamlit."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re

import pytest

from tzcld import map_files, maps
from tzcld.map_assets import LAYERS_URL, asset_urls, localize_assets, needed_map_assets


@pytest.fixture(scope="module")
def prepared_fr() -> maps.PreparedLayers:
    return maps.prepare_layers(maps.load_map_layers(), "fr")


@pytest.fixture
def published(prepared_fr, tmp_path) -> maps.PreparedLayers:
    return map_files.publish_layers(prepared_fr, tmp_path)


def test_each_layer_is_a_content_named_file_and_its_gzip_twin(published, tmp_path):
    names = {kind: getattr(published, kind).file for kind in map_files.LAYER_FIELDS}
    for kind, name in names.items():
        assert re.fullmatch(rf"{kind}\.[0-9a-f]{{16}}\.json", name), name
        plain = (tmp_path / name).read_bytes()
        assert json.loads(plain) == getattr(published, kind).geojson
        assert gzip.decompress((tmp_path / f"{name}.gz").read_bytes()) == plain
        # Dated long ago: browsers keep them (heuristic freshness), the name changes with the content.
        assert (tmp_path / name).stat().st_mtime == map_files.FILE_DATE
    # Compact JSON, coordinates at 5 decimals at most.
    text = (tmp_path / names["territories"]).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    assert max(len(d) for d in re.findall(r"\d\.(\d+)", text)) <= maps.COORD_DECIMALS
    assert "Liège" in text  # UTF-8, not \u escapes


def test_same_content_same_name_other_content_other_name(prepared_fr, published, tmp_path):
    again = map_files.publish_layers(prepared_fr, tmp_path)
    assert again.territories.file == published.territories.file
    english = map_files.publish_layers(maps.prepare_layers(maps.load_map_layers(), "en"), tmp_path)
    assert english.territories.file != published.territories.file  # tooltips in English
    assert english.wallonia.file == published.wallonia.file  # the outline has no words
    assert map_files.missing_files(published, tmp_path) == []
    (tmp_path / published.units.file).unlink()
    assert map_files.missing_files(published, tmp_path) == [published.units.file]


def test_an_unwritable_folder_raises_oserror(prepared_fr, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError):
        map_files.publish_layers(prepared_fr, blocker / "layers")


def test_map_page_carries_urls_not_features(published, prepared_fr):
    html = localize_assets(maps.home_map(published, "fr", "none")).get_root().render()
    urls = re.findall(r'tzcldLayers\.load\("([^"]+)", "([^"]+)"\)', html)
    assert [u for u, _ in urls] == [
        f"{LAYERS_URL}/{published.wallonia.file}",
        f"{LAYERS_URL}/{published.provinces.file}",
        f"{LAYERS_URL}/{published.territories.file}",
    ]
    assert all(gz == f"{u}.gz" for u, gz in urls)
    assert '"coordinates"' not in html
    inline = localize_assets(maps.home_map(prepared_fr, "fr", "none")).get_root().render()
    assert '"coordinates"' in inline  # without files, the layers are drawn from the page
    assert len(html) * 8 < len(inline)
    assert html.count("window.tzcldLayers = ") == 1  # the loader, once per page


def test_layer_urls_follow_the_base_url_path(published):
    from tzcld.map_assets import vendor_url

    fmap = localize_assets(maps.home_map(published, "fr", "none"), vendor_url("/tzcld/"))
    html = fmap.get_root().render()
    assert f'"/tzcld/app/static/layers/{published.territories.file}"' in html
    assert all(u.startswith("/tzcld/app/static/vendor/") for u in asset_urls(fmap))


def test_styles_are_a_small_table_looked_up_by_the_browser(published):
    fmap = maps.territory_map(published, "fr", "none", "seraing")
    units = next(
        g for g in _web_layers(fmap) if g.data["features"] and "unit_label" in g.data["features"][0]["properties"]
    )
    table = units.style_table()
    # One style per (status, precision, territory): the selected territory's is thicker.
    assert len(table) == 17
    seraing = next(f for f in units.data["features"] if f["properties"]["territory_id"] == "seraing")
    liege = next(f for f in units.data["features"] if f["properties"]["territory_id"] == "liege")
    assert table[units.style_key(seraing)]["weight"] > table[units.style_key(liege)]["weight"]
    assert table[units.style_key(seraing)] == maps.territory_style("unconfirmed", "indicative", selected=True)
    # The key is what the browser computes: JSON.stringify([status, precision, territory_id]).
    assert units.style_key(seraing) == '["unconfirmed","indicative","seraing"]'


def test_only_leaflet_of_folium_assets_unless_an_element_needs_more(published):
    import folium

    fmap = localize_assets(maps.territory_map(published, "fr", "none"))
    urls = asset_urls(fmap)
    assert urls == ["/app/static/vendor/leaflet/1.9.3/leaflet.css", "/app/static/vendor/leaflet/1.9.3/leaflet.js"]
    html = fmap.get_root().render()
    for name in ("bootstrap", "jquery", "fontawesome", "awesome-markers", "glyphicons"):
        assert name not in html.lower(), name
    # A marker with an icon, or a popup, brings back what it needs (and only from the app).
    other = maps.base_map("none")
    folium.Marker([50.5, 5.0], icon=folium.Icon(icon="info-sign"), popup="x").add_to(other)
    assert {"jquery", "awesome_markers", "awesome_markers_css"} <= needed_map_assets(other)
    assert all(u.startswith("/app/static/vendor/") for u in asset_urls(localize_assets(other)))


def test_inline_layers_still_draw_when_nothing_was_written(prepared_fr):
    no_files = dataclasses.replace(prepared_fr)
    html = localize_assets(maps.home_map(no_files, "fr", "none")).get_root().render()
    assert "tzcldLayers.load(" not in html and ".addData(" in html


def _web_layers(fmap):
    found = []

    def walk(element):
        for child in element._children.values():
            if isinstance(child, maps.WebLayer):
                found.append(child)
            walk(child)

    walk(fmap)
    return found
