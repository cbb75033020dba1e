"""The geocoder's shortcuts give the answers of the long way round: readings skipped for a
later one that settles the text, fuzzy scores computed only where the name lengths allow
the cut-off, and the index as stored (memory-mapped arrays, street groups)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz

from tests.check_support import ICAR, requires_icar
from tests.test_batch_exact import messy_register_texts
from tzcld.geocode.register import Groups, RegisterGeocoder, StreetViews, _ratio_bound

pytestmark = requires_icar


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = messy_register_texts(2500, 18)
    icar = pd.read_parquet(ICAR, columns=["street", "housenumber", "postcode"]).sample(2500, random_state=18)
    # upper case without the commune: a place name inside the street ("RUE DE LIÈGE" read
    # first as "rue de" in Liège), the readings the shortcut skips
    out += [f"{str(r.street).upper()} {r.housenumber} {r.postcode}" for r in icar.head(600).itertuples(index=False)]
    out += [
        "RUE DU MARCHÉ 11 6941",
        "RUE DE LIÈGE 35 4460",
        "Rue de Liège 35, Grâce-Hollogne",
        "rue du marche 11",
        "Place 3, 4000 Liège",
        "Sainte-Marguerite 100",
        "Spéléo-Club de Belgique 11, Hotton",
    ]
    return out


def test_skipping_readings_for_a_later_settling_one_changes_no_answer(register_geocoder, texts, monkeypatch):
    fast = RegisterGeocoder(register_geocoder.index)
    skipped = 0
    original = RegisterGeocoder._confident_ahead

    def counting(self, *args):
        nonlocal skipped
        found = original(self, *args)
        skipped += found is not None
        return found

    monkeypatch.setattr(RegisterGeocoder, "_confident_ahead", counting)
    quick = [fast.geocode(t) for t in texts]
    monkeypatch.setattr(RegisterGeocoder, "_settled_ahead", lambda self, street, apart: False)
    slow = RegisterGeocoder(register_geocoder.index)
    for text, a in zip(texts, quick):
        b = slow.geocode(text)
        assert a == b, text
        for name in ("spread_xy", "alternatives_xy", "spread_idx", "alternatives_idx"):  # not in ==
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None and y is None) or np.array_equal(x, y), (text, name)
    assert skipped > 100  # the shortcut is taken, often


def test_the_length_bound_never_drops_a_street_the_fuzzy_search_would_keep(register_geocoder, texts, monkeypatch):
    from tzcld.geocode.normalize import parse_address

    idx = register_geocoder.index
    pairs = []
    for text in texts[::3]:
        p = parse_address(text)
        if p.before and p.postcode in idx.by_postcode:
            pairs.append((" ".join(p.before), idx.by_postcode[p.postcode]))
            pairs.append((" ".join(p.before[:2]), idx.by_postcode[p.postcode]))  # "rue de": generic words
    bounded = RegisterGeocoder(idx)
    fast = [bounded._fuzzy(s, pool) for s, pool in pairs]
    monkeypatch.setattr(StreetViews, "reachable", lambda self, pool, *a: np.ones(len(pool), bool))
    every = RegisterGeocoder(idx)
    assert fast == [every._fuzzy(s, pool) for s, pool in pairs]
    assert len(pairs) > 300 and sum(map(len, fast)) > 100  # matches were found and compared


def test_ratio_bound_is_an_upper_bound():
    rng = np.random.default_rng(5)
    alphabet = list("abcde fgh")
    words = ["", *("".join(rng.choice(alphabet, int(rng.integers(1, 25)))) for _ in range(300))]
    lengths = np.array([len(w) for w in words])
    for q in words[:60]:
        bound = _ratio_bound(len(q), lengths)
        real = np.array([fuzz.ratio(q, w) for w in words])
        assert (real <= bound + 1e-9).all(), q


def test_the_stored_index_is_read_only_arrays_and_groups(register_geocoder):
    idx = register_geocoder.index
    for arr in (idx.number, idx.x, idx.y, idx.lat, idx.lon, idx.section_code, idx.address_keys):
        assert isinstance(arr, np.ndarray) and not arr.flags.writeable
        assert len(arr) == len(idx.number)
    with pytest.raises(ValueError):
        idx.x[0] = 0.0
    # the groups: every street row under its own key, in row order
    for groups, values in ((idx.by_key, idx.street_keys), (idx.by_postcode, idx.s_postcode.tolist())):
        assert isinstance(groups, Groups)
        assert sum(len(groups[k]) for k in groups) == len(values) == len(idx.s_name)
        for k in list(groups)[::500]:
            rows = groups[k]
            assert [values[r] for r in rows] == [k] * len(rows) and (np.diff(rows) > 0).all()
        assert groups.get("no such street") is None and "no such street" not in groups
    # the exact-pass keys find each address itself
    from tzcld.geocode.exact import exact_keys

    keys = exact_keys(idx)
    sample = np.arange(0, len(idx.number), 997)
    sample = sample[idx.number[sample] >= 0]
    rows = np.searchsorted(idx.s_start, sample, side="right") - 1
    codes = np.array([keys.suffix_code[s] for s in idx.suffix[sample]])
    found = keys.find(rows, idx.number[sample].astype(np.int64), codes)
    first = [
        int(np.flatnonzero((idx.number[a:b] == n) & (idx.suffix[a:b] == s))[0]) + a
        for a, b, n, s in zip(idx.s_start[rows], idx.s_stop[rows], idx.number[sample], idx.suffix[sample])
    ]
    assert found.tolist() == first
