"""Saisie: authenticated entry of progress figures (one observation, a file), history, accounts.

Thin page: the rules (validation, permissions, atomic commits) live in ``tzcld.ledger``
and are enforced by the store whatever the form allows; sign-in in ``tzcld.ui.signin``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tzcld.auth import AccountError, add_account, load_accounts, remove_account
from tzcld.ledger import METRICS, PermissionDenied, ValidationError, allowed_metrics, allowed_scopes, summary
from tzcld.ledger.figures import figure_of
from tzcld.ledger.imports import commit_import, parse_number, preview_import, template_csv
from tzcld.ledger.validation import ObservationInput
from tzcld.territories import STATUSES, TERRITORY_IDS, load_registry
from tzcld.ui import current_lang, tr
from tzcld.ui.errors import problem_message
from tzcld.ui.ledger import ledger_changed, require_database
from tzcld.ui.navigation import partner_notice
from tzcld.ui.runtime import accounts_location, file_limits
from tzcld.ui.signin import require_account

lang = current_lang()
registry = load_registry()
st.title(tr("entry.title"))
partner_notice()
st.write(tr("entry.intro"))


def scope_name(scope: str) -> str:
    return tr("progress.scope.programme") if scope == "programme" else registry[scope].name


def show_problems(exc: Exception) -> None:
    messages = exc.messages if isinstance(exc, ValidationError) else [problem_message(exc)]
    st.error(tr("entry.not_saved") + "\n\n" + "\n".join(f"- {m}" for m in messages))


account = require_account()

store = require_database()  # the database down: a French message, the page stops
tabs = [tr("entry.tab_single"), tr("entry.tab_import"), tr("entry.tab_history")]
if account.is_admin:
    tabs.append(tr("entry.tab_accounts"))
panes = st.tabs(tabs)

# One observation.
with panes[0]:
    scopes = allowed_scopes(account)
    scope = st.selectbox(tr("entry.scope"), scopes, format_func=scope_name, key="entry_scope")
    metrics = allowed_metrics(account, scope)
    metric = st.selectbox(
        tr("entry.metric"), metrics, format_func=lambda m: tr(f"progress.metric.{m}"), key="entry_metric"
    )
    unit = METRICS[metric].unit
    current = store.latest(scope, metric)
    if current.empty:
        st.caption(tr("entry.current_unknown"))
    else:
        current_figure = figure_of(current.iloc[0])
        st.caption(
            tr(
                "entry.current_value",
                value=current_figure.display(lang),
                date=current_figure.date_display(lang),
                source=current_figure.source_title,
            )
        )
    with st.form("single_entry", clear_on_submit=False):
        if unit == "status":
            status = st.selectbox(
                tr("entry.status_value"), STATUSES, format_func=lambda s: tr(f"common.status.{s}"), key="entry_status"
            )
            raw_value = ""
        else:
            status = None
            raw_value = st.text_input(tr("entry.value", unit=tr(f"progress.unit.{unit}")), key="entry_value")
        period = st.text_input(tr("entry.period_date"), key="entry_period", placeholder="2025-03-31")
        source_title = st.text_input(tr("entry.source_title"), key="entry_source")
        source_url = st.text_input(tr("entry.source_url"), key="entry_url")
        reason = st.text_input(tr("entry.reason"), key="entry_reason")
        supersedes = st.text_input(tr("entry.supersedes_id"), key="entry_supersedes")
        save = st.form_submit_button(tr("entry.save"), type="primary")
    if save:
        try:
            value = None if unit == "status" else parse_number(raw_value)
            target = int(supersedes) if supersedes.strip() else None
        except ValueError:
            st.error(
                tr("entry.not_saved")
                + "\n\n- "
                + tr("entry.error.bad_value", value=raw_value if not supersedes.strip() else supersedes)
            )
        else:
            entry = ObservationInput(
                scope, metric, value, unit, period, source_title, source_url, reason, target, status
            )
            try:
                new_id = store.add(account, entry, lang)
            except (ValidationError, PermissionDenied) as exc:
                show_problems(exc)
            else:
                ledger_changed()
                st.success(tr("entry.saved", id=new_id))

# Import a file.
with panes[1]:
    st.write(tr("entry.import_help"))
    st.download_button(
        tr("entry.import_template"),
        template_csv(),
        "modele-import-registre.csv",
        "text/csv",
        key="import_template",
        on_click="ignore",
    )
    upload = st.file_uploader(tr("entry.import_file"), type=["csv", "xlsx"], key="import_file")
    if upload is not None:
        data = upload.getvalue()
        preview = preview_import(data, upload.name, store, account, lang, limits=file_limits())
        for message in preview.file_errors:
            st.error(message)
        if preview.rows:
            st.write(tr("entry.import_preview", rows=len(preview.rows), errors=preview.error_count))
            st.dataframe(preview.frame(lang), hide_index=True, key="import_preview")
        if preview.rows and not preview.ok:
            st.error(tr("entry.import_fix"))
        if preview.ok and st.button(
            tr("entry.import_commit", rows=len(preview.rows)), type="primary", key="import_commit"
        ):
            try:
                ids = commit_import(preview, store, account, lang)
            except (ValidationError, PermissionDenied) as exc:
                show_problems(exc)
            else:
                ledger_changed()
                st.success(tr("entry.import_done", rows=len(ids)))

# History.
with panes[2]:
    st.write(tr("entry.history_help"))
    choices = ["", "programme", *TERRITORY_IDS]
    default = 0 if account.is_admin else choices.index(account.territory or "")
    chosen = st.selectbox(
        tr("entry.history_filter"),
        choices,
        index=default,
        format_func=lambda s: tr("entry.history_all") if not s else scope_name(s),
        key="history_scope",
    )
    changes = store.changes(limit=None)
    if chosen:
        changes = changes[changes["scope"] == chosen]
    st.dataframe(summary.changes_display(changes, lang), hide_index=True, key="history_table")

# Accounts (administrators, local accounts only).
if len(panes) > 3:
    with panes[3]:
        st.write(tr("entry.accounts_help", path=accounts_location().describe()))
        with st.form("add_account", clear_on_submit=True):
            new_user = st.text_input(tr("entry.account_username"), key="acc_username")
            new_role = st.selectbox(tr("entry.account_role"), ["porteur", "admin"], key="acc_role")
            new_territory = st.selectbox(
                tr("entry.account_territory"), list(TERRITORY_IDS), format_func=scope_name, key="acc_territory"
            )
            new_name = st.text_input(tr("entry.account_name"), key="acc_name")
            new_email = st.text_input(tr("entry.account_email"), key="acc_email")
            new_password = st.text_input(tr("entry.account_password"), type="password", key="acc_password")
            add = st.form_submit_button(tr("entry.account_add"))
        if add:
            try:
                stored = add_account(
                    new_user,
                    new_password or None,
                    new_role,
                    new_territory,
                    new_name,
                    new_email,
                    path=accounts_location(),
                    actor=account,
                )
            except (AccountError, PermissionDenied) as exc:
                st.error(problem_message(exc))
            else:
                st.success(tr("entry.account_added", username=stored.username))
        accounts = load_accounts(accounts_location())
        others = [name for name in accounts if name != account.username]
        if others:
            with st.form("remove_account"):
                doomed = st.selectbox(tr("entry.account_remove_which"), others, key="acc_remove")
                remove = st.form_submit_button(tr("entry.account_remove"))
            if remove:
                try:
                    remove_account(doomed, path=accounts_location(), actor=account)
                except (AccountError, PermissionDenied) as exc:
                    st.error(problem_message(exc))
                else:
                    st.success(tr("entry.account_removed", username=doomed))
                    accounts = load_accounts(accounts_location())
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        tr("entry.account_username"): a.username,
                        tr("entry.account_role"): a.role,
                        tr("entry.account_territory"): scope_name(a.territory) if a.territory else "",
                        tr("entry.account_email"): a.email,
                    }
                    for a in accounts.values()
                ]
            ),
            hide_index=True,
            key="accounts_table",
        )
