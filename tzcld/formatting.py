"""Numbers and dates the Belgian French way (1 234,5 ; 104 M€ ; 26/11/2026)."""

from __future__ import annotations

import datetime as dt
import math

NBSP = "\u202f"  # narrow no-break space, the French thousands separator


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
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()
