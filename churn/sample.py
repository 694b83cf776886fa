"""Seeded generators of the sample data in ``data/sample/`` and of benchmark-sized data.

Three files make the app useful with no upload at all:

* ``subscriptions.csv``: one row per customer of a fictional Korean subscription
  service, with signup and cancel dates, plan, contract, fee and the warning signs the
  domain brief names. Churn is simulated from a hazard that depends on those signs in a
  non-linear way (thresholds, levels, interactions, tenure, unobserved noise); every
  planted effect is listed in :data:`VOLUNTARY_EFFECTS` and in ``data/sample/README.md``.
* ``subscriptions_ko.xlsx``: the same customers as a Korean marketer's Excel export
  (Korean headers and labels, a data-dictionary sheet first, real Excel dates).
* ``transactions.csv``: an e-commerce order log with acquisition cohorts and customers
  who go quiet, for the inactivity definition of churn.

Everything is vectorised with numpy (a million customers in a few seconds, a
ten-million-row event log in seconds) and reproducible: the same seed gives the same
frame and the same bytes on disk. Regenerate with ``python -m churn.sample``.
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "SNAPSHOT",
    "VOLUNTARY_EFFECTS",
    "generate_event_log",
    "generate_subscriptions",
    "generate_transactions",
    "main",
    "to_korean",
    "write_korean_xlsx",
    "write_samples",
]

#: The fixed "as of" date of the subscription sample.
SNAPSHOT = "2025-12-31"

SUBSCRIPTIONS_CSV = "subscriptions.csv"
SUBSCRIPTIONS_XLSX = "subscriptions_ko.xlsx"
TRANSACTIONS_CSV = "transactions.csv"
SHEET_DICTIONARY = "데이터 설명"
SHEET_DATA = "고객목록"

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

# The e-commerce log: category, Korean, share of customers, typical order (KRW),
# mean days between orders, relative time before going quiet.
CATEGORIES = (
    ("Fashion", "패션", 0.25, 62000, 45, 0.9),
    ("Beauty", "뷰티", 0.20, 38000, 35, 1.0),
    ("Grocery", "식품", 0.20, 45000, 20, 1.5),
    ("Home", "생활용품", 0.15, 55000, 60, 1.0),
    ("Electronics", "전자제품", 0.10, 240000, 110, 0.55),
    ("Books", "도서", 0.10, 21000, 50, 1.1),
)
_ONE_TIME_SHARE = 0.18  # customers who buy once and never come back
_MEAN_LIFETIME_DAYS = 480.0  # before going quiet, for a mid-spend customer


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
def _pick(rng: np.random.Generator, n: int, shares) -> np.ndarray:
    """Indices drawn with the given (normalised) shares."""
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _ids(prefix: str, n: int) -> np.ndarray:
    """``C00001``-style ids, wide enough for ``n``."""
    width = max(5, len(str(n)))
    # Build the ASCII bytes column by column: far faster than formatting a million strings.
    number = np.arange(1, n + 1, dtype=np.int64)
    chars = np.empty((n, len(prefix) + width), dtype=np.uint8)
    chars[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    for k in range(width):
        chars[:, -1 - k] = 48 + (number // 10**k) % 10
    return chars.view(f"S{chars.shape[1]}").ravel().astype(str).astype(object)


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


def _growth_offsets(rng: np.random.Generator, n: int, days: int, growth: float) -> np.ndarray:
    """Sorted day offsets in ``[0, days)`` whose density grows ``growth``-fold over time."""
    g = math.log(growth)
    u = rng.random(n)
    t = np.log1p(u * (growth - 1.0)) / g  # inverse CDF of a density proportional to e^(g t)
    return np.sort(np.minimum((t * days).astype(np.int64), days - 1))


def _day(value) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).normalize().date(), "D")


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
    rng = np.random.default_rng(seed)
    snap = _day(snapshot)
    window_start = _day(pd.Timestamp(snap) - pd.DateOffset(years=3)) + np.timedelta64(1, "D")
    window = int((snap - window_start).astype(np.int64)) + 1

    # Signups grow over the window; ids follow signup order like a real CRM's.
    signup = window_start + _growth_offsets(rng, n, window, _SIGNUP_GROWTH).astype("m8[D]")
    available = (snap - signup).astype(np.int64)  # days observable before the snapshot

    # Hidden traits that drive several observed signs at once.
    unhappy = rng.standard_normal(n)
    engaged = -0.5 * unhappy + math.sqrt(0.75) * rng.standard_normal(n)
    price_sensitive = rng.standard_normal(n)

    plan = _pick(rng, n, [p[2] for p in PLANS])
    annual = rng.random(n) < np.asarray(ANNUAL_SHARE)[plan]
    list_fee = np.asarray(PLAN_FEE, dtype=float)[plan] * np.where(annual, 1 - ANNUAL_DISCOUNT, 1)
    promo = _pick(rng, n, [0.80, 0.09, 0.05, 0.06])  # none, 20 % off, 30 % off, legacy -1000
    fee = list_fee * np.array([1.0, 0.8, 0.7, 1.0])[promo] - 1000.0 * (promo == 3)
    fee = (np.round(fee / 10.0) * 10).astype(np.int64)

    region = _pick(rng, n, [r[2] for r in REGIONS])
    channel = _pick(rng, n, [c[2] for c in CHANNELS])
    key_account = (plan == 2) & (rng.random(n) < 0.6)
    owner = np.where(key_account, rng.integers(0, 2, n), rng.integers(0, len(OWNERS), n))

    # Warning signs.
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

    # Voluntary hazard: multipliers of the documented effects.
    fx = VOLUNTARY_EFFECTS
    risk = np.ones(n)
    risk *= np.where(annual, fx["contract_annual"], 1.0)
    risk *= np.array([fx["plan_basic"], 1.0, fx["plan_premium"]])[plan]
    many_tickets = tickets >= 4
    risk *= np.where(
        many_tickets, np.where(plan == 2, fx["tickets_4_plus_premium"], fx["tickets_4_plus"]), 1.0
    )
    risk *= np.where(complaints >= 1, fx["complaint_any"], 1.0)
    nps_mult = np.select(
        [nps_missing, nps <= 6, nps <= 8],
        [fx["nps_missing"], fx["nps_detractor"], fx["nps_passive"]],
        1.0,
    )
    risk *= nps_mult
    risk *= np.select(
        [change <= -30, change <= -10], [fx["logins_fall_30_plus"], fx["logins_fall_10_30"]], 1.0
    )
    risk *= np.where(logins <= 2, fx["logins_30d_0_2"], 1.0)
    risk *= np.where(unsubscribed, fx["newsletter_unsubscribed"], 1.0)
    risk *= np.where(discount, np.where(annual, fx["discount_annual"], fx["discount_monthly"]), 1.0)
    referral = channel == 3
    social = channel == 2
    risk *= np.where(
        referral, fx["channel_referral"], np.where(social, fx["channel_social_ads"], 1.0)
    )
    risk *= np.exp(rng.normal(0.0, fx["frailty_sigma"], n))

    # Weibull time to the decision to leave: H(t) = base * risk * (t / 365) ** shape.
    shape = fx["weibull_shape"]
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

    cycle = np.where(annual, 12, 1)
    days_to_renewal = (_next_renewal(signup, cancel, cycle) - cancel).astype(np.int64)

    # Reasons: voluntary ones weighted by each churner's signs; a few left blank.
    weights = np.column_stack(
        [
            1.0 + 3.0 * discount + 0.8 * (plan == 0),
            0.5 + 3.0 * many_tickets + 2.0 * (complaints >= 1),
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
    reason = reason_names[np.where(churned & ~no_answer, reason_idx, len(REASONS))]

    # Personal data: plausible, fictional, deterministic; e-mails made unique.
    surname = _pick(rng, n, [s[2] for s in SURNAMES])
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
    domain = domains[_pick(rng, n, [0.4, 0.25, 0.15, 0.2])]
    email = local + digits + domain
    dup = pd.Series(email).groupby(email, sort=False).cumcount().to_numpy()
    again = np.flatnonzero(dup)  # the same address drawn twice: add "_k" (no clash possible)
    if len(again):
        suffix = np.array([f"_{k}" for k in dup[again]], dtype=object)
        email[again] = local[again] + digits[again] + suffix + domain[again]

    channel_names = np.array([c[0] for c in CHANNELS], dtype=object)[channel]
    channel_names[rng.random(n) < 0.015] = None  # source not recorded

    yes_no = np.array(["No", "Yes"], dtype=object)
    frame = pd.DataFrame(
        {
            "customer_id": _ids("C", n),
            "name": name,
            "email": email,
            "signup_date": signup.astype("datetime64[ns]"),
            "cancel_date": np.where(churned, cancel, np.datetime64("NaT")).astype("datetime64[ns]"),
            "plan": np.array([p[0] for p in PLANS], dtype=object)[plan],
            "contract": np.array(["monthly", "annual"], dtype=object)[annual.astype(np.int64)],
            "monthly_fee": fee,
            "region": np.array([r[0] for r in REGIONS], dtype=object)[region],
            "acquisition_channel": channel_names,
            "account_owner": np.array([o[0] for o in OWNERS], dtype=object)[owner],
            "support_tickets_90d": tickets.astype(np.int64),
            "complaints_90d": complaints.astype(np.int64),
            "nps": pd.array(np.where(nps_missing, np.nan, nps), dtype="Int64"),
            "logins_30d": logins.astype(np.int64),
            "logins_change_pct": change,
            "newsletter_unsubscribed": yes_no[unsubscribed.astype(int)],
            "discount_requested": yes_no[discount.astype(int)],
            "days_to_renewal": days_to_renewal,
            "failed_payments_90d": failed.astype(np.int64),
            "churn_reason": reason,
            "churned": yes_no[churned.astype(int)],
        }
    )
    return frame


# ---------------------------------------------------------------------------------------
# The Korean export
# ---------------------------------------------------------------------------------------
#: English column -> (Korean column, Korean description, values / unit) for the export.
KOREAN_COLUMNS: dict[str, tuple[str, str, str]] = {
    "customer_id": ("고객ID", "고객 고유번호", "C로 시작하는 5자리 번호"),
    "name": ("이름", "고객 이름 (가상의 개인정보)", "분석에 사용하지 않음"),
    "email": ("이메일", "고객 이메일 (가상의 개인정보)", "분석에 사용하지 않음"),
    "signup_date": ("가입일", "서비스 가입일", "날짜"),
    "cancel_date": ("해지일", "해지 신청일, 유지 고객은 빈칸", "날짜"),
    "plan": ("요금제", "가입한 요금제", "베이직 / 스탠다드 / 프리미엄"),
    "contract": ("계약유형", "월간은 매월 갱신, 연간은 12개월 약정(매월 결제)", "월간 / 연간"),
    "monthly_fee": ("월요금", "실제 청구되는 월 요금 (할인 반영)", "원"),
    "region": ("지역", "고객 거주 지역", "서울, 경기, 부산 등"),
    "acquisition_channel": ("유입경로", "처음 가입한 경로, 미기록은 빈칸", "자연검색, 검색광고 등"),
    "account_owner": ("담당자", "고객 담당 매니저", "직원 이름"),
    "support_tickets_90d": (
        "상담건수_90일",
        "기준일(이탈 고객은 해지일) 전 90일 동안의 고객센터 문의 건수",
        "건",
    ),
    "complaints_90d": ("불만건수_90일", "그중 불만(클레임)으로 분류된 건수", "건"),
    "nps": ("NPS", "추천 의향 점수, 미응답은 빈칸", "0~10점"),
    "logins_30d": ("로그인_30일", "기준일 전 30일 동안의 로그인 횟수", "회"),
    "logins_change_pct": (
        "로그인변화율",
        "직전 30일 대비 로그인 증감률, 직전 30일이 0회면 빈칸",
        "%",
    ),
    "newsletter_unsubscribed": ("뉴스레터_수신거부", "뉴스레터 수신을 거부했는지", "예 / 아니오"),
    "discount_requested": ("할인요청", "기준일 전 90일 안에 가격 할인을 요청했는지", "예 / 아니오"),
    "days_to_renewal": ("갱신까지_일수", "기준일부터 다음 갱신일까지 남은 일수", "일"),
    "failed_payments_90d": ("결제실패_90일", "기준일 전 90일 동안 결제에 실패한 횟수", "회"),
    "churn_reason": (
        "이탈사유",
        "해지 고객이 밝힌 사유, 유지 고객과 무응답은 빈칸",
        "가격 부담 등",
    ),
    "churned": ("이탈여부", "기준일까지 해지했는지", "이탈 / 유지"),
}


def _korean_names() -> dict[str, str]:
    names = {f"{g[0]} {s[0]}": f"{s[1]}{g[1]}" for s in SURNAMES for g in GIVEN_NAMES}
    names.update(dict(OWNERS))
    return names


def to_korean(df: pd.DataFrame) -> pd.DataFrame:
    """The subscription sample as a Korean marketer's export would have it.

    Parameters
    ----------
    df : pandas.DataFrame
        A frame from :func:`generate_subscriptions` (it is not modified).

    Returns
    -------
    pandas.DataFrame
        The same customers and values with Korean column names (고객ID, 이름, ...,
        이탈여부) and Korean labels: names in Hangul, 월간/연간, 예/아니오, 이탈/유지,
        regions, channels, plans and reasons in Korean. Dates and numbers are unchanged.
        A value with no Korean label is kept as it is.
    """
    out = df.copy()
    names = _korean_names()
    maps = {
        "name": names,
        "account_owner": names,
        "plan": {p[0]: p[1] for p in PLANS},
        "contract": CONTRACTS,
        "region": {r[0]: r[1] for r in REGIONS},
        "acquisition_channel": {c[0]: c[1] for c in CHANNELS},
        "newsletter_unsubscribed": YES_NO,
        "discount_requested": YES_NO,
        "churn_reason": dict(REASONS),
        "churned": CHURNED_KO,
    }
    for column, mapping in maps.items():
        if column in out:
            out[column] = out[column].map(mapping).where(out[column].notna()).fillna(out[column])
    return out.rename(columns={k: v[0] for k, v in KOREAN_COLUMNS.items()})


def write_korean_xlsx(df_ko: pd.DataFrame, path, snapshot=SNAPSHOT) -> Path:
    """Write the Korean export: sheet "데이터 설명" (a dictionary) first, then "고객목록".

    Dates are real Excel dates (``yyyy-mm-dd``), blanks stay blank, and the workbook's
    properties carry a fixed creation date so the same frame gives the same bytes.

    Parameters
    ----------
    df_ko : pandas.DataFrame
        A frame from :func:`to_korean`.
    path : str or Path
        Where to write the ``.xlsx`` file.
    snapshot : str or Timestamp
        The "as of" date stated on the dictionary sheet and used as creation date.

    Returns
    -------
    Path
        The path written.
    """
    import xlsxwriter

    path = Path(path)
    snap = pd.Timestamp(snapshot).normalize()
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False}
    )
    book.set_properties(
        {
            "title": "고객목록 내보내기",
            "author": "ChurnLens sample generator",
            "company": "ChurnLens (fictional data)",
            "created": datetime(snap.year, snap.month, snap.day),
        }
    )
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    info = book.add_worksheet(SHEET_DICTIONARY)
    info.write(0, 0, "고객목록 데이터 설명", title)
    info.write(1, 0, f"기준일: {snap:%Y-%m-%d} · 데이터는 '{SHEET_DATA}' 시트에 있습니다.")
    info.write(2, 0, "가상의 구독 서비스 고객 데이터입니다. 실제 인물과 관계가 없습니다.")
    info.write(
        3,
        0,
        "'_90일', '_30일' 항목과 갱신까지_일수는 유지 고객은 기준일, 이탈 고객은 해지일 "
        "직전 기간을 기준으로 집계했습니다.",
    )
    for col, text in enumerate(("컬럼명", "설명", "값 / 단위")):
        info.write(5, col, text, header)
    korean = {v[0]: v for v in KOREAN_COLUMNS.values()}
    for row, column in enumerate(df_ko.columns, start=6):
        _, description, values = korean.get(column, (column, "", ""))
        info.write(row, 0, column, bold)
        info.write(row, 1, description, wrap)
        info.write(row, 2, values, wrap)
    info.set_column(0, 0, 18)
    info.set_column(1, 1, 52)
    info.set_column(2, 2, 26)

    data = book.add_worksheet(SHEET_DATA)
    for col, column in enumerate(df_ko.columns):
        data.write(0, col, column, header)
        values = df_ko[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            cell_format = date_fmt
            width = 12
        elif column == KOREAN_COLUMNS["monthly_fee"][0]:
            cell_format, width = money, 10
        else:
            cell_format, width = None, max(10, min(28, len(column) * 2 + 4))
        data.set_column(col, col, width)
        for row, value in enumerate(values.tolist(), start=1):
            if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
                continue
            if value is pd.NA:
                continue
            if isinstance(value, pd.Timestamp):
                data.write_datetime(row, col, value.to_pydatetime(), cell_format)
            elif isinstance(value, str):
                data.write_string(row, col, value)
            else:
                data.write_number(row, col, float(value), cell_format)
    data.freeze_panes(1, 0)
    data.autofilter(0, 0, len(df_ko), len(df_ko.columns) - 1)
    info.activate()  # the dictionary sheet opens first, as in a real export
    book.close()
    return path


# ---------------------------------------------------------------------------------------
# Orders and event logs
# ---------------------------------------------------------------------------------------
def _customer_plan(rng: np.random.Generator, n: int, days: int) -> dict[str, np.ndarray]:
    """Per-customer parameters of the order log and the number of orders each makes."""
    first = _growth_offsets(rng, n, days, 2.0)
    category = _pick(rng, n, [c[2] for c in CATEGORIES])
    spend = np.exp(rng.normal(0.0, 0.5, n))  # relative spend level
    gap = np.array([c[4] for c in CATEGORIES], dtype=float)[category] * np.exp(
        rng.normal(0.0, 0.5, n)
    )
    tercile = np.digitize(spend, np.exp([-0.215, 0.215]))  # 0 low, 1 mid, 2 high spenders
    life_mult = np.array([c[5] for c in CATEGORIES])[category] * np.array([0.5, 1.0, 1.5])[tercile]
    lifetime = rng.exponential(_MEAN_LIFETIME_DAYS * life_mult)
    lifetime[rng.random(n) < _ONE_TIME_SHARE] = 0.0
    last = np.minimum(first + lifetime, days - 1.0)
    span = last - first
    count = 1 + rng.poisson(span / gap)
    return {"first": first, "category": category, "spend": spend, "span": span, "count": count}


def _orders(
    rng: np.random.Generator, plan: dict[str, np.ndarray], start: np.datetime64, prefix: str
) -> pd.DataFrame:
    """Expand per-customer plans into one row per order, sorted by customer and date."""
    count = plan["count"]
    n = len(count)
    owner = np.repeat(np.arange(n, dtype=np.int64), count)
    # Order times: the first order, then the others uniform over the active span (a
    # Poisson process at the customer's own rhythm), sorted within each customer.
    offset = rng.random(len(owner)) * plan["span"][owner]
    starts = np.concatenate(([0], np.cumsum(count)[:-1]))
    offset[starts] = 0.0
    key = np.sort(owner * 4096.0 + offset)  # spans are < 4096 days: sorts within customers
    day = plan["first"][owner] + np.floor(key - owner * 4096.0).astype(np.int64)

    own_cat = plan["category"][owner]
    other = rng.integers(0, len(CATEGORIES), len(owner))
    category = np.where(rng.random(len(owner)) < 0.7, own_cat, other)
    typical = np.array([c[3] for c in CATEGORIES], dtype=float)[category]
    amount = typical * plan["spend"][owner] * np.exp(rng.normal(0.0, 0.35, len(owner)))
    amount = np.maximum(np.round(amount / 100.0) * 100, 1000).astype(np.int64)
    amount[rng.random(len(owner)) < 0.004] = 0  # free samples and full-coupon orders

    ids = _ids(prefix, n)
    names = pd.Categorical.from_codes(category, [c[0] for c in CATEGORIES])
    return pd.DataFrame(
        {
            "customer_id": ids[owner],
            "order_date": (start + day.astype("m8[D]")).astype("datetime64[ns]"),
            "amount": amount,
            "category": names,
        }
    )


def generate_transactions(
    n_customers: int = 3000, seed: int = 11, start="2024-01-01", end="2025-12-31"
) -> pd.DataFrame:
    """An e-commerce order log: customer_id, order_date, amount (KRW), category.

    Customers' first orders spread over the window with growth (many monthly cohorts);
    each customer buys at an own rhythm from a main category, about a fifth buy only
    once, and the others go quiet after a random lifetime that is shorter for
    electronics and low spenders and longer for groceries and high spenders.

    Parameters
    ----------
    n_customers : int
        Number of customers (each has at least one order).
    seed : int
        Seed of the random generator.
    start, end : str or Timestamp
        First and last possible order date.

    Returns
    -------
    pandas.DataFrame
        One row per order, sorted by customer and date; ``category`` is a pandas
        Categorical, ``amount`` whole won (a few free orders are 0).
    """
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    rng = np.random.default_rng(seed)
    first, last = _day(start), _day(end)
    days = int((last - first).astype(np.int64)) + 1
    if days < 2:
        raise ValueError("end must be after start")
    plan = _customer_plan(rng, n_customers, days)
    frame = _orders(rng, plan, first, "M")
    frame["category"] = frame["category"].astype(object)
    return frame


def generate_event_log(
    n_rows: int, seed: int = 0, start="2024-01-01", end="2025-12-31"
) -> pd.DataFrame:
    """A large order log with exactly ``n_rows`` rows, for benchmarks.

    The same process as :func:`generate_transactions`; the number of customers follows
    from ``n_rows`` (about 8 orders per customer). ``category`` stays a Categorical to
    keep ten million rows light.

    Parameters
    ----------
    n_rows : int
        Number of rows (orders) wanted.
    seed : int
        Seed of the random generator.
    start, end : str or Timestamp
        First and last possible order date.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id, order_date, amount, category``.
    """
    if n_rows < 1:
        raise ValueError("n_rows must be at least 1")
    rng = np.random.default_rng(seed)
    first, last = _day(start), _day(end)
    days = int((last - first).astype(np.int64)) + 1
    plan = _customer_plan(rng, max(16, int(n_rows / 4) + 16), days)
    total = np.cumsum(plan["count"])
    while total[-1] < n_rows:  # too few orders drawn (tiny windows): draw more customers
        more = _customer_plan(rng, len(total), days)
        plan = {k: np.concatenate([plan[k], more[k]]) for k in plan}
        total = np.cumsum(plan["count"])
    keep = int(np.searchsorted(total, n_rows)) + 1
    plan = {k: v[:keep].copy() for k, v in plan.items()}
    plan["count"][-1] -= int(total[keep - 1] - n_rows)
    return _orders(rng, plan, first, "M")


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------
def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n", encoding="utf-8")


def write_samples(folder="data/sample") -> dict[str, Path]:
    """Regenerate the three sample files in ``folder`` (same bytes on every run).

    Parameters
    ----------
    folder : str or Path
        Target folder (created if missing). ``README.md`` there is not touched.

    Returns
    -------
    dict
        File name -> path written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    subs = generate_subscriptions()
    paths = {
        SUBSCRIPTIONS_CSV: folder / SUBSCRIPTIONS_CSV,
        SUBSCRIPTIONS_XLSX: folder / SUBSCRIPTIONS_XLSX,
        TRANSACTIONS_CSV: folder / TRANSACTIONS_CSV,
    }
    _write_csv(subs, paths[SUBSCRIPTIONS_CSV])
    write_korean_xlsx(to_korean(subs), paths[SUBSCRIPTIONS_XLSX])
    _write_csv(generate_transactions(), paths[TRANSACTIONS_CSV])
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m churn.sample [--out DIR]``: regenerate the sample files."""
    parser = argparse.ArgumentParser(
        prog="python -m churn.sample", description="Regenerate ChurnLens' sample data files."
    )
    parser.add_argument("--out", default="data/sample", help="target folder (default: data/sample)")
    args = parser.parse_args(argv)
    for path in write_samples(args.out).values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
