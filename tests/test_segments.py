"""Churn by segment, value, RFM, clusters and warning signs (churn.segments).

The ``segments`` command is tested in tests/cli/test_segments.py."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churn import segments as S
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.table import CustomerTable
from tests.conftest import ROOT


# ----------------------------------------------------------------------------- fixtures
def make_table(
    churned, categorical=(), status=None, tenure_days=None, value=None, **columns
) -> CustomerTable:
    """A CustomerTable from plain lists: churned is 1/0/None per customer."""
    n = len(churned)
    ch = pd.Series(churned, dtype=float)
    if status is None:
        status = np.where(ch.isna(), "too_new", np.where(ch == 1, "churned", "active"))
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(n)],
            "churned": ch,
            "label_status": status,
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "tenure_days": np.nan if tenure_days is None else tenure_days,
            "value": np.nan if value is None else value,
        }
    )
    for name, values in columns.items():
        frame[name] = values
    feats = tuple(columns)
    return CustomerTable(
        frame=frame,
        roles=ColumnRoles(id="id", label="label"),
        shape="customers",
        features=feats,
        categorical=tuple(categorical),
    )


@pytest.fixture
def abc_table() -> CustomerTable:
    # A: 10 labelled, 4 churned (+5 too new); B: 40 labelled, 6 churned; missing: 10, 0.
    churned = [1] * 4 + [0] * 6 + [None] * 5 + [1] * 6 + [0] * 34 + [0] * 10
    plan = ["A"] * 15 + ["B"] * 40 + [None] * 10
    return make_table(churned, categorical=("plan",), plan=plan)


@pytest.fixture(scope="module")
def telco(shared_data) -> CustomerTable:
    """Telco as a CustomerTable built by hand (independent of churn.shapes)."""
    df = pd.read_csv(shared_data / "telco_customer_churn.csv")
    attrs = df.drop(columns=["customerID", "Churn"])
    attrs["TotalCharges"] = pd.to_numeric(attrs["TotalCharges"], errors="coerce")
    yes = df["Churn"] == "Yes"
    frame = pd.DataFrame(
        {
            "customer_id": df["customerID"],
            "churned": yes.astype(float),
            "label_status": np.where(yes, "churned", "active"),
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "tenure_days": df["tenure"] * 365.25 / 12,
            "value": df["MonthlyCharges"],
        }
    )
    frame = pd.concat([frame, attrs], axis=1)
    cats = tuple(c for c in attrs.columns if pd.api.types.is_string_dtype(attrs[c]))
    cats += ("SeniorCitizen",)
    return CustomerTable(
        frame=frame,
        roles=ColumnRoles(id="customerID", label="Churn", churned_values=("Yes",)),
        shape="customers",
        features=tuple(attrs.columns),
        categorical=cats,
    )


# ------------------------------------------------------------------------ Wilson, tests
@pytest.mark.parametrize(
    "k, n, low, high",
    # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score).
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_textbook_values(k, n, low, high):
    lo, hi = S.wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=6e-5)
    assert hi == pytest.approx(high, abs=6e-5)


@pytest.mark.parametrize("k, n", [(3, 10), (50, 400), (7, 7), (1, 1000)])
def test_wilson_bounds_solve_the_score_equation(k, n):
    # Independent definition: the bounds are the p where |k/n - p| = z * sqrt(p(1-p)/n).
    from scipy.optimize import brentq

    z, ph = 1.96, k / n
    f = lambda p: (ph - p) ** 2 - z * z * p * (1 - p) / n  # noqa: E731
    lo, hi = S.wilson_interval(k, n)
    inner = ph - 1e-9 if k == n else ph  # f(1) = 0 too, so keep p = 1 out of the bracket
    want_lo = 0.0 if k == 0 else brentq(f, 1e-12, inner)
    want_hi = 1.0 if k == n else brentq(f, ph, 1 - 1e-12)
    assert lo == pytest.approx(want_lo, abs=1e-9)
    assert hi == pytest.approx(want_hi, abs=1e-9)
    assert math.isnan(S.wilson_interval(0, 0)[0])


def test_holm_adjustment_by_hand():
    # sorted 0.01, 0.03, 0.04 -> 3*0.01 = 0.03, 2*0.03 = 0.06, max(0.06, 1*0.04) = 0.06
    got = S.holm_adjust([0.01, 0.04, float("nan"), 0.03])
    assert got[0] == pytest.approx(0.03)
    assert got[1] == pytest.approx(0.06)
    assert math.isnan(got[2])
    assert got[3] == pytest.approx(0.06)
    assert S.holm_adjust([0.5, 0.9]).tolist() == [1.0, 1.0]


def test_two_proportion_z_test_by_hand():
    # 30/100 vs 20/100: pooled 0.25, se = sqrt(.25 * .75 * .02) = 0.0612372, z = 1.63299
    p, test = S.two_proportion_p_value(30, 100, 20, 100)
    assert test == "z"
    assert p == pytest.approx(0.102470, abs=1e-5)
    p, test = S.two_proportion_p_value(2, 10, 1, 50)
    from scipy.stats import fisher_exact

    assert test == "fisher"
    assert p == pytest.approx(fisher_exact([[2, 8], [1, 49]]).pvalue)


# ------------------------------------------------------------------------------ binning
def test_categories_keep_top_k_and_pool_the_rest():
    t = make_table([0] * 10, categorical=("c",), c=list("aaaaabbbcd"))
    seg = S.segment_column(t, "c", top_k=2)
    assert list(seg.cat.categories) == ["a", "b", "other"]
    assert seg.value_counts().to_dict() == {"a": 5, "b": 3, "other": 2}
    assert seg.attrs["kind"] == "category"


def test_numbers_binned_at_user_edges_with_whole_number_labels():
    t = make_table([0] * 11, x=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    seg = S.segment_column(t, "x", edges=[3, 6])
    assert list(seg.cat.categories) == ["1–3", "4–6", "7–10", "(missing)"]
    assert seg.value_counts(sort=False).tolist() == [3, 3, 4, 1]
    assert seg.iloc[-1] == "(missing)"


def test_whole_numbers_binned_by_runs_of_values():
    # 0 holds 70 % and gets its own bin; a value is never split between two bins. The
    # middle of each run of equal values, as a share: 0 -> .35, 1 -> .75, 2 -> .825,
    # 3 -> .875, 5 -> .925, 6 -> .975; times 4 bins, floored: groups 1, 3, 3, 3, 3, 3
    t = make_table([0] * 20, n=[0] * 14 + [1, 1, 2, 3, 5, 6])
    seg = S.segment_column(t, "n", bins=4)
    assert list(seg.cat.categories) == ["0", "1–6"]
    assert seg.value_counts(sort=False).tolist() == [14, 6]
    t = make_table([0] * 10, n=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    seg = S.segment_column(t, "n", bins=5)
    assert list(seg.cat.categories) == ["1–2", "3–4", "5–6", "7–8", "9–10"]
    seg = S.segment_column(t, "n", edges=[1, 5])
    assert list(seg.cat.categories) == ["1", "2–5", "6–10"]


def test_numbers_binned_by_quantiles_in_natural_order():
    t = make_table([0] * 8, x=[0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5])
    seg = S.segment_column(t, "x", bins=2)
    # quantiles 0.5, 4.0, 7.5: two bins of four
    assert list(seg.cat.categories) == ["0.5–4", "4–7.5"]
    assert seg.value_counts(sort=False).tolist() == [4, 4]
    assert seg.cat.ordered


def test_labels_never_use_scientific_notation_and_stay_distinct():
    t = make_table([0] * 6, x=[1397.4, 1397.6, 1500.25, 3790.5, 8684.8, 18.8])
    labels = list(S.segment_column(t, "x", bins=3).cat.categories)
    assert all("e+" not in lab for lab in labels)
    assert len(set(labels)) == len(labels) == 3


def test_few_distinct_numbers_are_their_own_segments_in_number_order():
    t = make_table([0] * 7, tickets=[2, 0, 1, 0, 10, 2, 0])
    seg = S.segment_column(t, "tickets", bins=5)
    assert list(seg.cat.categories) == ["0", "1", "2", "10"]


def test_dates_by_month_and_year():
    d = pd.to_datetime(["2024-01-05", "2024-01-31", "2024-03-01", None, "2025-02-01"])
    t = make_table([0] * 5, signup=d)
    month = S.segment_column(t, "signup")
    assert list(month.cat.categories) == ["2024-01", "2024-03", "2025-02", "(missing)"]
    assert month.tolist() == ["2024-01", "2024-01", "2024-03", "(missing)", "2025-02"]
    year = S.segment_column(t, "signup", date_freq="year")
    assert year.value_counts(sort=False).to_dict() == {"2024": 3, "2025": 1, "(missing)": 1}


def test_unknown_column_and_text_with_edges_are_user_errors():
    t = make_table([0, 1], categorical=("plan",), plan=["a", "b"])
    with pytest.raises(ChurnDataError, match="nope"):
        S.segment_column(t, "nope")
    with pytest.raises(ChurnDataError, match="'plan'"):
        S.segment_column(t, "plan", edges=[1, 2])


def test_input_frame_is_not_mutated(abc_table):
    before = abc_table.frame.copy()
    S.churn_by_segment(abc_table, "plan")
    S.churn_heatmap(abc_table, "plan", "plan")
    pd.testing.assert_frame_equal(abc_table.frame, before)


# ---------------------------------------------------------------------- churn by segment
def test_churn_by_segment_counts_rates_lift_and_flags(abc_table):
    r = S.churn_by_segment(abc_table, "plan")
    assert r["segment"].tolist() == ["A", "B", "(missing)"]  # by churn rate
    assert r["customers"].tolist() == [10, 40, 10]  # the 5 too-new customers are left out
    assert r["churned"].tolist() == [4, 6, 0]
    assert r["churn_rate"].tolist() == pytest.approx([0.4, 0.15, 0.0])
    assert r.attrs["overall_rate"] == pytest.approx(10 / 60)
    assert r["lift"].tolist() == pytest.approx([2.4, 0.9, 0.0])
    assert r["small"].tolist() == [True, False, True]  # 10 < 30; 40 and 6 ok; 0 churned
    lo, hi = S.wilson_interval(4, 10)
    assert (r.loc[0, "ci_low"], r.loc[0, "ci_high"]) == (lo, hi)
    assert r.loc[2, "ci_low"] == 0.0

    from scipy.stats import fisher_exact

    assert r["test"].tolist() == ["fisher"] * 3
    assert r.loc[0, "p_value"] == pytest.approx(fisher_exact([[4, 6], [6, 44]]).pvalue)
    assert r["p_adjusted"].tolist() == pytest.approx(S.holm_adjust(r["p_value"]).tolist())
    assert r.attrs["adjust"] == "holm" and r.attrs["n_tests"] == 3
    assert "Holm" in r.attrs["note"]


def test_number_bins_keep_natural_order_not_rate_order():
    x = list(range(1, 61))
    churned = [1] * 5 + [0] * 15 + [0] * 20 + [1] * 20  # low bin 25 %, mid 0 %, top 100 %
    r = S.churn_by_segment(make_table(churned, x=x), "x", edges=[20, 40])
    assert r["segment"].tolist() == ["1–20", "21–40", "41–60"]
    assert r["churn_rate"].tolist() == pytest.approx([0.25, 0.0, 1.0])


def test_segments_add_up_to_the_labelled_total(telco):
    for col, opts in [("Contract", {}), ("tenure", {"bins": 4}), ("TotalCharges", {})]:
        r = S.churn_by_segment(telco, col, **opts)
        assert r["customers"].sum() == 7043
        assert r["churned"].sum() == 1869
    assert S.churn_by_segment(telco, "TotalCharges").iloc[-1]["segment"] == "(missing)"


def test_telco_by_contract(telco):
    r = S.churn_by_segment(telco, "Contract").set_index("segment")
    assert r.loc["Month-to-month", ["customers", "churned"]].tolist() == [3875, 1655]
    assert r.loc["Two year", ["customers", "churned"]].tolist() == [1695, 48]
    assert r.loc["Month-to-month", "churn_rate"] == pytest.approx(0.4271, abs=5e-5)
    assert r.loc["Two year", "churn_rate"] == pytest.approx(0.0283, abs=5e-5)
    assert r.loc["Month-to-month", "ci_low"] > r.loc["Two year", "ci_high"]
    assert r.index[0] == "Month-to-month"
    assert r["significant"].all()
    # independent computation with a plain groupby on the file
    raw = pd.read_csv(ROOT.parent / "shared" / "data" / "telco_customer_churn.csv")
    want = raw.groupby("Contract")["Churn"].apply(lambda s: (s == "Yes").mean())
    assert r["churn_rate"].sort_index().tolist() == pytest.approx(want.sort_index().tolist())


def test_heatmap_counts_and_rates():
    t = make_table(
        [1, 0, 0, 1, 1, 0, None],
        categorical=("a", "b"),
        a=["x", "x", "y", "y", "y", "x", "x"],
        b=["p", "q", "p", "p", "q", "p", "p"],
    )
    h = S.churn_heatmap(t, "a", "b").set_index(["a", "b"])
    assert h.loc[("x", "p"), ["customers", "churned"]].tolist() == [2, 1]
    assert h.loc[("x", "q"), ["customers", "churned"]].tolist() == [1, 0]
    assert h.loc[("y", "p"), "churn_rate"] == pytest.approx(0.5)
    assert h["customers"].sum() == 6
    assert h["small"].all()


def test_customers_in_segment(abc_table):
    rows = S.customers_in_segment(abc_table, "plan", "A")
    assert len(rows) == 15  # all customers, labelled or not
    assert rows["customer_id"].tolist() == [f"C{i:03d}" for i in range(15)]
    assert (rows["segment"] == "A").all()
    assert len(S.customers_in_segment(abc_table, "plan", "(missing)")) == 10
    with pytest.raises(ChurnDataError, match="no segment 'Z'"):
        S.customers_in_segment(abc_table, "plan", "Z")


def test_no_labels_is_a_user_error():
    with pytest.raises(ChurnDataError, match="No customer has a churn label"):
        S.churn_by_segment(make_table([None, None], categorical=("c",), c=["a", "b"]), "c")


# -------------------------------------------------------------------------------- value
def test_value_tiers_by_hand():
    t = make_table([0, 1, 0, 0, 1, 1, 0, None], value=[1, 2, 3, 4, 5, 6, 7, 8])
    v = S.value_tiers(t, names=["bronze", "silver", "gold", "vip"])
    # quartiles 1, 2.75, 4.5, 6.25, 8 -> {1,2} {3,4} {5,6} {7,8}
    assert v["tier"].tolist() == ["bronze", "silver", "gold", "vip"]
    assert v["customers"].tolist() == [2, 2, 2, 2]
    assert v["value_total"].tolist() == [3, 7, 11, 15]
    assert v["value_share"].tolist() == pytest.approx([3 / 36, 7 / 36, 11 / 36, 15 / 36])
    assert v["labelled"].tolist() == [2, 2, 2, 1]
    assert v["churned"].tolist() == [1, 0, 2, 0]
    assert v["churn_rate"].tolist() == pytest.approx([0.5, 0.0, 1.0, 0.0])
    assert v["value_lost"].tolist() == [2, 0, 11, 0]
    assert S.value_tiers(t)["tier"].tolist() == ["low", "medium", "high", "top"]
    with pytest.raises(ChurnDataError, match="tier names"):
        S.value_tiers(t, names=["a", "b"])


def test_lifetime_value_restricted_mean_by_hand():
    m = S.DAYS_PER_MONTH
    # everyone churned after 1, 2 and 3 months: S = 1, 2/3, 1/3 -> area 1 + 2/3 + 1/3 = 2
    t = make_table([1, 1, 1], tenure_days=[m, 2 * m, 3 * m], value=[10.0, 10.0, 40.0])
    r = S.lifetime_value(t)
    assert r.loc[0, "expected_lifetime_months"] == pytest.approx(2.0)
    assert r.loc[0, "avg_monthly_value"] == pytest.approx(20.0)
    assert r.loc[0, "clv"] == pytest.approx(40.0)
    assert "Kaplan-Meier" in r.attrs["method"] and "3.0 months" in r.attrs["method"]
    # an active customer at 3 months is censored: S = 1 to 1, 1/2 from 1 to 3 -> 1 + 1 = 2
    t2 = make_table([1, 0], tenure_days=[m, 3 * m], value=[5.0, 5.0])
    assert S.lifetime_value(t2).loc[0, "expected_lifetime_months"] == pytest.approx(2.0)
    with pytest.raises(ChurnDataError, match="tenure"):
        S.lifetime_value(make_table([1, 0], value=[1.0, 2.0]))


def test_lifetime_value_by_contract_on_telco(telco):
    r = S.lifetime_value(telco, by="Contract").set_index("segment")
    assert r.loc["all", "customers"] == 7043
    assert (
        r.loc["Two year", "expected_lifetime_months"]
        > r.loc["Month-to-month", "expected_lifetime_months"]
    )
    assert (r["expected_lifetime_months"] <= 72 + 1e-9).all()


def test_revenue_at_risk_with_segment_rates_and_with_scores():
    t = make_table(
        [1, 0, 0, 0, 1, 0],
        categorical=("p",),
        value=[10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        p=["a", "a", "a", "b", "b", "b"],
    )
    r = S.revenue_at_risk_by_segment(t, "p").set_index("segment")
    # a: rate 1/3, active value 20 + 30 -> 50/3; b: rate 1/3, active 40 + 60 -> 100/3
    assert r.loc["a", "revenue_at_risk"] == pytest.approx(50 / 3)
    assert r.loc["b", "revenue_at_risk"] == pytest.approx(100 / 3)
    assert r.index.tolist() == ["b", "a"]
    assert r.attrs["method"] == "segment_rate"
    scores = pd.Series({"C001": 0.5, "C002": 0.1, "C003": 0.2, "C005": 1.0})
    s = S.revenue_at_risk_by_segment(t, "p", scores=scores).set_index("segment")
    assert s.loc["a", "revenue_at_risk"] == pytest.approx(20 * 0.5 + 30 * 0.1)
    assert s.loc["b", "revenue_at_risk"] == pytest.approx(40 * 0.2 + 60 * 1.0)
    assert s["share_of_risk"].sum() == pytest.approx(1.0)
    # every customer scored, in the table's order (the app's case) or shuffled: the same
    ids = t.frame["customer_id"].astype(str)
    full = pd.Series([0.9, 0.5, 0.1, 0.2, 0.8, 1.0], index=ids.to_numpy())
    in_order = S.revenue_at_risk_by_segment(t, "p", scores=full)
    shuffled = S.revenue_at_risk_by_segment(t, "p", scores=full.iloc[::-1])
    pd.testing.assert_frame_equal(in_order, shuffled)
    assert in_order.set_index("segment").loc["a", "revenue_at_risk"] == pytest.approx(
        20 * 0.5 + 30 * 0.1
    )


def test_a_value_named_other_joins_the_pooled_segment():
    # "other" is a real value and also the name of the pooled segment: one segment, not a
    # crash on duplicate categories
    t = make_table([1, 0] * 6, categorical=("c",), c=list("aaaaabbb") + ["other"] * 2 + ["x", "y"])
    pooled = S.segment_column(t, "c", top_k=2)
    assert list(pooled.cat.categories) == ["a", "b", "other"]
    assert pooled.value_counts().to_dict() == {"a": 5, "b": 3, "other": 4}
    kept = S.segment_column(t, "c", top_k=3)  # kept, and x, y pooled into it
    assert list(kept.cat.categories) == ["a", "b", "other"]
    assert kept.value_counts()["other"] == 4
    every = S.segment_column(t, "c", top_k=10)
    assert every.value_counts()["other"] == 2 and len(every.cat.categories) == 5
    assert S.churn_by_segment(t, "c", top_k=3)["customers"].sum() == 12


def test_duplicate_tier_names_are_a_user_error():
    t = make_table([1, 0, 1, 0], value=[1.0, 2.0, 3.0, 4.5])
    with pytest.raises(ChurnDataError, match="same name"):
        S.value_tiers(t, n_tiers=2, names=["top", "top"])


def test_labels_computed_once_give_the_same_tables(telco):
    """The page computes a column's labels once and passes them to every table."""
    for column, opts in [
        ("Contract", {}),
        ("tenure", {"bins": 4}),
        ("PaymentMethod", {"top_k": 2}),
    ]:
        labels = S.segment_column(telco, column, **opts)
        pd.testing.assert_frame_equal(
            S.churn_by_segment(telco, column, segments=labels),
            S.churn_by_segment(telco, column, **opts),
        )
        pd.testing.assert_frame_equal(
            S.lifetime_value(telco, by=column, segments=labels),
            S.lifetime_value(telco, by=column, **opts),
        )
        pd.testing.assert_frame_equal(
            S.revenue_at_risk_by_segment(telco, column, segments=labels),
            S.revenue_at_risk_by_segment(telco, column, **opts),
        )
        first = str(labels.cat.categories[0])
        pd.testing.assert_frame_equal(
            S.customers_in_segment(telco, column, first, segments=labels),
            S.customers_in_segment(telco, column, first, **opts),
        )
    # the preview and the formula count the page shows without writing the export
    labels = S.segment_column(telco, "Contract")
    full = S.customers_in_segment(telco, "Contract", "Two year", segments=labels)
    head = S.customers_in_segment(telco, "Contract", "Two year", segments=labels, limit=5)
    pd.testing.assert_frame_equal(head, full.head(5))
    with pytest.raises(TypeError, match="labels for this table"):
        S.churn_by_segment(telco, "Contract", segments=labels.iloc[:10])


def test_segment_formula_count_equals_the_count_of_the_export():
    from churn.export import count_formula_cells, formula_cells_per_row, to_csv_bytes

    t = make_table(
        [1, 0, 1, 0, 1, 0],
        categorical=("plan",),
        plan=["=x", "=x", "y", "y", "+z", None],
        name=["=cmd|calc", "ok", " -1", "@a", "fine", "\tx"],
        n=[-1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    )
    per_row = formula_cells_per_row(t.frame)
    assert per_row.tolist() == [2, 1, 1, 1, 1, 1]  # plan and name cells; numbers never
    for segment in ["=x", "y", "+z", S.MISSING]:
        rows = S.customers_in_segment(t, "plan", segment)
        expected = count_formula_cells(rows)
        assert S.segment_formula_cells(t, "plan", segment) == expected
        assert S.segment_formula_cells(t, "plan", segment, per_row=per_row) == expected
        # and the export really prefixes that many cells with an apostrophe
        text = to_csv_bytes(rows).decode("utf-8-sig")
        assert text.count(",'") + text.count("\n'") == expected
    assert S.segment_formula_cells(t, "plan", "=x") == 2 + 2 + 1  # segment, plan: 2 rows; name


@pytest.mark.parametrize("seed", range(6))
def test_restricted_mean_equals_lifelines_with_ties_and_zero_tenures(seed):
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    months = rng.integers(0, 30, n).astype(float) / (1 + seed % 3)  # many ties, some 0
    churned = (rng.random(n) < rng.random()).astype(float)
    horizon = float(rng.choice([months.max() or 1.0, 5.0, 100.0]))
    t = make_table(list(churned), tenure_days=months * S.DAYS_PER_MONTH, value=np.ones(n))
    got = S.lifetime_value(t, horizon_months=horizon).loc[0, "expected_lifetime_months"]
    kmf = KaplanMeierFitter().fit(months, churned)
    assert got == pytest.approx(restricted_mean_survival_time(kmf, t=horizon), rel=1e-9, abs=1e-9)


def test_lifetime_value_by_segment_agrees_with_one_fit_per_customer_row(telco):
    """The fits on (tenure, outcome) counts equal lifelines fitted on every customer."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    months = telco.frame["tenure_days"] / S.DAYS_PER_MONTH
    for horizon in [float(months.max()), 24.0, 0.5]:
        r = S.lifetime_value(telco, by="Contract", horizon_months=horizon).set_index("segment")
        for name in ["all", "Month-to-month", "One year", "Two year"]:
            rows = telco.frame["Contract"] == name if name != "all" else months.notna()
            kmf = KaplanMeierFitter().fit(months[rows], telco.frame.loc[rows, "churned"])
            life = restricted_mean_survival_time(kmf, t=horizon)
            assert r.loc[name, "expected_lifetime_months"] == pytest.approx(life, rel=1e-12)
    r = S.lifetime_value(telco, by="Contract").set_index("segment")
    for name in ["Month-to-month", "One year", "Two year"]:
        rows = telco.frame["Contract"] == name
        kmf = KaplanMeierFitter().fit(months[rows], telco.frame.loc[rows, "churned"])
        life = restricted_mean_survival_time(kmf, t=float(months.max()))
        assert r.loc[name, "customers"] == rows.sum()
        avg = telco.frame.loc[rows, "value"].mean()
        assert r.loc[name, "avg_monthly_value"] == pytest.approx(avg, rel=1e-12)
        assert r.loc[name, "clv"] == pytest.approx(avg * life, rel=1e-12)


# ---------------------------------------------------------------------------------- RFM
def test_quintile_scores_with_ties():
    assert S.quintile_score(pd.Series(range(10))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # 6 of 10 tied at the bottom share score 1; the next value starts at rank 7 -> 4
    s = S.quintile_score(pd.Series([1, 1, 1, 1, 1, 1, 2, 2, 3, 9]))
    assert s.tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    assert S.quintile_score(pd.Series([30, 10, 20]), reverse=True).tolist() == [1, 4, 2]


def test_rfm_on_a_small_log_worked_out_by_hand():
    # An order log of five customers, snapshot 2024-07-01.
    log = pd.DataFrame(
        {
            "cid": ["a", "a", "a", "a", "b", "b", "b", "c", "d", "d", "e"],
            "date": pd.to_datetime(
                [
                    "2024-06-20",
                    "2024-05-01",
                    "2024-04-01",
                    "2024-03-01",  # a
                    "2024-06-01",
                    "2024-02-01",
                    "2024-01-10",  # b
                    "2024-06-25",  # c
                    "2024-01-20",
                    "2023-12-01",  # d
                    "2023-09-01",  # e
                ]
            ),  # fmt: skip
            "amount": [50, 50, 50, 50, 100, 100, 100, 10, 200, 200, 5],
        }
    )
    # By hand: recency (days before 2024-07-01), orders, spend
    #   a: 11 d, 4, 200   b: 30 d, 3, 300   c: 6 d, 1, 10   d: 163 d, 2, 400   e: 304 d, 1, 5
    by_hand = {
        "a": (11, 4, 200),
        "b": (30, 3, 300),
        "c": (6, 1, 10),
        "d": (163, 2, 400),
        "e": (304, 1, 5),
    }
    g = log.groupby("cid").agg(last=("date", "max"), f=("date", "size"), m=("amount", "sum"))
    g["r"] = (pd.Timestamp("2024-07-01") - g["last"]).dt.days
    assert {k: (r.r, r.f, r.m) for k, r in g.iterrows()} == by_hand
    t = make_table(
        [0, 0, 0, 1, 1],
        recency_days=[11, 30, 6, 163, 304],
        frequency=[4, 3, 1, 2, 1],
        monetary=[200, 300, 10, 400, 5],
    )
    assert S.has_rfm_columns(t)
    rfm = S.rfm_table(t)
    # n = 5 distinct values -> score = rank. Recency reversed: c 6 d -> 5, a -> 4, b -> 3,
    # d -> 2, e -> 1. Frequency: c and e tie at 1 (score 1), d 3, b 4, a 5.
    # Money: e 1, c 2, a 3, b 4, d 5. FM = ceil((F + M) / 2).
    assert rfm["r_score"].tolist() == [4, 3, 5, 2, 1]
    assert rfm["f_score"].tolist() == [5, 4, 1, 3, 1]
    assert rfm["m_score"].tolist() == [3, 4, 2, 5, 1]
    assert rfm["fm_score"].tolist() == [4, 4, 2, 4, 1]
    # a: R4 FM4 champions; b: R3 FM4 loyal; c: R5 FM2 potential loyalists;
    # d: R2 FM4 can't lose them; e: R1 FM1 lost
    assert rfm["rfm_segment"].astype(str).tolist() == [
        "champions", "loyal", "potential loyalists", "can't lose them", "lost",
    ]  # fmt: skip
    summ = S.rfm_summary(rfm).set_index("rfm_segment")
    assert summ.loc["lost", "churn_rate"] == 1.0
    assert summ.loc["champions", "revenue"] == 200
    assert summ["revenue_share"].sum() == pytest.approx(1.0)
    assert summ.index.tolist() == [
        "champions",
        "loyal",
        "potential loyalists",
        "can't lose them",
        "lost",
    ]


def test_rfm_rules_cover_every_score_pair():
    covered = {(r, fm) for _, rs, fs in S.RFM_RULES for r in rs for fm in fs}
    assert covered >= {(r, fm) for r in range(1, 6) for fm in range(1, 6)}


def test_rfm_on_cdnow(shared_data):
    log = pd.read_csv(shared_data / "cdnow_transactions.csv", dtype={"customer_id": str})
    log["date"] = pd.to_datetime(log["date"])
    snap = pd.Timestamp("1998-06-30")
    g = log.groupby("customer_id").agg(
        last=("date", "max"), frequency=("date", "size"), monetary=("dollar_value", "sum")
    )
    g["recency_days"] = (snap - g["last"]).dt.days
    churned = (g["last"] <= pd.Timestamp("1997-12-31")).astype(int).tolist()
    t = make_table(
        churned, **{c: g[c].to_numpy() for c in ("recency_days", "frequency", "monetary")}
    )
    assert sum(churned) == 18196
    summ = S.rfm_summary(S.rfm_table(t)).set_index("rfm_segment")
    assert summ["customers"].sum() == 23570
    assert summ["revenue"].sum() == pytest.approx(2500315.63, abs=0.01)
    assert summ.loc["lost", "churn_rate"] > summ.loc["champions", "churn_rate"]


# ----------------------------------------------------------------------------- clusters
def test_clusters_find_two_obvious_groups():
    rng = np.random.default_rng(1)
    n = 60
    tickets = np.r_[rng.normal(8, 0.5, n), rng.normal(1, 0.5, n)]
    logins = np.r_[rng.normal(2, 0.5, n), rng.normal(20, 0.5, n)]
    churned = [1] * 45 + [0] * 15 + [1] * 6 + [0] * 54
    t = make_table(churned, tickets=tickets, logins=logins)
    c = S.behaviour_clusters(t, ["tickets", "logins"], k_range=(2, 5))
    assert c.k == 2 and max(c.silhouette, key=c.silhouette.get) == 2
    assert c.summary["customers"].tolist() == [60, 60]
    rates = sorted(c.summary["churn_rate"].tolist())
    assert rates == pytest.approx([0.1, 0.75])
    high = c.summary.loc[c.summary["churn_rate"] == 0.75, "description"].iloc[0]
    assert "tickets higher than average" in high and "logins lower than average" in high
    desc = S.cluster_descriptions(c, higher="{column} ↑", lower="{column} ↓", sep=", ")
    assert {frozenset(d.split(", ")) for d in desc} == {
        frozenset({"tickets ↑", "logins ↓"}),
        frozenset({"logins ↑", "tickets ↓"}),
    }
    fixed = S.behaviour_clusters(t, ["tickets", "logins"], k=3)
    assert fixed.k == 3 and fixed.silhouette == {}
    with pytest.raises(ChurnDataError, match="not numeric"):
        S.behaviour_clusters(make_table([0, 1], categorical=("c",), c=["a", "b"]), ["c"])


# ------------------------------------------------------------------------ warning signs
def test_recognise_warning_signs_english_and_korean():
    cols = [
        "support_tickets_90d", "complaints_90d", "NPS", "logins_change_pct",
        "newsletter_unsubscribed", "discount_requested", "failed_payments_90d",
        "상담건수_90일", "불만건수_90일", "로그인변화율", "뉴스레터_수신거부", "할인요청",
        "결제실패_90일", "만족도", "Customer service calls", "satisfaction_score",
        "TechSupport", "logins_30d", "days_to_renewal", "monthly_fee", "PaymentMethod",
    ]  # fmt: skip
    got = S.recognise_warning_signs(cols)
    assert got == {
        "support_tickets_90d": "support_tickets",
        "complaints_90d": "complaints",
        "NPS": "nps",
        "logins_change_pct": "engagement_change",
        "newsletter_unsubscribed": "newsletter_unsubscribed",
        "discount_requested": "discount_requested",
        "failed_payments_90d": "failed_payments",
        "상담건수_90일": "support_tickets",
        "불만건수_90일": "complaints",
        "로그인변화율": "engagement_change",
        "뉴스레터_수신거부": "newsletter_unsubscribed",
        "할인요청": "discount_requested",
        "결제실패_90일": "failed_payments",
        "만족도": "satisfaction",
        "Customer service calls": "support_tickets",
        "satisfaction_score": "satisfaction",
    }


def test_warning_signs_nps_levels_and_strongest_first():
    nps = [0, 3, 6, 6, 7, 8, 8, 9, 10, 10, None, 11]
    churned = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    unsub = ["yes", "no"] * 6  # churn 5/6 (yes) vs ... computed below
    t = make_table(churned, score=nps, unsub=unsub, categorical=("unsub",))
    w = S.warning_signs(t, {"score": "nps", "unsub": "newsletter_unsubscribed"})
    nps_rows = w[w["column"] == "score"].set_index("level")
    assert nps_rows.index.tolist() == [*S.NPS_LEVELS, "(missing)"]  # 11 is not an NPS score
    assert nps_rows["customers"].tolist() == [4, 3, 3, 2]
    assert nps_rows["churned"].tolist() == [3, 1, 0, 1]
    # every level is small, so the spread is over all levels: 3/4 - 0/3
    assert nps_rows["spread"].iloc[0] == pytest.approx(0.75)
    un = w[w["column"] == "unsub"].set_index("level")
    yes_rate = np.mean([c for c, u in zip(churned, unsub, strict=True) if u == "yes"])
    no_rate = np.mean([c for c, u in zip(churned, unsub, strict=True) if u == "no"])
    assert un.loc["yes", "churn_rate"] == pytest.approx(yes_rate)
    assert un["spread"].iloc[0] == pytest.approx(abs(yes_rate - no_rate))
    assert w["rank"].iloc[0] == 1 and w["column"].iloc[0] == "score"  # strongest first
    from scipy.stats import chi2_contingency

    tab = np.array([[3, 1], [1, 2], [0, 3], [1, 1]])
    assert nps_rows["chi2"].iloc[0] == pytest.approx(
        chi2_contingency(tab, correction=False).statistic
    )
    with pytest.raises(ChurnDataError, match="not a known warning sign"):
        S.warning_signs(t, {"score": "mood"})
    assert S.warning_signs(t, {}).empty


def test_warning_signs_nps_in_a_nullable_integer_column():
    """An NPS column of pandas' nullable Int64 (a Parquet file's, the generator's) gives
    the same levels as plain numbers; its missing values are "(missing)"."""
    nps = [0, 3, 6, 6, 7, 8, 8, 9, 10, 10, None, 11]
    churned = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    plain = make_table(churned, score=nps)
    nullable = make_table(churned, score=pd.array(nps, dtype="Int64"))
    assert str(nullable.frame["score"].dtype) == "Int64"
    a = S.warning_signs(plain, {"score": "nps"})
    b = S.warning_signs(nullable, {"score": "nps"})
    pd.testing.assert_frame_equal(a, b)
    assert b.set_index("level")["customers"].tolist() == [4, 3, 3, 2]


# ------------------------------------------------------------------------------- charts
def _marks(spec: dict) -> list[str]:
    """Every mark type in a Vega-Lite spec (layers and facets included)."""
    out = []
    if "mark" in spec:
        m = spec["mark"]
        out.append(m["type"] if isinstance(m, dict) else m)
    for key in ("layer", "spec"):
        sub = spec.get(key)
        for s in sub if isinstance(sub, list) else [sub] if sub else []:
            out += _marks(s)
    return out


def test_charts_build_with_translated_labels(abc_table):
    from churn.charts import segments as C

    r = S.churn_by_segment(abc_table, "plan")
    spec = C.segment_bar_chart(r, {"small": "표본 적음", "judged": "충분"}).to_dict()
    assert sorted(_marks(spec)) == ["bar", "rule", "rule"]  # bars, error bars, overall rule
    assert "표본 적음" in json.dumps(spec, ensure_ascii=False)
    rules = [r for d in spec["datasets"].values() for r in d if "overall" in r]
    assert rules[0]["overall"] == pytest.approx(10 / 60)
    h = S.churn_heatmap(abc_table, "plan", "plan")
    spec = C.segment_heatmap(h).to_dict()
    assert sorted(_marks(spec)) == ["rect", "text"]
    cells = next(iter(spec["datasets"].values()))
    assert {c["cell"] for c in cells} == {"40% (10)*", "15% (40)", "0% (10)*"}
    v = S.value_tiers(make_table([0, 1, 0, 1], value=[1, 2, 3, 4]), n_tiers=2)
    assert _marks(C.segment_bar_chart(v, category="tier", overall_rate=0.5).to_dict())


def test_rfm_grid_and_other_charts():
    from churn.charts import segments as C

    t = make_table(
        [0, 0, 0, 1, 1],
        recency_days=[11, 30, 6, 163, 304],
        frequency=[4, 3, 1, 2, 1],
        monetary=[200, 300, 10, 400, 5],
    )
    grid = S.rfm_grid(S.rfm_table(t))
    assert grid["customers"].sum() == 5
    row = grid[(grid["r_score"] == 1) & (grid["fm_score"] == 1)].iloc[0]
    assert row["rfm_segment"] == "lost" and row["churn_rate"] == 1.0
    assert sorted(_marks(C.rfm_grid_chart(grid, segment_names={"lost": "이탈"}).to_dict())) == [
        "rect",
        "text",
    ]
    x = [0, 1, 0, 1, 9, 10, 9, 10]
    c = S.behaviour_clusters(make_table([0, 0, 0, 1, 1, 1, 1, 0], x=x, y=x[::-1]), ["x", "y"], k=2)
    assert sorted(_marks(C.cluster_profile_chart(c.traits).to_dict())) == ["rect", "text"]
    w = S.warning_signs(
        make_table([1, 0, 1, 0], nps=[1, 9, 5, 10], u=["y", "n", "y", "n"], categorical=("u",)),
        {"nps": "nps", "u": "newsletter_unsubscribed"},
    )
    spec = C.warning_signs_chart(w, sign_names={"nps": "NPS"}).to_dict()
    assert spec["facet"]["sort"][0].startswith("1. ")
    assert sorted(_marks(spec)) == ["bar", "rule"]


def test_parse_edges_and_safe_export(abc_table):
    assert S.parse_edges(" 24, 12;36 ") == (12.0, 24.0, 36.0)
    assert S.parse_edges("") is None
    with pytest.raises(ChurnDataError, match="not a list of numbers"):
        S.parse_edges("12, abc")
    frame = abc_table.frame.copy()
    frame["note"] = ["=1+1", "+x", "-y", "@z", "\tq", "\rr", "ok"] + ["fine"] * (len(frame) - 7)
    t = CustomerTable(frame=frame, roles=abc_table.roles, shape="customers", categorical=("plan",))
    rows, data, n = S.export_segment(t, "plan", "A")
    assert len(rows) == 15 and n == 6
    text = data.decode("utf-8-sig")
    assert "'=1+1" in text and "'@z" in text and "\n=1" not in text
    back = pd.read_csv(__import__("io").BytesIO(data), encoding="utf-8-sig")
    assert back["customer_id"].tolist() == rows["customer_id"].tolist()


# ------------------------------------------------------------------- property checks


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.integers(-50, 50), st.floats(-1e4, 1e4, allow_nan=False)),
        min_size=1,
        max_size=60,
    ),
    bins=st.integers(1, 8),
)
def test_binning_puts_every_customer_in_exactly_one_ordered_bin(values, bins):
    t = make_table([0] * len(values), x=pd.array(values, dtype="Float64").astype(float))
    seg = S.segment_column(t, "x", bins=bins)
    assert seg.notna().all() and len(seg) == len(values)
    assert (seg == S.MISSING).sum() == sum(v is None for v in values)
    assert len(seg.cat.categories) == len(set(seg.cat.categories))
    # bins are in value order: the largest value of a bin is below the smallest of the next
    x = t.frame["x"]
    ranges = [(x[seg == c].min(), x[seg == c].max()) for c in seg.cat.categories if c != S.MISSING]
    ranges = [r for r in ranges if not pd.isna(r[0])]
    assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:], strict=False))


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d", None]), st.sampled_from([0, 1, None])),
        min_size=1,
        max_size=80,
    )
)
def test_segments_add_up_and_match_a_plain_count(data):
    cats, churned = zip(*data, strict=True)
    if all(c is None for c in churned):
        return
    t = make_table(list(churned), categorical=("c",), c=list(cats))
    r = S.churn_by_segment(t, "c", top_k=2)
    labelled = [(c, y) for c, y in data if y is not None]
    assert r["customers"].sum() == len(labelled)
    assert r["churned"].sum() == sum(y for _, y in labelled)
    assert (r["ci_low"] <= r["churn_rate"] + 1e-12).all()
    assert (r["churn_rate"] <= r["ci_high"] + 1e-12).all()
    assert r.attrs["overall_rate"] == pytest.approx(np.mean([y for _, y in labelled]))
