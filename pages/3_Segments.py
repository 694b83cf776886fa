"""Segments: Which customers leave more than others, and which of them matter most?

The page is ``ui.pages.segments``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import segments
from ui.shell import bootstrap

bootstrap("segments")

with boundary("segments"):
    segments.render()
