"""Plotly figures of the Progrès page: pure functions, table in -> figure out.

No Streamlit, no database: each builder takes a table from :mod:`tzcld.ledger.summary`
and returns a :class:`plotly.graph_objects.Figure` with French (or English) labels,
numbers in the Belgian format (decimal comma, narrow no-break space for thousands),
a colour-blind-safe palette (Okabe & Ito; "viridis" for the map) and every unknown
figure shown as "non communiqué", never as a zero bar. Example data puts
"données d'exemple" in the title.

The map draws the territories' WGS84 polygons (degrees) on plain axes with an
aspect correction, without a basemap or any network request, so it works offline.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from tzcld.formatting import NBSP, format_eur, format_percent, format_perimeter_version
from tzcld.i18n import t

#: Okabe & Ito colour-blind-safe palette.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
UNKNOWN_GREY = "#999999"
TARGET_LIGHT = "#A6CEE3"  # light blue for targets, with the dark Okabe-Ito blue for reports
MAP_COLORSCALE = "viridis"  # its middle is teal, never the grey of "non communiqué"
#: A horizontal legend under the x axis (long measure names never overlap the title).
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0}
#: Plotly's number separators: decimal comma, narrow no-break space for thousands.
SEPARATORS = {"fr": "," + NBSP, "en": ".,"}


def _title(text: str, example: bool, lang: str) -> str:
    return f"{text} — {t('progress.example_suffix', lang)}" if example else text


def _layout(fig: go.Figure, title: str, lang: str, **kw: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        separators=SEPARATORS.get(lang, SEPARATORS["fr"]),
        font={"family": "Source Sans Pro, Arial, sans-serif", "size": 14},
        template="plotly_white",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        **kw,
    )
    return fig


def _source(title: str, url: str, lang: str) -> str:
    title = title or t("progress.unknown", lang)
    return f"{title}<br>{url}" if url else title


#: Colour and marker of each programme series (one trace per metric, never joined).
SERIES_STYLE: dict[str, tuple[str, str]] = {
    "jobs_created": (OKABE_ITO["blue"], "diamond"),
    "hired": (OKABE_ITO["bluish_green"], "circle"),
    "in_integration": (OKABE_ITO["orange"], "triangle-up"),
}


def programme_chart(
    points: pd.DataFrame,
    programme_target: float | None,
    territories_target: float | None,
    lang: str = "fr",
) -> go.Figure:
    """The programme's measures over time (``points`` from
    :func:`~tzcld.ledger.summary.programme_points`): one trace per metric (jobs created,
    people hired, people being integrated), each with its own colour and marker and its
    own line, never joined to another metric; the 750 target and the 725 sum of
    territory targets as horizontal lines; source and date (as precise as the source) on
    hover. Example data is dotted and named as such."""
    fig = go.Figure()
    example = bool(points["is_example"].any()) if not points.empty else False
    groups = points.groupby(["metric", "is_example"], sort=False) if not points.empty else []
    for (metric, is_example), part in groups:
        colour, symbol = SERIES_STYLE.get(str(metric), (OKABE_ITO["black"], "square"))
        name = str(part["label"].iloc[0])
        if is_example:
            name = f"{name} ({t('progress.example_suffix', lang)})"
            colour = OKABE_ITO["orange"]
        custom = [
            [d, dd, _source(s, u, lang)]
            for d, dd, s, u in zip(part["display"], part["date_display"], part["source_title"], part["source_url"])
        ]
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part["value"],
                mode="lines+markers+text",
                text=list(part["display"]),
                textposition="top left",
                name=name,
                line={"color": colour, "width": 3, "dash": "dot" if is_example else "solid"},
                marker={"size": 12, "symbol": symbol, "color": colour},
                customdata=custom,
                hovertemplate="<b>%{customdata[0]}</b> — %{customdata[1]}<br>"
                + t("common.source", lang)
                + " : %{customdata[2]}<extra>"
                + html.escape(name)
                + "</extra>",
            )
        )
    for value, label, colour, dash in (
        (programme_target, t("progress.target_750", lang), OKABE_ITO["vermillion"], "dash"),
        (territories_target, t("progress.target_725", lang), OKABE_ITO["reddish_purple"], "dot"),
    ):
        if value is not None and not math.isnan(value):
            fig.add_hline(
                y=value,
                line={"color": colour, "dash": dash, "width": 2},
                annotation_text=label,
                annotation_position="top left" if value >= 740 else "bottom left",
            )
    if points.empty:
        fig.add_annotation(text=t("progress.no_data", lang), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    top = max(
        [v for v in (programme_target, territories_target) if v is not None]
        + [float(points["value"].max()) if not points.empty else 0]
    )
    fig.update_yaxes(title=t("progress.hired_axis", lang), range=[0, top * 1.08 if top else 1], rangemode="tozero")
    fig.update_xaxes(
        title=t("progress.date_axis", lang),
        range=["2022-01-01", "2026-12-31"],
        tickformat="%m/%Y" if lang == "fr" else "%Y-%m",
        dtick="M6",
    )
    fig = _layout(fig, _title(t("progress.programme_heading", lang), example, lang), lang, height=470)
    return fig.update_layout(legend=LEGEND_BELOW, margin={"b": 110})


def budget_chart(table: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Horizontal bars in millions of euros (``table`` from
    :func:`~tzcld.ledger.summary.budget_table`); unknown amounts are a "non communiqué"
    label with no bar."""
    example = bool(table["is_example"].any()) if not table.empty else False
    known = table["value"].notna()
    millions = (table["value"] / 1e6).where(known)
    colours = [
        OKABE_ITO["blue"]
        if m.startswith("budget_allocated")
        else OKABE_ITO["bluish_green"]
        if m == "budget_reserved_recovery_plan"
        else OKABE_ITO["vermillion"]
        if m == "budget_withdrawn"
        else OKABE_ITO["orange"]
        for m in table["metric"]
    ]
    custom = [
        [d, p, _source(s, u, lang) if k else t("progress.unknown", lang), det]
        for d, p, s, u, k, det in zip(
            table["display"], table["date_display"], table["source_title"], table["source_url"], known, table["detail"]
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=millions.fillna(0),
            y=table["label"],
            orientation="h",
            marker={"color": colours},
            text=table["display"],
            textposition="outside",
            cliponaxis=False,
            customdata=custom,
            hovertemplate="<b>%{y}</b> : %{customdata[0]} %{customdata[1]}<br>%{customdata[3]}<br>"
            + t("common.source", lang)
            + " : %{customdata[2]}<extra></extra>",
        )
    )
    top = float(millions.max()) if known.any() else 1.0
    fig.update_xaxes(title=t("progress.amount_axis", lang), range=[0, top * 1.25])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, _title(t("progress.budget_heading", lang), example, lang), lang, height=380, showlegend=False)


def _territory_label(row: pd.Series, lang: str) -> str:
    name = str(row["name"]).split(" (")[0]
    return f"{name} ({t('progress.ended_marker', lang)})" if row["status"] == "ended" else name


#: Measures drawn per territory beside the target, one trace each (never summed).
TERRITORY_CHART_MEASURES: tuple[tuple[str, str], ...] = (
    ("jobs_created", OKABE_ITO["blue"]),
    ("hired", OKABE_ITO["bluish_green"]),
    ("headcount", OKABE_ITO["sky_blue"]),
)


def territory_chart(table: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Target (light bars) and the latest figure of each measure (jobs created, people
    hired, people at work: one trace each) per territory (``table`` from
    :func:`~tzcld.ledger.summary.territory_table`); "non communiqué" where a territory
    has none of them; conflicting sources are written on the bar; ended territories
    stay, marked "(arrêté)"."""
    example = bool(table["is_example"].any()) if not table.empty else False
    labels = [_territory_label(r, lang) for _, r in table.iterrows()]
    unknown = t("progress.unknown", lang)
    target_custom = [[r["target_cell"], r["status_label"], r["precision_label"]] for _, r in table.iterrows()]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name=t("progress.target", lang),
            y=labels,
            x=table["target"],
            orientation="h",
            marker={
                "color": TARGET_LIGHT,
                "pattern": {"shape": ["/" if s == "ended" else "" for s in table["status"]]},
            },
            customdata=target_custom,
            hovertemplate="<b>%{y}</b><br>"
            + t("progress.target", lang)
            + " : %{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        )
    )
    nothing = [all(pd.isna(r[m]) for m, _c in TERRITORY_CHART_MEASURES) for _, r in table.iterrows()]
    for metric, colour in TERRITORY_CHART_MEASURES:
        if metric not in table or not table[metric].notna().any():
            continue
        values = table[metric]
        text = []
        for i, (_, r) in enumerate(table.iterrows()):
            if not pd.isna(r[metric]):
                text.append(
                    r[f"{metric}_cell"].split(" (")[0]
                    + (f" — {t('progress.conflict', lang)}" if r[f"{metric}_conflict"] else "")
                )
            else:
                text.append(unknown if nothing[i] and metric == TERRITORY_CHART_MEASURES[0][0] else "")
        fig.add_trace(
            go.Bar(
                name=t(f"progress.metric.{metric}", lang),
                y=labels,
                x=values.fillna(0),
                orientation="h",
                marker={"color": [OKABE_ITO["orange"] if e else colour for e in table["is_example"]]},
                text=text,
                textposition="outside",
                cliponaxis=False,
                customdata=[[r[f"{metric}_cell"]] for _, r in table.iterrows()],
                hovertemplate="<b>%{y}</b><br>"
                + html.escape(t(f"progress.metric.{metric}", lang))
                + " : %{customdata[0]}<extra></extra>",
            )
        )
    measures = [table[m] for m, _c in TERRITORY_CHART_MEASURES if m in table]
    top = float(pd.concat([table["target"], *measures]).max()) if not table.empty else 1.0
    fig.update_xaxes(title=t("progress.jobs_axis", lang), range=[0, (top or 1) * 1.35])
    fig.update_yaxes(autorange="reversed")
    fig = _layout(
        fig,
        _title(t("progress.territories_heading", lang), example, lang),
        lang,
        barmode="group",
        height=max(360, 150 + 52 * len(table)),
    )
    # a tall chart: the legend just under the axis title (y is a share of the plot height)
    return fig.update_layout(legend={**LEGEND_BELOW, "y": -40 / max(200, fig.layout.height - 200)}, margin={"b": 130})


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def share_colour(share: float) -> str:
    """The map colour of a share of target reached (0..1, clipped), on :data:`MAP_COLORSCALE`."""
    return sample_colorscale(MAP_COLORSCALE, [min(max(share, 0.0), 1.0)])[0]


def share_map(geojson: dict, table: pd.DataFrame, lang: str = "fr", context: dict | None = None) -> go.Figure:
    """Territories coloured by share of target reached (``table`` from
    :func:`~tzcld.ledger.summary.territory_table`, ``geojson`` the WGS84
    ``territories.geojson``); grey outlines and open markers where unknown.
    ``context`` (optional WGS84 GeoJSON, e.g. the provinces) is drawn as thin grey lines."""
    example = bool(table["is_example"].any()) if not table.empty else False
    rows = {r["id"]: r for _, r in table.iterrows()}
    unknown = t("progress.unknown", lang)
    fig = go.Figure()
    if context:
        cx_: list[float | None] = []
        cy_: list[float | None] = []
        for feature in context.get("features", []):
            for ring in _rings(feature["geometry"]):
                cx_ += [p[0] for p in ring] + [None]
                cy_ += [p[1] for p in ring] + [None]
        fig.add_trace(
            go.Scatter(
                x=cx_,
                y=cy_,
                mode="lines",
                line={"color": "#BBBBBB", "width": 1},
                hoverinfo="skip",
                showlegend=False,
                name="context",
            )
        )
    centre_x, centre_y, marker_colours, marker_symbols, hover, shares = [], [], [], [], [], []
    lat_sum, lat_n = 0.0, 0
    for feature in geojson.get("features", []):
        tid = feature["properties"].get("id")
        row = rows.get(tid)
        if row is None:
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in _rings(feature["geometry"]):
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
        known = not pd.isna(row["share"])
        colour = share_colour(float(row["share"])) if known else UNKNOWN_GREY
        props = feature["properties"]
        # An approved perimeter version (published layers) has its own precision.
        approved = props.get("perimeter_version_label") not in (None, "base")
        precision = str(props.get("precision")) if approved and props.get("precision") else row["precision"]
        perimeter = format_perimeter_version(
            props.get("perimeter_version_label"), props.get("perimeter_version_date"), lang
        )
        conflict = bool(row["share_basis"]) and bool(row[f"{row['share_basis']}_conflict"])
        text = (
            f"<b>{html.escape(_territory_label(row, lang))}</b><br>"
            + html.escape(str(row["share_cell"]) if known or conflict else unknown)
            + (f"<br>{html.escape(str(row['reported_cell']))}" if known or conflict else "")
            + f"<br>{html.escape(str(row['status_label']))}<br>"
            + (t(f"common.precision.{precision}", lang) if approved else str(row["precision_label"]))
            + (f"<br>{html.escape(perimeter[:1].upper() + perimeter[1:])}" if perimeter else "")
        )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=colour if known else "rgba(153,153,153,0.25)",
                line={
                    "color": "#333333" if known else UNKNOWN_GREY,
                    "width": 1,
                    "dash": "dot" if precision == "indicative" else "solid",
                },
                mode="lines",
                hoveron="fills",
                text=text,
                hoverinfo="text",
                showlegend=False,
                name=str(tid),
            )
        )
        pts = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
        cx = sum(p[0] for p in pts) / len(pts)
        cy = sum(p[1] for p in pts) / len(pts)
        lat_sum += cy
        lat_n += 1
        centre_x.append(cx)
        centre_y.append(cy)
        marker_colours.append(colour)
        marker_symbols.append("circle" if known else ("diamond-open" if conflict else "circle-open"))
        hover.append(text)
        shares.append(float(row["share"]) if known else None)
    fig.add_trace(
        go.Scatter(
            x=centre_x,
            y=centre_y,
            mode="markers",
            marker={
                "size": 14,
                "color": marker_colours,
                "symbol": marker_symbols,
                "line": {"color": "#333333", "width": 1},
            },
            text=hover,
            hoverinfo="text",
            showlegend=False,
            name="centroids",
        )
    )
    if any(v is not None for v in shares):
        # A colour bar for the scale (an invisible trace carrying the colorscale), only when
        # some territory has a share: never an empty scale.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={
                    "colorscale": MAP_COLORSCALE,
                    "cmin": 0,
                    "cmax": 1,
                    "color": [0],
                    "showscale": True,
                    "colorbar": {
                        "title": {"text": t("progress.share_axis", lang)},
                        "tickvals": [0, 0.25, 0.5, 0.75, 1],
                        "ticktext": [format_percent(v, 0, lang) for v in (0, 0.25, 0.5, 0.75, 1)],
                        "len": 0.8,
                    },
                },
                showlegend=False,
                hoverinfo="skip",
            )
        )
    legend = [(unknown, "circle-open")]
    if "diamond-open" in marker_symbols:
        legend.append((t("progress.conflict", lang), "diamond-open"))
    for name, symbol in legend:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"size": 12, "symbol": symbol, "color": UNKNOWN_GREY},
                name=name,
                showlegend=True,
            )
        )
    mean_lat = lat_sum / lat_n if lat_n else 50.5
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mean_lat)))
    return _layout(fig, _title(t("progress.map_heading", lang), example, lang), lang, height=520)


def figure_text(fig: go.Figure) -> str:
    """All visible text of a figure (title, axes, annotations, trace names and texts),
    for tests and for checking labels."""
    parts: list[str] = []
    layout = fig.layout
    if layout.title and layout.title.text:
        parts.append(layout.title.text)
    for axis in (layout.xaxis, layout.yaxis):
        if axis and axis.title and axis.title.text:
            parts.append(axis.title.text)
    parts += [a.text for a in layout.annotations or [] if a.text]
    for trace in fig.data:
        if getattr(trace, "name", None):
            parts.append(str(trace.name))
        text = getattr(trace, "text", None)
        if isinstance(text, str):
            parts.append(text)
        elif text is not None:
            parts += [str(x) for x in text]
        if getattr(trace, "y", None) is not None and getattr(trace, "orientation", None) == "h":
            parts += [str(y) for y in trace.y]
    return "\n".join(parts)


__all__ = [
    "OKABE_ITO",
    "budget_chart",
    "figure_text",
    "format_eur",
    "programme_chart",
    "share_colour",
    "share_map",
    "territory_chart",
]
