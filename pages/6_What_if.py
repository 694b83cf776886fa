"""What if: What would it take to keep this customer, and what would a campaign be worth?

The page is ``ui.pages.whatif``; this file is what Streamlit runs.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import whatif
from ui.shell import bootstrap

bootstrap("whatif")

with boundary("whatif"):
    whatif.render()
