"""The "Changes since last month" section: :func:`churn.compare.report_parts` of the
comparison of last month's snapshot with this one (``ReportInputs.comparison``, e.g. the
one made on the Changes page). Without a comparison the section is left out with a note.

Registered on import (``churn.report`` imports this module), just before the glossary.
"""

from __future__ import annotations

from churn.report.formatting import restyle, text
from churn.report.sections import (
    SECTIONS,
    ReportInputs,
    Section,
    SectionSkipped,
    register_section,
)

__all__ = ["NAME", "changes_section"]

#: The section's name in :data:`churn.report.SECTIONS`.
NAME = "changes"


@register_section(NAME)
def changes_section(inp: ReportInputs) -> Section:
    """Counts of stayed / left / new, the moves into high risk, the old list's outcome,
    the campaign's effect and the top customers by value, in the report's language."""
    from churn.compare import report_parts  # the comparison package trains models: load late

    if inp.comparison is None:
        raise SectionSkipped(text("changes.none", inp.lang))
    parts = report_parts(inp.comparison, inp.lang)
    s = Section(NAME, text("changes.title", inp.lang))
    s.paragraphs.extend(restyle(p, inp.lang) for p in parts["paragraphs"])
    s.tables.update(parts["tables"])
    return s


# The glossary closes the report: keep it after this section.
if "glossary" in SECTIONS:
    SECTIONS["glossary"] = SECTIONS.pop("glossary")
