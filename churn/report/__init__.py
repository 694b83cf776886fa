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
meanings : :func:`metric_meaning`, each model metric in one plain line.
evidence : :func:`choose_segments` (the segments and survival groups, by the widest
    significant churn-rate spread) and :func:`segment_evidence`.
summary : the executive summary (first section): rate and trend, the strongest drivers,
    customers at risk and value at stake, :func:`recommend_campaign`.
pdf_writer : the HTML printed to PDF by WeasyPrint (:meth:`Report.to_pdf`).
build : :class:`Report` and :func:`build_report`.
changes : the "Changes since last month" section (:func:`changes_section`) from a
    :class:`churn.compare.Comparison` passed as ``build_report(..., comparison=...)``.
html_writer : the self-contained HTML page (:meth:`Report.to_html`).
xlsx_writer : the formula-safe workbook (:meth:`Report.to_xlsx`).
"""

from __future__ import annotations

from churn.report.build import Report, build_report
from churn.report.catalogue import CHART_LABELS, GLOSSARY_TERMS, HEADERS, SEVERITY, TEXT
from churn.report.changes import changes_section
from churn.report.evidence import SegmentChoice, choose_segments, segment_evidence
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
from churn.report.pdf_writer import pdf_available, report_pdf
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
from churn.report.summary import Campaign, recommend_campaign

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
    "Campaign",
    "SegmentChoice",
    "choose_segments",
    "pdf_available",
    "recommend_campaign",
    "report_pdf",
    "segment_evidence",
    "Report",
    "ReportInputs",
    "Section",
    "SectionSkipped",
    "build_report",
    "changes_section",
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
