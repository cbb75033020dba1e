"""The exact first pass of batch geocoding: settle, over a whole column at once, the typed
addresses that name a register address exactly; leave every other one to
:meth:`RegisterGeocoder.geocode` (the careful, per-row path).

A text is settled here only when the careful path would give it the very same answer, an
:attr:`MatchQuality.EXACT` address with score 100 and nothing to doubt:

- it reads simply (:func:`quick_parse`: no box, no ``/`` or ``;``, no glued number, no
  country, the house number after the street) — and then reads exactly as
  :func:`~tzcld.geocode.normalize.parse_address` reads it;
- the geocoder's first reading of its words (:func:`first_reading`, the first of
  :meth:`RegisterGeocoder._interpretations`) names no misspelt or unknown locality (those go
  the careful way), and settles the text (the careful path stops at that reading too);
- the street words are a street key of the register (:attr:`AddressIndex.by_key`); among the
  streets the typed postcode / locality allow (the geocoder's own pool), that key belongs to
  one official street only (homonyms go the careful way), and that street agrees with the
  typed postcode *and* locality (:func:`street_agreement`: both :data:`AGREES`) — a postcode
  or locality that disagrees, a commune-only text, junk: all go the careful way;
- the house number and its letter are on that street (:func:`pick_number` would say
  ``EXACT``): a missing number (nearest number, twins nearby) goes the careful way.

The join is vectorised: each distinct text is read once, each distinct (street, postcode,
locality) decided once — each typed (postcode, locality) finds its evidence, street pool and
label once, and the agreement of a one-row street with it is decided once per (row's postcode,
row's commune) when none of its localities is a section (:func:`street_agreement` reads nothing
else of the row then) — and the house numbers are found for all texts at once by a binary
search in the sorted keys stored with the index (street row, number, letter). Nothing typed is kept
after the call (the memos of texts and decisions live for one call).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tzcld.geocode.base import GeocodeResult, MatchQuality
from tzcld.geocode.normalize import (
    _HOUSE,
    ABBREVIATIONS,
    BOX_WORDS,
    COUNTRY_WORDS,
    HouseNumber,
    ParsedAddress,
    fold,
)
from tzcld.geocode.register import AGREES, AddressIndex, RegisterGeocoder, has_street_letters, street_agreement

#: A letter right before a digit ("droixhe10": a glued number, read by the careful path).
_GLUED = re.compile(r"[a-z][0-9]")
#: ``B-4020`` (it has a hyphen, tested first).
_B_POSTCODE = re.compile(r"\bb\s*-\s*\d{4}\b")
#: A word of :func:`~tzcld.geocode.normalize.parse_address` (letters and digits, folded).
_WORD = re.compile(r"[0-9a-z]+")
#: The words and the commas of a folded text.
_TOKEN = re.compile(r"[0-9a-z]+|,")
#: :data:`~tzcld.geocode.normalize.WALLOON_POSTCODE` as a set of words (a word here is ASCII).
WALLOON_POSTCODES = frozenset(str(n) for n in (*range(1300, 1500), *range(4000, 8000)))
_REJECT = BOX_WORDS | COUNTRY_WORDS


def quick_parse(text: str) -> ParsedAddress | None:
    """:func:`~tzcld.geocode.normalize.parse_address` for the simple texts most files hold,
    without its general machinery; ``None`` when the text is not that simple (never a
    different reading: the tests compare both on thousands of texts)."""
    q = _quick(text)
    if q is None:
        return None
    before, after, number, suffix, postcode, parts = q
    segments = tuple(" ".join(ws) for ws in parts)
    return ParsedAddress(before, after, HouseNumber(number, suffix, ""), postcode, segments)


def _quick(text: str):
    """:func:`quick_parse` as a plain tuple ``(before, after, number, suffix, postcode,
    parts)``, ``parts`` the words of each comma-separated part (the segments, not joined);
    no objects built: this runs once per distinct text of a column."""
    folded = fold(text)
    if "/" in folded or ";" in folded or "\n" in folded:
        return None  # a slash ("12/3"), the other part separators: the careful path reads them
    if _GLUED.search(folded) or ("-" in folded and "b" in folded and _B_POSTCODE.search(folded)):
        return None
    # parse_address: parts split at commas, any other character that is not a letter or digit
    # is a space (a part made only of such characters still counts as a part); the words of a
    # part are its runs of letters and digits
    get: Callable[[str, str], str] = ABBREVIATIONS.get
    parts: tuple[tuple[str, ...], ...]
    if "," not in folded:
        words = _WORD.findall(folded)
        if not _REJECT.isdisjoint(words):
            return None  # a box ("bte 3") or the country: the careful path reads them
        mapped = list(map(get, words, words))  # abbreviations expanded, word by word (once)
        parts = (tuple(mapped),)
    else:
        comma = folded.index(",")
        head = _WORD.findall(folded, 0, comma) if folded.count(",") == 1 else None
        tail = _WORD.findall(folded, comma + 1) if head else None
        if head and tail:  # two parts with words: the usual
            words = head + tail
            if not _REJECT.isdisjoint(words):
                return None
            mapped = list(map(get, words, words))
            parts = (tuple(mapped[: len(head)]), tuple(mapped[len(head) :]))
        else:
            tokens = _TOKEN.findall(folded)  # the words, and the commas between them
            if not _REJECT.isdisjoint(tokens):
                return None
            split = _parts(tokens, folded)
            if len(split) > 1:
                words = []
                for ws in split:
                    words += ws
                mapped = list(map(get, words, words))
                pieces: list[tuple[str, ...]] = []
                at = 0
                for ws in split:
                    pieces.append(tuple(mapped[at : at + len(ws)]))
                    at += len(ws)
                parts = tuple(pieces)
            else:
                words = split[0] if split else []
                mapped = list(map(get, words, words))
                parts = (tuple(mapped),)
    postcode = None
    for i in range(len(words) - 1, -1, -1):
        if words[i] in WALLOON_POSTCODES:
            postcode = words.pop(i)
            del mapped[i]
            break
    house_at = None
    m = None
    for i in range(len(words) - 1, 0, -1):
        w = words[i]
        if w[0] <= "9":  # a word starting with a digit (words are letters and digits)
            m = _HOUSE.match(w)
            if m:
                house_at = i
                break
    if house_at is None or m is None:
        return None  # no house number, or only in front ("10 rue de Droixhe")
    number, suffix = int(m.group(1)), m.group(2)
    j = house_at + 1
    if j < len(words) and not suffix:
        w = words[j]
        if (len(w) == 1 and w.isalpha()) or w in ("bis", "ter"):
            suffix = w
            j += 1
    return (tuple(mapped[:house_at]), tuple(mapped[j:]), number, suffix, postcode, parts)


def _parts(tokens: list[str], folded: str) -> list[list[str]]:
    """The words of each comma-separated part of ``folded`` (``tokens``: its words and commas,
    :data:`_TOKEN`), as :func:`~tzcld.geocode.normalize.parse_address` splits it: a part of
    blanks only is no part, one of other characters only (``"-"``) is an empty part."""
    split = []
    at = 0
    for _ in range(tokens.count(",")):
        j = tokens.index(",", at)
        if j == at:
            break  # a part without words: read the parts one by one below
        split.append(tokens[at:j])
        at = j + 1
    else:
        if at < len(tokens):
            split.append(tokens[at:])
            return split
    split = []
    for p in folded.split(","):
        ws = _WORD.findall(p)
        if ws or p.strip():
            split.append(ws)
    return split


def first_reading(gaz, before: tuple[str, ...], after: tuple[str, ...], segments: tuple[str, ...]):
    """The first ``(street, locality key)`` reading of
    :meth:`RegisterGeocoder._interpretations` (same rules, same order), or ``None`` when it
    would be a misspelt or unknown locality (the careful path reads those)."""
    return _first(gaz, before, after, tuple(tuple(seg.split()) for seg in segments))


def _first(gaz, before: tuple[str, ...], after: tuple[str, ...], parts: tuple[tuple[str, ...], ...]):
    """:func:`first_reading` of the segments' words (``gaz``: anything that tells whether a
    name is a gazetteer key)."""
    words = before + after
    n = len(words)
    if len(parts) > 1:
        for seg in reversed(parts):
            # the part with a number that is not a postcode (the house number) is the
            # street's; the postcode is not a locality word (words: letters and digits)
            sw = seg
            for w in seg:
                if w[0] <= "9":
                    kept = []
                    for v in seg:
                        if v[0] > "9":
                            kept.append(v)
                        elif v not in WALLOON_POSTCODES:
                            kept.clear()  # a number that is no postcode: not a locality part
                            break
                    sw = tuple(kept)
                    break
            if not sw or len(sw) >= n:
                continue
            key = " ".join(sw)
            if key not in gaz:
                continue
            if words[-len(sw) :] == sw:
                return " ".join(words[: -len(sw)]), key
            if words[: len(sw)] == sw:
                return " ".join(words[len(sw) :]), key
    if before and after:
        tail_after = " ".join(after)
        return (" ".join(before), tail_after) if tail_after in gaz else None
    for k in range(min(4, n), 0, -1):
        tail = " ".join(words[-k:])
        if tail in gaz:
            return " ".join(words[:-k]), tail
        if k < n:
            head = " ".join(words[:k])
            if head in gaz:
                return " ".join(words[k:]), head
    return " ".join(words), None


@dataclass(frozen=True)
class ExactKeys:
    """Per-index look-up of a (street row, house number, letter): addresses are stored by
    street row, then number, then letter, so one sorted ``int64`` key finds the first
    address with that number on a street by binary search."""

    keys: np.ndarray  #: sorted
    order: np.ndarray  #: address index of each sorted key (stable: the first address first)
    suffix_code: dict[str, int]

    @staticmethod
    def build(index: AddressIndex) -> ExactKeys:
        """The keys stored with the index (:func:`tzcld.geocode.register.address_keys`)."""
        keys = index.address_keys
        order = index.address_keys_order
        if order is None:  # the addresses are in key order (the usual case)
            order = np.arange(len(keys), dtype=np.int64)
        return ExactKeys(keys, order, {s: i for i, s in enumerate(index.suffixes)})

    def find(self, rows: np.ndarray, number: np.ndarray, suffix: np.ndarray) -> np.ndarray:
        """First address index with ``number``/``suffix`` (codes, -1: unknown letter) on
        street ``rows``, -1 when none."""
        ok = (suffix >= 0) & (number >= 0) & (number < (1 << 19))
        q = (rows.astype(np.int64) << 32) | ((number.astype(np.int64) + 1) << 12) | np.maximum(suffix, 0)
        # searched in key order (numpy starts each search where the previous one ended: ≈ 3×
        # faster over the 1.4 M keys than in query order), the places put back in query order
        by_key = np.argsort(q, kind="stable")
        at = np.empty_like(by_key)
        at[by_key] = np.searchsorted(self.keys, q[by_key])
        hit = ok & (at < len(self.keys))
        hit[hit] = self.keys[at[hit]] == q[hit]
        return np.where(hit, self.order[np.minimum(at, len(self.order) - 1)], -1)


def exact_keys(index: AddressIndex) -> ExactKeys:
    """:class:`ExactKeys` of ``index``, once per loaded index (stored with it: no work)."""
    return index.derived("_exact_keys", ExactKeys.build)


@dataclass
class ExactAnswers:
    """What the exact pass settled: ``position`` (into the texts), the register ``address``
    and its street ``row``, and the typed place as recognised (``typed_place``, for the
    :class:`GeocodeResult`)."""

    position: np.ndarray
    address: np.ndarray
    row: np.ndarray
    typed_place: list[str | None]

    def __len__(self) -> int:
        return len(self.position)


def register_of(geocoder) -> RegisterGeocoder | None:
    """The offline register geocoder behind ``geocoder`` (the page's lazy one loads it), or
    ``None`` for another geocoder (online ones have no exact pass)."""
    if isinstance(geocoder, RegisterGeocoder):
        return geocoder
    inner = getattr(type(geocoder), "_geocoder", None)
    if inner is not None:
        real = geocoder._geocoder()
        return real if isinstance(real, RegisterGeocoder) else None
    return None


def _decide(
    geocoder: RegisterGeocoder, street: str, loc: str | None, postcode: str | None, places: dict, agreements: dict
):
    """The street rows a first reading settles on, with the typed place's label, or
    ``None`` when the careful path must decide (mirrors the first round of
    :meth:`RegisterGeocoder._find_street` and :meth:`RegisterGeocoder._search`).
    ``places``: the pass's memo of each typed (postcode, locality key): its
    :class:`Evidence`, the street rows there (a set; ``None`` without evidence) and its label;
    ``agreements``: whether a (postcode, locality key, row's postcode, row's commune) agrees."""
    idx = geocoder.index
    exact = idx.by_key.get(street)
    if exact is None or not has_street_letters(street.split()):
        return None
    if loc is None and street in idx.gazetteer.entries and not geocoder._is_street_here(street, postcode):
        return None  # a place name typed as the street: the careful path decides
    place = places.get((postcode, loc))
    if place is None:
        evidence = geocoder.evidence(postcode, loc)
        members = geocoder._pool_set(evidence) if evidence.given else None
        # without a section among its localities, the agreement of one street row depends
        # only on the row's postcode and commune (:func:`street_agreement`)
        by_row = not any(e.section for e in evidence.localities)
        place = (evidence, evidence.given, members, evidence.label or None, by_row)
        places[(postcode, loc)] = place
    evidence, given, members, label, by_row = place
    rows = exact
    if given:
        if members is None:
            return None  # no pool for what was typed: the careful path decides
        # the rows of that key in the pool, in row order (``exact`` is in row order)
        rows_of_key = exact.tolist()
        if len(rows_of_key) == 1:
            if rows_of_key[0] not in members:
                return None
            candidates = rows_of_key
        else:
            candidates = sorted(members.intersection(rows_of_key))
            if not candidates:
                return None
            if len(candidates) < len(rows_of_key):
                rows = np.asarray(candidates, dtype=np.int64)
    else:
        candidates = exact.tolist()
    if len(candidates) > 1:
        sid = idx.s_sid
        first = sid[candidates[0]]
        if any(sid[r] != first for r in candidates):
            return None  # homonyms: the careful path lists them
    if given:
        akey = None
        if by_row and len(candidates) == 1:
            r = candidates[0]
            akey = (postcode, loc, idx.s_postcode[r], idx.s_muni_key[r])
            agrees = agreements.get(akey)
            if agrees is not None:
                return (rows, label) if agrees else None
        pc_level, loc_level, _via = street_agreement(idx, rows, evidence)
        agrees = pc_level == AGREES and loc_level == AGREES
        if akey is not None:
            agreements[akey] = agrees
        if not agrees:
            return None
    return rows, label


def exact_pass(geocoder: RegisterGeocoder, texts: Sequence[str]) -> ExactAnswers:
    """Settle what can be settled exactly (see the module doc); the rest is for
    :meth:`RegisterGeocoder.geocode`."""
    idx = geocoder.index
    gaz = idx.gazetteer.entries
    keys = exact_keys(idx)
    parsed: dict[str, int] = {}  # distinct text → slot in the lists below (-1: careful path)
    decisions: dict[tuple, int] = {}  # (street, locality, postcode) → decision (-1: none)
    decided_rows: list[np.ndarray] = []  # street rows of each decision
    decided_place: list[str | None] = []  # typed place of each decision
    seen_places: dict[tuple, tuple] = {}  # (postcode, locality key) → evidence, street rows there, label
    agreements: dict[tuple, bool] = {}  # see _decide
    slot_decision: list[int] = []
    slot_number: list[int] = []
    slot_suffix: list[int] = []
    text_slot: list[int] = []
    suffix_code = keys.suffix_code.get
    quick, first = _quick, _first
    for text in texts:
        slot = parsed.get(text) if text is not None else -1
        if slot is None:
            slot = -1
            p = quick(text) if text else None
            reading = first(gaz, p[0], p[1], p[5]) if p is not None else None
            if reading is not None and p is not None:
                dkey = (reading[0], reading[1], p[4])
                d = decisions.get(dkey)
                if d is None:
                    found = _decide(geocoder, reading[0], reading[1], p[4], seen_places, agreements)
                    if found is None:
                        d = -1
                    else:
                        d = len(decided_rows)
                        decided_rows.append(found[0])
                        decided_place.append(found[1])
                    decisions[dkey] = d
                if d >= 0:
                    slot = len(slot_decision)
                    slot_decision.append(d)
                    slot_number.append(p[2])
                    slot_suffix.append(suffix_code(p[3], -1))
            parsed[text] = slot
        text_slot.append(slot)
    if not slot_decision:
        return ExactAnswers(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64), [])
    # every slot × every street row of its decision (usually one), first hit in row order
    dec_n = np.fromiter(map(len, decided_rows), np.int64, len(decided_rows))
    dec_start = np.cumsum(dec_n) - dec_n
    dec_flat = np.concatenate(decided_rows)
    sd = np.asarray(slot_decision, np.int64)
    n_rows = dec_n[sd]
    owner = np.repeat(np.arange(len(sd)), n_rows)
    # position of each (slot, row) pair in dec_flat: the decision's start + rank in it
    within = np.arange(len(owner)) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    flat_rows = dec_flat[dec_start[sd][owner] + within]
    addr = keys.find(
        flat_rows,
        np.repeat(np.asarray(slot_number, np.int64), n_rows),
        np.repeat(np.asarray(slot_suffix, np.int64), n_rows),
    )
    hit = addr >= 0
    slot_addr = np.full(len(sd), -1, dtype=np.int64)
    slot_row = np.full(len(sd), -1, dtype=np.int64)
    # the first hit of each slot (``owner`` ascends: the first of each run of equal owners)
    ho = owner[hit]
    at = np.flatnonzero(np.r_[True, ho[1:] != ho[:-1]]) if len(ho) else np.empty(0, np.int64)
    ho = ho[at]
    slot_addr[ho] = addr[hit][at]
    slot_row[ho] = flat_rows[hit][at]
    text_slot_arr = np.asarray(text_slot, np.int64)
    settled = np.flatnonzero(text_slot_arr >= 0)
    settled = settled[slot_addr[text_slot_arr[settled]] >= 0]
    s = text_slot_arr[settled]
    places = [decided_place[d] for d in sd[s].tolist()]
    return ExactAnswers(settled, slot_addr[s], slot_row[s], places)


def exact_result(geocoder: RegisterGeocoder, query: str, address: int, row: int, typed_place: str | None):
    """The :class:`GeocodeResult` :meth:`RegisterGeocoder.geocode` gives a settled text."""
    idx = geocoder.index
    return GeocodeResult(
        query=query,
        quality=MatchQuality.EXACT,
        score=100.0,
        matched_address=f"{idx.s_name[row]} {idx.housenumber[address]}, {idx.s_postcode[row]} {idx.s_muni[row]}",
        lat=float(idx.lat[address]),
        lon=float(idx.lon[address]),
        x=float(idx.x[address]),
        y=float(idx.y[address]),
        postcode=str(idx.s_postcode[row]),
        municipality=str(idx.s_muni[row]),
        sector=str(idx.sector[address]) or None,
        source=geocoder.source,
        typed_place=typed_place,
    )


def geocode_many(geocoder: RegisterGeocoder, texts: Sequence[str]) -> list[GeocodeResult]:
    """:meth:`RegisterGeocoder.geocode_many` in two passes: the exact pass, then the careful
    path for the rest; the same answers, in order."""
    texts = ["" if t is None else str(t) for t in texts]
    settled = exact_pass(geocoder, texts)
    out: list[GeocodeResult | None] = [None] * len(texts)
    for p, a, r, place in zip(
        settled.position.tolist(), settled.address.tolist(), settled.row.tolist(), settled.typed_place
    ):
        out[p] = exact_result(geocoder, texts[p], a, r, place)
    rest = [i for i, g in enumerate(out) if g is None]
    for i, g in zip(rest, geocoder.geocode_many([texts[i] for i in rest])):
        out[i] = g
    return out  # type: ignore[return-value]
