"""Model: Can we predict who leaves, how well, and how many customers should we contact?

:func:`render` draws the settings (features, model, how it is tested) and the train
button, then what the trained model is worth: its quality in words and charts, a
leaderboard of every model on request, the campaign it recommends (no retraining), and
the scores as downloads. Models are trained and cached by ``ui.cache_model``; the page
asks ``ui.workspace.trained_model`` for them, which also keeps them in the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from churn import model as M
from churn.charts import model as charts
from churn.table import CustomerTable
from ui import cache_model as cm
from ui import vega, workspace
from ui.i18n import fmt_date, fmt_int, fmt_money, fmt_pct, lib_text, model_name, t
from ui.pages.model_tune import tune_section
from ui.state import MODEL, Confirmed, get_confirmed, keep_choice
from ui.streamlit_words import uploader_note
from ui.tables import percent_view
from ui.widgets import customer_columns, option_labels, page_header, require_table, show_table


def render() -> None:
    """Settings and training first; the rest of the page needs a trained model."""
    page_header("model")
    table = require_table()
    conf = get_confirmed()
    M.check_trainable(table)

    features, model, split = setup_section(conf, table)
    handle = train_section(conf, features, model, split)
    with st.spinner(t("model.training")):
        tm = workspace.trained_model(handle, table)
    lab = chart_labels()
    quality_section(handle, tm, lab)
    leaderboard_section(conf, table, handle)
    tune_section(conf, table, handle)
    decision_section(handle, tm, table, lab)
    scores_section(handle, tm, table, conf)


def setup_section(conf: Confirmed, table: CustomerTable) -> tuple[list[str], str, str]:
    """Features (leakage suspects out by default), model and split: (features, model, split)."""
    st.subheader(t("model.setup_head"))
    leaks = [(c, r) for c, r in M.leakage_suspects(table) if c in table.frame.columns]
    if leaks:
        listed = ", ".join(c for c, _ in leaks)
        st.warning(t("model.leak_warning", columns=listed), icon=":material/warning:")
    options = list(table.features) + [c for c, _ in leaks if c not in table.features]
    features = st.multiselect(
        t("model.features"),
        options,
        default=list(table.features),
        key="model.features",
        help=t("model.features_help"),
        placeholder=t("widgets.choose_options"),
    )
    left, right = st.columns(2)
    model = left.selectbox(
        t("model.choice"),
        list(M.MODELS),
        format_func=option_labels(M.MODELS, model_name),
        key=keep_choice("model.choice"),
    )
    left.caption(t(f"model.note_{model}"))
    auto = cm.split_for(conf, table, "auto")
    splits = ["time", "cv"] if auto.time_available else ["cv"]
    split = right.radio(
        t("model.split"),
        splits,
        format_func=option_labels(splits, lambda k: t(f"model.split_{k}")),
        key=keep_choice("model.split"),
        horizontal=True,
    )
    if not auto.time_available:
        right.caption(t("model.no_time_split"))
    return features, model, split


def train_section(conf: Confirmed, features: list[str], model: str, split: str) -> dict:
    """The train button; returns the handle of the model to show, or stops the page."""
    if st.button(
        t("model.train"), key="model.train", type="primary", icon=":material/model_training:"
    ):
        if not features:
            st.warning(t("model.need_features"))
            st.stop()
        st.session_state[MODEL] = cm.make_handle(conf, model, tuple(features), split)
    handle = st.session_state.get(MODEL)
    if not handle or handle.get("key") != conf.key:
        st.info(t("model.press_train"), icon=":material/touch_app:")
        st.stop()
    if cm.make_handle(conf, model, tuple(features), split, cm.handle_params(handle)) != handle:
        st.caption(t("model.settings_changed"))
    return handle


def quality_section(handle: dict, tm: M.TrainedModel, lab: dict[str, str]) -> None:
    """How good the model is, in words, in four numbers and in charts at a threshold."""
    st.subheader(t("model.quality_head", model=model_name(tm.name)))
    st.info(split_words(tm), icon=":material/rule:")
    st.caption(balance_words(tm))
    threshold = st.slider(
        t("model.threshold"),
        0.05,
        0.95,
        0.5,
        0.05,
        key="model.threshold",
        help=t("model.threshold_help"),
    )
    ev = cm.evaluation(handle, tm, threshold)
    for col, (label, value, base, meaning) in zip(
        st.columns(4), metric_rows(ev["metrics"]), strict=True
    ):
        col.metric(label, value, help=meaning)
        col.caption(base)
        col.caption(meaning)
    show_evaluation_charts(ev, threshold, lab)
    reliability_section(handle, tm, lab)


def reliability_section(handle: dict, tm: M.TrainedModel, lab: dict[str, str]) -> None:
    """The reliability check in one line; when it re-maps the risks, the reliability
    chart before and after."""
    rel = cm.reliability(handle, tm)
    st.caption(lib_text(rel["words"]))
    if not rel["used"]:
        return
    before, after = st.columns(2)
    before.markdown(f"**{t('honest.cal_before')}**")
    vega.draw(before, charts.calibration_chart(rel["before"], lab), width="stretch")
    after.markdown(f"**{t('honest.cal_after')}**")
    vega.draw(after, charts.calibration_chart(rel["after"], lab), width="stretch")


def leaderboard_section(conf: Confirmed, table: CustomerTable, handle: dict) -> None:
    """Every model cross-validated on the same features, run on request."""
    with st.expander(t("model.lb_head")):
        st.caption(t("model.lb_caption"))
        if st.button(t("model.lb_run"), key="model.lb_run"):
            bar = st.progress(0.0, text=t("model.lb_start"))
            board = cm.leaderboard(conf, table, tuple(handle["features"]), progress_bar(bar))
            bar.empty()
            show_table(leaderboard_display(board), hide_index=True, width="stretch")


def progress_bar(bar: Any) -> Callable[[int, int, str], None]:
    """The leaderboard's progress callback: the model being fitted, shown in ``bar``."""

    def progress(i: int, n: int, name: str) -> None:
        text = t("model.lb_progress", model=name, i=i + 1, n=n) if name else t("model.lb_done")
        bar.progress(min(i / n, 1.0), text=text)

    return progress


def decision_section(
    handle: dict, tm: M.TrainedModel, table: CustomerTable, lab: dict[str, str]
) -> None:
    """From scores to a decision: value, cost, success rate and capacity give the
    recommended campaign and its profit curve (never retrains)."""
    st.subheader(t("model.decision_head"))
    st.caption(t("model.decision_caption"))
    d1, d2, d3, d4 = st.columns(4)
    sources = ["constant", "column"] if table.has_value else ["constant"]
    source = d1.radio(
        t("model.value_source"),
        sources,
        format_func=option_labels(sources, lambda k: t(f"model.value_{k}")),
        key=keep_choice("model.value_source"),
    )
    value = d1.number_input(
        t("model.value"),
        min_value=0.0,
        value=500.0,
        step=50.0,
        key="model.value",
        disabled=source == "column",
    )
    cost = d2.number_input(t("model.cost"), min_value=0.0, value=20.0, step=5.0, key="model.cost")
    success = d3.slider(t("model.success"), 0, 100, 20, 5, key="model.success", format="%d%%")
    capacity = d4.number_input(
        t("model.capacity"),
        min_value=0,
        value=0,
        step=50,
        key="model.capacity",
        help=t("model.capacity_help"),
    )
    curve, rec = cm.decision(
        handle,
        tm,
        table,
        use_column=source == "column",
        value=float(value),
        cost=float(cost),
        success=success / 100,
        capacity=int(capacity) or None,
    )
    if rec.n_contact == 0:
        st.warning(t("model.rec_none"), icon=":material/block:")
    else:
        st.success(recommendation_words(rec), icon=":material/campaign:")
    if rec.limited_by_capacity:
        st.caption(t("model.rec_capacity"))
    vega.draw(
        st,
        charts.profit_chart(curve, rec.n_contact, lab, capacity=int(capacity) or None),
        width="stretch",
    )
    exp = cm.expected(handle, tm, table)
    line = t("honest.expected", n=f"{exp['expected']:,.1f}", active=fmt_int(exp["active"]))
    if exp["value_at_risk"] == exp["value_at_risk"]:  # not NaN: the table has values
        line += " " + t("honest.value_at_risk", value=fmt_money(exp["value_at_risk"]))
    st.markdown(line)
    st.caption(lib_text(cm.scores_note(handle, tm, table)))


def scores_section(handle: dict, tm: M.TrainedModel, table: CustomerTable, conf: Confirmed) -> None:
    """The scores of this table, of a new file with the same columns, and the model itself."""
    st.subheader(t("model.scores_head"))
    s1, s2, s3 = st.columns(3)
    s1.download_button(
        t("model.dl_csv"),
        lambda: cm.export_scores(handle, tm, table, "csv"),
        "churn_scores.csv",
        "text/csv",
        key="model.dl_csv",
    )
    s2.download_button(
        t("model.dl_xlsx"),
        lambda: cm.export_scores(handle, tm, table, "xlsx"),
        "churn_scores.xlsx",
        key="model.dl_xlsx",
    )
    s3.download_button(
        t("model.dl_model"),
        lambda: cm.model_file(handle, tm),
        f"churnlens_{tm.name}.skops",
        key="model.dl_model",
        help=t("model.dl_model_help"),
    )
    upload = st.file_uploader(t("model.upload"), key="model.upload", help=t("model.upload_help"))
    uploader_note(st)  # Streamlit draws the uploader's own words in English
    if upload is not None:
        scored, csv, notes = cm.score_upload(handle, tm, conf, upload.name, upload.getvalue())
        st.caption(t("model.upload_done", n=fmt_int(len(scored)), name=upload.name))
        for note in notes:  # other settings than the model's: say what differs
            st.warning(lib_text(note), icon=":material/tune:")
        shown, pct = percent_view(
            scored.sort_values("risk_rank").head(20), ["risk"], {"risk": t("model.col_risk")}
        )
        show_table(
            shown,
            hide_index=True,
            column_config=customer_columns() | pct | {"risk_rank": t("model.col_risk_rank")},
        )
        st.download_button(
            t("model.dl_upload"),
            csv,
            "new_file_scores.csv",
            "text/csv",
            key="model.dl_upload",
        )


# ------------------------------------------------------------------------------------
# Words and labels (translation and formatting only; no analysis here)
# ------------------------------------------------------------------------------------


def chart_labels() -> dict[str, str]:
    """Translated labels for ``churn.charts.model`` builders."""
    return {k: t(f"model.chart_{k}") for k in charts.DEFAULT_LABELS}


def metric_rows(m: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, value, baseline text, meaning) for each headline metric."""
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
    words = t("model.split_cv_words", folds=sp.folds, n=fmt_int(tm.n_train))
    if sp.copies:  # the same customer under two ids: kept in one fold
        words += " " + t("duplicates.split_kept", n=fmt_int(sp.copies), sets=fmt_int(sp.copy_sets))
    return words


def balance_words(tm: M.TrainedModel) -> str:
    """The class balance and how it is handled, in the user's language."""
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
        vega.draw(tab, built[key], width="stretch")
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
    out = board.assign(label=board["model"].map(model_name))
    out = out[list(LEADERBOARD_COLUMNS)].round(3)
    return out.rename(columns={c: t(f"model.lb_col_{c}") for c in LEADERBOARD_COLUMNS})
