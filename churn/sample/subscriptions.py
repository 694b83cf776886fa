"""The subscription sample: a fictional Korean subscription service, one row per customer.

Churn is simulated from a hazard that depends on the warning signs in a non-linear way
(thresholds, levels, interactions, tenure, unobserved noise); every planted effect is
listed in :data:`VOLUNTARY_EFFECTS` and in ``data/sample/README.md``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from churn.sample.helpers import growth_offsets, make_ids, pick, to_day

#: The fixed "as of" date of the subscription sample.
SNAPSHOT = "2025-12-31"

# ---------------------------------------------------------------------------------------
# The fictional business. Each tuple: (English value, Korean value, share).
# ---------------------------------------------------------------------------------------
PLANS = (("Basic", "베이직", 0.50), ("Standard", "스탠다드", 0.33), ("Premium", "프리미엄", 0.17))
#: List price per month in KRW for a monthly contract; annual contracts get 15 % off.
PLAN_FEE = (9900, 14900, 24900)
ANNUAL_DISCOUNT = 0.15
#: Share of each plan's customers who take the 12-month commitment.
ANNUAL_SHARE = (0.25, 0.40, 0.55)
CONTRACTS = {"monthly": "월간", "annual": "연간"}
REGIONS = (
    ("Seoul", "서울", 0.34),
    ("Gyeonggi", "경기", 0.26),
    ("Busan", "부산", 0.10),
    ("Incheon", "인천", 0.08),
    ("Daegu", "대구", 0.07),
    ("Daejeon", "대전", 0.05),
    ("Gwangju", "광주", 0.05),
    ("Other", "기타", 0.05),
)
CHANNELS = (
    ("Organic search", "자연검색", 0.28),
    ("Paid search", "검색광고", 0.20),
    ("Social ads", "SNS광고", 0.20),
    ("Referral", "지인추천", 0.15),
    ("Partner", "제휴사", 0.10),
    ("Email", "이메일", 0.07),
)
#: The account owners (fictional staff). The first two are key-account managers who get
#: most Premium customers, so a naive comparison of owners mirrors the plan mix.
OWNERS = (
    ("Jiyeon Park", "박지연"),
    ("Hyunsoo Lee", "이현수"),
    ("Sora Choi", "최소라"),
    ("Minho Jung", "정민호"),
    ("Eunbi Han", "한은비"),
    ("Taesung Oh", "오태성"),
)
REASON_PAYMENT = "Payment failed"
#: Churn reasons: English, Korean. The last one is involuntary churn.
REASONS = (
    ("Too expensive", "가격 부담"),
    ("Poor customer service", "고객 서비스 불만"),
    ("Not using it enough", "이용 빈도 낮음"),
    ("Switched to a competitor", "경쟁사로 이동"),
    ("Missing features", "필요한 기능 부족"),
    ("No longer needed", "더 이상 필요 없음"),
    (REASON_PAYMENT, "결제 실패"),
)
YES_NO = {"Yes": "예", "No": "아니오"}
CHURNED_KO = {"Yes": "이탈", "No": "유지"}

#: Surnames (romanised, Hangul) with rough population shares; given names are uniform.
SURNAMES = (
    ("Kim", "김", 0.22),
    ("Lee", "이", 0.15),
    ("Park", "박", 0.09),
    ("Choi", "최", 0.05),
    ("Jung", "정", 0.05),
    ("Kang", "강", 0.03),
    ("Cho", "조", 0.03),
    ("Yoon", "윤", 0.03),
    ("Jang", "장", 0.03),
    ("Lim", "임", 0.03),
    ("Han", "한", 0.02),
    ("Oh", "오", 0.02),
    ("Seo", "서", 0.02),
    ("Shin", "신", 0.02),
    ("Kwon", "권", 0.02),
    ("Hwang", "황", 0.02),
    ("Ahn", "안", 0.02),
    ("Song", "송", 0.02),
    ("Yoo", "유", 0.02),
    ("Hong", "홍", 0.02),
    ("Jeon", "전", 0.02),
    ("Ko", "고", 0.02),
    ("Moon", "문", 0.02),
    ("Yang", "양", 0.02),
    ("Son", "손", 0.02),
    ("Bae", "배", 0.01),
)
GIVEN_NAMES = (
    ("Minjun", "민준"),
    ("Seojun", "서준"),
    ("Doyun", "도윤"),
    ("Yejun", "예준"),
    ("Siwoo", "시우"),
    ("Hajun", "하준"),
    ("Jiho", "지호"),
    ("Juwon", "주원"),
    ("Junseo", "준서"),
    ("Hyunwoo", "현우"),
    ("Jihoon", "지훈"),
    ("Seungmin", "승민"),
    ("Youngho", "영호"),
    ("Sungmin", "성민"),
    ("Donghyun", "동현"),
    ("Sangwoo", "상우"),
    ("Jaewon", "재원"),
    ("Taeyun", "태윤"),
    ("Kyungsoo", "경수"),
    ("Jinwoo", "진우"),
    ("Seoyeon", "서연"),
    ("Seoyun", "서윤"),
    ("Jiwoo", "지우"),
    ("Seohyun", "서현"),
    ("Minseo", "민서"),
    ("Haeun", "하은"),
    ("Hayun", "하윤"),
    ("Yunseo", "윤서"),
    ("Jimin", "지민"),
    ("Chaewon", "채원"),
    ("Jihyun", "지현"),
    ("Subin", "수빈"),
    ("Yeeun", "예은"),
    ("Mikyung", "미경"),
    ("Jeonghee", "정희"),
    ("Eunji", "은지"),
    ("Hyejin", "혜진"),
    ("Yujin", "유진"),
    ("Daeun", "다은"),
    ("Soyeon", "소연"),
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.kr")

#: Multipliers of the voluntary churn hazard (1.0 = no effect). The README repeats them.
VOLUNTARY_EFFECTS: dict[str, float] = {
    "contract_annual": 0.35,  # vs monthly; annual customers also leave only at renewal
    "plan_basic": 1.15,
    "plan_premium": 0.85,  # vs Standard
    "tickets_4_plus": 2.5,  # 0-3 tickets in 90 days: no effect (a threshold)
    "tickets_4_plus_premium": 3.5,  # interaction: Premium customers expect more
    "complaint_any": 1.5,
    "nps_passive": 1.6,  # 7-8, vs promoters 9-10
    "nps_detractor": 3.0,  # 0-6
    "nps_missing": 1.3,
    "logins_fall_10_30": 1.4,  # logins down 10-30 % on the previous 30 days
    "logins_fall_30_plus": 2.4,  # down 30 % or more
    "logins_30d_0_2": 2.0,  # (almost) no logins in the last 30 days
    "newsletter_unsubscribed": 1.5,
    "discount_monthly": 1.8,  # discount asked, monthly contract
    "discount_annual": 3.0,  # interaction: asked before the renewal of an annual contract
    "channel_referral": 0.7,
    "channel_social_ads": 1.3,
    "frailty_sigma": 0.35,  # unobserved per-customer noise: lognormal(0, sigma)
    "weibull_shape": 0.7,  # < 1: the hazard falls with tenure
}
#: Chance that a customer with 0 / 1 / 2+ failed payments in 90 days churns involuntarily.
INVOLUNTARY_CHANCE = (0.0, 0.12, 0.60)
#: Baseline yearly hazard of a Standard monthly promoter with no warning signs.
_BASE_HAZARD = 0.125
_SIGNUP_GROWTH = 3.0  # signups per day at the snapshot / at the start of the window


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _add_months(day: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar month arithmetic on ``datetime64[D]``: Jan 31 + 1 month = Feb 28/29."""
    month = day.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    return first + np.minimum(day_of_month, length - 1).astype("timedelta64[D]")


def _next_renewal(signup: np.ndarray, ref: np.ndarray, cycle: np.ndarray) -> np.ndarray:
    """First anniversary of ``signup`` every ``cycle`` months strictly after ``ref``."""
    elapsed = (ref.astype("datetime64[M]") - signup.astype("datetime64[M]")).astype(np.int64)
    k = (elapsed // cycle) * cycle
    cand = _add_months(signup, k)
    late = cand <= ref
    return np.where(late, _add_months(signup, k + cycle), cand)


# ---------------------------------------------------------------------------------------
# Subscriptions
# ---------------------------------------------------------------------------------------
def generate_subscriptions(n: int = 5000, seed: int = 7, snapshot=SNAPSHOT) -> pd.DataFrame:
    """A fictional subscription business: one row per customer, three years to ``snapshot``.

    Parameters
    ----------
    n : int
        Number of customers (everyone who signed up in the three years).
    seed : int
        Seed of the random generator; the same seed gives the same frame.
    snapshot : str or Timestamp
        The "as of" date; signups run from three years before it up to it.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id, name, email, signup_date, cancel_date, plan, contract,
        monthly_fee, region, acquisition_channel, account_owner, support_tickets_90d,
        complaints_90d, nps, logins_30d, logins_change_pct, newsletter_unsubscribed,
        discount_requested, days_to_renewal, failed_payments_90d, churn_reason,
        churned``. Warning-sign columns describe the 90 (or 30) days before the cancel
        date for churned customers and before ``snapshot`` for active ones.

    Notes
    -----
    Voluntary churn follows a Weibull hazard (shape 0.7, so risk falls with tenure)
    scaled by the multipliers in :data:`VOLUNTARY_EFFECTS` and by unobserved lognormal
    noise; monthly customers cancel at that time, annual (12-month commitment)
    customers in the 45 days before the following renewal. Customers with failed
    payments may churn involuntarily first (:data:`INVOLUNTARY_CHANCE`).
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    # The helpers draw from one generator in a fixed order: keep it, or the same seed
    # gives another frame (and data/sample/ other bytes).
    rng = np.random.default_rng(seed)
    snap = to_day(snapshot)
    window_start = to_day(pd.Timestamp(snap) - pd.DateOffset(years=3)) + np.timedelta64(1, "D")
    window = int((snap - window_start).astype(np.int64)) + 1

    # Signups grow over the window; ids follow signup order like a real CRM's.
    signup = window_start + growth_offsets(rng, n, window, _SIGNUP_GROWTH).astype("m8[D]")
    available = (snap - signup).astype(np.int64)  # days observable before the snapshot

    # Hidden traits that drive several observed signs at once.
    unhappy = rng.standard_normal(n)
    engaged = -0.5 * unhappy + math.sqrt(0.75) * rng.standard_normal(n)
    price_sensitive = rng.standard_normal(n)

    acct = _accounts(rng, n)
    signs = _warning_signs(rng, n, acct["plan"], unhappy, engaged, price_sensitive)
    risk = _voluntary_risk(rng, n, acct, signs)
    churned, cancel, involuntary = _churn(
        rng, n, signup, available, snap, acct["annual"], signs["failed"], risk
    )
    cycle = np.where(acct["annual"], 12, 1)
    days_to_renewal = (_next_renewal(signup, cancel, cycle) - cancel).astype(np.int64)
    reason = _reasons(rng, n, churned, involuntary, acct["plan"], signs)
    name, email = _personal_data(rng, n)

    channel_names = np.array([c[0] for c in CHANNELS], dtype=object)[acct["channel"]]
    channel_names[rng.random(n) < 0.015] = None  # source not recorded

    yes_no = np.array(["No", "Yes"], dtype=object)
    frame = pd.DataFrame(
        {
            "customer_id": make_ids("C", n),
            "name": name,
            "email": email,
            "signup_date": signup.astype("datetime64[ns]"),
            "cancel_date": np.where(churned, cancel, np.datetime64("NaT")).astype("datetime64[ns]"),
            "plan": np.array([p[0] for p in PLANS], dtype=object)[acct["plan"]],
            "contract": np.array(["monthly", "annual"], dtype=object)[
                acct["annual"].astype(np.int64)
            ],
            "monthly_fee": acct["fee"],
            "region": np.array([r[0] for r in REGIONS], dtype=object)[acct["region"]],
            "acquisition_channel": channel_names,
            "account_owner": np.array([o[0] for o in OWNERS], dtype=object)[acct["owner"]],
            "support_tickets_90d": signs["tickets"].astype(np.int64),
            "complaints_90d": signs["complaints"].astype(np.int64),
            "nps": pd.array(np.where(signs["nps_missing"], np.nan, signs["nps"]), dtype="Int64"),
            "logins_30d": signs["logins"].astype(np.int64),
            "logins_change_pct": signs["change"],
            "newsletter_unsubscribed": yes_no[signs["unsubscribed"].astype(int)],
            "discount_requested": yes_no[signs["discount"].astype(int)],
            "days_to_renewal": days_to_renewal,
            "failed_payments_90d": signs["failed"].astype(np.int64),
            "churn_reason": reason,
            "churned": yes_no[churned.astype(int)],
        }
    )
    return frame


def _accounts(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Plan, contract (``annual``), fee, region, channel and account owner of each customer."""
    plan = pick(rng, n, [p[2] for p in PLANS])
    annual = rng.random(n) < np.asarray(ANNUAL_SHARE)[plan]
    list_fee = np.asarray(PLAN_FEE, dtype=float)[plan] * np.where(annual, 1 - ANNUAL_DISCOUNT, 1)
    promo = pick(rng, n, [0.80, 0.09, 0.05, 0.06])  # none, 20 % off, 30 % off, legacy -1000
    fee = list_fee * np.array([1.0, 0.8, 0.7, 1.0])[promo] - 1000.0 * (promo == 3)
    fee = (np.round(fee / 10.0) * 10).astype(np.int64)

    region = pick(rng, n, [r[2] for r in REGIONS])
    channel = pick(rng, n, [c[2] for c in CHANNELS])
    key_account = (plan == 2) & (rng.random(n) < 0.6)
    owner = np.where(key_account, rng.integers(0, 2, n), rng.integers(0, len(OWNERS), n))
    return {
        "plan": plan,
        "annual": annual,
        "fee": fee,
        "region": region,
        "channel": channel,
        "owner": owner,
    }


def _warning_signs(
    rng: np.random.Generator,
    n: int,
    plan: np.ndarray,
    unhappy: np.ndarray,
    engaged: np.ndarray,
    price_sensitive: np.ndarray,
) -> dict[str, np.ndarray]:
    """The observed warning signs (tickets, NPS, logins, ...) from the hidden traits."""
    tickets = rng.poisson(1.0 * np.exp(0.55 * unhappy) * np.where(plan == 2, 1.2, 1.0))
    complaints = rng.binomial(tickets, np.clip(0.12 + 0.08 * unhappy, 0.02, 0.6))
    nps_raw = np.rint(8.0 - 1.5 * unhappy + rng.normal(0, 1.4, n))
    nps = np.clip(nps_raw, 0, 10)
    nps_missing = rng.random(n) < np.where(unhappy > 1, 0.10, 0.05)
    base_logins = np.array([10.0, 14.0, 18.0])[plan] * np.exp(0.45 * engaged)
    logins_prev = rng.poisson(base_logins)
    trend = np.exp(rng.normal(-0.05, 0.25, n) - 0.3 * np.maximum(unhappy, -0.5))
    logins = rng.poisson(base_logins * trend)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(
            logins_prev > 0, np.round((logins - logins_prev) / logins_prev * 100, 1), np.nan
        )
    unsubscribed = rng.random(n) < _sigmoid(-2.2 + 0.9 * unhappy)
    discount = rng.random(n) < _sigmoid(
        -2.6 + 0.8 * price_sensitive + 0.4 * unhappy + 0.4 * (plan == 0)
    )
    card_trouble = rng.random(n) < 0.09
    failed = np.where(card_trouble, 1 + rng.poisson(0.6, n), (rng.random(n) < 0.02).astype(int))
    return {
        "tickets": tickets,
        "complaints": complaints,
        "nps": nps,
        "nps_missing": nps_missing,
        "logins": logins,
        "change": change,
        "unsubscribed": unsubscribed,
        "discount": discount,
        "failed": failed,
    }


def _voluntary_risk(
    rng: np.random.Generator,
    n: int,
    acct: dict[str, np.ndarray],
    signs: dict[str, np.ndarray],
) -> np.ndarray:
    """Voluntary hazard: multipliers of the documented effects, and unobserved noise."""
    plan, annual, channel = acct["plan"], acct["annual"], acct["channel"]
    nps, nps_missing, change = signs["nps"], signs["nps_missing"], signs["change"]
    fx = VOLUNTARY_EFFECTS
    risk = np.ones(n)
    risk *= np.where(annual, fx["contract_annual"], 1.0)
    risk *= np.array([fx["plan_basic"], 1.0, fx["plan_premium"]])[plan]
    many_tickets = signs["tickets"] >= 4
    risk *= np.where(
        many_tickets, np.where(plan == 2, fx["tickets_4_plus_premium"], fx["tickets_4_plus"]), 1.0
    )
    risk *= np.where(signs["complaints"] >= 1, fx["complaint_any"], 1.0)
    nps_mult = np.select(
        [nps_missing, nps <= 6, nps <= 8],
        [fx["nps_missing"], fx["nps_detractor"], fx["nps_passive"]],
        1.0,
    )
    risk *= nps_mult
    risk *= np.select(
        [change <= -30, change <= -10], [fx["logins_fall_30_plus"], fx["logins_fall_10_30"]], 1.0
    )
    risk *= np.where(signs["logins"] <= 2, fx["logins_30d_0_2"], 1.0)
    risk *= np.where(signs["unsubscribed"], fx["newsletter_unsubscribed"], 1.0)
    risk *= np.where(
        signs["discount"], np.where(annual, fx["discount_annual"], fx["discount_monthly"]), 1.0
    )
    referral = channel == 3
    social = channel == 2
    risk *= np.where(
        referral, fx["channel_referral"], np.where(social, fx["channel_social_ads"], 1.0)
    )
    risk *= np.exp(rng.normal(0.0, fx["frailty_sigma"], n))
    return risk


def _churn(
    rng: np.random.Generator,
    n: int,
    signup: np.ndarray,
    available: np.ndarray,
    snap: np.datetime64,
    annual: np.ndarray,
    failed: np.ndarray,
    risk: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who churned by the snapshot, their cancel date (the snapshot for the others), and
    whether the churn was involuntary (failed payments)."""
    # Weibull time to the decision to leave: H(t) = base * risk * (t / 365) ** shape.
    shape = VOLUNTARY_EFFECTS["weibull_shape"]
    decide = 365.0 * (rng.exponential(1.0, n) / (_BASE_HAZARD * risk)) ** (1.0 / shape)
    decide = np.minimum(decide, 1e5)  # far beyond any window; keeps the date arithmetic safe
    vol_day = np.maximum(np.ceil(decide), 1).astype(np.int64)
    # Annual customers give notice in the 45 days before the renewal after the decision.
    years = np.maximum(1, np.ceil(decide / 365.25)).astype(np.int64)
    renewal = _add_months(signup, 12 * years)
    notice = rng.integers(1, 46, n)
    annual_day = (renewal - signup).astype(np.int64) - notice
    vol_day = np.where(annual, annual_day, vol_day)

    # Involuntary churn: failed payments end the subscription at some point.
    inv_p = np.asarray(INVOLUNTARY_CHANCE)[np.minimum(failed, 2)]
    inv_day = np.where(
        rng.random(n) < inv_p,
        31 + rng.exponential(240.0, n).astype(np.int64),
        np.iinfo(np.int64).max,
    )
    involuntary = inv_day < vol_day
    end_day = np.minimum(vol_day, inv_day)
    churned = end_day <= available
    cancel = np.where(churned, signup + np.minimum(end_day, available).astype("m8[D]"), snap)
    return churned, cancel, involuntary


def _reasons(
    rng: np.random.Generator,
    n: int,
    churned: np.ndarray,
    involuntary: np.ndarray,
    plan: np.ndarray,
    signs: dict[str, np.ndarray],
) -> np.ndarray:
    """Reasons: voluntary ones weighted by each churner's signs; a few left blank."""
    discount, change, logins = signs["discount"], signs["change"], signs["logins"]
    many_tickets = signs["tickets"] >= 4
    weights = np.column_stack(
        [
            1.0 + 3.0 * discount + 0.8 * (plan == 0),
            0.5 + 3.0 * many_tickets + 2.0 * (signs["complaints"] >= 1),
            0.5 + 3.0 * (np.nan_to_num(change, nan=0.0) <= -30) + 2.0 * (logins <= 2),
            np.full(n, 1.5),
            0.8 + 0.6 * (plan == 0),
            np.full(n, 1.0),
        ]
    )
    cum = np.cumsum(weights, axis=1)
    draw = rng.random(n) * cum[:, -1]
    voluntary_reason = (cum < draw[:, None]).sum(axis=1)
    reason_idx = np.where(involuntary, len(REASONS) - 1, voluntary_reason)
    no_answer = (~involuntary) & (rng.random(n) < 0.04)
    reason_names = np.array([r[0] for r in REASONS] + [None], dtype=object)
    return reason_names[np.where(churned & ~no_answer, reason_idx, len(REASONS))]


def _personal_data(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Names and e-mails: plausible, fictional, deterministic; e-mails made unique."""
    surname = pick(rng, n, [s[2] for s in SURNAMES])
    given = rng.integers(0, len(GIVEN_NAMES), n)
    full = np.array([f"{g[0]} {s[0]}" for s in SURNAMES for g in GIVEN_NAMES], dtype=object)
    name = full[surname * len(GIVEN_NAMES) + given]
    local = np.array(
        [f"{g[0].lower()}.{s[0].lower()}" for s in SURNAMES for g in GIVEN_NAMES], dtype=object
    )[surname * len(GIVEN_NAMES) + given]
    top = max(100, 10 ** len(str(n // 100)))  # more digits for big runs: few clashes
    numbers = np.array([str(i) for i in range(top)], dtype=object)
    digits = numbers[rng.integers(0, top, n)]
    digits[rng.random(n) >= 0.7] = ""
    domains = np.array(["@" + d for d in EMAIL_DOMAINS], dtype=object)
    domain = domains[pick(rng, n, [0.4, 0.25, 0.15, 0.2])]
    email = local + digits + domain
    dup = pd.Series(email).groupby(email, sort=False).cumcount().to_numpy()
    again = np.flatnonzero(dup)  # the same address drawn twice: add "_k" (no clash possible)
    if len(again):
        suffix = np.array([f"_{k}" for k in dup[again]], dtype=object)
        email[again] = local[again] + digits[again] + suffix + domain[again]
    return name, email
