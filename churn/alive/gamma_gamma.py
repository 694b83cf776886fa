"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005; Fader & Hardie
2013, "The Gamma-Gamma Model of Monetary Value").

A customer's purchases are gamma(p, nu) amounts around the customer's own mean; nu is
gamma(q, gamma) across customers. Fitted by maximum likelihood on the customers with at
least one repeat purchase day and a positive mean repeat amount ``m``;
:func:`expected_spend` is the customer's expected amount per future purchase,

    E[M | x, m] = p (gamma + x m) / (p x + q - 1),

which is the population mean ``p gamma / (q - 1)`` for a customer without repeats. The
model assumes spend does not depend on purchase frequency (check the correlation).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, special

from churn.errors import ChurnDataError
from churn.text import msg

_LOG_BOUND = 15.0


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters (``gamma`` is in the amount's unit)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    customers: int = 0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def mean_spend(self) -> float:
        """The population mean spend per purchase, ``p gamma / (q - 1)`` (NaN if q <= 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("nan")


def _usable(x, m) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    return x[keep], m[keep]


def gamma_gamma_log_likelihood(params: GammaGammaParams, x, m) -> float:
    """Log-likelihood of mean repeat amounts ``m`` over ``x`` purchases (x > 0, m > 0)."""
    x, m = _usable(x, m)
    return _Data.of(x, m).log_likelihood(np.log([params.p, params.q, params.gamma]), False)[0]


@dataclass(frozen=True, eq=False)
class _Data:
    """Customers' x and m, with the sums the log-likelihood needs that do not depend on
    the parameters; terms in x alone are computed once per distinct x."""

    x: np.ndarray
    m: np.ndarray
    ux: np.ndarray
    wx: np.ndarray  # customers per distinct x
    n: float
    sum_log_m: float
    sum_x_log_xm: float  # sum of x (log x + log m)

    @classmethod
    def of(cls, x: np.ndarray, m: np.ndarray) -> _Data:
        ux, inv = np.unique(x, return_inverse=True)
        log_m = np.log(m)
        return cls(
            x=x,
            m=m,
            ux=ux,
            wx=np.bincount(inv, minlength=len(ux)).astype(float),
            n=float(len(x)),
            sum_log_m=float(log_m.sum()),
            sum_x_log_xm=float(np.dot(x, np.log(x) + log_m)),
        )

    def log_likelihood(self, theta: np.ndarray, gradient: bool):
        """The log-likelihood at log-parameters ``theta`` and its gradient in ``theta``.

        Per customer: lnG(px + q) - lnG(px) - lnG(q) + q ln(gamma) + (px - 1) ln(m)
        + px ln(x) - (px + q) ln(gamma + x m).
        """
        p, q, g = np.exp(theta)
        pu = p * self.ux
        log_gxm = np.log(g + self.x * self.m)
        s_log = float(log_gxm.sum())
        s_x_log = float(np.dot(self.x, log_gxm))
        lg = special.gammaln(pu + q) - special.gammaln(pu) - special.gammaln(q)
        ll = float(np.dot(self.wx, lg)) + self.n * q * np.log(g) - self.sum_log_m
        ll += p * self.sum_x_log_xm - p * s_x_log - q * s_log
        if not gradient:
            return ll, None
        inv = 1.0 / (g + self.x * self.m)
        dig = special.digamma(pu + q)
        d_p = float(np.dot(self.wx, self.ux * (dig - special.digamma(pu))))
        d_p += self.sum_x_log_xm - s_x_log
        d_q = float(np.dot(self.wx, dig - special.digamma(q))) + self.n * np.log(g) - s_log
        d_g = self.n * q / g - p * float(np.dot(self.x, inv)) - q * float(inv.sum())
        return ll, np.array([d_p, d_q, d_g]) * np.array([p, q, g])


def fit_gamma_gamma(x, m) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters from repeat purchases ``x`` and mean
    repeat amounts ``m`` per customer (customers without repeats or with ``m <= 0`` are
    left out of the fit).

    Raises
    ------
    ChurnDataError
        When fewer than two customers have repeat purchases with a positive amount.
    """
    x, m = _usable(x, m)
    if len(x) < 2 or np.ptp(m) == 0:
        raise ChurnDataError(
            msg("spend per purchase cannot be modelled: too few repeat buyers with an amount"),
            fix=msg("choose the amount column of the purchases, or no amount"),
        )
    data = _Data.of(x, m)

    def objective(theta):
        ll, grad = data.log_likelihood(theta, True)
        return -ll / data.n, -grad / data.n

    # Start where the population mean p * gamma / (q - 1) equals the mean amount.
    start = np.log([1.0, 2.0, float(m.mean())])
    res = optimize.minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 3,
        options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9},
    )
    p, q, g = np.exp(res.x)
    return GammaGammaParams(
        p=float(p),
        q=float(q),
        gamma=float(g),
        log_likelihood=float(-res.fun * data.n),
        customers=len(x),
    )


def expected_spend(params: GammaGammaParams, x, m) -> np.ndarray:
    """Expected amount per future purchase, ``p (gamma + x m) / (p x + q - 1)``.

    Customers without repeat purchases, or whose mean repeat amount is missing or not
    positive, get the population mean ``p gamma / (q - 1)``. NaN everywhere when
    ``q <= 1`` (the model then has no finite mean).
    """
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    if params.q <= 1:
        return np.full(x.shape, np.nan)
    use = (x > 0) & np.isfinite(m) & (m > 0)
    xx = np.where(use, x, 0.0)
    mm = np.where(use, m, 0.0)
    return params.p * (params.gamma + xx * mm) / (params.p * xx + params.q - 1)
