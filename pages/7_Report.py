"""Report: What do we hand over at the end of the workshop?

The page is ``ui.pages.report``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import report
from ui.shell import bootstrap

bootstrap("report")

with boundary("report"):
    report.render()
