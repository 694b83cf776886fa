"""The frame every page runs in: ``bootstrap()``, which each page calls first.

Streamlit runs a page's file alone when a user opens it by URL (``app.py`` does not run
first), so every file in ``pages/`` and ``app.py`` start with ``bootstrap("<ns>")``:
page config, state defaults (``ui.state``), the workspace named in the URL
(``ui.workspace``), and the sidebar: the page menu (``ui.nav``), the language picker,
the dataset's status and the workspace list.
"""

from __future__ import annotations

import streamlit as st

from ui import trace, warmup, workspace
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANGUAGES, t
from ui.nav import sidebar_menu
from ui.state import get_confirmed, get_dataset, init_defaults
from ui.watchers import stop_polling


def _language_selector() -> None:
    widget_key = "sidebar.lang"
    if widget_key not in st.session_state:
        st.session_state[widget_key] = st.session_state.get(LANG_KEY, DEFAULT_LANG)

    def _on_change() -> None:
        st.session_state[LANG_KEY] = st.session_state[widget_key]

    # in every language at once, so anyone can find it
    label = " / ".join(dict.fromkeys(t("language.label", lang) for lang in LANGUAGES))
    st.sidebar.selectbox(
        label,
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=widget_key,
        on_change=_on_change,
    )


def _sidebar_status() -> None:
    ds = get_dataset()
    conf = get_confirmed()
    if ds is None:
        st.sidebar.caption(t("common.status_none"))
    elif conf is None:
        st.sidebar.caption(t("common.status_unconfirmed", name=ds.name))
    else:
        st.sidebar.caption(t("common.status_confirmed", name=ds.name))


def bootstrap(page: str) -> None:
    """What every page does first: page config, state defaults, language, sidebar status.

    ``page`` is the page's i18n namespace (``home``, ``data``, ...); its ``title`` key
    names the browser tab.
    """
    stop_polling()  # Streamlit's config poller: none in production (ui/watchers.py)
    trace.on_bootstrap()  # the load bench's server clock (CHURNLENS_TRACE; off by default)
    warmup.on_bootstrap()  # once per server: first-use work before the first participant
    init_defaults()
    st.set_page_config(
        page_title=f"{t(page + '.title')} · ChurnLens",
        # An emoji, not ":material/...:": Streamlit turns a Material page icon into a
        # favicon fetched from fonts.gstatic.com, and no request may leave the machine. An
        # emoji favicon is an inline data: SVG. (Icons on the page use Streamlit's own
        # copy of the Material Symbols font, served by this server.)
        page_icon="📉",
        layout="wide",
    )
    workspace.on_bootstrap()  # ?ws=<id> in the URL: restore that workspace
    sidebar_menu()
    _language_selector()
    _sidebar_status()
    workspace.sidebar()
