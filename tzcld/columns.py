"""Which columns of an uploaded table hold the address (or the coordinates)?

Files come as people keep them: ``Nom;Rue;Numéro;Code postal;Localité`` from Excel, one
``Adresse`` column, ``CP`` and ``Ville``, latitude and longitude… :func:`detect_columns`
reads the header names *and* the cells, and says how sure it is:

- a column whose header says "name" (``Nom``, ``Prénom``, ``Name``…) is never the address,
  whatever its cells look like (a surname can be a street name: "Dupont");
- address parts (street, number, box, postcode, locality) found by header and confirmed by
  content are assembled in that order (:func:`join_parts`);
- a single combined address column, by header or by content;
- a single column of coordinate pairs or map links (``GPS``: ``50.648, 5.615``), by content:
  each cell is then read as one check reads a text;
- coordinates (latitude/longitude, Lambert x/y) by header, confirmed by numeric cells (degrees
  with their signs, ``50°38'52"N``, count as numbers).

When the headers and the cells do not agree, or nothing is found, ``sure`` is ``False``:
the Vérifier page asks the user to choose, the CLI asks for ``--column`` (never a guess).
Pure functions; the cells are read in memory and never kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from tzcld.coords import looks_like_coordinates, read_degrees
from tzcld.geocode.normalize import WALLOON_POSTCODE, fold

#: The roles a column can play, in the order the parts of an address are assembled.
PART_ROLES: tuple[str, ...] = ("street", "number", "box", "postcode", "locality")

#: Header names (folded, punctuation as spaces) → role. Exact names first, then words.
HEADERS: dict[str, tuple[str, ...]] = {
    "address": (
        "adresse",
        "address",
        "adresse complete",
        "adresse postale",
        "adresse du domicile",
        "adresse domicile",
        "domicile",
        "full address",
        "adres",
        "adresse_complete",
        "full_address",
    ),
    "street": ("rue", "voie", "street", "nom de rue", "nom de la rue", "libelle voie", "rue et numero", "straat"),
    "number": (
        "numero",
        "num",
        "n",
        "no",
        "nr",
        "number",
        "numero de maison",
        "house number",
        "huisnummer",
        "n de maison",
    ),
    "box": ("boite", "bte", "bus", "box", "boite postale"),
    "postcode": ("code postal", "cp", "postcode", "post code", "postal code", "zip", "code", "npa", "postcode", "c p"),
    "locality": (
        "localite",
        "commune",
        "ville",
        "city",
        "locality",
        "municipality",
        "town",
        "village",
        "section",
        "gemeente",
        "lieu",
    ),
    "lat": ("lat", "latitude", "y_lat"),
    "lon": ("lon", "lng", "long", "longitude"),
    "x": ("x", "x_31370", "x_lambert", "x lambert"),
    "y": ("y", "y_31370", "y_lambert", "y lambert"),
    "name": (
        "nom",
        "prenom",
        "name",
        "first name",
        "last name",
        "surname",
        "nom de famille",
        "nom prenom",
        "prenom nom",
        "personne",
        "candidat",
        "beneficiaire",
        "firstname",
        "lastname",
        "naam",
        "voornaam",
        "nom complet",
    ),
}
#: Street-type words that start most Walloon street names.
_STREET_WORDS = "rue avenue av boulevard bd chaussee chee place pl route rte chemin allee impasse square quai clos"
STREET_WORDS = frozenset(
    (_STREET_WORDS + " sentier cite residence dreve voie ruelle venelle rond point faubourg thier").split()
)
_NUMBER = re.compile(r"^\d{1,5}\s*(?:[a-z]{1,3})?(?:\s*(?:/|bte|bt|boite|bus|b)\s*[0-9a-z]{1,6})?$")
_LETTERS = re.compile(r"[a-z]{2,}")
_DIGIT = re.compile(r"\d")
#: How many non-empty cells of each column are read to judge its content.
SAMPLE = 200


def _fold_header(name: object) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(str(name))).split())


def header_role(name: object) -> str | None:
    """The role a header name announces (``"Code postal"`` → ``postcode``), or ``None``."""
    h = _fold_header(name)
    if not h:
        return None
    for role, names in HEADERS.items():
        if h in names or h.replace(" ", "_") in names:
            return role
    words = set(h.split())
    # "N° de rue", "Nom de la rue": a street, not a name
    if words & {"rue", "street", "voie", "straat"} and not words & {"numero", "num", "n", "no", "nr"}:
        return "street"
    if words & {"adresse", "address", "adres"}:
        return "address"
    if words & {"postal", "postcode", "zip"}:
        return "postcode"
    if words & {"commune", "localite", "ville", "city"}:
        return "locality"
    if words & {"latitude"}:
        return "lat"
    if words & {"longitude"}:
        return "lon"
    if words & {"prenom", "nom", "name", "surname"}:
        return "name"
    return None


@dataclass(frozen=True)
class ContentProfile:
    """Shares (0–1) of a column's non-empty sampled cells that look like each kind."""

    n: int
    postcode: float = 0.0
    number: float = 0.0
    street: float = 0.0
    address: float = 0.0
    words: float = 0.0
    numeric: float = 0.0
    locality: float = 0.0
    pair: float = 0.0  # two coordinates in one cell ("50.648, 5.615"), or a map link


def _is_float(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def profile(values: Iterable[object], localities: frozenset[str] | None = None) -> ContentProfile:
    """What a column's cells look like (``localities``: known locality names, normalised)."""
    cells = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v):
            continue
        text = str(v).strip()
        if text:
            cells.append(text)
        if len(cells) >= SAMPLE:
            break
    n = len(cells)
    if n == 0:
        return ContentProfile(0)
    folded = [" ".join(re.sub(r"[^0-9a-z/]+", " ", fold(c)).split()) for c in cells]
    postcode = sum(bool(WALLOON_POSTCODE.match(f)) for f in folded)
    number = sum(bool(_NUMBER.match(f)) for f in folded)
    street = sum(bool(f.split()) and f.split()[0] in STREET_WORDS for f in folded)
    address = sum(bool(_LETTERS.search(f)) and bool(_DIGIT.search(f)) and len(f.split()) >= 3 for f in folded)
    words = sum(bool(_LETTERS.search(f)) and not _DIGIT.search(f) for f in folded)
    numeric = sum(not math.isnan(read_degrees(c)) or _is_float(c) for c in cells)
    locality = sum(f in localities for f in folded) if localities else 0
    pair = sum(looks_like_coordinates(c) for c in cells)
    return ContentProfile(
        n, postcode / n, number / n, street / n, address / n, words / n, numeric / n, locality / n, pair / n
    )


@dataclass(frozen=True)
class ColumnGuess:
    """What :func:`detect_columns` found.

    ``mode``: ``"address"``, ``"coords"`` or ``None`` (nothing found). ``address``: the
    columns to assemble, in order; ``parts``: role → column for multi-column addresses;
    ``lat``/``lon``: the coordinate columns (latitude or Lambert x first). ``sure``: the
    headers and the cells agree (else the user must choose). ``ignored``: columns set
    aside as names of people.
    """

    mode: str | None
    address: tuple[str, ...] = ()
    parts: dict[str, str] = field(default_factory=dict)
    lat: str | None = None
    lon: str | None = None
    sure: bool = False
    ignored: tuple[str, ...] = ()

    @property
    def roles(self) -> list[str | None]:
        """The role of each of :attr:`address`'s columns (``None`` when unknown)."""
        of = {c: r for r, c in self.parts.items()}
        return [of.get(c) for c in self.address]

    def as_spec(self) -> dict:
        """Keyword arguments of :func:`tzcld.check_tables.check_table`."""
        if self.mode == "coords":
            return {"lat_column": self.lat, "lon_column": self.lon}
        if self.mode == "address":
            spec: dict = {"address_columns": list(self.address)}
            if len(self.address) > 1:
                spec["address_roles"] = self.roles
            return spec
        return {}


def detect_columns(table: pd.DataFrame, localities: frozenset[str] | None = None) -> ColumnGuess:
    """Find the address or coordinate columns of ``table`` (see the module docstring)."""
    columns = [str(c) for c in table.columns]
    roles = {c: header_role(c) for c in columns}
    names = tuple(c for c in columns if roles[c] == "name")
    prof = {c: profile(table[c].iloc[: SAMPLE * 25].tolist(), localities) for c in columns}
    usable = [c for c in columns if roles[c] != "name"]

    def first(role: str, check=None) -> str | None:
        for c in usable:
            if roles[c] == role and (check is None or prof[c].n == 0 or check(prof[c])):
                return c
        return None

    # 1. one combined address column
    combined = first("address")
    rivals = [c for c in usable if c != combined and prof[c].n and prof[c].address >= 0.6]
    if combined and (prof[combined].address >= 0.3 or prof[combined].n == 0 or not rivals):
        return ColumnGuess("address", (combined,), {"address": combined}, sure=True, ignored=names)
    # 2. address parts, by header, confirmed by content
    street = first("street", lambda p: p.words + p.address >= 0.6)
    if street:
        parts = {"street": street}
        for role, check in (
            ("number", lambda p: p.number >= 0.6),
            ("box", None),
            ("postcode", lambda p: p.postcode >= 0.6),
            ("locality", lambda p: p.words >= 0.6),
        ):
            col = first(role, check)
            if col:
                parts[role] = col
        ordered = tuple(parts[r] for r in PART_ROLES if r in parts)
        sure = prof[street].n == 0 or prof[street].street >= 0.3 or len(parts) >= 3
        return ColumnGuess("address", ordered, parts, sure=sure, ignored=names)
    # 3. coordinates by header, numeric cells
    for a, b in (("lat", "lon"), ("x", "y")):
        la, lo = first(a), first(b)
        if la and lo:
            sure = (prof[la].n == 0 or prof[la].numeric >= 0.5) and (prof[lo].n == 0 or prof[lo].numeric >= 0.5)
            return ColumnGuess("coords", lat=la, lon=lo, sure=sure, ignored=names)
    # 3b. one column of coordinate pairs or map links ("GPS": "50.648, 5.615"): each cell is
    # checked as one check reads a text (a point); sure when nearly every cell is one
    pairs = [c for c in usable if prof[c].n and prof[c].pair >= 0.6]
    if pairs:
        best = max(pairs, key=lambda c: (prof[c].pair, -columns.index(c)))
        return ColumnGuess("address", (best,), {"address": best}, sure=prof[best].pair >= 0.9, ignored=names)
    # 4. by content only (never sure): a column of full addresses, or street-like cells
    by_content = [c for c in usable if prof[c].n and (prof[c].address >= 0.6 or prof[c].street >= 0.6)]
    if combined and not by_content:
        by_content = [combined]
    if by_content:
        best = max(by_content, key=lambda c: (prof[c].street + prof[c].address, -columns.index(c)))
        parts = {"street" if prof[best].address < 0.6 else "address": best}
        extra = [
            c
            for c in usable
            if c != best
            and (
                prof[c].postcode >= 0.8
                or (prof[c].number >= 0.8 and parts.get("street"))
                or (localities and prof[c].locality >= 0.6)
            )
        ]
        ordered = (best, *[c for c in columns if c in extra])
        return ColumnGuess("address", ordered, parts, sure=False, ignored=names)
    if combined:
        return ColumnGuess("address", (combined,), {"address": combined}, sure=False, ignored=names)
    return ColumnGuess(None, sure=False, ignored=names)


def guess_columns(columns: Sequence[str]) -> dict[str, str]:
    """Recognise the address or coordinate columns of a table from their names only.

    Returns ``{"address": col}`` or ``{"lat": col, "lon": col}`` (Lambert ``x``/``y`` are
    returned as lat/lon too: :func:`tzcld.coords.read_columns` tells them apart), or ``{}``.
    A single combined address column only; address parts and the content of the cells are
    read by :func:`detect_columns`.
    """
    roles = {c: header_role(c) for c in columns}
    for c in columns:
        if roles[c] == "address" and _fold_header(c) in HEADERS["address"]:
            return {"address": c}
    for a, b in (("lat", "lon"), ("x", "y")):
        la = next((c for c in columns if roles[c] == a), None)
        lo = next((c for c in columns if roles[c] == b), None)
        if la is not None and lo is not None:
            return {"lat": la, "lon": lo}
    return {}


_NUMBERISH = re.compile(r"^\s*\d{1,5}\s*[A-Za-z]{0,3}\s*(?:[/\-]\s*\w{1,6})?\s*$")
_BOXISH = re.compile(r"^\s*(?:(?:bte|bt|boite|boîte|bus|b|box)\.?\s*)?\w{1,6}\s*$", re.IGNORECASE)


def join_parts(values: Sequence[object], roles: Sequence[str | None] | None = None) -> str:
    """One address from its parts, in order: ``["Rue de Droixhe", "10", "4020", "Liège"]`` →
    ``"Rue de Droixhe 10, 4020 Liège"``. A house number is attached to the street before
    it, a box to the number (``bte …``), a postcode to the locality after it; empty cells
    are skipped. ``roles`` (from :class:`ColumnGuess` parts) help; without them the pieces
    are told apart by what they look like."""
    pieces: list[str] = []
    pending_postcode = ""
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            continue
        text = str(v).strip()
        if not text or text.lower() in ("nan", "none"):
            continue
        role = roles[i] if roles else None
        if role is None:
            if WALLOON_POSTCODE.match(text) or re.fullmatch(r"[Bb]-?\d{4}", text):
                role = "postcode"
            elif _NUMBERISH.match(text) and pieces:
                role = "number"
        if role == "number" and pieces:
            pieces[-1] = f"{pieces[-1]} {text}"
        elif role == "box" and pieces:
            box = text if not _BOXISH.match(text) or not text[:1].isdigit() else f"bte {text}"
            pieces[-1] = f"{pieces[-1]} {box}"
        elif role == "postcode":
            pending_postcode = text
        elif pending_postcode:
            pieces.append(f"{pending_postcode} {text}")
            pending_postcode = ""
        else:
            pieces.append(text)
    if pending_postcode:
        pieces.append(pending_postcode)
    return ", ".join(pieces)
