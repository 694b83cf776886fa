"""Three monthly snapshots of one subscription business, with a campaign of known effect.

The Changes page and ``python -m churn compare`` need the same customers seen month
after month. :func:`generate_monthly` simulates a business month by month for two years
and writes what its CRM export would show at the end of October, November and December
2025: every customer who signed up by then, churned ones with their cancel date and the
warning signs of their last month, active ones with this month's signs.

Each month a customer's hidden mood drifts (an AR(1) process); the observed signs
(tickets, complaints, NPS, logins, a discount request) follow it, and the chance of
leaving in the next month is a logistic function of the signs, the contract, a short
tenure and the mood itself (:data:`MONTHLY_EFFECTS`).

**The campaign.** At the end of October the :data:`CAMPAIGN_LIST` riskiest active
customers (by their true chance of leaving in November) form the at-risk list; a seeded
hold-out of :data:`CAMPAIGN_HOLD_OUT` of it (``churn.explain.mark_hold_out``) is not
contacted. Contacting multiplies a customer's chance of leaving in November by
``1 - CAMPAIGN_REDUCTION``. The true effect on the contacted customers' retention is
therefore ``CAMPAIGN_REDUCTION x`` their average chance of leaving, known exactly:
:attr:`MonthlySample.true_effect` (retention points) and ``true_kept`` (customers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from churn.explain.hold_out import HOLD_OUT_COLUMN, HOLD_OUT_NO, mark_hold_out
from churn.sample.helpers import make_ids, pick

#: Month ends of the three snapshots written.
MONTHLY_SNAPSHOTS = ("2025-10-31", "2025-11-30", "2025-12-31")
MONTHLY_FILES = tuple(f"monthly_{d[:7]}.csv" for d in MONTHLY_SNAPSHOTS)
#: The October at-risk list as exported with its hold-out column.
CAMPAIGN_FILE = "campaign_2025-10.csv"
CAMPAIGN_LIST = 800
CAMPAIGN_HOLD_OUT = 0.25
CAMPAIGN_REDUCTION = 0.6
CAMPAIGN_SEED = 5
#: Months simulated up to and including the last snapshot.
MONTHS = 26
#: Log-odds of leaving next month (intercept, then added per sign).
MONTHLY_EFFECTS: dict[str, float] = {
    "intercept": -3.6,
    "tickets_3_plus": 0.6,
    "complaint_any": 0.5,
    "nps_detractor": 1.0,  # 0-6
    "nps_passive": 0.35,  # 7-8
    "logins_0_3": 0.9,
    "discount_requested": 0.8,
    "annual": -1.1,
    "tenure_under_6_months": 0.6,
    "mood": 0.5,  # unobserved: no model is perfect
}
_PLANS = ("Basic", "Standard", "Premium")
_FEES = (9900, 14900, 24900)
_REGIONS = ("Seoul", "Gyeonggi", "Busan", "Incheon", "Other")
_COLUMNS = (
    "customer_id",
    "signup_date",
    "cancel_date",
    "plan",
    "contract",
    "monthly_fee",
    "region",
    "support_tickets_90d",
    "complaints_90d",
    "nps",
    "logins_30d",
    "discount_requested",
    "churned",
)


@dataclass(frozen=True, eq=False)
class MonthlySample:
    """The snapshots (month end -> frame), the campaign file and the campaign's truth."""

    snapshots: dict[str, pd.DataFrame]
    campaign: pd.DataFrame
    true_effect: float
    true_kept: float


def _month_ends(last: str, months: int) -> pd.DatetimeIndex:
    return pd.date_range(end=pd.Timestamp(last), periods=months, freq="ME")


def _signs(rng, mood, base_logins, price) -> dict[str, np.ndarray]:
    n = len(mood)
    tickets = rng.poisson(0.9 * np.exp(0.55 * mood))
    complaints = rng.binomial(tickets, np.clip(0.12 + 0.08 * mood, 0.02, 0.6))
    nps = np.clip(np.rint(8.0 - 1.4 * mood + rng.normal(0, 1.2, n)), 0, 10)
    logins = rng.poisson(base_logins * np.exp(-0.45 * mood))
    discount = rng.random(n) < 1 / (1 + np.exp(-(-2.6 + 0.8 * price + 0.5 * mood)))
    return {
        "tickets": tickets,
        "complaints": complaints,
        "nps": nps,
        "logins": logins,
        "discount": discount,
    }


def _leave_chance(signs, annual, tenure_months, mood) -> np.ndarray:
    fx = MONTHLY_EFFECTS
    z = np.full(len(mood), fx["intercept"])
    z += fx["tickets_3_plus"] * (signs["tickets"] >= 3)
    z += fx["complaint_any"] * (signs["complaints"] >= 1)
    z += np.select(
        [signs["nps"] <= 6, signs["nps"] <= 8], [fx["nps_detractor"], fx["nps_passive"]], 0.0
    )
    z += fx["logins_0_3"] * (signs["logins"] <= 3)
    z += fx["discount_requested"] * signs["discount"]
    z += fx["annual"] * annual
    z += fx["tenure_under_6_months"] * (tenure_months < 6)
    z += fx["mood"] * mood
    return 1 / (1 + np.exp(-z))


def _frame(ids, signup, cancel, acct, last, upto) -> pd.DataFrame:
    """The export at month end ``upto``: everyone signed up by then."""
    keep = signup <= upto
    gone = keep & (cancel <= upto)
    yes_no = np.array(["No", "Yes"], dtype=object)
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": signup,
            "cancel_date": np.where(gone, cancel, np.datetime64("NaT")).astype("datetime64[ns]"),
            "plan": np.array(_PLANS, dtype=object)[acct["plan"]],
            "contract": np.where(acct["annual"], "annual", "monthly").astype(object),
            "monthly_fee": acct["fee"],
            "region": np.array(_REGIONS, dtype=object)[acct["region"]],
            "support_tickets_90d": last["tickets"].astype(np.int64),
            "complaints_90d": last["complaints"].astype(np.int64),
            "nps": last["nps"].astype(np.int64),
            "logins_30d": last["logins"].astype(np.int64),
            "discount_requested": yes_no[last["discount"].astype(int)],
            "churned": yes_no[gone.astype(int)],
        }
    )
    return frame.loc[keep, list(_COLUMNS)].reset_index(drop=True)


def generate_monthly(n: int = 4000, seed: int = 13) -> MonthlySample:  # long: one simulation
    """Simulate the business month by month; the three snapshots and the campaign.

    Parameters
    ----------
    n : customers who sign up over the :data:`MONTHS` months (signups grow over time).
    seed : seed of the random generator (the same seed gives the same frames).
    """
    rng = np.random.default_rng(seed)
    ends = _month_ends(MONTHLY_SNAPSHOTS[-1], MONTHS)
    starts = (ends - pd.offsets.MonthBegin(1)).to_numpy(dtype="datetime64[D]")
    month = np.sort(pick(rng, n, np.exp(np.linspace(0, 1.0, MONTHS))))
    lengths = (ends.to_numpy(dtype="datetime64[D]") - starts).astype(np.int64) + 1
    signup = starts[month] + (rng.random(n) * lengths[month]).astype("m8[D]")
    plan = pick(rng, n, [0.5, 0.33, 0.17])
    annual = rng.random(n) < np.array([0.25, 0.4, 0.55])[plan]
    acct = {
        "plan": plan,
        "annual": annual,
        "fee": (np.array(_FEES, dtype=float)[plan] * np.where(annual, 0.85, 1.0)).round(-1),
        "region": pick(rng, n, [0.35, 0.27, 0.12, 0.1, 0.16]),
    }
    acct["fee"] = acct["fee"].astype(np.int64)
    base_logins = np.array([10.0, 14.0, 18.0])[plan]
    price = rng.standard_normal(n)
    mood = rng.standard_normal(n)
    last = {k: np.zeros(n) for k in ("tickets", "complaints", "nps", "logins", "discount")}
    last["discount"] = np.zeros(n, dtype=bool)
    cancel = np.full(n, np.datetime64("2262-01-01"), dtype="datetime64[D]")
    snaps = {str(pd.Timestamp(d).date()): i for i, d in enumerate(ends) if str(d.date()) in
             MONTHLY_SNAPSHOTS}  # fmt: skip
    campaign_at = snaps[MONTHLY_SNAPSHOTS[0]]
    out: dict[str, pd.DataFrame] = {}
    campaign = pd.DataFrame()
    true_effect = true_kept = float("nan")
    ids = make_ids("M", n)
    for t, end in enumerate(ends.to_numpy(dtype="datetime64[D]")):
        mood = 0.75 * mood + 0.66 * rng.standard_normal(n)
        here = (month <= t) & (cancel > end)
        fresh = _signs(rng, mood, base_logins, price)
        for k in last:
            last[k] = np.where(here, fresh[k], last[k])
        label = str(pd.Timestamp(end).date())
        if label in snaps:
            out[label] = _frame(ids, signup, cancel, acct, last, end)
        if t == MONTHS - 1:
            break
        tenure = t - month
        chance = np.where(here, _leave_chance(last, annual, tenure, mood), 0.0)
        if t == campaign_at:
            order = np.argsort(-chance, kind="mergesort")[:CAMPAIGN_LIST]
            listed = pd.DataFrame(
                {"risk_rank": np.arange(1, len(order) + 1), "customer_id": ids[order]}
            )
            listed["risk"] = chance[order].round(4)
            campaign = mark_hold_out(listed, CAMPAIGN_HOLD_OUT, CAMPAIGN_SEED)
            contacted = order[(campaign[HOLD_OUT_COLUMN] == HOLD_OUT_NO).to_numpy()]
            true_effect = float(CAMPAIGN_REDUCTION * chance[contacted].mean())
            true_kept = float(CAMPAIGN_REDUCTION * chance[contacted].sum())
            chance[contacted] *= 1 - CAMPAIGN_REDUCTION
        leave = here & (rng.random(n) < chance)
        days = ((rng.random(n) * lengths[t + 1]).astype(np.int64)).astype("m8[D]")
        cancel = np.where(leave, starts[t + 1] + days, cancel)
    return MonthlySample(out, campaign, true_effect, true_kept)


def write_monthly(folder, sample: MonthlySample | None = None) -> dict[str, Path]:
    """Write :data:`MONTHLY_FILES` and :data:`CAMPAIGN_FILE` into ``folder`` (same bytes on
    every run: UTF-8, ISO dates, ``\\n`` line ends). Returns file name -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sample = sample or generate_monthly()
    paths: dict[str, Path] = {}
    frames = [*sample.snapshots.values(), sample.campaign]
    for name, frame in zip((*MONTHLY_FILES, CAMPAIGN_FILE), frames, strict=True):
        paths[name] = folder / name
        frame.to_csv(
            paths[name], index=False, date_format="%Y-%m-%d", lineterminator="\n", encoding="utf-8"
        )
    return paths
