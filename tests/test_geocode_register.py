"""The offline register geocoder on the real ICAR index (built once per session)."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from tests.check_support import requires_icar
from tzcld.geocode.base import Geocoder, MatchQuality

pytestmark = requires_icar


def test_index_metadata_and_fast_load(address_index_dir):
    from tzcld.geocode.register import load_index

    meta = json.loads((address_index_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["addresses"] == 1_374_458
    assert 600_000 < meta["addresses_with_sector"] < meta["addresses"]
    start = time.perf_counter()
    index = load_index(address_index_dir)
    assert len(index.x) == meta["addresses"]
    # informative only (speed goals are in bench/): a load that takes a minute is a defect
    assert time.perf_counter() - start < 30


def test_is_a_geocoder(register_geocoder):
    assert isinstance(register_geocoder, Geocoder)


@pytest.mark.parametrize(
    "typed",
    [
        "Rue de Droixhe 10, 4020 Liège",
        "rue de droixhe 10 4020 liege",
        "RUE DE DROIXHE 10 LIEGE",
        "4020 Liège, Rue de Droixhe 10",
        "R. de Droixhe 10, 4020",
        "Rue de Droixhe 10 bte 3, 4020 Liège",
        "rue de droixe 10 liège",  # typo
        "Droixhe 10, Liège",  # street type omitted
    ],
)
def test_variants_find_the_exact_address(register_geocoder, typed):
    res = register_geocoder.geocode(typed)
    assert res.quality is MatchQuality.EXACT, res
    assert res.matched_address == "Rue de Droixhe 10, 4020 Liège"
    assert res.lat == pytest.approx(50.648, abs=0.002)
    assert res.lon == pytest.approx(5.615, abs=0.002)
    assert 80 <= res.score <= 100


def test_abbreviated_saint_and_place(register_geocoder):
    res = register_geocoder.geocode("Pl. St-Lambert 1, Liège")
    assert res.quality is MatchQuality.EXACT
    assert res.matched_address.startswith("Place Saint-Lambert 1,")


@pytest.mark.parametrize(
    "typed, commune, postcode",
    [
        ("Rue de la Gare 3, Jemappes", "Mons", "7012"),
        ("Avenue de la Gare 5 Marchienne-au-Pont", "Charleroi", "6030"),
    ],
)
def test_section_names_instead_of_the_commune(register_geocoder, typed, commune, postcode):
    res = register_geocoder.geocode(typed)
    assert res.found and res.municipality == commune and res.postcode == postcode


def test_bomal_is_a_section_of_durbuy_and_of_ramillies(register_geocoder):
    from tzcld.geocode.normalize import normalize_locality

    munis, _ = register_geocoder.index.localities[normalize_locality("Bomal")]
    assert {"durbuy", "ramillies"} <= set(munis)
    res = register_geocoder.geocode("6941 Bomal")
    assert res.quality is MatchQuality.COMMUNE_ONLY and res.municipality == "Durbuy"


def test_letter_suffix_and_nearest_number(register_geocoder):
    idx = register_geocoder.index
    # an address with a letter suffix from the register itself
    k = int(np.flatnonzero(idx.suffix == "a")[0])
    row = int(np.searchsorted(idx.s_start, k, side="right") - 1)
    typed = f"{idx.s_name[row]} {idx.number[k]}A, {idx.s_postcode[row]} {idx.s_muni[row]}"
    res = register_geocoder.geocode(typed)
    assert res.quality is MatchQuality.EXACT
    assert res.matched_address.split(",")[0].lower().endswith(f"{idx.number[k]}a")
    res = register_geocoder.geocode("Rue de Droixhe 9999, 4020 Liège")
    assert res.quality is MatchQuality.NEAREST_NUMBER
    assert res.nearest_number is not None and res.score < 100


def test_street_only_carries_the_street_points(register_geocoder):
    res = register_geocoder.geocode("Rue de Droixhe, 4020 Liège")
    assert res.quality is MatchQuality.STREET_ONLY
    assert res.spread_xy is not None and len(res.spread_xy) > 10


def test_commune_only_and_not_found(register_geocoder):
    res = register_geocoder.geocode("Rue Qui N'Existe Pas 4, 6240 Farciennes")
    assert res.quality is MatchQuality.COMMUNE_ONLY
    assert res.municipality == "Farciennes"
    for typed in ("zzzz qqqq", "", "   ", ",,,", "Rue Qui N'Existe Pas Du Tout 4"):
        assert register_geocoder.geocode(typed).quality is MatchQuality.NOT_FOUND


def test_several_plausible_matches_are_listed(register_geocoder):
    res = register_geocoder.geocode("Rue de la Station 12")
    assert res.ambiguous
    assert len(res.candidates) >= 2
    assert len({c.label for c in res.candidates}) == len(res.candidates)


def test_homonym_candidates_are_the_typed_address_where_it_exists(register_geocoder):
    """Each homonym street is listed as the typed address, at that address's own point, when
    the number is in that street; as the street (no number, not "exact") when it is not. The
    streets holding the number come first; the list is the same at each call."""
    idx = register_geocoder.index
    res = register_geocoder.geocode("5 rue de la Station")
    assert res.ambiguous and res.n_matches > 100
    assert len(res.candidates) == res.n_matches  # every place: the checker picks those it shows
    kinds = [c.quality for c in res.candidates]
    assert set(kinds) == {MatchQuality.EXACT, MatchQuality.STREET_ONLY}
    assert kinds == sorted(kinds, key=lambda q: q.rank)  # the typed address before the bare streets
    for c in res.candidates:
        addr = np.asarray(c.idx)
        if c.quality is MatchQuality.EXACT:
            assert len(addr) == 1 and idx.number[addr[0]] == 5 and idx.suffix[addr[0]] == ""
            assert c.label.lower().startswith(f"rue de la station {idx.housenumber[addr[0]]}, ")
            assert (c.lat, c.lon) == (float(idx.lat[addr[0]]), float(idx.lon[addr[0]]))
            assert (c.x, c.y) == (float(idx.x[addr[0]]), float(idx.y[addr[0]]))
        else:
            assert len(addr) > 0 and not ((idx.number[addr] == 5) & (idx.suffix[addr] == "")).any()
            assert c.label.lower().startswith("rue de la station, ")
    assert len({c.label for c in res.candidates}) == len(res.candidates)
    again = register_geocoder.geocode("5 rue de la Station")
    assert [c.label for c in again.candidates] == [c.label for c in res.candidates]
    # the retained address is the first candidate's
    assert res.matched_address == res.candidates[0].label


def test_twin_streets_nearby_are_listed_as_the_addresses_they_hold(register_geocoder):
    """A number missing from the street found, present in the street of the same name of the
    next commune: that address is listed as itself (with its number), not as its street."""
    idx = register_geocoder.index
    hits = 0
    for text in ("rue de la station 5 jemappes", "Rue de la Gare 150, 7012 Mons", "Rue du Moulin 80, 5000 Namur"):
        res = register_geocoder.geocode(text)
        for c in res.candidates:
            if c.quality is MatchQuality.EXACT:
                a = int(np.asarray(c.idx)[0])
                assert f" {idx.housenumber[a]}, " in c.label and (c.lat, c.lon) == (
                    float(idx.lat[a]),
                    float(idx.lon[a]),
                )
                hits += 1
    assert hits


def test_sector_truth_from_best_points(register_geocoder):
    res = register_geocoder.geocode("Rue de la Gare 3, 7012 Mons")
    assert res.sector and res.sector.startswith("53053T")


def test_batch_matches_single(register_geocoder):
    texts = ["Rue de Droixhe 10, 4020 Liège", "zzzz", "Rue de la Gare 3, Jemappes"]
    many = register_geocoder.geocode_many(texts)
    assert [r.matched_address for r in many] == [register_geocoder.geocode(t).matched_address for t in texts]


def test_every_register_address_round_trips(register_geocoder):
    """A sample of official addresses typed back exactly: all found, at the same place."""
    from tests.conftest import RAW_DIR

    icar = pd.read_parquet(RAW_DIR / "icar_addresses_wallonia_2019.parquet").sample(300, random_state=7)
    texts = (icar["street"] + " " + icar["housenumber"] + ", " + icar["postcode"] + " " + icar["municipality"]).tolist()
    results = register_geocoder.geocode_many(texts)
    exact = [r for r in results if r.quality is MatchQuality.EXACT]
    assert len(exact) >= 295
    dist = np.hypot(
        np.array([r.lat for r in results]) - icar["lat"].to_numpy(),
        np.array([r.lon for r in results]) - icar["lon"].to_numpy(),
    )
    assert np.median(dist) < 1e-6


def test_build_index_snaps_sectors_within_a_few_metres(tmp_path):
    """A tiny synthetic register: the sector comes from the BeST point within 5 m only."""
    from tzcld.coords import to_lambert
    from tzcld.geocode.register import SECTOR_SNAP_M, build_index, load_index

    raw = tmp_path / "raw"
    raw.mkdir()
    lat = np.array([50.6480, 50.6490, 50.6500])
    lon = np.array([5.6150, 5.6160, 5.6170])
    pd.DataFrame(
        {
            "postcode": ["4020"] * 3,
            "municipality": ["Liège"] * 3,
            "street": ["Rue de Test"] * 3,
            "housenumber": ["1", "2A", "3"],
            "lat": lat,
            "lon": lon,
            "icar_street_id": ["1"] * 3,
        }
    ).to_parquet(raw / "icar_addresses_wallonia_2019.parquet")
    x, y = to_lambert(lat, lon)
    pd.DataFrame(
        {
            "x_31370": np.round([x[0] + 2, x[1] + SECTOR_SNAP_M * 4, 0]).astype("int64"),
            "y_31370": np.round([y[0], y[1], 0]).astype("int64"),
            "cd_sector": ["62063A00-", "62063B00-", "62063C00-"],
            "postcode": ["4020"] * 3,
            "house_number": ["1", "2", "3"],
            "best_extract": ["2024-10-30"] * 3,
            "arrondissement": ["62000"] * 3,
        }
    ).to_parquet(raw / "best_address_points_sectors.parquet")
    folder = build_index(raw=raw, out=tmp_path / "idx")
    index = load_index(folder)
    assert sorted(index.sector.tolist()) == ["", "", "62063A00-"]
    from tzcld.geocode.register import RegisterGeocoder

    g = RegisterGeocoder(index)
    assert g.geocode("Rue de Test 2a Liège").quality is MatchQuality.EXACT
    assert g.geocode("Rue de Test 1, 4020").sector == "62063A00-"


def test_missing_register_gives_a_french_message(tmp_path):
    from tzcld.geocode.register import IndexMissing, build_index, load_index

    with pytest.raises(IndexMissing, match="introuvable"):
        build_index(raw=tmp_path, out=tmp_path / "idx")
    with pytest.raises(IndexMissing, match="address-index build"):
        load_index(tmp_path / "idx", build_if_missing=False)


def test_small_typos_in_the_street_are_forgiven(register_geocoder):
    """One typo per street name (a letter dropped, added or swapped, spaces included)."""
    from tests.conftest import RAW_DIR

    rng = np.random.default_rng(11)
    icar = pd.read_parquet(RAW_DIR / "icar_addresses_wallonia_2019.parquet").sample(300, random_state=11)

    def typo(s: str) -> str:
        chars = list(s)
        i = int(rng.integers(3, len(chars) - 1)) if len(chars) > 5 else 1
        op = int(rng.integers(0, 3))
        if op == 0:
            del chars[i]
        elif op == 1:
            chars.insert(i, "x")
        else:
            chars[i], chars[i - 1] = chars[i - 1], chars[i]
        return "".join(chars)

    texts = [f"{typo(r.street)} {r.housenumber}, {r.postcode}" for r in icar.itertuples()]
    results = register_geocoder.geocode_many(texts)
    same = (
        np.hypot(
            np.array([r.lat or 0 for r in results]) - icar["lat"].to_numpy(),
            np.array([r.lon or 0 for r in results]) - icar["lon"].to_numpy(),
        )
        < 1e-5
    )
    assert same.mean() >= 0.93
    assert all(r.found for r in results)
