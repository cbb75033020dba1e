"""One answer of the address check as the Vérifier page shows it (and its attestation files it).

- :func:`answer_view`: the JSON view of an answer (:func:`tzcld.check_cli.answer_json`),
  naming the perimeter version of the answer's territory and its date, also when the
  perimeter database cannot be read (then ``perimeter_version`` is ``None``: unknown, never
  guessed) and without opening any database when there is none (the committed perimeters);
- :func:`result_rows`: the labelled details under the verdict, in the page's language
  (territory and unit names from the catalogues, the perimeter version in words, the date
  whose perimeters were used);
- :func:`today_in_wallonia`: the latest date a check "as of" may take.

Pure (no Streamlit); nothing is stored or logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from tzcld.check import CheckResult, format_distance
from tzcld.formatting import format_date, format_perimeter_version
from tzcld.i18n import DEFAULT_LANG, place_name, t, territory_name

#: The calendar of "as of" dates (that of :mod:`tzcld.perimeters.published`).
TIMEZONE = ZoneInfo("Europe/Brussels")
#: The earliest date a check "as of" may take on the page (the programme's first year).
EARLIEST_AS_OF = dt.date(2022, 1, 1)


class _Committed(NamedTuple):
    """The version of a territory using the committed perimeters (``base``, their vintage)."""

    label: str
    date: str


def today_in_wallonia(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Wallonia (a check "as of" a later date is refused)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(TIMEZONE).date()


def answer_view(result: CheckResult, as_of: dt.date | None = None, store: Any = None) -> dict:
    """The JSON view of ``result`` (``check --json``), its ``perimeter_version`` read from
    ``store`` as of ``as_of`` (``None``: now). Without a store (no database, or one that
    could not be read, so the committed perimeters answered), the committed version, read
    without opening any database; a database failing now gives ``perimeter_version`` ``None``."""
    from tzcld.check_cli import answer_json

    if store is None:
        from tzcld.geodata.layers import data_version
        from tzcld.territories import TERRITORY_IDS

        vintage = data_version().split("+")[0]
        return answer_json(result, as_of, versions={tid: _Committed("base", vintage) for tid in TERRITORY_IDS})
    from tzcld.errors import is_database_error

    try:
        return answer_json(result, as_of, store)
    except Exception as exc:
        if not is_database_error(exc):
            raise
        return answer_json(result, as_of, versions={})


def result_rows(
    result: CheckResult, answer: dict | None = None, lang: str = DEFAULT_LANG, as_of: dt.date | None = None
) -> list[tuple[str, str]]:
    """The details shown under a verdict, ``(label, text)``, those that are known only:
    territory and unit (in ``lang``), match quality, matched address, score, point,
    distance to the boundary, precision, perimeter version (from ``answer``, see
    :func:`answer_view`), the date whose perimeters were used, the data version."""
    version = (answer or {}).get("perimeter_version") or {}
    name = territory_name(result.territory_id, lang, result.territory_name) if result.territory_id else None
    rows = [
        (t("check.page.territory", lang), name or result.territory_name),
        (t("check.page.unit", lang), place_name(result.unit, lang) if result.unit else None),
        (
            t("check.page.match_quality", lang),
            t(f"check.quality.{result.match_quality}", lang) if result.match_quality else None,
        ),
        (t("check.page.matched_address", lang), result.matched_address),
        (t("check.page.score", lang), f"{result.score:.0f} / 100" if result.score is not None else None),
        ("lat, lon", f"{result.lat:.6f}, {result.lon:.6f}" if result.lat is not None else None),
        (t("check.page.distance_to_boundary", lang), format_distance(result.distance_to_boundary_m, lang) or None),
        (
            t("check.page.precision", lang),
            t(f"common.precision.{result.precision}", lang) if result.precision else None,
        ),
        (
            t("check.page.perimeter_version", lang),
            format_perimeter_version(version.get("label"), version.get("date"), lang) if version else None,
        ),
        (t("asof.label", lang), format_date(as_of, lang) if as_of else None),
        (t("check.page.data_version", lang), result.data_version or None),
    ]
    return [(label, str(value)) for label, value in rows if value]
