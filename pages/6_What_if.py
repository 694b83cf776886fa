"""What if: What would it take to keep this customer, and what would a campaign be worth?"""

from __future__ import annotations

import streamlit as st

from churn.charts import whatif as charts
from churn.export import to_csv_bytes
from churn.whatif import compare_scenarios
from ui import cache_whatif as cw
from ui.cache_model import current_model
from ui.errors import boundary
from ui.i18n import current_lang, fmt_int, fmt_money, fmt_pct, t
from ui.state import SCENARIOS, bootstrap, get_confirmed, get_dataset
from ui.widgets import fast, page_header, require_table

bootstrap("whatif")

with boundary("whatif"):
    page_header("whatif")
    table = require_table()
    conf = get_confirmed()
    with st.spinner(t("whatif.training")):
        tm = current_model(get_dataset(), conf)
    if tm is None:
        st.info(t("whatif.need_model"), icon=":material/model_training:")
        if st.button(t("whatif.train_default"), key="whatif.train", type="primary"):
            cw.train_default(conf, table)
            st.rerun()
        st.stop()
    h = cw.handle()
    sp = cw.space(h, tm, table)
    lab = cw.chart_labels()
    st.caption(t("whatif.model_used", model=tm.label))
    links = cw.links(h, tm, table)
    # numbers that go with a category (days to renewal with the contract) move with it
    move_linked = st.checkbox(
        t("whatif.move_linked"), value=True, key="whatif.move_linked",
        help=t("whatif.move_linked_help"),
    )  # fmt: skip
    one, seg = st.tabs([t("whatif.tab_one"), t("whatif.tab_segment")])

    with one:
        left, right = st.columns([1, 2])
        customer = cw.customer_picker(left, h, tm, table)
        acts = right.multiselect(
            t("whatif.actionable"),
            sp["feature"].tolist(),
            default=sp.loc[sp["actionable"], "feature"].tolist(),
            key="whatif.actionable",
            help=t("whatif.actionable_help"),
        )
        unlocked = st.toggle(t("whatif.unlock"), key="whatif.unlock")
        current = cw.current_values(tm, table, customer)
        changes = cw.feature_form(sp, current, acts, unlocked, customer)
        st.button(t("whatif.reset"), key="whatif.reset", on_click=cw.reset, icon=":material/undo:")

        res = cw.what_if(h, tm, table, sp, customer, changes, current_lang(), move_linked)
        m1, m2, m3 = st.columns(3)
        m1.metric(t("whatif.before"), fmt_pct(res.before))
        m2.metric(
            t("whatif.after"),
            fmt_pct(res.after),
            delta=t("whatif.points", points=f"{res.delta * 100:+.1f}"),
            delta_color="inverse",
        )
        m3.metric(t("whatif.n_changes"), fmt_int(len(res.changes)))
        if res.changes:
            st.caption(cw.option_words(res.changes))
            linked_note = (
                cw.linked_caption(res) if move_linked else cw.linked_kept(links, changes, current)
            )
            if linked_note:
                st.caption(linked_note)
            if res.moved is not None:
                st.markdown(f"**{t('whatif.moved_head')}**")
                st.altair_chart(fast(charts.moved_chart(res.moved, lab)), width="stretch")
                r1, r2 = st.columns(2)
                r1.markdown(
                    f"**{t('whatif.reasons_before')}**\n\n" + cw.reason_texts(res.reasons_before)
                )
                r2.markdown(
                    f"**{t('whatif.reasons_after')}**\n\n" + cw.reason_texts(res.reasons_after)
                )
        if res.moved is None:
            st.caption(t("whatif.no_explain"))

        # --- suggestions
        st.subheader(t("whatif.suggest_head"))
        target = st.slider(
            t("whatif.target"), 0, 100, 30, 1, key="whatif.target", format="%d%%"
        )  # fmt: skip
        sug = cw.suggest(h, tm, table, sp, customer, target / 100, acts, move_linked)
        if sug.before < sug.target:
            st.success(t("whatif.already_below", risk=fmt_pct(sug.before)))
        elif sug.reached:
            st.success(t("whatif.reached", n=len(sug.options), target=fmt_pct(sug.target)))
            st.markdown("\n".join(f"- {line}" for line in cw.suggestion_lines(sug)))
        else:
            st.warning(
                t("whatif.not_reached", target=fmt_pct(sug.target), best=fmt_pct(sug.best_risk))
            )
            if len(sug.options):
                st.markdown("\n".join(f"- {line}" for line in cw.suggestion_lines(sug)))
        st.caption(t("whatif.suggest_caption", n=fmt_int(sug.searched)))

        # --- scenarios
        st.subheader(t("whatif.scenarios_head"))
        store = st.session_state[SCENARIOS]
        a, b = st.columns([3, 1])
        name = a.text_input(
            t("whatif.scenario_name"),
            key="whatif.scenario_name",
            placeholder=t("whatif.scenario_placeholder"),
        )
        b.write("")
        if b.button(t("whatif.save"), key="whatif.save", icon=":material/bookmark_add:"):
            if name.strip():
                cw.save_scenario(store, name.strip(), res)
                st.toast(t("whatif.saved", name=name.strip()))
            else:
                st.warning(t("whatif.need_name"))
        if store:
            compared = compare_scenarios(list(store.values()))
            pct = st.column_config.NumberColumn(format="percent")
            st.dataframe(
                cw.compare_display(compared),
                hide_index=True,
                column_config={
                    t("whatif.col_before"): pct,
                    t("whatif.col_after"): pct,
                    t("whatif.col_delta"): st.column_config.NumberColumn(format="%+.1f"),
                },
            )
            st.altair_chart(fast(charts.scenarios_chart(compared, lab)), width="stretch")
            if st.button(t("whatif.clear"), key="whatif.clear"):
                store.clear()
                st.rerun()
        else:
            st.caption(t("whatif.no_scenarios"))

    with seg:
        st.caption(t("whatif.seg_intro"))
        ctl = cw.segment_controls(sp, acts, table)
        sres = cw.segment(
            h,
            tm,
            table,
            sp,
            column=ctl["column"],
            values=ctl["values"],
            top_n=ctl["top_n"],
            kind=ctl["kind"],
            target=ctl["target"],
            amount=ctl["amount"],
            cost=ctl["cost"],
            acceptance=ctl["acceptance"],
            value=ctl["value"],
            move_linked=move_linked,
        )
        left, right = st.columns([2, 1])
        r1 = left.columns(3)
        r1[0].metric(t("whatif.m_before"), f"{sres.churners_before:,.1f}")
        r1[1].metric(t("whatif.m_after"), f"{sres.churners_after:,.1f}")
        r1[2].metric(t("whatif.m_kept"), f"{sres.customers_kept:,.1f}")
        r2 = left.columns(3)
        r2[0].metric(t("whatif.m_revenue"), fmt_money(sres.revenue_kept))
        r2[1].metric(t("whatif.m_cost"), fmt_money(sres.campaign_cost))
        roi = fmt_pct(sres.roi, 0) if sres.campaign_cost > 0 else "–"
        r2[2].metric(t("whatif.m_roi"), roi, help=t("whatif.m_roi_help"))
        left.caption(
            t(
                "whatif.seg_counts",
                selected=fmt_int(sres.n_selected),
                targeted=fmt_int(sres.n_targeted),
                contacted=fmt_int(sres.n_contacted),
            )
        )
        for line in cw.segment_linked_lines(sres):
            left.caption(line)
        if not move_linked and ctl["kind"] == "set":
            kept = cw.linked_kept(links, {ctl["target"]: ctl["amount"]}, {})
            if kept:
                left.caption(kept)
        left.altair_chart(
            fast(charts.churners_chart(sres.churners_before, sres.churners_after, lab)),
            width="stretch",
        )
        right.markdown(f"**{t('whatif.assumptions_head')}**")
        lines = cw.assumptions(sres, ctl["value_words"])
        right.markdown("\n".join(f"- {s}" for s in lines))
        right.download_button(
            t("whatif.download"),
            lambda: to_csv_bytes(sres.per_customer),
            "whatif_segment.csv",
            "text/csv",
            key="whatif.download",
        )
