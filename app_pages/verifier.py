"""Vérifier une adresse: is an address, a clicked point, coordinates or a file in a territory?

Thin page: the logic is in ``tzcld.check`` (verdicts, re-checking earlier results),
``tzcld.check_view`` (an answer's details), ``tzcld.attestation`` (the printable
attestation of one answer), ``tzcld.file_results`` (a file checked by chunks within the page's
row limit, and the results CSV the session keeps), ``tzcld.ui.check`` (cached index and
classifier of the published perimeters) and ``tzcld.ui.as_of`` (the perimeters published on
a date). Nothing typed or uploaded is stored.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tzcld import batch_io
from tzcld.attestation import attestation_filename, attestation_html, can_attest
from tzcld.check import CheckResult, candidate_text
from tzcld.check_tables import display_table, looks_like_results, results_inputs, territory_list
from tzcld.check_view import EARLIEST_AS_OF, answer_view, result_rows, today_in_wallonia
from tzcld.columns import detect_columns
from tzcld.config import SettingError
from tzcld.coords import CoordinateError, parse_point
from tzcld.eligibility import criteria_checklist
from tzcld.export.people_csv import people_csv_bytes
from tzcld.file_results import check_upload, results_frame, scan_upload
from tzcld.formatting import format_date, format_number
from tzcld.geocode.base import GeocoderUnavailable
from tzcld.i18n import punctuation
from tzcld.maps import result_map
from tzcld.ui import as_of as ui_as_of
from tzcld.ui import check as ui_check
from tzcld.ui import current_lang, tr
from tzcld.ui.runtime import file_refusal, page_file_limits

lang = current_lang()
st.title(tr("check.title"))
st.write(tr("check.intro"))

try:
    perimeters = ui_check.perimeters()
except (OSError, ValueError, KeyError) as exc:
    st.error(tr("map.no_geodata", error=exc))
    st.stop()
# Drawn only when open: the options and the criteria (sections), the coordinates and the file
# (tabs); the page's first view draws an address field, a button and the map, not a dozen
# widgets hidden in closed sections (each kind costs the browser a first render). Streamlit
# forgets a widget not drawn in a run: the values are kept across runs (ui_check.keep_values).
ui_check.keep_values(ui_check.LAZY_WIDGETS)
notices = st.container()  # filled once the date and the geocoder (in the options) are known
# "was this address in the territory on the hiring date?": the perimeters published that day
as_of = st.session_state.get("check_as_of")
geocoder_choice = st.session_state.get("check_geocoder") or "offline"
options = st.expander(tr("check.page.options"), key="check_options", on_change="rerun")
with options:
    if options.open:
        as_of = st.date_input(
            tr("check.page.as_of_label"),
            value=None,
            min_value=EARLIEST_AS_OF,
            max_value=today_in_wallonia(),
            format="DD/MM/YYYY",
            key="check_as_of",
            help=tr("check.page.as_of_help"),
        )
        geocoder_labels = {"offline": tr("check.page.online_offline"), "nominatim": "Nominatim", "photon": "Photon"}
        geocoder_choice = st.radio(
            tr("check.page.online"),
            list(geocoder_labels),
            key="check_geocoder",
            format_func=geocoder_labels.__getitem__,
        )
if as_of is not None and perimeters.unavailable is None:
    perimeters = ui_as_of.perimeters_on(as_of, perimeters)
# the date the answers really used: none when the database could not say what was published then
answered_as_of = as_of if perimeters.unavailable is None else None
classifier = perimeters.classifier
with notices:
    if perimeters.unavailable:  # the kind of error goes to the server log, not to visitors
        st.warning(tr("check.page.database_unavailable", version=classifier.data_version))
        if as_of is not None:
            st.warning(tr("check.page.as_of_unavailable", date=format_date(as_of, lang)))
    elif answered_as_of is not None:
        st.info(tr("check.page.as_of_used", date=format_date(answered_as_of, lang), version=classifier.data_version))
    if geocoder_choice != "offline":  # said while it is in use, options open or not
        st.warning(tr("check.page.online_warning"))
geocoder = (
    ui_check.register_geocoder(tr("check.page.index_building"))
    if geocoder_choice == "offline"
    else ui_check.online_geocoder(geocoder_choice, lang)
)
checker = ui_check.checker(lang, geocoder, classifier)


def _set_source(source: str) -> None:
    st.session_state["check_source"] = source


tab_address, tab_coords, tab_file = st.tabs(
    [tr("check.page.tab_address"), tr("check.page.tab_coords"), tr("check.page.tab_file")],
    key="check_tab",
    on_change="rerun",
)

for tab, kind in ((tab_address, "address"), (tab_coords, "coords")):  # check_address, check_coords
    with tab:
        if tab.open:
            st.text_input(
                tr(f"check.page.{kind}_label"),
                key=f"check_{kind}",
                placeholder=tr(f"check.page.{kind}_placeholder"),
                on_change=_set_source,
                args=(kind,),
            )
            st.button(tr("check.page.check_button"), key=f"check_{kind}_button", on_click=_set_source, args=(kind,))

# the answer for the active input (recomputed each run: a few milliseconds, never stored)
result: CheckResult | None = None
checked_at = dt.datetime.now(dt.UTC)  # the moment of this run's answer (for the attestation)
source = st.session_state.get("check_source")
try:
    if source == "address" and (st.session_state.get("check_address") or "").strip():
        # coordinates or a map link pasted here are read as such (as `check TEXT` and the API do)
        result = checker.check_text(st.session_state["check_address"])
    elif source == "coords" and (st.session_state.get("check_coords") or "").strip():
        try:
            result = checker.check_point(parse_point(st.session_state["check_coords"]))
        except CoordinateError as exc:
            result = CheckResult("error", message=tr(exc.key, **exc.params))
    elif source == "map" and st.session_state.get("check_map_point"):
        lat, lon = st.session_state["check_map_point"]
        result = checker.check_latlon(lat, lon)
except GeocoderUnavailable as exc:
    result = CheckResult("error", message=exc.message(lang))


def _show(res: CheckResult) -> None:
    st.subheader(tr("check.page.result"))
    # the verdict once (its sentence says the status), then the explanations
    headline = res.headline or res.message
    details = " ".join(res.details) if res.headline else ""
    box = {"inside": st.success, "outside": st.info, "undetermined": st.warning}.get(res.status, st.error)
    if res.territory_status == "ended":
        box = st.warning  # an ended territory hires no more: never a green light
    box(f"**{headline}**" + (f"\n\n{details}" if details else ""))
    answer = answer_view(res, answered_as_of, perimeters.store)
    shown = result_rows(res, answer, lang, answered_as_of)
    if shown:
        st.markdown("\n".join(f"- **{k}**{punctuation(':', lang)}{v}" for k, v in shown))
    if res.candidates:
        st.markdown(f"**{tr('check.page.candidates')}**")
        st.markdown("\n".join(f"- {candidate_text(c, lang)}" for c in res.candidates))
    if can_attest(res):
        # a few kilobytes built in memory at each run (under a millisecond) and held by Streamlit
        # for this session's download only: never written to disk, cached by address or logged
        from tzcld.geodata.layers import attribution

        credit = tr("attestation.sources", attribution=attribution(lang))
        st.download_button(
            tr("attestation.download"),
            attestation_html(res, answer, lang, checked_at, answered_as_of, credit).encode("utf-8"),
            file_name=attestation_filename(checked_at),
            mime="text/html",
            key="check_attestation",
            help=tr("attestation.download_help"),
            on_click="ignore",  # downloading changes nothing on the page: no rerun
        )


if result is not None:
    _show(result)

# the map is always visible (a Leaflet map drawn in a hidden tab would not size itself)
st.subheader(tr("check.page.tab_map"))
st.caption(tr("check.page.map_help"))
if answered_as_of is not None:
    st.caption(tr("check.page.as_of_map", date=format_date(answered_as_of, lang)))
# no remote tiles by default: tiles centred on a checked address would tell a third party
# where the candidate lives; the user may ask for them, warned
tiles = st.toggle(tr("check.page.tiles"), key="check_tiles", value=False)
if tiles:
    st.caption(tr("check.page.tiles_warning"))
try:
    from tzcld.ui import geo

    prepared = geo.prepared_layers(lang)
    fmap = result_map(prepared, result, lang, "osm" if tiles else "none")
    clicked = ui_check.map_click(fmap, key="check_map")
except (OSError, ValueError, KeyError) as exc:  # geodata not built
    st.error(tr("map.no_geodata", error=exc))
    clicked = None
if clicked is not None:
    st.session_state["check_map_point"] = clicked
    st.session_state["check_source"] = "map"
    st.rerun()

criteria = st.expander(tr("check.criteria.title"), key="check_criteria", on_change="rerun")
with criteria:
    if criteria.open:
        st.caption(tr("check.criteria.help"))
        c1, c2 = st.columns(2)
        today = dt.date.today()
        seeker, domicile = (
            col.date_input(
                tr(label), value=None, max_value=today, key=key, min_value=dt.date(1970, 1, 1), format="DD/MM/YYYY"
            )
            for col, label, key in (
                (c1, "check.criteria.job_seeker_since", "check_seeker"),
                (c2, "check.criteria.domiciled_since", "check_domicile"),
            )
        )
        lines = []
        for crit in criteria_checklist(seeker, domicile, today):
            icon = {"met": "✅", "not_met": "⏳", "unknown": "❔"}[crit.status.value]
            state = tr(
                f"check.criteria.{crit.status.value}", date=format_date(crit.met_on, lang) if crit.met_on else ""
            )
            lines.append(f"- {icon} **{tr(f'check.criteria.{crit.key}')}**{punctuation(':', lang)}{state}")
        st.markdown("\n".join(lines))
        st.caption(tr("check.criteria.on", date=format_date(today, lang)))

with tab_file:
    # drawn while a file is there even in another tab: the upload and its results stay
    if tab_file.open or st.session_state.get("check_file") is not None:
        try:
            limits = page_file_limits()  # the general limits, with at most TZCLD_PAGE_MAX_ROWS rows
        except SettingError as exc:  # a bad TZCLD_MAX_* or TZCLD_PAGE_MAX_ROWS: said here, the rest works
            st.error(exc.message(lang))
            limits = None
        upload = (
            st.file_uploader(
                tr("check.page.file_label"),
                type=["csv", "txt", "xlsx"],
                key="check_file",
                help=tr("check.page.file_help", limit=format_number(limits.max_rows, 0, lang)),
            )
            if limits is not None
            else None
        )
        if upload is not None and limits is not None:
            # On upload, the header and a sample of rows (to recognise the columns by their
            # content; the header alone if the sample cannot be read); the rows are read by chunks
            # (within the page's limits) when the check is asked for, and not kept afterwards. An
            # earlier run's results are read at once by chunks (the re-check plan needs every row),
            # once per upload and published version; only the plan is kept.
            scan = header = sample = None
            try:
                sample = batch_io.read_sample(upload.getvalue(), upload.name, limits=limits)
                header = [str(c) for c in sample.columns]
                if looks_like_results(header):
                    scan_key = (upload.file_id, classifier.data_version)
                    known = st.session_state.get("check_file_scan")
                    if known is None or known[0] != scan_key:
                        known = (scan_key, scan_upload(upload.getvalue(), upload.name, limits, perimeters.store))
                        st.session_state["check_file_scan"] = known
                    scan = known[1]
            except batch_io.BatchInputError as exc:
                st.error(file_refusal(exc, lang))
                header = None
            if header is not None:
                # results of this very upload, when already run in this session
                done = (
                    st.session_state.get("check_file_result")
                    if st.session_state.get("check_file_for") == upload.file_id
                    else None
                )
                # an earlier run's results: its input columns are offered, its result columns replaced
                previous = scan is not None
                inputs = results_inputs(sample) if previous else sample
                columns = list(inputs.columns)
                # address parts by header names and content; never a name column; when unsure,
                # nothing is preselected and the user chooses (as the CLI asks for --column)
                guess = detect_columns(inputs)
                mode_labels = {"address": tr("check.page.mode_address"), "coords": tr("check.page.mode_coords")}
                mode = st.radio(
                    tr("check.page.mode"),
                    list(mode_labels),
                    horizontal=True,
                    key="check_file_mode",
                    index=1 if guess.mode == "coords" else 0,
                    format_func=mode_labels.__getitem__,
                )
                if guess.ignored:
                    st.caption(tr("check.page.ignored_columns", columns=", ".join(guess.ignored)))
                if mode == "address":
                    proposal = list(guess.address) if guess.mode == "address" else []
                    if guess.sure and proposal:
                        st.caption(tr("check.page.columns_found", columns=" + ".join(proposal)))
                    else:
                        st.warning(
                            tr("check.page.choose_columns", proposal=" + ".join(proposal))
                            if proposal
                            else tr("check.page.choose_columns_none")
                        )
                    chosen = st.multiselect(
                        tr("check.page.address_columns"),
                        columns,
                        key="check_file_cols",
                        default=proposal if guess.sure else [],
                    )
                    roles = guess.roles if chosen == proposal and len(proposal) > 1 else None
                    spec = {"address_columns": chosen, "address_roles": roles}
                else:
                    if not (guess.mode == "coords" and guess.sure):
                        st.warning(tr("check.page.choose_coords"))
                    c1, c2 = st.columns(2)
                    la = c1.selectbox(
                        tr("check.page.lat_column"),
                        columns,
                        key="check_file_lat",
                        index=columns.index(guess.lat) if guess.lat in columns else None,
                    )
                    lo = c2.selectbox(
                        tr("check.page.lon_column"),
                        columns,
                        key="check_file_lon",
                        index=columns.index(guess.lon) if guess.lon in columns else None,
                    )
                    spec = {"lat_column": la, "lon_column": lo}
                ready = bool(spec.get("address_columns")) or bool(
                    mode == "coords" and spec.get("lat_column") and spec.get("lon_column")
                )
                recheck = False
                if scan is not None:
                    # once re-checked here, what is left to re-check is judged on the new results
                    plan = scan.plan if done is None else done.plan
                    st.info(tr("check.page.previous_results", since=", ".join(v or "—" for v in plan.since)))
                    if plan.changed:
                        st.caption(tr("check.page.recheck_changed", territories=territory_list(plan.changed, lang)))
                    if plan.count:
                        # as the CLI refuses --as-of with --recheck: a re-check uses today's perimeters
                        recheck = st.button(
                            tr("check.page.recheck", count=plan.count, total=scan.rows),
                            key="check_file_recheck",
                            disabled=not ready or as_of is not None,
                            type="primary",
                        )
                        if as_of is not None:
                            st.caption(tr("check.page.recheck_not_as_of"))
                    elif plan.unchanged:
                        st.success(tr("check.page.recheck_none"))
                    else:
                        st.success(
                            tr("check.page.recheck_none_elsewhere", territories=territory_list(plan.changed, lang))
                        )
                run = st.button(
                    tr("check.page.run"),
                    key="check_file_run",
                    disabled=not ready,
                    type="secondary" if previous else "primary",
                )
                if run or recheck:
                    try:  # the rows counted first, within the page's limits: a long file is refused before any check
                        total = (
                            scan.rows if scan is not None else scan_upload(upload.getvalue(), upload.name, limits).rows
                        )
                    except batch_io.BatchInputError as exc:
                        st.error(file_refusal(exc, lang))
                        st.stop()
                    bar = st.progress(0.0, text=tr("check.page.progress", done=0, total=total))

                    def progress(rows: int) -> None:
                        bar.progress(
                            min(rows / max(total, 1), 1.0), text=tr("check.page.progress", done=rows, total=total)
                        )

                    try:
                        # every row (run), or the rows a perimeter change concerns (recheck), in place
                        st.session_state["check_file_result"] = check_upload(
                            checker,
                            upload.getvalue(),
                            upload.name,
                            limits,
                            spec,
                            previous=previous,
                            recheck=bool(recheck),
                            store=perimeters.store,
                            progress=progress,
                        )
                        st.session_state["check_file_for"] = upload.file_id
                        st.rerun()  # the plan and the buttons above follow the new results
                    except GeocoderUnavailable as exc:
                        st.error(exc.message(lang))
                    except batch_io.BatchInputError as exc:
                        st.error(file_refusal(exc, lang))
                out = done
                if out is not None and (scan is None or out.rows == scan.rows):
                    st.success(tr("check.page.summary", **out.counts))
                    if out.recheck is not None:
                        st.info(
                            tr(
                                "check.page.recheck_summary",
                                rechecked=out.recheck.rechecked,
                                total=out.recheck.total,
                                changed=out.recheck.changed,
                                version=out.recheck.version,
                            )
                        )
                    st.caption(tr("check.page.preview"))
                    # human labels on screen; the downloads keep the machine codes (CLI contract)
                    st.dataframe(display_table(out.preview, lang), hide_index=True)
                    from tzcld.geodata.layers import attribution

                    credit = attribution(lang)
                    d1, d2, d3 = st.columns(3)
                    # the session keeps the results CSV only; the other files are made from it when asked for
                    d1.download_button(
                        tr("check.page.download_csv"),
                        lambda: out.csv,
                        file_name="verification.csv",
                        mime="text/csv",
                        key="check_dl_csv",
                    )
                    d2.download_button(
                        tr("check.page.download_xlsx"),
                        lambda: batch_io.write_xlsx(results_frame(out.csv), credit=credit),
                        file_name="verification.xlsx",
                        key="check_dl_xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                    # Belgian spreadsheets (";", decimal comma, BOM): the site-wide helper (issue 11)
                    d3.download_button(
                        tr("common.download_csv_people"),
                        lambda: people_csv_bytes(results_frame(out.csv)),
                        file_name="verification-tableur.csv",
                        mime="text/csv",
                        key="check_dl_csv_people",
                    )
        else:
            st.session_state.pop("check_file_result", None)
            st.session_state.pop("check_file_scan", None)

from tzcld.geodata.layers import attribution  # noqa: E402

st.caption(tr("check.privacy"))
st.caption(tr("check.page.sources", attribution=attribution(lang), version=classifier.data_version))
