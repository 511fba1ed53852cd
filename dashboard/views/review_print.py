"""The meeting pack as one static HTML page for printing to PDF (no Dash): the KPI tiles, the
narrative, the changes since the last edition and every section with all its figures and
table rows, from the same :class:`ReviewView` the page draws.

Figures are drawn by plotly.js with ``Plotly.newPlot`` at a fixed size (A4 landscape content
width), synchronously while the page loads; ``window.__ready`` is set when every chart is drawn,
and a chart that cannot be drawn is replaced by a sentence saying so, never left blank. The
period, the data-as-of time, the edition and the page number are printed in the page margins
(CSS page-margin boxes, Chromium 131 or later), so they repeat on every page.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urljoin

from dashboard.views.review import ReviewTile, ReviewView
from dashboard.views.review_editions import EditionDiff
from dashboard.views.review_sections import ReviewTable

CHART_WIDTH = 1020  # px: A4 landscape (297 mm) less 12 mm margins each side is 1,031 px at 96 px per inch
SPARK_WIDTH, SPARK_HEIGHT = 300, 46
KEEP_TOGETHER_ROWS = 20  # a table this short is not split across pages
DEFAULT_HEIGHT = 400
STATUS_COLOURS = {"good": "#1a7f37", "watch": "#9a6700", "act": "#cf222e"}
TONE_MARKS = {"worse": "▼ ", "better": "▲ ", "problem": "⚠ ", "neutral": "• ", "none": "• "}

STYLE = """
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 10pt; color: #1f2328; margin: 0; }
h1 { font-size: 17pt; margin: 0 0 2px; } h2 { font-size: 15pt; margin: 0 0 6px; } h3 { font-size: 11pt; margin: 10px 0 4px; }
.muted { color: #57606a; } .small { font-size: 8.5pt; }
section { break-before: page; } section.first { break-before: auto; }
.tiles { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; }
.tile { font-size: 8.5pt; line-height: 1.25; }
.tile { border: 1px solid #d0d7de; border-left: 5px solid #57606a; padding: 5px 8px; break-inside: avoid; }
.tile .value { font-size: 14pt; font-weight: bold; } .tile .status { font-weight: bold; }
.chart { width: %(width)dpx; margin: 6px 0 10px; break-inside: avoid; }
.spark { width: %(spark)dpx; height: %(spark_h)dpx; }
.failed { border: 1px dashed #cf222e; color: #cf222e; padding: 12px; }
table { border-collapse: collapse; width: 100%%; font-size: 8.5pt; margin-bottom: 8px; }
thead { display: table-header-group; } tr { break-inside: avoid; }
.together { break-inside: avoid; } h3 { break-after: avoid; }
th, td { border-bottom: 1px solid #d0d7de; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
ul.narrative { list-style: none; padding-left: 0; } ul.narrative li { margin: 0 0 5px; }
a { color: #0550ae; text-decoration: none; }
.worse { color: #cf222e; } .better { color: #1a7f37; } .problem { color: #9a6700; }
.changes { border: 1px solid #d0d7de; background: #f6f8fa; padding: 6px 10px; margin-bottom: 8px; break-inside: avoid; }
#pack-end { margin-top: 14px; }
"""

SCRIPT = """
(function () {
  var specs = JSON.parse(document.getElementById('pack-figures').textContent);
  var drawn = 0;
  specs.forEach(function (spec) {
    var target = document.getElementById(spec.id);
    try {
      var figure = spec.figure || {};
      var data = (figure.data || []).map(function (trace) {
        return trace.type === 'scattergl' ? Object.assign({}, trace, {type: 'scatter'}) : trace;
      });
      var layout = Object.assign({}, figure.layout || {}, {width: spec.width, height: spec.height, autosize: false});
      Plotly.newPlot(target, data, layout, {staticPlot: true, displayModeBar: false});
      drawn += 1;
    } catch (error) {
      target.className = 'failed';
      target.textContent = 'This chart could not be drawn: ' + error;
    }
  });
  document.getElementById('pack-end').textContent =
    'End of the meeting pack: ' + drawn + ' of ' + specs.length + ' charts drawn.';
  window.__ready = true;
})();
"""


def _e(value: object) -> str:
    # never "97.7" at a line's end and "%" on the next
    return html.escape("" if value is None else str(value)).replace(" %", "\u00a0%")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (safe inside a <style> element)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return f'"{escaped}"'


def _margins(view: ReviewView) -> str:
    font = "font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 8pt; color: #57606a;"
    boxes = {
        "top-left": f"Quality leadership review · {view.edition_text}",
        "top-right": f"Period: {view.period_label}",
        "bottom-left": f"Data as of {view.as_of_text} · {view.edition_text}",
    }
    rules = "".join(f"@{box} {{ content: {css_string(text)}; {font} }}" for box, text in boxes.items())
    page = f'@bottom-right {{ content: "Page " counter(page) " of " counter(pages); {font} }}'
    return f"@page {{ size: A4 landscape; margin: 16mm 12mm 14mm 12mm; {rules} {page} }}"


class _Figures:
    """Collects the figures to draw; each gets a placeholder div."""

    def __init__(self) -> None:
        self.specs: list[dict] = []

    def place(self, figure: dict, *, css: str = "chart", width: int = CHART_WIDTH, height: int | None = None) -> str:
        chart_id = f"pack-chart-{len(self.specs) + 1}"
        layout_height = (figure.get("layout") or {}).get("height")
        self.specs.append({"id": chart_id, "figure": figure, "width": width, "height": height or layout_height or DEFAULT_HEIGHT})
        return f'<div class="{css}" id="{chart_id}"></div>'

    def json(self) -> str:
        return json.dumps(self.specs, separators=(",", ":")).replace("</", "<\\/")


def _tile(tile: ReviewTile, figures: _Figures) -> str:
    colour = STATUS_COLOURS.get(tile.status_key, "#57606a")
    better = "higher is better" if tile.direction == "higher" else "lower is better"
    change = (
        f"{_e(tile.delta_text)} vs previous period ({_e(tile.delta_word)}; was {_e(tile.previous_text)})"
        if tile.delta_word != "no comparison"
        else "No data for the previous period to compare with"
    )
    parts = [
        f'<div class="tile" style="border-left-color: {colour}">',
        f"<div><b>{_e(tile.name)}</b></div>",
        f'<div><span class="value">{_e(tile.value_text)}</span> ',
        f'<span class="status" style="color: {colour}">{_e(tile.status_icon)} {_e(tile.status_text)}</span></div>',
        f'<div class="small muted">{_e(tile.target_text)} · {better}</div>',
        f'<div class="small">{change}</div>',
    ]
    if tile.detail:
        parts.append(f'<div class="small muted">{_e(tile.detail)}</div>')
    if tile.sparkline:
        parts.append(figures.place(tile.sparkline, css="spark", width=SPARK_WIDTH, height=SPARK_HEIGHT))
    if tile.behaviour:
        parts.append(f'<div class="small">{_e(tile.behaviour)}</div>')
    if tile.problem:
        parts.append(f'<div class="small problem">{_e(tile.problem)}</div>')
    return "".join(parts) + "</div>"


def _table(table: ReviewTable) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    if not table.rows:
        return f'<h3>{_e(table.title)}</h3><p class="muted">{_e(table.empty_text)}</p>'
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    together = ' class="together"' if len(table.rows) <= KEEP_TOGETHER_ROWS else ""
    return f"<div{together}><h3>{_e(table.title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _changes(changes: dict | None) -> str:
    if not changes:
        return ""
    diff = EditionDiff.from_dict(changes)
    head = f"<b>Since edition {diff.edition_id}</b> <span class='muted'>({_e(diff.created_text)})</span>"
    if diff.unchanged:
        return f'<div class="changes">{head}: no change.</div>'
    items = [*diff.kpis, *diff.grades, *(f"New: {t}" for t in diff.new), *(f"Dropped: {t}" for t in diff.dropped)]
    return f'<div class="changes">{head}<ul>' + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul></div>"


def pack_html(view: ReviewView, plotly_src: str, base_url: str = "") -> str:
    """The whole pack as one HTML document; ``plotly_src`` is where plotly.js is loaded from and
    ``base_url`` makes the narrative's links absolute (clickable in the PDF)."""
    figures = _Figures()
    tiles = "".join(_tile(t, figures) for t in view.tiles) or '<p class="muted">No KPI tiles.</p>'
    problems = "".join(f'<p class="problem">{_e(p)}</p>' for p in view.problems)
    sentences = "".join(
        f'<li class="{_e(s.tone)}">{_e(TONE_MARKS.get(s.tone, ""))}<span style="color:#1f2328">{_e(s.text)}</span>'
        + (f' <a href="{_e(urljoin(base_url, s.href))}">{_e(s.href.split("?")[0])} →</a>' if s.href else "")
        + "</li>"
        for s in view.sentences
    )
    body = [
        '<section class="first" id="pack-summary">',
        f"<h1>Quality leadership review</h1><p class='muted'>{_e(view.period_label)} · data as of {_e(view.as_of_text)} · "
        f"{_e(view.edition_text)}</p>{problems}<h2>KPIs</h2><div class='tiles'>{tiles}</div></section>",
        f'<section id="pack-narrative"><h2>What changed</h2>{_changes(view.changes)}',
        f'<ul class="narrative">{sentences}</ul></section>',
    ]
    for section in view.sections:
        parts = [f'<section id="pack-{_e(section.key)}"><h2>{_e(section.title)}</h2>']
        if section.intro:
            parts.append(f"<p>{_e(section.intro)}</p>")
        parts += [figures.place(f) for f in section.figures if f]
        parts += [_table(t) for t in section.tables]
        parts += [f'<p class="small muted">{_e(n)}</p>' for n in section.notes]
        body.append("".join(parts) + "</section>")
    style = STYLE % {"width": CHART_WIDTH, "spark": SPARK_WIDTH, "spark_h": SPARK_HEIGHT}
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Quality leadership review · {_e(view.edition_text)}</title>"
        f"<style>{_margins(view)}{style}</style></head><body>{''.join(body)}"
        '<p id="pack-end" class="small muted">Charts not drawn: the pack was printed without JavaScript.</p>'
        f'<script type="application/json" id="pack-figures">{figures.json()}</script>'
        f'<script src="{_e(plotly_src)}"></script><script>{SCRIPT}</script></body></html>'
    )
