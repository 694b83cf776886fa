"""Cached wrappers of :mod:`churn.model`: training, evaluation, scores and exports.

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. Same conventions as ``ui/cache.py``: every cached function is keyed on the confirmed
dataset's text key (``Confirmed.key``: content hash + roles + settings) plus the model
settings; the customer table and the fitted model are passed as underscore arguments so
Streamlit never hashes a large frame (DESIGN rule 7). The fitted model lives in
``st.cache_resource`` (one object shared by every session: never mutate it); a rerun or
another page asking for the same settings gets the same object without retraining.

The Model page stores a small settings dict (the *handle*, :func:`make_handle`) under
``ui.state.MODEL``, never the model itself. Pages ask ``ui.workspace.trained_model`` /
``current_model`` for the model: they call :func:`restored_model` / :func:`train` here
and save a newly trained model to the session's workspace.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from churn import model as M
from churn.contain.call import call_contained
from churn.contain.train import train_contained
from churn.table import CustomerTable
from ui import jobs
from ui.state import RESTORED_MODEL, Confirmed

_TTL = 4 * 3600  # seconds
_MODELS = 8  # fitted models kept (each a few MB)
_SMALL = 64  # small result frames
_LISTS = 16  # per-customer frames (as long as the table)

#: What identifies a trained model: (dataset key, model name, features, split kind, the
#: estimator's settings that replace the registry's as sorted (name, value) pairs: empty
#: for the default model, a tuned LightGBM's ``churn.model.tuning`` result otherwise).
Settings = tuple[str, str, tuple[str, ...], str, tuple[tuple[str, Any], ...]]


def params_key(params: Any) -> tuple[tuple[str, Any], ...]:
    """Estimator settings (a dict, or pairs as a saved JSON handle holds them) as sorted,
    hashable (name, value) pairs; empty for none."""
    items = params.items() if isinstance(params, dict) else (params or ())
    # numpy scalars (a search's results) as plain numbers: the handle is saved as JSON
    return tuple(sorted((str(k), getattr(v, "item", lambda v=v: v)()) for k, v in items))


def make_handle(
    conf: Confirmed,
    model: str,
    features: tuple[str, ...],
    split: str,
    params: dict | None = None,
) -> dict:
    """The small, serialisable settings dict the Model page keeps in ``state.MODEL``;
    ``params`` (a tuned LightGBM's settings) are part of it, so they key the model."""
    handle = {"key": conf.key, "model": model, "features": tuple(features), "split": split}
    if params:
        handle["params"] = params_key(params)
    return handle


def settings_of(handle: dict) -> Settings:
    return (
        handle["key"],
        handle["model"],
        tuple(handle["features"]),
        handle["split"],
        params_key(handle.get("params")),
    )


def handle_params(handle: dict | None) -> dict:
    """The estimator settings of ``handle`` ({} for the default model)."""
    return dict(params_key((handle or {}).get("params")))


@st.cache_resource(max_entries=_MODELS, ttl=_TTL, show_spinner=False)
def _train(
    key: str,
    model: str,
    features: tuple[str, ...],
    split: str,
    params: tuple[tuple[str, Any], ...],
    _table: CustomerTable,
) -> M.TrainedModel:
    spec = M.choose_split(_table, prefer=split)  # type: ignore[arg-type]
    # in a worker process: a crash, a memory runaway or a hang costs only this job
    return train_contained(
        _table, model=model, features=list(features), split=spec, params=dict(params) or None
    )


def restored_model(handle: dict) -> M.TrainedModel | None:
    """The model read back from a saved workspace (``ui.workspace.restore``) when its
    settings match ``handle`` (used as it is instead of training again), else None."""
    restored = st.session_state.get(RESTORED_MODEL)
    if restored is not None and restored[0] == settings_of(handle):
        return restored[1]
    return None


def train(handle: dict, table: CustomerTable) -> M.TrainedModel:
    """The fitted model for ``handle`` (trained once per dataset key and settings)."""
    s = settings_of(handle)
    return jobs.once(("train", *s), lambda: _train(*s, table))


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _split(key: str, prefer: str, _table: CustomerTable) -> M.SplitSpec:
    return M.choose_split(_table, prefer=prefer)  # type: ignore[arg-type]


def split_for(conf: Confirmed, table: CustomerTable, prefer: str) -> M.SplitSpec:
    """``churn.model.choose_split`` for the confirmed dataset."""
    return _split(conf.key, prefer, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _curves(settings: Settings, _tm: M.TrainedModel) -> dict:
    """What does not depend on the threshold (computed once per model)."""
    p = _tm.predictions
    y, s = p["churned"], p["score"]
    return {
        "metrics": M.evaluate(y, s),
        "roc": M.roc_frame(y, s),
        "pr": M.pr_frame(y, s),
        "calibration": M.calibration_frame(y, s),
        "gains": M.gains_frame(y, s),
        "distribution": M.score_distribution(y, s),
    }


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _evaluation(settings: Settings, threshold: float, _tm: M.TrainedModel) -> dict:
    p = _tm.predictions
    y, s = p["churned"], p["score"]
    out = dict(_curves(settings, _tm))
    out["metrics"] = {**out["metrics"], **M.threshold_counts(y, s, threshold)}
    out["confusion"] = M.confusion_frame(y, s, threshold)
    return out


def evaluation(handle: dict, tm: M.TrainedModel, threshold: float) -> dict:
    """Evaluation frames (hold-out or out-of-fold scores) at ``threshold``."""
    return _evaluation(settings_of(handle), float(threshold), tm)


@st.cache_resource(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _calibration(settings: Settings, _tm: M.TrainedModel) -> M.Calibration:
    return M.calibration_of(_tm)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _reliability(settings: Settings, _tm: M.TrainedModel) -> dict:
    cal = _calibration(settings, _tm)
    p = _tm.predictions
    p = p[p["score"].notna()]
    y = p["churned"].to_numpy(dtype=float)
    return {
        "words": cal.words(),
        "used": cal.used,
        "before": M.calibration_frame(y, p["score"].to_numpy(dtype=float)),
        "after": M.calibration_frame(y, cal.cross_fitted),
    }


def reliability(handle: dict, tm: M.TrainedModel) -> dict:
    """The reliability check (``churn.model.calibration_of``): ``words`` (one sentence),
    ``used`` (a map re-maps the risks) and the reliability frames ``before`` / ``after``
    (the evaluation scores raw and re-mapped out of fold)."""
    return _reliability(settings_of(handle), tm)


@st.cache_resource(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _scores(settings: Settings, _tm: M.TrainedModel, _table: CustomerTable) -> pd.Series:
    # one shared, read-only series: st.cache_data would unpickle a million scores and
    # customer ids on every rerun of every page that shows a risk (0.1 s at 1M).
    # Out of fold for the customers the model learned from (churn.model.honest_risk).
    # The labelled customers a time split did not evaluate are cross-fitted (a model per
    # fold): training, so in a worker process (churn.contain.call), off the server's thread.
    risk = call_contained(
        M.honest_risk,
        _tm,
        _table,
        calibration=_calibration(settings, _tm),
        size=table_bytes(_table),
    )
    risk.to_numpy().flags.writeable = False
    return risk


def _risk(settings: Settings, tm: M.TrainedModel, table: CustomerTable) -> pd.Series:
    """:func:`_scores` computed once across sessions, in the job queue (``ui.jobs.once``;
    inside another queued job it runs in that job's slot)."""
    return jobs.once(("scores", *settings), lambda: _scores(settings, tm, table))


def scores(handle: dict, tm: M.TrainedModel, table: CustomerTable) -> pd.Series:
    """Honest risk of every customer of the confirmed table, indexed by customer_id:
    out of fold for the customers the model learned from, calibrated when the check
    calls for it (``churn.model.honest_risk``; ``attrs`` say where each came from)."""
    return _risk(settings_of(handle), tm, table).copy(deep=False)


def scores_note(handle: dict, tm: M.TrainedModel, table: CustomerTable) -> str:
    """One sentence saying where :func:`scores` come from (library text, not localized)."""
    return M.honest_note(_risk(settings_of(handle), tm, table))


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _expected(settings: Settings, _tm: M.TrainedModel, _table: CustomerTable) -> dict:
    return M.expected_among_active(_table, _risk(settings, _tm, _table))


def expected(handle: dict, tm: M.TrainedModel, table: CustomerTable) -> dict:
    """``churn.model.expected_among_active`` with the honest :func:`scores`."""
    return _expected(settings_of(handle), tm, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _decision(
    settings: Settings,
    use_column: bool,
    value: float,
    cost: float,
    success: float,
    capacity: int | None,
    _tm: M.TrainedModel,
    _table: CustomerTable,
) -> tuple[pd.DataFrame, M.Decision]:
    curve = M.table_profit_curve(
        _table,
        _risk(settings, _tm, _table),
        value_per_customer=None if use_column else value,
        offer_cost=cost,
        success_rate=success,
        capacity=capacity,
    )
    return curve, M.recommend(curve)


def decision(
    handle: dict,
    tm: M.TrainedModel,
    table: CustomerTable,
    *,
    use_column: bool,
    value: float,
    cost: float,
    success: float,
    capacity: int | None,
) -> tuple[pd.DataFrame, M.Decision]:
    """Profit curve and recommendation over customers not yet churned (no retraining)."""
    s = settings_of(handle)
    return jobs.once(
        ("decision", *s, use_column, value, cost, success, capacity),
        lambda: _decision(s, use_column, value, cost, success, capacity, tm, table),
    )


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _leaderboard(
    key: str, features: tuple[str, ...], _table: CustomerTable, _progress
) -> pd.DataFrame:
    # in a worker process (churn.contain.call): every model's cross-validation off the
    # server's thread; the progress comes back to this page's bar
    return call_contained(
        M.leaderboard, _table, features=list(features), progress=_progress, size=table_bytes(_table)
    )


def table_bytes(table: CustomerTable) -> int:
    """Bytes of the customer table's frame (what a worker's memory cap grows with)."""
    return int(table.frame.memory_usage(deep=True).sum())


def leaderboard(
    conf: Confirmed, table: CustomerTable, features: tuple[str, ...], progress
) -> pd.DataFrame:
    """``churn.model.leaderboard`` (5-fold CV of every model); ``progress(i, n, name)`` is
    called as each model is fitted (the page draws it)."""
    feats = tuple(features)
    return jobs.once(
        ("leaderboard", conf.key, feats), lambda: _leaderboard(conf.key, feats, table, progress)
    )


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _export(settings: Settings, kind: str, _tm: M.TrainedModel, _table: CustomerTable) -> bytes:
    risk = _risk(settings, _tm, _table)
    frame = _table.frame
    out = pd.DataFrame(
        {
            "customer_id": risk.index,
            "risk": risk.to_numpy(),
            "label_status": frame["label_status"].to_numpy(),
        }
    ).sort_values("risk", ascending=False, kind="mergesort")
    return M.scores_bytes(out, kind)


def export_scores(handle: dict, tm: M.TrainedModel, table: CustomerTable, kind: str) -> bytes:
    """Every customer's risk, riskiest first, as formula-safe CSV or XLSX bytes."""
    return _export(settings_of(handle), kind, tm, table)


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _score_upload(
    settings: Settings,
    upload_hash: str,
    intake_key: str,
    name: str,
    _data: bytes,
    _tm: M.TrainedModel,
    _intake,
) -> tuple[pd.DataFrame, bytes, tuple]:
    scored = M.score_new_file(_tm, _data, name=name, settings=_intake)  # the confirmed ones
    # the notes travel beside the frame: a cached frame's attrs are not part of its data
    notes = tuple(scored.attrs.get("notes") or ())
    return scored, M.scores_bytes(scored, "csv"), notes


def score_upload(
    handle: dict, tm: M.TrainedModel, conf: Confirmed, name: str, data: bytes
) -> tuple[pd.DataFrame, bytes, tuple]:
    """Scores of an uploaded file with the same columns (frame, formula-safe CSV bytes and
    the notes of ``churn.model.score_new_file``: how the settings used differ from the
    model's), keyed on the file's content hash. The file is read with every intake
    setting confirmed (roles, snapshot, inactivity window, value unit), not the roles only."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    intake_key = json.dumps(conf.settings.to_dict(), sort_keys=True, default=str)
    return _score_upload(settings_of(handle), digest, intake_key, name, data, tm, conf.settings)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _model_file(settings: Settings, _tm: M.TrainedModel) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        return M.save_model(_tm, Path(tmp) / "model.skops").read_bytes()


def model_file(handle: dict, tm: M.TrainedModel) -> bytes:
    """The trained model as a skops file (for ``python -m churn score --model-file``)."""
    return _model_file(settings_of(handle), tm)
