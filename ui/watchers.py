"""No polling file watcher in production.

``.streamlit/config.toml`` sets ``server.fileWatcherType = "none"``, which stops the
watcher of the app's own source files. Streamlit 1.67 still polls its config files
(``streamlit.web.bootstrap`` watches every ``config.toml`` path with the polling watcher,
whatever ``fileWatcherType`` says, every 0.2 s, in a thread pool) and, once ``st.secrets``
is read, the secrets files. No option turns that off. In a room of participants each poll
wakes a thread that needs the interpreter lock the page scripts are waiting for.

:func:`stop_polling` makes a polling watcher not schedule its next look: the watchers
already running look once more and stop, so no thread is left sleeping (the server still
stops at once). It acts only when ``fileWatcherType`` is ``"none"``: a developer who asks
for a watcher keeps it. The config is read once at start anyway; a changed config needs a
restart in production.
"""

from __future__ import annotations

from streamlit import config
from streamlit.watcher import polling_path_watcher

#: The method of Streamlit's polling watcher that queues its next look.
_NEXT_LOOK = "_schedule"


#: Streamlit's own method, for :func:`resume_polling`.
_STREAMLIT_NEXT_LOOK = getattr(polling_path_watcher.PollingPathWatcher, _NEXT_LOOK, None)


def _no_next_look(self) -> None:
    """The polling watcher's next look, when production wants none."""


def stop_polling() -> bool:
    """Stop Streamlit's polling watchers when ``server.fileWatcherType`` is ``"none"``;
    True when they are stopped (now or before)."""
    if config.get_option("server.fileWatcherType") != "none":
        return False
    watcher = getattr(polling_path_watcher, "PollingPathWatcher", None)
    if watcher is None or not callable(getattr(watcher, _NEXT_LOOK, None)):
        return False  # a Streamlit without this watcher: nothing to stop
    if getattr(watcher, _NEXT_LOOK) is not _no_next_look:
        setattr(watcher, _NEXT_LOOK, _no_next_look)
    return True


def resume_polling() -> None:
    """Give Streamlit's polling watcher its own next look back (tests, development)."""
    if _STREAMLIT_NEXT_LOOK is not None:
        setattr(polling_path_watcher.PollingPathWatcher, _NEXT_LOOK, _STREAMLIT_NEXT_LOOK)
