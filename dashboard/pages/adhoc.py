"""Ad-hoc analysis (/process-control/analyse): chart a CSV of measurements. Nothing is stored."""

from __future__ import annotations

import base64
import binascii

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.views.adhoc import MAX_BYTES, AdhocView, build_adhoc

dash.register_page(
    __name__, path="/process-control/analyse", name="Analyse a file", title="Analyse measurements · Quality dashboard"
)

UPLOAD = "adhoc-upload"
FILE = "adhoc-file"
PASTE = "adhoc-paste"
ANALYSE = "adhoc-analyse"
VALUE = "adhoc-value-column"
SUBGROUP = "adhoc-subgroup-column"
LSL, USL, TARGET = "adhoc-lsl", "adhoc-usl", "adhoc-target"
RESULT = "adhoc-result"


def _number_input(id_: str, label: str) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=id_, className="small mb-0"),
            dbc.Input(id=id_, type="number", debounce=True, placeholder="none"),
        ],
        md=2,
    )


def layout(**params: object) -> html.Div:
    """Upload or paste, pick columns and spec limits; the result appears below."""
    return html.Div(
        [
            html.H1("Analyse measurements", className="h3 mb-1"),
            html.P(
                f"Upload a CSV (comma, semicolon or tab separated, UTF-8, up to {MAX_BYTES // 2**20} MB) or paste one. "
                "It is charted in your session only and not stored.",
                className="text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Upload(
                            id=UPLOAD,
                            children=html.Div(["Drop a CSV here or ", html.A("choose a file")]),
                            className="adhoc-upload",
                            multiple=False,
                        ),
                        md=6,
                    ),
                    dbc.Col(
                        [
                            dcc.Textarea(id=PASTE, placeholder="…or paste CSV text here", className="form-control adhoc-paste"),
                            dbc.Button("Analyse pasted text", id=ANALYSE, size="sm", className="mt-1"),
                        ],
                        md=6,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dcc.Store(id=FILE),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Measurement column", html_for=VALUE, className="small mb-0"),
                            dcc.Dropdown(id=VALUE, options=[], placeholder="first numeric column"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Subgroup column (optional)", html_for=SUBGROUP, className="small mb-0"),
                            dcc.Dropdown(id=SUBGROUP, options=[], placeholder="none: individual values"),
                        ],
                        md=3,
                    ),
                    _number_input(LSL, "LSL"),
                    _number_input(USL, "USL"),
                    _number_input(TARGET, "Target"),
                ],
                className="g-3 mb-3",
            ),
            dcc.Loading(html.Div(id=RESULT), type="dot", delay_show=300),
        ]
    )


clientside_callback(
    ClientsideFunction(namespace="adhoc", function_name="keep_small"),
    Output(FILE, "data"),
    Input(UPLOAD, "contents"),
    State(UPLOAD, "filename"),
)


def raw_input(file: object, paste: object, use_paste: bool) -> tuple[bytes | None, str | None]:
    """The bytes to analyse and a problem with the upload itself, if any."""
    if use_paste and isinstance(paste, str) and paste.strip():
        return paste.encode("utf-8"), None
    if not isinstance(file, dict):
        return None, None
    if "too_large_bytes" in file:
        size = file["too_large_bytes"] if isinstance(file["too_large_bytes"], int) else 0
        return None, (
            f"The file is {size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB. "
            "Send fewer rows (for example the last few thousand subgroups)."
        )
    contents = file.get("contents")
    if not isinstance(contents, str) or "," not in contents:
        return None, "The upload could not be read; try again."
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True), None
    except (binascii.Error, ValueError):
        return None, "The upload could not be read; try again."


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def render(view: AdhocView) -> list[object]:
    """Problems, summary, charts and capability."""
    children: list[object] = [dbc.Alert(p, color="warning") for p in view.problems]
    if view.summary:
        children.append(html.P(view.summary, className="small"))
    if view.location is None:
        return children
    graph = {"config": {"displaylogo": False}}
    children.append(
        dbc.Row(
            [
                dbc.Col(
                    [dcc.Graph(figure=view.location, id="adhoc-location", **graph), dcc.Graph(figure=view.dispersion, **graph)],
                    xl=8,
                ),
                dbc.Col(
                    [
                        dcc.Graph(figure=view.capability, **graph)
                        if view.capability
                        else html.P("Type LSL and/or USL for capability.", className="small text-muted"),
                        dbc.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in view.capability_lines]), size="sm")
                        if view.capability_lines
                        else None,
                        html.H3("Signals", className="h6"),
                        html.Ul([html.Li(s) for s in view.signals], className="small")
                        if view.signals
                        else html.P("No rule fired.", className="small text-muted"),
                    ],
                    xl=4,
                ),
            ]
        )
    )
    return children


@callback(
    Output(VALUE, "options"),
    Output(SUBGROUP, "options"),
    Output(RESULT, "children"),
    Input(FILE, "data"),
    Input(ANALYSE, "n_clicks"),
    Input(VALUE, "value"),
    Input(SUBGROUP, "value"),
    Input(LSL, "value"),
    Input(USL, "value"),
    Input(TARGET, "value"),
    State(PASTE, "value"),
    prevent_initial_call=True,
)
def update_adhoc(
    file: object, _clicks: object, value: object, subgroup: object, lsl: object, usl: object, target: object, paste: object
) -> tuple[list[str], list[str], list[object]]:
    """Parse the upload (or the pasted text) and chart it."""
    use_paste = dash.ctx.triggered_id == ANALYSE or not isinstance(file, dict)
    raw, problem = raw_input(file, paste, use_paste)
    if problem:
        return [], [], [dbc.Alert(problem, color="warning")]
    view = build_adhoc(
        raw,
        value_column=value if isinstance(value, str) else None,
        subgroup_column=subgroup if isinstance(subgroup, str) else None,
        lsl=_number(lsl),
        usl=_number(usl),
        target=_number(target),
    )
    return list(view.numeric_columns), list(view.columns), render(view)
