"""The HTML writer: one self-contained, print-friendly page.

Inline CSS, charts as SVG images inside ``data:`` URIs (rendered offline by vl-convert),
every data-derived text escaped.
"""

from __future__ import annotations

import base64
import html
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from churn.report.formatting import fmt_date, fmt_int, fmt_num, fmt_p, fmt_pct, header, text

if TYPE_CHECKING:  # build imports this module
    from churn.report.build import Report


#: columns shown as percentages in the HTML
PCT_COLUMNS = {"churn_rate", "ci_low", "ci_high", "retention", "risk", "base_rate"}
PCT_COLUMNS |= {"before", "after", "delta", "p_alive"}
#: columns in percentage points of risk, shown with one decimal
POINT_COLUMNS = {"mean_abs_contribution", "mean_contribution"}
PCT_COLUMNS |= {f"retention_{m}" for m in (0, 1, 3, 6, 12, 24)}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR","Malgun Gothic",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}
h1{font-size:1.7rem;border-bottom:3px solid #3b6ea5;padding-bottom:.3rem}
h2{font-size:1.3rem;margin-top:2.2rem;color:#24476b;border-bottom:1px solid #ccd}
h3{font-size:1rem;color:#555}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0 1rem;width:auto}
th,td{border:1px solid #d5d9e0;padding:.2rem .45rem;text-align:left;vertical-align:top;
word-break:keep-all}
th{background:#eef2f7}
td:first-child{white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{color:#7a5b00;background:#fff7e0;padding:.3rem .6rem;border-left:3px solid #e0b000}
.muted{color:#667}
.wrap{overflow-x:auto}
img.chart{max-width:100%;height:auto;display:block;margin:.5rem 0}
@media print{body{margin:0;max-width:none}h2{page-break-before:auto}
section{page-break-inside:avoid}}
"""

MAX_HTML_ROWS = 60


def _cell(v: Any, column: str, lang: str) -> tuple[str, bool]:
    """Display text of one value, and whether it is a number (right-aligned)."""
    import numpy as np

    if isinstance(v, (bool, np.bool_)):
        return text("value.yes" if v else "value.no", lang), False
    if isinstance(v, (int, np.integer)):
        return fmt_int(v), True
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return "–", False
        if column in PCT_COLUMNS:
            return fmt_pct(v, lang=lang), True
        if column.startswith("p_"):
            return fmt_p(v).removeprefix("= "), True
        if column in POINT_COLUMNS:
            return fmt_num(v, 1), True
        if not math.isfinite(v) or abs(v) >= 100 or (v == round(v) and abs(v) >= 1):
            return fmt_int(v), True
        return fmt_num(v, 3 if abs(v) < 10 else 1), True
    if isinstance(v, (pd.Timestamp,)):
        return fmt_date(v, lang), False
    if v is None or v is pd.NaT or v is pd.NA:
        return "–", False
    return str(v), False


def _table_html(frame: pd.DataFrame, lang: str) -> str:
    head = "".join(f"<th>{html.escape(header(c, lang))}</th>" for c in frame.columns)
    rows = []
    names = [str(c) for c in frame.columns]
    for rec in frame.head(MAX_HTML_ROWS).itertuples(index=False):
        cells = []
        for col, v in zip(names, rec, strict=True):
            txt, num = _cell(v, col, lang)
            cls = ' class="n"' if num else ""
            cells.append(f"<td{cls}>{html.escape(txt)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > MAX_HTML_ROWS:
        more = f'<p class="muted">… {fmt_int(len(frame) - MAX_HTML_ROWS)} +</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def chart_svg(chart: Any) -> str:
    """An Altair chart rendered offline to SVG text (vl-convert; no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_json())


def _chart_html(chart: Any) -> str:
    try:
        svg = chart_svg(chart)
    except Exception:  # a chart that cannot render must not lose the report
        return ""
    b64 = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="" src="data:image/svg+xml;base64,{b64}">'


def _generated(rep: Report) -> str:
    n = len(rep.sections)
    if rep.snapshot is None or pd.isna(rep.snapshot):
        return text("generated_nodate", rep.lang, n=n)
    return text("generated", rep.lang, snapshot=fmt_date(rep.snapshot, rep.lang), n=n)


def report_html(rep: Report) -> str:
    """The report as one self-contained, print-friendly HTML page (no external resources)."""
    lang = rep.lang
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(text('report_title', lang))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{esc(text('report_title', lang))}</h1>",
        '<p class="muted">' + esc(_generated(rep)) + "</p>",
    ]
    parts.append(f"<nav><h3>{esc(text('contents', lang))}</h3><ol>")
    parts += [f'<li><a href="#{s.name}">{esc(s.title)}</a></li>' for s in rep.sections]
    parts.append("</ol></nav>")
    parts += [f'<p class="note">{esc(n)}</p>' for n in rep.notes()]
    for s in rep.sections:
        parts.append(f'<section id="{esc(s.name)}"><h2>{esc(s.title)}</h2>')
        parts += [f"<p>{esc(p)}</p>" for p in s.paragraphs]
        parts += [_chart_html(c) for c in s.charts]
        for name, frame in s.tables.items():
            view = s.display.get(name, frame)
            parts.append(f"<h3>{esc(header(name, lang))}</h3>")
            parts.append(f'<div class="wrap">{_table_html(view, lang)}</div>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
