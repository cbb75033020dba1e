"""Real ICAR addresses typed the way people type them: the address check's test set.

``python tools/typed_addresses.py make`` writes ``tests/fixtures/typed_addresses.csv``
(deterministic: fixed seed, same register → same file). The addresses are drawn by
*commune* (territory communes and others), never by where they fall with respect to a
perimeter, so the set does not depend on our perimeter choices; each is then typed in one
of the ways people do (lower case without accents, abbreviations, no postcode, the former
commune or the village instead of the commune, a typo, the number first, the postcode of
another part of the commune, a homonymous street without locality…), plus junk and
commune-only inputs. Only the official label of the address meant is stored (no
coordinates): the test looks it up in the index.

``python tools/typed_addresses.py report`` checks every case and prints the figures of
the README (share geocoded to the address meant, share of fair verdicts, firm wrong
answers), with the cases that fail.

A verdict is *fair* (:func:`judge`) when it is the verdict of the address meant, or
"à vérifier" where the input itself does not say enough (homonyms without locality, a
postcode contradicting the street, a commune or postcode alone). Junk must be
"introuvable". A *firm wrong* answer is "dans le territoire" / "hors territoire" where the
address meant gets another answer (or another territory).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = ROOT / "tests" / "fixtures" / "typed_addresses.csv"
SEED = 20261201

#: Communes drawn from: the territories' communes, then others (controls).
TERRITORY_COMMUNES = [
    "Liège",
    "Flémalle",
    "Seraing",
    "Trooz",
    "Chaudfontaine",
    "Herstal",
    "Oupeye",
    "Comblain-au-Pont",
    "Sprimont",
    "Aywaille",
    "Verviers",
    "Dison",
    "Farciennes",
    "Mons",
    "Charleroi",
    "La Louvière",
    "Colfontaine",
    "Frameries",
    "Virton",
    "Rouvroy",
    "Meix-devant-Virton",
    "Hotton",
    "Durbuy",
    "Erezée",
    "Rendeux",
    "La Roche-en-Ardenne",
    "Bertrix",
    "Gembloux",
]
OTHER_COMMUNES = [
    "Namur",
    "Tournai",
    "Arlon",
    "Wavre",
    "Huy",
    "Spa",
    "Ans",
    "Boussu",
    "Châtelet",
    "Binche",
    "Marche-en-Famenne",
]

#: bpost locality names of postcodes in the arrondissement of Liège (no sector data there:
#: the names people write for these parts of a commune).
POSTCODE_NAMES = {
    "4020": ["Bressoux", "Jupille-sur-Meuse", "Wandre"],
    "4030": ["Grivegnée"],
    "4031": ["Angleur"],
    "4032": ["Chênée"],
    "4041": ["Vottem", "Milmort"],
    "4042": ["Liers"],
    "4051": ["Vaux-sous-Chèvremont"],
    "4052": ["Beaufays"],
    "4053": ["Embourg"],
    "4100": ["Boncelles"],
    "4101": ["Jemeppe-sur-Meuse", "Jemeppe"],
    "4102": ["Ougrée"],
    "4141": ["Louveigné"],
    "4171": ["Poulseur"],
    "4680": ["Hermée"],
    "4681": ["Hermalle-sous-Argenteau"],
    "4682": ["Heure-le-Romain", "Houtain-Saint-Siméon"],
    "4683": ["Vivegnis"],
    "4684": ["Haccourt"],
    "4870": ["Prayon", "Fraipont", "Nessonvaux", "Forêt"],
    "4920": ["Remouchamps", "Harzé"],
    "4140": ["Dolembreux", "Gomzé-Andoumont", "Rouvreux"],
}
#: Postcodes of parts of the Liège-area communes whose perimeter is indicative (the
#: "indicative parts" class): addresses there are drawn by postcode.
INDICATIVE_POSTCODES = ["4052", "4053", "4042", "4041", "4680", "4681", "4682", "4683", "4684", "4141", "4051", "4101"]

JUNK = ["=1+1", "5 7000 Mons", "12345", "???", "-", "n/a", "1+1", "0475 12 34 56", "@SUM(A1)", "10", "bte 3", "xxxx"]
AREAS = [
    ("4100 Seraing", "pc:4100"),
    ("Farciennes", "commune:Farciennes"),
    ("7012", "pc:7012"),
    ("Liège", "commune:Liège"),
    ("6240 Farciennes", "pc:6240"),
    ("Herstal 4040", "pc:4040"),
    ("Namur", "commune:Namur"),
    ("4683 Vivegnis", "pc:4683"),
    ("rue inconnue 12, 7340 Colfontaine", "pc:7340"),
    ("Bertrix", "commune:Bertrix"),
    ("4052 Beaufays", "pc:4052"),
    ("Seraing", "commune:Seraing"),
]
ABBREVIATIONS = [
    ("Rue ", "R. "),
    ("Rue ", "r "),
    ("Avenue ", "Av. "),
    ("Avenue ", "av "),
    ("Boulevard ", "Bd "),
    ("Chaussée ", "Chée "),
    ("Place ", "Pl. "),
    ("Saint-", "St-"),
    ("Sainte-", "Ste-"),
]


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def typo(text: str, rng: np.random.Generator) -> str:
    """One typo in the street's own name (not its first 3 letters): a letter dropped,
    doubled or swapped with the next."""
    chars = list(text)
    start = text.find(" ", 0) + 4 if " " in text else 3
    if len(chars) - 1 <= start:
        start = 1
    i = int(rng.integers(start, len(chars) - 1))
    if not chars[i].isalpha():
        i = max(1, i - 1)
    op = int(rng.integers(0, 3))
    if op == 0:
        del chars[i]
    elif op == 1:
        chars.insert(i, chars[i])
    else:
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def make(out: Path = CASES, seed: int = SEED) -> int:
    from tzcld.geocode.register import cached_index
    from tzcld.runtime import Settings

    settings = Settings.from_env()
    rng = np.random.default_rng(seed)
    icar = pd.read_parquet(settings.raw_dir / "icar_addresses_wallonia_2019.parquet")
    icar = icar.dropna(subset=["street", "housenumber", "postcode", "municipality"])
    icar = icar[icar["housenumber"].str.fullmatch(r"\d{1,4}[A-Za-z]?")].reset_index(drop=True)
    index = cached_index(str(settings.address_index))
    # section of each address (sector data), for the "former commune" class
    table = pd.read_csv(settings.raw_dir / "statbel_sectors_table_2022_wallonia.csv", dtype=str)
    section_name = dict(zip(table["cd_sub_munty"], table["tx_sub_munty_fr"]))
    key_of = {
        (name, pc, muni): r for r, (name, pc, muni) in enumerate(zip(index.s_name, index.s_postcode, index.s_muni))
    }
    by_muni = dict(list(icar.groupby("municipality")))
    streets_per_name = icar.groupby("street")["municipality"].nunique()
    homonyms = set(streets_per_name[streets_per_name >= 4].index)

    def pick(muni: str | None = None, postcode: str | None = None, where=None) -> pd.Series | None:
        df = by_muni[muni] if muni else icar
        if postcode:
            df = df[df["postcode"] == postcode]
        if where is not None:
            df = df[where(df)]
        return df.iloc[int(rng.integers(0, len(df)))] if len(df) else None

    def label(r: pd.Series) -> str:
        return f"{r.street} {r.housenumber}, {r.postcode} {r.municipality}"

    def former_commune(r: pd.Series) -> str | None:
        """The former commune (Statbel section) or bpost locality of an address, when it
        is not the commune's own name."""
        row = key_of.get((r.street, r.postcode, r.municipality))
        if row is None:
            return None
        a = int(index.s_start[row])
        code = index.section_code[a]
        if code >= 0:
            name = section_name.get(index.sections[code], "")
            name = name.split("+")[0].split("&")[0].split("(")[0].replace("*", "").strip().title()
            if name and fold(name) != fold(r.municipality):
                return name
        names = POSTCODE_NAMES.get(r.postcode)
        return names[int(rng.integers(0, len(names)))] if names else None

    cases: list[dict] = []

    def add(kind: str, typed: str, intended: str) -> None:
        cases.append(
            {
                "id": f"{kind}-{sum(c['kind'] == kind for c in cases) + 1:02d}",
                "kind": kind,
                "typed": typed,
                "intended": intended,
            }
        )

    communes = TERRITORY_COMMUNES + OTHER_COMMUNES
    for i, muni in enumerate(communes):
        r = pick(muni)
        kind = ["official", "lower", "abbreviated", "no_postcode", "number_first", "commune_first", "upper"][i % 7]
        street, num, pc, m = r.street, r.housenumber, r.postcode, r.municipality
        if kind == "official":
            typed = f"{street} {num}, {pc} {m}"
        elif kind == "lower":
            typed = fold(f"{street} {num} {pc} {m}")
        elif kind == "abbreviated":
            s = street
            for a, b in ABBREVIATIONS:
                if s.startswith(a) or a in s:
                    s = s.replace(a, b, 1)
                    break
            typed = f"{s} {num}, {m}"
        elif kind == "no_postcode":
            typed = f"{fold(street)} {num} {fold(m)}"
        elif kind == "number_first":
            typed = f"{num} {street}, {pc} {m}"
        elif kind == "commune_first":
            typed = f"{fold(m).capitalize()} {pc}, {fold(street)} {num}"
        else:
            typed = f"{street.upper()} {num} {pc}"
        add(kind, typed, label(r))
    # a second round with other addresses and every kind, to reach a useful size
    kinds = ["official", "lower", "abbreviated", "no_postcode", "number_first", "commune_first", "upper", "box"]
    for i, muni in enumerate(communes * 2):
        r = pick(muni)
        kind = kinds[(i + 3) % len(kinds)]
        street, num, pc, m = r.street, r.housenumber, r.postcode, r.municipality
        typed = {
            "official": f"{street} {num}, {pc} {m}",
            "lower": fold(f"{street}, {num} {m}"),
            "abbreviated": f"{street.replace('Rue ', 'R. ').replace('Avenue ', 'Av. ').replace('Boulevard ', 'Bd ')} {num} {pc}",
            "no_postcode": f"{street} {num} {m}",
            "number_first": fold(f"{num}, {street} {m}"),
            "commune_first": f"{pc} {m} {street} {num}",
            "upper": fold(f"{street} {num} {m}").upper(),
            "box": f"{street} {num} bte 2, {pc} {m}",
        }[kind]
        add(kind, typed, label(r))
    # typos (with postcode or commune)
    for i, muni in enumerate(communes[::2]):
        r = pick(muni, where=lambda d: d["street"].str.len() > 12)
        where = f"{r.postcode}" if i % 2 else fold(r.municipality)
        add("typo", f"{typo(r.street, rng)} {r.housenumber} {where}", label(r))
    # the former commune / village instead of the commune, with or without its postcode
    for i, muni in enumerate(
        communes + ["Liège", "Mons", "Charleroi", "Oupeye", "Herstal", "Seraing", "Chaudfontaine"]
    ):
        for _ in range(20):
            r = pick(muni)
            name = former_commune(r)
            if name:
                break
        else:
            continue
        typed = (
            f"{fold(r.street)} {r.housenumber} {name}" if i % 3 else f"{r.street} {r.housenumber}, {r.postcode} {name}"
        )
        add("former_commune", typed, label(r))
    # the postcode of another part of the same commune (people mix up 4000 and 4020)
    for muni in [
        "Liège",
        "Mons",
        "Charleroi",
        "Seraing",
        "Herstal",
        "Oupeye",
        "Chaudfontaine",
        "Namur",
        "Tournai",
        "La Louvière",
        "Durbuy",
        "Gembloux",
    ]:
        r = pick(muni)
        others = sorted(set(by_muni[muni]["postcode"]) - {r.postcode})
        wrong = others[int(rng.integers(0, len(others)))]
        add("wrong_postcode", f"{fold(r.street)} {r.housenumber} {wrong} {fold(muni)}", label(r))
    # the postcode of a neighbouring commune, without the commune's name
    for a, b in [
        ("Colfontaine", "7300"),
        ("Frameries", "7340"),
        ("Farciennes", "6200"),
        ("Dison", "4800"),
        ("Flémalle", "4100"),
        ("Herstal", "4000"),
        ("Mons", "7340"),
        ("Virton", "6700"),
    ]:
        r = pick(a)
        add("neighbour_postcode", f"{r.street} {r.housenumber}, {b}", label(r))
    # homonymous streets, typed without any locality, then with it
    for _ in range(10):
        r = pick(where=lambda d: d["street"].isin(homonyms))
        add("homonym", f"{fold(r.street)} {r.housenumber}", label(r))
        add("homonym_with_commune", f"{fold(r.street)} {r.housenumber} {fold(r.municipality)}", label(r))
    # the parts of the indicative territories, by postcode
    for pc in INDICATIVE_POSTCODES:
        r = pick(postcode=pc, muni=icar.loc[icar["postcode"] == pc, "municipality"].mode()[0])
        add("indicative_part", f"{fold(r.street)} {r.housenumber} {pc}", label(r))
    # an ended territory's commune
    for _ in range(4):
        r = pick("La Louvière")
        add("ended", f"{r.street} {r.housenumber}, {r.postcode} La Louvière", label(r))

    # harder ways of typing: another street type, articles dropped, "st", apostrophes,
    # a typo in the locality, letters and boxes, "B-", no spaces after commas
    def has(d: pd.DataFrame, pattern: str) -> pd.Series:
        return d["street"].str.contains(pattern, regex=True)

    for i, muni in enumerate(communes):
        kind = ["article_dropped", "saint", "apostrophe", "locality_typo", "letter_box", "glued", "type_swapped"][i % 7]
        if kind == "article_dropped":
            r = pick(muni, where=lambda d: has(d, r"^Rue (?:de la|du|des|de) \w{5,}"))
            street = re.sub(r"^Rue (de la|du|des|de) ", "rue ", r.street)
            typed = f"{street} {r.housenumber} {fold(r.municipality)}"
        elif kind == "saint":
            r = pick(where=lambda d, m=muni: has(d, r"Saint-|Sainte-") & (d["municipality"] == m))
            if r is None:
                continue
            typed = f"{r.street.replace('Saint-', 'st ').replace('Sainte-', 'ste ')} {r.housenumber} {r.postcode}"
        elif kind == "apostrophe":
            r = pick(where=lambda d, m=muni: has(d, r"[dl]['’]\w") & (d["municipality"] == m))
            if r is None:
                continue
            street = re.sub("([dl])['’]", r"\1 ", fold(r.street))
            typed = f"{street} {r.housenumber} {fold(r.municipality)}"
        elif kind == "locality_typo":
            r = pick(muni)
            typed = (
                f"{r.street} {r.housenumber} {typo(r.municipality, rng) if len(r.municipality) > 6 else r.municipality}"
            )
        elif kind == "letter_box":
            r = pick(muni)
            box = ["/2", " bte 1", " boîte 3", "/A", " b2"][i % 5]
            typed = f"{r.street} {r.housenumber}{box}, B-{r.postcode} {r.municipality}"
        elif kind == "glued":
            r = pick(muni)
            typed = f"{r.street},{r.housenumber},{r.postcode},{r.municipality}"
        else:
            r = pick(muni, where=lambda d: has(d, r"^Rue \w{6,}"))
            others = set(by_muni[muni]["street"])
            swapped = r.street.replace("Rue ", "Avenue ", 1)
            if swapped in others:
                continue
            typed = f"{swapped} {r.housenumber}, {r.postcode}"
        add(kind, typed, label(r))
    # the examples of the issue (the addresses meant, where they exist)
    for typed, meant in [
        ("rue de grisoeil 14 Pâturages", "Rue de Grisoeil 14, 7340 Colfontaine"),
        ("rue du cep 39 Vivegnis", "Rue du Cep 39, 4683 Oupeye"),
        ("rue des cahottes 160 Flémalle-Grande", "Rue des Cahottes 160, 4400 Flémalle"),
    ]:
        add("issue_example", typed, meant)
    for typed in JUNK:
        add("junk", typed, "")
    for typed, area in AREAS:
        add("area_only", typed, area)

    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "kind", "typed", "intended"], lineterminator="\n")
        w.writeheader()
        w.writerows(cases)
    print(f"{len(cases)} cases written to {out}")
    return 0


# ----------------------------------------------------------------------------- judging

#: Kinds whose input does not say enough for a firm answer: "à vérifier" is fair there.
UNSURE_KINDS = {"homonym", "wrong_postcode", "neighbour_postcode", "area_only"}


def read_cases(path: Path = CASES) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def truth(case: dict, index, classifier) -> tuple[str, str | None]:
    """The verdict of the address (or area) meant: ``(status, territory_id)``."""
    from tzcld.check import Checker

    intended = case["intended"]
    if case["kind"] == "junk":
        return "not_found", None
    if case["kind"] == "area_only":
        kind, value = intended.split(":", 1)
        rows = index.by_postcode[value] if kind == "pc" else np.flatnonzero(index.s_muni == value)
        addr = index.street_addresses(rows)
        units = classifier.locate(index.x[addr], index.y[addr])
        terr = np.where(units >= 0, classifier.unit_territory[np.maximum(units, 0)], -1)
        values, counts = np.unique(terr, return_counts=True)
        if counts.max() >= 0.995 * len(terr):  # a whole commune, but for a few edge addresses
            k = int(values[int(np.argmax(counts))])
            if k < 0:
                return "outside", None
            indicative = (classifier.unit_precision[units[units >= 0]] == "indicative").any()
            return ("undetermined" if indicative else "inside"), classifier.territory_ids[k]
        return "undetermined", None
    street_num, rest = intended.rsplit(", ", 1)
    pc, muni = rest.split(" ", 1)
    street, number = street_num.rsplit(" ", 1)
    row = next(int(r) for r in index.by_postcode[pc] if index.s_name[r] == street and index.s_muni[r] == muni)
    a, b = int(index.s_start[row]), int(index.s_stop[row])
    k = a + int(np.flatnonzero(index.housenumber[a:b] == number)[0])
    cls = classifier.classify(index.x[k : k + 1], index.y[k : k + 1], sectors=[index.sector[k]])
    tid = classifier.territory_ids[int(cls.territory[0])] if cls.territory[0] >= 0 else None
    _ = Checker  # the same classification as the check's
    return str(cls.status[0]), tid


def judge(case: dict, res, index, classifier) -> dict:
    """``geocoded`` (top answer is the address meant; ``None`` for junk and areas),
    ``listed`` (meant address is the answer or among the candidates), ``fair``, ``firm_wrong``."""
    status_true, tid_true = truth(case, index, classifier)
    kind = case["kind"]
    firm = res.status in ("inside", "outside")
    right = res.status == status_true and (res.status != "inside" or res.territory_id == tid_true)
    if kind == "junk":
        fair = res.status == "not_found"
        return {"geocoded": None, "listed": None, "fair": fair, "firm_wrong": firm}
    if kind == "area_only":
        fair = right or res.status == "undetermined"
        return {"geocoded": None, "listed": None, "fair": fair, "firm_wrong": firm and not right}
    intended = case["intended"]
    street = intended.split(", ")[0].rsplit(" ", 1)[0]
    rest = intended.rsplit(", ", 1)[1]
    geocoded = res.matched_address == intended
    # a candidate is the address itself where the typed number exists there, else its street
    listed = geocoded or any(c["label"] in (intended, f"{street}, {rest}") for c in res.candidates)
    fair = right or (res.status == "undetermined" and (kind in UNSURE_KINDS or status_true == "undetermined"))
    return {"geocoded": geocoded, "listed": listed, "fair": fair, "firm_wrong": firm and not right}


def evaluate(cases: list[dict], checker) -> tuple[list[dict], dict]:
    index = checker.geocoder.index
    rows = []
    for case in cases:
        res = checker.check_address(case["typed"])
        rows.append({**case, **judge(case, res, index, checker.classifier), "result": res})
    address = [r for r in rows if r["geocoded"] is not None]
    figures = {
        "cases": len(rows),
        "address_cases": len(address),
        "geocoded": sum(r["geocoded"] for r in address) / len(address),
        "geocoded_or_listed": sum(r["listed"] for r in address) / len(address),
        "fair": sum(r["fair"] for r in rows) / len(rows),
        "firm_wrong": sum(r["firm_wrong"] for r in rows),
        "kinds": Counter(r["kind"] for r in rows),
        "rows": rows,
    }
    return rows, figures


def report(path: Path = CASES) -> int:
    from tzcld.check import Checker
    from tzcld.eligibility import default_classifier
    from tzcld.runtime import Runtime

    checker = Checker(default_classifier(), Runtime.from_env().register_geocoder(), "fr")
    rows, f = evaluate(read_cases(path), checker)
    print(
        f"{f['cases']} cases ({f['address_cases']} addresses): geocoded to the address meant "
        f"{f['geocoded']:.1%} (meant address answered or listed {f['geocoded_or_listed']:.1%}), "
        f"fair verdicts {f['fair']:.1%}, firm wrong answers {f['firm_wrong']}"
    )
    print("kinds:", dict(sorted(f["kinds"].items())))
    for r in rows:
        if not r["fair"] or r["geocoded"] is False:
            res = r["result"]
            print(
                f"- {r['id']}: {r['typed']!r} meant {r['intended']!r} → {res.status} / {res.match_quality} / "
                f"{res.matched_address} ({'fair' if r['fair'] else 'UNFAIR'}) {res.message[:160]}"
            )
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("make", "report"))
    ap.add_argument("--seed", type=int, default=SEED, help="another seed: another set (to try, not to commit)")
    ap.add_argument("--cases", type=Path, default=CASES, help="the cases file (default: the committed set)")
    args = ap.parse_args()
    return make(args.cases, args.seed) if args.action == "make" else report(args.cases)


if __name__ == "__main__":
    raise SystemExit(main())
