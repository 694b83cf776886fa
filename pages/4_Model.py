"""Model: Can we predict who leaves, how well, and how many customers should we contact?"""

from __future__ import annotations

import streamlit as st

from churn import model as M
from churn.charts import model as charts
from ui import cache_model as cm
from ui.errors import boundary
from ui.i18n import fmt_int, t
from ui.state import MODEL, bootstrap, get_confirmed, keep_choice
from ui.widgets import customer_columns, fast, option_labels, page_header, require_table, show_table

bootstrap("model")

with boundary("model"):
    page_header("model")
    table = require_table()
    conf = get_confirmed()
    M.check_trainable(table)

    # --- settings: features (leakage suspects out by default), model, split
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
    )
    left, right = st.columns(2)
    model = left.selectbox(
        t("model.choice"),
        list(M.MODELS),
        format_func=option_labels(M.MODELS, lambda n: t(f"model.name_{n}")),
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
    if cm.make_handle(conf, model, tuple(features), split) != handle:
        st.caption(t("model.settings_changed"))
    with st.spinner(t("model.training")):
        tm = cm.trained_model(handle, table)

    # --- how good is it, in words
    st.subheader(t("model.quality_head", model=t(f"model.name_{tm.name}")))
    st.info(cm.split_words(tm), icon=":material/rule:")
    st.caption(cm.balance_words(tm))
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
        st.columns(4), cm.metric_rows(ev["metrics"]), strict=True
    ):
        col.metric(label, value, help=meaning)
        col.caption(base)
    lab = cm.chart_labels()
    cm.show_evaluation_charts(ev, threshold, lab)

    with st.expander(t("model.lb_head")):
        st.caption(t("model.lb_caption"))
        if st.button(t("model.lb_run"), key="model.lb_run"):
            bar = st.progress(0.0, text=t("model.lb_start"))
            board = cm.leaderboard(conf, table, tuple(handle["features"]), bar)
            bar.empty()
            show_table(cm.leaderboard_display(board), hide_index=True, width="stretch")

    # --- from scores to a decision (never retrains)
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
        st.success(cm.recommendation_words(rec), icon=":material/campaign:")
    if rec.limited_by_capacity:
        st.caption(t("model.rec_capacity"))
    st.altair_chart(
        fast(charts.profit_chart(curve, rec.n_contact, lab, capacity=int(capacity) or None)),
        width="stretch",
    )

    # --- scores: this table, a new file, the model itself
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
    if upload is not None:
        scored, csv = cm.score_upload(handle, tm, conf, upload.name, upload.getvalue())
        st.caption(t("model.upload_done", n=fmt_int(len(scored)), name=upload.name))
        show_table(
            scored.sort_values("risk_rank").head(20),
            hide_index=True,
            column_config=customer_columns()
            | {
                "risk": st.column_config.NumberColumn(t("model.col_risk"), format="percent"),
                "risk_rank": t("model.col_risk_rank"),
            },
        )
        st.download_button(
            t("model.dl_upload"),
            csv,
            "new_file_scores.csv",
            "text/csv",
            key="model.dl_upload",
        )
