"""Churn over time: churn by period, revenue churn, cohorts, survival and a short forecast.

Every function takes the confirmed :class:`~churn.table.CustomerTable` and works on its
canonical columns (``start_date``, ``end_date``, ``churned``, ``tenure_days``, ``value``);
nothing here guesses a column by its name. Rates come with their numerator, their
denominator, the definition used and a 95 % Wilson interval, so a page can say all four.

Exact definitions used throughout (dates are compared as calendar days):

* a customer is *active at the start* of period P when the start date is before P's first
  day and there is no end date or the end date is on or after P's first day;
* *new in P*: the start date falls within P;
* *churned in P*: the end date falls within P (``churned_from_start`` counts those of
  them who were active at the start of P);
* an end date after the snapshot is not a churn yet (the customer is still active on the
  snapshot date), and a row whose end date is before its start date is left out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, END, ID, START, TENURE, VALUE, CustomerTable
from churn.text import Text, msg

#: Period name -> pandas period frequency (weeks run Monday to Sunday, as ISO weeks do).
PERIODS: dict[str, str] = {"week": "W-SUN", "month": "M", "quarter": "Q-DEC", "year": "Y-DEC"}

#: Days in an average month, used to turn a rate over ``d`` days into a monthly rate.
DAYS_PER_MONTH = 365 / 12

#: Label of the one group of an overall survival curve.
OVERALL = "all"
#: Label of the group that collects the smaller groups of a ``by`` column.
OTHER = "other"
#: Label of the group of customers with no value in the ``by`` column.
MISSING = "(missing)"

#: Reasons that mean the customer did not choose to leave (a payment problem).
INVOLUNTARY_PATTERN = re.compile(
    r"payment|card|declin|billing|dunning|insufficient|expired|chargeback|past[ _-]?due|"
    r"overdue|unpaid|non[- ]?payment|결제|카드|미납|연체|잔액|한도|승인\s*거절",
    re.IGNORECASE,
)

_Z95 = 1.959963984540054


# --------------------------------------------------------------------------------------
# Churn definitions (a registry: the built-ins register the way an addition would)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnDefinition:
    """One way to divide lost customers by customers at risk.

    Attributes
    ----------
    name : registry key (``start``, ``start_plus_new``, ``lost_over_new``).
    label : short English name; the UI shows its own translation keyed on ``name``.
    explanation : one English sentence saying what is divided by what.
    source : who uses this definition.
    function : ``counts -> (numerator, denominator)`` on a frame with the columns
        ``active_start``, ``new``, ``churned`` and ``churned_from_start``.
    """

    name: str
    label: str
    explanation: str
    source: str
    function: Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]] = field(repr=False)


CHURN_DEFINITIONS: dict[str, ChurnDefinition] = {}


def register_definition(definition: ChurnDefinition) -> ChurnDefinition:
    """Add a churn definition to :data:`CHURN_DEFINITIONS` (replacing one of that name)."""
    CHURN_DEFINITIONS[definition.name] = definition
    return definition


register_definition(
    ChurnDefinition(
        name="start",
        label=msg("Start of period"),
        explanation=msg(
            "Customers active at the start of the period who left during it, divided by "
            "the customers active at the start; people who join and leave inside the "
            "period are not counted."
        ),
        source="ChartMogul, Baremetrics",
        function=lambda c: (c["churned_from_start"], c["active_start"]),
    )
)
register_definition(
    ChurnDefinition(
        name="start_plus_new",
        label=msg("Start plus new"),
        explanation=msg(
            "Everyone who left during the period, divided by the customers active at the "
            "start plus the customers who joined during it."
        ),
        source="Stripe Billing",
        function=lambda c: (c["churned"], c["active_start"] + c["new"]),
    )
)
register_definition(
    ChurnDefinition(
        name="lost_over_new",
        label=msg("Lost over new"),
        explanation=msg(
            "Everyone who left during the period, divided by the new customers acquired "
            "in it (can exceed 100 % when few join)."
        ),
        source="the domain articles (e.g. 10 lost / 250 new = 4 %)",
        function=lambda c: (c["churned"], c["new"]),
    )
)


def _definition(name: str) -> ChurnDefinition:
    try:
        return CHURN_DEFINITIONS[name]
    except KeyError:
        raise ChurnDataError(
            msg("Unknown churn definition '{name}'.", name=name),
            fix=msg("use one of: {choices}.", choices=", ".join(CHURN_DEFINITIONS)),
        ) from None


def _freq(period: str) -> str:
    try:
        return PERIODS[period]
    except KeyError:
        raise ChurnDataError(
            msg("Unknown period '{period}'.", period=period),
            fix=msg("use one of: {choices}.", choices=", ".join(PERIODS)),
        ) from None


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def wilson_interval(
    k: np.ndarray | pd.Series | float, n: np.ndarray | pd.Series | float, z: float = _Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``k`` successes out of ``n`` (NaN where ``n`` is 0 or k > n).

    Parameters
    ----------
    k, n : counts (arrays broadcast together).
    z : normal quantile (1.96 for 95 %).

    Returns
    -------
    (low, high) : arrays of bounds in 0..1.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        bad = (n <= 0) | (k > n) | np.isnan(k) | np.isnan(n)
        low = np.where(bad, np.nan, np.clip(centre - half, 0, 1))
        high = np.where(bad, np.nan, np.clip(centre + half, 0, 1))
    return low, high


def monthly_equivalent(rate: float | np.ndarray, days: float | np.ndarray) -> np.ndarray:
    """A churn rate measured over ``days`` days as a monthly rate.

    ``1 - (1 - rate) ** ((365 / 12) / days)``; NaN where the rate is not in 0..1.
    """
    rate = np.asarray(rate, dtype=float)
    days = np.asarray(days, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (rate >= 0) & (rate <= 1) & (days > 0)
        out = 1 - np.power(np.where(ok, 1 - rate, np.nan), DAYS_PER_MONTH / days)
    return np.where(ok, out, np.nan)


def classify_reason(reasons: pd.Series) -> pd.Series:
    """``"involuntary"`` for payment problems (failed payment, card declined, 결제 실패...),
    ``"voluntary"`` for everything else, including a missing reason.
    """
    # Judge each distinct reason once (a million customers share a few dozen reasons).
    codes, uniques = pd.factorize(reasons, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    if all(type(u) is str for u in uniq):
        text = pd.Series(np.append(uniq, ""), dtype="string")
        hit = text.str.contains(INVOLUNTARY_PATTERN, regex=True).fillna(False).to_numpy(bool)
        invol = hit[codes]  # code -1 (missing) picks the appended "" (not involuntary)
    else:  # numbers, mixed types: as text, row by row
        text = reasons.astype("string").fillna("")
        invol = text.str.contains(INVOLUNTARY_PATTERN, regex=True).fillna(False).astype(bool)
    labels = np.array(["voluntary", "involuntary"], dtype=object)
    return pd.Series(labels[np.asarray(invol, dtype=np.int8)], index=reasons.index)


def period_label(p: pd.Period, period: str) -> str:
    """The label of a period: ``2024-W10``, ``2024-03``, ``2024Q1`` or ``2024``."""
    if period == "week":
        iso = p.start_time.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    return str(p)


_LABEL_PATTERNS = {
    "week": r"(\d{4})-W(\d{1,2})",
    "month": r"\d{4}-\d{2}",
    "quarter": r"\d{4}Q[1-4]",
    "year": r"\d{4}",
}


def parse_period(label: str | pd.Period | pd.Timestamp, period: str = "month") -> pd.Period:
    """The :class:`pandas.Period` of a label made by :func:`period_label` (or of a date)."""
    freq = _freq(period)
    if isinstance(label, pd.Period):
        return label.asfreq(freq) if label.freqstr != freq else label
    if isinstance(label, pd.Timestamp):
        return label.to_period(freq)
    text = str(label).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # a date inside the period
            return pd.Timestamp(text).to_period(freq)
        m = re.fullmatch(_LABEL_PATTERNS[period], text)
        if m is None:
            raise ValueError(text)
        if period == "week":
            monday = pd.Timestamp.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return monday.to_period(freq)
        return pd.Period(text, freq=freq)
    except (ValueError, TypeError):
        raise ChurnDataError(
            msg("'{label}' is not a {period} label.", label=label, period=period),
            fix=msg("use a label from the period table, e.g. 2024-03, 2024-W10, 2024Q1 or 2024."),
        ) from None


def _column(table: CustomerTable, name: str | None) -> str | None:
    """The frame's name for a source column (renamed when it clashed with a canonical one)."""
    if not name:
        return None
    for candidate in (name, f"{name} (original)"):
        if candidate in table.frame.columns:
            return candidate
    return None


def _joined(notes: list[Text]) -> Text:
    """The notes as one text, each still translatable."""
    out = notes[0]
    for note in notes[1:]:
        out = msg("{first} {then}", first=out, then=note)
    return out


@dataclass(frozen=True)
class _Dated:
    frame: pd.DataFrame  # start, end (normalised; end censored at snapshot), value, reason
    snapshot: pd.Timestamp
    notes: tuple[str, ...]


def dated_rows(table: CustomerTable) -> _Dated:
    """The customers with a start date, dates as calendar days (what :func:`period_table`,
    :func:`customers_in_period` and :func:`cohort_table` start from): compute once and
    pass as ``dated=`` to skip that step (0.1 s at a million customers) in each."""
    return _dated(table, msg("period table"))


def _dated(table: CustomerTable, what: Text) -> _Dated:
    """Rows with a start date, dates as calendar days, ends after the snapshot removed."""
    f = table.frame
    start = pd.to_datetime(f[START], errors="coerce") if START in f else None
    if start is None or not start.notna().any():
        raise ChurnDataError(
            msg(
                "The {what} needs start dates, and this table has none (only a tenure "
                "column), so customers cannot be placed in calendar periods.",
                what=what,
            )
            if table.has_tenure
            else msg(
                "The {what} needs start dates, and this table has none (only no dates and "
                "no tenure), so customers cannot be placed in calendar periods.",
                what=what,
            ),
            fix=msg(
                "confirm a start/signup date column (and an end/cancel date column) on the "
                "Data page, or load an event log; survival curves still work from tenure."
            ),
            column=START,
        )
    start = start.dt.normalize()
    end = pd.to_datetime(f[END], errors="coerce").dt.normalize()
    snap = table.snapshot
    if snap is None or pd.isna(snap):
        snap = max(start.max(), end.max() if end.notna().any() else start.max())
    snap = pd.Timestamp(snap).normalize()
    notes: list[Text] = []
    keep = start.notna()
    if (~keep).any():
        notes.append(
            msg("{n:,} customers without a start date are left out.", n=int((~keep).sum()))
        )
    future = keep & (start > snap)
    if future.any():
        notes.append(
            msg("{n:,} customers starting after the snapshot are left out.", n=int(future.sum()))
        )
        keep &= ~future
    backwards = keep & end.notna() & (end < start)
    if backwards.any():
        notes.append(
            msg(
                "{n:,} customers whose end date is before their start date are left out.",
                n=int(backwards.sum()),
            )
        )
        keep &= ~backwards
    if not keep.any():
        raise ChurnDataError(
            msg(
                "The {what} has no customer left to count: {notes}",
                what=what,
                notes=_joined(notes),
            ),
            fix=msg("check the start and end date roles on the Data page."),
            column=START,
        )
    late = keep & (end > snap)
    if late.any():
        notes.append(
            msg(
                "{n:,} end dates after the snapshot are treated as still active.",
                n=int(late.sum()),
            )
        )
        end = end.mask(late)
    out = pd.DataFrame({"start": start, "end": end}, index=f.index)
    out["value"] = pd.to_numeric(f[VALUE], errors="coerce") if VALUE in f else np.nan
    reason = _column(table, table.roles.reason)
    if reason is not None:
        out["kind"] = classify_reason(f[reason])
    return _Dated(out[keep], snap, tuple(notes))


def _judged_until(table: CustomerTable, snapshot: pd.Timestamp) -> pd.Timestamp:
    """The last day whose churn is final: snapshot - N days for an event log."""
    n = table.inactivity_days
    if table.shape == "events" and n:
        return snapshot - pd.Timedelta(days=int(n))
    return snapshot


def _ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    """Period ordinals of dates (NaT -> the minimum int64, which no real period has)."""
    return pd.PeriodIndex(dates.dt.to_period(freq)).asi8


# --------------------------------------------------------------------------------------
# Period table
# --------------------------------------------------------------------------------------


def period_table(
    table: CustomerTable,
    period: str = "month",
    definition: str = "start",
    *,
    dated: _Dated | None = None,
) -> pd.DataFrame:
    """Customers active, new and lost in each period, with the churn rate.

    Parameters
    ----------
    table : the confirmed customer table; it needs start dates.
    period : ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
    definition : a key of :data:`CHURN_DEFINITIONS`.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first start to the snapshot's period, with columns
        ``period`` (label), ``period_start``, ``period_end`` (last day), ``days``,
        ``days_observed`` (up to the snapshot), ``active_start``, ``new``, ``churned``,
        ``churned_from_start``, ``active_end`` (= active_start + new - churned),
        ``definition``, ``numerator``, ``denominator``, ``churn_rate``, ``ci_low``,
        ``ci_high`` (95 % Wilson), ``retention`` (1 - rate), ``monthly_equivalent``
        (over the days observed), ``partial`` (the unfinished period holding the
        snapshot) and ``churn_final`` (False for the partial period and, in an event log
        with an inactivity window of N days, for periods ending less than N days before
        the snapshot, whose churn cannot be seen yet). With values: ``revenue_start`` (value of customers active at start),
        ``revenue_new``, ``revenue_lost`` (value of customers active at start who left in
        the period) and ``gross_revenue_churn`` (= revenue_lost / revenue_start). With a
        reason column: ``churned_voluntary`` and ``churned_involuntary``.
        ``attrs["notes"]`` lists what was left out and why; net revenue retention is not
        given because one value per customer shows no expansion or contraction.
    """
    freq = _freq(period)
    spec = _definition(definition)
    d = dated if dated is not None else _dated(table, msg("period table"))
    first = d.frame["start"].min().to_period(freq)
    last = d.snapshot.to_period(freq)
    periods = pd.period_range(first, last, freq=freq)
    n = len(periods)
    s_idx = _ordinals(d.frame["start"], freq) - first.ordinal
    has_end = d.frame["end"].notna().to_numpy()
    e_idx = np.where(has_end, _ordinals(d.frame["end"], freq) - first.ordinal, -1)
    from_start = has_end & (s_idx < e_idx)

    def count(idx: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(idx, weights=weights, minlength=n)[:n]

    new = count(s_idx)
    churned = count(e_idx[has_end])
    churned_from_start = count(e_idx[from_start])
    active_start = np.concatenate([[0], np.cumsum(new - churned)[:-1]])

    out = pd.DataFrame(
        {
            "period": [period_label(p, period) for p in periods],
            "period_start": periods.start_time,
            "period_end": periods.end_time.normalize(),
        }
    )
    out["days"] = (out["period_end"] - out["period_start"]).dt.days + 1
    observed_end = out["period_end"].clip(upper=d.snapshot)
    out["days_observed"] = (observed_end - out["period_start"]).dt.days + 1
    out["active_start"] = active_start.astype(int)
    out["new"] = new.astype(int)
    out["churned"] = churned.astype(int)
    out["churned_from_start"] = churned_from_start.astype(int)
    out["active_end"] = out["active_start"] + out["new"] - out["churned"]
    num, den = spec.function(out)
    out["definition"] = spec.name
    out["numerator"] = np.asarray(num, dtype=int)
    out["denominator"] = np.asarray(den, dtype=int)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(out["denominator"] > 0, out["numerator"] / out["denominator"], np.nan)
    out["churn_rate"] = rate
    out["ci_low"], out["ci_high"] = wilson_interval(out["numerator"], out["denominator"])
    out["retention"] = 1 - out["churn_rate"]
    out["monthly_equivalent"] = monthly_equivalent(out["churn_rate"], out["days_observed"])
    out["partial"] = out["period_end"] > d.snapshot
    notes = list(d.notes)
    cutoff = _judged_until(table, d.snapshot)
    out["churn_final"] = ~out["partial"] & (out["period_end"] <= cutoff)
    if cutoff < d.snapshot:
        notes.append(
            msg(
                "A customer counts as lost only after {days} days without an event, so churn "
                "in periods ending after {cutoff:%Y-%m-%d} is not final yet.",
                days=table.inactivity_days,
                cutoff=cutoff,
            )
        )
    value = d.frame["value"].to_numpy(dtype=float)
    if np.isfinite(value).any():
        v = np.nan_to_num(value, nan=0.0)
        rev_new = count(s_idx, v)
        rev_churned = count(e_idx[has_end], v[has_end])
        out["revenue_start"] = np.concatenate([[0.0], np.cumsum(rev_new - rev_churned)[:-1]])
        out["revenue_new"] = rev_new
        out["revenue_lost"] = count(e_idx[from_start], v[from_start])
        with np.errstate(divide="ignore", invalid="ignore"):
            out["gross_revenue_churn"] = np.where(
                out["revenue_start"] > 0, out["revenue_lost"] / out["revenue_start"], np.nan
            )
        notes.append(
            msg(
                "Net revenue retention is not shown: with one value per customer, expansion "
                "and contraction cannot be seen, only revenue lost with churned customers."
            )
        )
    if "kind" in d.frame:
        invol = has_end & (d.frame["kind"] == "involuntary").to_numpy()
        out["churned_involuntary"] = count(e_idx[invol]).astype(int)
        out["churned_voluntary"] = out["churned"] - out["churned_involuntary"]
    out.attrs["notes"] = notes
    out.attrs["snapshot"] = f"{d.snapshot:%Y-%m-%d}"
    return out


def headline_period(periods: pd.DataFrame) -> pd.Series:
    """The row of :func:`period_table` to headline: the last one whose churn is final
    (the last row when none is).
    """
    final = periods[periods["churn_final"]] if "churn_final" in periods else periods
    return (final if len(final) else periods).iloc[-1]


def customers_in_period(
    table: CustomerTable,
    period_label: str,
    period: str = "month",
    which: str = "churned",
    *,
    dated: _Dated | None = None,
) -> pd.DataFrame:
    """The customers behind one number of :func:`period_table` (for a download).

    Parameters
    ----------
    table : the confirmed customer table.
    period_label : a label from the ``period`` column (``2024-03``, ``2024-W10``...).
    period : the period length used to make the label.
    which : ``"churned"``, ``"churned_from_start"``, ``"new"``, ``"active_start"`` or
        ``"active_end"``.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``table.frame`` (a copy), canonical columns first.
    """
    choices = ("churned", "churned_from_start", "new", "active_start", "active_end")
    if which not in choices:
        raise ChurnDataError(
            msg("Unknown customer list '{which}'.", which=which),
            fix=msg("use one of {choices}.", choices=choices),
        )
    freq = _freq(period)
    p = parse_period(period_label, period)
    d = dated if dated is not None else _dated(table, msg("list of customers by period"))
    s = _ordinals(d.frame["start"], freq)
    has_end = d.frame["end"].notna().to_numpy()
    e = np.where(has_end, _ordinals(d.frame["end"], freq), np.iinfo(np.int64).max)
    o = p.ordinal
    masks = {
        "churned": has_end & (e == o),
        "churned_from_start": has_end & (e == o) & (s < o),
        "new": s == o,
        "active_start": (s < o) & (e >= o),
        "active_end": (s <= o) & (e > o),
    }
    rows = d.frame.index[masks[which]]
    return table.frame.loc[rows].copy().reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Cohorts
# --------------------------------------------------------------------------------------


def cohort_table(
    table: CustomerTable,
    max_months: int = 24,
    min_cell: int = 20,
    *,
    dated: _Dated | None = None,
) -> pd.DataFrame:
    """Retention by signup-month cohort, ``k`` calendar months later.

    A customer of cohort ``c`` (month of the start date) counts as active ``k`` months
    later when there is no end date or the end date is on or after the first day of
    month ``c + k``; ``k = 0`` is the whole cohort.

    Parameters
    ----------
    table : the confirmed customer table; it needs start dates.
    max_months : the largest ``k`` shown.
    min_cell : cohorts smaller than this are flagged ``small``.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``cohort`` (``2024-03``), ``cohort_start``, ``months_since``,
        ``cohort_size``, ``active``, ``retention`` (= active / cohort_size), ``ci_low``,
        ``ci_high`` (95 % Wilson), ``small`` and ``observable`` (month ``c + k`` has begun
        by the snapshot; ``active`` and ``retention`` are NaN when not). With values:
        ``revenue_start``, ``revenue_active`` and ``revenue_retention``.
    """
    if max_months < 0:
        raise ChurnDataError(msg("max_months must be 0 or more."), fix=msg("use e.g. 24."))
    d = dated if dated is not None else _dated(table, msg("cohort table"))
    c = _ordinals(d.frame["start"], "M")
    has_end = d.frame["end"].notna().to_numpy()
    e = _ordinals(d.frame["end"], "M")
    # Months the customer stays (capped at max_months + 1, meaning "beyond the table").
    stay = np.where(has_end, e - c, max_months + 1)
    stay = np.clip(stay, 0, max_months + 1)
    first = int(c.min())
    last = d.snapshot.to_period("M").ordinal
    n_c = last - first + 1
    width = max_months + 2
    flat = (c - first) * width + stay
    counts = np.bincount(flat, minlength=n_c * width).reshape(n_c, width)
    # active(c, k) = customers with stay >= k: a reverse cumulative sum along k.
    active = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1][:, : max_months + 1]
    value = d.frame["value"].to_numpy(dtype=float)
    has_value = bool(np.isfinite(value).any())
    if has_value:
        vsum = np.bincount(flat, weights=np.nan_to_num(value), minlength=n_c * width)
        vsum = vsum.reshape(n_c, width)
        vactive = np.cumsum(vsum[:, ::-1], axis=1)[:, ::-1][:, : max_months + 1]

    ks = np.arange(max_months + 1)
    cohorts = pd.period_range(pd.Period(ordinal=first, freq="M"), periods=n_c, freq="M")
    out = pd.DataFrame(
        {
            "cohort": np.repeat([str(p) for p in cohorts], len(ks)),
            "cohort_start": np.repeat(cohorts.start_time, len(ks)),
            "months_since": np.tile(ks, n_c),
            "cohort_size": np.repeat(active[:, 0], len(ks)).astype(int),
        }
    )
    out["observable"] = (np.repeat(np.arange(n_c) + first, len(ks)) + out["months_since"]) <= last
    out["active"] = np.where(out["observable"], active.ravel(), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["retention"] = out["active"] / out["cohort_size"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["active"], out["cohort_size"])
    out["small"] = out["cohort_size"] < min_cell
    if has_value:
        out["revenue_start"] = np.repeat(vactive[:, 0], len(ks))
        out["revenue_active"] = np.where(out["observable"], vactive.ravel(), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["revenue_retention"] = np.where(
                out["revenue_start"] > 0, out["revenue_active"] / out["revenue_start"], np.nan
            )
    out = out[out["cohort_size"] > 0].reset_index(drop=True)
    notes = list(d.notes)
    cutoff = _judged_until(table, d.snapshot)
    if cutoff < d.snapshot:
        notes.append(
            msg(
                "A customer counts as lost only after {days} days without an event, so "
                "retention in months after {cutoff:%Y-%m-%d} reads high.",
                days=table.inactivity_days,
                cutoff=cutoff,
            )
        )
    out.attrs["notes"] = notes
    out.attrs["snapshot"] = f"{d.snapshot:%Y-%m-%d}"
    return out


# --------------------------------------------------------------------------------------
# Survival
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SurvivalResult:
    """Kaplan-Meier curves of time to churn, overall or by group.

    Attributes
    ----------
    curves : tidy frame ``group, time_days, survival, ci_low, ci_high, at_risk``.
    groups : ``group, customers, churned, median_lifetime_days, median_reached``
        (the median is ``inf`` when more than half the group is still active at the end
        of the curve: "not reached").
    logrank_p : p-value of the multivariate log-rank test across groups (None overall
        or with fewer than two groups).
    by : the grouping column, or None.
    ci : confidence level of the bands.
    customers_used, customers_left_out : rows with and without a usable tenure and label.
    notes : plain-language notes (what was left out, how groups were formed).
    """

    curves: pd.DataFrame
    groups: pd.DataFrame
    logrank_p: float | None
    by: str | None
    ci: float
    customers_used: int
    customers_left_out: int
    notes: tuple[str, ...] = ()


def _groups_of(series: pd.Series, max_groups: int) -> pd.Series:
    """Group labels: the largest ``max_groups - 1`` values + "other"; numbers in quartiles."""
    s = series
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        if s.nunique(dropna=True) > max_groups:
            try:
                binned = pd.qcut(s, q=4, duplicates="drop")
            except ValueError:
                binned = s
            labels = binned.astype("string")
            return labels.fillna(MISSING).astype(str)
    labels = s.astype("string").str.strip().fillna(MISSING).replace("", MISSING).astype(str)
    top = labels.value_counts()
    if len(top) > max_groups:
        keep = set(top.index[: max_groups - 1])
        labels = labels.where(labels.isin(keep), OTHER)
    return labels


def survival_curves(
    table: CustomerTable, by: str | None = None, ci: float = 0.95, max_groups: int = 6
) -> SurvivalResult:
    """Kaplan-Meier survival (share of customers not yet churned) against tenure in days.

    Active customers are censored at their current tenure (at the snapshot). Works from
    dates or from a tenure column alone (e.g. Telco's months as a customer).

    Parameters
    ----------
    table : the confirmed customer table (needs ``tenure_days`` and ``churned``).
    by : a column of ``table.frame`` to compare groups; the ``max_groups - 1`` largest
        values are kept and the rest become "other"; numbers with many values are cut
        into quartiles.
    ci : confidence level of the bands (0.95 = 95 %).
    max_groups : the most curves drawn.

    Returns
    -------
    SurvivalResult
    """
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    f = table.frame
    if not table.has_tenure and not table.has_dates:
        raise ChurnDataError(
            msg(
                "Survival curves need how long each customer has been (or was) a customer, "
                "and this table has no dates and no tenure column."
            ),
            fix=msg("confirm a start date (and end date) or a tenure column on the Data page."),
            column=TENURE,
        )
    if not 0 < ci < 1:
        raise ChurnDataError(
            msg("Confidence level {ci} is not between 0 and 1.", ci=ci), fix=msg("use 0.95.")
        )
    if by is not None and by not in f.columns:
        raise ChurnDataError(
            msg("This column is not in the customer table."),
            fix=msg("choose one of the table's attribute columns."),
            column=by,
        )
    dur = pd.to_numeric(f[TENURE], errors="coerce")
    event = pd.to_numeric(f[CHURNED], errors="coerce")
    ok = dur.notna() & (dur >= 0) & event.isin([0.0, 1.0])
    if not ok.any():
        raise ChurnDataError(
            msg(
                "No customer has both a tenure and a churned/active label, so there is no "
                "survival curve to draw."
            ),
            fix=msg("check the label and date (or tenure) roles on the Data page."),
            column=TENURE,
        )
    notes: list[Text] = []
    dropped = int((~ok).sum())
    if dropped:
        notes.append(
            msg(
                "{n:,} customers without a tenure or a churned/active label "
                "(e.g. too new to judge) are left out.",
                n=dropped,
            )
        )
    dur, event = dur[ok].astype(float), event[ok].astype(int)
    if by is None:
        groups = pd.Series(OVERALL, index=dur.index)
    else:
        groups = _groups_of(f.loc[ok, by], max_groups)
    curve_parts, rows = [], []
    order = groups.value_counts().index
    for g in order:
        m = (groups == g).to_numpy()
        kmf = KaplanMeierFitter(alpha=1 - ci)
        kmf.fit(dur[m], event_observed=event[m])
        sf = kmf.survival_function_.iloc[:, 0]
        band = kmf.confidence_interval_survival_function_
        at_risk = kmf.event_table["at_risk"].reindex(sf.index)
        curve_parts.append(
            pd.DataFrame(
                {
                    "group": str(g),
                    "time_days": sf.index.to_numpy(dtype=float),
                    "survival": sf.to_numpy(dtype=float),
                    "ci_low": band.iloc[:, 0].to_numpy(dtype=float),
                    "ci_high": band.iloc[:, 1].to_numpy(dtype=float),
                    "at_risk": at_risk.to_numpy(dtype=float),
                }
            )
        )
        median = float(kmf.median_survival_time_)
        rows.append(
            {
                "group": str(g),
                "customers": int(m.sum()),
                "churned": int(event[m].sum()),
                "median_lifetime_days": median,
                "median_reached": bool(math.isfinite(median)),
            }
        )
    curves = pd.concat(curve_parts, ignore_index=True)
    curves["at_risk"] = curves["at_risk"].fillna(0).astype(int)
    groups_frame = pd.DataFrame(rows)
    p_value = None
    if by is not None and groups.nunique() >= 2:
        test = multivariate_logrank_test(dur, groups, event)
        p_value = float(test.p_value)
    if by is not None and (groups == OTHER).any():
        notes.append(
            msg("Only the {n} largest groups are drawn; the rest are 'other'.", n=max_groups - 1)
        )
    return SurvivalResult(
        curves=curves,
        groups=groups_frame,
        logrank_p=p_value,
        by=by,
        ci=ci,
        customers_used=int(ok.sum()),
        customers_left_out=dropped,
        notes=tuple(notes),
    )


def survival_at(curve: pd.DataFrame, times: np.ndarray | float) -> np.ndarray:
    """Evaluate one group's Kaplan-Meier step curve (``time_days``, ``survival``) at ``times``."""
    t = np.asarray(curve["time_days"], dtype=float)
    s = np.asarray(curve["survival"], dtype=float)
    idx = np.searchsorted(t, np.asarray(times, dtype=float), side="right") - 1
    return np.where(idx >= 0, s[np.clip(idx, 0, None)], 1.0)


# --------------------------------------------------------------------------------------
# The next months
# --------------------------------------------------------------------------------------


def forecast_next_months(
    table: CustomerTable,
    months: int = 6,
    scores: pd.Series | None = None,
    *,
    score_horizon_months: int | None = None,
    renewal_col: str | None = None,
) -> pd.DataFrame:
    """Expected churners and revenue at stake in each of the next months.

    Without ``scores``, each active customer's chance of leaving in month ``h`` is read
    from the overall Kaplan-Meier curve conditioned on the current tenure ``t``:
    ``(S(t + a) - S(t + b)) / S(t)`` for the month's window ``(a, b]`` in whole days
    (calendar months after the snapshot; 30, 61, 91... days without one). The curve is read
    half a day late so that tenures counted in whole months line up with the windows.
    Beyond the longest tenure seen the curve is flat, so very old customers are forecast
    to stay.
    With ``scores`` (a probability of churning per ``customer_id``, read as the chance of
    leaving within ``score_horizon_months``, default ``months``), a constant monthly hazard
    spreads each probability over the months.

    Parameters
    ----------
    table : the confirmed customer table.
    months : how many months ahead.
    scores : optional model scores indexed by ``customer_id``.
    score_horizon_months : the horizon the scores refer to.
    renewal_col : a column of ``table.frame`` holding days until each customer's renewal;
        its name is never guessed.

    Returns
    -------
    pandas.DataFrame
        ``month`` (1..months), ``window_start``, ``window_end`` (dates after the snapshot;
        NaT without a snapshot), ``days``, ``active_customers``, ``expected_churners``,
        ``revenue_at_stake`` (expected value lost; NaN without values), ``method``
        (``kaplan_meier`` or ``model_scores``); with ``renewal_col``: ``renewals`` and
        ``renewal_value`` (customers whose renewal falls in the window).
    """
    if months < 1:
        raise ChurnDataError(msg("months must be 1 or more."), fix=msg("use e.g. 6."))
    f = table.frame
    active = pd.to_numeric(f[CHURNED], errors="coerce") == 0
    tenure = pd.to_numeric(f[TENURE], errors="coerce")
    snap = table.snapshot
    if snap is not None and not pd.isna(snap):
        snap = pd.Timestamp(snap).normalize()
        edges = [snap + pd.DateOffset(months=h) for h in range(months + 1)]
        offsets = np.array([(e - snap).days for e in edges], dtype=float)
        starts, ends = edges[:-1], edges[1:]
        # window h covers the days after edge h-1 up to and including edge h
        w_start = [s + pd.Timedelta(days=1) for s in starts]
        w_end = list(ends)
    else:
        offsets = np.round(np.arange(months + 1) * DAYS_PER_MONTH)
        w_start = w_end = [pd.NaT] * months
    value = pd.to_numeric(f[VALUE], errors="coerce") if VALUE in f else None
    has_value = value is not None and value[active].notna().any()

    if scores is None:
        res = survival_curves(table)
        curve = res.curves
        act = active & tenure.notna()
        # Half a day of slack: tenures counted in whole months (a tenure column times the
        # days of a month) then land in the right calendar month, while whole-day tenures
        # from dates are unaffected.
        t = tenure[act].to_numpy(dtype=float) + 0.5
        grid = np.stack([survival_at(curve, t + o) for o in offsets], axis=1)
        s_now = grid[:, :1]
        with np.errstate(divide="ignore", invalid="ignore"):
            cond = np.where(s_now > 0, grid / s_now, 1.0)
        probs = cond[:, :-1] - cond[:, 1:]
        method = "kaplan_meier"
    else:
        horizon = score_horizon_months or months
        sc = pd.to_numeric(pd.Series(scores), errors="coerce")
        per = f[ID].astype(str).map(sc.rename(index=str))
        act = active & per.notna()
        p = per[act].clip(0, 1).to_numpy(dtype=float)
        hazard = 1 - np.power(1 - p, 1 / horizon)
        alive = np.power(1 - hazard[:, None], np.arange(months + 1)[None, :])
        probs = alive[:, :-1] - alive[:, 1:]
        method = "model_scores"
    out = pd.DataFrame(
        {
            "month": np.arange(1, months + 1),
            "window_start": pd.to_datetime(pd.Series(w_start)),
            "window_end": pd.to_datetime(pd.Series(w_end)),
            "days": np.diff(offsets).round().astype(int),
            "active_customers": int(act.sum()),
            "expected_churners": probs.sum(axis=0),
        }
    )
    if has_value:
        v = np.nan_to_num(value[act].to_numpy(dtype=float))
        out["revenue_at_stake"] = (probs * v[:, None]).sum(axis=0)
    else:
        out["revenue_at_stake"] = np.nan
    out["method"] = method
    if renewal_col is not None:
        if renewal_col not in f.columns:
            raise ChurnDataError(
                msg("This renewal column is not in the customer table."),
                fix=msg("choose the column that holds days until renewal."),
                column=renewal_col,
            )
        days_to = pd.to_numeric(f.loc[active, renewal_col], errors="coerce")
        # month h holds renewals in (offset[h-1], offset[h]]; renewal day 0 goes to month 1
        bins = np.searchsorted(offsets[1:], days_to.to_numpy(dtype=float), side="left")
        ok = days_to.notna().to_numpy() & (days_to.to_numpy() >= 0) & (bins < months)
        out["renewals"] = np.bincount(bins[ok], minlength=months)[:months].astype(int)
        if value is not None:
            rv = np.nan_to_num(value[active].to_numpy(dtype=float))[ok]
            out["renewal_value"] = np.bincount(bins[ok], weights=rv, minlength=months)[:months]
    out.attrs["notes"] = (
        [
            msg(
                "Beyond the longest tenure seen the survival curve is flat, so customers "
                "older than that are forecast to stay."
            )
        ]
        if method == "kaplan_meier"
        else []
    )
    return out
