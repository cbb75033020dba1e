"""Périmètre: project leads propose corrections of their territory's perimeter; admins approve.

Thin page: proposals, diff, versions and permissions live in ``tzcld.perimeters`` (the store
checks permissions again on every write); cached loaders and the sector selection in
``tzcld.ui.perimeter``; sign-in is the Saisie page's (``tzcld.ui.signin``).
"""

from __future__ import annotations

import streamlit as st

from tzcld.errors import TzcldError
from tzcld.geodata.layers import attribution
from tzcld.maps import precision_label
from tzcld.perimeters import (
    PerimeterError,
    compute_diff,
    display,
    mapping,
    match_streets,
    proposable_territories,
    proposal_from_file,
    proposal_from_sectors,
    proposal_from_streets,
)
from tzcld.perimeters.diff import diff_layers
from tzcld.perimeters.files import ACCEPTED_SUFFIXES
from tzcld.territories import load_registry
from tzcld.ui import current_lang, tr
from tzcld.ui import perimeter as ui
from tzcld.ui.errors import problem_message
from tzcld.ui.geo import basemap_from_query, show_map
from tzcld.ui.ledger import require_database
from tzcld.ui.navigation import partner_notice
from tzcld.ui.runtime import file_limits
from tzcld.ui.signin import require_account

lang = current_lang()
registry = load_registry()
names = {t.id: t.name for t in registry}
credit = tr("perimeter.credit")
basemap = basemap_from_query()
st.title(tr("perimeter.title"))
partner_notice()
st.write(tr("perimeter.intro"))


def problem(exc: Exception) -> None:
    message = problem_message(exc, lang) if isinstance(exc, TzcldError) else str(exc)
    st.error(message)


# ---------------------------------------------------------------- sign-in
account = require_account("perimeter_", why=tr("perimeter.sign_in_needed"))

require_database()  # the database down: a French message, the page stops
store = ui.perimeter_store()
territories = proposable_territories(account)
tid = st.selectbox(tr("perimeter.territory"), territories, format_func=names.__getitem__, key="perimeter_territory")
territory = registry[tid]

# ---------------------------------------------------------------- the perimeter in force
published, version = ui.published()
current = published[published["territory_id"] == tid].reset_index(drop=True)
st.subheader(tr("perimeter.current_heading"))
pub = store.published(tid)
if pub is None:
    st.markdown(tr("perimeter.current_version_base", version=version.split("+p")[0]))
else:
    st.markdown(
        tr(
            "perimeter.current_version",
            label=pub.label,
            date=(pub.decided_at or pub.created_at).strftime("%Y-%m-%d"),
            source=pub.source,
        )
    )
precision = str(current["precision"].iloc[0]) if len(current) else territory.precision
st.caption(tr("perimeter.precision_line", precision=precision_label(precision, lang)))

history = store.history(tid)
labels = list(history["label"])
published_label = pub.label if pub else "base"
shown_label = st.selectbox(
    tr("perimeter.history_view"), labels, index=labels.index(published_label), key=f"perimeter_view_{tid}"
)
shown_rows = current if shown_label == published_label else store.rows_of(tid, shown_label)
sectors_data, communes_data = ui.sectors_layers(tid)
st.caption(tr("perimeter.version_shown", label=shown_label))
show_map(
    mapping.perimeter_map(mapping.rows_layer(shown_rows), communes_data, lang, basemap, attribution(lang)),
    key=f"perimeter_current_map_{tid}_{shown_label}",
    height=420,
)
with st.expander(tr("perimeter.units_table")):
    rationale = {u.unit: u.rationale for u in territory.perimeter}
    table = shown_rows[["unit", "unit_kind", "unit_code", "method", "area_m2"]].copy()
    table["rationale"] = [rationale.get(u, "") for u in table["unit"]]
    st.dataframe(table, hide_index=True, key=f"perimeter_units_{tid}")

# ---------------------------------------------------------------- propose
st.subheader(tr("perimeter.propose_heading"))
methods = ["sectors", "file", "streets"]
method = st.radio(
    tr("perimeter.method"), methods, format_func=lambda m: tr(f"perimeter.methods.{m}"), key="perimeter_method"
)
cat, from_raw = ui.catalogue(tid)
if not from_raw:
    st.info(tr("perimeter.raw_missing_note"))
proposal = None

if method == "sectors":
    st.caption(tr("perimeter.sectors.help"))
    current_codes = [c for c in current.loc[current["unit_kind"] == "sector", "unit_code"] if c in set(cat.codes())]
    selected = ui.selection(tid, current_codes)
    map_slot, status_slot = st.container(), st.container()
    k = "perimeter.sectors."
    edited = st.data_editor(
        display.sector_table(cat.sectors, selected, lang),
        key=f"perimeter_sector_editor_{tid}_{ui.editor_nonce()}",
        hide_index=True,
        disabled=["code", "name", "section", "commune", "unit", "method"],
        column_config={
            "selected": st.column_config.CheckboxColumn(tr(k + "col_selected")),
            "code": tr(k + "col_code"),
            "name": tr(k + "col_name"),
            "section": tr(k + "col_section"),
            "commune": tr(k + "col_commune"),
            "unit": tr(k + "col_unit"),
            "method": tr(k + "col_method"),
        },
        height=300,
    )
    ticked = set(edited.loc[edited["selected"], "code"])
    if ticked != selected:  # the list was edited: the map below is drawn with the new selection
        ui.set_selection(tid, ticked, reset_editor=False)
        selected = ticked
    with map_slot:
        clicked = None
        if len(sectors_data):
            clicked = ui.map_click(
                mapping.sector_map(sectors_data, selected, communes_data, lang, basemap, attribution(lang)),
                key=f"perimeter_sector_map_{tid}",
            )
        else:
            st.info(tr(k + "none_drawable"))
    if clicked is not None:
        code = cat.sector_at(*ui.to_lambert(*clicked))
        if code is None:
            st.session_state["perimeter_flash"] = tr(k + "click_outside")
        else:
            name = str(cat.sectors.loc[cat.sectors["code"] == code, "name"].iloc[0])
            if code in selected:
                selected.discard(code)
                st.session_state["perimeter_flash"] = tr(k + "toggled_off", code=code, name=name)
            else:
                selected.add(code)
                st.session_state["perimeter_flash"] = tr(k + "toggled_on", code=code, name=name)
            ui.set_selection(tid, selected)
        st.rerun()
    with status_slot:
        if st.session_state.get("perimeter_flash"):
            st.info(st.session_state.pop("perimeter_flash"))
        st.markdown(tr(k + "selected_count", count=len(selected)))
    with st.expander(tr(k + "codes_box")):
        pasted = st.text_area(tr(k + "codes_box"), key=f"perimeter_codes_{tid}", label_visibility="collapsed")
        c1, c2 = st.columns(2)
        if c1.button(tr(k + "apply_codes"), key=f"perimeter_apply_codes_{tid}"):
            from tzcld.perimeters.proposals import expand_codes

            codes, unknown = expand_codes(cat, pasted.replace(",", "\n").splitlines())
            if unknown:
                st.error(tr("perimeter.error.unknown_codes", codes=", ".join(unknown[:10])))
            else:
                ui.set_selection(tid, set(codes))
                st.rerun()
        if c2.button(tr(k + "reset"), key=f"perimeter_reset_{tid}"):
            ui.set_selection(tid, set(current_codes))
            st.rerun()
    try:
        proposal = proposal_from_sectors(cat, sorted(selected)) if selected else None
    except PerimeterError as exc:
        problem(exc)

elif method == "file":
    st.caption(tr("perimeter.file.help"))
    upload = st.file_uploader(
        tr("perimeter.file.upload"), type=[s.lstrip(".") for s in ACCEPTED_SUFFIXES], key=f"perimeter_file_{tid}"
    )
    if upload is not None:
        try:
            proposal = proposal_from_file(tid, upload.getvalue(), upload.name, limits=file_limits())
        except PerimeterError as exc:
            problem(exc)
        else:
            report = proposal.inputs["file"]
            st.success(
                tr("perimeter.file.read", format=report["format"], polygons=report["polygons"], crs=report["crs"])
            )
            if report["repaired"]:
                st.dataframe(report["repaired"], hide_index=True, key=f"perimeter_repaired_{tid}")

else:
    st.caption(tr("perimeter.streets.help"))
    street_table = ui.streets(tid)
    if street_table is None:
        st.warning(tr("perimeter.streets.unavailable"))
    else:
        options = list(street_table["street_id"])
        labels_of = {
            r.street_id: tr(
                "perimeter.streets.option",
                street=r.street,
                postcode=r.postcode,
                municipality=r.municipality,
                count=r.addresses,
            )
            for r in street_table.itertuples(index=False)
        }
        chosen = st.multiselect(
            tr("perimeter.streets.pick"), options, format_func=labels_of.__getitem__, key=f"perimeter_streets_{tid}"
        )
        pasted = st.text_area(tr("perimeter.streets.paste"), key=f"perimeter_streets_text_{tid}")
        ids = list(chosen)
        if pasted.strip():
            found, missing = match_streets(pasted.splitlines(), street_table)
            ids += [i for i in found if i not in ids]
            if missing:
                st.warning(tr("perimeter.streets.not_found", names=", ".join(missing[:20])))
        if ids:
            try:
                proposal = proposal_from_streets(tid, ids, ui.addresses(tid), cat.communes, ui.street_cells_cache(tid))
            except PerimeterError as exc:
                problem(exc)

# ---------------------------------------------------------------- diff and save
st.subheader(tr("perimeter.diff_heading"))
if proposal is None:
    st.info(tr("perimeter.no_proposal"))
else:
    for key, params in proposal.warnings:
        st.warning(tr(f"perimeter.{key}", **params))
    diff = compute_diff(tid, current, proposal.rows, ui.addresses_xy(tid), published, cat.communes_union())
    if diff.unchanged:
        st.info(tr("perimeter.diff.unchanged"))
    for flag in display.diff_flags(diff, names, lang):
        st.warning(flag)
    c1, c2 = st.columns([2, 3])
    c1.dataframe(display.diff_measures(diff, lang), hide_index=True, key=f"perimeter_diff_measures_{tid}")
    c1.caption(tr("perimeter.diff.addresses_source"))
    c2.dataframe(display.diff_units(diff, lang), hide_index=True, key=f"perimeter_diff_units_{tid}")
    show_map(
        mapping.diff_map(
            mapping.rows_layer(current),
            mapping.rows_layer(proposal.rows),
            diff_layers(diff),
            lang,
            basemap,
            attribution(lang),
        ),
        key=f"perimeter_diff_map_{tid}",
        height=420,
    )
    st.subheader(tr("perimeter.save_heading"))
    with st.form(f"perimeter_save_{tid}"):
        reason = st.text_input(tr("perimeter.reason"), key=f"perimeter_reason_{tid}")
        source = st.text_input(tr("perimeter.source"), key=f"perimeter_source_{tid}")
        save = st.form_submit_button(tr("perimeter.save"), type="primary")
    if save:
        try:
            vid = store.propose(account, proposal, reason, source, diff.summary())
        except PerimeterError as exc:
            st.error(tr("perimeter.not_saved") + "\n\n- " + exc.message(lang))
        else:
            st.success(tr("perimeter.saved", label=f"v{vid}"))

# ---------------------------------------------------------------- history and approvals
st.subheader(tr("perimeter.history_heading"))
st.dataframe(display.history_display(store.history(tid), lang), hide_index=True, key=f"perimeter_history_{tid}")

if account.is_admin:
    st.subheader(tr("perimeter.queue_heading"))
    queue = store.pending()
    if not queue:
        st.caption(tr("perimeter.queue_empty"))
    for v in queue:
        with st.expander(
            f"{v.label} — {names.get(v.territory_id, v.territory_id)} — {v.created_by} — {v.created_at:%Y-%m-%d %H:%M} UTC"
        ):
            st.write(
                f"**{tr('perimeter.history.reason')}** : {v.reason}  \n**{tr('perimeter.history.source')}** : {v.source}"
            )
            now_label = store.published_label(v.territory_id)
            if v.based_on != now_label:
                st.warning(tr("perimeter.stale", based_on=v.based_on, published=now_label))
            summary = v.report.get("diff") or {}
            if summary:
                st.json(summary, expanded=False)
            note = st.text_input(tr("perimeter.decision_note"), key=f"perimeter_note_{v.id}")
            a, b = st.columns(2)
            if a.button(tr("perimeter.approve"), key=f"perimeter_approve_{v.id}", type="primary"):
                try:
                    store.approve(account, v.id, note)
                except PerimeterError as exc:
                    problem(exc)
                else:
                    st.session_state["perimeter_done"] = tr("perimeter.approved", label=v.label)
                    st.rerun()
            if b.button(tr("perimeter.reject"), key=f"perimeter_reject_{v.id}"):
                try:
                    store.reject(account, v.id, note)
                except PerimeterError as exc:
                    problem(exc)
                else:
                    st.session_state["perimeter_done"] = tr("perimeter.rejected", label=v.label)
                    st.rerun()
    if st.session_state.get("perimeter_done"):
        st.success(st.session_state.pop("perimeter_done"))
st.caption(credit)
