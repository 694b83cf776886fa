"""The words of the report: table and column headers, chart labels and texts, per language.

They live in the keyed tables of ``churn/locales/<lang>/tables/`` (read when first used):
``report_text`` (paragraphs, titles, the glossary), ``report_headers`` (table and column
headers), ``report_severity`` (validation severities) and ``report_chart_labels`` (chart
titles; English has none: the chart builders' own English labels apply). The mappings
below give each table in every language, e.g. ``TEXT["ko"]["report_title"]``.
"""

from __future__ import annotations

from churn.text import TableSet

#: table and column headers by language (a name without a header is shown as it is)
HEADERS = TableSet("report_headers")

#: titles for the chart builders' ``labels`` by language (English: the builders' defaults)
CHART_LABELS = TableSet("report_chart_labels")

#: Severity of a validation issue, as the report names it, by language.
SEVERITY = TableSet("report_severity")

#: Report texts by language, with identical keys and placeholders.
TEXT = TableSet("report_text")

GLOSSARY_TERMS = ("churn_start", "churn_label", "wilson", "km", "median", "logrank", "lift")
GLOSSARY_TERMS += ("roc", "pr", "brier", "shap")
