"""The programme's published figures: read from ``geodata/published_facts.csv``, each with its source and date.

The figures are **data, not code**: a programme officer reads and corrects the CSV file
(``;``-separated, UTF-8, one figure per line, in the ledger's import format plus a few
columns of its own); adding a figure never needs a code change. The file is validated on
load (:func:`load_facts`): every problem is a French sentence naming the line
(:class:`FactsFileError`). The ledger (:mod:`tzcld.ledger`) is seeded from it with each
figure's source (:meth:`tzcld.ledger.store.Store.seed`), and the pages read the ledger.
Anything not in the file is **unknown** ("non communiqué") until someone records it
with a source: never write 0 for unknown.

Columns (``geodata/README.md`` describes them for programme officers):

``key``
    stable identifier of the figure (letters, digits, ``.``, ``-``, ``_``); the ledger
    recognises a corrected figure by it.
``scope``, ``metric``, ``value``, ``unit``, ``value_text``
    as in the ledger (:mod:`tzcld.ledger.metrics`): ``scope`` is ``programme`` or a
    territory id; ``value`` a number in ``unit`` (euros for ``EUR``, not millions;
    ``1 234,5`` or ``1234.5``); ``value_text`` the status of ``status`` rows.
``qualifier``
    empty, ``approx`` (« environ »), ``lt`` (« moins de ») or ``gt`` (« plus de »).
``period_date``, ``date_precision``, ``date_note``
    the date the figure describes, as precise as the source and no more (``2025``,
    ``2024-09``, ``2023-05-09``); its precision ``day``/``month``/``year`` (empty: read
    from the date's shape), ``inferred`` (the source carries no date: the period is
    deduced from its text) or ``uncertain`` (the source's own words about the date
    conflict with other facts; ``period_date`` is then the earliest it can be). An
    ``inferred`` or ``uncertain`` date needs ``date_note``, which says why.
``source_kind``, ``source_title``, ``source_url``
    ``official``, ``press``, ``project`` or ``political`` (a political statement, never
    shown as an official figure); the source's title (required) and web address (empty
    only for a document without a known public address, such as the announcement).
``label_fr``, ``label_en``, ``note``
    the figure in a sentence (French required; English falls back to French) and any
    remark (another source saying the same, what the figure does not say...).
``date_note_en``, ``note_en``
    the English of ``date_note`` and ``note`` (shown on English pages; without it the
    French text is shown, marked as French). Not stored in the ledger: the pages find them
    by the figure's key, and only while the ledger's French note is the file's. An English
    text without its French one, or with French punctuation (a space before « : ; ? ! »,
    « » quotes), is refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tzcld.config import GEODATA_DIR
from tzcld.errors import TzcldError
from tzcld.i18n import t

PROGRAMME = "programme"

#: The versioned facts file (shipped with the registry ``geodata/territories.yaml``).
FACTS_PATH: Path = GEODATA_DIR / "published_facts.csv"

#: The file's columns, in order.
COLUMNS: tuple[str, ...] = (
    "key",
    "scope",
    "metric",
    "value",
    "unit",
    "value_text",
    "qualifier",
    "period_date",
    "date_precision",
    "date_note",
    "source_kind",
    "source_title",
    "source_url",
    "label_fr",
    "label_en",
    "note",
    "date_note_en",
    "note_en",
)
#: Columns the header must have.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "key",
    "scope",
    "metric",
    "value",
    "unit",
    "period_date",
    "source_title",
    "label_fr",
)

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: French punctuation in an English text: a space before ``: ; ? !``, or French quotes.
FRENCH_PUNCTUATION = re.compile(r"\S[ \u00a0\u202f][:;?!](?=\s|$)|[«»]")
#: English columns and the French column each translates.
ENGLISH_COLUMNS: dict[str, str] = {"label_en": "label_fr", "date_note_en": "date_note", "note_en": "note"}


class FactsFileError(TzcldError, ValueError):
    """The facts file cannot be used; ``messages`` are French sentences, each naming its line
    (``facts.error.file``: the CLI's top handler and the pages show them as they are)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("facts.error.file", messages="\n".join(messages))


@dataclass(frozen=True)
class Fact:
    """One published figure (one line of the facts file).

    ``value`` is in ``unit`` (``None`` for a status, whose ``text`` holds it);
    ``period_date`` is the ISO (possibly partial) date the figure describes and
    ``date_precision`` how it is known (never empty once loaded); ``line`` is the line
    of the file it comes from.
    """

    key: str
    scope: str
    metric: str
    value: float | None
    unit: str
    period_date: str
    source_title: str
    source_url: str
    label_fr: str
    label_en: str
    text: str | None = None
    qualifier: str = ""
    date_precision: str = ""
    date_note: str = ""
    source_kind: str = ""
    note: str = ""
    date_note_en: str = ""
    note_en: str = ""
    line: int = 0

    @property
    def date(self) -> str:
        """The date the figure describes (``period_date``)."""
        return self.period_date

    def label(self, lang: str = "fr") -> str:
        """The label in ``lang`` (French unless ``"en"`` and given)."""
        return self.label_en if lang == "en" and self.label_en else self.label_fr

    @property
    def fingerprint(self) -> str:
        """12 hex digits that change whenever anything the ledger stores of the figure changes."""
        return fingerprint_of(
            scope=self.scope,
            metric=self.metric,
            value=self.value,
            unit=self.unit,
            text=self.text or "",
            qualifier=self.qualifier,
            period_date=self.period_date,
            date_precision=self.date_precision,
            date_note=self.date_note,
            source_kind=self.source_kind,
            source_title=self.source_title,
            source_url=self.source_url,
            note=self.note,
        )

    @property
    def seed_key(self) -> str:
        """The ledger's ``seed_key`` of this version of the figure (``key#fingerprint``)."""
        return f"{self.key}#{self.fingerprint}"


def fingerprint_of(
    *,
    scope: str,
    metric: str,
    value: float | None,
    unit: str,
    text: str,
    qualifier: str,
    period_date: str,
    date_precision: str,
    date_note: str,
    source_kind: str,
    source_title: str,
    source_url: str,
    note: str,
) -> str:
    """12 hex digits of a figure's content (the same for a fact and the ledger row seeded from it)."""
    parts = (
        scope,
        metric,
        "" if value is None else repr(float(value)),
        unit,
        text,
        qualifier,
        period_date,
        date_precision,
        date_note,
        source_kind,
        source_title,
        source_url,
        note,
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def _number(text: str) -> float:
    """``"1 234,5"``, ``"1.234,5"``, ``"1234.5"`` -> float (``ValueError`` if unreadable)."""
    s = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _row_problems(raw: dict[str, str], lang: str) -> tuple[Fact | None, list[str]]:
    """The fact of one row and its problems (ledger rules plus the file's own)."""
    from tzcld.ledger.validation import ObservationInput, period_precision, validate_input

    problems: list[str] = []
    key = raw.get("key", "")
    if not key:
        problems.append(t("facts.error.no_key", lang))
    elif not _KEY.match(key):
        problems.append(t("facts.error.bad_key", lang, key=key))
    value: float | None = None
    if raw.get("value"):
        try:
            value = _number(raw["value"])
        except ValueError:
            problems.append(t("entry.error.bad_value", lang, value=raw["value"]))
    if not raw.get("source_title"):
        problems.append(t("facts.error.no_source", lang))
    if not raw.get("label_fr"):
        problems.append(t("facts.error.no_label", lang))
    precision = raw.get("date_precision", "")
    entry = ObservationInput(
        scope=raw.get("scope", ""),
        metric=raw.get("metric", ""),
        value=value,
        unit=raw.get("unit", ""),
        period_date=raw.get("period_date", ""),
        source_title=raw.get("source_title", ""),
        source_url=raw.get("source_url", ""),
        value_text=raw.get("value_text") or None,
        date_precision=precision,
        date_note=raw.get("date_note", ""),
        qualifier=raw.get("qualifier", ""),
        source_kind=raw.get("source_kind", ""),
        note=raw.get("note", ""),
    ).normalised()
    for column, french in ENGLISH_COLUMNS.items():
        english = raw.get(column, "")
        if english and not raw.get(french):
            problems.append(t("facts.error.english_without_french", lang, column=column, french=french))
        if english and FRENCH_PUNCTUATION.search(english):
            problems.append(t("facts.error.english_punctuation", lang, column=column))
    if entry.unit == "status" and value is not None:
        problems.append(t("facts.error.status_with_value", lang))
    unreadable = bool(raw.get("value")) and value is None
    missing = t("entry.error.missing_value", lang)
    problems += [p for p in validate_input(entry, lang) if not (unreadable and p == missing)]
    if problems:
        return None, problems
    return (
        Fact(
            key=key,
            scope=entry.scope,
            metric=entry.metric,
            value=None if entry.unit == "status" else value,
            unit=entry.unit,
            period_date=entry.period_date,
            source_title=entry.source_title,
            source_url=entry.source_url,
            label_fr=raw.get("label_fr", ""),
            label_en=raw.get("label_en", ""),
            text=entry.value_text if entry.unit == "status" else None,
            qualifier=entry.qualifier,
            date_precision=period_precision(entry.period_date, entry.date_precision),
            date_note=entry.date_note,
            source_kind=entry.source_kind,
            note=entry.note,
            date_note_en=raw.get("date_note_en", ""),
            note_en=raw.get("note_en", ""),
        ),
        [],
    )


def parse_facts(data: bytes | str, name: str = FACTS_PATH.name, lang: str = "fr") -> tuple[Fact, ...]:
    """Read and check a facts file's content; every problem of every line at once.

    Raises :class:`FactsFileError` (messages ``"<name>, ligne N : ..."``) when a line is
    wrong, a key is repeated, or a column is missing or unknown. Empty lines are skipped.
    """
    text = _decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    sep = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FactsFileError([t("facts.error.empty", lang, file=name)]) from None
    messages: list[str] = []
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown:
        messages.append(t("facts.error.unknown_columns", lang, file=name, columns=", ".join(unknown)))
    if missing:
        messages.append(t("facts.error.missing_columns", lang, file=name, columns=", ".join(missing)))
    if messages:
        raise FactsFileError(messages)
    facts: list[Fact] = []
    seen: dict[str, int] = {}
    previous_end = reader.line_num
    for cells in reader:
        line, previous_end = previous_end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            messages.append(
                t("facts.error.line", lang, file=name, line=line, message=t("facts.error.too_many_cells", lang))
            )
            continue
        raw = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h}
        fact, problems = _row_problems(raw, lang)
        key = raw.get("key", "")
        if key and key in seen:
            problems.append(t("facts.error.duplicate_key", lang, key=key, other=seen[key]))
        elif key:
            seen[key] = line
        for problem in problems:
            messages.append(t("facts.error.line", lang, file=name, line=line, message=problem))
        if fact is not None and not problems:
            facts.append(Fact(**{**fact.__dict__, "line": line}))
    if messages:
        raise FactsFileError(messages)
    if not facts:
        raise FactsFileError([t("facts.error.empty", lang, file=name)])
    return tuple(facts)


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int, size: int) -> tuple[Fact, ...]:
    return parse_facts(path.read_bytes(), path.name)


def load_facts(path: Path | str | None = None) -> tuple[Fact, ...]:
    """The published facts of ``path`` (default :data:`FACTS_PATH`), validated.

    Read again when the file changes (cached on its modification time). Raises
    :class:`FactsFileError` with French messages naming each wrong line, or
    ``FileNotFoundError``.
    """
    p = Path(path) if path else FACTS_PATH
    stat = p.stat()
    return _load(p, stat.st_mtime_ns, stat.st_size)


def published_facts() -> tuple[Fact, ...]:
    """Every figure of the facts file, in file order."""
    return load_facts()


def fact(key: str) -> Fact:
    """The fact with this key (``KeyError`` if there is none)."""
    for f in published_facts():
        if f.key == key:
            return f
    raise KeyError(key)


def facts_for(scope: str | None = None, metric: str | None = None) -> list[Fact]:
    """Facts filtered by scope and/or metric, in file order."""
    return [
        f for f in published_facts() if (scope is None or f.scope == scope) and (metric is None or f.metric == metric)
    ]


def facts_by_key(facts: tuple[Fact, ...] | None = None) -> dict[str, Fact]:
    """``key -> Fact`` of ``facts`` (default: the published facts)."""
    return {f.key: f for f in (published_facts() if facts is None else facts)}


@dataclass(frozen=True)
class NoteText:
    """A figure's note as shown in one language: ``text`` and the language it is written in
    (``lang``: ``"fr"`` when an English page has only the French; HTML marks it ``lang="fr"``)."""

    text: str
    lang: str


def figure_notes(fact_key: str | None, date_note: str, note: str, lang: str = "fr") -> tuple[NoteText, NoteText]:
    """The date note and the note of a ledger figure, in ``lang`` when possible.

    ``date_note`` and ``note`` are the ledger's (French) texts. In English, the facts
    file's ``date_note_en`` / ``note_en`` of the figure's ``fact_key`` replace them, but
    only while the ledger's text is the file's French one (a note corrected in the ledger
    since is shown as written, in French). Empty notes stay empty."""
    date_note, note = date_note or "", note or ""
    if lang == "fr":
        return NoteText(date_note, "fr"), NoteText(note, "fr")
    found = None
    if fact_key:
        try:
            found = facts_by_key().get(fact_key)
        except (FactsFileError, OSError):
            found = None

    def one(text: str, french: str, english: str) -> NoteText:
        if not text:
            return NoteText("", lang)
        if found is not None and english and text == french:
            return NoteText(english, lang)
        return NoteText(text, "fr")

    if found is None:
        return one(date_note, "", ""), one(note, "", "")
    return one(date_note, found.date_note, found.date_note_en), one(note, found.note, found.note_en)
