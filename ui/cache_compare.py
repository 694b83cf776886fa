"""Cached wrappers of :mod:`churn.compare` for the Changes page (``ui.pages.changes``).

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. The comparison is keyed on the content hashes of the two snapshots (and of the
campaign file), the settings used and the language (the reasons are words); the files
themselves are underscore arguments, read through ``ui.cache`` (the contained worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from churn import compare as C
from churn.errors import ChurnDataError
from churn.explain import DEFAULT_HOLD_OUT, mark_hold_out
from churn.model import DEFAULT_MODEL, train
from churn.sample import CAMPAIGN_FILE, MONTHLY_FILES
from churn.settings import IntakeSettings
from ui import cache
from ui.state import Confirmed, Dataset

_TTL = 4 * 3600
_SMALL = 8
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
#: Sample pairs: the older month -> (old file, new file, campaign file or None).
SAMPLE_PAIRS = {
    "2025-10": (MONTHLY_FILES[0], MONTHLY_FILES[1], CAMPAIGN_FILE),
    "2025-11": (MONTHLY_FILES[1], MONTHLY_FILES[2], None),
}


@dataclass(frozen=True)
class Snapshots:
    """The files of one comparison: two snapshots and the campaign list (or None)."""

    old: Dataset
    new: Dataset
    contacted: Dataset | None = None


def _dataset(name: str | None) -> Dataset | None:
    if name is None:
        return None
    path = SAMPLE_DIR / name
    return Dataset.from_bytes(path.name, path.read_bytes(), is_sample=True)


def sample_snapshots(pair: str) -> Snapshots:
    """The sample files of ``pair`` (a key of :data:`SAMPLE_PAIRS`)."""
    old, new, contacted = SAMPLE_PAIRS[pair]
    return Snapshots(_dataset(old), _dataset(new), _dataset(contacted))


def settings_for(files: Snapshots, conf: Confirmed | None) -> tuple[IntakeSettings, bool]:
    """The settings to build both snapshots with, and whether they are the user's
    confirmed ones (when the confirmed roles fit both files) or the proposal for the
    older file."""
    old = cache.read_dataset(files.old).frame
    new = cache.read_dataset(files.new).frame
    if conf is not None:
        try:
            C.check_reusable(conf.settings, old)
            C.check_reusable(conf.settings, new)
            return conf.settings.with_(snapshot=None), True
        except ChurnDataError:
            pass
    d = files.old
    return IntakeSettings(cache.propose_roles(d.content_hash, d.name, None, d.data)), False


@st.cache_resource(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _tables(key: tuple, _files: Snapshots, _settings: IntakeSettings):
    old = cache.read_dataset(_files.old).frame
    new = cache.read_dataset(_files.new).frame
    return C.snapshot_tables(old, new, _settings)


@st.cache_resource(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _trained(key: tuple, _files: Snapshots, _settings: IntakeSettings):
    """The default model trained on the older snapshot (shared, read-only)."""
    old, _ = _tables(key, _files, _settings)
    return train(old, DEFAULT_MODEL)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _comparison(key: tuple, lang: str, _files: Snapshots, _settings: IntakeSettings):
    """``key``: the two snapshots' key (that of the tables and the model), then the
    campaign file's content hash."""
    old, new = _tables(key[:2], _files, _settings)
    trained = _trained(key[:2], _files, _settings)
    contacted = None
    if _files.contacted is not None:
        contacted = cache.read_dataset(_files.contacted).frame
    return C.compare_snapshots(old, new, trained=trained, contacted=contacted, lang=lang)


def comparison(files: Snapshots, settings: IntakeSettings, lang: str) -> tuple[C.Comparison, str]:
    """``churn.compare.compare_snapshots`` of the two files, risks from the default model
    trained once on the older snapshot (the reasons are redone per language): the
    comparison and the model's registry name."""
    contacted = files.contacted.content_hash if files.contacted is not None else None
    key = (settings.key(files.old.content_hash), files.new.content_hash)
    comp = _comparison((*key, contacted), lang, files, settings)
    return comp, _trained(key, files, settings).name


def table_of(frame: pd.DataFrame) -> pd.DataFrame:
    """A result frame as shown (no copy of the shared cached frame's arrays)."""
    return frame.copy(deep=False)


def with_hold_out(frame: pd.DataFrame) -> pd.DataFrame:
    """The at-risk list with the default seeded 10 % hold-out marked
    (``churn.explain.mark_hold_out``): the download the campaign is measured from."""
    return mark_hold_out(frame, DEFAULT_HOLD_OUT, seed=0)


def column_changes(files: Snapshots) -> dict[str, list[str]]:
    """Columns this month's file added and removed (``churn.compare.column_changes``)."""
    old = cache.read_dataset(files.old).frame
    return C.column_changes(old, cache.read_dataset(files.new).frame)


#: Session key: the files and settings of the last comparison shown on the Changes page
#: (the Report page's "Changes since last month" section is built from it).
LAST = "changes.last"


def remember(files: Snapshots, settings: IntakeSettings) -> None:
    """Keep the Changes page's current comparison for the report (session state)."""
    st.session_state[LAST] = (files, settings)


def last_comparison(lang: str) -> tuple[C.Comparison, Snapshots] | None:
    """The last comparison shown on the Changes page, in ``lang`` (cached), with its files;
    None when none was made in this session."""
    last = st.session_state.get(LAST)
    if last is None:
        return None
    files, settings = last
    return comparison(files, settings, lang)[0], files


def last_files() -> Snapshots | None:
    """The files of the last comparison shown on the Changes page (None: none yet)."""
    last = st.session_state.get(LAST)
    return None if last is None else last[0]


def comparison_key() -> str | None:
    """A text key of the last comparison (settings and the files' content hashes), for
    the report's cache; None when none was made in this session."""
    last = st.session_state.get(LAST)
    if last is None:
        return None
    files, settings = last
    hashes = [d.content_hash for d in (files.new, files.contacted) if d is not None]
    return "|".join([settings.key(files.old.content_hash), *hashes])
