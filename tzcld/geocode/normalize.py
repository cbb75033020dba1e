"""Normalising free-text Belgian addresses as people type them.

Pure string functions, no data: accents and case folded, punctuation dropped,
abbreviations expanded (``R.`` → ``rue``, ``Av.`` → ``avenue``, ``Bd`` → ``boulevard``,
``Chée`` → ``chaussee``, ``Pl.`` → ``place``, ``St``/``Ste`` → ``saint``/``sainte``), the
postcode found wherever it is, house numbers with letters or boxes (``12A``,
``12 bte 3``, ``12/3``) split out. Used both to build the index keys and to parse queries,
so the two sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Belgian postcodes of Wallonia: Walloon Brabant 1300–1499, then 4000–7999.
WALLOON_POSTCODE = re.compile(r"^(1[34]\d\d|[4-7]\d\d\d)$")

#: Abbreviation (normalised, without dot) → full word (normalised).
ABBREVIATIONS: dict[str, str] = {
    "r": "rue",
    "rte": "route",
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "boul": "boulevard",
    "bvd": "boulevard",
    "ch": "chaussee",
    "chee": "chaussee",
    "chs": "chaussee",
    "chau": "chaussee",
    "pl": "place",
    "pce": "place",
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "imp": "impasse",
    "all": "allee",
    "sq": "square",
    "qu": "quai",
    "crs": "cours",
    "clos": "clos",
    "sent": "sentier",
    "che": "chemin",
    "chem": "chemin",
    "fbg": "faubourg",
    "gd": "grand",
    "gde": "grande",
    "dr": "docteur",
    "prof": "professeur",
    "gen": "general",
    "lt": "lieutenant",
    "cdt": "commandant",
    "mal": "marechal",
}

#: Words that introduce a box number after the house number.
BOX_WORDS = frozenset({"bte", "bt", "boite", "bus", "box", "bo", "b", "app", "appt", "apt"})

_NON_WORD = re.compile(r"[^0-9a-z/]+")
_HOUSE = re.compile(r"^(\d{1,5})(bis|ter|[a-z]{0,2})$")
_SLASH_BOX = re.compile(r"(\d{1,5}[a-z]?)\s*/\s*([0-9a-z]{1,6})\b")
_HOUSE_SLASH = re.compile(r"^(\d{1,5})([a-z]?)/([0-9a-z]{1,6})$")


def fold(text: str) -> str:
    """Lower case, accents removed, ligatures expanded (``Œ`` → ``oe``)."""
    if text.isascii():
        return text.lower()
    if max(text) < _LATIN_END:  # Latin-1 and Latin Extended-A/B: one character at a time
        return text.translate(_LATIN_FOLD)
    return fold_text(text)


def fold_text(text: str) -> str:
    """:func:`fold` of any text, the general way (:func:`fold` takes a shortcut for the
    Latin letters, which fold one by one to what this gives them)."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


#: Below this character, :func:`fold_text` of a text is the folds of its characters put end to
#: end: each one decomposes on its own (NFKD) into letters and combining marks that are all
#: dropped, and lower-casing there depends on no neighbour (Greek sigma, the one exception,
#: is above) — :func:`fold` then folds by :meth:`str.translate` (a test compares both ways).
_LATIN_END = "\u0250"
_LATIN_FOLD = {i: fold_text(chr(i)) for i in range(ord(_LATIN_END))}


def tokens(text: str) -> list[str]:
    """Folded words of ``text``; dots, commas, apostrophes and hyphens become spaces."""
    return _folded_tokens(fold(text))


def _folded_tokens(folded: str) -> list[str]:
    return [tok for tok in _NON_WORD.sub(" ", folded.replace("/", " / ")).split() if tok != "/"]


def expand(words: list[str]) -> list[str]:
    """Expand abbreviations word by word (``['r', 'de', 'l', 'eglise']`` → ``['rue', ...]``)."""
    return [ABBREVIATIONS.get(w, w) for w in words]


def normalize_name(text: str) -> str:
    """Key of a street or place name: folded, abbreviations expanded, single spaces.

    ``"Chée de Bruxelles"`` and ``"CHAUSSEE DE BRUXELLES"`` give the same key.
    """
    return " ".join(expand(tokens(text)))


def normalize_locality(text: str) -> str:
    """Key of a commune, section or place name (``"Marchienne-au-Pont"`` → ``"marchienne au pont"``)."""
    return " ".join(expand(tokens(text)))


@dataclass(frozen=True)
class HouseNumber:
    """A house number split in parts: ``12A bte 3`` → number 12, suffix ``a``, box ``3``."""

    number: int
    suffix: str = ""
    box: str = ""

    @property
    def label(self) -> str:
        base = f"{self.number}{self.suffix.upper()}"
        return f"{base} bte {self.box}" if self.box else base


def parse_house_number(text: str) -> HouseNumber | None:
    """Parse an official or typed house number (``"37/C"``, ``"12A"``, ``"7a"``); ``None`` if none."""
    folded = fold(text).strip().replace(" ", "")
    m = _HOUSE_SLASH.match(folded)
    if m:
        return HouseNumber(int(m.group(1)), m.group(2), m.group(3))
    m = _HOUSE.match(folded)
    if m:
        return HouseNumber(int(m.group(1)), m.group(2))
    m = re.match(r"^(\d{1,5})", folded)
    return HouseNumber(int(m.group(1))) if m else None


@dataclass(frozen=True)
class ParsedAddress:
    """What a typed address says, before any look-up.

    ``before`` are the (normalised, abbreviation-expanded) words before the house number,
    ``after`` the words after it (usually the locality when there is no comma). ``segments``
    are the comma-separated parts, normalised. The geocoder decides which words are the
    street and which the locality, by trying the known locality names.
    """

    before: tuple[str, ...]
    after: tuple[str, ...]
    house: HouseNumber | None
    postcode: str | None
    segments: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return self.before + self.after

    @property
    def street(self) -> str:
        """All non-number words: the street when no locality is recognised."""
        return " ".join(self.words)


_B_POSTCODE = re.compile(r"\bb\s*-\s*(\d{4})\b")
_GLUED = re.compile(r"^([a-z]{3,})(\d{1,4}[a-z]?)$")
#: The country, often added at the end of an address ("…, 4020 Liège, Belgique").
COUNTRY_WORDS = frozenset({"belgique", "belgium", "belgie", "belgien"})


def _unglue(word: str) -> list[str]:
    """``"droixhe10"`` → ``["droixhe", "10"]`` (a house number typed without its space)."""
    m = _GLUED.match(word)
    return [m.group(1), m.group(2)] if m else [word]


def parse_address(text: str) -> ParsedAddress:
    """Split a typed address into words, house number and postcode.

    Accepts the postcode before or after the locality, with or without commas, ``B-4020``,
    ``12A``, ``12 A``, ``12 bte 3``, ``12 b 3``, ``12/3``. The house number is the last number
    that is not a postcode or a box; ``Rue du 8 Mai`` (a number inside the name, no house
    number) is recovered by the geocoder, which retries with the number put back.
    """
    folded = _B_POSTCODE.sub(r"\1", _SLASH_BOX.sub(r"\1 bte \2", fold(text)))
    parts = [p for p in re.split(r"[,;\n]+", folded) if p.strip()]
    split = [[w for t in _folded_tokens(p) for w in _unglue(t) if w not in COUNTRY_WORDS] for p in parts]
    segments = tuple(" ".join(expand(ws)) for ws in split)
    words = [w for ws in split for w in ws]

    def is_box(i: int) -> bool:
        """Word ``i`` is a box number: after a box word ("bte 3") that follows a number (so
        "Quartier d'Apt 8" keeps its house number)."""
        return i > 1 and words[i - 1] in BOX_WORDS and any(_HOUSE.match(w) for w in words[: i - 1])

    postcode: str | None = None
    for i in range(len(words) - 1, -1, -1):
        if WALLOON_POSTCODE.match(words[i]) and not is_box(i):
            postcode = words.pop(i)
            break

    house: HouseNumber | None = None
    house_at = None
    for i in range(len(words) - 1, -1, -1):
        if _HOUSE.match(words[i]) and not is_box(i) and i > 0:
            house_at = i
            break
    if house_at is None and words and _HOUSE.match(words[0]) and len(words) > 1:
        house_at = 0  # "10 rue de Droixhe"
    before: list[str] = words
    after: list[str] = []
    if house_at is not None:
        m = _HOUSE.match(words[house_at])
        assert m is not None  # house_at is a word that matched _HOUSE above
        number, suffix, box = int(m.group(1)), m.group(2), ""
        j = house_at + 1
        if j + 1 < len(words) and words[j] in BOX_WORDS and (words[j + 1][0].isdigit() or len(words[j + 1]) <= 2):
            box = words[j + 1]
            j += 2
        elif (
            j < len(words)
            and ((len(words[j]) == 1 and words[j].isalpha()) or words[j] in ("bis", "ter"))
            and not suffix
        ):
            suffix = words[j]  # "12 A", "14 bis"
            j += 1
        house = HouseNumber(number, suffix, box)
        before = words[:house_at]
        after = words[j:]
    return ParsedAddress(
        before=tuple(expand(before)),
        after=tuple(expand(after)),
        house=house,
        postcode=postcode,
        segments=segments,
    )
