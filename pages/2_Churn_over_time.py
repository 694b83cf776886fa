"""Churn over time: How fast are we losing customers, is it getting better, and what is coming?

The page is ``ui.pages.over_time``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import over_time
from ui.shell import bootstrap

bootstrap("over_time")

with boundary("over_time"):
    over_time.render()
