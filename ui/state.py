"""The one owner of session state: key constants, typed accessors and widget-key helpers.

The bottom of ``ui/``: it imports only ``ui.i18n`` (and ``churn``). What every page does
first (``bootstrap()``: page config, defaults, sidebar) is in ``ui.shell``.

Data shared across pages lives under ``cl.*`` keys that no widget owns (a widget's
state is dropped when a page without it runs); widget keys carry a page prefix such as
``data.`` or ``sidebar.``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from churn.roles import ColumnRoles
from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANGUAGES, current_lang

# Shared (non-widget) keys.
DATASET = "cl.dataset"  # Dataset | None: the uploaded or sample file
CONFIRMED = "cl.confirmed"  # Confirmed | None: roles and settings the user confirmed
MODEL = "cl.model"  # model settings / handle (filled by the Model page)
SCENARIOS = "cl.scenarios"  # saved what-if scenarios
WORKSPACE = "cl.workspace"  # str | None: id of the saved workspace (ui.workspace)
RESTORED_MODEL = "cl.restored_model"  # (settings, TrainedModel) read back from a workspace
LAST_ERROR = "cl.last_error"
WIDGET_LANGS = "cl.widget_langs"  # {widget key: language it was last drawn in}
KEPT = "cl.kept"  # {widget key: its last value}, for widgets not drawn on every run
ALIVE_VIEW = "cl.alive_view"  # (threshold, horizon days) of the P(alive) view (Data page)

_DEFAULTS: dict[str, Any] = {
    LANG_KEY: DEFAULT_LANG,
    DATASET: None,
    CONFIRMED: None,
    MODEL: None,
    SCENARIOS: {},
    WORKSPACE: None,
    RESTORED_MODEL: None,
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A file as the user gave it: its bytes, name and content hash (the cache key).

    ``log_source``: for an event log on the server (``churn.eventlog.server``), the path
    typed on the Data page; ``data`` is then a sample of the log, and the customer table is
    aggregated from every file."""

    name: str
    data: bytes = field(repr=False)
    content_hash: str
    sheet: str | None = None
    is_sample: bool = False
    log_source: str | None = None

    @classmethod
    def from_bytes(
        cls, name: str, data: bytes, sheet: str | None = None, is_sample: bool = False
    ) -> Dataset:
        return cls(name, data, hashlib.sha256(data).hexdigest(), sheet, is_sample)


@dataclass(frozen=True, init=False)
class Confirmed:
    """What the user confirmed for the current dataset: the file's content hash and one
    :class:`~churn.settings.IntakeSettings` (roles, sheet, snapshot, inactivity window).

    ``Confirmed(content_hash, settings)``; the older form ``Confirmed(content_hash, sheet,
    roles, snapshot=None, inactivity_days=None)`` still works, and so do the attributes
    ``sheet``, ``roles``, ``snapshot``, ``inactivity_days`` and ``key``.
    """

    content_hash: str
    settings: IntakeSettings

    def __init__(
        self,
        content_hash: str,
        sheet: str | IntakeSettings | None = None,
        roles: ColumnRoles | None = None,
        snapshot: str | None = None,
        inactivity_days: int | None = None,
        *,
        settings: IntakeSettings | None = None,
    ) -> None:
        if isinstance(sheet, IntakeSettings):  # Confirmed(content_hash, settings)
            settings, sheet = sheet, None
        if settings is None:
            if roles is None:
                raise TypeError("Confirmed needs the intake settings (or the roles)")
            n = DEFAULT_INACTIVITY_DAYS if inactivity_days is None else inactivity_days
            settings = IntakeSettings(roles, sheet=sheet, snapshot=snapshot, inactivity_days=n)
        elif (sheet, roles, snapshot, inactivity_days) != (None, None, None, None):
            raise TypeError("give Confirmed the intake settings or their parts, not both")
        object.__setattr__(self, "content_hash", content_hash)
        object.__setattr__(self, "settings", settings)

    @property
    def sheet(self) -> str | None:
        return self.settings.sheet

    @property
    def roles(self) -> ColumnRoles:
        return self.settings.roles

    @property
    def snapshot(self) -> str | None:
        return self.settings.snapshot

    @property
    def inactivity_days(self) -> int:
        return self.settings.inactivity_days

    @property
    def key(self) -> str:
        """A stable text key for caches: content hash + sheet + roles + settings."""
        return self.settings.key(self.content_hash)


def init_defaults() -> None:
    for key, value in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if isinstance(value, dict) else value


def get_dataset() -> Dataset | None:
    return st.session_state.get(DATASET)


def set_dataset(ds: Dataset | None) -> None:
    """Replace the current file; confirmed roles of another file no longer apply."""
    st.session_state[DATASET] = ds
    conf = st.session_state.get(CONFIRMED)
    if ds is None or (conf is not None and conf.content_hash != ds.content_hash):
        st.session_state[CONFIRMED] = None
        st.session_state[MODEL] = None
        st.session_state[RESTORED_MODEL] = None


def get_confirmed() -> Confirmed | None:
    conf = st.session_state.get(CONFIRMED)
    ds = get_dataset()
    if conf is None or ds is None or conf.content_hash != ds.content_hash:
        return None
    return conf


def set_confirmed(conf: Confirmed | None) -> None:
    st.session_state[CONFIRMED] = conf


_UNSET: Any = object()


def keep_choice(key: str, default: Any = _UNSET) -> str:
    """``key``, for a widget whose option labels are translated: its choice survives a
    language switch.

    Streamlit 1.67 keeps a selectbox, radio or multiselect choice in the browser as its
    label text. After a switch the browser still holds the old language's label, which
    matches no option of the translated widget, so the next rerun fell back to the
    default choice. Setting the (still known) value again through session state, before
    the widget is drawn, makes Streamlit send the choice with the new label.
    Use with a ``format_func`` from :func:`ui.widgets.option_labels`. A ``default`` is
    given here instead of the widget's ``index=``/``default=`` (Streamlit warns when a
    widget has both a default and a value set through session state).
    """
    persist(key, default)
    lang = current_lang()
    drawn = st.session_state.setdefault(WIDGET_LANGS, {})
    if drawn.get(key, lang) != lang and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    drawn[key] = lang
    return key


def persist(key: str, default: Any = _UNSET) -> str:
    """``key``, for a widget that is not drawn on every run: its value comes back.

    Streamlit forgets a widget's value after a run that did not draw it: a lazy tab that
    was closed (``ui.widgets.lazy_tabs``) or another page. Called before the widget is
    drawn, this records the value the widget has now, or puts the recorded one back when
    Streamlit has dropped it. A ``default`` is given here, not to the widget (Streamlit
    warns when a widget has both a default and a value set through session state).
    """
    kept = st.session_state.setdefault(KEPT, {})
    if key in st.session_state:
        kept[key] = st.session_state[key]
    elif key in kept:
        st.session_state[key] = kept[key]
    elif default is not _UNSET:
        st.session_state[key] = default
    return key


def language_key(base: str) -> str:
    """``<base>.<language>``: the key of a widget that carries the language in its key.

    A new language means a new widget; it starts from the choice the widget had in the
    language before (still in session state on the first run after the switch).
    """
    key = f"{base}.{current_lang()}"
    if key not in st.session_state:
        for other in LANGUAGES:
            before = f"{base}.{other}"
            if before != key and before in st.session_state:
                st.session_state[key] = st.session_state[before]
                break
    return key
