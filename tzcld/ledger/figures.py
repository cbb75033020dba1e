"""What is known of each measure: the latest figure, the sources that agree, the ones that conflict.

Pure pandas, no Streamlit. A :class:`Figure` is one effective ledger row (or published
fact) with everything needed to show it honestly: its value with its qualifier
("environ 20", "moins de 5"), its date as precise as the source and no more ("2025, date
déduite du texte"), its source (title, address, kind). A :class:`FigureSet` groups what
is known of one (scope, metric): the latest figure, other sources giving the same value
the same year (``agreeing``) and other sources giving another value the same year
(``conflicting``): those are shown side by side, never silently dropped.

Political statements (``source_kind == "political"``) and retractions never count as a
figure here (:func:`tzcld.ledger.store.effective_of`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from tzcld.formatting import format_date, format_eur, format_number
from tzcld.i18n import t
from tzcld.ledger.store import effective_of
from tzcld.ledger.validation import period_midpoint, period_precision


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def value_display(
    value: float | None, unit: str, lang: str = "fr", qualifier: str = "", text: str | None = None
) -> str:
    """A figure for people: euros in M€, counts plain, FTE with their unit, a status in
    words, the qualifier in words (``environ 20``); unknown -> "non communiqué", never 0."""
    unit = (unit or "").strip()
    if unit == "status":
        if not text:
            return t("progress.unknown", lang)
        label = t(f"common.status.{text}", lang)
        return text if label.startswith("common.") else label
    if _missing(value):
        return t("progress.unknown", lang)
    value = float(value)  # type: ignore[arg-type]
    if unit.upper() == "EUR":
        number = format_eur(value, lang)
    else:
        number = format_number(value, 0 if value.is_integer() else 1, lang)
        if unit == "fte":
            number = f"{number} {t('progress.unit.fte', lang)}"
    if qualifier:
        key = f"facts.qualifier.{qualifier}"
        worded = t(key, lang, value=number)
        return number if worded == key else worded
    return number


def date_display(period_date: str, precision: str = "", lang: str = "fr") -> str:
    """A figure's date as precise as its source: ``09/05/2023``, ``09/2024``, ``2025``,
    ``2025, date déduite du texte``, ``date incertaine (au plus tôt 2023)``."""
    if not period_date:
        return t("progress.unknown", lang)
    parts = str(period_date).split("-")
    if len(parts) == 3:
        shown = format_date(period_date, lang)
    elif len(parts) == 2 and lang == "fr":
        shown = f"{parts[1]}/{parts[0]}"
    else:
        shown = str(period_date)
    precision = period_precision(period_date, precision)
    key = f"facts.precision.{precision}"
    worded = t(key, lang, date=shown)
    return shown if worded == key else worded


def short_source(title: str) -> str:
    """The publisher of a source title ``"Publisher, « Title »"`` (the whole title otherwise)."""
    title = (title or "").strip()
    head = title.split(", ", 1)[0].strip()
    return head or title


def split_source(text: str | None) -> tuple[str, str]:
    """``"Title, https://…"`` (the registry's ``status_source``) -> ``(title, url)``."""
    text = (text or "").strip()
    for marker in (", https://", ", http://", " https://", " http://"):
        if marker in text:
            title, _, rest = text.rpartition(marker)
            return title.strip(), marker.strip(", ").strip() + rest
    if text.startswith(("https://", "http://")):
        return "", text
    return text, ""


@dataclass(frozen=True)
class Figure:
    """One effective figure, with how it is known."""

    id: int
    scope: str
    metric: str
    value: float | None
    unit: str
    text: str | None
    qualifier: str
    period_date: str
    date_precision: str
    date_note: str
    source_title: str
    source_url: str
    source_kind: str
    note: str
    fact_key: str | None
    is_example: bool

    def display(self, lang: str = "fr") -> str:
        return value_display(self.value, self.unit, lang, self.qualifier, self.text)

    def date_display(self, lang: str = "fr") -> str:
        return date_display(self.period_date, self.date_precision, lang)

    @property
    def source_short(self) -> str:
        return short_source(self.source_title)

    def cited(self, lang: str = "fr") -> str:
        """``23 (Télé MB, 2025, date déduite du texte)``."""
        return f"{self.display(lang)} ({self.source_short}, {self.date_display(lang)})"

    @property
    def comparable(self) -> tuple[float | None, str, str]:
        """What makes two figures say the same thing (value, qualifier, status)."""
        return (None if _missing(self.value) else float(self.value), self.qualifier, self.text or "")  # type: ignore[arg-type]


def figure_of(row) -> Figure:
    """A :class:`Figure` from a row (``itertuples`` or a dict-like Series) of an observations frame."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    value = get("value")
    return Figure(
        id=int(get("id")) if not _missing(get("id")) else 0,
        scope=_text(get("scope")),
        metric=_text(get("metric")),
        value=None if _missing(value) else float(value),
        unit=_text(get("unit")),
        text=_text(get("value_text")) or None,
        qualifier=_text(get("qualifier")),
        period_date=_text(get("period_date")),
        date_precision=period_precision(_text(get("period_date")), _text(get("date_precision"))),
        date_note=_text(get("date_note")),
        source_title=_text(get("source_title")),
        source_url=_text(get("source_url")),
        source_kind=_text(get("source_kind")),
        note=_text(get("note")),
        fact_key=_text(get("fact_key")) or None,
        is_example=bool(get("is_example", False)),
    )


#: Between two sources: French ``a ; b``, English ``a; b`` (indexed by "is French").
_SEMICOLON = ("; ", " ; ")


@dataclass(frozen=True)
class FigureSet:
    """What is known of one (scope, metric): the latest figure and, the same year, the other
    sources that agree with it and the ones that do not."""

    latest: Figure
    agreeing: tuple[Figure, ...] = ()
    conflicting: tuple[Figure, ...] = ()

    @property
    def conflict(self) -> bool:
        return bool(self.conflicting)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.latest, *self.agreeing, *self.conflicting)

    def sources(self, lang: str = "fr") -> str:
        """Short names of every source of the latest value (``Canal Zoom ; Information Namur``;
        in English ``Canal Zoom; Information Namur``)."""
        names: list[str] = []
        for fig in (self.latest, *self.agreeing):
            if fig.source_short not in names:
                names.append(fig.source_short)
        return _SEMICOLON[lang == "fr"].join(names)

    def cell(self, lang: str = "fr") -> str:
        """The figure for a table cell, with its source and date; conflicting sources beside it
        (French typography in French, English in English: ``sources divergentes : …`` /
        ``conflicting sources: …``)."""
        agree = [f.source_short for f in self.agreeing if f.source_short != self.latest.source_short]
        text = f"{self.latest.display(lang)} ({self.sources(lang) if agree else self.latest.source_short}, {self.latest.date_display(lang)})"
        if self.conflict:
            others = _SEMICOLON[lang == "fr"].join(f.cited(lang) for f in self.conflicting)
            text += f" — {t('progress.conflict', lang)}{' :' if lang == 'fr' else ':'} {others}"
        return text


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    mid = [period_midpoint(p) or pd.Timestamp.min.date() for p in frame["period_date"]]
    return frame.assign(_mid=mid).sort_values(["_mid", "entered_at", "id"], kind="stable")


def figure_sets(frame: pd.DataFrame) -> dict[tuple[str, str], FigureSet]:
    """``(scope, metric) -> FigureSet`` of every effective figure of an observations frame.

    The latest is the most recent period (then the last entered), as
    :func:`tzcld.ledger.store.latest_of`; other figures of the same year from another
    source either agree (same value and qualifier) or conflict. Example rows are only
    compared with example rows.
    """
    cur = effective_of(frame)
    if cur.empty:
        return {}
    # One conversion of the whole frame, grouped in Python (first appearance order, as
    # ``groupby(sort=False)``): converting each (scope, metric) group on its own cost one
    # pandas column lookup per group and column — 50 ms for the 77 published facts.
    groups: dict[tuple[str, str], list[Figure]] = {}
    for row in _ordered(cur).to_dict("records"):
        fig = figure_of(row)
        groups.setdefault((str(row["scope"]), str(row["metric"])), []).append(fig)
    out: dict[tuple[str, str], FigureSet] = {}
    for key, figures in groups.items():
        latest = figures[-1]
        agreeing: list[Figure] = []
        conflicting: list[Figure] = []
        for fig in reversed(figures[:-1]):
            if fig.is_example != latest.is_example or fig.period_date[:4] != latest.period_date[:4]:
                continue
            if fig.source_title == latest.source_title and fig.source_url == latest.source_url:
                continue  # an older figure of the same source: history, not a second source
            if fig.comparable == latest.comparable:
                agreeing.append(fig)
            elif not any(fig.comparable == c.comparable and fig.source_title == c.source_title for c in conflicting):
                conflicting.append(fig)
        out[key] = FigureSet(latest, tuple(agreeing), tuple(conflicting))
    return out


def figures_of(frame: pd.DataFrame, scope: str | None = None, political: bool = True) -> list[Figure]:
    """Every effective figure (of ``scope``), oldest first; ``political`` statements
    included (to be shown labelled as such) unless asked otherwise."""
    cur = effective_of(frame, political=political)
    if scope is not None:
        cur = cur[cur["scope"] == scope]
    if cur.empty:
        return []
    return [figure_of(r) for r in _ordered(cur).to_dict("records")]
