"""A report of the analysis to hand over: sections in a registry, HTML and XLSX output.

A :class:`Report` is built by :func:`build_report` from what the analysis already has (the
confirmed table, a trained model or None, validation issues, saved scenarios). Each section
is made by a builder in :data:`SECTIONS`; a builder whose inputs are missing raises
:class:`SectionSkipped` and the report keeps a one-line note instead of the section.

The HTML is one self-contained file: inline CSS, charts as SVG images inside ``data:`` URIs
(rendered offline by vl-convert), every data-derived text escaped.

Submodules
----------
catalogue : the report's words in every language (:data:`TEXT`, :data:`HEADERS`,
    :data:`CHART_LABELS`, :data:`SEVERITY`: keyed tables read from
    ``churn/locales/<lang>/tables/``) and the glossary terms.
formatting : :func:`text`, :func:`header`, :func:`chart_labels`, and the number, share,
    p-value and date formats of :mod:`churn.formatting` (shared with the app).
sections : the :data:`SECTIONS` registry (:func:`register_section`) and the built-in
    section builders (data, over time, cohorts, P(alive) of a purchase log, segments,
    model, drivers, at risk, scenarios, glossary).
build : :class:`Report` and :func:`build_report`.
html_writer : the self-contained HTML page (:meth:`Report.to_html`).
xlsx_writer : the formula-safe workbook (:meth:`Report.to_xlsx`).
"""

from __future__ import annotations

from churn.report.build import Report, build_report
from churn.report.catalogue import CHART_LABELS, GLOSSARY_TERMS, HEADERS, SEVERITY, TEXT
from churn.report.formatting import (
    LANGS,
    chart_labels,
    fmt_date,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    header,
    text,
)
from churn.report.html_writer import CSS, MAX_HTML_ROWS, PCT_COLUMNS, POINT_COLUMNS, chart_svg
from churn.report.sections import (
    CHART_WIDTH,
    SECTIONS,
    Builder,
    ReportInputs,
    Section,
    SectionSkipped,
    register_section,
    section_title,
)

__all__ = [
    "CHART_LABELS",
    "CHART_WIDTH",
    "CSS",
    "GLOSSARY_TERMS",
    "HEADERS",
    "LANGS",
    "MAX_HTML_ROWS",
    "PCT_COLUMNS",
    "POINT_COLUMNS",
    "SECTIONS",
    "SEVERITY",
    "TEXT",
    "Builder",
    "Report",
    "ReportInputs",
    "Section",
    "SectionSkipped",
    "build_report",
    "chart_labels",
    "chart_svg",
    "fmt_date",
    "fmt_int",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "header",
    "register_section",
    "section_title",
    "text",
]
