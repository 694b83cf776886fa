"""The built report and :func:`build_report`, which runs the chosen section builders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from churn.languages import norm_lang
from churn.report.formatting import text
from churn.report.html_writer import report_html
from churn.report.pdf_writer import report_pdf
from churn.report.sections import SECTIONS, ReportInputs, Section, SectionSkipped, section_title
from churn.report.summary import summary_section
from churn.report.xlsx_writer import report_xlsx
from churn.table import CustomerTable


@dataclass
class Report:
    """A built report: the sections kept, the notes of those left out, the language."""

    sections: list[Section]
    skipped: list[tuple[str, str]]
    lang: str
    snapshot: Any = None

    @property
    def names(self) -> list[str]:
        """Names of the sections kept, in order."""
        return [s.name for s in self.sections]

    def notes(self) -> list[str]:
        """One line per section left out, in the report's language."""
        return [
            text("skipped", self.lang, title=section_title(n, self.lang), reason=r)
            for n, r in self.skipped
        ]

    def to_html(self) -> str:
        """One self-contained, print-friendly HTML page (no external resources)."""
        return report_html(self)

    def to_xlsx(self) -> bytes:
        """An XLSX workbook: a cover sheet, then one sheet per table (written safely)."""
        return report_xlsx(self)

    def to_pdf(self) -> bytes:
        """The HTML page printed to PDF (A4, Hangul fonts embedded): the e-mailed handover."""
        return report_pdf(self.to_html())


def build_report(
    table: CustomerTable,
    trained: Any = None,
    *,
    sections: Iterable[str] | None = None,
    lang: str = "en",
    issues: Sequence[Any] = (),
    scenarios: Sequence[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]] = (),
    segment_columns: Sequence[str] | None = None,
    survival_by: str | None = None,
    top_at_risk: int = 20,
    charts: bool = True,
    personal: bool = False,
    alive: Any = None,
    alive_threshold: float | None = None,
    comparison: Any = None,
) -> Report:
    """Build the chosen sections of the report.

    Parameters
    ----------
    table : the confirmed customer table.
    trained : a :class:`churn.model.TrainedModel`, or None (model sections are left out).
    sections : names from :data:`SECTIONS` (default all), kept in registry order.
    lang : one of :data:`churn.languages.LANGUAGES` (another reads as the default).
    issues : :class:`churn.errors.ValidationIssue` list for the data section.
    scenarios : saved what-if scenarios, a list of dicts or a mapping name -> dict.
    segment_columns : columns for the segments section (default: chosen by evidence, the
        widest significant spreads of :func:`churn.report.evidence.choose_segments`).
    survival_by : the column splitting the survival curves (default: the first segment).
    top_at_risk : customers in the at-risk list.
    charts : draw charts (False for XLSX-only output, which needs none).
    personal : keep customers' names and contact details (the table's personal columns)
        in the at-risk list; by default the list names customers by id only.
    alive : event logs: the P(alive) fit (:func:`churn.alive.fit_alive`) for the P(alive)
        section and the at-risk list's P(alive) columns (None: the section is left out).
    alive_threshold : P(alive) below this counts as lost (default
        :data:`churn.alive.DEFAULT_P_ALIVE_THRESHOLD`).
    comparison : a :class:`churn.compare.Comparison` of last month's snapshot with this
        one, for the "changes" section (None: the section is left out with a note).

    Returns
    -------
    Report
    """
    from churn.errors import ChurnDataError
    from churn.text import msg

    lang = norm_lang(lang)
    wanted = list(SECTIONS) if sections is None else list(sections)
    unknown = [n for n in wanted if n not in SECTIONS]
    if unknown:
        raise ChurnDataError(
            msg("unknown report section(s): {sections}", sections=", ".join(unknown)),
            fix=msg("choose from {sections}", sections=", ".join(SECTIONS)),
        )
    if isinstance(scenarios, Mapping):
        scenarios = [{"name": k, **dict(v)} for k, v in scenarios.items()]
    inp = ReportInputs(
        table=table,
        trained=trained,
        issues=tuple(issues),
        scenarios=tuple(scenarios),
        lang=lang,
        segment_columns=segment_columns,
        survival_by=survival_by,
        top_at_risk=top_at_risk,
        charts=charts,
        personal=personal,
        alive=alive,
        alive_threshold=alive_threshold,
        comparison=comparison,
    )
    assert SECTIONS.get("summary") is summary_section  # registered first, on import
    kept, skipped = [], []
    for name in SECTIONS:
        if name not in wanted:
            continue
        try:
            kept.append(SECTIONS[name](inp))
        except SectionSkipped as why:
            skipped.append((name, str(why)))
    return Report(kept, skipped, lang, getattr(table, "snapshot", None))
