"""churn.alive: BG/NBD and Gamma-Gamma on purchase logs.

The CDNOW figures come from an independent maximum-likelihood fit (r = 0.2507,
alpha = 4.765, a = 0.746, b = 2.216, log-likelihood -95,443.8; 16,623 expected and 19,684
actual repeat purchases in the 39 holdout weeks). The closed forms are checked against
the model's definition integrated numerically: the purchase rate integrated out by the
gamma integral, the drop-out probability by quadrature (no hypergeometric function).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from churn.alive import (
    PHASE_CALIBRATION,
    PHASE_HOLDOUT,
    TRACKING_COLUMNS,
    BetaGeoParams,
    GammaGammaParams,
    alive_table,
    bgnbd_log_likelihood,
    check_horizon_days,
    conditional_expected_purchases,
    expected_purchases_new,
    expected_spend,
    fit_alive,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    p_alive,
    p_alive_grid,
    purchase_days,
    rfm_summary,
    simulate_purchases,
    tracking_frame,
)
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table

CDNOW_ROLES = ColumnRoles(id="customer_id", event_date="date", amount="dollar_value")
REFERENCE = {"r": 0.2507, "alpha": 4.765, "a": 0.746, "b": 2.216}


@pytest.fixture(scope="module")
def cdnow(shared_data) -> pd.DataFrame:
    """The CDNOW log (customer ids are text with leading zeros)."""
    return pd.read_csv(shared_data / "cdnow_transactions.csv", dtype={"customer_id": str})


@pytest.fixture(scope="module")
def cdnow_days(cdnow):
    return purchase_days(cdnow, CDNOW_ROLES)


def test_cdnow_calibration_summary(cdnow_days):
    s = rfm_summary(cdnow_days, end="1997-09-30")
    assert len(s) == 23_570
    assert int(s["frequency"].sum()) == 24_337
    assert s["customer_id"].iloc[0] == "00001"  # text ids keep their leading zeros
    # Customers joined in the first quarter; T runs to the end of 1997-09-30: 39 weeks
    # for a first purchase on 1997-01-01.
    assert s["T"].max() == pytest.approx(39.0)
    assert s["T"].min() == pytest.approx((273 - 83) / 7)


def test_cdnow_parameters_and_holdout_match_the_independent_fit(cdnow_days):
    s = rfm_summary(cdnow_days, end="1997-09-30")
    x, t_x, big_t = (s[c].to_numpy() for c in ("frequency", "recency", "T"))
    params = fit_bgnbd(x, t_x, big_t)
    for name, value in REFERENCE.items():
        assert getattr(params, name) == pytest.approx(value, rel=0.02), name
    assert params.log_likelihood == pytest.approx(-95_443.8, abs=0.5)
    assert bgnbd_log_likelihood(params, x, t_x, big_t) == pytest.approx(-95_443.8, abs=0.5)
    expected = conditional_expected_purchases(params, 39.0, x, t_x, big_t).sum()
    assert expected == pytest.approx(16_623, rel=0.02)
    # What happened: repeat purchase days after the calibration period.
    holdout = cdnow_days.day > np.datetime64("1997-09-30")
    assert int(holdout.sum()) == 19_684


def test_cdnow_fit_alive_scores_every_customer(cdnow):
    res = fit_alive(cdnow, CDNOW_ROLES, snapshot="1997-09-30", horizon_days=273)
    c = res.customers
    assert len(c) == 23_570 and res.horizon_days == 273
    assert c["expected_purchases"].sum() == pytest.approx(16_623, rel=0.02)
    assert ((c["p_alive"] > 0) & (c["p_alive"] <= 1)).all()
    # Gamma-Gamma on the 9,450 repeat buyers with a positive mean amount.
    assert res.spend is not None and res.spend.customers == 9_450
    assert res.spend.q > 1
    np.testing.assert_allclose(
        c["expected_value"], c["expected_spend"] * c["expected_purchases"], rtol=1e-12
    )


# ----- small hand-checkable cases ---------------------------------------------------------

#: A: 2024-01-01 twice (one day, 30), 01-08 (20), 01-22 (10 + 5); B: once on 01-10 (7);
#: C: 01-28 (the snapshot day). Snapshot 2024-01-28.
SMALL = pd.DataFrame(
    {
        "id": ["A", "A", "A", "B", "A", "A", "C", "A"],
        "day": [
            "2024-01-01",
            "2024-01-01",
            "2024-01-08",
            "2024-01-10",
            "2024-01-22",
            "2024-01-22",
            "2024-01-28",
            "2024-02-05",
        ],  # fmt: skip
        "amount": [10, 20, 20, 7, 10, 5, 3, 99],
    }
)
SMALL_ROLES = ColumnRoles(id="id", event_date="day", amount="amount")


def test_summary_merges_same_day_purchases_by_hand():
    days = purchase_days(SMALL, SMALL_ROLES, snapshot="2024-01-28")
    assert days.events == 7 and list(days.ids) == ["A", "B", "C"]
    assert days.amount.tolist() == [30.0, 20.0, 15.0, 7.0, 3.0]
    s = rfm_summary(days).set_index("customer_id")
    assert s["frequency"].to_dict() == {"A": 2, "B": 0, "C": 0}
    assert s.loc["A", "recency"] == pytest.approx(3.0)  # 01-01 to 01-22: 21 days
    assert s.loc["A", "T"] == pytest.approx(4.0)  # 01-01 to the end of 01-28: 28 days
    assert s.loc["B", "T"] == pytest.approx(19 / 7)
    assert s.loc["C", "T"] == pytest.approx(1 / 7)  # first purchase on the snapshot day
    assert s.loc["A", "monetary_value"] == pytest.approx(17.5)  # (20 + 15) / 2 repeat days
    assert np.isnan(s.loc["B", "monetary_value"])
    in_days = rfm_summary(days, unit_days=1.0).set_index("customer_id")
    assert in_days.loc["A", ["recency", "T"]].tolist() == [21.0, 28.0]


P1 = BetaGeoParams(r=2.0, alpha=3.0, a=1.5, b=2.5)
P2 = BetaGeoParams(r=0.25, alpha=4.8, a=0.75, b=2.2)


def test_p_alive_is_one_without_repeat_purchases():
    out = p_alive(P2, [0, 0, 0], [0.0, 0.0, 0.0], [0.5, 10.0, 100.0])
    assert out.tolist() == [1.0, 1.0, 1.0]


def test_p_alive_by_hand():
    # 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    by_hand = 1 / (1 + 1.5 / 3.5 * (13 / 7) ** 4)
    assert p_alive(P1, [2], [4.0], [10.0])[0] == pytest.approx(by_hand, rel=1e-12)


def test_monotonic_behaviour():
    big_t = np.linspace(5, 50, 10)
    # The longer the silence since the last purchase, the less likely still alive ...
    assert np.all(np.diff(p_alive(P2, np.full(10, 3), np.full(10, 4.0), big_t)) < 0)
    # ... the later the last purchase, the more likely ...
    assert np.all(np.diff(p_alive(P2, np.full(10, 3), np.linspace(0.5, 5, 10), 5.0)) > 0)
    # ... and with the same recency, more purchases make a long silence more telling.
    assert np.all(np.diff(p_alive(P2, np.arange(1, 8), np.full(7, 2.0), 30.0)) < 0)
    horizon = np.array([1.0, 4.0, 13.0, 52.0, 520.0])
    grows = conditional_expected_purchases(P2, horizon, 3, 20.0, 30.0)
    assert np.all(np.diff(grows) > 0)
    assert np.all(np.diff(expected_purchases_new(P2, horizon)) > 0)
    assert expected_purchases_new(P2, [0.0, -3.0]).tolist() == [0.0, 0.0]


def _numeric(prm: BetaGeoParams, x: int, t_x: float, big_t: float, t: float):
    """Log-likelihood, P(alive) and E[purchases in t] from the model's definition."""
    r, al, a, b = prm.r, prm.alpha, prm.a, prm.b
    beta = stats.beta(a, b).pdf
    # Integral of lambda^x exp(-lambda s) over gamma(r, alpha) purchase rates.
    c = np.exp(special.gammaln(r + x) - special.gammaln(r) + r * np.log(al))

    def over_p(f):
        return integrate.quad(lambda p: f(p) * beta(p), 0, 1, epsabs=1e-14, limit=200)[0]

    alive = over_p(lambda p: (1 - p) ** x) * c * (al + big_t) ** -(r + x)
    dead = over_p(lambda p: p * (1 - p) ** (x - 1)) * c * (al + t_x) ** -(r + x) if x else 0.0
    # Alive at T, a customer makes (1 - exp(-lambda p t)) / p purchases in the next t.
    ahead = over_p(
        lambda p: (
            (1 - p) ** x / p * c * ((al + big_t) ** -(r + x) - (al + big_t + p * t) ** -(r + x))
        )
    )
    # A new customer: E[X(t)] = (1 - exp(-lambda p t)) / p over both distributions.
    new = over_p(lambda p: (1 - (al / (al + p * t)) ** r) / p)
    return np.log(alive + dead), alive / (alive + dead), ahead / (alive + dead), new


@pytest.mark.parametrize("prm", [P1, P2], ids=["a>1", "a<1"])
@pytest.mark.parametrize(
    "x,t_x,big_t", [(0, 0.0, 5.0), (1, 2.0, 6.0), (3, 4.0, 10.0), (6, 9.5, 10.0)]
)
def test_closed_forms_agree_with_numerical_integration(prm, x, t_x, big_t):
    log_lik, alive, ahead, new = _numeric(prm, x, t_x, big_t, t=4.0)
    assert bgnbd_log_likelihood(prm, [x], [t_x], [big_t]) == pytest.approx(log_lik, abs=1e-9)
    assert p_alive(prm, [x], [t_x], [big_t])[0] == pytest.approx(alive, rel=1e-9)
    got = conditional_expected_purchases(prm, 4.0, [x], [t_x], [big_t])[0]
    assert got == pytest.approx(ahead, rel=1e-8)
    assert expected_purchases_new(prm, 4.0) == pytest.approx(new, rel=1e-8)


def test_a_equal_to_one_is_the_continuous_limit():
    near = [BetaGeoParams(0.5, 3.0, a, 2.0) for a in (1 - 1e-4, 1.0, 1 + 1e-4)]
    vals = [conditional_expected_purchases(p, 10.0, [2], [3.0], [8.0])[0] for p in near]
    assert np.isfinite(vals).all()
    assert vals[1] == pytest.approx(vals[0], rel=1e-3) and vals[1] == pytest.approx(
        vals[2], rel=1e-3
    )


def test_fit_finds_the_parameters_a_log_was_drawn_with():
    true = BetaGeoParams(r=0.6, alpha=5.0, a=0.8, b=2.5)
    log = simulate_purchases(30_000, true, observed_days=728, seed=3)
    res = fit_alive(log, ColumnRoles(id="customer_id", event_date="date"))
    assert res.spend is None and res.customers["expected_value"].isna().all()
    for name in ("r", "alpha", "a", "b"):
        assert getattr(res.params, name) == pytest.approx(getattr(true, name), rel=0.12), name
    # Predictions do not depend on the fit's time unit.
    in_days = fit_alive(log, ColumnRoles(id="customer_id", event_date="date"), unit_days=1.0)
    assert in_days.params.alpha == pytest.approx(res.params.alpha * 7, rel=1e-4)
    np.testing.assert_allclose(
        in_days.customers["expected_purchases"], res.customers["expected_purchases"], rtol=1e-4
    )


# ----- Gamma-Gamma ----------------------------------------------------------------------


def test_expected_spend_by_hand():
    gg = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)
    assert gg.mean_spend == pytest.approx(30.0)  # 6 * 15 / 3
    # p (gamma + x m) / (p x + q - 1) = 6 * (15 + 2 * 40) / 15 = 38
    out = expected_spend(gg, [2, 0, 3, 1], [40.0, np.nan, -5.0, np.nan])
    assert out.tolist() == pytest.approx([38.0, 30.0, 30.0, 30.0])
    assert np.isnan(expected_spend(GammaGammaParams(1.0, 0.9, 1.0), [1], [5.0])).all()


@pytest.mark.parametrize("x,m", [(1, 10.0), (3, 25.0), (7, 4.5)])
def test_gamma_gamma_likelihood_agrees_with_numerical_integration(x, m):
    gg = GammaGammaParams(p=4.0, q=3.5, gamma=12.0)
    # The mean of x gamma(p, nu) amounts is gamma(p x, rate x nu); nu is gamma(q, gamma).
    density = integrate.quad(
        lambda nu: (
            stats.gamma(4.0 * x, scale=1 / (x * nu)).pdf(m)
            * stats.gamma(3.5, scale=1 / 12.0).pdf(nu)
        ),
        0,
        np.inf,
    )[0]
    assert gamma_gamma_log_likelihood(gg, [x], [m]) == pytest.approx(np.log(density), abs=1e-9)


def test_gamma_gamma_fit_is_the_maximum_and_recovers_the_parameters():
    rng = np.random.default_rng(0)
    n = 60_000
    x = rng.integers(1, 8, n)
    nu = rng.gamma(3.5, 1 / 12.0, n)
    m = rng.gamma(4.0 * x, 1 / (x * nu))  # mean spend of x purchases
    fit = fit_gamma_gamma(x, m)
    # p and gamma trade off (their spread over seeds is about 5 %); the mean is sharp.
    assert (fit.p, fit.q, fit.gamma) == pytest.approx((4.0, 3.5, 12.0), rel=0.1)
    assert fit.mean_spend == pytest.approx(4.0 * 12.0 / 2.5, rel=0.01)
    best = gamma_gamma_log_likelihood(fit, x, m)
    assert best == pytest.approx(fit.log_likelihood, rel=1e-12)
    for name in ("p", "q", "gamma"):
        for step in (0.99, 1.01):
            moved = GammaGammaParams(**{**fit.to_dict(), name: getattr(fit, name) * step})
            assert gamma_gamma_log_likelihood(moved, x, m) < best


def test_bgnbd_fit_is_the_maximum(cdnow_days):
    s = rfm_summary(cdnow_days, end="1997-09-30")
    x, t_x, big_t = (s[c].to_numpy() for c in ("frequency", "recency", "T"))
    fit = fit_bgnbd(x, t_x, big_t)
    for name in ("r", "alpha", "a", "b"):
        for step in (0.995, 1.005):
            moved = BetaGeoParams(**{**fit.to_dict(), name: getattr(fit, name) * step})
            assert bgnbd_log_likelihood(moved, x, t_x, big_t) < fit.log_likelihood


# ----- errors and the app's seam --------------------------------------------------------


def test_refusals_say_what_to_do():
    no_dates = SMALL.assign(day=[None] * len(SMALL))
    with pytest.raises(ChurnDataError, match="no event has a readable date in 'day'"):
        fit_alive(no_dates, SMALL_ROLES)
    with pytest.raises(ChurnDataError, match="purchase log"):
        fit_alive(SMALL, ColumnRoles(id="id"))
    once = pd.DataFrame({"id": ["a", "b", "b"], "day": ["2024-01-01", "2024-01-02", "2024-01-02"]})
    with pytest.raises(ChurnDataError, match="at least two different days"):
        fit_alive(once, ColumnRoles(id="id", event_date="day"))
    with pytest.raises(ChurnDataError, match="horizon"):
        check_horizon_days(0)
    with pytest.raises(ChurnDataError, match="horizon"):
        check_horizon_days("ninety")
    assert check_horizon_days(90.0) == 90


def test_too_few_repeat_amounts_leave_value_out_with_a_note():
    res = fit_alive(SMALL, SMALL_ROLES, snapshot="2024-01-28")
    assert res.spend is None
    assert res.customers["expected_value"].isna().all()
    assert any("too few repeat buyers" in n for n in res.notes)


def test_alive_table_joins_the_customer_table_on_its_ids():
    log = simulate_purchases(500, BetaGeoParams(0.8, 6.0, 0.9, 3.0), seed=2)
    log["customer_id"] = " " + log["customer_id"]  # ids are cleaned the same way
    settings = IntakeSettings(ColumnRoles(id="customer_id", event_date="date"))
    table = build_customer_table(log, settings)
    alive = alive_table(log, settings, horizon_days=30)
    assert alive.index.name == "customer_id"
    assert set(alive.index) == set(table.frame["customer_id"])
    assert list(alive.columns) == [
        "frequency", "p_alive", "expected_purchases", "expected_spend", "expected_value",
    ]  # fmt: skip


# ----- tracking and the P(alive) map ----------------------------------------------------


def test_cdnow_tracking_calibration_and_holdout(cdnow):
    tr = tracking_frame(cdnow, CDNOW_ROLES, calibration_end="1997-09-30")
    f = tr.frame
    assert list(f.columns) == list(TRACKING_COLUMNS)
    assert tr.customers == 23_570 and len(f) == 78  # 1997-01-01 .. 1998-06-30 in weeks
    assert (f["phase"] == PHASE_CALIBRATION).sum() == 39
    assert f.loc[39, "period_start"] == pd.Timestamp("1997-10-01")
    by_phase = f.groupby("phase")[["actual", "expected"]].sum()
    assert by_phase.loc[PHASE_CALIBRATION, "actual"] == 24_337
    assert by_phase.loc[PHASE_HOLDOUT, "actual"] == 19_684
    # The fitted model reproduces the calibration total and, for the whole cohort, about
    # the conditional holdout figure (16,623).
    assert by_phase.loc[PHASE_CALIBRATION, "expected"] == pytest.approx(24_337, rel=0.01)
    assert by_phase.loc[PHASE_HOLDOUT, "expected"] == pytest.approx(16_623, rel=0.02)
    assert f["expected_cumulative"].iloc[-1] == pytest.approx(f["expected"].sum())
    assert f["actual_cumulative"].iloc[-1] == 24_337 + 19_684


def test_tracking_by_hand():
    # A joins 2024-01-01 and comes back on 01-03 and 01-16; B joins 01-09, back 01-20.
    log = pd.DataFrame(
        {
            "id": ["A", "A", "A", "B", "B"],
            "day": ["2024-01-01", "2024-01-03", "2024-01-16", "2024-01-09", "2024-01-20"],
        }
    )
    tr = tracking_frame(log, ColumnRoles(id="id", event_date="day"), "2024-01-10", "2024-01-21")
    f = tr.frame
    # Weeks from 01-01: [01-01, 01-07], [01-08, 01-14], [01-15, 01-21].
    assert f["period_start"].dt.strftime("%m-%d").tolist() == ["01-01", "01-08", "01-15"]
    assert f["phase"].tolist() == [PHASE_CALIBRATION, PHASE_HOLDOUT, PHASE_HOLDOUT]
    assert f["actual"].tolist() == [1.0, 0.0, 2.0]
    # Expected: A's curve from 01-01 plus B's from 01-09, at the end of each week.
    a_age = np.array([7, 14, 21]) / 7
    b_age = np.array([0, 6, 13]) / 7
    want = expected_purchases_new(tr.params, a_age) + expected_purchases_new(tr.params, b_age)
    np.testing.assert_allclose(f["expected_cumulative"], want, rtol=1e-12)
    with pytest.raises(ChurnDataError, match="must end before the snapshot 2024-01-21"):
        tracking_frame(log, ColumnRoles(id="id", event_date="day"), "2024-01-21", "2024-01-21")


def test_p_alive_grid():
    g = p_alive_grid(P2, big_t=30.0, max_frequency=4, recency_steps=3)
    assert list(g.columns) == ["frequency", "recency", "p_alive"]
    assert g["frequency"].tolist() == [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4
    assert g["recency"].tolist()[:4] == [0.0, 10.0, 20.0, 30.0]
    np.testing.assert_allclose(g["p_alive"], p_alive(P2, g["frequency"], g["recency"], 30.0))
    table = g.pivot(index="frequency", columns="recency", values="p_alive").to_numpy()
    assert (np.diff(table, axis=1) > 0).all()  # a later last purchase: more likely alive
    assert (np.diff(table[:, 0]) < 0).all()  # long silent after many purchases: less likely
    with pytest.raises(ValueError):
        p_alive_grid(P2, big_t=0.0)
