"""Cached wrappers and small display helpers for the Model page.

Same conventions as ``ui/cache.py``: every cached function is keyed on the confirmed
dataset's text key (``Confirmed.key``: content hash + roles + settings) plus the model
settings; the customer table and the fitted model are passed as underscore arguments so
Streamlit never hashes a large frame (DESIGN rule 7). The fitted model lives in
``st.cache_resource`` (one object shared by every session: never mutate it); a rerun or
another page asking for the same settings gets the same object without retraining.

Other pages fetch the current model with :func:`current_model`: the Model page stores a
small settings dict (the *handle*) under ``ui.state.MODEL``, never the model itself.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from churn import model as M
from churn.table import CustomerTable
from ui import cache
from ui.i18n import t
from ui.state import MODEL, RESTORED_MODEL, Confirmed, Dataset
from ui.widgets import fast

_TTL = 4 * 3600  # seconds
_MODELS = 8  # fitted models kept (each a few MB)
_SMALL = 64  # small result frames
_LISTS = 16  # per-customer frames (as long as the table)

#: What identifies a trained model: (dataset key, model name, features, split kind).
Settings = tuple[str, str, tuple[str, ...], str]


def make_handle(conf: Confirmed, model: str, features: tuple[str, ...], split: str) -> dict:
    """The small, serialisable settings dict the Model page keeps in ``state.MODEL``."""
    return {"key": conf.key, "model": model, "features": tuple(features), "split": split}


def settings_of(handle: dict) -> Settings:
    return (handle["key"], handle["model"], tuple(handle["features"]), handle["split"])


@st.cache_resource(max_entries=_MODELS, ttl=_TTL, show_spinner=False)
def _train(
    key: str, model: str, features: tuple[str, ...], split: str, _table: CustomerTable
) -> M.TrainedModel:
    spec = M.choose_split(_table, prefer=split)  # type: ignore[arg-type]
    return M.train(_table, model=model, features=list(features), split=spec)


def trained_model(handle: dict, table: CustomerTable) -> M.TrainedModel:
    """The fitted model for ``handle`` (trained once per dataset key and settings).

    A model read back from a saved workspace (``ui.workspace.restore``) is used as it is
    when its settings match, instead of training again.
    """
    restored = st.session_state.get(RESTORED_MODEL)
    if restored is not None and restored[0] == settings_of(handle):
        return restored[1]
    tm = _train(*settings_of(handle), table)
    from ui.workspace import autosave

    autosave("model", model=tm, handle=handle)  # no-op once this model is saved
    return tm


def current_model(ds: Dataset | None, conf: Confirmed | None) -> M.TrainedModel | None:
    """The model the user trained on the Model page for this dataset, or None.

    For other pages (Explanations, What-if): the same cached object, never a retrain
    unless the cache expired.
    """
    handle = st.session_state.get(MODEL)
    if not handle or ds is None or conf is None or handle.get("key") != conf.key:
        return None
    return trained_model(handle, cache.customer_table(ds, conf))


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


@st.cache_resource(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _scores(settings: Settings, _tm: M.TrainedModel, _table: CustomerTable) -> pd.Series:
    # one shared, read-only series: st.cache_data would unpickle a million scores and
    # customer ids on every rerun of every page that shows a risk (0.1 s at 1M)
    risk = M.score(_tm, _table)
    risk.to_numpy().flags.writeable = False
    return risk


def scores(handle: dict, tm: M.TrainedModel, table: CustomerTable) -> pd.Series:
    """Risk of every customer of the confirmed table, indexed by customer_id."""
    return _scores(settings_of(handle), tm, table).copy(deep=False)


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
        _scores(settings, _tm, _table),
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
    return _decision(settings_of(handle), use_column, value, cost, success, capacity, tm, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _leaderboard(key: str, features: tuple[str, ...], _table: CustomerTable, _bar) -> pd.DataFrame:
    def progress(i: int, n: int, name: str) -> None:
        text = t("model.lb_progress", model=name, i=i + 1, n=n) if name else t("model.lb_done")
        _bar.progress(min(i / n, 1.0), text=text)

    return M.leaderboard(_table, features=list(features), progress=progress)


def leaderboard(
    conf: Confirmed, table: CustomerTable, features: tuple[str, ...], bar
) -> pd.DataFrame:
    """``churn.model.leaderboard`` (5-fold CV of every model) with a progress bar."""
    return _leaderboard(conf.key, tuple(features), table, bar)


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _export(settings: Settings, kind: str, _tm: M.TrainedModel, _table: CustomerTable) -> bytes:
    risk = _scores(settings, _tm, _table)
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
    settings: Settings, upload_hash: str, name: str, _data: bytes, _tm: M.TrainedModel, _roles
) -> tuple[pd.DataFrame, bytes]:
    scored = M.score_new_file(_tm, _data, name=name, roles=_roles)
    return scored, M.scores_bytes(scored, "csv")


def score_upload(
    handle: dict, tm: M.TrainedModel, conf: Confirmed, name: str, data: bytes
) -> tuple[pd.DataFrame, bytes]:
    """Scores of an uploaded file with the same columns (frame and formula-safe CSV bytes),
    keyed on the file's content hash."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    return _score_upload(settings_of(handle), digest, name, data, tm, conf.roles)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _model_file(settings: Settings, _tm: M.TrainedModel) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        return M.save_model(_tm, Path(tmp) / "model.skops").read_bytes()


def model_file(handle: dict, tm: M.TrainedModel) -> bytes:
    """The trained model as a skops file (for ``python -m churn score --model-file``)."""
    return _model_file(settings_of(handle), tm)


def chart_labels() -> dict[str, str]:
    """Translated labels for ``churn.charts.model`` builders."""
    from churn.charts.model import DEFAULT_LABELS

    return {k: t(f"model.chart_{k}") for k in DEFAULT_LABELS}


def metric_rows(m: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, value, baseline text, meaning) for each headline metric."""
    from ui.i18n import fmt_pct

    return [
        (
            t("model.m_roc_auc"),
            f"{m['roc_auc']:.3f}",
            t("model.base_roc_auc"),
            t("model.mean_roc_auc", pct=fmt_pct(m["roc_auc"], 0)),
        ),
        (
            t("model.m_pr_auc"),
            f"{m['pr_auc']:.3f}",
            t("model.base_pr_auc", base=f"{m['base_rate']:.3f}"),
            t("model.mean_pr_auc"),
        ),
        (
            t("model.m_brier"),
            f"{m['brier']:.3f}",
            t("model.base_brier", base=f"{m['brier_baseline']:.3f}"),
            t("model.mean_brier"),
        ),
        (
            t("model.m_lift"),
            f"{m['top_decile_lift']:.2f}×",
            t("model.base_lift"),
            t("model.mean_lift", lift=f"{m['top_decile_lift']:.1f}"),
        ),
    ]


def split_words(tm: M.TrainedModel) -> str:
    """How the model was tested, in the user's language."""
    from ui.i18n import fmt_date, fmt_int, fmt_pct

    sp = tm.split
    if sp.kind == "time":
        words = t(
            "model.split_time_words",
            train=fmt_int(sp.n_train),
            test=fmt_int(sp.n_test),
            cutoff=fmt_date(sp.cutoff),
            share=fmt_pct(sp.test_share, 0),
        )
        if sp.rates_differ:
            words += " " + t(
                "model.split_rates_differ",
                test_rate=fmt_pct(sp.test_rate),
                train_rate=fmt_pct(sp.train_rate),
            )
        return words
    return t("model.split_cv_words", folds=sp.folds, n=fmt_int(tm.n_train))


def balance_words(tm: M.TrainedModel) -> str:
    """The class balance and how it is handled, in the user's language."""
    from ui.i18n import fmt_int, fmt_pct

    cb = tm.class_balance
    return t(
        "model.balance",
        pct=fmt_pct(cb["base_rate"]),
        churned=fmt_int(cb["n_churned"]),
        n=fmt_int(tm.n_train),
        seconds=f"{tm.fit_seconds:.1f}",
    )


def recommendation_words(rec: M.Decision) -> str:
    """The recommended campaign in one sentence."""
    from ui.i18n import fmt_int, fmt_money, fmt_pct

    return t(
        "model.rec_words",
        n=fmt_int(rec.n_contact),
        total=fmt_int(rec.n_total),
        threshold=f"{rec.threshold:.2f}",
        saved=f"{rec.expected_saved:,.1f}",
        cost=fmt_money(rec.campaign_cost),
        value=fmt_money(rec.value_saved),
        profit=fmt_money(rec.expected_profit),
        roi=fmt_pct(rec.roi, 0) if rec.campaign_cost else "–",
    )


TABS = ("roc", "pr", "cal", "gains", "lift", "dist", "conf")


def show_evaluation_charts(ev: dict, threshold: float, lab: dict[str, str]) -> None:
    """The evaluation charts in tabs, each with a caption saying how to read it."""
    from churn.charts import model as charts
    from ui.i18n import fmt_int

    built = {
        "roc": charts.roc_chart(ev["roc"], lab),
        "pr": charts.pr_chart(ev["pr"], lab),
        "cal": charts.calibration_chart(ev["calibration"], lab),
        "gains": charts.gains_chart(ev["gains"], lab),
        "lift": charts.lift_chart(ev["gains"], lab),
        "dist": charts.score_distribution_chart(ev["distribution"], lab),
        "conf": charts.confusion_chart(ev["confusion"], lab),
    }
    m = ev["metrics"]
    for tab, key in zip(st.tabs([t(f"model.tab_{k}") for k in TABS]), TABS, strict=True):
        tab.altair_chart(fast(built[key]), width="stretch")
        if key == "conf":
            tab.caption(
                t(
                    "model.confusion_words",
                    threshold=f"{threshold:.2f}",
                    tp=fmt_int(m["tp"]),
                    fp=fmt_int(m["fp"]),
                    fn=fmt_int(m["fn"]),
                )
            )
        else:
            tab.caption(t(f"model.cap_{key}"))


LEADERBOARD_COLUMNS = (
    "label",
    "roc_auc",
    "roc_auc_std",
    "pr_auc",
    "base_rate",
    "brier",
    "log_loss",
    "top_decile_lift",
    "fit_seconds",
)


def leaderboard_display(board: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard with translated model names and column titles, numbers rounded."""
    out = board.assign(label=board["model"].map(lambda n: t(f"model.name_{n}")))
    out = out[list(LEADERBOARD_COLUMNS)].round(3)
    return out.rename(columns={c: t(f"model.lb_col_{c}") for c in LEADERBOARD_COLUMNS})
