"""Real browser: the Accueil headline's tiles are readable in full on a desktop (1280 px) and
on a phone (390 px): no label, figure or source line is cut off or overflows its tile."""

from __future__ import annotations

import pytest

from tests.browser_support import open_app_page

pytestmark = pytest.mark.browser

#: For every tile text: is it clipped (ellipsis, hidden overflow) or wider than its tile?
CHECK_TILES = """() => {
  const tiles = [...document.querySelectorAll('.tzcld-tile')];
  const out = [];
  for (const tile of tiles) {
    const box = tile.getBoundingClientRect();
    for (const el of tile.querySelectorAll('h3, p')) {
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      out.push({
        tile: tile.id, tag: el.tagName, text: el.innerText,
        clipped: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
        ellipsis: style.textOverflow === 'ellipsis' && style.overflow !== 'visible',
        nowrap: style.whiteSpace === 'nowrap',
        outside: r.left < box.left - 1 || r.right > box.right + 1,
        offscreen: box.left < 0 || box.right > window.innerWidth + 1,
        top: Math.round(box.top), left: Math.round(box.left),
      });
    }
  }
  return out;
}"""


@pytest.mark.parametrize(("width", "height", "per_row"), [(1280, 900, 4), (390, 844, 1)])
def test_headline_tiles_are_never_cut_off(streamlit_url, chromium_browser, tmp_path, width, height, per_row):
    context = chromium_browser.new_context(viewport={"width": width, "height": height}, locale="fr-BE")
    context.route(lambda url: "127.0.0.1" not in url and "localhost" not in url, lambda route: route.abort())
    try:
        page = context.new_page()
        open_app_page(page, f"{streamlit_url}/?fond=aucun")
        page.wait_for_selector(".tzcld-tile", timeout=30_000)
        page.wait_for_selector("h2:has-text('Les 17 territoires')", timeout=60_000)
        page.screenshot(path=str(tmp_path / f"accueil-{width}.png"))
        texts = page.evaluate(CHECK_TILES)
        assert len({t["tile"] for t in texts}) == 4
        bad = [t for t in texts if t["clipped"] or t["ellipsis"] or t["nowrap"] or t["outside"] or t["offscreen"]]
        assert bad == []
        labels = {t["tile"]: t["text"] for t in texts if t["tag"] == "H3"}
        assert labels["tile-jobs"] == "Emplois créés" and labels["tile-territories"] == "Territoires en 2025"
        values = {t["tile"]: t["text"] for t in texts if t["tag"] == "P" and t["text"] and t["text"][0].isdigit()}
        assert values["tile-territories"] == "11 poursuivis · 5 arrêtés"
        # four tiles side by side on a desktop, one under the other on a phone
        tops = sorted({t["top"] for t in texts if t["tag"] == "H3"})
        assert len(tops) == 4 // per_row
        # the headline comes before the map
        order = page.evaluate(
            "() => { const t = document.querySelector('.tzcld-tiles').getBoundingClientRect().top;"
            " const h = [...document.querySelectorAll('h2')].find(e => e.innerText.includes('Les 17 territoires'));"
            " return t < h.getBoundingClientRect().top; }"
        )
        assert order
    finally:
        context.close()
