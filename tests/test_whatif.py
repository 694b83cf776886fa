"""churn.whatif: edits, suggestions, scenarios and segment campaigns.

The ``whatif`` command is tested in tests/cli/test_whatif.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import model as M
from churn import whatif as W
from churn.errors import ChurnDataError
from churn.io import read_table
from churn.roles import ColumnRoles, infer_roles
from churn.shapes import build_customer_table
from churn.whatif import campaign as WC
from churn.whatif import linked as WL

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"


@pytest.fixture(scope="module")
def sample():
    frame = read_table(SAMPLE).frame
    table = build_customer_table(frame, infer_roles(frame))
    trained = M.train(table)
    return table, trained, W.feature_space(table, trained)


@pytest.fixture(scope="module")
def tiny():
    """240 customers: risk driven by tickets (0..3) and contract, logistic model."""
    rng = np.random.default_rng(0)
    n = 240
    tickets = rng.integers(0, 4, n)
    contract = np.where(rng.random(n) < 0.5, "monthly", "annual")
    p = 0.1 + 0.2 * tickets / 3 + 0.4 * (contract == "monthly")
    churned = np.where(rng.random(n) < p, "Yes", "No")
    frame = pd.DataFrame(
        {
            "id": [f"K{i:03d}" for i in range(n)],
            "contract": contract,
            "support_tickets": tickets,
            "region": rng.choice(["North", "South"], n),
            "fee": np.full(n, 10.0),
            "churned": churned,
        }
    )
    roles = ColumnRoles(
        id="id",
        label="churned",
        churned_values=("Yes",),
        active_values=("No",),
        amount="fee",
        features=("contract", "support_tickets", "region"),
        categorical=("contract", "region"),
    )
    table = build_customer_table(frame, roles)
    trained = M.train(table, model="logistic", split=M.choose_split(table, prefer="cv"))
    return table, trained, W.feature_space(table, trained)


@pytest.fixture(scope="module")
def termed():
    """132 customers where renewal days follow the term: 1..30 for 60 monthly customers
    (each value twice), 10, 20, ..., 360 for 72 annual customers (each value twice)."""
    rng = np.random.default_rng(1)
    days = np.r_[np.repeat(np.arange(1, 31), 2), np.repeat(np.arange(10, 361, 10), 2)]
    term = np.r_[["monthly"] * 60, ["annual"] * 72]
    n = len(days)
    churned = np.where(rng.random(n) < np.where(term == "monthly", 0.5, 0.2), "Yes", "No")
    frame = pd.DataFrame(
        {
            "id": [f"T{i:03d}" for i in range(n)],
            "term": term,
            "renew_days": days,
            "tickets": rng.integers(0, 4, n),
            "fee": np.full(n, 10.0),
            "churned": churned,
        }
    )
    roles = ColumnRoles(
        id="id",
        label="churned",
        churned_values=("Yes",),
        active_values=("No",),
        amount="fee",
        features=("term", "renew_days", "tickets"),
        categorical=("term",),
    )
    table = build_customer_table(frame, roles)
    trained = M.train(table, model="logistic", split=M.choose_split(table, prefer="cv"))
    return table, trained, W.feature_space(table, trained)


# --------------------------------------------------------------------------- linked features
def test_correlation_ratio_by_hand():
    groups = list("AAAAABBBBB")
    # means 3 and 13 around 8: between = 5*25 + 5*25 = 250, within = 2 * 10 = 20
    assert W.correlation_ratio([1, 2, 3, 4, 5, 11, 12, 13, 14, 15], groups) == pytest.approx(
        250 / 270
    )
    # means 3 and 4 around 3.5: between = 2.5, total = 22.5
    assert W.correlation_ratio([1, 2, 3, 4, 5, 2, 3, 4, 5, 6], groups) == pytest.approx(1 / 9)
    assert W.correlation_ratio([7] * 10, groups) == 0.0  # nothing to explain
    assert W.correlation_ratio([1, 1, 1, 1, 1, 2, 2, 2, 2, 2], groups) == 1.0
    # a group smaller than MIN_LINK_GROUP (one 'C' at 100) is left out, and so are missing values
    vals = [1, 2, 3, 4, 5, 11, 12, 13, 14, 15, 100, np.nan]
    assert W.correlation_ratio(vals, groups + ["C", "A"]) == pytest.approx(250 / 270)
    # one customer per level explains everything by chance: not counted at all
    assert W.correlation_ratio(range(10), list("abcdefghij")) == 0.0


def test_find_links_by_hand():
    X = pd.DataFrame(
        {
            "g": list("AAAAABBBBB"),
            "own": list("abcdefghij"),  # an id-like category
            "tied": [1, 2, 3, 4, 5, 11, 12, 13, 14, 15],
            "weak": [1, 2, 3, 4, 5, 2, 3, 4, 5, 6],
        }
    )
    links = W.find_links(X, ["g", "own"], ["tied", "weak"])
    assert links.to_dict("records") == [
        {"category": "g", "feature": "tied", "eta_sq": pytest.approx(250 / 270),
         "n_groups": 2, "n_rows": 10},
    ]  # fmt: skip
    assert len(W.find_links(X, ["g"], ["tied", "weak"], threshold=0.1)) == 2
    assert W.find_links(X, ["g"], ["tied"], threshold=0.95).empty


def test_history_numbers_never_move():
    for name in ("tenure", "TotalCharges", "customer_age", "Age", "days_since_signup", "가입기간"):
        assert W.is_history(name), name
    for name in ("days_to_renewal", "monthly_fee", "data_usage", "contract_months", "월요금"):
        assert not W.is_history(name), name


def test_percentile_mapping_by_hand():
    # mid-rank: 1 value below 2 and one equal, of 5 -> (1 + 0.5) / 5
    assert W.within_percentile(2, [1, 2, 3, 4, 5]) == pytest.approx(0.3)
    assert W.within_percentile(1, [1, 1, 2, 3]) == pytest.approx(0.25)  # ties share a rank
    # hazen quantile: the k-th of n sits at (k - 0.5) / n
    assert W.value_at_percentile(0.3, [15, 11, 13, 12, 14]) == pytest.approx(12)
    assert W.map_percentile(2, [1, 2, 3, 4, 5], [11, 12, 13, 14, 15]) == pytest.approx(12)
    # 3 of [1..4] sits at 0.625; among 5 values that is position 3.625: 20 + 0.625 * 10
    assert W.map_percentile(3, [1, 2, 3, 4], [0, 10, 20, 30, 40]) == pytest.approx(26.25)
    assert W.map_percentile(3, [1, 2, 3, 4], [0, 10, 20, 30, 40], integer=True) == 26
    # 0.25 -> position 1.75 -> 7.5, rounded half up for whole numbers
    assert W.map_percentile(1, [1, 1, 2, 3], [0, 10, 20, 30, 40]) == pytest.approx(7.5)
    assert W.map_percentile(1, [1, 1, 2, 3], [0, 10, 20, 30, 40], integer=True) == 8
    # beyond the ends: the new group's smallest / largest value
    assert W.map_percentile(-5, [1, 2, 3], [10, 20]) == 10
    assert W.map_percentile(99, [1, 2, 3], [10, 20]) == 20
    # a group mapped to itself gives every value back
    ref = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    np.testing.assert_allclose(W.map_percentile(ref, ref, ref), ref)
    # 12 of 0..30 days (monthly) -> (12.5 / 31) of 0..365 days (annual)
    assert W.map_percentile(12, np.arange(31), np.arange(366), integer=True) == 147
    assert np.isnan(W.map_percentile(np.nan, [1, 2], [3, 4]))


def test_what_if_moves_linked_numbers_with_the_category(termed):
    table, trained, space = termed
    links = W.linked_features(table, trained)
    assert list(zip(links["category"], links["feature"], strict=True)) == [("term", "renew_days")]
    f = table.frame
    cid = f.loc[(f["term"] == "monthly") & (f["renew_days"] == 12), "customer_id"].iloc[0]
    r = W.what_if(trained, table, cid, {"term": "annual"}, space=space)
    # 12 among the 60 monthly values: 22 below, 2 equal -> (22 + 1) / 60; among the 72 annual
    # values that is position 72 * 23 / 60 + 0.5 = 28.1, between the 28th (140) and the
    # 29th (150): 140 + 0.1 * 10 = 141
    assert r.move_linked and r.linked_changes == [
        {"column": "renew_days", "before": 12, "after": 141, "linked_to": ["term"],
         "eta_sq": pytest.approx(links["eta_sq"].iloc[0], abs=1e-4)},
    ]  # fmt: skip
    assert r.changes == [{"column": "term", "before": "monthly", "after": "annual"}]
    # the risk is the model's risk of the customer with both values changed
    row = f[f["customer_id"] == cid].assign(term="annual", renew_days=141)
    assert r.after == pytest.approx(float(M.score(trained, row).iloc[0]))
    assert r.to_dict()["linked_changes"] == r.linked_changes
    # off: the number stays; an explicit value always wins
    off = W.what_if(trained, table, cid, {"term": "annual"}, space=space, move_linked=False)
    assert off.linked_changes == [] and not off.move_linked
    row = f[f["customer_id"] == cid].assign(term="annual")
    assert off.after == pytest.approx(float(M.score(trained, row).iloc[0]))
    mine = W.what_if(trained, table, cid, {"term": "annual", "renew_days": 200}, space=space)
    assert mine.linked_changes == []
    # a scenario keeps the moves and shows them beside the changes
    sc = W.Scenario.from_result("annual", r)
    assert sc.linked == {"renew_days": 141}
    cmp = W.compare_scenarios([sc, W.Scenario("tickets", cid, {"tickets": 0}, 0.5, 0.4)])
    assert list(cmp.columns)[-3:] == ["tickets", "renew_days", "linked"]
    assert cmp["linked"].tolist() == ["renew_days", ""]
    assert cmp["n_changes"].tolist() == [1, 1]
    assert (
        W.Scenario.from_dict({k: v for k, v in sc.to_dict().items() if k != "linked"}).linked == {}
    )


def test_segment_moves_linked_numbers_per_customer(termed):
    table, trained, space = termed
    f = table.frame
    ids = f.loc[f["term"] == "monthly", "customer_id"]
    res = W.segment_scenario(
        trained, table, ids, W.Intervention("set", "term", "annual"),
        cost_per_customer=1, acceptance=1, value=1, space=space,
    )  # fmt: skip
    per = res.per_customer.set_index("customer_id")
    monthly = f.loc[f["term"] == "monthly", "renew_days"]
    annual = f.loc[f["term"] == "annual", "renew_days"]
    active = f[(f["term"] == "monthly") & (f["label_status"] != "churned")]
    for cid, days in zip(active["customer_id"], active["renew_days"], strict=True):
        want = W.map_percentile(days, monthly, annual, integer=True)
        assert per.loc[cid, "linked_renew_days"] == want
        # the same number as the one-customer what-if
        one = W.what_if(trained, table, cid, {"term": "annual"}, space=space)
        assert per.loc[cid, "risk_if_accepted"] == pytest.approx(one.after)
    (lk,) = res.linked_changes
    assert lk["column"] == "renew_days" and lk["n_moved"] == len(active)
    assert any("renew_days" in a for a in res.assumptions)
    off = W.segment_scenario(
        trained, table, ids, W.Intervention("set", "term", "annual"),
        cost_per_customer=1, acceptance=1, value=1, space=space, move_linked=False,
    )  # fmt: skip
    assert off.linked_changes == [] and "linked_renew_days" not in off.per_customer


def test_mapping_on_sorted_groups_equals_map_percentile_exactly():
    """The app's fast path (groups already sorted, no NaN) gives map_percentile's numbers
    bit for bit, whole-number rounding at .5 included."""
    rng = np.random.default_rng(0)
    for trial in range(3000):
        n1, n2 = rng.integers(1, 60, 2)
        src = np.sort(rng.integers(0, 20, n1).astype(float) if trial % 2 else rng.normal(size=n1))
        dst = np.sort(rng.integers(0, 400, n2).astype(float) if trial % 3 else rng.normal(size=n2))
        v = np.r_[rng.choice(src, 5), rng.normal(size=3) * 30, [np.nan]]
        for integer in (False, True):
            fast = WL._map_sorted(v, src, dst, integer)
            assert np.array_equal(fast, W.map_percentile(v, src, dst, integer), equal_nan=True)


def test_precomputed_groups_and_reference_give_the_same_answers(termed):
    """The app computes the reference groups (and the reasons' reference) once per model
    and passes them in; the results are those computed from scratch."""
    from churn import explain as E

    table, trained, space = termed
    groups, links = W.reference_groups(table, trained), W.linked_features(table, trained)
    ref = E.make_reference(table, trained.features)
    f = table.frame
    cid = f.loc[(f["term"] == "monthly") & (f["renew_days"] == 12), "customer_id"].iloc[0]
    plain = W.what_if(trained, table, cid, {"term": "annual"}, space=space, explain=True)
    fast = W.what_if(
        trained, table, cid, {"term": "annual"}, space=space, explain=True,
        links=links, groups=groups, reference=ref,
    )  # fmt: skip
    assert fast.to_dict() == plain.to_dict()
    assert fast.linked_changes[0]["after"] == 141
    pd.testing.assert_frame_equal(fast.reasons_after, plain.reasons_after)
    s1 = W.suggest(trained, table, cid, target=0.2, space=space)
    s2 = W.suggest(trained, table, cid, target=0.2, space=space, links=links, groups=groups)
    pd.testing.assert_frame_equal(s1.options, s2.options)
    ids = f.loc[f["term"] == "monthly", "customer_id"]
    iv = W.Intervention("set", "term", "annual")
    args = dict(cost_per_customer=1, acceptance=1, value=1, space=space)
    a = W.segment_scenario(trained, table, ids, iv, **args)
    b = W.segment_scenario(trained, table, ids, iv, **args, links=links, groups=groups)
    pd.testing.assert_frame_equal(a.per_customer, b.per_customer)


def test_monthly_to_annual_on_the_sample_lowers_risk_with_linked_numbers(sample):
    """The sample's days to renewal follow the contract (1..31 monthly, 1..365 annual)."""
    table, trained, space = sample
    links = W.linked_features(table, trained)
    pairs = set(zip(links["category"], links["feature"], strict=True))
    assert ("contract", "days_to_renewal") in pairs and ("plan", "monthly_fee") in pairs
    f = table.frame
    ids = f.loc[(f["contract"] == "monthly") & (f["label_status"] != "churned"), "customer_id"]
    share = {}
    for move in (False, True):
        res = W.segment_scenario(
            trained, table, ids, W.Intervention("set", "contract", "annual"),
            cost_per_customer=1, acceptance=1, value=1, space=space, move_linked=move,
        )  # fmt: skip
        per = res.per_customer
        share[move] = float((per["risk_if_accepted"] < per["risk_before"]).mean())
    # measured: 1.3 % without the linked number, 81.4 % with it
    assert share[False] < 0.2 and share[True] > 0.6, share


def test_round_keeping_total_by_hand():
    # [1, 2, 3, 4] x 0.7: floors 0, 1, 2, 2; fractions .7 .4 .1 .8 sum to 2: the two largest go up
    np.testing.assert_array_equal(W.round_keeping_total([0.7, 1.4, 2.1, 2.8]), [1, 1, 2, 3])
    halves = W.round_keeping_total([0.5] * 1000)
    assert halves.sum() == 500 and set(halves) == {0.0, 1.0}  # rounding each would give 0 or 1000
    out = W.round_keeping_total([1.5, np.nan, 2.0])
    assert np.isnan(out[1]) and out[2] == 2 and out[0] in (1, 2)
    rng = np.random.default_rng(3)
    x = rng.poisson(2, 500) * 0.37
    r = W.round_keeping_total(x)
    assert abs(r.sum() - x.sum()) <= 0.5 and np.all(np.abs(r - x) < 1)
    assert np.all(r == np.round(r))


def test_scaled_counts_stay_whole_numbers(tiny, sample):
    table, trained, space = tiny
    specs = {r["feature"]: r for r in space.to_dict("records")}
    rows = table.frame
    scaled = WC._intervene(rows, W.Intervention("scale", "support_tickets", 0.7), specs)
    t = scaled["support_tickets"].to_numpy()
    assert np.all(t == np.round(t))
    assert abs(t.sum() - 0.7 * rows["support_tickets"].sum()) <= 0.5
    assert np.all(np.abs(t - 0.7 * rows["support_tickets"]) < 1)
    capped = WC._intervene(rows, W.Intervention("cap", "support_tickets", 1.5), specs)
    assert capped["support_tickets"].max() == 1  # a cap of 1.5 tickets is at most 1
    table, trained, space = sample
    ids = W.segment_ids(table, column="support_tickets_90d", values=[2, 3, 4, 5, 6, 7, 8])
    res = W.segment_scenario(
        trained, table, ids, W.Intervention("scale", "support_tickets_90d", 0.7),
        cost_per_customer=1, acceptance=1, value=1, space=space,
    )  # fmt: skip
    assert abs(res.rounding["rounded_total"] - res.rounding["exact_total"]) <= 0.5
    assert res.rounding["rounded_total"] == int(res.rounding["rounded_total"])
    # every customer with tickets gets the offer, whether their share rounds down or not
    assert res.n_contacted == res.n_targeted
    assert any("whole numbers" in a for a in res.assumptions)
    # a number that is not a count is not rounded
    res = W.segment_scenario(
        trained, table, ids, W.Intervention("scale", "logins_change_pct", 0.5),
        cost_per_customer=1, acceptance=1, value=1, space=space,
    )  # fmt: skip
    assert res.rounding is None and any("not rounded" in a for a in res.assumptions)


# --------------------------------------------------------------------------- feature space
def test_feature_space_levels_ranges_and_marking(sample):
    table, trained, space = sample
    s = space.set_index("feature")
    assert list(space["feature"]) == list(trained.features)
    assert s.loc["plan", "kind"] == "categorical"
    assert s.loc["plan", "levels"] == ["Basic", "Standard", "Premium"]  # most common first
    assert s.loc["support_tickets_90d", "kind"] == "integer"
    assert s.loc["support_tickets_90d", "step"] == 1
    assert s.loc["logins_change_pct", "kind"] == "float"
    col = table.frame["support_tickets_90d"]
    assert s.loc["support_tickets_90d", "min"] == np.quantile(col, 0.01, method="nearest")
    assert s.loc["support_tickets_90d", "max"] == np.quantile(col, 0.99, method="nearest")
    assert s.loc["support_tickets_90d", "data_max"] == col.max()
    for f in ("contract", "plan", "support_tickets_90d", "nps", "failed_payments_90d"):
        assert s.loc[f, "actionable"], f
    for f in ("region", "acquisition_channel", "days_to_renewal"):
        assert not s.loc[f, "actionable"], f


def test_actionable_names_in_english_and_korean():
    assert W.is_actionable("Contract") and W.is_actionable("계약유형")
    assert W.is_actionable("TechSupport") and W.is_actionable("결제실패_90일")
    assert not W.is_actionable("gender") and not W.is_actionable("성별")
    assert not W.is_actionable("tenure") and not W.is_actionable("TotalCharges")
    assert not W.is_actionable("가입일") and not W.is_actionable("favourite_colour")


# --------------------------------------------------------------------------- editing
def test_apply_changes_copies_and_validates(tiny):
    table, _, space = tiny
    rows = table.frame.iloc[:2]
    before = rows.copy()
    out = W.apply_changes(rows, {"contract": "annual", "support_tickets": 0}, space)
    assert list(out["contract"]) == ["annual", "annual"]
    assert list(out["support_tickets"]) == [0.0, 0.0]
    pd.testing.assert_frame_equal(rows, before)  # input untouched
    with pytest.raises(ChurnDataError, match="colour.*red|red.*colour"):
        W.apply_changes(rows, {"colour": "red"}, space)
    with pytest.raises(ChurnDataError, match="'weekly'.*'contract'"):
        W.apply_changes(rows, {"contract": "weekly"}, space)
    with pytest.raises(ChurnDataError, match="outside"):
        W.apply_changes(rows, {"support_tickets": 9}, space)
    with pytest.raises(ChurnDataError, match="whole number"):
        W.apply_changes(rows, {"support_tickets": 1.5}, space)
    with pytest.raises(ChurnDataError, match="not a number"):
        W.apply_changes(rows, {"support_tickets": "many"}, space)


def test_no_change_leaves_risk_identical(sample):
    table, trained, space = sample
    cid = table.frame["customer_id"].iloc[17]
    same = {c: table.frame[c].iloc[17] for c in ("plan", "contract", "support_tickets_90d")}
    for changes in ({}, same):
        r = W.what_if(trained, table, cid, changes, space=space)
        assert r.after == r.before and r.delta == 0.0 and r.changes == []
    assert r.before == pytest.approx(M.score(trained, table).loc[cid])


def test_what_if_lists_changes_and_delta(tiny):
    table, trained, space = tiny
    frame = table.frame
    cid = frame.loc[
        (frame["contract"] == "monthly") & (frame["support_tickets"] == 3), "customer_id"
    ]
    r = W.what_if(trained, table, cid.iloc[0], {"contract": "annual", "support_tickets": 0})
    assert r.changes == [
        {"column": "contract", "before": "monthly", "after": "annual"},
        {"column": "support_tickets", "before": 3, "after": 0},
    ]
    assert r.delta == pytest.approx(r.after - r.before)
    assert r.after < r.before - 0.2  # both planted drivers push the same way
    with pytest.raises(ChurnDataError, match="NOPE"):
        W.what_if(trained, table, "NOPE", {})


def test_planted_drivers_move_risk_the_planted_way(sample):
    """Sample README: 2+ failed payments and 4+ tickets raise churn; removing them helps."""
    table, trained, space = sample
    f = table.frame
    active = f["label_status"] == "active"
    for col, cond in (
        ("failed_payments_90d", f["failed_payments_90d"] >= 2),
        ("support_tickets_90d", f["support_tickets_90d"] >= 4),
    ):
        ids = f.loc[active & cond, "customer_id"].head(40)
        moved = [W.what_if(trained, table, i, {col: 0}, space=space).delta for i in ids]
        assert len(moved) >= 20
        assert np.mean(np.array(moved) < 0) > 0.8, col


# --------------------------------------------------------------------------- suggestions
def test_suggestions_reach_a_reachable_target_with_seen_values(sample):
    table, trained, space = sample
    risk = M.score(trained, table)
    cid = risk[table.frame.set_index("customer_id")["label_status"] == "active"].idxmax()
    target = risk[cid] - 0.15
    s = W.suggest(trained, table, cid, target=target, space=space)
    assert s.reached and 1 <= len(s.options) <= 3
    levels = space.set_index("feature")["levels"]
    acts = set(space.loc[space["actionable"], "feature"])
    for _, opt in s.options.iterrows():
        assert opt["risk"] < target
        for ch in opt["changes"]:
            assert ch["column"] in acts
            assert ch["after"] in levels[ch["column"]]  # only values seen in the data
        # the stated risk is what the what-if gives for those changes
        again = W.what_if(
            trained, table, cid, {c["column"]: c["after"] for c in opt["changes"]}, space=space
        )
        assert again.after == pytest.approx(opt["risk"])
    assert list(s.options["n_changes"]) == sorted(s.options["n_changes"])


def test_target_zero_is_never_reached(sample):
    table, trained, space = sample
    s = W.suggest(trained, table, "C00002", target=0.0, space=space)
    assert not s.reached
    assert s.best_risk == pytest.approx(s.options["risk"].min())
    assert "lowest reachable" in s.message and s.best_risk < s.before


def test_suggest_tiny_prefers_one_change(tiny):
    table, trained, space = tiny
    f = table.frame
    cid = f.loc[(f["contract"] == "monthly") & (f["support_tickets"] == 3), "customer_id"].iloc[0]
    before = W.what_if(trained, table, cid, {}).before
    only_contract = W.what_if(trained, table, cid, {"contract": "annual"}).after
    s = W.suggest(trained, table, cid, target=(before + only_contract) / 2, space=space)
    assert s.reached
    first = s.options.iloc[0]
    assert first["n_changes"] == 1
    assert first["changes"] == [{"column": "contract", "before": "monthly", "after": "annual"}]
    # region is fixed: never suggested
    assert all(c["column"] != "region" for ch in s.options["changes"] for c in ch)


# --------------------------------------------------------------------------- scenarios
def test_compare_scenarios_side_by_side():
    a = W.Scenario("annual", "C1", {"contract": "annual"}, 0.5, 0.3)
    b = W.Scenario("calls", "C1", {"support_tickets": 0, "contract": "annual"}, 0.5, 0.2)
    out = W.compare_scenarios([a, b.to_dict()])
    assert list(out.columns) == [
        "scenario", "customer", "before", "after", "delta", "n_changes",
        "contract", "support_tickets",
    ]  # fmt: skip
    assert out["delta"].tolist() == pytest.approx([-0.2, -0.3])
    assert out["n_changes"].tolist() == [1, 2]
    assert pd.isna(out.loc[0, "support_tickets"]) and out.loc[1, "support_tickets"] == 0
    assert W.Scenario.from_dict(b.to_dict()) == b


# --------------------------------------------------------------------------- segments
def test_segment_totals_equal_sum_over_customers(sample):
    table, trained, space = sample
    ids = W.segment_ids(table, column="support_tickets_90d", values=[4, 5, 6, 7, 8])
    res = W.segment_scenario(
        trained,
        table,
        ids,
        W.Intervention("cap", "support_tickets_90d", 2),
        cost_per_customer=3000,
        acceptance=0.4,
        space=space,
    )
    per = res.per_customer
    assert res.n_targeted == len(per) == len(ids) > 50
    assert res.churners_before == pytest.approx(per["risk_before"].sum())
    assert res.churners_after == pytest.approx(per["risk_expected"].sum())
    assert res.customers_kept == pytest.approx(res.churners_before - res.churners_after)
    assert res.revenue_kept == pytest.approx(per["revenue_kept"].sum())
    assert res.campaign_cost == 3000 * res.n_contacted
    assert res.customers_kept > 0  # fewer tickets: the planted way
    expected = 0.4 * per["risk_if_accepted"] + 0.6 * per["risk_before"]
    np.testing.assert_allclose(per["risk_expected"], expected)
    np.testing.assert_allclose(
        per["revenue_kept"], (per["risk_before"] - expected) * per["monthly_value"] * 12
    )
    assert any("12 months" in a for a in res.assumptions)


def test_segment_drops_churned_and_unchanged(sample):
    table, trained, space = sample
    f = table.frame
    ids = f["customer_id"].head(100)
    res = W.segment_scenario(
        trained, table, ids, W.Intervention("set", "contract", "annual"),
        cost_per_customer=1, acceptance=1, space=space, value=100,
    )  # fmt: skip
    head = f.head(100)
    assert res.n_selected == 100
    assert res.n_targeted == int((head["label_status"] != "churned").sum())
    n_monthly = int(((head["label_status"] != "churned") & (head["contract"] == "monthly")).sum())
    assert res.n_contacted == n_monthly == res.campaign_cost
    unchanged = res.per_customer[~res.per_customer["contacted"]]
    assert (unchanged["risk_expected"] == unchanged["risk_before"]).all()


def test_cost_and_roi_by_hand(tiny):
    """Acceptance 1 and a constant value: every number can be checked from the risks."""
    table, trained, space = tiny
    f = table.frame
    mask = (f["contract"] == "monthly") & (f["label_status"] == "active")
    res = W.segment_scenario(
        trained, table, mask, W.Intervention("set", "contract", "annual"),
        cost_per_customer=2.0, acceptance=0.5, value=10.0, horizon_months=12, space=space,
    )  # fmt: skip
    n = int(mask.sum())
    per = res.per_customer
    assert res.n_contacted == n and res.campaign_cost == 2.0 * n
    gain = (per["risk_before"] - per["risk_if_accepted"]).sum()
    assert res.customers_kept == pytest.approx(0.5 * gain)
    assert res.revenue_kept == pytest.approx(0.5 * gain * 10 * 12)
    assert res.roi == pytest.approx((res.revenue_kept - 2.0 * n) / (2.0 * n))
    assert res.net == pytest.approx(res.revenue_kept - res.campaign_cost)


def test_scale_and_cap_arithmetic_and_errors(tiny):
    table, trained, space = tiny
    specs = {r["feature"]: r for r in space.to_dict("records")}
    rows = table.frame.iloc[:6]
    half = W.Intervention("scale", "support_tickets", 0.5)
    exact = WC._intervene(rows, half, specs, whole=False)
    np.testing.assert_allclose(exact["support_tickets"], rows["support_tickets"] * 0.5)
    # tickets are counts: [3, 2, 2, 1, 1, 0] / 2 = [1.5, 1, 1, .5, .5, 0], total 4.5; the
    # fractions (.5 .5 .5) sum to 1.5, rounded to 2: the first two of them go up
    scaled = WC._intervene(rows, half, specs)
    np.testing.assert_array_equal(rows["support_tickets"], [3, 2, 2, 1, 1, 0])
    np.testing.assert_array_equal(scaled["support_tickets"], [2, 1, 1, 1, 0, 0])
    capped = WC._intervene(rows, W.Intervention("cap", "support_tickets", 1), specs)
    np.testing.assert_allclose(capped["support_tickets"], np.minimum(rows["support_tickets"], 1))
    with pytest.raises(ChurnDataError, match="category"):
        WC._intervene(rows, W.Intervention("scale", "contract", 0.5), specs)
    with pytest.raises(ChurnDataError, match="acceptance"):
        W.segment_scenario(
            trained, table, rows["customer_id"], W.Intervention("cap", "support_tickets", 1),
            cost_per_customer=1, acceptance=1.5, value=1,
        )  # fmt: skip


def test_segment_ids_top_n(sample):
    table, trained, _ = sample
    risk = M.score(trained, table)
    top = W.segment_ids(table, risk=risk, top_n=10)
    active = table.frame.set_index("customer_id")["label_status"] != "churned"
    assert top == list(risk[active].sort_values(ascending=False, kind="mergesort").index[:10])


def test_real_telco_file(shared_data):
    frame = read_table(shared_data / "telco_customer_churn.csv").frame
    table = build_customer_table(frame, infer_roles(frame))
    trained = M.train(table, model="logistic", split=M.choose_split(table, prefer="cv"))
    space = W.feature_space(table, trained).set_index("feature")
    assert space.loc["Contract", "actionable"] and not space.loc["gender", "actionable"]
    monthly = table.frame[
        (table.frame["Contract"] == "Month-to-month") & (table.frame["label_status"] == "active")
    ]
    deltas = [
        W.what_if(trained, table, c, {"Contract": "Two year"}).delta
        for c in monthly["customer_id"].head(30)
    ]
    assert np.mean(np.array(deltas) < 0) > 0.9  # longer contracts churn less in Telco


def test_reasons_moved_add_up(sample):
    """With churn.explain: the contributions' change equals the change in risk."""
    pytest.importorskip("churn.explain")
    table, trained, space = sample
    r = W.what_if(
        trained, table, "C00002", {"support_tickets_90d": 0, "plan": "Premium"},
        space=space, explain=True,
    )  # fmt: skip
    assert r.moved is not None and set(r.moved["feature"]) == set(trained.features)
    moved = r.moved["after"].sum() - r.moved["before"].sum()
    assert moved == pytest.approx(r.delta, abs=1e-6)
    np.testing.assert_allclose(r.moved["change"], r.moved["after"] - r.moved["before"])
    assert r.moved["change"].abs().is_monotonic_decreasing
    assert r.reasons_before is not None and len(r.reasons_before) <= 3
