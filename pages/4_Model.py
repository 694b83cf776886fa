"""Model: Can we predict who leaves, how well, and how many customers should we contact?

The page is ``ui.pages.model``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import model
from ui.shell import bootstrap

bootstrap("model")

with boundary("model"):
    model.render()
