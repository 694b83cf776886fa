"""Explanations: What drives churn here, why is this customer at risk, and what should we do?

The page is ``ui.pages.explain``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import explain
from ui.shell import bootstrap

bootstrap("explain")

with boundary("explain"):
    explain.render()
