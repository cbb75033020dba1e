"""Numbers and dates the Belgian French way (1 234,5 ; 104 M€ ; 26/11/2026)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

NBSP = "\u202f"  # narrow no-break space, the French thousands separator


def join_list(items: Iterable[object], lang: str = "fr") -> str:
    """Items of a list said in a sentence, separated by semicolons (the items may hold commas:
    addresses, names), as each language writes them: ``" ; "`` in French, ``"; "`` in English."""
    return (" ; " if lang == "fr" else "; ").join(str(i) for i in items)


def format_number(value: float | int | None, decimals: int = 0, lang: str = "fr") -> str:
    """``1234.5 -> '1 234,5'`` in French, ``'1,234.5'`` in English; ``None`` -> ``''``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)
    return text


def format_eur(value: float | None, lang: str = "fr") -> str:
    """Euros, in millions from one million up: ``104e6 -> '104 M€'``, ``27.7e6 -> '27,7 M€'``."""
    if value is None:
        return ""
    if abs(value) >= 1_000_000:
        millions = value / 1_000_000
        decimals = 0 if float(millions).is_integer() else 1
        num = format_number(millions, decimals, lang)
        return f"{num}{NBSP}M€" if lang == "fr" else f"€{num}M"
    num = format_number(value, 0, lang)
    return f"{num}{NBSP}€" if lang == "fr" else f"€{num}"


def format_percent(ratio: float | None, decimals: int = 0, lang: str = "fr") -> str:
    """``0.16 -> '16 %'`` in French."""
    if ratio is None:
        return ""
    num = format_number(ratio * 100, decimals, lang)
    return f"{num}{NBSP}%" if lang == "fr" else f"{num}%"


def format_date(value: dt.date | str | None, lang: str = "fr") -> str:
    """ISO date -> ``26/11/2026`` (fr) or ``2026-11-26`` (en); partial dates kept as given."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        day = value
    return day.strftime("%d/%m/%Y") if lang == "fr" else day.isoformat()


def format_perimeter_version(label: str | None, date: str | None, lang: str = "fr") -> str:
    """A territory's published perimeter in words: ``version v3 approuvée le 12/03/2026``, or
    ``périmètre de référence (données du 30/10/2024)`` for the committed geodata (``base``)."""
    from tzcld.i18n import t

    if not label:
        return ""
    when = format_date(date, lang) if date else t("common.unknown", lang)
    if label == "base":
        return t("common.perimeter_version.base", lang, date=when)
    return t("common.perimeter_version.approved", lang, version=label, date=when)


def format_published_perimeters(
    approved: list[tuple[str, str, str | None]], base_date: str | None, others: bool, lang: str = "fr"
) -> str:
    """One sentence on the published perimeters: ``approved`` lists ``(territory name,
    version label, ISO date)`` of the territories with an approved version; ``others`` says
    whether some territories keep the reference perimeter, dated ``base_date`` (ISO)."""
    from tzcld.i18n import t

    date = format_date(base_date, lang) if base_date else t("common.unknown", lang)
    if not approved:
        return t("map.perimeters.all_base", lang, date=date)
    sep, join = (" : ", " ; ") if lang == "fr" else (": ", "; ")
    listed = join.join(f"{name}{sep}{format_perimeter_version(label, when, lang)}" for name, label, when in approved)
    if not others:
        return t("map.perimeters.all_approved", lang, approved=listed)
    return t("map.perimeters.some_approved", lang, approved=listed, date=date)
