"""The two-pass batch check (exact pass, then the careful path) gives the answers of the
careful path alone, on thousands of clean and messy texts drawn from the register, on the
typed-address cases, and through ``check-file``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.check_support import ICAR, requires_icar
from tzcld.check import FIELDS
from tzcld.geocode.normalize import fold, parse_address

pytestmark = requires_icar


def _messy(rng: np.random.Generator, street: str, num: str, pc: str, muni: str) -> str:
    """A register address typed one of many ways, clean or not."""
    k = int(rng.integers(0, 22))
    typo = street[:-2] + street[-1] + street[-2] if len(street) > 6 else street
    other_pc = str(int(pc) + 10) if pc.isdigit() else pc
    digits = "".join(c for c in num.split("/")[0] if c.isdigit())
    far = int(digits or 0) + 1000
    forms = [
        f"{street} {num}, {pc} {muni}",
        fold(f"{street} {num} {pc} {muni}"),
        f"{street.replace('Rue ', 'R. ').replace('Avenue ', 'Av. ').replace('Chaussée ', 'Chée ')} {num}, {muni}",
        f"{pc} {muni}, {street} {num}",
        f"{street.upper()} {num} {pc}",
        f"{street} {num}",  # no postcode, no commune: homonyms elsewhere
        f"{typo} {num}, {pc} {muni}",  # a typo in the street
        f"{street} {num}, {other_pc} {muni}",  # a postcode that disagrees
        f"{street} {num}, {pc} {muni[:-1]}x",  # a misspelt commune
        f"{street} {far}, {pc} {muni}",  # a number the street does not have
        f"{street} {num} bte 3, {pc} {muni}",  # a box
        f"{street}{num}, {pc} {muni}",  # glued number
        f"{num} {street}, {pc} {muni}",  # number first
        f"{pc} {muni}",  # the area only
        muni,
        f"{street}, {pc} {muni}",  # no number
        f"{street} {num}, {pc} {muni}, Belgique",
        f"{street} {num}/2, {pc} {muni}",
        f"{street} {num} {pc} {muni}".replace("'", "’"),
        f"{street} {num},, {pc}  {muni} .",
        "=SUM(A1)",
        f"{street} {num}; {pc} {muni}",
    ]
    return forms[k]


def messy_register_texts(n: int, seed: int) -> list[str]:
    """``n`` register addresses, each typed one of the messy ways of :func:`_messy`."""
    rng = np.random.default_rng(seed)
    icar = pd.read_parquet(ICAR, columns=["street", "housenumber", "postcode", "municipality"]).sample(
        n, random_state=seed
    )
    return [
        _messy(rng, str(r.street), str(r.housenumber), str(r.postcode), str(r.municipality))
        for r in icar.itertuples(index=False)
    ]


@pytest.fixture(scope="module")
def varied_texts() -> list[str]:
    texts = messy_register_texts(3000, 13)
    from tools.typed_addresses import read_cases

    texts += [c["typed"] for c in read_cases()]
    texts += [
        "",
        "   ",
        "Rue de Droixhe 10, 4020 Liège",
        "Rue de Droixhe 10, 4020 Liège",
        "rue de droixhe 10 4020 liege",
    ]
    return texts


def _quick_readings_equal_full(texts) -> int:
    """Assert that every text the quick reading reads is read as the full reading does; how many it read."""
    from tzcld.geocode.exact import quick_parse

    read = 0
    for text in texts:
        quick = quick_parse(text)
        if quick is not None:
            read += 1
            assert quick == parse_address(text), text
    return read


def test_quick_reading_is_the_full_reading(varied_texts):
    assert _quick_readings_equal_full(varied_texts) > len(varied_texts) // 3


def test_first_reading_is_the_geocoders_first_interpretation(register_geocoder, varied_texts):
    from tzcld.geocode.exact import first_reading, quick_parse

    gaz = register_geocoder.index.gazetteer
    compared = 0
    for text in varied_texts:
        p = quick_parse(text)
        if p is None:
            continue
        first = first_reading(gaz, p.before, p.after, p.segments)
        if first is None:  # a misspelt or unknown locality: left to the careful path
            continue
        compared += 1
        assert first == register_geocoder._interpretations(p.before, p.after, p.segments)[0][:2], text
    assert compared > len(varied_texts) // 3


def test_two_pass_geocoding_equals_the_careful_path(register_geocoder, varied_texts):
    from tzcld.geocode.exact import exact_pass, geocode_many

    settled = exact_pass(register_geocoder, varied_texts)
    assert 0.2 * len(varied_texts) < len(settled) < len(varied_texts)  # both passes have work
    two_pass = geocode_many(register_geocoder, varied_texts)
    careful = register_geocoder.geocode_many(varied_texts)
    for text, a, b in zip(varied_texts, two_pass, careful):
        assert a == b, text


def test_two_pass_table_equals_the_per_row_table(checker_fr, varied_texts):
    from tzcld.batch_check import address_table

    table = address_table(checker_fr, varied_texts)
    per_row = pd.DataFrame([r.as_row() for r in checker_fr.check_addresses(varied_texts)], columns=list(FIELDS))
    pd.testing.assert_frame_equal(table, per_row)


def test_english_messages_and_progress(register_geocoder, varied_texts):
    from tzcld.batch_check import address_table
    from tzcld.check import Checker
    from tzcld.eligibility import default_classifier

    checker = Checker(default_classifier(), register_geocoder, "en")
    seen: list[tuple[int, int]] = []
    table = address_table(checker, varied_texts[:400], lambda done, total: seen.append((done, total)))
    per_row = pd.DataFrame([r.as_row() for r in checker.check_addresses(varied_texts[:400])], columns=list(FIELDS))
    pd.testing.assert_frame_equal(table, per_row)
    assert seen[0] == (0, 400) and seen[-1] == (400, 400)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_disagreeing_postcode_is_not_settled_by_the_exact_pass(register_geocoder):
    from tzcld.geocode.exact import exact_pass

    texts = [
        "Rue de Droixhe 10, 4020 Liège",  # exact
        "Rue de Droixhe 10, 4100 Liège",  # postcode of another commune
        "Rue de Droixhe 10, 4020 Seraing",  # another commune
        "Rue de Droixe 10, 4020 Liège",  # typo
        "Rue de Droixhe 9999, 4020 Liège",  # no such number
        "Rue de Droixhe 10 bte 2, 4020 Liège",  # box: careful path
        "4020 Liège",
    ]
    settled = exact_pass(register_geocoder, texts)
    assert settled.position.tolist() == [0]


def _awkward_texts(n: int, seed: int) -> list[str]:
    """Addresses cut into parts every awkward way: empty parts, blank parts, parts of
    punctuation only, commas at either end, accents, abbreviations, postcodes anywhere."""
    rng = np.random.default_rng(seed)
    pieces = ["Rue de Droixhe", "R. Saint-Léger", "Chée de Liège", "10", "12A", "7 b", "14 bis", "4020", "Liège"]
    pieces += ["Jupille-sur-Meuse", "Mons", "7000", "Bd Tirou", "Av. Reine Astrid", "3", "Œuvre", "BELGIQUE", "bte 2"]
    seps = [", ", ",", " , ", ",, ", ", ,", ",-,", ", . ,", " ", "  ", " - ", ",\u00a0,", ",\t,", ". "]
    out = []
    for _ in range(n):
        k = int(rng.integers(1, 6))
        text = ""
        for i in range(k):
            text += str(rng.choice(pieces))
            if i < k - 1 or rng.random() < 0.2:
                text += str(rng.choice(seps))
        if rng.random() < 0.15:
            text = str(rng.choice(seps)) + text
        out.append(text)
    return out


def test_quick_reading_of_awkward_parts_is_the_full_reading():
    texts = _awkward_texts(20_000, 5)
    assert _quick_readings_equal_full(texts) > len(texts) // 10


def test_a_broken_part_split_is_caught(monkeypatch):
    """The comparison above fails when the quick reader splits parts wrongly (a blank part
    counted as a part)."""
    from tzcld.geocode import exact

    monkeypatch.setattr(exact, "_parts", lambda tokens, folded: [exact._WORD.findall(p) for p in folded.split(",")])
    with pytest.raises(AssertionError):
        test_quick_reading_of_awkward_parts_is_the_full_reading()


def test_exact_keys_find_the_first_address_of_a_number(register_geocoder):
    """:meth:`ExactKeys.find` (searched in key order) against its definition, address by
    address: the first address of the street row with that number and letter."""
    from tzcld.geocode.exact import exact_keys

    idx = register_geocoder.index
    keys = exact_keys(idx)
    rng = np.random.default_rng(3)
    rows = rng.integers(0, len(idx.s_start), 3000)
    first = idx.s_start[rows]
    number = np.where(rng.random(3000) < 0.7, idx.number[first], rng.integers(-2, 3000, 3000))
    suffix = rng.integers(-1, len(idx.suffixes), 3000)
    suffix[rng.random(3000) < 0.6] = 0
    found = keys.find(rows, number, suffix)
    for r, n, s, a in zip(rows.tolist(), number.tolist(), suffix.tolist(), found.tolist()):
        want = -1
        if s >= 0:
            for k in range(int(idx.s_start[r]), int(idx.s_stop[r])):
                if idx.number[k] == n and idx.suffix[k] == idx.suffixes[s]:
                    want = k
                    break
        assert a == want, (r, n, s)
    assert (found >= 0).sum() > 1000


def _place_cases(geocoder, limit: int = 40) -> list[str]:
    """Streets of one commune typed with a hamlet's name (no postcode), inside the hamlet's
    postcode and outside it: one street row each, both names register keys."""
    from tzcld.geocode.register import resolve_locality

    idx, gaz = geocoder.index, geocoder.index.gazetteer
    out: list[str] = []
    for key in gaz.entries:
        entries = resolve_locality(gaz, key)
        if len(entries) != 1 or entries[0].section or not gaz.discriminates(entries[0]):
            continue
        e = entries[0]
        single = [r for r in idx.by_muni.get(e.muni_key, ()).tolist() if len(idx.by_key[idx.street_keys[r]]) == 1]
        inside = [r for r in single if idx.s_postcode[r] in e.postcodes]
        outside = [r for r in single if idx.s_postcode[r] not in e.postcodes]
        for r in inside[:2] + outside[:2]:
            out.append(f"{idx.s_name[r]} {idx.housenumber[idx.s_start[r]]}, {e.name}")
        if len(out) >= limit:
            break
    return out


def test_a_batch_settles_what_each_text_settles_alone(register_geocoder, varied_texts):
    """What one call of the exact pass remembers (readings, decisions, agreements of a typed
    place) never settles a text that the pass would leave alone, nor the reverse."""
    from tzcld.geocode.exact import exact_pass

    cases = _place_cases(register_geocoder)
    texts = cases + cases[::-1] + varied_texts[:600]
    alone = [len(exact_pass(register_geocoder, [t])) == 1 for t in texts]
    for order in (texts, texts[::-1]):
        settled = exact_pass(register_geocoder, order)
        got = np.zeros(len(order), bool)
        got[settled.position] = True
        want = alone if order is texts else alone[::-1]
        assert got.tolist() == want
    assert 0 < sum(alone[: len(cases)]) < len(cases)  # some hamlet cases settled, some not
