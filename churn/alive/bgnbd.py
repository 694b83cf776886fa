"""The BG/NBD model (Fader, Hardie & Lee 2005): purchases and drop-out of customers
without a contract.

While alive, a customer buys at a rate lambda (Poisson; gamma(r, alpha) across
customers) and after each purchase drops out with probability p (beta(a, b) across
customers). The four parameters are fitted by maximum likelihood (scipy's L-BFGS-B on
the log-parameters, with the analytic gradient); customers with the same number of
repeat purchases share the gamma-function terms, so a fit on 100k customers takes a
fraction of a second.

From the fitted parameters, for a customer with ``x`` repeat purchases, the last at
``t_x``, observed for ``T`` (times in the fit's unit):

* :func:`p_alive`: the probability the customer is still alive at ``T``;
* :func:`conditional_expected_purchases`: expected purchases in the next ``t``;
* :func:`expected_purchases_new`: expected repeat purchases in the first ``t`` after a
  new customer's first purchase (the population curve, for tracking charts).

The closed forms use the Gauss hypergeometric function in Euler's transformed form,
``(1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``, whose series converges quickly for any
number of purchases.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from churn.errors import ChurnDataError
from churn.text import msg

PARAMETERS = ("r", "alpha", "a", "b")
# Log-parameters are kept within exp(-/+ 12): beyond that the model is degenerate.
_LOG_BOUND = 12.0


@dataclass(frozen=True)
class BetaGeoParams:
    """Fitted BG/NBD parameters.

    Attributes
    ----------
    r, alpha : shape and rate of the gamma distribution of purchase rates (``alpha`` is
        in the fit's time unit).
    a, b : the beta distribution of the drop-out probability after a purchase.
    log_likelihood : the maximised log-likelihood.
    customers : customers in the fit.
    unit_days : days per time unit (7: weeks).
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    customers: int = 0
    unit_days: float = 7.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def _arrays(*values) -> list[np.ndarray]:
    """The values as float arrays of one broadcast shape."""
    return [np.array(v, dtype=float) for v in np.broadcast_arrays(*values)]


@dataclass(frozen=True, eq=False)
class _Data:
    """Customers' (x, t_x, T) with weights, and the index of each x among the distinct x."""

    x: np.ndarray
    t_x: np.ndarray
    big_t: np.ndarray
    w: np.ndarray
    ux: np.ndarray
    inv: np.ndarray
    pos: np.ndarray

    @classmethod
    def of(cls, x, t_x, big_t, w) -> _Data:
        ux, inv = np.unique(x, return_inverse=True)
        return cls(x, t_x, big_t, w, ux, inv, x > 0)


def _terms(theta: np.ndarray, d: _Data, gradient: bool):
    """Log-likelihood of log-parameters ``theta`` and its gradient (in ``theta``)."""
    r, alpha, a, b = np.exp(theta)
    x, pos, ux, inv = d.x, d.pos, d.ux, d.inv
    # Terms that depend on x only: computed once per distinct x.
    ga = special.gammaln(r + ux) - special.gammaln(r) + special.betaln(a, b + ux)
    ga -= special.betaln(a, b)
    log_at = np.log(alpha + d.big_t)
    log_ax = np.log(alpha + d.t_x)
    rx = r + x
    a3 = -rx * log_at
    a4 = np.full_like(a3, -np.inf)
    a4[pos] = np.log(a) - np.log(b + x[pos] - 1) - rx[pos] * log_ax[pos]
    lse = np.logaddexp(a3, a4)
    ll = float(np.dot(d.w, ga[inv] + lse)) + r * np.log(alpha) * d.w.sum()
    if not gradient:
        return ll, None
    s4 = np.exp(a4 - lse)  # share of the "dropped out after the last purchase" term
    s3 = 1.0 - s4
    dig_abx = special.digamma(a + b + ux)
    gx_r = special.digamma(r + ux) - special.digamma(r) + np.log(alpha)
    gx_b = special.digamma(b + ux) - special.digamma(b) + special.digamma(a + b) - dig_abx
    gx_a = special.digamma(a + b) - dig_abx
    w = d.w
    d_r = np.dot(w, gx_r[inv] - s3 * log_at - s4 * log_ax)
    d_alpha = r / alpha * w.sum() - np.dot(w, rx * (s3 / (alpha + d.big_t) + s4 / (alpha + d.t_x)))
    d_a = np.dot(w, gx_a[inv] + s4 / a)
    d_b = np.dot(w, gx_b[inv]) - np.dot(w[pos] * s4[pos], 1.0 / (b + x[pos] - 1))
    grad = np.array([d_r, d_alpha, d_a, d_b]) * np.array([r, alpha, a, b])
    return ll, grad


def bgnbd_log_likelihood(params: BetaGeoParams, x, t_x, big_t) -> float:
    """The BG/NBD log-likelihood of the data (equation 6 of Fader, Hardie & Lee 2005)."""
    x, t_x, big_t = _arrays(x, t_x, big_t)
    theta = np.log([params.r, params.alpha, params.a, params.b])
    return _terms(theta, _Data.of(x, t_x, big_t, np.ones_like(x)), False)[0]


def _compress(x, t_x, big_t) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, t_x, T) rows and how often each occurs (hashed, not sorted)."""
    counts = (
        pd.DataFrame({"x": x, "t": t_x, "T": big_t}, copy=False)
        .groupby(["x", "t", "T"], sort=False)
        .size()
    )
    rows = counts.index
    return (
        rows.get_level_values(0).to_numpy(dtype=float),
        rows.get_level_values(1).to_numpy(dtype=float),
        rows.get_level_values(2).to_numpy(dtype=float),
        counts.to_numpy(dtype=float),
    )


def fit_bgnbd(x, t_x, big_t, unit_days: float = 7.0) -> BetaGeoParams:
    """Maximum-likelihood BG/NBD parameters.

    Parameters
    ----------
    x : array of repeat purchases per customer.
    t_x : time of the last purchase after the first (0 without repeats).
    big_t : time from the first purchase to the end of the observation.
    unit_days : days per time unit of ``t_x`` and ``big_t`` (stored with the result).

    Raises
    ------
    ChurnDataError
        When no customer bought twice (the model then cannot tell rate from drop-out),
        or when the times are not valid (negative, or recency beyond T).
    """
    x, t_x, big_t = _arrays(x, t_x, big_t)
    if len(x) == 0 or not (x > 0).any():
        raise ChurnDataError(
            msg("P(alive) needs customers who bought on at least two different days"),
            fix=msg("use a longer purchase log, or a later snapshot date"),
        )
    bad = (x < 0) | (t_x < 0) | (t_x > big_t) | (big_t <= 0) | ~np.isfinite(x + t_x + big_t)
    if bad.any():
        raise ValueError("x >= 0 and 0 <= t_x <= T, with T > 0, are required")
    data = _Data.of(*_compress(x, t_x, big_t))
    scale = data.w.sum()
    start = np.log([1.0, max(float(np.average(data.big_t, weights=data.w)), 1e-3), 1.0, 1.0])

    def objective(theta):
        ll, grad = _terms(theta, data, True)
        return -ll / scale, -grad / scale

    res = optimize.minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 4,
        options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9},
    )
    r, alpha, a, b = np.exp(res.x)
    return BetaGeoParams(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=float(-res.fun * scale),
        customers=len(x),
        unit_days=unit_days,
    )


def p_alive(params: BetaGeoParams, x, t_x, big_t) -> np.ndarray:
    """P(alive at T | x, t_x, T): 1 without repeat purchases, else
    ``1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))``."""
    x, t_x, big_t = _arrays(x, t_x, big_t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    pos = x > 0
    log_odds = np.full(x.shape, -np.inf)
    log_odds[pos] = (
        np.log(a)
        - np.log(b + x[pos] - 1)
        + (r + x[pos]) * (np.log(alpha + big_t[pos]) - np.log(alpha + t_x[pos]))
    )
    return special.expit(-log_odds)


def _a_not_one(a: float) -> float:
    """``a`` moved off 1, where the closed forms are 0/0 (their limit is continuous)."""
    return a if abs(a - 1.0) > 1e-7 else 1.0 + 1e-7


def conditional_expected_purchases(params: BetaGeoParams, t, x, t_x, big_t) -> np.ndarray:
    """Expected purchases in the ``t`` after ``T`` of customers with history (x, t_x, T).

    ``(a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
    * 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))] * p_alive``
    (Fader, Hardie & Lee 2005, equation 10).
    """
    t, x, t_x, big_t = _arrays(t, x, t_x, big_t)
    r, alpha, b = params.r, params.alpha, params.b
    a = _a_not_one(params.a)
    one_minus_z = (alpha + big_t) / (alpha + big_t + t)
    z = t / (alpha + big_t + t)
    with np.errstate(invalid="ignore", over="ignore"):
        f = one_minus_z ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        f = _direct_where_not_finite(f, one_minus_z, r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * (1 - f) * p_alive(params, x, t_x, big_t)


def _direct_where_not_finite(f, one_minus_z, p1, p2, c, z) -> np.ndarray:
    """``f`` with its non-finite values replaced by the untransformed form
    ``(1 - z)^p1 2F1(p1, p2; c; z)``.

    When the drop-out distribution is very concentrated (``a`` and ``b`` in the
    thousands: every customer has nearly the same drop-out chance), Euler's form is
    0 x inf; the direct series then converges fast (``p2 / c < 1``).
    """
    f = np.asarray(f, dtype=float)
    bad = ~np.isfinite(f)
    if bad.any():
        omz, zz, q1, q2, cc = np.broadcast_arrays(one_minus_z, z, p1, p2, c)
        f = np.array(np.broadcast_to(f, omz.shape), dtype=float)
        f[bad] = omz[bad] ** q1[bad] * special.hyp2f1(q1[bad], q2[bad], cc[bad], zz[bad])
    return f


def expected_purchases_new(params: BetaGeoParams, t) -> np.ndarray:
    """Expected repeat purchases in the first ``t`` after a customer's first purchase.

    ``(a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t)) ** r * 2F1(r, b; a + b - 1;
    t / (alpha + t))]`` (equation 9); 0 for ``t <= 0``.
    """
    r, alpha, b = params.r, params.alpha, params.b
    a = _a_not_one(params.a)
    t = np.clip(np.asarray(t, dtype=float), 0.0, None)
    z = t / (alpha + t)
    with np.errstate(invalid="ignore", over="ignore"):
        f = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z)
        f = _direct_where_not_finite(f, 1 - z, r, b, a + b - 1, z)
    return (a + b - 1) / (a - 1) * (1 - f)
