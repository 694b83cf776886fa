"""Data: upload a file or use a sample, check how it was read, confirm which column is what,
and see what could not be used and why.

The page is ``ui.pages.data``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import data
from ui.shell import bootstrap

bootstrap("data")

with boundary("data"):
    data.render()
