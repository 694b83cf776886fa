"""Changes: Who moved into high risk, who left since last month, and did the campaign work?

The page is ``ui.pages.changes``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import changes
from ui.shell import bootstrap

bootstrap("changes")

with boundary("changes"):
    changes.render()
