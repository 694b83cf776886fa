"""Words Streamlit draws itself: the file uploader's button and size note are in English
whatever the app's language, so the app says so beside the uploader (in the reader's
language) when that is not English."""

from __future__ import annotations

from typing import Any

from ui.i18n import current_lang, t

#: the language of the words Streamlit's own widgets draw
STREAMLIT_LANGUAGE = "en"


def uploader_note(where: Any) -> None:
    """A caption under an uploader: its button text comes from Streamlit (other languages)."""
    if current_lang() != STREAMLIT_LANGUAGE:
        where.caption(t("widgets.uploader_note"))
