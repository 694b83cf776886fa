"""The Model page's "Tune LightGBM" control: a time budget, a button, progress, then the
default and tuned settings side by side on the leaderboard's folds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from churn.table import CustomerTable
from ui import cache_model as cm
from ui import cache_tune as ct
from ui.i18n import lib_text, model_name, t
from ui.state import MODEL, Confirmed
from ui.widgets import show_table

#: The seconds the budget box offers first (the library's default).
DEFAULT_BUDGET = 20


def tune_section(conf: Confirmed, table: CustomerTable, handle: dict) -> None:
    """Which model is in use (default or tuned, and a way back); tune on request: the
    comparison with the default stays on screen for this run, with a button that makes the
    tuned model the one every page uses."""
    in_use_section(conf, handle)
    with st.expander(t("model_tune.head")):
        st.caption(t("model_tune.caption"))
        budget = st.number_input(
            t("model_tune.budget"),
            min_value=5,
            max_value=300,
            value=DEFAULT_BUDGET,
            step=5,
            key="model_tune.budget",
        )
        if not st.button(t("model_tune.run"), key="model_tune.run"):
            return
        feats = tuple(handle["features"])
        bar = st.progress(0.0, text=t("model_tune.start"))
        result = ct.tuned(conf, table, feats, float(budget), tune_progress(bar))
        st.write(lib_text(result.summary()))
        if not result.improved:
            bar.empty()
            st.info(t("model_tune.no_better"))
            return
        board = ct.compare(conf, table, feats, result.params, compare_progress(bar))
        bar.empty()
        st.markdown(t("model_tune.compare_head"))
        show_table(tuned_display(board), hide_index=True, width="stretch")
        st.caption(t("model_tune.params", **settings_words(result.params)))
        if cm.handle_params(handle) != dict(cm.params_key(result.params)):
            st.button(
                t("model_use.use"),
                key="model_use.use",
                help=t("model_use.use_help"),
                type="primary",
                on_click=use_model,
                args=(conf, handle, dict(result.params)),
            )


def in_use_section(conf: Confirmed, handle: dict) -> None:
    """One line saying which model every page uses; with a tuned one, the way back."""
    params = cm.handle_params(handle)
    if not params:
        st.caption(t("model_use.in_use_default", model=model_name(handle["model"])))
        return
    st.info(
        t(
            "model_use.in_use_tuned",
            model=t("model_tune.tuned_name", model="LightGBM"),
            **settings_words(params),
        ),
        icon=":material/tune:",
    )
    st.button(t("model_use.back"), key="model_use.back", on_click=use_model, args=(conf, handle))


def use_model(conf: Confirmed, handle: dict, params: dict | None = None) -> None:
    """Make LightGBM with ``params`` (None: the default settings of the handle's model) the
    model of the session: the handle keys the trained model, so every page follows."""
    model = "lightgbm" if params else handle["model"]
    feats, split = tuple(handle["features"]), handle["split"]
    st.session_state[MODEL] = cm.make_handle(conf, model, feats, split, params)


def tune_progress(bar: Any) -> Callable[[int, int, str], None]:
    """The search's progress callback: fits done out of planned, shown in ``bar``."""

    def progress(done: int, total: int, stage: str) -> None:
        text = t("model_tune.progress", i=done, n=total) if stage else t("model_tune.done")
        bar.progress(min(done / max(total, 1), 1.0), text=text)

    return progress


def compare_progress(bar: Any) -> Callable[[int, int, str], None]:
    """The comparison's progress callback (the leaderboard's words)."""

    def progress(i: int, n: int, name: str) -> None:
        shown = t("model_tune.tuned_name", model="LightGBM")
        if name == "lightgbm":
            shown = model_name(name)
        text = t("model.lb_progress", model=shown, i=i + 1, n=n) if name else t("model.lb_done")
        bar.progress(min(i / max(n, 1), 1.0), text=text)

    return progress


#: The comparison's columns (titles from the leaderboard's catalogue).
COMPARE_COLUMNS = ("label", "roc_auc", "roc_auc_std", "pr_auc", "brier", "log_loss")


def tuned_display(board: pd.DataFrame) -> pd.DataFrame:
    """The default and tuned rows, the tuned one named "LightGBM (tuned)"."""
    tuned = board["tuned"].to_numpy(dtype=bool)
    names = [
        t("model_tune.tuned_name", model="LightGBM") if is_t else model_name(m)
        for m, is_t in zip(board["model"], tuned, strict=True)
    ]
    out = board.assign(label=names)[list(COMPARE_COLUMNS)].round(3)
    return out.rename(columns={c: t(f"model.lb_col_{c}") for c in COMPARE_COLUMNS})


def settings_words(params: dict) -> dict[str, Any]:
    """The tuned settings as the ``model_tune.params`` sentence's values."""
    return {
        "leaves": params["num_leaves"],
        "trees": params["n_estimators"],
        "rate": params["learning_rate"],
        "child": params["min_child_samples"],
    }
