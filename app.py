"""ChurnLens home: what the app answers, the dataset's status, and where to go next.

Streamlit's main script; the page itself is ``ui.pages.home``.
"""

from __future__ import annotations

from ui.errors import boundary
from ui.pages import home
from ui.shell import bootstrap

bootstrap("home")

with boundary("home"):
    home.render()
