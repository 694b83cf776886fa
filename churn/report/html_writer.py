"""The HTML writer: one self-contained, print-friendly page.

Inline CSS, charts as SVG images inside ``data:`` URIs (rendered offline by vl-convert),
every data-derived text escaped.
"""

from __future__ import annotations

import base64
import html
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.formatting import MISSING
from churn.report.formatting import (
    fmt_date,
    fmt_days,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    header,
    restyle,
    text,
)

if TYPE_CHECKING:  # build imports this module
    from churn.report.build import Report


#: columns shown as percentages in the HTML
PCT_COLUMNS = {"churn_rate", "ci_low", "ci_high", "retention", "risk", "base_rate"}
PCT_COLUMNS |= {"before", "after", "delta", "p_alive"}
#: columns in percentage points of risk, shown with one decimal
POINT_COLUMNS = {"mean_abs_contribution", "mean_contribution"}
PCT_COLUMNS |= {f"retention_{m}" for m in (0, 1, 3, 6, 12, 24)}
PCT_COLUMNS |= {"low_rate", "high_rate", "spread", "risk_before", "risk_after", "risk_expected"}
#: columns of money, shown with two decimals
MONEY_COLUMNS = {"value_at_risk", "monthly_value", "expected_value", "revenue_kept"}
MONEY_COLUMNS |= {"cost", "net", "campaign_cost"}
#: columns that hold numbers of several kinds, one per row (a metric's value)
MIXED_COLUMNS = {"value", "estimate"}
#: columns of days ("not reached" when infinite)
DAY_COLUMNS = {"median_lifetime_days"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR","Malgun Gothic","NanumGothic",
"Nanum Gothic",sans-serif;
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
th,td.s{white-space:nowrap}
.note{color:#7a5b00;background:#fff7e0;padding:.3rem .6rem;border-left:3px solid #e0b000}
.muted{color:#667}
.wrap{overflow-x:auto}
img.chart{max-width:100%;height:auto;display:block;margin:.5rem 0}
@page{size:A4;margin:14mm 12mm}
@media print{body{margin:0;max-width:none}table{font-size:.62rem}h2{page-break-after:avoid}h3{page-break-after:avoid}
tr{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
"""

MAX_HTML_ROWS = 60


def column_kind(values: pd.Series, column: str) -> str:
    """How a table column's numbers read: one kind, so one number of decimals, per column.

    ``pct`` (shares), ``p`` (p-values), ``points`` (percentage points, one decimal),
    ``money`` (two decimals), ``days`` (whole days, "not reached" when infinite), ``int``
    (whole numbers), ``num1`` / ``num3`` (other numbers, one or three decimals by size),
    ``other`` (text, dates, yes/no).
    """
    column = str(column)
    if column in PCT_COLUMNS:
        return "pct"
    if column.startswith("p_"):
        return "p"
    if column in POINT_COLUMNS:
        return "points"
    if column in MONEY_COLUMNS:
        return "money"
    if column in DAY_COLUMNS:
        return "days"
    if column in MIXED_COLUMNS:
        return "mixed"
    nums = pd.to_numeric(values, errors="coerce") if values.dtype != bool else values[:0]
    finite = nums[np.isfinite(nums.astype(float))] if len(nums) else nums
    if finite.empty or pd.api.types.is_bool_dtype(values):
        return "other" if finite.empty else "int"
    if (finite == finite.round()).all():
        return "int"
    return "num3" if finite.abs().max() < 10 else "num1"


def _number(v: float, kind: str, lang: str) -> str:
    if kind == "pct":
        return fmt_pct(v, lang=lang)
    if kind == "p":
        return fmt_p(v, lang=lang).removeprefix("= ")
    if kind == "days" or not math.isfinite(v):
        return fmt_days(v, lang)
    if kind in ("points", "num1"):
        return fmt_num(v, 1, lang)
    if kind == "money":
        return fmt_num(v, 2, lang)
    if kind == "num3" or (kind == "mixed" and v != round(v)):
        return fmt_num(v, 3 if abs(v) < 10 else 1, lang)
    return fmt_int(v, lang)


def _cell(v: Any, kind: str, lang: str) -> tuple[str, bool]:
    """Display text of one value of a column of ``kind``, and whether it is a number."""
    if isinstance(v, (bool, np.bool_)):
        return text("value.yes" if v else "value.no", lang), False
    if isinstance(v, (int, np.integer, float, np.floating)):
        if math.isnan(float(v)):
            return MISSING, False
        return _number(float(v), kind, lang), True
    if isinstance(v, (pd.Timestamp,)):
        return fmt_date(v, lang), False
    if v is None or v is pd.NaT or v is pd.NA:
        return MISSING, False
    return restyle(str(v), lang), False


def _table_html(frame: pd.DataFrame, lang: str) -> str:
    head = "".join(f"<th>{html.escape(header(c, lang))}</th>" for c in frame.columns)
    rows = []
    shown = frame.head(MAX_HTML_ROWS)
    kinds = [column_kind(shown.iloc[:, j], c) for j, c in enumerate(frame.columns)]
    for rec in shown.itertuples(index=False):
        cells = []
        for kind, v in zip(kinds, rec, strict=True):
            txt, num = _cell(v, kind, lang)
            cls = ' class="n"' if num else ""
            cells.append(f"<td{cls}>{html.escape(txt)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > MAX_HTML_ROWS:
        rest = fmt_int(len(frame) - MAX_HTML_ROWS, lang)
        more = f'<p class="muted">{html.escape(text("more_rows", lang, n=rest))}</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def chart_svg(chart: Any) -> str:
    """An Altair chart rendered offline to SVG text (vl-convert; no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_json())


def _chart_html(chart: Any) -> str:
    try:
        # room on the right: the viewer's font may draw legend labels wider than measured
        chart = chart.properties(padding={"left": 5, "top": 5, "right": 40, "bottom": 5})
        svg = chart_svg(chart)
    except Exception:  # a chart that cannot render must not lose the report
        return ""
    b64 = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="" src="data:image/svg+xml;base64,{b64}">'


def _generated(rep: Report) -> str:
    if rep.snapshot is None or pd.isna(rep.snapshot):
        return text("generated_nodate", rep.lang)
    return text("generated", rep.lang, snapshot=fmt_date(rep.snapshot, rep.lang))


def _section_html(s: Any, lang: str) -> list[str]:
    esc = html.escape
    parts = [f'<section id="{esc(s.name)}"><h2>{esc(s.title)}</h2>']
    parts += [f"<p>{esc(p)}</p>" for p in s.paragraphs]
    if s.bullets:
        parts.append("<ul>" + "".join(f"<li>{esc(b)}</li>" for b in s.bullets) + "</ul>")
    parts += [_chart_html(c) for c in s.charts]
    for name, frame in s.tables.items():
        view = s.display.get(name, frame)
        parts.append(f"<h3>{esc(header(name, lang))}</h3>")
        parts.append(f'<div class="wrap">{_table_html(view, lang)}</div>')
    parts.append("</section>")
    return parts


def report_html(rep: Report) -> str:
    """The report as one self-contained, print-friendly HTML page (no external resources):
    the executive summary first, then the contents, the notes and the other sections."""
    lang = rep.lang
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(text('report_title', lang))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{esc(text('report_title', lang))}</h1>",
    ]
    if _generated(rep):
        parts.append('<p class="muted">' + esc(_generated(rep)) + "</p>")
    first = [s for s in rep.sections[:1] if s.name == "summary"]
    rest = rep.sections[len(first) :]
    for s in first:
        parts += _section_html(s, lang)
    parts.append(f"<nav><h3>{esc(text('contents', lang))}</h3><ol>")
    parts += [f'<li><a href="#{s.name}">{esc(s.title)}</a></li>' for s in rep.sections]
    parts.append("</ol></nav>")
    parts += [f'<p class="note">{esc(n)}</p>' for n in rep.notes()]
    for s in rest:
        parts += _section_html(s, lang)
    parts.append("</body></html>")
    return "\n".join(parts)
