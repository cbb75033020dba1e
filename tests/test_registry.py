"""The territory registry (geodata/territories.yaml): ids, targets, statuses, perimeters."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import RAW_DIR, requires_raw
from tzcld.territories import (
    PRECISIONS,
    REGISTRY_PATH,
    STATUSES,
    TERRITORY_IDS,
    UNIT_KINDS,
    RegistryError,
    load_registry,
    parse_registry,
)

SECTOR_CODE = re.compile(r"^\d{5}[A-Z0-9][A-Z0-9-]{3}$")
FRENCH_HINT = re.compile(r"Territoire|territoire|registre|statut|précision|unité|justification|codes", re.I)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def raw_doc() -> dict:
    with REGISTRY_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def sector_table() -> pd.DataFrame:
    return pd.read_csv(RAW_DIR / "statbel_sectors_table_2022_wallonia.csv", dtype=str, keep_default_na=False)


def test_seventeen_ids_in_announcement_order(registry):
    assert registry.ids == TERRITORY_IDS
    assert len(registry) == 17
    assert len(set(registry.ids)) == 17


def test_job_targets_sum_to_725_not_750(registry):
    assert registry.total_job_target == 725
    assert all(isinstance(t.job_target, int) and t.job_target > 0 for t in registry)
    assert registry["mons-jemappes"].job_target == 100
    assert registry["la-louviere"].job_target == 10


def test_statuses_and_precisions_valid(registry):
    for t in registry:
        assert t.status in STATUSES, t.id
        assert t.precision in PRECISIONS, t.id


def test_ended_territories_have_date_and_source(registry):
    ended = [t for t in registry if t.status == "ended"]
    assert "la-louviere" in {t.id for t in ended}
    for t in ended:
        assert t.status_date, t.id
        assert t.status_source and ("http" in t.status_source or len(t.status_source) > 10), t.id


def test_indicative_territories_are_the_liege_arrondissement_outside_liege(registry):
    indicative = {t.id for t in registry if t.precision == "indicative"}
    assert indicative == {
        "flemalle",
        "seraing",
        "trooz-chaudfontaine",
        "herstal-oupeye",
        "comblain-sprimont-aywaille",
    }
    for tid in indicative:
        assert all(c.refnis.startswith("62") for c in registry[tid].communes)


def test_commune_codes_are_current_refnis_and_not_shared(registry):
    seen: dict[str, str] = {}
    for t in registry:
        assert t.communes, t.id
        for c in t.communes:
            assert re.fullmatch(r"\d{5}", c.refnis), (t.id, c.refnis)
            assert c.refnis not in seen, f"{c.refnis} in {seen.get(c.refnis)} and {t.id}"
            seen[c.refnis] = t.id
    assert registry["la-louviere"].commune_codes == ("58001",)  # 2019 code, not 55022
    assert registry["farciennes"].commune_codes == ("52018",)


def test_every_territory_has_a_researched_perimeter(registry):
    """Every territory lists its units (sectors, sections or communes), each with a rationale."""
    missing = [t.id for t in registry if not t.perimeter]
    assert not missing, f"périmètre non renseigné : {missing}"
    for t in registry:
        for u in t.perimeter:
            assert u.kind in UNIT_KINDS
            assert u.codes and u.rationale.strip(), (t.id, u.unit)
            if t.precision == "communes":
                assert u.kind == "communes", (t.id, u.unit)


def test_no_code_listed_twice(registry):
    seen: dict[tuple[str, str], str] = {}
    for t in registry:
        for u in t.perimeter:
            for code in u.codes:
                key = (u.kind, code)
                assert key not in seen, f"{code} listed in {seen.get(key)} and {t.id}/{u.unit}"
                seen[key] = f"{t.id}/{u.unit}"


@requires_raw
def test_perimeter_codes_exist_in_statbel_table(registry, sector_table):
    sectors = dict(zip(sector_table["cd_sector"], sector_table["cd_munty_refnis"], strict=True))
    sections = dict(zip(sector_table["cd_sub_munty"], sector_table["cd_munty_refnis"], strict=False))
    communes = set(sector_table["cd_munty_refnis"])
    for t in registry:
        own = set(t.commune_codes)
        assert own <= communes, (t.id, own - communes)
        for u in t.perimeter:
            for code in u.codes:
                if u.kind == "sectors":
                    assert SECTOR_CODE.match(code), (t.id, u.unit, code)
                    assert code in sectors, f"{t.id}/{u.unit}: secteur {code} inconnu"
                    assert sectors[code] in own, f"{t.id}/{u.unit}: secteur {code} hors des communes"
                elif u.kind == "sections":
                    assert code in sections, f"{t.id}/{u.unit}: section {code} inconnue"
                    assert sections[code] in own, f"{t.id}/{u.unit}: section {code} hors des communes"
                elif u.kind == "postcodes":
                    assert len(code) == 4 and code.isdigit(), (t.id, u.unit, code)
                else:
                    assert code in own, f"{t.id}/{u.unit}: commune {code} hors du territoire"


# --------------------------------------------------------------------------- malformed input


def _mutated(raw_doc: dict, fn) -> dict:
    doc = copy.deepcopy(raw_doc)
    fn(doc)
    return doc


def _set(tid: str, key: str, value):
    def fn(doc):
        for t in doc["territories"]:
            if t["id"] == tid:
                t[key] = value

    return fn


def _drop_key(tid: str, key: str):
    def fn(doc):
        for t in doc["territories"]:
            if t["id"] == tid:
                t.pop(key, None)

    return fn


MALFORMED = {
    "unknown status": _set("gembloux", "status", "paused"),
    "unknown precision": _set("gembloux", "precision", "exact"),
    "ended without source": lambda d: (_set("bertrix", "status", "ended")(d), _drop_key("bertrix", "status_source")(d)),
    "missing territory": lambda d: d["territories"].pop(3),
    "swapped order": lambda d: d["territories"].insert(0, d["territories"].pop(1)),
    "unit with two kinds": _set(
        "frameries", "perimeter", [{"unit": "X", "communes": ["53028"], "sectors": ["53028A00-"], "rationale": "r"}]
    ),
    "unit with empty codes": _set("frameries", "perimeter", [{"unit": "X", "communes": [], "rationale": "r"}]),
    "unit without rationale": _set("frameries", "perimeter", [{"unit": "X", "communes": ["53028"]}]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_registry_raises_french_registry_error(raw_doc, case):
    doc = _mutated(raw_doc, MALFORMED[case])
    with pytest.raises(RegistryError) as err:
        parse_registry(doc)
    assert FRENCH_HINT.search(str(err.value)), str(err.value)


@pytest.mark.parametrize(
    "case",
    ["missing name", "non-numeric target", "territories not a list", "empty document"],
)
def test_structurally_malformed_registry_raises_registry_error(raw_doc, case):
    docs = {
        "missing name": _mutated(raw_doc, _drop_key("liege", "name")),
        "non-numeric target": _mutated(raw_doc, _set("liege", "job_target", "quarante-six")),
        "territories not a list": {"territories": "liege"},
        "empty document": None,
    }
    with pytest.raises(RegistryError) as err:
        parse_registry(docs[case])
    assert FRENCH_HINT.search(str(err.value))


def test_yaml_syntax_error_raises_registry_error(tmp_path: Path):
    bad = tmp_path / "territories.yaml"
    bad.write_text("territories:\n  - id: liege\n    name: [Liège\n", encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_registry(bad)
    assert FRENCH_HINT.search(str(err.value))
