"""An attestation a porteur can file: one address check's answer as a print-ready page.

:func:`attestation_html` turns one answer (:class:`tzcld.check.CheckResult` and its JSON
view, :func:`tzcld.check_cli.answer_json`) into a self-contained HTML page (no external
resource, no script but a "print" button) laid out for one A4 sheet: the address as matched
in the register (or the point checked), the verdict, the territory and unit, the perimeter
version and its approval date, the precision, the distance to the boundary, the date and
time of the check, the date whose perimeters were used ("as of"), and what the attestation
does not prove (the programme's two other criteria, :func:`tzcld.eligibility.criteria_checklist`).

Pure: nothing is stored, cached or logged here; the page sends the bytes to the browser
that asked for them, and that is all. The browser's "Print → Save as PDF" makes a PDF of
it (no PDF library: the runtime has none that writes text PDFs offline).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from tzcld.check import CheckResult, candidate_text, format_distance
from tzcld.formatting import format_date, format_perimeter_version
from tzcld.i18n import DEFAULT_LANG, place_name, punctuation, t, territory_name

#: Verdicts an attestation can be made of (an address not found has nothing to attest).
ATTESTABLE: tuple[str, ...] = ("inside", "outside", "undetermined")
#: At most this many other possible addresses are listed (the sheet stays one page).
MAX_CANDIDATES = 5
#: The clock of the check's date and time.
TIMEZONE = ZoneInfo("Europe/Brussels")
#: The two criteria the address check does not prove (keys of ``check.criteria.*``, in the
#: order of :func:`tzcld.eligibility.criteria_checklist`).
OTHER_CRITERIA: tuple[str, ...] = ("job_seeker", "domicile")

_CSS = """
@page { size: A4; margin: 12mm 15mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 9pt; line-height: 1.28;
       color: #161616; margin: 0 auto; max-width: 180mm; padding: 8mm 0; }
h1 { font-size: 14pt; margin: 0 0 1mm; }
.sub { margin: 0 0 3mm; color: #3a3a3a; }
.verdict { border: 2px solid #161616; border-left-width: 8px; padding: 2mm 3.5mm; margin: 0 0 3mm; }
.verdict.inside { border-color: #18753c; }
.verdict.outside { border-color: #3a3a3a; }
.verdict.undetermined { border-color: #b34000; }
.verdict .status { font-size: 12.5pt; font-weight: bold; margin: 0 0 1mm; }
.verdict p { margin: 0.5mm 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 3mm; }
th, td { text-align: left; vertical-align: top; padding: 1mm 2mm; border-bottom: 1px solid #cfcfcf; }
th { width: 40%; font-weight: bold; }
h2 { font-size: 11pt; margin: 3mm 0 1mm; }
p { margin: 1mm 0; }
ul { margin: 0 0 1.5mm; padding-left: 6mm; }
.fill { margin: 3mm 0 2mm; display: flex; gap: 8mm; }
.fill span { flex: 1; border-bottom: 1px solid #161616; padding-top: 6mm; color: #3a3a3a; font-size: 8.5pt; }
footer { margin-top: 3mm; font-size: 8pt; color: #3a3a3a; }
footer p { margin: 0.6mm 0; }
.print { margin: 0 0 4mm; font: inherit; padding: 1.5mm 4mm; }
@media print { .print { display: none; } body { padding: 0; } }
"""


def can_attest(result: CheckResult | None) -> bool:
    """True when an attestation can be made of ``result`` (an answer, not an error)."""
    return result is not None and result.status in ATTESTABLE


def checked_at_text(checked_at: dt.datetime, lang: str = DEFAULT_LANG) -> str:
    """The date and time of a check, on the Brussels clock (``01/12/2026 à 11:35 (heure de
    Bruxelles)``); a naive ``checked_at`` is read as UTC."""
    if checked_at.tzinfo is None:
        checked_at = checked_at.replace(tzinfo=dt.UTC)
    local = checked_at.astimezone(TIMEZONE)
    return t("attestation.checked_at_value", lang, date=format_date(local.date(), lang), time=local.strftime("%H:%M"))


def attestation_filename(checked_at: dt.datetime) -> str:
    """``attestation-verification-20261201-1135.html`` (the Brussels time of the check; no address)."""
    if checked_at.tzinfo is None:
        checked_at = checked_at.replace(tzinfo=dt.UTC)
    return f"attestation-verification-{checked_at.astimezone(TIMEZONE):%Y%m%d-%H%M}.html"


def attestation_rows(
    result: CheckResult,
    answer: Mapping[str, Any],
    lang: str = DEFAULT_LANG,
    checked_at: dt.datetime | None = None,
    as_of: dt.date | None = None,
) -> list[tuple[str, str]]:
    """The attestation's fields, in order, as ``(label, text)``: every field is there, with
    "—" when it does not apply (no territory, no distance)."""
    none = "—"
    rows: list[tuple[str, str]] = []
    if result.matched_address:
        rows.append((t("attestation.matched_address", lang), result.matched_address))
        if result.match_quality:
            rows.append((t("attestation.match_quality", lang), t(f"check.quality.{result.match_quality}", lang)))
    else:
        rows.append((t("attestation.matched_address", lang), t("attestation.point_only", lang)))
    if result.lat is not None and result.lon is not None:
        rows.append((t("attestation.point", lang), f"{result.lat:.6f}, {result.lon:.6f}"))
    name = territory_name(result.territory_id, lang, result.territory_name) if result.territory_id else None
    rows.append((t("attestation.territory", lang), name or t("attestation.no_territory", lang)))
    rows.append((t("attestation.unit", lang), place_name(result.unit, lang) if result.unit else none))
    if result.territory_status == "ended":
        rows.append((t("attestation.territory_status", lang), t("common.status.ended", lang)))
    version = answer.get("perimeter_version") or {}
    rows.append(
        (
            t("attestation.perimeter_version", lang),
            format_perimeter_version(version.get("label"), version.get("date"), lang) if version else none,
        )
    )
    rows.append(
        (
            t("attestation.precision", lang),
            t(f"common.precision.{result.precision}", lang) if result.precision else none,
        )
    )
    rows.append((t("attestation.distance", lang), format_distance(result.distance_to_boundary_m, lang) or none))
    rows.append(
        (
            t("attestation.as_of", lang),
            format_date(as_of, lang) if as_of else t("attestation.as_of_now", lang),
        )
    )
    rows.append((t("attestation.data_version", lang), result.data_version or none))
    when = checked_at or dt.datetime.now(dt.UTC)
    rows.append((t("attestation.checked_at", lang), checked_at_text(when, lang)))
    return rows


def attestation_html(
    result: CheckResult,
    answer: Mapping[str, Any],
    lang: str = DEFAULT_LANG,
    checked_at: dt.datetime | None = None,
    as_of: dt.date | None = None,
    sources: str = "",
) -> str:
    """The attestation of one answer as a complete HTML page in ``lang`` (``fr``, ``en``).

    ``answer`` is the JSON view of ``result`` (:func:`tzcld.check_cli.answer_json`: its
    ``perimeter_version`` names the version used and its date); ``checked_at`` the moment
    of the check (default now); ``as_of`` the date whose published perimeters were used
    (``None``: those in force at the check); ``sources`` a credit line for the footer.
    Raises ``ValueError`` for an answer that cannot be attested (:func:`can_attest`)."""
    if not can_attest(result):
        raise ValueError(f"no attestation for a {result.status!r} answer")
    e = html.escape
    when = checked_at or dt.datetime.now(dt.UTC)
    headline = result.headline or result.message
    details = result.details if result.headline else []
    verdict = (
        f'<section class="verdict {e(result.status)}" aria-labelledby="verdict">'
        f'<p class="status" id="verdict">{e(t("attestation.verdict", lang))}{e(punctuation(":", lang))}'
        f"{e(t(f'check.status.{result.status}', lang))}</p>"
        f"<p><strong>{e(headline)}</strong></p>" + "".join(f"<p>{e(d)}</p>" for d in details) + "</section>"
    )
    rows = "".join(
        f'<tr><th scope="row">{e(label)}</th><td>{e(value)}</td></tr>'
        for label, value in attestation_rows(result, answer, lang, when, as_of)
    )
    table = f"<table><caption hidden>{e(t('attestation.fields', lang))}</caption><tbody>{rows}</tbody></table>"
    candidates = ""
    if result.candidates:
        shown = result.candidates[:MAX_CANDIDATES]
        more = len(result.candidates) - len(shown)
        items = "".join(f"<li>{e(candidate_text(c, lang))}</li>" for c in shown)
        if more > 0:
            items += f"<li>{e(t('attestation.more_candidates', lang))}</li>"
        candidates = f"<h2>{e(t('check.page.candidates', lang))}</h2><ul>{items}</ul>"
    criteria = "".join(f"<li>{e(t(f'check.criteria.{key}', lang))}</li>" for key in OTHER_CRITERIA)
    not_proven = (
        f"<h2>{e(t('attestation.not_proven_heading', lang))}</h2>"
        f"<p>{e(t('attestation.not_proven', lang))}</p><ul>{criteria}</ul>"
        f"<p>{e(t('attestation.not_proven_after', lang))}</p>"
    )
    fill = (
        '<div class="fill" aria-hidden="true">'
        f"<span>{e(t('attestation.checked_by', lang))}</span><span>{e(t('attestation.signature', lang))}</span></div>"
    )
    footer = (
        f"<footer><p>{e(t('attestation.privacy', lang))}</p>"
        + (f"<p>{e(sources)}</p>" if sources else "")
        + "</footer>"
    )
    button = f'<button class="print" type="button" onclick="window.print()">{e(t("attestation.print", lang))}</button>'
    title = t("attestation.title", lang)
    return (
        f'<!DOCTYPE html><html lang="{e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>"
        f'{button}<h1>{e(title)}</h1><p class="sub">{e(t("attestation.subtitle", lang))}</p>'
        f"{verdict}{table}{candidates}{not_proven}{fill}</main>{footer}</body></html>"
    )
